/**
 * What this proves: `KTable.mapValues`, `filter` and `filterNot` forward the
 * changes Kafka Streams forwards, record for record: which updates become a
 * deletion of the key, which are not forwarded at all, which old values go
 * along, and when a parent is asked for old values (forced or not); their
 * value getters; and the planted bug `filter-drops-tombstone`.
 *
 * How: exact scripted inputs from Kafka's KTableFilterTest
 * (`doTestNotSendingOldValue`, `doTestSendingOldValue`,
 * `doTestSkipNullOnMaterialization`, `doTestValueGetter`) and
 * KTableMapValuesTest (`testNotSendingOldValue`, `testSendingOldValues`),
 * fed through the topology test driver (driver.ts), which commits after
 * every record; the oracle is the output those tests assert, read off a sink
 * on the table node itself (as Kafka's tests attach MockApiProcessor).
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder, type KTable } from '../../../src/engines/kstreams/dsl.ts';
import type { Change } from '../../../src/engines/kstreams/ktable.ts';
import { driver, type Piped } from './driver.ts';

const FORMAT = { keyOf: (v: unknown) => (v as Piped).key, tsOf: (v: unknown) => (v as Piped).ts, idsOf: (v: unknown) => [(v as Piped).id] };

/** A table read from `topic`; named (`Materialized.as`) when `name` is given. */
function table(b: StreamsBuilder, topic: string, name?: string): KTable {
  return b.stream(topic, FORMAT).mapValues((v) => (v as Piped).v).toTable(name === undefined ? {} : { name });
}

/** A sink on the table node: its changes as `key:(new<-old)@ts`. */
function changes(b: StreamsBuilder, t: KTable, topic: string): void {
  b.topology.add({ kind: 'sink', name: `SINK-${topic}`, parents: [t.node], topic, valueOf: (r) => {
    const c = r.value as Change;
    return `${r.key}:(${String(c.newValue)}<-${String(c.oldValue)})@${r.ts}`;
  } });
}

type Driver = ReturnType<typeof driver>;
const taken = (d: Driver, topic: string): string[] => d.take(topic).map((w) => w.value as string);

/** KTableFilterTest's predicate. */
const even = (_k: string, v: unknown): boolean => (v as number) % 2 === 0;

/** The script of KTableFilterTest's doTestNotSendingOldValue / doTestSendingOldValue: per step, table1's and table2's changes. */
function filterScript(d: Driver): [string[], string[]][] {
  const steps: [string[], string[]][] = [];
  const step = (f: () => void): void => {
    f();
    steps.push([taken(d, 't1'), taken(d, 't2')]);
  };
  step(() => {
    d.pipe('topic1', 'A', 1, 5);
    d.pipe('topic1', 'B', 1, 10);
    d.pipe('topic1', 'C', 1, 15);
  });
  step(() => {
    d.pipe('topic1', 'A', 2, 15);
    d.pipe('topic1', 'B', 2, 8);
  });
  step(() => d.pipe('topic1', 'A', 3, 20));
  step(() => {
    d.pipe('topic1', 'A', null, 10);
    d.pipe('topic1', 'B', null, 20);
  });
  return steps;
}

function filtered(opts: { sourceName?: string; filterName?: string; not?: boolean } = {}) {
  const b = new StreamsBuilder();
  const t1 = table(b, 'topic1', opts.sourceName);
  const named = opts.filterName === undefined ? {} : { name: opts.filterName, caching: false };
  const t2 = opts.not ? t1.filterNot((k, v) => !even(k, v), named) : t1.filter(even, named);
  changes(b, t1, 't1');
  changes(b, t2, 't2');
  return { b, t1, t2 };
}

describe('KTable.filter (Kafka\'s KTableFilterTest)', () => {
  it('without old values (the source not materialized), every update that fails forwards a deletion, Change(null, null)', () => {
    const { b } = filtered();
    expect(filterScript(driver(b))).toEqual([
      [['A:(1<-null)@5', 'B:(1<-null)@10', 'C:(1<-null)@15'], ['A:(null<-null)@5', 'B:(null<-null)@10', 'C:(null<-null)@15']],
      [['A:(2<-null)@15', 'B:(2<-null)@8'], ['A:(2<-null)@15', 'B:(2<-null)@8']],
      [['A:(3<-null)@20'], ['A:(null<-null)@20']],
      [['A:(null<-null)@10', 'B:(null<-null)@20'], ['A:(null<-null)@10', 'B:(null<-null)@20']],
    ]);
  });

  it('filterNot with the negated predicate forwards the same changes', () => {
    const plain = filtered();
    const not = filtered({ not: true });
    expect(filterScript(driver(not.b))).toEqual(filterScript(driver(plain.b)));
  });

  it('below a materialized source it sends old values, forwards a deletion only for a key that passed, and drops a change that fails both ways', () => {
    const { b, t1 } = filtered({ sourceName: 'store2' });
    // Asking without forcing is enough: the source is materialized.
    expect(t1.view!.enableSendingOldValues(false)).toBe(true);
    expect(filterScript(driver(b))).toEqual([
      [['A:(1<-null)@5', 'B:(1<-null)@10', 'C:(1<-null)@15'], []],
      [['A:(2<-1)@15', 'B:(2<-1)@8'], ['A:(2<-null)@15', 'B:(2<-null)@8']],
      [['A:(3<-2)@20'], ['A:(null<-2)@20']],
      [['A:(null<-3)@10', 'B:(null<-2)@20'], ['B:(null<-2)@20']],
    ]);
  });

  it('materialized itself, it takes the old value from its own store: the same changes', () => {
    const { b } = filtered({ sourceName: 'store2', filterName: 'evens' });
    expect(b.build().stores.get('evens')).toMatchObject({ logged: true, caching: false });
    expect(filterScript(driver(b)).map(([, t2]) => t2)).toEqual([
      [],
      ['A:(2<-null)@15', 'B:(2<-null)@8'],
      ['A:(null<-2)@20'],
      ['B:(null<-2)@20'],
    ]);
  });

  it('an unmaterialized source asked without force declines; a groupBy below the filter forces old values, so rejects are not sent on (doTestSkipNullOnMaterialization)', () => {
    const b = new StreamsBuilder();
    const t1 = table(b, 'topic1');
    expect(t1.view!.enableSendingOldValues(false)).toBe(false);
    const t2 = t1.filter((_k, v) => v === 'accept');
    t2.groupBy((k, v) => [k, v]).reduce((a: string, v: string) => a + v, (a: string, v: string) => a.replace(v, ''), { name: 'reduced' });
    changes(b, t1, 't1');
    changes(b, t2, 't2');
    const d = driver(b);
    d.pipe('topic1', 'A', 'reject', 5);
    d.pipe('topic1', 'B', 'reject', 10);
    d.pipe('topic1', 'C', 'reject', 20);
    expect(taken(d, 't1')).toEqual(['A:(reject<-null)@5', 'B:(reject<-null)@10', 'C:(reject<-null)@20']);
    expect(taken(d, 't2')).toEqual([]);
    // The same filter with no groupBy below it sends each reject on as a deletion.
    const plain = new StreamsBuilder();
    changes(plain, table(plain, 'topic1').filter((_k, v) => v === 'accept'), 't2');
    const p = driver(plain);
    p.pipe('topic1', 'A', 'reject', 5);
    expect(taken(p, 't2')).toEqual(['A:(null<-null)@5']);
  });

  it('its value getter applies the predicate to the parent\'s row (doTestValueGetter), read here by a stream–table join', () => {
    const b = new StreamsBuilder();
    const t1 = table(b, 'topic1');
    const evens = t1.filter(even);
    const odds = t1.filterNot(even);
    const probes = b.stream('probe', FORMAT);
    probes.join(evens, (_p, v) => `even ${String(v)}`).to('got', (r) => `${r.key}:${String(r.value)}`);
    probes.join(odds, (_p, v) => `odd ${String(v)}`).to('got', (r) => `${r.key}:${String(r.value)}`);
    const d = driver(b);
    const probe = (): string[] => {
      for (const k of ['A', 'B', 'C']) d.pipe('probe', k, 'probe', 0);
      return taken(d, 'got');
    };
    d.pipe('topic1', 'A', 1, 5);
    d.pipe('topic1', 'B', 1, 10);
    d.pipe('topic1', 'C', 1, 15);
    expect(probe()).toEqual(['A:odd 1', 'B:odd 1', 'C:odd 1']);
    d.pipe('topic1', 'A', 2, 10);
    d.pipe('topic1', 'B', 2, 5);
    expect(probe()).toEqual(['A:even 2', 'B:even 2', 'C:odd 1']);
    d.pipe('topic1', 'A', 3, 15);
    expect(probe()).toEqual(['A:odd 3', 'B:even 2', 'C:odd 1']);
    d.pipe('topic1', 'A', null, 10);
    d.pipe('topic1', 'B', null, 20);
    expect(probe()).toEqual(['C:odd 1']);
  });

  it('the planted bug filter-drops-tombstone drops an update that stops passing, so the table below keeps the stale row', () => {
    const run = (bugs: string[]): string[] => {
      const b = new StreamsBuilder();
      const evens = table(b, 'topic1', 'store2').filter(even, { name: 'evens', caching: false });
      changes(b, evens, 't2');
      const d = driver(b, { bugs });
      d.pipe('topic1', 'A', 2, 5);
      d.pipe('topic1', 'A', 3, 6);
      const rows = d.tasks[0]!.stores.get('evens')!;
      return [...taken(d, 't2'), `stored ${JSON.stringify((rows.get('A')?.value as { value: unknown } | undefined)?.value ?? null)}`];
    };
    expect(run([])).toEqual(['A:(2<-null)@5', 'A:(null<-2)@6', 'stored null']);
    expect(run(['filter-drops-tombstone'])).toEqual(['A:(2<-null)@5', 'stored 2']);
  });
});

/** The script of KTableMapValuesTest: per step, the mapped table's changes. */
function mapScript(d: Driver): string[][] {
  const steps: string[][] = [];
  const step = (f: () => void): void => {
    f();
    steps.push(taken(d, 't2'));
  };
  step(() => {
    d.pipe('topic1', 'A', '01', 5);
    d.pipe('topic1', 'B', '01', 10);
    d.pipe('topic1', 'C', '01', 15);
  });
  step(() => {
    d.pipe('topic1', 'A', '02', 10);
    d.pipe('topic1', 'B', '02', 8);
  });
  step(() => d.pipe('topic1', 'A', '03', 20));
  step(() => d.pipe('topic1', 'A', null, 30));
  return steps;
}

describe('KTable.mapValues (Kafka\'s KTableMapValuesTest)', () => {
  const toInt = (v: unknown): number => Number(v);

  it('maps each new value and sends no old value until asked; a deletion stays a deletion (testNotSendingOldValue)', () => {
    const b = new StreamsBuilder();
    changes(b, table(b, 'topic1').mapValues(toInt), 't2');
    expect(mapScript(driver(b))).toEqual([
      ['A:(1<-null)@5', 'B:(1<-null)@10', 'C:(1<-null)@15'],
      ['A:(2<-null)@10', 'B:(2<-null)@8'],
      ['A:(3<-null)@20'],
      ['A:(null<-null)@30'],
    ]);
  });

  const withOld = [
    ['A:(1<-null)@5', 'B:(1<-null)@10', 'C:(1<-null)@15'],
    ['A:(2<-1)@10', 'B:(2<-1)@8'],
    ['A:(3<-2)@20'],
    ['A:(null<-3)@30'],
  ];

  it('not materialized, a forced request for old values goes on to the parent, and the old value is the parent\'s mapped', () => {
    const b = new StreamsBuilder();
    const t1 = table(b, 'topic1');
    const t2 = t1.mapValues(toInt);
    expect(t2.view!.enableSendingOldValues(false)).toBe(false);
    expect(t2.view!.enableSendingOldValues(true)).toBe(true);
    expect(t1.view!.enableSendingOldValues(false)).toBe(true);
    changes(b, t1, 't1');
    changes(b, t2, 't2');
    const d = driver(b);
    expect(mapScript(d)).toEqual(withOld);
    expect(taken(d, 't1')).toContain('A:(null<-03)@30');
  });

  it('materialized (named), it sends old values from its own store and leaves the parent alone', () => {
    const b = new StreamsBuilder();
    const t1 = table(b, 'topic1');
    const t2 = t1.mapValues(toInt, { name: 'bob', caching: false });
    expect(t2.view!.enableSendingOldValues(false)).toBe(true);
    changes(b, t1, 't1');
    changes(b, t2, 't2');
    const d = driver(b);
    expect(mapScript(d)).toEqual(withOld);
    // The parent still sends no old values.
    expect(taken(d, 't1')).toContain('A:(null<-null)@30');
    expect(b.build().stores.get('bob')).toMatchObject({ logged: true });
  });

  it('a mapper\'s null deletes the key, and the value getter maps the parent\'s row', () => {
    const b = new StreamsBuilder();
    const t1 = table(b, 'topic1', 'src');
    const t2 = t1.mapValues((v) => (v === 'drop' ? null : `<${String(v)}>`));
    changes(b, t2, 't2');
    b.stream('probe', FORMAT).join(t2, (_p, v) => v).to('got', (r) => `${r.key}:${String(r.value)}`);
    const d = driver(b);
    d.pipe('topic1', 'A', 'x', 1);
    d.pipe('topic1', 'A', 'drop', 2);
    d.pipe('topic1', 'B', 'y', 3);
    expect(taken(d, 't2')).toEqual(['A:(<x><-null)@1', 'A:(null<-null)@2', 'B:(<y><-null)@3']);
    d.pipe('probe', 'A', 'p', 4);
    d.pipe('probe', 'B', 'p', 4);
    expect(taken(d, 'got')).toEqual(['B:<y>']);
  });

  it('feeds a join and an aggregate the old values they need (a groupBy below a mapValues below a filter)', () => {
    const b = new StreamsBuilder();
    const scores = table(b, 'topic1', 'scores');
    const high = scores.filter((_k, v) => (v as number) > 50).mapValues((v) => (v as number) * 10);
    const total = high.groupBy(() => ['all', 0] as [string, unknown]).count({ name: 'highs' });
    total.toStream().to('count', (r) => `${r.key}:${String(r.value)}`);
    const d = driver(b);
    d.pipe('topic1', 'u1', 60, 1);
    d.pipe('topic1', 'u2', 70, 2);
    d.pipe('topic1', 'u1', 40, 3);
    d.pipe('topic1', 'u1', 30, 4);
    d.pipe('topic1', 'u2', null, 5);
    d.pipe('topic1', 'u3', 90, 6);
    expect(taken(d, 'count')).toEqual(['all:1', 'all:2', 'all:1', 'all:0', 'all:1']);
  });
});

/**
 * Kafka's `KTableSource` materializes a source table (from `table()` or `toTable()`) only when
 * its store is named or something downstream needs the store (`valueGetterSupplier()` of a join,
 * `enableSendingOldValues(true)` of a `groupBy`); otherwise it has no store and no changelog
 * topic, and forwards each record at once as `Change(value, null)` (`KTableSource.process`).
 * Piped here with the record cache on and no commit between records, so a store's cache would
 * hold the changes back and collapse them.
 */
describe('a source table materialized only when needed (KTableSource)', () => {
  const cached = { caching: true, commitEach: false } as const;

  it('with nothing below that needs a store, it has none and forwards every update at once, the cache notwithstanding', () => {
    const b = new StreamsBuilder();
    const t1 = table(b, 'topic1');
    changes(b, t1.filter((_k, v) => v !== 'hidden'), 't1');
    const d = driver(b, cached);
    expect([...d.topology.stores.keys()]).toEqual([]);
    d.pipe('topic1', 'A', 'x', 1);
    d.pipe('topic1', 'A', 'y', 2);
    d.pipe('topic1', 'A', 'hidden', 3);
    expect(taken(d, 't1')).toEqual(['A:(x<-null)@1', 'A:(y<-null)@2', 'A:(null<-null)@3']);
    d.commit();
    expect(taken(d, 't1')).toEqual([]);
  });

  it('a stream–table join below it materializes it: a cached store, whose flush forwards the latest value once', () => {
    const b = new StreamsBuilder();
    const t1 = table(b, 'topic1');
    changes(b, t1, 't1');
    b.stream('probe', FORMAT).join(t1, (_p, v) => v).to('got', (r) => `${r.key}:${String(r.value)}`);
    const d = driver(b, cached);
    expect([...d.topology.stores.keys()]).toEqual(['KSTREAM-TOTABLE-STATE-STORE-0000000003']);
    d.pipe('topic1', 'A', 'x', 1);
    d.pipe('topic1', 'A', 'y', 2);
    expect(taken(d, 't1')).toEqual([]);
    d.pipe('probe', 'A', 'p', 3);
    expect(taken(d, 'got')).toEqual(['A:y']);
    d.commit();
    expect(taken(d, 't1')).toEqual(['A:(y<-null)@2']);
  });

  it('a groupBy below it forces it too, and a later store\'s generated name is the same either way', () => {
    // A groupBy (forces materialization) or a filter (does not) below the table: one name each.
    const names = (group: boolean): string[] => {
      const b = new StreamsBuilder();
      const t1 = table(b, 'topic1');
      if (group) t1.groupBy((k, v) => [k, v]);
      else t1.filter(() => true);
      b.stream('other', FORMAT).groupByKey().count();
      return [...b.build().stores.keys()];
    };
    expect(names(false)).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000006']);
    expect(names(true)).toEqual(['KSTREAM-TOTABLE-STATE-STORE-0000000003', 'KSTREAM-AGGREGATE-STATE-STORE-0000000006']);
  });
});
