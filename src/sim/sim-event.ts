/**
 * The scheduler's event records and small helpers of the world. One class
 * for every kind of queued event keeps the objects monomorphic; timers use a
 * subclass with what re-arming needs (so messages do not carry it), and a
 * timer's event is also its handle: cancel, and re-arm without a new queue
 * entry.
 */
import type { ProcessFactory, ProcessId, ProcessLogic, TimerHandle } from '../runtime/types.ts';
import type { SimDisk } from './disk.ts';
import type { Channel } from './network.ts';

export interface ProcState {
  readonly id: ProcessId;
  readonly factory: ProcessFactory;
  /** -1 until the first start. */
  incarnation: number;
  up: boolean;
  logic: ProcessLogic | undefined;
  readonly disk: SimDisk;
  /** Per process it has sent to: the receiver and the network channel there, looked up once. */
  readonly routes: Map<ProcessId, Route>;
}

/** Where a process's messages to one other process go. */
export interface Route {
  readonly target: ProcState;
  readonly channel: Channel;
  /** Its connection (`sendReliable`), made on the first such send of each incarnation. */
  conn: Connection | undefined;
}

/**
 * A process's connection to another, as TCP keeps one: what a cut link
 * swallowed, and everything sent after it, waits here in send order (by
 * message id) until a retransmission finds the link healed.
 */
export interface Connection {
  /** The sender's incarnation: a restarted process opens a new connection, and the old one's messages are lost. */
  readonly inc: number;
  held: SimEvent[];
  /** The retransmission timeout: the minimum after each delivery, doubled at each retry that finds the link still cut. */
  rtoMs: number;
  retryArmed: boolean;
}

export const START = 0;
export const MESSAGE = 1;
export const TIMER = 2;
export const WORLD = 3;
/** A message on a connection (`sendReliable`): held, not dropped, by a partition. */
export const RELIABLE = 4;

/** What re-arms a timer: the world that queued it. */
export interface TimerHost {
  rearmTimer(ev: TimerEvent, delayMs: number): boolean;
}

/** A timer's place in the queue (`SimEvent.timerState`). */
export const TIMER_DONE = 0;
export const TIMER_QUEUED = 1;
/** Queued, but due later than its queue entry: moved to `dueMs` when the entry pops. */
export const TIMER_DEFERRED = 2;

/** One queued event; a single class keeps the scheduler's objects monomorphic (timers: `TimerEvent`). */
export class SimEvent implements TimerHandle {
  cancelled = false;
  constructor(
    readonly type: number,
    /** The process it runs in: the receiver of a message, the owner of a timer. */
    readonly proc: ProcState | undefined,
    /** The owner's incarnation (timers) or the sender's (messages). */
    readonly inc: number,
    readonly fn: (() => void) | undefined,
    readonly msg: unknown,
    readonly from: string,
    readonly fromProc: ProcState | undefined,
    readonly mid: number,
    readonly cutGen: number,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/** A process's timer: its queue entry, and the handle its owner may cancel or re-arm. */
export class TimerEvent extends SimEvent {
  /** TIMER_QUEUED, TIMER_DEFERRED or TIMER_DONE (fired or dropped from the queue). */
  timerState = TIMER_QUEUED;
  /** Deferred only: when it is due, and its place among the events due then. */
  dueMs = 0;
  dueSeq = 0;

  constructor(
    private readonly host: TimerHost,
    proc: ProcState,
    inc: number,
    fn: () => void,
    /** The time of its queue entry. */
    public entryMs: number,
  ) {
    super(TIMER, proc, inc, fn, undefined, '', undefined, 0, 0);
  }

  /**
   * Fires `delayMs` from now instead, exactly as a timer armed now with
   * `after(delayMs, fn)` would (also when it was cancelled), and true; false
   * when it cannot (it already fired or left the queue, its owner crashed, or
   * the new time is earlier than its queue entry), and then nothing changed.
   */
  rearm(delayMs: number): boolean {
    return this.host.rearmTimer(this, delayMs);
  }
}

export const NO_TIMER: TimerHandle = { cancel() {} };

/** Whether `ms` is a valid delay: an integer ≥ 0. */
export function isDelayMs(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0;
}

export function assertDelayMs(what: string, ms: number): void {
  if (!isDelayMs(ms)) throw new RangeError(`${what}: delay must be an integer ≥ 0 ms, got ${ms}`);
}

export function msgKind(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const kind = (msg as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : undefined;
}
