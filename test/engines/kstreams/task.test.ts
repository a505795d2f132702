/**
 * The Kafka Streams core on exact scripted inputs, without a world: a
 * topology built with the DSL, one task per sub-topology partition, records
 * fed in offset order, and the records the task sends collected. The cases
 * follow Kafka's own tests (KStreamWindowAggregateTest,
 * PunctuationQueueTest, PartitionGroupTest) and part K of the semantics.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/engines/kstreams/dsl.ts';
import { decodeCommitMetadata, encodeCommitMetadata, StreamTask } from '../../../src/engines/kstreams/task.ts';
import { TimeWindows, SessionWindows, timeWindowsFor } from '../../../src/engines/kstreams/windows.ts';
import { PunctuationQueue } from '../../../src/engines/kstreams/punctuation.ts';
import { PartitionGroup } from '../../../src/engines/kstreams/partition-group.ts';
import type { WindowedValue } from '../../../src/engines/kstreams/aggregate.ts';
import { windowStoreKey } from '../../../src/engines/kstreams/stores.ts';

interface Sent {
  topic: string;
  partition: number | undefined;
  key: string | null;
  value: unknown;
}

function harness(builder: StreamsBuilder, opts: { caching?: boolean; sub?: number; before?: (task: StreamTask) => void } = {}) {
  const sent: Sent[] = [];
  const traced: { kind: string; fields: Record<string, unknown> }[] = [];
  let now = 0;
  const topology = builder.build();
  const sub = topology.subTopologies()[opts.sub ?? 0]!;
  const task = new StreamTask(topology, sub, 0, {
    applicationId: 'app',
    send: (topic, partition, key, value) => sent.push({ topic, partition, key, value }),
    nowMs: () => now,
    trace: (kind, fields) => traced.push({ kind, fields }),
    detailedTrace: true,
    maxTaskIdleMs: -1,
    caching: opts.caching ?? false,
  });
  opts.before?.(task);
  task.initProcessors();
  let offset = 0;
  let id = 0;
  const feed = (topic: string, records: { key: string; ts: number; value?: number }[]): void => {
    task.addRecords(topic, records.map((r) => ({ offset: offset++, value: { id: id++, key: r.key, ts: r.ts, value: r.value ?? 1 } })));
    while (task.process(() => 0)) { /* drain */ }
  };
  return { task, sent, traced, feed, advance: (ms: number) => (now += ms), topology };
}

const windowed = (s: Sent) => {
  const v = s.value as WindowedValue;
  return `${s.key}@${v.window.start}/${v.window.end}=${String(v.value)}`;
};

describe('Kafka Streams windows', () => {
  it('assigns hopping windows in ascending start order, never below 0 (TimeWindows.windowsFor)', () => {
    const w = TimeWindows.ofSizeAndGrace(10, 0).advanceBy(5);
    expect(timeWindowsFor(w, 12)).toEqual([{ start: 5, end: 15 }, { start: 10, end: 20 }]);
    expect(timeWindowsFor(w, 3)).toEqual([{ start: 0, end: 10 }]);
    expect(timeWindowsFor(TimeWindows.ofSizeAndGrace(10, 0), 10)).toEqual([{ start: 10, end: 20 }]);
  });

  it('skips a record for each window closed by grace against the operator stream time, once per window (KStreamWindowAggregateTest)', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(5)).count({ caching: false }).toStream().to('output');
    const h = harness(b);
    h.feed('input', [100, 0, 1, 2, 3, 4, 5, 6].map((ts) => ({ key: 'k', ts })));
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@95/105=1', 'k@100/110=1', 'k@5/15=1', 'k@5/15=2']);
    expect(h.task.droppedCounts.get('expired-window')).toBe(7);
    // Each write went to the changelog of the store, partition 0.
    const changelog = h.sent.filter((s) => s.topic.endsWith('-changelog'));
    expect(changelog).toHaveLength(4);
    expect(new Set(changelog.map((s) => s.partition))).toEqual(new Set([0]));
  });

  it('drops exactly when end + grace <= stream time: a record 1 ms later is still taken', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ caching: false }).toStream().to('output');
    const h = harness(b);
    h.feed('input', [{ key: 'k', ts: 14 }, { key: 'k', ts: 9 }]); // [0,10): 10 + 5 > 14, taken
    h.feed('input', [{ key: 'k', ts: 15 }, { key: 'k', ts: 8 }]); // 10 + 5 <= 15, dropped
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@10/20=1', 'k@0/10=1', 'k@10/20=2']);
    expect(h.task.droppedCounts.get('expired-window')).toBe(1);
  });

  it('with the cache on, forwards and logs only the latest value per key and window, at commit', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 100)).count().toStream().to('output');
    const h = harness(b, { caching: true });
    h.feed('input', [1, 2, 3, 12].map((ts) => ({ key: 'k', ts })));
    expect(h.sent).toEqual([]);
    h.task.prepareCommit();
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/10=3', 'k@10/20=1']);
    expect(h.sent.filter((s) => s.topic.endsWith('-changelog'))).toHaveLength(2);
  });

  it('suppress(untilWindowCloses) emits one final result per window once end + grace <= stream time', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ caching: false }).suppressUntilWindowCloses().toStream().to('output');
    const h = harness(b);
    h.feed('input', [1, 2, 14].map((ts) => ({ key: 'k', ts })));
    expect(h.sent.filter((s) => s.topic === 'output')).toEqual([]);
    h.feed('input', [{ key: 'k', ts: 15 }]);
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/10=2']);
  });

  it('suppress releases windows closing together in its buffer\'s order: the serialized key, a shorter key before a longer one it begins', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).count({ caching: false }).suppressUntilWindowCloses().toStream().to('output');
    const h = harness(b);
    h.feed('input', ['k10', 'k2', 'k1', 'k'].map((key, i) => ({ key, ts: i })));
    h.feed('input', [{ key: 'z', ts: 10 }]);
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/10=1', 'k1@0/10=1', 'k10@0/10=1', 'k2@0/10=1']);
  });

  it('suppress traces the windows it still holds when its task closes cleanly, with the stream time that has not closed them', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ caching: false }).suppressUntilWindowCloses().toStream().to('output');
    const h = harness(b);
    h.feed('input', [{ key: 'k', ts: 3 }, { key: 'k', ts: 16 }, { key: 'j', ts: 18 }]);
    h.task.suspend();
    const pending = h.traced.filter((t) => t.kind === 'ks.suppress.pending').map((t) => `${String(t.fields.key)}@${String(t.fields.start)}/${String(t.fields.end)} ids ${String(t.fields.ids)} st ${String(t.fields.streamTime)}`);
    expect(pending).toEqual(['j@10/20 ids 2 st 18', 'k@10/20 ids 1 st 18']);
  });

  it('a suspended task resumed keeps its aggregate\'s stream time; its buffers and task time are cleared (StreamTask.suspend/resume)', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ caching: false }).toStream().to('output');
    const h = harness(b);
    h.feed('input', [{ key: 'k', ts: 40 }]);
    h.task.addRecords('input', [{ offset: 1, value: { id: 9, key: 'k', ts: 41, value: 1 } }]);
    expect(h.task.group.totalBuffered).toBe(1);
    h.task.suspend();
    expect(h.task.group.totalBuffered).toBe(0);
    expect(h.task.streamTime).toBe(-1);
    h.task.initProcessors();
    // The aggregate saw ts 40: window [0,10) closed at 15, so a record at ts 3 is dropped, as Kafka's
    // resumed task drops it (a task created afresh would take it).
    h.feed('input', [{ key: 'k', ts: 3 }]);
    expect(h.task.droppedCounts.get('expired-window')).toBe(1);
    const fresh = harness(b);
    fresh.feed('input', [{ key: 'k', ts: 3 }]);
    expect(fresh.task.droppedCounts.get('expired-window')).toBeUndefined();
  });

  it('a processor scheduling in init and not cancelling in close punctuates twice once resumed, as Kafka\'s does; one that cancels, once', () => {
    const punctuations = (cancels: boolean): number[] => {
      const seen: number[] = [];
      const b = new StreamsBuilder();
      b.stream('input').process(() => {
        let scheduled: { cancel(): void } | undefined;
        return {
          init(ctx) {
            scheduled = ctx.schedule(10, 'STREAM_TIME', (t) => seen.push(t));
          },
          process() {},
          close() {
            if (cancels) scheduled?.cancel();
          },
        };
      });
      const h = harness(b);
      h.feed('input', [{ key: 'k', ts: 5 }]);
      h.task.maybePunctuateStreamTime();
      h.task.suspend();
      h.task.initProcessors();
      h.feed('input', [{ key: 'k', ts: 12 }]);
      h.task.maybePunctuateStreamTime();
      return seen;
    };
    expect(punctuations(false)).toEqual([5, 12, 12]);
    expect(punctuations(true)).toEqual([5, 12]);
  });

  it("keys holding '@' (an e-mail address) come back whole from window and session stores: cached, on window close and merged", () => {
    const keys = ['ann@example.com', 'a@b@c'];
    const cached = new StreamsBuilder();
    cached.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 100)).count().toStream().to('output');
    const c = harness(cached, { caching: true });
    c.feed('input', keys.flatMap((key) => [1, 12].map((ts) => ({ key, ts }))));
    c.task.prepareCommit();
    expect(c.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual([
      'ann@example.com@0/10=1', 'ann@example.com@10/20=1', 'a@b@c@0/10=1', 'a@b@c@10/20=1',
    ]);
    const onClose = new StreamsBuilder();
    onClose.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).emitStrategy('on-window-close').count().toStream().to('output');
    const w = harness(onClose, { caching: true });
    w.feed('input', keys.map((key) => ({ key, ts: 1 })));
    w.advance(1_000);
    w.feed('input', [{ key: 'z', ts: 25 }]);
    expect(w.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['a@b@c@0/10=1', 'ann@example.com@0/10=1']);
    const sessions = new StreamsBuilder();
    sessions.stream('input').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0)).count({ caching: false }).toStream().to('output');
    const m = harness(sessions);
    m.feed('input', [{ key: 'a@b@c', ts: 0 }, { key: 'a@b@c', ts: 3 }]);
    expect(m.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['a@b@c@0/0=1', 'a@b@c@0/0=null', 'a@b@c@0/3=2']);
  });

  it('a record inside a session, caching off: a tombstone for the session, then its new value (KStreamSessionWindowAggregate)', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0)).count({ caching: false }).toStream().to('output');
    const h = harness(b);
    // ts 2 falls inside [0, 3]: the merged session keeps those bounds, and Kafka Streams still removes
    // the session it merged (forwarding null) before putting the merged one. A record alone at the
    // bounds of a one-record session ([7, 7] again) merges nothing away.
    h.feed('input', [{ key: 'k', ts: 0 }, { key: 'k', ts: 3 }, { key: 'k', ts: 2 }, { key: 'j', ts: 7 }, { key: 'j', ts: 7 }]);
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/0=1', 'k@0/0=null', 'k@0/3=2', 'k@0/3=null', 'k@0/3=3', 'j@7/7=1', 'j@7/7=2']);
  });

  it('on window close: a first emit before any window closed records no close time, so the first window is still emitted (KStreamWindowAggregate)', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).emitStrategy('on-window-close').count().toStream().to('output');
    const h = harness(b);
    // At ts 1 the close time is 1 and no window has closed: the emit finds nothing, and must not
    // move the next emit's range past window [0, 10).
    h.feed('input', [{ key: 'k', ts: 1 }]);
    h.advance(1_000);
    h.feed('input', [{ key: 'k', ts: 12 }]);
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/10=1']);
    // The emit throttle (1 s of wall time) holds the next window back until the clock moves on.
    h.feed('input', [{ key: 'k', ts: 25 }]);
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/10=1']);
    h.advance(1_000);
    h.feed('input', [{ key: 'k', ts: 26 }]);
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/10=1', 'k@10/20=1']);
  });

  it('on window close: the last emitted close time is committed as processor metadata, and a restarted task emits no window again', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).emitStrategy('on-window-close').count().toStream().to('output');
    const first = harness(b, { caching: true });
    first.feed('input', [{ key: 'k', ts: 1 }, { key: 'j', ts: 3 }]);
    first.advance(1_000);
    first.feed('input', [{ key: 'k', ts: 25 }]);
    expect(first.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['j@0/10=1', 'k@0/10=1']);
    const committed = first.task.prepareCommit();
    expect(committed.map((c) => c.metadata)).toEqual(['25 {"KSTREAM-AGGREGATE-STATE-STORE-0000000001":25}']);
    const changelog = first.sent.filter((s) => s.topic.endsWith('-changelog'));
    // A new task on the same partition: its store restored from the changelog, its time and
    // processor metadata from the committed offsets.
    const second = harness(b, {
      caching: true,
      before: (task) => {
        changelog.forEach((c, i) => {
          const r = c.value as { key: string; value: unknown; ts: number };
          for (const store of task.stores.values()) if (c.topic === `app-${store.name}-changelog`) store.restore(r.key, r.value, r.ts, i);
        });
        task.initializeTaskTime(committed);
      },
    });
    second.feed('input', [{ key: 'k', ts: 26 }]);
    // No window closed between 25 and 26: the store is not read and the close time not recorded.
    expect(second.task.prepareCommit().map((c) => c.metadata)).toEqual(['26 {"KSTREAM-AGGREGATE-STATE-STORE-0000000001":25}']);
    second.advance(1_000);
    second.feed('input', [{ key: 'k', ts: 31 }]);
    // Window [0, 10) went out before the restart; only [20, 30) closes after it.
    expect(second.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@20/30=2']);
  });

  it('on window close: the emit reads the time-ordered store from observed - retention on, the cache excepted (TimeOrderedCachingWindowStore.fetchAll)', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).emitStrategy('on-window-close').count().toStream().to('output');
    const run = (caching: boolean, before?: (task: StreamTask) => void): string[] => {
      const h = harness(b, { caching, ...(before ? { before } : {}) });
      h.feed('input', [{ key: 'k', ts: 1 }]);
      h.advance(1_000);
      // Window [20, 30) raises the store's stream time to 20: with a retention of 10, [0, 10) is
      // below the store's bound by the time the throttled emit reads it.
      h.feed('input', [{ key: 'j', ts: 25 }]);
      return h.sent.filter((s) => s.topic === 'output').map(windowed);
    };
    // Written through the cache, the window is still there to emit; without the cache the store passes over it.
    expect(run(true)).toEqual(['k@0/10=1']);
    expect(run(false)).toEqual([]);
    // Restored past retention, it is not emitted even with the cache: only the cache answers below the bound.
    const restored = run(true, (task) => {
      const store = [...task.stores.values()][0]!;
      store.restore(windowStoreKey('x', 0), { agg: 4, ids: [1, 2, 3, 4], firing: 3 }, 5, 0);
      store.restore(windowStoreKey('x', 30), { agg: 1, ids: [5], firing: 0 }, 31, 1);
    });
    expect(restored).toEqual(['k@0/10=1']);
  });

  it('commits the next offset to process: the head of the queue, else the consumer position past a transaction marker (StreamTask.findOffset)', () => {
    const b = new StreamsBuilder();
    b.stream('input').to('output');
    const h = harness(b);
    h.feed('input', [{ key: 'k', ts: 1 }, { key: 'k', ts: 2 }]);
    // Offsets 0 and 1 processed; the fetch that returned them also read the marker at 2, so the position is 3.
    expect(h.task.prepareCommit(() => 3).map((c) => c.offset)).toEqual([3]);
    // Without a position (nothing fetched past the records), what was consumed.
    expect(h.task.prepareCommit().map((c) => c.offset)).toEqual([2]);
    // A record still queued: its offset, whatever the position.
    h.task.addRecords('input', [{ offset: 3, value: { id: 9, key: 'k', ts: 3, value: 1 } }]);
    expect(h.task.prepareCommit(() => 4).map((c) => c.offset)).toEqual([3]);
  });

  it('asks for one more commit once the consumer position passed transaction markers behind its last record, and only then (StreamTask.commitNeeded)', () => {
    const b = new StreamsBuilder();
    b.stream('input').to('output');
    const h = harness(b);
    // Nothing consumed yet: the position alone asks for nothing (Kafka checks consumed partitions only).
    expect(h.task.commitNeededAt(() => 5)).toBe(false);
    h.feed('input', [{ key: 'k', ts: 1 }, { key: 'k', ts: 2 }]);
    expect(h.task.commitNeededAt(() => 2)).toBe(true); // the records set the flag
    expect(h.task.steppingOver).toEqual([]);
    expect(h.task.prepareCommit(() => 2).map((c) => c.offset)).toEqual([2]);
    h.task.postCommit();
    // Position 2: the next offset to process, nothing skipped.
    expect(h.task.commitNeededAt(() => 2)).toBe(false);
    // A later fetch stepped over markers at 2 and 3: the question is asked without moving anything,
    // then the commit check sets the flag, and the commit names the position.
    expect(h.task.wouldNeedCommit(() => 4)).toBe(true);
    expect(h.task.commitNeeded).toBe(false);
    expect(h.task.commitNeededAt(() => 4)).toBe(true);
    expect(h.task.steppingOver).toEqual(['input']);
    expect(h.task.prepareCommit(() => 4).map((c) => c.offset)).toEqual([4]);
    h.task.postCommit();
    expect(h.task.steppingOver).toEqual([]);
    // Committed past the markers: nothing more to ask for at that position.
    expect(h.task.wouldNeedCommit(() => 4)).toBe(false);
    expect(h.task.commitNeededAt(() => 4)).toBe(false);
  });

  it('purges a repartition partition only below what the task committed, not what it consumed (StreamTask.purgeableOffsets, KAFKA-17635)', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupBy((_k, v) => `w${(v as { value: number }).value}`).count({ caching: false }).toStream().to('output');
    const topology = b.build();
    const repartition = topology.repartitionTopics[0]!;
    const h = harness(b, { sub: 1 });
    // Records as the first sub-topology writes them to the repartition topic (offsets 0-2).
    h.task.addRecords(repartition, [1, 2, 3].map((ts, i) => ({ offset: i, value: { key: 'w1', value: { id: i, key: 'a', ts, value: 1 }, ts, ids: [i] } })));
    while (h.task.process(() => 0)) { /* drain */ }
    // Consumed up to 3 but nothing committed: nothing to purge (Kafka starts committedOffsets at -1).
    expect(h.task.purgeableOffsets()).toEqual([]);
    // Another task's partition and a topic the task does not read change nothing; its own offset counts.
    h.task.noteCommitted([{ topic: repartition, partition: 1, offset: 9 }, { topic: 'input', partition: 0, offset: 9 }]);
    expect(h.task.purgeableOffsets()).toEqual([]);
    h.task.noteCommitted([{ topic: repartition, partition: 0, offset: 3 }]);
    expect(h.task.purgeableOffsets()).toEqual([{ topic: repartition, partition: 0, offset: 3 }]);
    h.task.postCommit();
    // The position check moves the consumed offset to 8 (records fetched, not processed yet, move the
    // position too); the purge stays at what was committed until a commit names more.
    expect(h.task.commitNeededAt(() => 8)).toBe(true);
    expect(h.task.purgeableOffsets()).toEqual([{ topic: repartition, partition: 0, offset: 3 }]);
  });

  it('commit metadata: the partition time alone is its decimal text; processor metadata follows it, and what does not parse is left out', () => {
    expect(encodeCommitMetadata(42, new Map())).toBe('42');
    expect(encodeCommitMetadata(-1, new Map([['b', 2], ['a', 1]]))).toBe('-1 {"a":1,"b":2}');
    expect(decodeCommitMetadata('42')).toEqual({ partitionTime: 42, processorMetadata: new Map() });
    expect(decodeCommitMetadata('7 {"a":1,"b":2}')).toEqual({ partitionTime: 7, processorMetadata: new Map([['a', 1], ['b', 2]]) });
    expect(decodeCommitMetadata('')).toEqual({ partitionTime: undefined, processorMetadata: new Map() });
    expect(decodeCommitMetadata('x {nope')).toEqual({ partitionTime: undefined, processorMetadata: new Map() });
    expect(decodeCommitMetadata('5 {"a":1.5,"b":"2","c":3}')).toEqual({ partitionTime: 5, processorMetadata: new Map([['c', 3]]) });
  });

  it('merges sessions within the gap and forwards a tombstone for each replaced session', () => {
    const b = new StreamsBuilder();
    // Grace 10: the store keeps a session for gap + grace = 15 after its end, so [0, 0] is found at 5.
    b.stream('input').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10)).count({ caching: false }).toStream().to('output');
    const h = harness(b);
    h.feed('input', [{ key: 'k', ts: 0 }, { key: 'k', ts: 10 }, { key: 'k', ts: 5 }]);
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/0=1', 'k@10/10=1', 'k@0/0=null', 'k@10/10=null', 'k@0/10=3']);
  });

  it('without a cache, a session ended before the store\'s time - (gap + grace) + 1 is not found, even a record on time merges without it', () => {
    // Gap 5, no grace: after [10, 10] the store keeps sessions ending from 6 on; 5 is on time
    // (its session ends at 10 >= 10 - 5) but [0, 0] is not found: Kafka's uncached segmented store.
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0)).count({ caching: false }).toStream().to('output');
    const h = harness(b);
    h.feed('input', [{ key: 'k', ts: 0 }, { key: 'k', ts: 10 }, { key: 'k', ts: 5 }]);
    expect(h.sent.filter((s) => s.topic === 'output').map(windowed)).toEqual(['k@0/0=1', 'k@10/10=1', 'k@10/10=null', 'k@5/10=2']);
  });

  it('repartitions after a key change: the aggregate runs in a second sub-topology fed by the repartition topic', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupBy((_k, v) => `w${(v as { value: number }).value}`).count({ caching: false }).toStream().to('output');
    const topology = b.build();
    expect(topology.subTopologies().map((s) => s.sourceTopics)).toEqual([['input'], [topology.repartitionTopics[0]]]);
    const h = harness(b);
    h.feed('input', [{ key: 'a', ts: 1, value: 7 }]);
    expect(h.sent).toEqual([{ topic: topology.repartitionTopics[0], partition: undefined, key: 'w7', value: { key: 'w7', value: { id: 0, key: 'a', ts: 1, value: 7 }, ts: 1, ids: [0] } }]);
  });
});

describe('Kafka Streams task time and punctuation', () => {
  it('takes the partition whose head has the lowest timestamp, offsets in order within one', () => {
    const g = new PartitionGroup([{ topic: 'a', partition: 0 }, { topic: 'b', partition: 0 }], -1);
    const rec = (topic: string, offset: number, ts: number) => ({ topic, partition: 0, offset, ts, key: 'k', value: null });
    g.addRecords('a', 0, [rec('a', 0, 5), rec('a', 1, 1)]);
    g.addRecords('b', 0, [rec('b', 0, 5), rec('b', 1, 3), rec('b', 2, -1)]);
    const order: string[] = [];
    for (let r = g.nextRecord(); r; r = g.nextRecord()) order.push(`${r.topic}${r.offset}`);
    expect(order).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(g.skipped).toBe(1);
    expect(g.streamTime).toBe(5);
    expect(g.partitionTime('a', 0)).toBe(5);
  });

  it('chooses by head timestamp across partitions (PartitionGroupTest.testTimeTracking, first batch)', () => {
    const g = new PartitionGroup([{ topic: 'topic', partition: 1 }, { topic: 'topic', partition: 2 }], -1);
    const rec = (partition: number, offset: number) => ({ topic: 'topic', partition, offset, ts: offset, key: 'k', value: null });
    g.addRecords('topic', 1, [rec(1, 1), rec(1, 3), rec(1, 5)]);
    g.addRecords('topic', 2, [rec(2, 2), rec(2, 4), rec(2, 6)]);
    const taken: string[] = [];
    for (let r = g.nextRecord(); r; r = g.nextRecord()) taken.push(`${r.partition}@${r.ts}`);
    expect(taken).toEqual(['1@1', '2@2', '1@3', '2@4', '1@5', '2@6']);
  });

  it('breaks ties between equal heads as Java\'s PriorityQueue does: two partitions take turns, a third waits', () => {
    const at5 = (topic: string, n: number) => Array.from({ length: n }, (_, offset) => ({ topic, partition: 0, offset, ts: 5, key: 'k', value: null }));
    const drain = (topics: string[]): string => {
      const g = new PartitionGroup(topics.map((topic) => ({ topic, partition: 0 })), -1);
      for (const t of topics) g.addRecords(t, 0, at5(t, 3));
      let order = '';
      for (let r = g.nextRecord(); r; r = g.nextRecord()) order += r.topic;
      return order;
    };
    // A queue polled goes back in behind an equal head (siftUp moves only past a larger one).
    expect(drain(['A', 'B'])).toBe('ABABAB');
    expect(drain(['A', 'B', 'C'])).toBe('ACACACBBB');
  });

  it('waits for data the broker has, and for max.task.idle.ms on an empty partition', () => {
    const g = new PartitionGroup([{ topic: 'a', partition: 0 }, { topic: 'b', partition: 0 }], 100);
    g.addRecords('a', 0, [{ topic: 'a', partition: 0, offset: 0, ts: 1, key: 'k', value: null }]);
    expect(g.readyToProcess(0, (t) => (t === 'b' ? 3 : 0))).toBe(false);
    expect(g.readyToProcess(0, () => 0)).toBe(false);
    expect(g.readyToProcess(99, () => 0)).toBe(false);
    expect(g.readyToProcess(100, () => 0)).toBe(true);
  });

  it('punctuates with the current time and skips missed intervals (PunctuationQueueTest)', () => {
    const q = new PunctuationQueue();
    const seen: number[] = [];
    q.schedule(0, 100, (t) => seen.push(t));
    q.mayPunctuate(0);
    q.mayPunctuate(99);
    q.mayPunctuate(100);
    q.mayPunctuate(450);
    q.mayPunctuate(499);
    q.mayPunctuate(500);
    expect(seen).toEqual([0, 100, 450, 500]);
  });

  it('runs schedules due at the same time in the order of Kafka\'s priority queue, a heap on the due time alone', () => {
    // Three schedules due at 10: the heap polls A, moves C to the top, re-adds A for 20 below it,
    // polls C, moves B up, re-adds C: A, C, B (java.util.PriorityQueue's offer and poll). A queue
    // that broke ties by the order of adding would run A, B, C.
    const q = new PunctuationQueue();
    const seen: string[] = [];
    for (const name of ['A', 'B', 'C']) q.schedule(10, 10, (t) => seen.push(`${name}@${t}`));
    q.mayPunctuate(10);
    expect(seen).toEqual(['A@10', 'C@10', 'B@10']);
    seen.length = 0;
    // The heap is then [C, A, B], all due at 20 (each re-added below an equal parent): polling C
    // moves B up, which stays above A (a tie does not move down), so C, B, A.
    q.mayPunctuate(20);
    expect(seen).toEqual(['C@20', 'B@20', 'A@20']);
  });

  it('a schedule cancelled from its own punctuator, or by another, runs no more', () => {
    const q = new PunctuationQueue();
    const seen: string[] = [];
    const a = q.schedule(10, 10, (t) => { seen.push(`A@${t}`); a.cancel(); });
    let c: { cancel(): void } | undefined;
    q.schedule(10, 10, (t) => { seen.push(`B@${t}`); c?.cancel(); });
    c = q.schedule(30, 10, (t) => seen.push(`C@${t}`));
    q.mayPunctuate(10);
    q.mayPunctuate(40);
    expect(seen).toEqual(['A@10', 'B@10', 'B@40']);
    expect(q.size).toBe(1);
  });
});
