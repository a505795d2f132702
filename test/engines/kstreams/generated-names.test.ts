/**
 * What this proves: weir's Kafka Streams DSL numbers generated processor and
 * store names as Kafka does, on one counter (`InternalStreamsBuilder.index`)
 * in the order each operation asks for them: a store named before its
 * processor (`MaterializedInternal`), a repartition taking three numbers
 * (sink, null-key filter, source) whether it uses them or not, the burnt
 * store name of an anonymous `count(Materialized)`, the windowed processors
 * of a stream–stream join before its sides, a KTable–KTable join's merge
 * before its sides, an unnamed suppression's store on the counter; and a
 * stream–stream join's store name apart from its processors' name, as
 * `StreamJoined.withStoreName` and `.withName` are apart.
 *
 * How: builds the topologies of Kafka's own `TopologyTest` and
 * `StreamsBuilderTest` cases with weir's DSL and compares the node and store
 * names with the names those tests expect from Kafka (facts carried over;
 * each case names the test it comes from). weir has no repartition filter
 * node, so a filter's number is checked by the names after it.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/engines/kstreams/dsl.ts';
import { JoinWindows, SessionWindows, TimeWindows } from '../../../src/engines/kstreams/windows.ts';

const nodes = (b: StreamsBuilder): string[] => b.build().nodes.map((n) => n.name).sort();
const stores = (b: StreamsBuilder): string[] => [...b.build().stores.keys()].sort();
const storesOf = (b: StreamsBuilder, node: string): readonly string[] => {
  const n = b.build().node(node);
  return n.kind === 'processor' ? n.stores : [];
};

describe('generated names on one counter, as Kafka numbers them', () => {
  it('groupByKey().count(): the store before the processor (kGroupedStreamZeroArgCount…)', () => {
    const b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().count();
    expect(nodes(b)).toEqual(['KSTREAM-AGGREGATE-0000000002', 'KSTREAM-SOURCE-0000000000']);
    expect(storesOf(b, 'KSTREAM-AGGREGATE-0000000002')).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000001']);
  });

  it('count(Materialized.as(name)) takes no store number; count(Materialized.with(…)) burns one (kGroupedStreamNamed/AnonymousMaterializedCount…)', () => {
    const named = new StreamsBuilder();
    named.stream('input-topic').groupByKey().count({ name: 'count-store' });
    expect(nodes(named)).toEqual(['KSTREAM-AGGREGATE-0000000001', 'KSTREAM-SOURCE-0000000000']);
    const anonymous = new StreamsBuilder();
    anonymous.stream('input-topic').groupByKey().count({ caching: true });
    expect(nodes(anonymous)).toEqual(['KSTREAM-AGGREGATE-0000000003', 'KSTREAM-SOURCE-0000000000']);
    expect(stores(anonymous)).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000002']);
  });

  it('time and session windows count the same way (timeWindow…, sessionWindow…ZeroArg/AnonymousMaterializedCount…)', () => {
    for (const windowed of [
      (b: StreamsBuilder) => b.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(1, 0)),
      (b: StreamsBuilder) => b.stream('input-topic').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(1, 0)),
    ]) {
      const zero = new StreamsBuilder();
      windowed(zero).count();
      expect(nodes(zero)).toEqual(['KSTREAM-AGGREGATE-0000000002', 'KSTREAM-SOURCE-0000000000']);
      expect(stores(zero)).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000001']);
      const anonymous = new StreamsBuilder();
      windowed(anonymous).count({ caching: true });
      expect(nodes(anonymous)).toEqual(['KSTREAM-AGGREGATE-0000000003', 'KSTREAM-SOURCE-0000000000']);
      expect(stores(anonymous)).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000002']);
    }
  });

  it('table(): the store first, then the source and the table source; a KTable groupBy\'s repartition takes a sink and a source (tableZeroArgCount…)', () => {
    const b = new StreamsBuilder();
    b.table('input-topic').groupBy((k, v) => [k ?? '', v]).count();
    expect(nodes(b)).toEqual([
      'KSTREAM-SINK-0000000005', 'KSTREAM-SOURCE-0000000001', 'KSTREAM-SOURCE-0000000006',
      'KTABLE-AGGREGATE-0000000007', 'KTABLE-SELECT-0000000003', 'KTABLE-SOURCE-0000000002',
    ]);
    expect(storesOf(b, 'KTABLE-SOURCE-0000000002')).toEqual(['input-topic-STATE-STORE-0000000000']);
    expect(storesOf(b, 'KTABLE-AGGREGATE-0000000007')).toEqual(['KTABLE-AGGREGATE-STATE-STORE-0000000004']);
    expect(b.build().repartitionTopics).toEqual(['weir-app-KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition']);
  });

  it('a table the DSL does not need materialized still took its store\'s number (kTableNonMaterializedMapValues…)', () => {
    const b = new StreamsBuilder();
    b.table('input-topic').mapValues((v) => v);
    expect(nodes(b)).toEqual(['KSTREAM-SOURCE-0000000001', 'KTABLE-MAPVALUES-0000000003', 'KTABLE-SOURCE-0000000002']);
    expect(stores(b)).toEqual([]);
  });

  it('a stream–stream join: the windowed processors, the sides, the merge; each side\'s store its name with -store (streamStreamJoin/OuterJoinTopologyWithDefaultStoresNames)', () => {
    const inner = new StreamsBuilder();
    inner.stream('input-topic1').join(inner.stream('input-topic2'), (l, r) => [l, r], JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    expect(nodes(inner)).toEqual([
      'KSTREAM-JOINOTHER-0000000005', 'KSTREAM-JOINTHIS-0000000004', 'KSTREAM-MERGE-0000000006',
      'KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001', 'KSTREAM-WINDOWED-0000000002', 'KSTREAM-WINDOWED-0000000003',
    ]);
    expect(storesOf(inner, 'KSTREAM-WINDOWED-0000000002')).toEqual(['KSTREAM-JOINTHIS-0000000004-store']);
    expect(storesOf(inner, 'KSTREAM-JOINTHIS-0000000004')).toEqual(['KSTREAM-JOINOTHER-0000000005-store']);
    const outer = new StreamsBuilder();
    outer.stream('input-topic1').outerJoin(outer.stream('input-topic2'), (l, r) => [l, r], JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    expect(storesOf(outer, 'KSTREAM-OUTEROTHER-0000000005')).toEqual(['KSTREAM-OUTERTHIS-0000000004-store', 'KSTREAM-OUTERSHARED-0000000004-store']);
    expect(storesOf(outer, 'KSTREAM-OUTERTHIS-0000000004')).toEqual(['KSTREAM-OUTEROTHER-0000000005-store', 'KSTREAM-OUTERSHARED-0000000004-store']);
    expect(nodes(outer)).toContain('KSTREAM-MERGE-0000000006');
  });

  it('a named stream–stream left join names its processors and stores after the name (shouldUseSpecifiedNameForLeftJoinOperationBetweenKStreamAndKStream)', () => {
    const b = new StreamsBuilder();
    b.stream('topic').leftJoin(b.stream('topic-two'), (l, r) => [l, r], JoinWindows.ofTimeDifferenceAndGrace(3_600_000, 0), { name: 'stream-operation', storeName: 'stream-operation' });
    expect(nodes(b)).toEqual([
      'KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001', 'stream-operation-merge', 'stream-operation-other-windowed',
      'stream-operation-outer-other-join', 'stream-operation-this-join', 'stream-operation-this-windowed',
    ]);
    expect(stores(b)).toEqual(['stream-operation-left-shared-join-store', 'stream-operation-outer-other-join-store', 'stream-operation-this-join-store']);
  });

  it('a join\'s store name names its stores only, its name its processors only (streamStreamJoin/LeftJoin/OuterJoinTopologyWithCustomStoresNames)', () => {
    const windows = JoinWindows.ofTimeDifferenceAndGrace(100, 0);
    const inner = new StreamsBuilder();
    inner.stream('input-topic1').join(inner.stream('input-topic2'), (l, r) => [l, r], windows, { storeName: 'custom-name' });
    expect(storesOf(inner, 'KSTREAM-WINDOWED-0000000002')).toEqual(['custom-name-this-join-store']);
    expect(storesOf(inner, 'KSTREAM-JOINOTHER-0000000005')).toEqual(['custom-name-this-join-store']);
    expect(storesOf(inner, 'KSTREAM-JOINTHIS-0000000004')).toEqual(['custom-name-other-join-store']);
    expect(nodes(inner)).toContain('KSTREAM-MERGE-0000000006');
    const left = new StreamsBuilder();
    left.stream('input-topic1').leftJoin(left.stream('input-topic2'), (l, r) => [l, r], windows, { storeName: 'custom-name' });
    expect(storesOf(left, 'KSTREAM-WINDOWED-0000000003')).toEqual(['custom-name-outer-other-join-store']);
    expect(storesOf(left, 'KSTREAM-JOINTHIS-0000000004')).toEqual(['custom-name-outer-other-join-store', 'custom-name-left-shared-join-store']);
    expect(storesOf(left, 'KSTREAM-OUTEROTHER-0000000005')).toEqual(['custom-name-this-join-store', 'custom-name-left-shared-join-store']);
    const outer = new StreamsBuilder();
    outer.stream('input-topic1').outerJoin(outer.stream('input-topic2'), (l, r) => [l, r], windows, { storeName: 'custom-name' });
    expect(storesOf(outer, 'KSTREAM-OUTEROTHER-0000000005')).toEqual(['custom-name-outer-this-join-store', 'custom-name-outer-shared-join-store']);
    expect(storesOf(outer, 'KSTREAM-OUTERTHIS-0000000004')).toEqual(['custom-name-outer-other-join-store', 'custom-name-outer-shared-join-store']);
    // Named by withName alone (KStreamImplJoin: the store names come from the generated side names).
    const named = new StreamsBuilder();
    named.stream('input-topic1').leftJoin(named.stream('input-topic2'), (l, r) => [l, r], windows, { name: 'op' });
    expect(nodes(named)).toEqual([
      'KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001', 'op-merge', 'op-other-windowed', 'op-outer-other-join', 'op-this-join', 'op-this-windowed',
    ]);
    expect(storesOf(named, 'op-this-join')).toEqual(['KSTREAM-OUTEROTHER-0000000003-store', 'KSTREAM-OUTERSHARED-0000000002-store']);
    expect(stores(named)).toEqual(['KSTREAM-JOINTHIS-0000000002-store', 'KSTREAM-OUTEROTHER-0000000003-store', 'KSTREAM-OUTERSHARED-0000000002-store']);
  });

  it('a repartition takes three numbers, its null-key filter\'s too, even when a join reuses it', () => {
    const b = new StreamsBuilder();
    // source 0, key-select 1, repartition for the first join 2-4 (sink 2, filter 3, source 4),
    // again for the second side of the self-join 5-7 (reused), windowed 8 and 9, sides 10 and 11, merge 12.
    const s = b.stream('input').selectKey((_k, v) => String(v));
    s.join(s, (l, r) => [l, r], JoinWindows.ofTimeDifferenceAndGrace(10, 0)).to('out');
    expect(nodes(b)).toEqual([
      'KSTREAM-JOINOTHER-0000000011', 'KSTREAM-JOINTHIS-0000000010', 'KSTREAM-KEY-SELECT-0000000001', 'KSTREAM-MERGE-0000000012',
      'KSTREAM-SINK-0000000002', 'KSTREAM-SINK-0000000013', 'KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000004',
      'KSTREAM-WINDOWED-0000000008', 'KSTREAM-WINDOWED-0000000009',
    ]);
  });

  it('KTable–KTable join: the merge before its sides; an unnamed suppression\'s store numbered after it', () => {
    const b = new StreamsBuilder();
    const left = b.table('l', { name: 'ls' });
    const right = b.table('r', { name: 'rs' });
    left.join(right, (x, y) => [x, y]);
    expect(nodes(b).filter((n) => n.startsWith('KTABLE-J') || n.startsWith('KTABLE-MERGE'))).toEqual(['KTABLE-JOINOTHER-0000000006', 'KTABLE-JOINTHIS-0000000005', 'KTABLE-MERGE-0000000004']);
    const s = new StreamsBuilder();
    s.stream('input').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).count().suppressUntilWindowCloses();
    expect(nodes(s)).toContain('KTABLE-SUPPRESS-0000000003');
    expect(storesOf(s, 'KTABLE-SUPPRESS-0000000003')).toEqual(['KTABLE-SUPPRESS-STATE-STORE-0000000004']);
  });
});
