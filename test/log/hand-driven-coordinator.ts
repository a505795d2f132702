/**
 * A group coordinator on a hand-driven clock, with a store whose appends
 * become durable only when the test says so (oldest first, as a log's
 * fsyncs complete), so a test holds any window of the protocol open for
 * exactly as long as it needs: a generation being written, a session
 * about to expire. Its trace events are kept in order.
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
  coordinator: GroupCoordinator;
  /** Appends not yet durable, oldest first: what each wrote, and the call that makes it durable. */
  pending: { records: KeyedRecord[]; done: () => void }[];
  events: TracedEvent[];
  /** Every append, durable or not, in order; `at`: how many trace events came before it. */
  appends: { records: KeyedRecord[]; at: number }[];
  now(): number;
  /** Makes the oldest pending append durable. */
  durable(): void;
  /** Moves the clock on by `ms`, firing the coordinator's timers that fall due, in time order. */
  advance(ms: number): void;
}

/** Topic `t` has `partitions` partitions (2 by default); no other topic exists. */
export function handDrivenCoordinator(opts: { initialRebalanceDelayMs?: number; partitions?: number } = {}): HandDriven {
  let now = 0;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const pending: HandDriven['pending'] = [];
  const events: TracedEvent[] = [];
  const appends: HandDriven['appends'] = [];
  const partitions = opts.partitions ?? 2;
  const store: GroupStore = {
    offsetsLog: new PartitionLog('__consumer_offsets', 0),
    append: (records, _txn, done) => {
      pending.push({ records, done });
      appends.push({ records, at: events.length });
    },
    partitionCount: (topic) => (topic === 't' ? partitions : undefined),
    endOffset: () => 0,
  };
  const coordinator = new GroupCoordinator(
    {
      clock: { now: () => now },
      timers: {
        after: (delayMs: number, fn: () => void): TimerHandle => {
          const t = { at: now + delayMs, fn, cancelled: false };
          timers.push(t);
          return { cancel: () => void (t.cancelled = true) };
        },
      },
      trace: { emit: (kind: string, fields?: object) => void events.push({ kind, ...fields }), detailed: true } as never,
    },
    store,
    {} as TxnCoordinator,
    { initialRebalanceDelayMs: opts.initialRebalanceDelayMs ?? 0 },
  );
  coordinator.start();
  return {
    coordinator,
    pending,
    events,
    appends,
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
  };
}
