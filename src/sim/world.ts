/**
 * The world: a single-threaded discrete-event simulator that hosts processes
 * written against `src/runtime`.
 *
 * Nothing runs except from one event queue ordered by (virtual time, push
 * order): process starts, message deliveries, timers, fsync completions and
 * world-level events (fault injection, test drivers). Virtual time only moves
 * when the next live event is taken, so a run is a pure function of the seed,
 * the options and the calls made on the world.
 *
 * A timer can be re-armed through its handle (`TimerEvent.rearm`): it keeps its
 * queue entry and moves to the new time when that entry pops, firing exactly
 * as a fresh timer armed at re-arm time would. A client that cancels and
 * re-arms one timer over and over (runtime/request-client) thus leaves one
 * entry in the queue, not one per cancelled timer.
 *
 * Messages are datagrams (`send`: a partition drops them) or travel on a
 * process's connection to another (`sendReliable`, as TCP: a partition holds
 * them, in send order, until a retransmission after the heal).
 *
 * Crash semantics use incarnations, never searches: every timer, message and
 * fsync carries the incarnation of the process that made it, and is skipped
 * (a message: dropped with a `net.drop` event) if that process has crashed
 * since. Errors thrown by a process propagate out of `run()`: they are bugs.
 */
import type { ProcessContext, ProcessFactory, ProcessId, ProcessLogic, TimerHandle, TraceFields } from '../runtime/types.ts';
import { Buggify } from './buggify.ts';
import { SimDisk, type DiskFault, type DiskOptions } from './disk.ts';
import { SimNetwork, type Channel, type Spike } from './network.ts';
import { EventQueue } from './queue.ts';
import { rootRng, type Rng } from './rng.ts';
import { assertDelayMs, isDelayMs, MESSAGE, msgKind, NO_TIMER, RELIABLE, SimEvent, START, TIMER, TIMER_DEFERRED, TIMER_DONE, TIMER_QUEUED, TimerEvent, WORLD, type Connection, type ProcState, type Route, type TimerHost } from './sim-event.ts';
import { Trace } from './trace.ts';
import type { RunLimits, RunResult, WorldOptions, WorldStats } from './world-types.ts';

export type { RunLimits, RunResult, WorldOptions, WorldStats } from './world-types.ts';

/** Linux's bounds on a TCP retransmission timeout (TCP_RTO_MIN, TCP_RTO_MAX). */
const RTO_MIN_MS = 200;
const RTO_MAX_MS = 120_000;

export class World {
  readonly trace: Trace;
  readonly rng: Rng;
  readonly seed: number | string;
  readonly stats: WorldStats = {
    steps: 0, messagesSent: 0, messagesDelivered: 0, messagesDropped: 0, timersFired: 0,
    crashes: 0, restarts: 0, partitions: 0, latencySpikes: 0, buggifyFired: 0,
  };
  private nowMs = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly procs = new Map<ProcessId, ProcState>();
  private readonly net: SimNetwork;
  private readonly bugs: Buggify;
  private readonly diskOpts: DiskOptions;
  private readonly detailed: boolean;
  private readonly traceIo: boolean;
  private readonly clock = { now: (): number => this.nowMs };
  private readonly timerHost: TimerHost = { rearmTimer: (ev, delayMs) => this.rearmTimer(ev, delayMs) };
  private running = false;
  private stopRequested = false;

  constructor(opts: WorldOptions) {
    this.seed = opts.seed;
    this.trace = new Trace({ ringSize: opts.traceRing ?? 10_000, everyKind: opts.traceEveryKind ?? false, hash: opts.hashTrace ?? true });
    for (const s of opts.subscribers ?? []) this.trace.subscribe(s);
    this.rng = rootRng(opts.seed);
    this.net = new SimNetwork(this.rng.fork('network'), opts.network);
    this.bugs = new Buggify(this.rng.fork('buggify'), opts.buggify);
    this.diskOpts = opts.disk ?? {};
    this.detailed = opts.detailedTrace ?? true;
    this.traceIo = opts.traceIo ?? true;
    this.emit('world.start', { seed: opts.seed, buggify: this.bugs.enabled, unsafeNonFifo: this.net.unsafeNonFifo });
  }

  now(): number {
    return this.nowMs;
  }

  /** Whether processes trace detailed events (`ctx.trace.detailed`): fault anchors on them need it. */
  get detailedTrace(): boolean {
    return this.detailed;
  }

  /** Records a world-level trace event (p = 'world'). */
  emit(kind: string, fields?: TraceFields): void {
    this.trace.record(this.nowMs, 'world', kind, fields);
  }

  // ---- processes -------------------------------------------------------

  /** Registers a process; unless `start: false`, it starts as the next event at the current time. */
  addProcess(id: ProcessId, factory: ProcessFactory, opts: { start?: boolean } = {}): void {
    if (id === 'world' || id === '') throw new Error(`addProcess: '${id}' is not a valid process id`);
    if (this.procs.has(id)) throw new Error(`addProcess: process '${id}' already exists`);
    const disk = new SimDisk(id, this.rng.fork(`disk/${id}`), {
      now: () => this.nowMs,
      emit: (kind, fields) => this.trace.record(this.nowMs, id, kind, fields),
      traceIo: this.traceIo,
      scheduleAt: (atMs, fn) => this.queue.push(atMs, new SimEvent(WORLD, undefined, 0, fn, undefined, '', undefined, 0, 0)),
    }, this.diskOpts);
    const proc: ProcState = { id, factory, incarnation: -1, up: false, logic: undefined, disk, routes: new Map() };
    this.procs.set(id, proc);
    if (opts.start ?? true) this.queue.push(this.nowMs, new SimEvent(START, proc, 0, undefined, undefined, '', undefined, 0, 0));
  }

  processIds(): ProcessId[] {
    return [...this.procs.keys()];
  }

  private proc(id: ProcessId): ProcState {
    const p = this.procs.get(id);
    if (p === undefined) throw new Error(`unknown process '${id}'`);
    return p;
  }

  isUp(id: ProcessId): boolean {
    return this.proc(id).up;
  }

  /** The current incarnation (-1 before the first start). */
  incarnation(id: ProcessId): number {
    return this.proc(id).incarnation;
  }

  disk(id: ProcessId): SimDisk {
    return this.proc(id).disk;
  }

  /** Drops the process's memory, timers, unsynced disk state and undelivered sent messages. No-op if down. */
  crash(id: ProcessId): void {
    const p = this.proc(id);
    if (!p.up) return;
    p.up = false;
    p.logic = undefined;
    this.stats.crashes++;
    this.trace.record(this.nowMs, id, 'proc.crash', { incarnation: p.incarnation });
    p.disk.crash();
  }

  /** Starts a down process again (incarnation + 1), recovering from its disk. No-op if up. */
  restart(id: ProcessId): void {
    const p = this.proc(id);
    if (p.up) return;
    if (p.incarnation >= 0) this.stats.restarts++;
    this.startProcess(p);
  }

  private startProcess(p: ProcState): void {
    p.incarnation++;
    p.up = true;
    const inc = p.incarnation;
    this.trace.record(this.nowMs, p.id, inc === 0 ? 'proc.start' : 'proc.restart', { incarnation: inc });
    const ctx: ProcessContext = {
      id: p.id,
      incarnation: inc,
      clock: this.clock,
      timers: { after: (delayMs, fn) => this.addTimer(p, inc, delayMs, fn) },
      net: { send: (to, msg) => this.send(p, inc, to, msg), sendReliable: (to, msg) => this.sendReliable(p, inc, to, msg) },
      disk: p.disk,
      trace: {
        emit: (kind, fields) => {
          if (p.incarnation === inc && p.up) this.trace.record(this.nowMs, p.id, kind, fields);
        },
        detailed: this.detailed,
        wants: (kind) => this.trace.wants(kind),
      },
      buggify: (site) => this.buggifyAt(p, inc, site),
    };
    p.logic = p.factory(ctx);
  }

  private addTimer(p: ProcState, inc: number, delayMs: number, fn: () => void): TimerHandle {
    // The message names the process, so it is built only for a bad delay (timers are armed on most steps).
    if (!isDelayMs(delayMs)) assertDelayMs(`${p.id}: timers.after`, delayMs);
    if (p.incarnation !== inc || !p.up) return NO_TIMER;
    const ev = new TimerEvent(this.timerHost, p, inc, fn, this.nowMs + delayMs);
    this.queue.push(ev.entryMs, ev);
    return ev;
  }

  /**
   * Re-arms a timer still in the queue without a new entry: it takes now the sequence number a
   * fresh timer would take, and when its entry pops (earlier or at the same time) it is queued
   * again at the new time with that number; so it fires exactly when and in the order a fresh
   * `after(delayMs, fn)` would.
   */
  private rearmTimer(ev: TimerEvent, delayMs: number): boolean {
    const p = ev.proc as ProcState;
    if (!isDelayMs(delayMs)) assertDelayMs(`${p.id}: timer rearm`, delayMs);
    const atMs = this.nowMs + delayMs;
    if (ev.timerState === TIMER_DONE || p.incarnation !== ev.inc || !p.up || atMs < ev.entryMs) return false;
    ev.cancelled = false;
    ev.timerState = TIMER_DEFERRED;
    ev.dueMs = atMs;
    ev.dueSeq = this.queue.reserveSeq();
    return true;
  }

  private buggifyAt(p: ProcState, inc: number, site: string): boolean {
    if (p.incarnation !== inc || !p.up || !this.bugs.fires(site, p.id, this.nowMs)) return false;
    this.stats.buggifyFired++;
    this.trace.record(this.nowMs, p.id, 'buggify', { site });
    return true;
  }

  // ---- network ---------------------------------------------------------

  private send(p: ProcState, inc: number, to: ProcessId, msg: unknown): void {
    // A context outliving its incarnation is inert.
    if (p.incarnation !== inc || !p.up) return;
    const route = this.routeOf(p, to);
    this.enqueueMessage(p.id, p, inc, route.target, msg, route.channel);
  }

  private routeOf(p: ProcState, to: ProcessId): Route {
    let route = p.routes.get(to);
    if (route === undefined) {
      const target = this.procs.get(to);
      if (target === undefined) throw new Error(`${p.id}: send to unknown process '${to}'`);
      route = { target, channel: this.net.channelOf(p.id, to), conn: undefined };
      p.routes.set(to, route);
    }
    return route;
  }

  /**
   * A send on p's connection to `to` (see `Network.sendReliable`): held when the link is cut or
   * the connection already holds earlier messages, else queued as any message is.
   */
  private sendReliable(p: ProcState, inc: number, to: ProcessId, msg: unknown): void {
    if (p.incarnation !== inc || !p.up) return;
    const route = this.routeOf(p, to);
    let conn = route.conn;
    if (conn === undefined || conn.inc !== inc) route.conn = conn = { inc, held: [], rtoMs: RTO_MIN_MS, retryArmed: false };
    const ev = new SimEvent(RELIABLE, route.target, inc, undefined, msg, p.id, p, this.stats.messagesSent++, this.net.cutGeneration);
    if (conn.held.length > 0 || this.net.isCut(p.id, to)) this.hold(route, conn, ev);
    else this.queueMessage(ev, route.channel, false);
  }

  /** Queues a message for delivery on `channel` (FIFO), tracing its send. */
  private queueMessage(ev: SimEvent, channel: Channel, resend: boolean): void {
    const to = (ev.proc as ProcState).id;
    const atMs = this.net.deliveryTimeMs(channel, this.nowMs, ev.from, to);
    if (this.traceIo) this.trace.record(this.nowMs, ev.from, 'net.send', { to, from: ev.from, mid: ev.mid, msg: msgKind(ev.msg), atMs, ...(resend ? { resend } : {}) });
    this.queue.push(atMs, ev);
  }

  /** A connection's message the cut link swallowed (or that is behind one): held in send order until a retransmission. */
  private hold(route: Route, conn: Connection, ev: SimEvent): void {
    const held = conn.held;
    let i = held.length;
    while (i > 0 && held[i - 1]!.mid > ev.mid) i--;
    held.splice(i, 0, ev);
    if (this.traceIo) this.trace.record(this.nowMs, ev.from, 'net.drop', { to: route.target.id, from: ev.from, mid: ev.mid, msg: msgKind(ev.msg), reason: 'partition', resend: true });
    if (!conn.retryArmed) this.armRetry(ev.fromProc as ProcState, route, conn);
  }

  private armRetry(sender: ProcState, route: Route, conn: Connection): void {
    conn.retryArmed = true;
    this.queue.push(this.nowMs + conn.rtoMs, new SimEvent(WORLD, undefined, 0, () => this.retransmit(sender, route, conn), undefined, '', undefined, 0, 0));
  }

  /** A connection's retransmission: everything held goes out again, in order, once the link has healed. */
  private retransmit(sender: ProcState, route: Route, conn: Connection): void {
    conn.retryArmed = false;
    if (route.conn !== conn || sender.incarnation !== conn.inc || !sender.up) {
      for (const ev of conn.held) this.dropped(ev, 'sender-crashed');
      conn.held = [];
      return;
    }
    if (this.net.isCut(sender.id, route.target.id)) {
      conn.rtoMs = Math.min(2 * conn.rtoMs, RTO_MAX_MS);
      this.armRetry(sender, route, conn);
      return;
    }
    conn.rtoMs = RTO_MIN_MS;
    const held = conn.held;
    conn.held = [];
    for (const ev of held) {
      this.queueMessage(new SimEvent(RELIABLE, ev.proc, ev.inc, undefined, ev.msg, ev.from, ev.fromProc, ev.mid, this.net.cutGeneration), route.channel, true);
    }
  }

  /** Delivers a connection's message, or holds it behind a cut (see `sendReliable`). */
  private deliverReliable(ev: SimEvent): void {
    const sender = ev.fromProc as ProcState;
    const to = ev.proc as ProcState;
    if (sender.incarnation !== ev.inc || !sender.up) return this.dropped(ev, 'sender-crashed');
    const route = sender.routes.get(to.id) as Route;
    const conn = route.conn as Connection;
    if (conn.held.length > 0 || this.net.droppedByCut(ev.from, to.id, ev.cutGen)) return this.hold(route, conn, ev);
    if (!to.up) return this.dropped(ev, 'receiver-down');
    this.handOver(ev, to);
  }

  /** Counts, traces and hands a message to its receiver's logic. */
  private handOver(ev: SimEvent, to: ProcState): void {
    this.stats.messagesDelivered++;
    if (this.traceIo) this.trace.record(this.nowMs, to.id, 'net.deliver', { to: to.id, from: ev.from, mid: ev.mid, msg: msgKind(ev.msg) });
    (to.logic as ProcessLogic).onMessage(ev.from, ev.msg);
  }

  /** Counts and traces a message that will not be delivered. */
  private dropped(ev: SimEvent, reason: string): void {
    const to = (ev.proc as ProcState).id;
    this.stats.messagesDropped++;
    if (this.traceIo) this.trace.record(this.nowMs, to, 'net.drop', { to, from: ev.from, mid: ev.mid, msg: msgKind(ev.msg), reason });
  }

  /** Injects a message from outside the processes (tests, drivers), through the network. */
  deliverFromOutside(to: ProcessId, msg: unknown, from = 'world'): void {
    if (this.procs.has(from)) throw new Error(`deliverFromOutside: '${from}' is a process; use its context to send`);
    this.enqueueMessage(from, undefined, 0, this.proc(to), msg, this.net.channelOf(from, to));
  }

  private enqueueMessage(from: string, fromProc: ProcState | undefined, inc: number, target: ProcState, msg: unknown, channel: Channel): void {
    const mid = this.stats.messagesSent++;
    if (this.net.isCut(from, target.id)) {
      this.stats.messagesDropped++;
      if (this.traceIo) this.trace.record(this.nowMs, from, 'net.drop', { to: target.id, from, mid, msg: msgKind(msg), reason: 'partition' });
      return;
    }
    this.queueMessage(new SimEvent(MESSAGE, target, inc, undefined, msg, from, fromProc, mid, this.net.cutGeneration), channel, false);
  }

  private deliver(ev: SimEvent): void {
    const to = ev.proc as ProcState;
    const sender = ev.fromProc;
    let reason: string | undefined;
    if (sender !== undefined && (sender.incarnation !== ev.inc || !sender.up)) reason = 'sender-crashed';
    else if (this.net.droppedByCut(ev.from, to.id, ev.cutGen)) reason = 'partition';
    else if (!to.up) reason = 'receiver-down';
    if (reason !== undefined) return this.dropped(ev, reason);
    this.handOver(ev, to);
  }

  // ---- faults and world events -------------------------------------------

  /** Runs `fn` as a world-level event after `delayMs`. */
  schedule(delayMs: number, fn: () => void): void {
    assertDelayMs('schedule', delayMs);
    this.queue.push(this.nowMs + delayMs, new SimEvent(WORLD, undefined, 0, fn, undefined, '', undefined, 0, 0));
  }

  /**
   * Cuts both directions of a–b for `durationMs`; datagrams sent across or in flight meanwhile are
   * dropped, and a connection's messages wait for a retransmission after the heal (`sendReliable`).
   */
  partition(a: ProcessId, b: ProcessId, durationMs: number): void {
    assertDelayMs('partition', durationMs);
    this.net.cut(a, b);
    this.stats.partitions++;
    this.emit('net.partition', { a, b, durationMs });
    this.schedule(durationMs, () => {
      this.net.heal(a, b);
      this.emit('net.heal', { a, b });
    });
  }

  /** Adds `extraMs` to the latency of every message sent (between a and b only, if given) for `durationMs`. */
  latencySpike(durationMs: number, extraMs: number, between?: [ProcessId, ProcessId]): void {
    assertDelayMs('latencySpike', durationMs);
    assertDelayMs('latencySpike extra', extraMs);
    const spike: Spike = between === undefined ? { extraMs } : { extraMs, between };
    this.net.addSpike(spike);
    this.stats.latencySpikes++;
    this.emit('net.spike', { phase: 'start', durationMs, extraMs, a: between?.[0], b: between?.[1] });
    this.schedule(durationMs, () => {
      this.net.removeSpike(spike);
      this.emit('net.spike', { phase: 'end', extraMs, a: between?.[0], b: between?.[1] });
    });
  }

  /** Sets (merges) a process's disk fault switches. */
  setDiskFault(id: ProcessId, fault: DiskFault): void {
    const disk = this.proc(id).disk;
    if (fault.readCorruption !== undefined) disk.readCorruption = fault.readCorruption;
    if (fault.slowFsyncExtraMs !== undefined) {
      assertDelayMs('slowFsyncExtraMs', fault.slowFsyncExtraMs);
      disk.slowFsyncExtraMs = fault.slowFsyncExtraMs;
    }
  }

  // ---- the scheduler -----------------------------------------------------

  /** Processes events until the queue is empty or a limit is hit. */
  run(limits: RunLimits = {}): RunResult {
    if (this.running) throw new Error('World.run is not reentrant');
    this.running = true;
    this.stopRequested = false;
    const { untilMs, maxSteps, stopWhen } = limits;
    let steps = 0;
    let reason: RunResult['reason'];
    try {
      for (;;) {
        if (this.stopRequested || (stopWhen !== undefined && stopWhen())) { reason = 'stopped'; break; }
        if (maxSteps !== undefined && steps >= maxSteps) { reason = 'steps'; break; }
        const t = this.queue.peekTimeMs();
        if (t === undefined) { reason = 'idle'; break; }
        if (untilMs !== undefined && t > untilMs) {
          if (untilMs > this.nowMs) this.nowMs = untilMs;
          reason = 'time';
          break;
        }
        if (this.dispatch(t, this.queue.popItem() as SimEvent)) steps++;
      }
    } finally {
      this.running = false;
      this.stopRequested = false;
    }
    return { reason, steps, nowMs: this.nowMs };
  }

  /** Makes `run()` return 'stopped' after the current step. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Events still queued, live or stale. */
  pendingEvents(): number {
    return this.queue.size;
  }

  /** Runs one event; returns false when it was stale (cancelled timer, crashed owner) and did nothing. */
  private dispatch(t: number, ev: SimEvent): boolean {
    switch (ev.type) {
      case TIMER: {
        const timer = ev as TimerEvent;
        const p = timer.proc as ProcState;
        if (timer.cancelled || p.incarnation !== timer.inc || !p.up) {
          timer.timerState = TIMER_DONE;
          return false;
        }
        if (timer.timerState === TIMER_DEFERRED) {
          timer.timerState = TIMER_QUEUED;
          timer.entryMs = timer.dueMs;
          this.queue.pushAt(timer.dueMs, timer.dueSeq, timer);
          return false;
        }
        timer.timerState = TIMER_DONE;
        this.nowMs = t;
        this.stats.steps++;
        this.stats.timersFired++;
        (ev.fn as () => void)();
        return true;
      }
      case MESSAGE:
        this.nowMs = t;
        this.stats.steps++;
        this.deliver(ev);
        return true;
      case RELIABLE:
        this.nowMs = t;
        this.stats.steps++;
        this.deliverReliable(ev);
        return true;
      case WORLD:
        this.nowMs = t;
        this.stats.steps++;
        (ev.fn as () => void)();
        return true;
      case START: {
        const p = ev.proc as ProcState;
        if (p.up) return false;
        this.nowMs = t;
        this.stats.steps++;
        this.startProcess(p);
        return true;
      }
      default:
        throw new Error(`world: unknown event type ${ev.type}`);
    }
  }

  /** Records `world.end` with the run's statistics. */
  finish(): void {
    this.emit('world.end', { ...this.stats, traceEvents: this.trace.count });
  }

  /** Sites queried so far and whether each is switched on. */
  buggifySwitches(): [string, boolean][] {
    return this.bugs.switches();
  }
}
