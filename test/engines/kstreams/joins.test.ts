/**
 * The Kafka Streams DSL operators the scenarios added, on exact scripted
 * inputs without a world (one task, records fed one at a time in the order
 * given): the windowed KStream–KStream join (after Kafka's
 * KStreamKStreamJoinTest.testAsymmetricWindowingAfter and the
 * InMemoryWindowStore retention rules), the KStream–KTable join and left
 * join (after KStreamKTableJoinTest and KStreamKTableLeftJoinTest), the
 * windowed left and outer joins of streams with KIP-633's outer store (after
 * KStreamKStreamLeftJoinTest and KStreamKStreamOuterJoinTest, whose test
 * driver's wall clock lets every scan through, as an emit interval of 0
 * does here), `toTable`, `repartition`, session results in
 * weir's `[start, end)` schema, and a session merge that starts from the
 * initializer (KStreamSessionWindowAggregate).
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder, toWindowResults } from '../../../src/engines/kstreams/dsl.ts';
import { StreamTask } from '../../../src/engines/kstreams/task.ts';
import type { Aggregation } from '../../../src/engines/kstreams/aggregate.ts';
import { JoinWindows, SessionWindows, TimeWindows } from '../../../src/engines/kstreams/windows.ts';
import type { WindowResult } from '../../../src/stream/records.ts';

interface In {
  id: number;
  key: string;
  ts: number;
  value: number;
  name: string;
}

interface Sent {
  topic: string;
  partition: number | undefined;
  key: string | null;
  value: unknown;
}

function harness(builder: StreamsBuilder, opts: { restore?: (task: StreamTask) => void; now?: () => number } = {}) {
  const sent: Sent[] = [];
  const traced: { kind: string; fields: Record<string, unknown> }[] = [];
  const topology = builder.build();
  const sub = topology.subTopologies()[0]!;
  const task = new StreamTask(topology, sub, 0, {
    applicationId: 'app',
    send: (topic, partition, key, value) => sent.push({ topic, partition, key, value }),
    nowMs: opts.now ?? (() => 0),
    trace: (kind, fields) => traced.push({ kind, fields }),
    detailedTrace: false,
    maxTaskIdleMs: -1,
    caching: false,
  });
  opts.restore?.(task);
  task.initProcessors();
  let offset = 0;
  let id = 0;
  /** Feeds one record and processes it. */
  const pipe = (topic: string, key: string, name: string, ts: number, value = 1): void => {
    const v: In = { id: id++, key, ts, value, name };
    task.addRecords(topic, [{ offset: offset++, value: v }]);
    while (task.process(() => 0)) { /* drain */ }
  };
  const out = (topic = 'output'): string[] => {
    const got = sent.filter((s) => s.topic === topic).map((s) => `${s.key}:${String(s.value)}`);
    const rest = sent.filter((s) => s.topic !== topic);
    sent.length = 0;
    sent.push(...rest);
    return got;
  };
  const dropped = (reason: string): number[] => traced.filter((t) => t.kind === 'record.dropped' && t.fields.reason === reason).map((t) => Number(t.fields.ids));
  return { task, sent, traced, pipe, out, dropped, topology };
}

/** A joined value that shows the pair and the result's timestamp. */
const pair = (l: unknown, r: unknown): string => `${(l as In).name}+${(r as In).name}`;

function joinTopology(windows: ReturnType<typeof JoinWindows.ofTimeDifferenceAndGrace>): StreamsBuilder {
  const b = new StreamsBuilder();
  b.stream('left').join(b.stream('right'), pair, windows, { name: 'j', storeName: 'j' }).to('output', (r) => `${String(r.value)}@${r.ts}`);
  return b;
}

describe('KStream–KStream windowed join', () => {
  it('joins the other side within [ts - before, ts + after], only records already buffered, at the larger timestamp (testAsymmetricWindowingAfter)', () => {
    const h = harness(joinTopology(JoinWindows.ofTimeDifferenceAndGrace(0, 0).after(100)));
    for (let i = 0; i < 4; i++) h.pipe('left', `${i}`, `A${i}`, 1000 + i);
    expect(h.out()).toEqual([]);
    // Right records at 999 are before every left record (before = 0): nothing.
    for (let i = 0; i < 4; i++) h.pipe('right', `${i}`, `a${i}`, 999);
    expect(h.out()).toEqual([]);
    for (let i = 0; i < 4; i++) h.pipe('right', `${i}`, `b${i}`, 1000);
    expect(h.out()).toEqual(['0:A0+b0@1000']);
    for (let i = 0; i < 4; i++) h.pipe('right', `${i}`, `c${i}`, 1001);
    expect(h.out()).toEqual(['0:A0+c0@1001', '1:A1+c1@1001']);
    // The upper bound is inclusive: A0 at 1000 takes a right record at 1100, not at 1101.
    h.pipe('right', '0', 'd0', 1100);
    h.pipe('right', '0', 'e0', 1101);
    expect(h.out()).toEqual(['0:A0+d0@1100']);
    // A left record probes the right side the other way, [ts, ts + 100], at the larger ts — but only
    // what the right store still keeps: its time is 1101 (e0), so b0 and c0 (older than 1101 - 100 + 1)
    // have expired, and the probe says so.
    h.pipe('left', '0', 'B0', 1000);
    expect(h.out()).toEqual(['0:B0+d0@1100']);
    expect(h.dropped('join-window-closed').at(-1)).toBe(18);
  });

  it('keeps duplicates: two records of one key and timestamp each join, and a record never joins itself', () => {
    const h = harness(joinTopology(JoinWindows.ofTimeDifferenceAndGrace(10, 0)));
    h.pipe('left', 'k', 'A', 5);
    h.pipe('left', 'k', 'B', 5);
    h.pipe('right', 'k', 'x', 5);
    expect(h.out()).toEqual(['k:A+x@5', 'k:B+x@5']);
    // Every put went to its side's changelog, keyed apart (key, timestamp, sequence number).
    const changelog = h.sent.filter((s) => s.topic.endsWith('-changelog'));
    expect(changelog.map((s) => s.topic)).toEqual(['app-j-this-join-store-changelog', 'app-j-this-join-store-changelog', 'app-j-other-join-store-changelog']);
    expect(new Set(changelog.map((s) => `${s.topic}/${String(s.key)}`)).size).toBe(3);
  });

  it('expires by each store\'s own observed stream time: retention = before + after + grace', () => {
    // retention 100: the left store forgets records older than (its max ts) - 99.
    const h = harness(joinTopology(JoinWindows.ofTimeDifferenceAndGrace(0, 0).after(100)));
    h.pipe('left', 'k', 'L0', 0);
    h.pipe('left', 'x', 'X', 200); // the left store's time is now 200: L0 has expired
    h.pipe('right', 'k', 'R50', 50);
    expect(h.out()).toEqual([]);
    expect(h.dropped('join-window-closed')).toEqual([2]);
    // The right store's time is only 50, so a late left record still finds R50 (in [40, 140]) — and is
    // itself not stored: a later right record does not find it.
    h.pipe('left', 'k', 'L40', 40);
    expect(h.out()).toEqual(['k:L40+R50@50']);
    expect(h.dropped('expired-join-window')).toEqual([3]);
    h.pipe('right', 'k', 'R70', 70);
    expect(h.out()).toEqual([]);
  });

  it('a record exactly at the retention edge is still live; grace lengthens retention', () => {
    const edge = harness(joinTopology(JoinWindows.ofTimeDifferenceAndGrace(0, 0).after(100)));
    edge.pipe('left', 'k', 'L101', 101);
    edge.pipe('left', 'x', 'X', 200); // min live time 200 - 100 + 1 = 101
    edge.pipe('right', 'k', 'R150', 150);
    expect(edge.out()).toEqual(['k:L101+R150@150']);
    const graced = harness(joinTopology(JoinWindows.ofTimeDifferenceAndGrace(0, 150).after(100)));
    graced.pipe('left', 'k', 'L0', 0);
    graced.pipe('left', 'x', 'X', 200);
    graced.pipe('right', 'k', 'R50', 50);
    expect(graced.out()).toEqual(['k:L0+R50@50']);
    expect(graced.dropped('join-window-closed')).toEqual([]);
  });

  it('restores both window stores and their observed stream time from the changelogs', () => {
    const first = harness(joinTopology(JoinWindows.ofTimeDifferenceAndGrace(0, 0).after(100)));
    first.pipe('left', 'k', 'L10', 10);
    first.pipe('left', 'x', 'X', 300);
    const changelog = first.sent.filter((s) => s.topic.endsWith('-changelog'));
    expect(changelog.map((s) => s.topic)).toEqual(['app-j-this-join-store-changelog', 'app-j-this-join-store-changelog']);
    const second = harness(joinTopology(JoinWindows.ofTimeDifferenceAndGrace(0, 0).after(100)), {
      restore: (task) => changelog.forEach((c, offset) => {
        const rec = c.value as { key: string; value: unknown; ts: number };
        task.stores.get('j-this-join-store')!.restore(rec.key, rec.value, rec.ts, offset);
      }),
    });
    // X at 300 came back, and with it the store's time: L10 is expired again, X joins.
    second.pipe('right', 'k', 'R20', 20);
    second.pipe('right', 'x', 'R300', 300);
    expect(second.out()).toEqual(['x:X+R300@300']);
    expect(second.dropped('join-window-closed')).toEqual([0, 1]);
  });

  it('skips records with a null value', () => {
    const b = new StreamsBuilder();
    b.stream('left').mapValues(() => null).join(b.stream('right'), pair, JoinWindows.ofTimeDifferenceAndGrace(10, 0)).to('output');
    const h = harness(b);
    h.pipe('right', 'k', 'R', 1);
    h.pipe('left', 'k', 'L', 1);
    expect(h.out()).toEqual([]);
    expect(h.task.droppedCounts.get('null-key-or-value')).toBe(1);
  });

  it('never joins a buffered record whose value is null: the window store skips it (RocksDBWindowStore.put with duplicates)', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left').mapValues((v) => ((v as In).name === 'N' ? null : v));
    left.join(b.stream('right'), pair, JoinWindows.ofTimeDifferenceAndGrace(10, 0)).to('output');
    const h = harness(b);
    h.pipe('left', 'k', 'N', 10);
    h.pipe('right', 'k', 'R', 12);
    expect(h.out()).toEqual([]);
    h.pipe('left', 'k', 'L', 13);
    expect(h.out()).toEqual(['k:L+R']);
  });

  it('groupByKey().count() skips a null value (KStreamAggregate): the aggregator never sees null', () => {
    const b = new StreamsBuilder();
    b.stream('input').mapValues((v) => ((v as In).name === 'N' ? null : v)).groupByKey().count({ caching: false }).toStream().to('output');
    const h = harness(b);
    h.pipe('input', 'k', 'A', 1);
    h.pipe('input', 'k', 'N', 2);
    h.pipe('input', 'k', 'B', 3);
    expect(h.out().map((o) => o.replace(/^k:/, ''))).toEqual(['1', '2']);
    expect(h.task.droppedCounts.get('null-key-or-value')).toBe(1);
  });
});

describe('KStream–KTable join and toTable', () => {
  function tableJoin() {
    const b = new StreamsBuilder();
    const table = b.stream('table').mapValues((v) => ((v as In).value === 0 ? null : v)).toTable({ caching: false });
    table.toStream().to('changes', (r) => (r.value === null ? 'deleted' : (r.value as In).name));
    b.stream('stream').join(table, pair).to('output', (r) => `${String(r.value)}@${r.ts}`);
    return harness(b);
  }

  it('does not join with an empty table, and table updates alone produce nothing (shouldNotJoinOnTableUpdates)', () => {
    const h = tableJoin();
    h.pipe('stream', 'k', 'X0', 0);
    expect(h.out()).toEqual([]);
    h.pipe('table', 'k', 'Y0', 5);
    expect(h.out()).toEqual([]);
    expect(h.out('changes')).toEqual(['k:Y0']);
  });

  it('joins each stream record with the table value current then, at the stream record\'s timestamp (shouldJoinOnlyIfMatchFoundOnStreamUpdates)', () => {
    const h = tableJoin();
    h.pipe('table', 'a', 'Y1', 100);
    h.pipe('stream', 'a', 'X1', 3);
    h.pipe('stream', 'b', 'X2', 4);
    h.pipe('table', 'a', 'Y2', 1);
    h.pipe('stream', 'a', 'X3', 7);
    // An older table timestamp still overwrites (a non-versioned store).
    expect(h.out()).toEqual(['a:X1+Y1@3', 'a:X3+Y2@7']);
  });

  it('a tombstone deletes the table entry, so later stream records of the key are dropped (shouldClearTableEntryOnNullValueUpdates)', () => {
    const h = tableJoin();
    h.pipe('table', 'a', 'Y1', 1);
    h.pipe('table', 'a', 'gone', 2, 0);
    h.pipe('stream', 'a', 'X1', 3);
    h.pipe('table', 'a', 'Y3', 4);
    h.pipe('stream', 'a', 'X2', 5);
    expect(h.out()).toEqual(['a:X2+Y3@5']);
    expect(h.out('changes')).toEqual(['a:Y1', 'a:deleted', 'a:Y3']);
  });
});

describe('KStream–KTable left join', () => {
  /** The pair, with null for a missing table value. */
  const leftPair = (l: unknown, r: unknown): string => `${(l as In).name}+${r === null ? 'null' : (r as In).name}`;
  function tableLeftJoin(inner = false) {
    const b = new StreamsBuilder();
    const table = b.stream('table').mapValues((v) => ((v as In).value === 0 ? null : v)).toTable({ caching: false });
    const stream = b.stream('stream').mapValues((v) => ((v as In).value === 0 ? null : v));
    (inner ? stream.join(table, leftPair) : stream.leftJoin(table, leftPair)).to('output', (r) => `${String(r.value)}@${r.ts}`);
    return harness(b);
  }

  it('joins with null while the table has no value for the key (shouldJoinRegardlessIfMatchFoundOnStreamUpdates)', () => {
    const h = tableLeftJoin();
    h.pipe('stream', 'a', 'X0', 0);
    h.pipe('table', 'a', 'Y1', 1);
    h.pipe('stream', 'a', 'X1', 2);
    h.pipe('stream', 'b', 'X2', 3);
    h.pipe('table', 'a', 'gone', 4, 0);
    h.pipe('stream', 'a', 'X3', 5);
    expect(h.out()).toEqual(['a:X0+null@0', 'a:X1+Y1@2', 'b:X2+null@3', 'a:X3+null@5']);
  });

  it('forwards a record with a null key, joined with null, where the inner join drops it; both drop a null value', () => {
    const nullKey = null as unknown as string;
    const left = tableLeftJoin();
    left.pipe('table', 'a', 'Y1', 1);
    left.pipe('stream', nullKey, 'X0', 2);
    left.pipe('stream', 'a', 'nothing', 3, 0);
    expect(left.out()).toEqual(['null:X0+null@2']);
    expect(left.dropped('null-key-or-value')).toEqual([2]);
    const inner = tableLeftJoin(true);
    inner.pipe('table', 'a', 'Y1', 1);
    inner.pipe('stream', nullKey, 'X0', 2);
    inner.pipe('stream', 'a', 'nothing', 3, 0);
    expect(inner.out()).toEqual([]);
    expect(inner.dropped('null-key-or-value')).toEqual([1, 2]);
  });

  it('is named with Kafka\'s prefix for it', () => {
    const names = (inner: boolean): string[] => tableLeftJoin(inner).topology.nodes.map((n) => n.name.replace(/-\d+$/, ''));
    expect(names(false)).toContain('KSTREAM-LEFTJOIN');
    expect(names(true)).toContain('KSTREAM-JOIN');
  });
});

describe('KStream–KStream left and outer joins (KIP-633)', () => {
  /** Kafka's TOSTRING_JOINER over the records' names, null for a missing side. */
  const named = (v: unknown): string => (v === null ? 'null' : (v as In).name);
  const both = (l: unknown, r: unknown): string => `${named(l)}+${named(r)}`;
  function streamJoin(kind: 'leftJoin' | 'outerJoin', windows: ReturnType<typeof JoinWindows.ofTimeDifferenceAndGrace>, opts: { emitIntervalMs?: number; now?: () => number } = {}) {
    const b = new StreamsBuilder();
    b.stream('left')[kind](b.stream('right'), both, windows, { name: 'j', storeName: 'j', emitIntervalMs: opts.emitIntervalMs ?? 0 }).to('output', (r) => `${String(r.value)}@${r.ts}`);
    return harness(b, opts.now ? { now: opts.now } : {});
  }

  it('left join: unjoined duplicates come out once their window closed, joined ones never with null (testLeftJoinDuplicates)', () => {
    const h = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    h.pipe('left', '0', 'A0', 0);
    h.pipe('left', '0', 'A0-0', 0);
    h.pipe('right', '1', 'a0', 111);
    h.pipe('right', '2', 'dummy', 500);
    expect(h.out()).toEqual(['0:A0+null@0', '0:A0-0+null@0']);
    h.pipe('left', '2', 'A2', 1000);
    h.pipe('left', '2', 'A2-0', 1000);
    h.pipe('right', '2', 'a2', 1001);
    expect(h.out()).toEqual(['2:A2+a2@1001', '2:A2-0+a2@1001']);
    h.pipe('right', '3', 'a3', 315);
    expect(h.out()).toEqual([]);
  });

  it('left join: either side\'s record may close the window, and right records never come out unjoined (testLeftExpiredNonJoinedRecordsAreEmittedBy…, testRightNonJoinedRecordsAreNeverEmitted…)', () => {
    for (const closer of ['left', 'right']) {
      const h = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
      h.pipe('left', '0', 'A0', 1);
      h.pipe('left', '1', 'A1', 2);
      h.pipe('left', '0', 'A0-0', 3);
      expect(h.out()).toEqual([]);
      h.pipe('right', '1', 'a1', 3);
      expect(h.out()).toEqual(['1:A1+a1@3']);
      h.pipe(closer, '2', 'dummy', 401);
      expect(h.out()).toEqual(['0:A0+null@1', '0:A0-0+null@3']);
    }
    const r = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    r.pipe('right', '0', 'A0', 1);
    r.pipe('right', '1', 'A1', 2);
    r.pipe('left', '1', 'a1', 3);
    r.pipe('left', '2', 'dummy', 401);
    r.pipe('right', '2', 'dummy', 402);
    expect(r.out()).toEqual(['1:a1+A1@3', '2:dummy+dummy@402']);
  });

  it('left join: a record joined later is forwarded before the unjoined one whose window it closed (testOrdering)', () => {
    const h = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    h.pipe('left', '0', 'A0', 0);
    h.pipe('left', '1', 'A1', 100);
    expect(h.out()).toEqual([]);
    h.pipe('right', '1', 'a1', 110);
    expect(h.out()).toEqual(['0:A0+null@0', '1:A1+a1@110']);
  });

  it('outer join: both sides\' unjoined records, in the outer store\'s order (timestamp, right before left), each once (testOuterJoinDuplicates)', () => {
    const h = streamJoin('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    h.pipe('left', '0', 'A0', 0);
    h.pipe('left', '0', 'A0-0', 0);
    h.pipe('right', '1', '11', 0);
    h.pipe('right', '1', '12', 0);
    h.pipe('right', '1', '10', 111);
    h.pipe('right', '3', '100', 211);
    expect(h.out()).toEqual(['1:null+11@0', '1:null+12@0', '0:A0+null@0', '0:A0-0+null@0']);
    h.pipe('left', '2', 'A2', 200);
    h.pipe('left', '2', 'A2-0', 200);
    h.pipe('right', '2', '13', 201);
    h.pipe('right', '2', '14', 201);
    expect(h.out()).toEqual(['2:A2+13@201', '2:A2-0+13@201', '2:A2+14@201', '2:A2-0+14@201']);
    h.pipe('right', '3', '100', 1500);
    expect(h.out()).toEqual(['1:null+10@111', '3:null+100@211']);
  });

  it('left join: a resumed task starts its shared times afresh (the join\'s close drops its TimeTracker), so with no look-back nor grace it waits for a new unjoined record before it scans', () => {
    const run = (resume: boolean): string[] => {
      const h = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(0, 0));
      h.pipe('left', '0', 'A0', 1);
      if (resume) {
        h.task.suspend();
        h.task.initProcessors();
      }
      h.pipe('right', '1', 'x', 10);
      return h.out();
    };
    // Without a suspension the tracker's minimum time (1) lets the scan emit A0 unjoined.
    expect(run(false)).toEqual(['0:A0+null@1']);
    // After one, the minimum is unknown (Long.MAX_VALUE; MAX + 0 + 0 >= 10): no scan yet.
    expect(run(true)).toEqual([]);
  });

  it('outer join: a null key is joined with null at once on either side; a left join drops one on its right side', () => {
    const nullKey = null as unknown as string;
    const outer = streamJoin('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    outer.pipe('left', nullKey, 'L', 5);
    outer.pipe('right', nullKey, 'R', 6);
    expect(outer.out()).toEqual(['null:L+null@5', 'null:null+R@6']);
    const left = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    left.pipe('left', nullKey, 'L', 5);
    left.pipe('right', nullKey, 'R', 6);
    expect(left.out()).toEqual(['null:L+null@5']);
    expect(left.dropped('null-key-or-value')).toEqual([1]);
  });

  it('a record whose window ended before the stream time is forwarded unjoined at once, not stored', () => {
    const h = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 50));
    h.pipe('left', '9', 'late-ok', 500);
    h.pipe('left', '0', 'old', 300);
    expect(h.out()).toEqual(['0:old+null@300']);
    expect([...h.task.stores.get('j-left-shared-join-store')!.entries().map(([k]) => k)]).toEqual([`${String(500).padStart(16, '0')}@1@9`]);
  });

  it('scans the outer store at most once per emit interval of wall-clock time', () => {
    let now = 0;
    const h = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0), { emitIntervalMs: 1_000, now: () => now });
    h.pipe('left', '0', 'A0', 1);
    h.pipe('left', '1', 'A1', 150);
    h.pipe('left', '2', 'A2', 300);
    expect(h.out()).toEqual([]);
    // The first record scanned (nothing then) at wall-clock 0: the next scan waits until 1,000.
    now = 999;
    h.pipe('left', '3', 'A3', 301);
    expect(h.out()).toEqual([]);
    now = 1_000;
    h.pipe('left', '4', 'A4', 302);
    expect(h.out()).toEqual(['0:A0+null@1', '1:A1+null@150']);
  });

  it('writes the outer store to its changelog, deletions included, and a task restored from it emits what closed meanwhile', () => {
    const first = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    first.pipe('left', '0', 'A0', 1);
    first.pipe('left', '1', 'A1', 2);
    first.pipe('right', '1', 'a1', 3);
    const changelog = first.sent.filter((w) => w.topic === 'app-j-left-shared-join-store-changelog');
    expect(changelog.map((w) => (w.value as { value: unknown }).value === null ? `-${String(w.key)}` : `+${String(w.key)}`)).toEqual([
      `+${String(1).padStart(16, '0')}@1@0`, `+${String(2).padStart(16, '0')}@1@1`, `-${String(2).padStart(16, '0')}@1@1`,
    ]);
    const b = new StreamsBuilder();
    b.stream('left').leftJoin(b.stream('right'), both, JoinWindows.ofTimeDifferenceAndGrace(100, 0), { name: 'j', storeName: 'j', emitIntervalMs: 0 }).to('output', (r) => `${String(r.value)}@${r.ts}`);
    let offset = 0;
    const again = harness(b, {
      restore: (task) => {
        for (const w of first.sent.filter((x) => x.topic.endsWith('-changelog'))) {
          const c = w.value as { key: string; value: unknown; ts: number };
          const store = [...task.stores.values()].find((st) => w.topic === `app-${st.name}-changelog`)!;
          store.restore(c.key, c.value, c.ts, offset++);
        }
      },
    });
    again.pipe('right', '5', 'later', 200);
    expect(again.out()).toEqual(['0:A0+null@1']);
  });
});

describe('repartition and session results', () => {
  it('repartition() after selectKey writes through a repartition topic and reads it in a second sub-topology', () => {
    const b = new StreamsBuilder();
    b.stream('input').selectKey((_k, v) => (v as In).name).repartition().to('output');
    const t = b.build();
    expect(t.repartitionTopics).toHaveLength(1);
    expect(t.subTopologies().map((s) => s.sourceTopics)).toEqual([['input'], [t.repartitionTopics[0]]]);
  });

  it('writes a Kafka session [first, last] as the window [first, last + gap) with ts end - 1', () => {
    const b = new StreamsBuilder();
    // Grace 10 keeps the store's retention (gap + grace) wide enough to find [0, 0] when 5 comes.
    const sessions = b.stream('input').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10)).count({ caching: false });
    toWindowResults(sessions, 'output');
    const h = harness(b);
    h.pipe('input', 'k', 'a', 0);
    h.pipe('input', 'k', 'b', 10);
    h.pipe('input', 'k', 'c', 5); // within the gap of both: one session [0, 10]
    const results = h.sent.filter((s) => s.topic === 'output').map((s) => s.value as WindowResult);
    expect(results.map((r) => [r.start, r.end, r.value, r.ts, r.ids])).toEqual([
      [0, 5, 1, 4, [0]],
      [10, 15, 1, 14, [1]],
      [0, 15, 3, 14, [0, 1, 2]],
    ]);
  });
});

describe('reduce (KStreamReduce, and the windowed and session reduce)', () => {
  const sum = (a: unknown, v: unknown): unknown => ({ ...(a as In), name: `${(a as In).name}${(v as In).name}`, value: (a as In).value + (v as In).value });
  const show = (r: { value: unknown }): string => {
    const v = r.value as { window?: { start: number }; value?: In } & In;
    return v.window ? `${v.window.start}:${v.value === null ? 'null' : `${v.value!.name}=${v.value!.value}`}` : `${v.name}=${v.value}`;
  };

  it('keeps a key\'s first value as it is, then reducer(aggregate, value); a null value is skipped', () => {
    const b = new StreamsBuilder();
    b.stream('input').mapValues((v) => ((v as In).name === 'N' ? null : v)).groupByKey().reduce(sum, { caching: false }).toStream().to('output', show);
    const h = harness(b);
    h.pipe('input', 'k', 'A', 1, 1);
    h.pipe('input', 'k', 'N', 2, 5);
    h.pipe('input', 'k', 'B', 3, 2);
    h.pipe('input', 'j', 'C', 4, 4);
    expect(h.out()).toEqual(['k:A=1', 'k:AB=3', 'j:C=4']);
    expect(h.topology.nodes.some((n) => n.name.startsWith('KSTREAM-REDUCE-'))).toBe(true);
  });

  it('per window, and per session with merged sessions reduced earlier-first', () => {
    const w = new StreamsBuilder();
    w.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).reduce(sum, { caching: false }).toStream().to('output', show);
    const hw = harness(w);
    hw.pipe('input', 'k', 'A', 1, 1);
    hw.pipe('input', 'k', 'B', 5, 2);
    hw.pipe('input', 'k', 'C', 12, 4);
    expect(hw.out()).toEqual(['k:0:A=1', 'k:0:AB=3', 'k:10:C=4']);
    const s = new StreamsBuilder();
    s.stream('input').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 100)).reduce(sum, { caching: false }).toStream().to('output', show);
    const hs = harness(s);
    hs.pipe('input', 'k', 'A', 1, 1);
    hs.pipe('input', 'k', 'C', 10, 4);
    hs.pipe('input', 'k', 'B', 5, 2);
    // B bridges A's session and C's: the sessions merge first (A's aggregate, then C's), then B is
    // reduced in (KStreamSessionWindowAggregate): ACB.
    expect(hs.out().at(-1)).toBe('k:1:ACB=7');
  });
});

describe('the initializer a session merge starts from', () => {
  it('a session merge starts from the initializer and merges every session into it (KStreamSessionWindowAggregate)', () => {
    // A merger that marks each merge shows where the merge starts: Kafka's is merger(merger(init, A), C),
    // then the aggregator adds B; a merge that started from A's aggregate would give "A,C" + "B".
    const b = new StreamsBuilder();
    const text: Aggregation<string> = {
      initializer: () => '',
      aggregator: (_k, v, a) => a + (v as In).name,
      merger: (_k, a, c) => `${a},${c}`,
    };
    b.stream('input').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 100)).aggregate(text, { caching: false }).toStream().to('output', (r) => {
      const v = r.value as { window: { start: number; end: number }; value: string | null };
      return `${v.window.start}-${v.window.end}=${String(v.value)}`;
    });
    const h = harness(b);
    h.pipe('input', 'k', 'A', 1);
    h.pipe('input', 'k', 'C', 10);
    h.pipe('input', 'k', 'B', 5);
    expect(h.out().at(-1)).toBe('k:1-10=,A,CB');
  });
});

describe('merge, peek and foreach', () => {
  it('merge forwards both streams\' records in processing order; peek and foreach see each record', () => {
    const b = new StreamsBuilder();
    const seen: string[] = [];
    const merged = b.stream('a').merge(b.stream('b')).peek((k, v) => seen.push(`peek ${k}:${(v as In).name}`));
    merged.to('output', (r) => (r.value as In).name);
    merged.foreach((k, v) => seen.push(`each ${k}:${(v as In).name}`));
    const h = harness(b);
    h.pipe('a', 'k', 'A1', 1);
    h.pipe('b', 'k', 'B1', 2);
    h.pipe('a', 'j', 'A2', 3);
    expect(h.out()).toEqual(['k:A1', 'k:B1', 'j:A2']);
    expect(seen).toEqual(['peek k:A1', 'each k:A1', 'peek k:B1', 'each k:B1', 'peek j:A2', 'each j:A2']);
  });

  it('a merge with a re-keyed stream is repartitioned before a stateful operator', () => {
    const b = new StreamsBuilder();
    b.stream('a').merge(b.stream('b').selectKey((_k, v) => (v as In).name)).groupByKey().count().toStream().to('output');
    expect(b.build().repartitionTopics).toHaveLength(1);
    const plain = new StreamsBuilder();
    plain.stream('a').merge(plain.stream('b')).groupByKey().count().toStream().to('output');
    expect(plain.build().repartitionTopics).toHaveLength(0);
  });
});
