/**
 * A group coordinator on a hand-driven clock, with a store whose appends
 * become durable only when the test says so (oldest first, as a log's
 * fsyncs complete), so a test holds any window of the protocol open for
 * exactly as long as it needs: a generation being written, a session
 * about to expire. Its trace events are kept in order. `restart` is the
 * broker's: what was not durable is lost, and a new coordinator loads the
 * groups from what was.
 */
import { GroupCoordinator, type GroupStore } from '../../src/log/group-coordinator.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import type { TxnCoordinator } from '../../src/log/txn-coordinator.ts';
import type { KeyedRecord } from '../../src/log/protocol.ts';
import type { TimerHandle } from '../../src/runtime/types.ts';

export interface TracedEvent {
  kind: string;
  [field: string]: unknown;
}

export interface HandDriven {
  /** The coordinator of the broker's current life. */
  readonly coordinator: GroupCoordinator;
  /** Appends not yet durable, oldest first: what each wrote, and the call that makes it durable. */
  pending: { records: KeyedRecord[]; done: () => void }[];
  events: TracedEvent[];
  /** Every append, durable or not, in order; `at`: how many trace events came before it. */
  appends: { records: KeyedRecord[]; at: number }[];
  /** The appends made durable, in order: what a restarted coordinator loads. */
  durableAppends: KeyedRecord[][];
  now(): number;
  /** Makes the oldest pending append durable. */
  durable(): void;
  /** Moves the clock on by `ms`, firing the coordinator's timers that fall due, in time order. */
  advance(ms: number): void;
  /** The broker restarts: appends not yet durable and timers are gone; a new coordinator loads the offsets log's durable records. */
  restart(): void;
}

/** Topic `t` has `partitions` partitions (2 by default); no other topic exists. */
export function handDrivenCoordinator(opts: { initialRebalanceDelayMs?: number; partitions?: number } = {}): HandDriven {
  let now = 0;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const pending: HandDriven['pending'] = [];
  const events: TracedEvent[] = [];
  const appends: HandDriven['appends'] = [];
  const partitions = opts.partitions ?? 2;
  /** The offsets log's durable appends, in order: what a restarted broker reads. */
  const durableAppends: KeyedRecord[][] = [];
  const store = (offsetsLog: PartitionLog): GroupStore => ({
    offsetsLog,
    append: (records, _txn, done) => {
      pending.push({
        records,
        done: () => {
          durableAppends.push(records);
          done();
        },
      });
      appends.push({ records, at: events.length });
    },
    partitionCount: (topic) => (topic === 't' ? partitions : undefined),
    endOffset: () => 0,
  });
  const ctx = {
    clock: { now: () => now },
    timers: {
      after: (delayMs: number, fn: () => void): TimerHandle => {
        const t = { at: now + delayMs, fn, cancelled: false };
        timers.push(t);
        return { cancel: () => void (t.cancelled = true) };
      },
    },
    trace: { emit: (kind: string, fields?: object) => void events.push({ kind, ...fields }), detailed: true } as never,
  };
  const start = (offsetsLog: PartitionLog): GroupCoordinator => {
    const c = new GroupCoordinator(ctx, store(offsetsLog), {} as TxnCoordinator, { initialRebalanceDelayMs: opts.initialRebalanceDelayMs ?? 0 });
    c.start();
    return c;
  };
  let coordinator = start(new PartitionLog('__consumer_offsets', 0));
  return {
    get coordinator() {
      return coordinator;
    },
    pending,
    events,
    appends,
    durableAppends,
    now: () => now,
    durable() {
      pending.shift()!.done();
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let due: (typeof timers)[number] | undefined;
        for (const t of timers) if (!t.cancelled && t.at <= until && (due === undefined || t.at < due.at)) due = t;
        if (due === undefined) break;
        due.cancelled = true;
        now = due.at;
        due.fn();
      }
      for (let i = timers.length - 1; i >= 0; i--) if (timers[i]!.cancelled) timers.splice(i, 1);
      now = until;
    },
    restart() {
      pending.length = 0;
      timers.length = 0;
      const log = new PartitionLog('__consumer_offsets', 0);
      for (const r of durableAppends) log.apply({ t: 'b', o: log.endOffset, r });
      log.durableEnd = log.endOffset;
      coordinator = start(log);
    },
  };
}
