/**
 * What this proves: the `tables.join` and `tables.aggregate` judges pass the
 * table changes Kafka Streams' semantics give, and fail each kind of wrong
 * change: a joined value or lineage no state of the input has, a join going
 * back, a lost deletion, a row counted twice, a row left in a group it moved
 * out of (the planted bug `rekey-skips-subtractor`), two rows of one user in
 * a group, a joined row whose two sides were never current together; and
 * the `tables.filter` judge, Kafka's KTableFilter and KTableMapValues rules
 * as a reference model, fails a value not mapped, a deletion of a key the
 * filtered table does not hold, and the planted bug `filter-drops-tombstone`.
 *
 * How: a small hand-made input (three users; regions and scores with
 * tombstones, one user moving between regions), run through the `tables`
 * scenario's topology in the engine's topology test driver without caches,
 * gives the reference changes (their key facts asserted by hand here); each
 * failure case edits those changes the way the fault would.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/engines/kstreams/dsl.ts';
import { StreamTask } from '../../src/engines/kstreams/task.ts';
import { KStreamsBugs } from '../../src/engines/kstreams/bugs.ts';
import { checkTables } from '../../src/check/tables.ts';
import type { InputRecord, OutputRecord, TableChange } from '../../src/stream/records.ts';
import { tables } from '../../scenarios/tables.ts';

const rec = (id: number, key: string, stream: 'region' | 'score', value: number): InputRecord => ({ id, ts: id * 10, key, value, stream });

/** One partition: u moves from region 1 to 2 and loses its score; v joins region 1; w's region is replaced before its score comes. */
const INPUT: InputRecord[] = [
  rec(0, 'u', 'region', 1),
  rec(1, 'u', 'score', 10),
  rec(2, 'u', 'region', 2),
  rec(3, 'u', 'score', 0),
  rec(4, 'v', 'region', 1),
  rec(5, 'w', 'region', 1),
  rec(6, 'w', 'region', 1),
  rec(7, 'w', 'score', 5),
];

/** The `tables` topology on INPUT, one record at a time, no caches: every change, in order. */
function engineOutput(bugs: string[] = [], input: readonly InputRecord[] = INPUT): TableChange[] {
  const b = new StreamsBuilder();
  tables.engines.kstreams!.build(b, tables.defaults);
  const topology = b.build();
  const out: TableChange[] = [];
  const readers = new Map<string, StreamTask>();
  let offset = 0;
  const tasks = topology.subTopologies().map((sub) => {
    const t = new StreamTask(topology, sub, 0, {
      applicationId: 'app',
      send: (topic, _p, _k, value) => {
        if (topic === 'output') out.push(value as TableChange);
        else readers.get(topic)?.addRecords(topic, [{ offset: offset++, value }]);
      },
      nowMs: () => 0, trace: () => {}, detailedTrace: false, maxTaskIdleMs: -1, caching: false, bugs: new KStreamsBugs(bugs),
    });
    for (const s of sub.sourceTopics) readers.set(s, t);
    return t;
  });
  for (const t of tasks) t.initProcessors();
  for (const r of input) {
    tasks[0]!.addRecords('input', [{ offset: offset++, value: r }]);
    for (let busy = true; busy;) {
      busy = false;
      for (const t of tasks) while (t.process(() => 0)) busy = true;
    }
  }
  return out;
}

const show = (cs: readonly TableChange[], table: string, key: string): string[] => cs.filter((c) => c.table === table && c.key === key).map((c) => `${c.value}[${c.ids.join(',')}]`);
const verdicts = (output: readonly OutputRecord[], input: readonly InputRecord[] = INPUT) => Object.fromEntries(checkTables([input], output).map((c) => [c.name, c]));

describe('tables.join and tables.aggregate', () => {
  const base = engineOutput();

  it('the reference changes are Kafka\'s, and pass', () => {
    expect(show(base, 'inner', 'u')).toEqual(['1010[0,1]', '2010[1,2]', 'null[3]']);
    expect(show(base, 'left', 'u')).toEqual(['1000[0]', '1010[0,1]', '2010[1,2]', '2000[2]']);
    expect(show(base, 'outer', 'w')).toEqual(['1000[5]', '1000[6]', '1005[6,7]']);
    expect(show(base, 'users-per-region', 'region-1')).toEqual(['1[0]', '0[]', '1[4]', '2[4,5]', '2[4,6]']);
    expect(show(base, 'score-per-region', 'region-2')).toEqual(['10[1,2]', '0[2]']);
    const v = verdicts(base);
    expect(v['tables.join']!.ok, v['tables.join']!.detail).toBe(true);
    expect(v['tables.aggregate']!.ok, v['tables.aggregate']!.detail).toBe(true);
  });

  const edit = (f: (c: TableChange) => TableChange | TableChange[] | undefined): TableChange[] => base.flatMap((c) => f(c) ?? []);
  const is = (c: TableChange, table: string, key: string, value: number | null, ids: number[]): boolean =>
    c.table === table && c.key === key && c.value === value && c.ids.join() === ids.join();

  it('fails a joined value no state of the input gives', () => {
    const v = verdicts(edit((c) => (is(c, 'inner', 'u', 1010, [0, 1]) ? { ...c, value: 1011 } : c)));
    expect(v['tables.join']!.ok).toBe(false);
    expect(v['tables.join']!.detail).toContain('at no point');
  });

  it('fails a join going back, and a lost deletion', () => {
    const back = verdicts(edit((c) => (is(c, 'left', 'u', 2010, [1, 2]) ? [c, { ...c, value: 1010, ids: [0, 1] }] : c)));
    expect(back['tables.join']!.ok).toBe(false);
    const lost = verdicts(edit((c) => (is(c, 'inner', 'u', null, [3]) ? undefined : c)));
    expect(lost['tables.join']!.detail).toContain('ends at value 2010');
  });

  it('fails an inner-join row while one side is missing', () => {
    const v = verdicts(edit((c) => (is(c, 'inner', 'u', 1010, [0, 1]) ? [{ ...c, value: 1000, ids: [0] }, c] : c)));
    expect(v['tables.join']!.ok).toBe(false);
  });

  it('fails a row counted twice (at-least-once replaying an addition)', () => {
    const v = verdicts(edit((c) => (is(c, 'users-per-region', 'region-1', 1, [0]) ? { ...c, value: 2 } : c)));
    expect(v['tables.aggregate']!.detail).toContain('added twice, or never subtracted');
  });

  it('fails the planted bug rekey-skips-subtractor: u stays in region-1 after moving to region-2', () => {
    const bugged = engineOutput(['rekey-skips-subtractor']);
    expect(show(bugged, 'users-per-region', 'region-1')).toEqual(['1[0]', '2[0,4]', '3[0,4,5]', '3[0,4,6]']);
    const v = verdicts(bugged);
    expect(v['tables.aggregate']!.ok).toBe(false);
    expect(v['tables.join']!.ok).toBe(true);
    expect(v['tables.aggregate']!.detail).toMatch(/region-1 ends holding u .*not subtracted/);
  });

  it('fails a moved row left in its old group at the end, and two rows of one user in a group', () => {
    const v = verdicts(edit((c) => (c.table === 'users-per-region' && c.key === 'region-1' && c.value === 2 && c.ids.join() === '4,6' ? { ...c, value: 3, ids: [0, 4, 6] } : c)));
    expect(v['tables.aggregate']!.detail).toMatch(/holding u .*not subtracted/);
    const two = verdicts(edit((c) => (c.table === 'users-per-region' && c.key === 'region-1' && c.ids.join() === '4,6' ? { ...c, value: 3, ids: [4, 5, 6] } : c)));
    expect(two['tables.aggregate']!.detail).toContain('two region rows of w');
  });

  it('fails a joined member whose region and score were never current together', () => {
    const v = verdicts(edit((c) => (c.table === 'score-per-region' && c.key === 'region-1' && c.ids.join() === '4,6,7' ? { ...c, ids: [4, 5, 7] } : c)));
    expect(v['tables.aggregate']!.detail).toContain('never current together');
  });
});

/** a: a high score, one that falls (deletes), one that fails again (nothing), a high one, one that falls; b: a low score (nothing), a high one, then a tombstone. */
const FILTER_INPUT: InputRecord[] = [
  rec(0, 'a', 'region', 1),
  rec(1, 'a', 'score', 60),
  rec(2, 'a', 'score', 40),
  rec(3, 'a', 'score', 30),
  rec(4, 'a', 'score', 70),
  rec(5, 'b', 'score', 20),
  rec(6, 'b', 'score', 80),
  rec(7, 'b', 'region', 2),
  rec(8, 'b', 'score', 0),
  rec(9, 'a', 'score', 45),
];

describe('tables.filter (KTable filter and mapValues) and the high-score sums', () => {
  const base = engineOutput([], FILTER_INPUT);
  const v = (out: readonly OutputRecord[]) => verdicts(out, FILTER_INPUT);

  it('the reference changes are Kafka\'s: a score that falls deletes, one that fails before and after forwards nothing; they pass', () => {
    expect(show(base, 'high-scores', 'a')).toEqual(['600[1]', 'null[2]', '700[4]', 'null[9]']);
    expect(show(base, 'high-scores', 'b')).toEqual(['800[6]', 'null[8]']);
    expect(show(base, 'high-per-region', 'region-1')).toEqual(['600[0,1]', '0[]', '700[0,4]', '0[]']);
    expect(show(base, 'high-per-region', 'region-2')).toEqual(['800[6,7]', '0[]']);
    const all = v(base);
    for (const name of ['tables.join', 'tables.filter', 'tables.aggregate']) expect(all[name]!.ok, all[name]!.detail).toBe(true);
  });

  const edit = (f: (c: TableChange) => TableChange | TableChange[] | undefined): TableChange[] => base.flatMap((c) => f(c) ?? []);
  const high = (c: TableChange, key: string, value: number | null): boolean => c.table === 'high-scores' && c.key === key && c.value === value;

  it('fails a value that is not the score mapped ×10', () => {
    const got = v(edit((c) => (high(c, 'a', 600) ? { ...c, value: 60 } : c)));
    expect(got['tables.filter']!.ok).toBe(false);
    expect(got['tables.filter']!.detail).toContain('at no point');
  });

  it('fails a deletion of a key the table does not hold (a change failing before and after forwarded)', () => {
    const got = v(edit((c) => (high(c, 'b', 800) ? [{ ...c, value: null, ids: [5] }, c] : c)));
    expect(got['tables.filter']!.ok).toBe(false);
    expect(got['tables.filter']!.detail).toContain('deletes a key the table does not hold');
  });

  it('fails the planted bug filter-drops-tombstone: a\'s row stays at 700 after its score fell to 45', () => {
    const bugged = engineOutput(['filter-drops-tombstone'], FILTER_INPUT);
    expect(show(bugged, 'high-scores', 'a')).toEqual(['600[1]', '700[4]']);
    const got = v(bugged);
    expect(got['tables.filter']!.ok).toBe(false);
    expect(got['tables.filter']!.detail).toMatch(/high-scores of a ends at value 700 \[4\].*not forwarded as a deletion/);
    expect(got['tables.aggregate']!.detail).toMatch(/high-per-region group region-1 ends holding a/);
    expect(got['tables.join']!.ok).toBe(true);
  });
});
