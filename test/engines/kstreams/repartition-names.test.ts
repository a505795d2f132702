/**
 * What this proves: repartition topics are named as Kafka names them
 * (`KStreamImpl.createRepartitionedSource`, `GroupedStreamAggregateBuilder`,
 * `KGroupedTableImpl`): `<application.id>-<name>-repartition`, where the name
 * is an aggregation's store (given or generated), the processor of
 * `repartition()` or `toTable()`, the joining stream's node, or a named
 * join's name with `-left`/`-right`. A user's name gives the repartition
 * sink and source `<topic>-sink` and `<topic>-source`; a generated one
 * generated names.
 *
 * How: builds small topologies and reads the topic names and nodes off the
 * topology (each name below is what the rule gives and what an earlier rule,
 * a generated store name taken at `groupByKey`, did not). The numbers in
 * generated names are Kafka's (generated-names.test.ts checks them).
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/engines/kstreams/dsl.ts';
import { JoinWindows } from '../../../src/engines/kstreams/windows.ts';

const rekeyed = (b: StreamsBuilder) => b.stream('input').selectKey((_k, v) => String(v));

describe('repartition topic names', () => {
  it('an aggregation with a named store: weir-app-<store>-repartition, with its sink and source named after it', () => {
    const b = new StreamsBuilder();
    rekeyed(b).groupByKey().count({ name: 'counts' });
    const t = b.build();
    expect(t.repartitionTopics).toEqual(['weir-app-counts-repartition']);
    const sink = t.nodes.find((n) => n.kind === 'sink')!;
    const source = t.nodes.find((n) => n.kind === 'source' && n.topic === 'weir-app-counts-repartition')!;
    expect([sink.name, source.name]).toEqual(['counts-repartition-sink', 'counts-repartition-source']);
  });

  it('an unnamed aggregation, windowed or not: the store\'s generated name', () => {
    const b = new StreamsBuilder();
    rekeyed(b).groupByKey().count();
    rekeyed(b).groupBy((_k, v) => String(v)).reduce((a) => a);
    const t = b.build();
    expect([...t.stores.keys()]).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000002', 'KSTREAM-REDUCE-STATE-STORE-0000000010']);
    expect(t.repartitionTopics).toEqual([
      'weir-app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition',
      'weir-app-KSTREAM-REDUCE-STATE-STORE-0000000010-repartition',
    ]);
    expect(t.nodes.filter((n) => n.kind === 'sink').every((n) => n.name.startsWith('KSTREAM-SINK-'))).toBe(true);
  });

  it('repartition() and toTable(): their own processor\'s name', () => {
    const b = new StreamsBuilder();
    b.stream('input').repartition();
    rekeyed(b).toTable();
    expect(b.build().repartitionTopics).toEqual(['weir-app-KSTREAM-REPARTITION-0000000001-repartition', 'weir-app-KSTREAM-TOTABLE-0000000007-repartition']);
  });

  it('a join: each re-keyed side after its own node, or after the join\'s name', () => {
    const windows = JoinWindows.ofTimeDifferenceAndGrace(10, 0);
    const unnamed = new StreamsBuilder();
    rekeyed(unnamed).join(rekeyed(unnamed), (l, r) => [l, r], windows);
    expect(unnamed.build().repartitionTopics).toEqual(['weir-app-KSTREAM-KEY-SELECT-0000000001-repartition', 'weir-app-KSTREAM-KEY-SELECT-0000000003-repartition']);
    const named = new StreamsBuilder();
    rekeyed(named).join(rekeyed(named), (l, r) => [l, r], windows, { name: 'pairs' });
    expect(named.build().repartitionTopics).toEqual(['weir-app-pairs-left-repartition', 'weir-app-pairs-right-repartition']);
  });

  it('one stream repartitioned twice under one name (two joins, or a join with itself) writes one topic', () => {
    const windows = JoinWindows.ofTimeDifferenceAndGrace(10, 0);
    const b = new StreamsBuilder();
    const s = rekeyed(b);
    s.join(s, (l, r) => [l, r], windows);
    const t = b.build();
    expect(t.repartitionTopics).toEqual(['weir-app-KSTREAM-KEY-SELECT-0000000001-repartition']);
    expect(t.nodes.filter((n) => n.kind === 'sink')).toHaveLength(1);
  });

  it('a stream without a changed key is not repartitioned', () => {
    const b = new StreamsBuilder();
    b.stream('input').groupByKey().count({ name: 'counts' });
    expect(b.build().repartitionTopics).toEqual([]);
  });
});
