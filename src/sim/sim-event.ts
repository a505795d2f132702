/**
 * The scheduler's event records and small helpers of the world. One class
 * for every kind of queued event keeps the objects monomorphic; a timer's
 * event is also its cancel handle.
 */
import type { ProcessFactory, ProcessId, ProcessLogic, TimerHandle } from '../runtime/types.ts';
import type { SimDisk } from './disk.ts';

export interface ProcState {
  readonly id: ProcessId;
  readonly factory: ProcessFactory;
  /** -1 until the first start. */
  incarnation: number;
  up: boolean;
  logic: ProcessLogic | undefined;
  readonly disk: SimDisk;
}

export const START = 0;
export const MESSAGE = 1;
export const TIMER = 2;
export const WORLD = 3;

/** One queued event; a single class keeps the scheduler's objects monomorphic. */
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

export const NO_TIMER: TimerHandle = { cancel() {} };

export function assertDelayMs(what: string, ms: number): void {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`${what}: delay must be an integer ≥ 0 ms, got ${ms}`);
}

export function msgKind(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const kind = (msg as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : undefined;
}
