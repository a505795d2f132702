/**
 * Session structure: the committed sessions of each key are the sessions
 * Flink's merging would build from the records they hold. The exactly-once
 * check only asks that every record land in exactly one final session, so a
 * session split into two pieces that should have merged passes it; this
 * judge does not.
 *
 * Flink's rule (TimeWindow.intersects, MergingWindowSet.addWindow): a record
 * at `ts` makes the window `[ts, ts + gap)`; two windows `[s1,e1)` and
 * `[s2,e2)` intersect when `s1 <= e2 && s2 <= e1` — touching counts — and
 * every new window is merged with every window of its key it intersects. So
 * two records at most `gap` apart (`|t1 - t2| <= gap`) belong together, and
 * a session is a gap-connected group. Per final session of a key (final as
 * `finals.ts` chooses them), judged on its distinct records of that key:
 * - bounds: exactly `[min ts, max ts + gap)`;
 * - connected: sorted by timestamp, no two neighbours more than `gap` apart
 *   (such a session holds two sessions);
 * - not split: two final sessions whose windows intersect should have been
 *   one, unless one of them had been cleaned up before the other's records
 *   that reach it arrived. A window is cleaned up (its state purged, its
 *   entry gone from the merging set) once the watermark reaches
 *   `end - 1 + allowedLateness`; a record arriving after that starts a new
 *   session, which can touch or even overlap the old one — Flink's own
 *   output. So the pair passes when every record of one session that is
 *   within `gap` of a record of the other arrived (was added by the window
 *   operator) at a watermark at or past the other's cleanup time — or, the
 *   other way a session disappears, after the job restarted with no state
 *   (at-most-once restarts read on without a checkpoint): in a later attempt
 *   than any arrival of the other session's records, one whose window task
 *   was deployed with nothing restored.
 *
 * Why that excuse is exact for a correct engine: take records a (in A) and
 * b (in B) at most gap apart, b added after a. When b arrived, a's session
 * either still existed — then b's window intersected it, b joined it, and a
 * and b would share a final session — or had been cleaned up, i.e. the
 * watermark was at or past its cleanup time, and that session was A (it
 * cannot change once purged). And all such later-arriving records sit on one
 * side: A gone before some b arrived and B gone before some a arrived would
 * need each purged before the other. (A restart from no state is the same
 * argument with "purged" read as "lost".)
 *
 * Kafka Streams has no watermark and no cleanup of that kind; there the
 * one way a session disappears is its store's retention after a restore
 * (`ks.retention`, stores.ts): a record's lookup passes over a restored
 * session that ended too long before the store's stream time. So a pair
 * passes when every record of one within `gap` of the other was traced
 * (`hiddenFrom`, judged by `ks.retention`) as having passed over it.
 *
 * When each record arrived comes from the trace: the window operator's
 * `session.add` (the record's id, the session it joined, the watermark). After
 * a restore, records past the restored checkpoint are processed again; the
 * arrival that counts is the record's last one in the newest attempt that
 * processed it (an older attempt's zombie can trail behind it).
 */
import type { InputRecord, WindowResult } from '../stream/records.ts';
import { selectFinals } from './finals.ts';
import { inputIndex } from './input-index.ts';
import { formatCount, formatWindow, Problems } from './report.ts';
import type { CheckResult, TraceEvent, WindowSpec } from './types.ts';
import { keyedWindowId, spansIntersect, windowCleanupTime } from './window-math.ts';

export const SESSION_STRUCTURE = 'session.structure';

/** When the window operator added a record to its session (its last time, in the newest attempt that did). */
export interface SessionArrival {
  /** The operator's watermark then. */
  wm: number;
  attempt: number;
  /** The attempt's window task (the one holding the record's key) started with no restored state. */
  freshStart: boolean;
}

/** One record of a session: its id and timestamp. */
interface Member {
  id: number;
  ts: number;
}

interface Session {
  r: WindowResult;
  /** Its distinct records of the result's key, by timestamp (then id). */
  members: Member[];
}

/**
 * Judges the final sessions of `results` (see the module comment). `arrivals` says, per record id,
 * when the window operator added the record to its session; a record missing from it never counts
 * as having arrived after the other session was gone.
 */
export function checkSessionStructure(
  input: readonly InputRecord[], results: readonly WindowResult[], spec: WindowSpec, arrivals: ReadonlyMap<number, SessionArrival>,
  hiddenFrom?: ReadonlyMap<number, ReadonlySet<string>>,
): CheckResult {
  const assigner = spec.assigner;
  if (assigner.kind !== 'session') throw new Error(`${SESSION_STRUCTURE} judges session windows, not ${assigner.kind} windows`);
  const gap = assigner.gapMs;
  const lateness = spec.allowedLatenessMs;
  const byId = inputIndex(input);
  const problems = new Problems();
  const perKey = new Map<string, Session[]>();
  for (const r of selectFinals(results, spec).finals.values()) {
    const members = membersOf(r, byId);
    if (members.length === 0) continue; // empty or foreign records only: the lineage checks report it
    const list = perKey.get(r.key);
    if (list) list.push({ r, members });
    else perKey.set(r.key, [{ r, members }]);
  }
  let sessions = 0;
  let excused = 0;
  const keys = [...perKey.keys()].sort();
  for (const key of keys) {
    const list = perKey.get(key)!;
    list.sort((a, b) => a.r.start - b.r.start || a.r.end - b.r.end);
    for (const s of list) {
      sessions++;
      judgeOne(s, gap, problems);
    }
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      // Sorted by start: the windows intersecting a's that start at or after it come next.
      for (let j = i + 1; j < list.length && list[j]!.r.start <= a.r.end; j++) {
        const b = list[j]!;
        if (!spansIntersect(a.r, b.r)) continue;
        const verdict = judgePair(a, b, gap, lateness, arrivals, hiddenFrom);
        if (verdict === 'excused') excused++;
        else if (verdict !== 'apart') problems.add(verdict);
      }
    }
  }
  const split = excused === 0
    ? 'no two of a key touch or overlap'
    : `${formatCount(excused)} pair${excused === 1 ? '' : 's'} of a key that touch or overlap, each because ` +
      (hiddenFrom === undefined
        ? 'one was gone (cleaned up, or lost in a restart from no state) before the other\'s records arrived'
        : 'the store\'s retention hid one from the other\'s records after a restore');
  return problems.verdict(SESSION_STRUCTURE,
    `${formatCount(sessions)} final sessions of ${formatCount(keys.length)} key${keys.length === 1 ? '' : 's'}, each one group of records at most ${gap} ms apart with bounds [min ts, max ts + ${gap}); ${split}`);
}

function membersOf(r: WindowResult, byId: ReturnType<typeof inputIndex>): Member[] {
  const seen = new Set<number>();
  const out: Member[] = [];
  for (const id of r.ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const rec = byId.get(id);
    if (rec && rec.key === r.key) out.push({ id, ts: rec.ts });
  }
  return out.sort((a, b) => a.ts - b.ts || a.id - b.id);
}

function describe(s: Session): string {
  return `key ${s.r.key} session ${formatWindow(s.r.start, s.r.end)}`;
}

function judgeOne(s: Session, gap: number, problems: Problems): void {
  const m = s.members;
  const min = m[0]!.ts;
  const max = m[m.length - 1]!.ts;
  if (s.r.start !== min || s.r.end !== max + gap) {
    problems.add(`${describe(s)} holds ${m.length} record${m.length === 1 ? '' : 's'} with timestamps ${min} … ${max}: its bounds should be ${formatWindow(min, max + gap)}`);
  }
  for (let i = 1; i < m.length; i++) {
    const d = m[i]!.ts - m[i - 1]!.ts;
    if (d > gap) {
      problems.add(`${describe(s)} holds two sessions: record ${m[i - 1]!.id} (ts ${m[i - 1]!.ts}) and record ${m[i]!.id} (ts ${m[i]!.ts}) ` +
        `are ${d} ms apart, more than the gap of ${gap} ms, with no record between them`);
      return;
    }
  }
}

/** The records of `of` within `gap` of some record of `other` (both sorted by ts). */
function reaching(of: readonly Member[], other: readonly Member[], gap: number): Member[] {
  const out: Member[] = [];
  let j = 0;
  for (const x of of) {
    while (j < other.length && other[j]!.ts < x.ts - gap) j++;
    if (j < other.length && other[j]!.ts <= x.ts + gap) out.push(x);
  }
  return out;
}

/** 'apart' (no two records within the gap: only wrong bounds made the windows meet), 'excused', or the problem. */
function judgePair(
  a: Session, b: Session, gap: number, lateness: number, arrivals: ReadonlyMap<number, SessionArrival>, hiddenFrom: ReadonlyMap<number, ReadonlySet<string>> | undefined,
): string {
  const fromB = reaching(b.members, a.members, gap);
  if (fromB.length === 0) return 'apart';
  const fromA = reaching(a.members, b.members, gap);
  const cleanA = windowCleanupTime(a.r, lateness);
  const cleanB = windowCleanupTime(b.r, lateness);
  // The first record of `xs` (of session `own`) that arrived while session `other` still existed (or was never traced).
  const early = (xs: Member[], own: Session, other: Session, cleanup: number): Member | undefined => {
    const lastAttempt = Math.max(...other.members.map((m) => arrivals.get(m.id)?.attempt ?? Infinity));
    const otherId = hiddenFrom === undefined ? '' : keyedWindowId(other.r.key, other.r.start, other.r.end);
    // Kafka Streams: a record of `own` found `other` hidden by its store's retention, so `own` grew
    // without it; the later records of `own` merged into that session and could not see `other`
    // either (retention hides more as the store's time goes on; a new session with `other`'s bounds
    // overwrites it), so none of them is early.
    if (hiddenFrom !== undefined && own.members.some((m) => hiddenFrom.get(m.id)?.has(otherId) === true)) return undefined;
    return xs.find((x) => {
      // Kafka Streams: the record's lookup passed over `other`, which its store's retention hid.
      if (hiddenFrom?.get(x.id)?.has(otherId) === true) return false;
      const at = arrivals.get(x.id);
      if (at === undefined) return true;
      return !(at.wm >= cleanup || (at.freshStart && at.attempt > lastAttempt));
    });
  };
  const earlyB = early(fromB, b, a, cleanA);
  if (earlyB === undefined) return 'excused';
  const earlyA = early(fromA, a, b, cleanB);
  if (earlyA === undefined) return 'excused';
  const near = nearest(earlyB, a.members);
  const when = (x: Member): string => {
    const at = arrivals.get(x.id);
    return at === undefined ? `record ${x.id} has no traced arrival` : `record ${x.id} arrived at watermark ${formatWm(at.wm)} in attempt ${at.attempt}`;
  };
  const close = near.id === earlyB.id
    ? `record ${near.id} (ts ${near.ts}) is in both`
    : `record ${near.id} (ts ${near.ts}) and record ${earlyB.id} (ts ${earlyB.ts}) are ${Math.abs(earlyB.ts - near.ts)} ms apart, at most the gap of ${gap} ms`;
  return `${describe(a)} and ${formatWindow(b.r.start, b.r.end)} should be one session: ${close}, and neither was gone before the other's records arrived ` +
    `(${when(earlyB)}, before ${formatWindow(a.r.start, a.r.end)} was cleaned up at watermark ${cleanA}; ` +
    `${when(earlyA)}, before ${formatWindow(b.r.start, b.r.end)} was cleaned up at watermark ${cleanB})`;
}

function formatWm(wm: number): string {
  if (wm <= Number.MIN_SAFE_INTEGER) return '-inf';
  if (wm >= Number.MAX_SAFE_INTEGER) return '+inf';
  return String(wm);
}

function nearest(x: Member, in_: readonly Member[]): Member {
  let best = in_[0]!;
  for (const m of in_) if (Math.abs(m.ts - x.ts) < Math.abs(best.ts - x.ts)) best = m;
  return best;
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['task.deploy', 'session.add'];

/**
 * Collects, from the trace as it is emitted, when each record arrived at its session: its last
 * `session.add` in the newest attempt that traced one for it, and whether that attempt's task
 * started with nothing restored (`task.deploy` with `restoredFrom` -1).
 */
export class SessionTrace {
  private readonly arrived = new Map<number, SessionArrival>();
  /** `task attempt` of every deployment that restored nothing. */
  private readonly fresh = new Set<string>();

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    if (e.kind === 'task.deploy') {
      if (e.restoredFrom === -1) this.fresh.add(`${e.task as string} ${e.attempt as number}`);
      return;
    }
    if (e.kind !== 'session.add') return;
    const id = e.id as number;
    const attempt = e.attempt as number;
    const seen = this.arrived.get(id);
    if (seen !== undefined && seen.attempt > attempt) return;
    this.arrived.set(id, { wm: e.wm as number, attempt, freshStart: this.fresh.has(`${e.task as string} ${attempt}`) });
  }

  /** Record id → when the window operator added it to its session. */
  arrivals(): ReadonlyMap<number, SessionArrival> {
    return this.arrived;
  }
}
