/**
 * The exactly-once oracle for keyed window pipelines (DESIGN "The checkers"
 * 1). Every input record is accounted for exactly once: in the final result
 * of each window it belongs to that was still open when it arrived, or in the
 * late side output — never both, never twice, never neither.
 *
 * "Still open when it arrived" is not in the output, so the rule checked is
 * the one it implies. A record's windows close in order of `end` (cleanup
 * time `end - 1 + allowedLateness` grows with `end`), so the windows it could
 * still join form a suffix of its windows ordered by end:
 * - a record not in the late output must be in the final result of its
 *   last-closing window, and the windows whose final result holds it must be
 *   a suffix of its windows (one it joined implies every later-closing one);
 *   for sessions: it is in exactly one final session of its key;
 * - a record in the late output is in no result at all, is there once, and
 *   really was late: the late record's watermark is at or past the cleanup
 *   time of its last-closing window (sessions: of `[ts, ts + gap)`);
 * - a record whose timestamp falls in no window (sliding windows with
 *   slide > size leave gaps) is in no result; it may be in the late output
 *   only if `ts + allowedLateness <= watermark` (Flink's isElementLate).
 * Final results are chosen as `finals.ts` documents; each result's own
 * lineage is checked as `lineage.ts` documents; a (key, window, firing)
 * committed twice (an at-least-once replay) is reported.
 *
 * When the workload promises nothing can be late (`canBeLate: false`), the
 * final results must equal the batch reference exactly and the late output
 * must be empty.
 *
 * `pending`: a record named there that is in no final result, or (time
 * windows) not in the final of its last-closing window, is counted pending
 * and judged no further.
 *
 * `resets`: each names a key and window that started afresh (a time
 * window, or a session restarted over a hidden one), and the records it
 * left out. Such a record, if it is in the input with that key, its
 * timestamp in that window, and the window's final does not hold it, is
 * taken as held there (for the rules above) and counted once as left out
 * (a session window only while it has a final: a merge that superseded it
 * carries its records);
 * and a window's firings need not accumulate across a firing at which it
 * restarted (earlier firing < restart firing <= later firing).
 * A repeated input id is an input error (reported); the earlier records
 * with that id are judged as if alone, with no pending or reset excuse.
 */
import type { InputRecord, LateRecord, WindowResult } from '../../../src/stream/records.ts';
import { selectFinals } from './finals.ts';
import { checkFiringsAccumulate, checkResultContents, describeResult, indexInput } from './lineage.ts';
import { referenceWindows } from './reference.ts';
import { formatCount, formatWindow, Problems } from './report.ts';
import type { CheckResult, WindowSpec } from './types.ts';
import { windowCleanupTime, keyedWindowId, windowsOf } from './window-math.ts';

export function checkExactlyOnceWindows(
  input: readonly InputRecord[], results: readonly WindowResult[], late: readonly LateRecord[],
  spec: WindowSpec, opts: { canBeLate: boolean; pending?: ReadonlySet<number>; resets?: readonly PlainReset[]; atLeastOnce?: boolean },
): CheckResult {
  const problems = new Problems(opts.atLeastOnce === true);
  const byId = indexInput(input, problems);
  const sel = selectFinals(results, spec);
  for (const d of sel.duplicates) problems.replay(`${describeResult(d)} was committed twice`);
  for (const r of results) checkResultContents(r, byId, spec, problems);
  const resets = opts.resets ?? [];
  const restarts = new Map<string, number[]>();
  for (const r of resets) restarts.set(keyedWindowId(r.key, r.start, r.end), [...(restarts.get(keyedWindowId(r.key, r.start, r.end)) ?? []), r.firing]);
  checkFiringsAccumulate(sel.byWindow, problems, restarts);
  const lateIds = checkLateOutput(late, byId, spec, problems);
  // At least once, a window holds a record when any of its results does (sessions a merge superseded aside).
  const holders = opts.atLeastOnce ? [...sel.byWindow].filter(([k]) => !sel.superseded.has(k)) : undefined;
  const counts = accountRecords(input, byId, spec, sel.finals, results, lateIds, opts.pending ?? new Set(), resets, problems, holders);
  if (!opts.canBeLate) compareWithReference(input, spec, sel.finals, late, problems);
  const updates = [...sel.finals.values()].filter((r) => r.firing > 0).length;
  return problems.verdict(opts.atLeastOnce ? 'at-least-once' : 'exactly-once',
    `${formatCount(input.length)} records accounted for in ${formatCount(sel.finals.size)} results` +
    ` (${formatCount(updates)} of them updates to an earlier result), ${formatCount(lateIds.size)} late` +
    (counts.pending > 0 ? `, ${formatCount(counts.pending)} pending (in a window not yet closed when the job ended)` : '') +
    (counts.reset > 0 ? `, ${formatCount(counts.reset)} left out of a window its store's retention made start afresh after a restore (Kafka Streams)` : '') +
    (opts.atLeastOnce ? `; none lost, ${problems.replays === 0 ? 'nothing counted twice' : `${formatCount(problems.replays)} problems of replayed records (counted more than once, committed twice), as at-least-once allows`}` : ''));
}

/** A window that started afresh at `firing`, leaving out the records `ids`. */
export interface PlainReset {
  key: string;
  start: number;
  end: number;
  firing: number;
  ids: readonly number[];
}

function checkLateOutput(
  late: readonly LateRecord[], byId: ReadonlyMap<number, InputRecord>, spec: WindowSpec, problems: Problems,
): Set<number> {
  const ids = new Set<number>();
  for (const l of late) {
    if (ids.has(l.id)) problems.replay(`record ${l.id} is in the late output twice`);
    ids.add(l.id);
    const rec = byId.get(l.id);
    if (!rec) {
      problems.add(`late output holds record ${l.id}, which is not in the input`);
      continue;
    }
    if (rec.key !== l.key || rec.ts !== l.ts) {
      problems.add(`late output record ${l.id} has key ${l.key} ts ${l.ts}, input has key ${rec.key} ts ${rec.ts}`);
    }
    const wins = windowsOf(spec.assigner, rec.ts);
    const last = wins[wins.length - 1];
    // A record in no window at all (sliding with slide > size) is late iff Flink's isElementLate: ts + L <= W.
    const closedAt = last ? windowCleanupTime(last, spec.allowedLatenessMs) : rec.ts + spec.allowedLatenessMs;
    if (l.watermark < closedAt) {
      problems.add(`record ${l.id} (key ${rec.key}, ts ${rec.ts}) went to the late output at watermark ${l.watermark}, ` +
        `but ${last ? `window ${formatWindow(last.start, last.end)}` : 'it'} was on time until watermark ${closedAt - 1}`);
    }
  }
  return ids;
}

function accountRecords(
  input: readonly InputRecord[], byId: ReadonlyMap<number, InputRecord>, spec: WindowSpec, finals: ReadonlyMap<string, WindowResult>,
  results: readonly WindowResult[], lateIds: ReadonlySet<number>, pending: ReadonlySet<number>, resets: readonly PlainReset[], problems: Problems,
  holders?: [string, WindowResult[]][],
): { pending: number; reset: number } {
  const session = spec.assigner.kind === 'session';
  const inFinal = new Map<number, string[]>();
  const holding: [string, WindowResult][] = holders === undefined ? [...finals] : holders.flatMap(([k, list]) => list.map((r): [string, WindowResult] => [k, r]));
  for (const [k, r] of holding) {
    for (const id of r.ids) {
      const list = inFinal.get(id);
      if (list) list.push(k);
      else inFinal.set(id, [k]);
    }
  }
  // Windows a reset excuses, by record id.
  const excused = new Map<number, Set<string>>();
  for (const r of resets) {
    const k = keyedWindowId(r.key, r.start, r.end);
    // A session window a later merge superseded has no final, and its reset excuses nothing.
    if (session && !finals.has(k)) continue;
    const held = new Set(finals.get(k)?.ids ?? []);
    for (const id of r.ids) {
      const rec = byId.get(id);
      if (rec === undefined || held.has(id) || rec.key !== r.key) continue;
      const inWindow = session ? rec.ts >= r.start && rec.ts < r.end : windowsOf(spec.assigner, rec.ts).some((w) => w.start === r.start && w.end === r.end);
      if (!inWindow) continue;
      const set = excused.get(id) ?? new Set<string>();
      set.add(k);
      excused.set(id, set);
    }
  }
  let pendingCount = 0;
  const lastIndex = new Map<number, number>();
  input.forEach((rec, i) => lastIndex.set(rec.id, i));
  const anyResult = new Map<number, WindowResult>();
  for (const r of results) for (const id of r.ids) if (!anyResult.has(id)) anyResult.set(id, r);
  for (const [i, rec] of input.entries()) {
    const what = `record ${rec.id} (key ${rec.key}, ts ${rec.ts})`;
    const repeatedLater = lastIndex.get(rec.id) !== i;
    if (lateIds.has(rec.id)) {
      const r = anyResult.get(rec.id);
      if (r) problems.replay(`${what} is both in the late output and in ${describeResult(r)}`);
      continue;
    }
    const member = new Set(inFinal.get(rec.id) ?? []);
    // A timestamp in no window (sliding with slide > size) belongs to no result; the lineage checks catch any claim.
    if (spec.assigner.kind === 'sliding' && windowsOf(spec.assigner, rec.ts).length === 0) continue;
    const excuse = repeatedLater ? undefined : excused.get(rec.id);
    if (!repeatedLater && pending.has(rec.id)) {
      const wins = windowsOf(spec.assigner, rec.ts);
      const last = wins[wins.length - 1];
      const inLast = last !== undefined && member.has(keyedWindowId(rec.key, last.start, last.end));
      if ((member.size === 0 && excuse === undefined) || (!session && !inLast)) {
        pendingCount++;
        continue;
      }
    }
    for (const k of excuse ?? []) member.add(k);
    if (member.size === 0) {
      const r = anyResult.get(rec.id);
      problems.add(r
        ? `${what} is in ${describeResult(r)} but in no final result and not in the late output (lost)`
        : `${what} is in no result and not in the late output (lost)`);
      continue;
    }
    if (spec.assigner.kind === 'session') {
      if (member.size > 1) problems.replay(`${what} is in ${member.size} final sessions of its key (twice)`);
      continue;
    }
    checkSuffix(what, rec, spec, member, problems);
  }
  return { pending: pendingCount, reset: excused.size };
}

function checkSuffix(what: string, rec: InputRecord, spec: WindowSpec, member: ReadonlySet<string>, problems: Problems): void {
  const wins = windowsOf(spec.assigner, rec.ts);
  const last = wins[wins.length - 1]!;
  if (!member.has(keyedWindowId(rec.key, last.start, last.end))) {
    problems.add(`${what} is missing from the final result of its last-closing window ${formatWindow(last.start, last.end)} (lost)`);
    return;
  }
  let joined: { start: number; end: number } | undefined;
  for (const w of wins) {
    const isMember = member.has(keyedWindowId(rec.key, w.start, w.end));
    if (isMember && !joined) joined = w;
    if (!isMember && joined) {
      problems.replay(`${what} is in window ${formatWindow(joined.start, joined.end)} but missing from the later-closing ` +
        `window ${formatWindow(w.start, w.end)} (lost)`);
      return;
    }
  }
}

function compareWithReference(
  input: readonly InputRecord[], spec: WindowSpec, finals: ReadonlyMap<string, WindowResult>,
  late: readonly LateRecord[], problems: Problems,
): void {
  if (late.length > 0) {
    problems.add(`record ${late[0]!.id} is in the late output, but the workload has no late records`);
  }
  const ref = referenceWindows(input, spec);
  for (const [k, w] of ref) {
    const got = finals.get(k);
    const where = `key ${w.key} window ${formatWindow(w.start, w.end)}`;
    if (!got) {
      problems.add(`${where} of the reference (${w.ids.length} records) has no final result`);
      continue;
    }
    const gotIds = new Set(got.ids);
    const refIds = new Set(w.ids);
    const missing = w.ids.find((id) => !gotIds.has(id));
    const extra = got.ids.find((id) => !refIds.has(id));
    if (missing !== undefined) problems.add(`${where}: record ${missing} of the reference is missing from the final result`);
    else if (extra !== undefined) problems.add(`${where}: record ${extra} is in the final result but not in the reference`);
    else if (got.value !== w.value) problems.replay(`${where}: final value ${got.value}, reference ${w.value}`);
  }
  for (const [k, r] of finals) {
    if (!ref.has(k)) problems.add(`final ${describeResult(r)} is not a window of the reference`);
  }
}
