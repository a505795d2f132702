/**
 * The table oracle: KTable–KTable joins and KTable aggregations with a
 * subtractor, judged from the input and the output's table changes alone.
 *
 * Input (as `generateTables` writes it): two tables keyed by user on one
 * topic, each record in its user's partition: a user's region (`region`,
 * 1..n) and score (`score`, 1..100), value 0 a tombstone. One task reads a
 * user's rows of both tables in offset order, so the user's history is a
 * sequence of states fixed by the log: after the user's i-th record, the
 * region row and the score row then current (each the latest record of its
 * table, none after a tombstone).
 *
 * Output: `TableChange`s, one per table update, tagged with the table:
 * - `inner`, `left`, `outer`: the users' rows joined (region ⋈ score), value
 *   `profileValue(region, score)`, lineage the joined rows' ids; a deletion's
 *   lineage is the record that deleted;
 * - `users-per-region`: the region table grouped by region, counted;
 *   lineage: the member users' region rows;
 * - `score-per-region`: the left join grouped by the user's region, scores
 *   summed (reduce; a user without a score adds 0); lineage: the member
 *   users' joined rows;
 * - `high-scores`: the score table filtered to scores above 50 and mapped
 *   ×10 (KTable `filter`, then `mapValues`), lineage the score row; a score
 *   that falls to 50 or below deletes the user's row;
 * - `high-per-region`: the regions table inner-joined with `high-scores`,
 *   grouped by region, the ×10 scores summed; lineage: the joined rows.
 *
 * Verdicts:
 * - `tables.join`: per join and user, every change is the join of the
 *   user's rows at some point of the history, with exactly the lineage of
 *   the rows joined there (a deletion: a point where the join has no row, at
 *   or after the record that deleted); the points of successive changes
 *   never go back (a record cache may skip states, never reorder them); and
 *   the last change is the join of the user's final rows (or a deletion, or
 *   nothing, when there is none).
 * - `tables.filter`: the reference model of Kafka's KTableFilter and
 *   KTableMapValues, with old values sent (the score table is materialized):
 *   per user, every change of `high-scores` is 10 × a score row above 50
 *   current at some point of the history, with that row as its lineage, or
 *   a deletion at a point where the user has no such row; points never go
 *   back; a deletion only follows a row (a change whose old and new score
 *   both fail is not forwarded, so a key the table does not hold is never
 *   deleted); and the last change is the final row ×10, or a deletion or
 *   nothing when the final score does not pass. A filtered-out update that is
 *   dropped instead of deleting leaves a stale row at the end.
 * - `tables.aggregate`: per group, every change holds at most one row per
 *   user, each row of that group, and the rows of one user held together
 *   were current together at some point of its history, never going back from
 *   one change of the group to the next; its value is the count or the sum of
 *   exactly the rows it holds (a row applied twice, or removed twice, shows);
 *   and the last change of each group holds exactly the users whose final
 *   rows belong to it, and an emptied group ends at 0. A row that moved to
 *   another group without being subtracted from its old one stays there.
 */
import type { InputRecord, OutputRecord, TableChange } from '../stream/records.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';

export const TABLE_REGION = 'region';
export const TABLE_SCORE = 'score';
export const JOIN_TABLES = ['inner', 'left', 'outer'] as const;
export type JoinTable = (typeof JOIN_TABLES)[number];
export const USERS_PER_REGION = 'users-per-region';
export const SCORE_PER_REGION = 'score-per-region';
export const HIGH_SCORES = 'high-scores';
export const HIGH_PER_REGION = 'high-per-region';
/** `high-scores` keeps the scores above this. */
export const HIGH_SCORE_OVER = 50;
/** A high score's value in `high-scores`: the score ×10. */
export const HIGH_SCORE_FACTOR = 10;

/** Whether a score row passes the filter of `high-scores`. */
export function isHigh(score: number): boolean {
  return score > HIGH_SCORE_OVER;
}

/** A joined row's value: the region in the thousands, the score below (a missing side counts 0). */
export function profileValue(region: number | null, score: number | null): number {
  return (region ?? 0) * 1000 + (score ?? 0);
}

/** The group key of a region. */
export function regionKey(region: number): string {
  return `region-${region}`;
}

const tombstone = (r: InputRecord): boolean => r.value === 0;

/** A user's rows at one point of its history. */
interface State {
  region: InputRecord | undefined;
  score: InputRecord | undefined;
}

/** A user's history: `states[0]` before its first record, `states[i]` after its i-th. */
interface History {
  states: State[];
  /** Each of the user's records' position in `states`. */
  position: Map<number, number>;
}

/** A joined row: its value and lineage; undefined when the join has no row. */
function joinAt(kind: JoinTable, s: State): { value: number; ids: number[] } | undefined {
  const { region, score } = s;
  if (kind === 'inner' && (region === undefined || score === undefined)) return undefined;
  if (kind === 'left' && region === undefined) return undefined;
  if (region === undefined && score === undefined) return undefined;
  const ids = [region?.id, score?.id].filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  return { value: profileValue(region?.value ?? null, score?.value ?? null), ids };
}

const sameIds = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const showRow = (r: InputRecord | undefined): string => (r === undefined ? 'none' : `record ${r.id} (${r.value})`);
const showState = (s: State): string => `region ${showRow(s.region)}, score ${showRow(s.score)}`;
const showChange = (c: TableChange): string => `${c.value === null ? 'deleted' : `value ${c.value}`} [${c.ids.join(',')}]`;

export function checkTables(inputByPartition: readonly (readonly InputRecord[])[], output: readonly OutputRecord[]): CheckResult[] {
  const byId = new Map<number, InputRecord>();
  const histories = new Map<string, History>();
  for (const records of inputByPartition) {
    for (const r of records) {
      if (r.stream !== TABLE_REGION && r.stream !== TABLE_SCORE) continue;
      byId.set(r.id, r);
      let h = histories.get(r.key);
      if (h === undefined) histories.set(r.key, (h = { states: [{ region: undefined, score: undefined }], position: new Map() }));
      const prev = h.states[h.states.length - 1]!;
      const row = tombstone(r) ? undefined : r;
      h.states.push(r.stream === TABLE_REGION ? { ...prev, region: row } : { ...prev, score: row });
      h.position.set(r.id, h.states.length - 1);
    }
  }
  const changes = new Map<string, TableChange[]>();
  for (const o of output) if (o.type === 'table') (changes.get(o.table) ?? changes.set(o.table, []).get(o.table)!).push(o);
  return [judgeJoins(byId, histories, changes), judgeFilter(byId, histories, changes), judgeAggregates(byId, histories, changes)];
}

function judgeJoins(byId: ReadonlyMap<number, InputRecord>, histories: ReadonlyMap<string, History>, changes: ReadonlyMap<string, TableChange[]>): CheckResult {
  const p = new Problems();
  let count = 0;
  for (const kind of JOIN_TABLES) {
    const perUser = new Map<string, TableChange[]>();
    for (const c of changes.get(kind) ?? []) (perUser.get(c.key) ?? perUser.set(c.key, []).get(c.key)!).push(c);
    count += changes.get(kind)?.length ?? 0;
    for (const [user, h] of histories) {
      const cs = perUser.get(user) ?? [];
      let at = 0;
      for (const [i, c] of cs.entries()) {
        const what = `${kind} join change ${i + 1} of ${user} (${showChange(c)})`;
        const foreign = c.ids.find((id) => byId.get(id)?.key !== user);
        if (foreign !== undefined) {
          p.add(`${what} names record ${foreign}, which is no row of ${user}`);
          break;
        }
        const from = Math.max(at, ...c.ids.map((id) => h.position.get(id)!));
        let q = from;
        for (; q < h.states.length; q++) {
          const j = joinAt(kind, h.states[q]!);
          if (c.value === null ? j === undefined : j !== undefined && j.value === c.value && sameIds(j.ids, c.ids)) break;
        }
        if (q === h.states.length) {
          const s = h.states[from]!;
          const j = joinAt(kind, s);
          p.add(`${what} is the join of ${user}'s rows at no point from its lineage on${at > 0 ? ' or after the previous change' : ''}: there (${showState(s)}) the join is ${j === undefined ? 'empty' : `value ${j.value} [${j.ids.join(',')}]`}`);
          break;
        }
        at = q;
      }
      const final = joinAt(kind, h.states[h.states.length - 1]!);
      const last = cs[cs.length - 1];
      if (final !== undefined && (last === undefined || last.value !== final.value || !sameIds(last.ids, final.ids))) {
        p.add(`${kind} join of ${user} ends ${last === undefined ? 'with no change' : `at ${showChange(last)}`}, but the user's final rows join to value ${final.value} [${final.ids.join(',')}]`);
      } else if (final === undefined && last !== undefined && last.value !== null) {
        p.add(`${kind} join of ${user} ends at ${showChange(last)}, but the user's final rows (${showState(h.states[h.states.length - 1]!)}) have no ${kind} join`);
      }
    }
    for (const user of perUser.keys()) if (!histories.has(user)) p.add(`${kind} join has a change of ${user}, which has no row in the input`);
  }
  return p.verdict('tables.join', `${formatCount(count)} changes of the inner, left and outer joins of ${formatCount(histories.size)} users, each a join of the user's rows at some point, in order, ending at the join of the final rows`);
}

/** The user's `high-scores` row at a point: 10 × its score row, when that passes the filter. */
function highAt(s: State): { value: number; id: number } | undefined {
  return s.score !== undefined && isHigh(s.score.value) ? { value: s.score.value * HIGH_SCORE_FACTOR, id: s.score.id } : undefined;
}

function judgeFilter(byId: ReadonlyMap<number, InputRecord>, histories: ReadonlyMap<string, History>, changes: ReadonlyMap<string, TableChange[]>): CheckResult {
  const p = new Problems();
  const perUser = new Map<string, TableChange[]>();
  for (const c of changes.get(HIGH_SCORES) ?? []) (perUser.get(c.key) ?? perUser.set(c.key, []).get(c.key)!).push(c);
  let rows = 0;
  for (const [user, h] of histories) {
    const cs = perUser.get(user) ?? [];
    let at = 0;
    let held = false;
    for (const [i, c] of cs.entries()) {
      const what = `${HIGH_SCORES} change ${i + 1} of ${user} (${showChange(c)})`;
      const foreign = c.ids.find((id) => byId.get(id)?.key !== user || byId.get(id)?.stream !== TABLE_SCORE);
      if (foreign !== undefined) {
        p.add(`${what} names record ${foreign}, which is no score record of ${user}`);
        break;
      }
      if (c.value === null && !held) {
        p.add(`${what} deletes a key the table does not hold: with old values sent, a change whose old and new score both fail the filter is not forwarded`);
        break;
      }
      const from = Math.max(at, ...c.ids.map((id) => h.position.get(id)!));
      let q = from;
      for (; q < h.states.length; q++) {
        const j = highAt(h.states[q]!);
        if (c.value === null ? j === undefined : j !== undefined && j.value === c.value && sameIds([j.id], c.ids)) break;
      }
      if (q === h.states.length) {
        const j = highAt(h.states[from]!);
        p.add(`${what} is the filtered and mapped score of ${user} at no point from its lineage on${at > 0 ? ' or after the previous change' : ''}: there the score row is ${showRow(h.states[from]!.score)}, so the row is ${j === undefined ? 'absent' : `value ${j.value} [${j.id}]`}`);
        break;
      }
      at = q;
      held = c.value !== null;
    }
    const final = highAt(h.states[h.states.length - 1]!);
    if (final !== undefined) rows++;
    const last = cs[cs.length - 1];
    if (final !== undefined && (last === undefined || last.value !== final.value || !sameIds(last.ids, [final.id]))) {
      p.add(`${HIGH_SCORES} of ${user} ends ${last === undefined ? 'with no change' : `at ${showChange(last)}`}, but the final score row ${final.id} passes the filter: value ${final.value}`);
    } else if (final === undefined && last !== undefined && last.value !== null) {
      p.add(`${HIGH_SCORES} of ${user} ends at ${showChange(last)}, but the final score row (${showRow(h.states[h.states.length - 1]!.score)}) does not pass the filter (score > ${HIGH_SCORE_OVER}): the update that filtered it out was not forwarded as a deletion`);
    }
  }
  for (const user of perUser.keys()) if (!histories.has(user)) p.add(`${HIGH_SCORES} has a change of ${user}, which has no row in the input`);
  return p.verdict('tables.filter', `${formatCount(changes.get(HIGH_SCORES)?.length ?? 0)} changes of the score table filtered to scores above ${HIGH_SCORE_OVER} and mapped ×${HIGH_SCORE_FACTOR} (${formatCount(rows)} rows at the end), each the user's row at some point, in order, a deletion only of a row held, ending at the final rows`);
}

/** How a group table aggregates its members' rows. */
interface GroupSpec {
  table: string;
  /** Whether a member is a joined row (region and score) rather than a region row alone. */
  joined: boolean;
  /** Whether a user's rows at a point make a row of the table grouped (beyond having a region row). */
  holds(s: State): boolean;
  valueOf(members: readonly State[]): number;
  /** What `holds` asks, for a report. */
  rule: string;
}

const GROUPS: readonly GroupSpec[] = [
  { table: USERS_PER_REGION, joined: false, holds: () => true, rule: 'a region row', valueOf: (ms) => ms.length },
  { table: SCORE_PER_REGION, joined: true, holds: () => true, rule: 'a region row', valueOf: (ms) => ms.reduce((sum, m) => sum + (m.score?.value ?? 0), 0) },
  {
    table: HIGH_PER_REGION, joined: true, holds: (s) => highAt(s) !== undefined, rule: `a region row and a score above ${HIGH_SCORE_OVER}`,
    valueOf: (ms) => ms.reduce((sum, m) => sum + (highAt(m)?.value ?? 0), 0),
  },
];

function judgeAggregates(byId: ReadonlyMap<number, InputRecord>, histories: ReadonlyMap<string, History>, changes: ReadonlyMap<string, TableChange[]>): CheckResult {
  const p = new Problems();
  let count = 0;
  let groups = 0;
  for (const spec of GROUPS) {
    const perGroup = new Map<string, TableChange[]>();
    for (const c of changes.get(spec.table) ?? []) (perGroup.get(c.key) ?? perGroup.set(c.key, []).get(c.key)!).push(c);
    count += changes.get(spec.table)?.length ?? 0;
    // The reference: per group, the users whose final region row is in it, with their final rows.
    const expected = new Map<string, Map<string, State>>();
    for (const [user, h] of histories) {
      const s = h.states[h.states.length - 1]!;
      if (s.region === undefined || !spec.holds(s)) continue;
      const g = regionKey(s.region.value);
      (expected.get(g) ?? expected.set(g, new Map()).get(g)!).set(user, spec.joined ? s : { region: s.region, score: undefined });
    }
    for (const g of new Set([...perGroup.keys(), ...expected.keys()])) {
      groups++;
      const cs = perGroup.get(g) ?? [];
      /** Per user, the history point its rows in this group last matched. */
      const at = new Map<string, number>();
      let last: Map<string, State> | undefined;
      for (const [i, c] of cs.entries()) {
        const what = `${spec.table} change ${i + 1} of ${g} (${showChange(c)})`;
        const members = c.value === null ? new Map<string, State>() : membersOf(spec, g, c, byId, histories, at, (m) => p.add(`${what} ${m}`));
        if (members === undefined) break;
        const want = spec.valueOf([...members.values()]);
        if ((c.value ?? 0) !== want) {
          const users = `${formatCount(members.size)} user${members.size === 1 ? '' : 's'}`;
          const rows = spec.joined ? `the rows of ${users}, whose scores sum to ${want}` : `the rows of ${users}`;
          p.add(`${what} holds ${rows}: a row was ${(c.value ?? 0) > want ? 'added twice, or never subtracted' : 'subtracted twice, or never added'}`);
          break;
        }
        last = members;
      }
      const want = expected.get(g) ?? new Map<string, State>();
      const got = last ?? new Map<string, State>();
      for (const [user, s] of want) {
        const m = got.get(user);
        if (m === undefined || m.region !== s.region || m.score !== s.score) {
          p.add(`${spec.table} group ${g} ends without ${user}'s final rows (${showState(s)})${m === undefined ? '' : `; it holds ${showState(m)}`}`);
        }
      }
      for (const [user, m] of got) {
        if (want.has(user)) continue;
        const s = histories.get(user)!.states.at(-1)!;
        p.add(`${spec.table} group ${g} ends holding ${user} (${showState(m)}), but the user's final region row is ${s.region === undefined ? 'deleted' : `record ${s.region.id}, in ${regionKey(s.region.value)}`}: it was not subtracted from this group`);
      }
      if (cs.length === 0 && want.size > 0) p.add(`${spec.table} has no change of group ${g}, which ends with ${formatCount(want.size)} users`);
    }
  }
  return p.verdict('tables.aggregate', `${formatCount(count)} changes of ${formatCount(groups)} groups (users counted, scores and high scores summed per region), each the aggregate of exactly its rows, ending at the groups of the final rows`);
}

/**
 * The members a group change holds, by user, or undefined (after reporting) when its lineage is
 * not a set of rows of this group, one per user, that were current together at a point of the
 * user's history no earlier than the point the group's previous change held.
 */
function membersOf(
  spec: GroupSpec, g: string, c: TableChange, byId: ReadonlyMap<number, InputRecord>, histories: ReadonlyMap<string, History>,
  at: Map<string, number>, problem: (m: string) => void,
): Map<string, State> | undefined {
  const members = new Map<string, State>();
  for (const id of c.ids) {
    const r = byId.get(id);
    if (r === undefined || tombstone(r) || (!spec.joined && r.stream !== TABLE_REGION)) {
      problem(`names record ${id}, which is no ${spec.joined ? 'region or score' : 'region'} row`);
      return undefined;
    }
    const m = members.get(r.key) ?? { region: undefined, score: undefined };
    const field = r.stream === TABLE_REGION ? 'region' : 'score';
    if (m[field] !== undefined) {
      problem(`holds two ${field} rows of ${r.key}: records ${m[field]!.id} and ${r.id}`);
      return undefined;
    }
    members.set(r.key, { ...m, [field]: r });
  }
  for (const [user, m] of members) {
    if (m.region === undefined) {
      problem(`holds ${user}'s score row ${m.score!.id} without a region row`);
      return undefined;
    }
    if (!spec.holds(m)) {
      problem(`holds ${user}'s ${showState(m)}, which is no row of the table grouped (${spec.rule})`);
      return undefined;
    }
    if (regionKey(m.region.value) !== g) {
      problem(`holds ${user}'s region row ${m.region.id}, which is in ${regionKey(m.region.value)}`);
      return undefined;
    }
    const h = histories.get(user)!;
    const from = Math.max(at.get(user) ?? 0, h.position.get(m.region.id)!, m.score === undefined ? 0 : h.position.get(m.score.id)!);
    let q = from;
    for (; q < h.states.length; q++) {
      const s = h.states[q]!;
      if (s.region === m.region && (!spec.joined || s.score === m.score)) break;
    }
    if (q === h.states.length) {
      problem(`holds ${user}'s ${showState(m)}, which were never current together${at.has(user) ? ' at or after the rows the group held before' : ''}`);
      return undefined;
    }
    at.set(user, q);
  }
  return members;
}
