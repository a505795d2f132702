/**
 * What this proves: the windowed aggregate's store keeps a window for size +
 * grace behind its own stream time, as Kafka's segmented window store does
 * (`AbstractRocksDBSegmentedBytesStore.get`, `restoreAllInternal`,
 * `WindowStoreMaterializer.retentionPeriod`), and the aggregate starts a
 * window afresh when its lookup finds nothing (`KStreamWindowAggregate`).
 *
 * How: a task is built with the DSL and its store is given values before
 * the processors start, as a restore (which raises the store's stream time)
 * or a load from the state directory (which does not); then records are fed
 * and the aggregate's output and traced decisions are compared with what
 * Kafka's rules give, including the boundary `start = observed - retention +
 * 1`, the cache answering for what was written through it, and a store
 * without a cache answering for nothing below the boundary.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/engines/kstreams/dsl.ts';
import { StreamTask } from '../../../src/engines/kstreams/task.ts';
import { SessionWindows, TimeWindows, type SessionWindowsSpec, type TimeWindowsSpec } from '../../../src/engines/kstreams/windows.ts';
import { sessionStoreKey, windowStoreKey, type StateStore } from '../../../src/engines/kstreams/stores.ts';
import type { WindowedValue } from '../../../src/engines/kstreams/aggregate.ts';

const STORE = 'counts';

/** One task of `in` → count in `windows` (time or session) → `out`; `before` fills the store before the processors start. */
function harness(windows: TimeWindowsSpec | SessionWindowsSpec, caching: boolean, before: (store: StateStore) => void) {
  const b = new StreamsBuilder();
  const grouped = b.stream('in').groupByKey();
  const counted = windows.kind === 'session' ? grouped.windowedBy(windows).count({ name: STORE, caching }) : grouped.windowedBy(windows).count({ name: STORE, caching });
  counted.toStream().to('out');
  const topology = b.build();
  const outputs: string[] = [];
  const traced: { kind: string; fields: Record<string, unknown> }[] = [];
  const task = new StreamTask(topology, topology.subTopologies()[0]!, 0, {
    applicationId: 'app',
    send: (topic, _p, key, value) => {
      const v = value as WindowedValue;
      if (topic !== 'out' || v.value === null) return;
      outputs.push(windows.kind === 'session'
        ? `${String(key)}[${v.window.start},${v.window.end}]=${String(v.value)}`
        : `${String(key)}@${v.window.start}=${String(v.value)}#${v.firing}`);
    },
    nowMs: () => 0,
    trace: (kind, fields) => traced.push({ kind, fields }),
    detailedTrace: false,
    maxTaskIdleMs: -1,
    caching,
  });
  const store = task.stores.get(STORE)!;
  before(store);
  task.initProcessors();
  let offset = 0;
  const feed = (key: string, ts: number): void => {
    task.addRecords('in', [{ offset, value: { id: 1000 + offset, key, ts, value: 1 } }]);
    offset++;
    while (task.process(() => 0)) { /* drain */ }
  };
  const flush = (): void => store.flush();
  return { outputs, traced, feed, flush, store };
}

/** A stored count as the aggregate keeps it: the value, its records, its update counter. */
const count = (ids: number[]) => ({ agg: ids.length, ids, firing: ids.length - 1 });

describe('a windowed aggregate\'s store retention (Kafka\'s segmented window store)', () => {
  it('hides a restored window below observed - retention + 1, and the aggregate starts it afresh over it', () => {
    // Tumbling 10 ms, no grace: retention 10. A restore of b@30 sets the store's time to 30, so a
    // window is found from 21 on; a@0 is hidden.
    const h = harness(TimeWindows.ofSizeAndGrace(10, 0), false, (s) => {
      s.restore(windowStoreKey('a', 0), count([1, 2, 3]), 5, 0);
      s.restore(windowStoreKey('b', 30), count([4]), 31, 1);
    });
    expect(h.store.observedStreamTime).toBe(30);
    // The aggregate's own stream time starts afresh (KAFKA-7895): ts 7 keeps [0,10) open.
    h.feed('a', 7);
    expect(h.outputs).toEqual(['a@0=1#3']);
    const expired = h.traced.filter((t) => t.kind === 'ks.window.expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.fields).toMatchObject({ start: 0, end: 10, storeTime: 30, retention: 10, hidden: '1,2,3', hiddenFiring: 2 });
    // A window within retention is found and added to.
    h.feed('b', 32);
    expect(h.outputs.at(-1)).toBe('b@30=2#1');
  });

  it('finds a window starting exactly at observed - retention + 1, and hides the one a millisecond before', () => {
    // Hopping 10 ms by 1 ms, no grace: retention 10; store time 30 keeps windows from 21 on.
    const h = harness(TimeWindows.ofSizeAndGrace(10, 0).advanceBy(1), false, (s) => {
      s.restore(windowStoreKey('a', 21), count([1, 2]), 25, 0);
      s.restore(windowStoreKey('a', 20), count([1]), 25, 1);
      s.restore(windowStoreKey('b', 30), count([3]), 30, 2);
    });
    // ts 29 lies in windows 20..29; only 20 and 21 hold anything.
    h.feed('a', 29);
    const byStart = new Map(h.outputs.map((o) => [Number(o.slice(2, o.indexOf('='))), o]));
    expect(byStart.get(21)).toBe('a@21=3#2');
    expect(byStart.get(20)).toBe('a@20=1#1');
    expect(h.traced.filter((t) => t.kind === 'ks.window.expired').map((t) => t.fields.start)).toEqual([20]);
  });

  it('with the cache on, a window written through it is found again; without, the lookup passes over it again', () => {
    const restored = (s: StateStore) => {
      s.restore(windowStoreKey('a', 0), count([1, 2, 3]), 5, 0);
      s.restore(windowStoreKey('b', 30), count([4]), 31, 1);
    };
    const cached = harness(TimeWindows.ofSizeAndGrace(10, 0), true, restored);
    cached.feed('a', 7);
    cached.feed('a', 8);
    cached.flush();
    cached.feed('a', 9);
    cached.flush();
    expect(cached.outputs).toEqual(['a@0=2#4', 'a@0=3#5']);
    expect(cached.traced.filter((t) => t.kind === 'ks.window.expired')).toHaveLength(1);

    const uncached = harness(TimeWindows.ofSizeAndGrace(10, 0), false, restored);
    uncached.feed('a', 7);
    uncached.feed('a', 8);
    expect(uncached.outputs).toEqual(['a@0=1#3', 'a@0=1#4']);
    expect(uncached.traced.filter((t) => t.kind === 'ks.window.expired')).toHaveLength(2);
  });

  it('a load from the state directory brings back no stream time: nothing is hidden until writes raise it', () => {
    const h = harness(TimeWindows.ofSizeAndGrace(10, 0), false, (s) => {
      s.load([[windowStoreKey('a', 0), count([1, 2, 3]), 5, 0], [windowStoreKey('b', 30), count([4]), 31, 1]]);
    });
    expect(h.store.observedStreamTime).toBe(-1);
    h.feed('a', 7);
    expect(h.outputs).toEqual(['a@0=4#3']);
    // A write raises the store's time (b@40: to 40).
    h.feed('b', 41);
    expect(h.store.observedStreamTime).toBe(40);
    expect(h.traced.filter((t) => t.kind === 'ks.window.expired')).toHaveLength(0);
  });

  it('grace widens the retention: with 5 ms of grace the store keeps windows 5 ms longer', () => {
    const h = harness(TimeWindows.ofSizeAndGrace(10, 5), false, (s) => {
      s.restore(windowStoreKey('a', 10), count([1]), 12, 0);
      s.restore(windowStoreKey('b', 25), count([2]), 26, 1);
    });
    // Retention 15, store time 25: found from 11 on, so a@10 is hidden; ts 12 is on time for the fresh aggregate.
    h.feed('a', 12);
    expect(h.outputs).toEqual(['a@10=1#1']);
    const h2 = harness(TimeWindows.ofSizeAndGrace(10, 5), false, (s) => {
      s.restore(windowStoreKey('a', 10), count([1]), 12, 0);
      s.restore(windowStoreKey('b', 24), count([2]), 26, 1);
    });
    h2.feed('a', 12);
    expect(h2.outputs).toEqual(['a@10=2#1']);
  });

  it('a session store hides a restored session that ended below observed - (gap + grace) + 1: a record within its gap starts a session of its own', () => {
    // Retention 15: a restored session ending at 40 sets the store's time to 40, so sessions ending
    // from 26 on are found: a@[20,25] is hidden, a@[26,26] is not.
    const h = harness(SessionWindows.ofInactivityGapAndGrace(10, 5), true, (store) => {
      store.restore(sessionStoreKey('a', 20, 25), count([1, 2]), 25, 0);
      store.restore(sessionStoreKey('b', 40, 40), count([3]), 40, 1);
      store.restore(sessionStoreKey('c', 26, 26), count([4]), 26, 2);
    });
    const { outputs, traced } = h;
    const feed = (key: string, ts: number): void => {
      h.feed(key, ts);
      h.flush();
    };
    feed('a', 30); // within the gap of [20,25], which is hidden: a session [30,30] of its own
    feed('c', 30); // within the gap of [26,26], which is found: merged into [26,30]
    expect(outputs).toEqual(['a[30,30]=1', 'c[26,30]=2']);
    const hidden = traced.filter((t) => t.kind === 'ks.session.expired');
    expect(hidden).toHaveLength(1);
    expect(hidden[0]!.fields).toMatchObject({ key: 'a', storeTime: 40, retention: 15, gap: 10, grace: 5 });
    expect(JSON.parse(String(hidden[0]!.fields.hidden))).toEqual([[sessionStoreKey('a', 20, 25), 20, 25, count([1, 2]), 25, true]]);
  });
});
