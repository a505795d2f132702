/**
 * Timeliness: windows fire on time *soon enough*. The other watermark checks
 * only ask that nothing fires too early and that everything fires in the
 * end; a watermark held back — by an input that should have gone idle, or an
 * idle status lost on its way — passes them all. This judge derives, from
 * the input alone, when each window's on-time firing became possible, and
 * fails a firing that came much later.
 *
 * The model (Flink's bounded-out-of-orderness watermarks with idleness):
 * an input partition has passed `e - 1` once it delivered a record with
 * timestamp >= e + boundMs (its watermark, maxTs - boundMs - 1, is then at
 * least e - 1), and is active while it delivered a record within the last
 * idleTimeoutMs (a partition with nothing yet counts from the job's start).
 * A source subtask combines the partitions it reads: the minimum over the
 * active ones, standing still while they are all idle (Flink's combined
 * watermark of a source's splits); so it has passed `e - 1` once, at some
 * moment, it was active and every active partition of it had. The window's
 * task combines the subtasks with Flink's valve: the minimum over the
 * active ones, and when the last of them goes idle, the largest watermark
 * any of them reached (the flush of FLINK-7728); so it has passed `e - 1`
 * when every active subtask has and at least one has. The end of input
 * passes everything. The earliest moment the task has passed `e - 1` is
 * `ready(e)`. (One simplification, on the lenient side: a subtask that
 * comes back from idleness behind the task's watermark does not count in
 * Flink's minimum until it catches up; here it holds the window like any
 * active subtask that has not passed.) Which partitions a subtask reads
 * comes from the trace (`source.fetch`). Its on-time firing must come by
 * ready(e) + slackMs, the slack covering the sources' periodic watermark
 * and idleness checks and the hops between tasks. (A source's partition
 * goes idle by Flink's `IdlenessTimer`: the countdown starts at the first
 * periodic emission that finds nothing new and runs out at an emission more
 * than idleTimeoutMs later, so up to two watermark intervals after the
 * moment this model takes; the slack covers that too.)
 *
 * A window cannot fire before a record of it has arrived, so its deadline
 * counts from the later of ready(e) and the arrival of its first record
 * (the input records of its key with timestamps in [start, end): the
 * scenarios key their windows by the record's key).
 *
 * Faults delay everything legitimately (restarts, partitions, slow disks),
 * so only windows whose deadline falls before the first fault are judged.
 *
 * Only on-time firings are judged. A window whose first record arrives after
 * the watermark passed its end (a late record within allowed lateness, with
 * no on-time record before it) fires at once on it, as Flink's
 * EventTimeTrigger does: that is its first firing, but a late one
 * (`window.late` just before it), which `watermark.lateness` judges. Nor
 * is such a window's on-time firing in a later attempt: a restore after a
 * fault may rewind the watermark below the record, which then arrives on
 * time, and the window fires on time only then. The same holds for a
 * window whose record came past allowed lateness and was dropped
 * (`record.late`), or kept out of that window only (`window.skip`: a sliding
 * window closed while the record's later windows were open): the window
 * never held it in that attempt, and fires on time with it only when a
 * restore lets the replayed record in. Nor is a session
 * window's firing in a restored attempt (any attempt after the first):
 * after a fault, records the first attempt merged into one session may
 * form others, and sessions it formed may not form again — a restore of a
 * snapshot taken before a fired session was cleared can merge a replayed
 * record into it; a replay (from scratch, when there was no checkpoint)
 * reads the log in other batches; a partition the fault held up goes idle
 * and its records come late — so the input's deadline for a session of a
 * later attempt is no deadline the engine could keep. A session the first
 * attempt fired is judged by that firing. (Tumbling and sliding windows
 * are fixed by the assigner: a restored attempt's firing of one is judged
 * like any other.)
 * Records reach a partition when the log appended them (`log.append` of the
 * input topic), not when they were scheduled: a busy producer lags.
 */
import { formatCount, formatWindow, Problems } from './report.ts';
import type { CheckResult, TraceEvent } from './types.ts';

export interface TimelinessSpec {
  boundMs: number;
  /** 0: partitions never go idle. */
  idleTimeoutMs: number;
  /** Default 400. */
  slackMs?: number;
}

/** One batch of one input partition: when it reached the log, and its largest record timestamp. */
export interface PartitionBatch {
  atMs: number;
  maxTs: number;
}

/** An on-time firing (`window.fire` with firing 0). */
export interface OnTimeFire {
  t: number;
  key: string;
  start: number;
  end: number;
}

export interface TimelinessInput {
  /** Per input partition, its batches in log order. */
  partitions: readonly (readonly PartitionBatch[])[];
  /**
   * The partitions each source subtask reads (absent: one subtask reads them all). A partition in
   * no list counts as a subtask of its own: it never delivered, and such a partition holds every
   * subtask alike until it goes idle, and none after.
   */
  sources?: readonly (readonly number[])[];
  fires: readonly OnTimeFire[];
  /**
   * When the first input record of `key` with a timestamp in [start, end) reached the log
   * (Infinity when none did; -Infinity for a key no input record has, and absent: not known,
   * and not taken into account).
   */
  firstArrival?: (key: string, start: number, end: number) => number;
  /** When the job started reading (its first deployment). */
  startMs: number;
  /** When every input partition had been sealed (end of input), or Infinity. */
  endOfInputMs: number;
  /** The first fault of the run (crash, partition, latency, disk), or Infinity. */
  firstFaultMs: number;
}

export const TIMELINESS_SLACK_MS = 400;

export function checkTimeliness(spec: TimelinessSpec, input: TimelinessInput): CheckResult {
  const slack = spec.slackMs ?? TIMELINESS_SLACK_MS;
  const readyByEnd = readyTimes(input.fires.map((f) => f.end), spec, input);
  const problems = new Problems();
  let judged = 0;
  const seen = new Set<string>();
  for (const f of input.fires) {
    const id = `${f.key}\u0000${f.start}\u0000${f.end}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const ready = readyByEnd.get(f.end)!;
    if (!(ready + slack < input.firstFaultMs)) continue;
    if (f.t > ready + slack) {
      // Later than the input allowed: unless the window's first record came later still.
      const arrival = input.firstArrival?.(f.key, f.start, f.end) ?? Number.NEGATIVE_INFINITY;
      const from = Math.max(ready, arrival);
      if (!(from + slack < input.firstFaultMs)) continue; // due only after the first fault: the fault's to delay
      if (f.t > from + slack) problems.add(
        `key ${f.key} window ${formatWindow(f.start, f.end)} fired on time at ${formatCount(f.t)} ms, but the input let the watermark pass ${f.end - 1} by ${formatCount(ready)} ms ` +
          `(bound ${spec.boundMs} ms, idle after ${spec.idleTimeoutMs} ms)${arrival > ready ? ` and its first record reached the log at ${formatCount(arrival)} ms` : ''}: ` +
          `held back ${formatCount(f.t - from)} ms, more than the ${slack} ms slack`,
      );
    }
    judged++;
  }
  return problems.verdict('watermark.timeliness', `${formatCount(judged)} on-time firings judged (those due before any fault), each within ${slack} ms of when the input allowed it`);
}

interface Prepared {
  at: number[];
  /** Running maximum timestamp up to each batch. */
  maxTs: number[];
}

function prepare(batches: readonly PartitionBatch[]): Prepared {
  const at: number[] = [];
  const maxTs: number[] = [];
  let m = Number.NEGATIVE_INFINITY;
  for (const b of batches) {
    m = Math.max(m, b.maxTs);
    at.push(b.atMs);
    maxTs.push(m);
  }
  return { at, maxTs };
}

/** Index of the last batch at or before `t` (-1 when none). */
function lastAtOrBefore(at: readonly number[], t: number): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first running maximum ≥ `need` (the length when none): in any ascending list, the first item ≥ `need`. */
function firstReaching(maxTs: ArrayLike<number>, need: number): number {
  let lo = 0;
  let hi = maxTs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (maxTs[mid]! >= need) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * For each window end, the earliest time at which the input has ended or the window's task has
 * passed `end - 1` (Infinity when never; see the module comment): every source subtask active then
 * has passed it, and at least one has. A subtask passes it at the first moment it is active and
 * every active partition of it has reached (its first batch with a timestamp ≥ end + bound).
 * Activity changes only when a partition delivers or goes idle, so each such first moment is one
 * of those times or a reach time; the task's, one of the subtasks' pass times, a moment a
 * partition goes idle, or the end of input. A later end reaches no sooner, so every one of these
 * moments comes no sooner for it either: the ends are taken in order, and per subtask (and for the
 * task) the shared candidate times are walked once across all of them, each failed one never tried
 * again; only the few reach and pass times are tried per end.
 */
export function readyTimes(ends: Iterable<number>, spec: TimelinessSpec, input: TimelinessInput): Map<number, number> {
  const parts = input.partitions.map((batches) => prepare(batches));
  const idle = spec.idleTimeoutMs;
  const groups = subtaskGroups(parts.length, input.sources);
  /** Whether partition `k` delivered within the idle timeout before `t` (counting from the start when it has delivered nothing). */
  const active = (k: number, t: number): boolean => {
    if (idle <= 0) return true;
    const p = parts[k]!;
    const i = lastAtOrBefore(p.at, t);
    const lastActivity = i < 0 ? input.startMs : Math.max(input.startMs, p.at[i]!);
    return t - lastActivity < idle;
  };
  const sortedTimes = (ts: number[]): Float64Array => Float64Array.from(ts.filter((t) => Number.isFinite(t))).sort();
  /** Per subtask, the moments its partitions deliver or go idle (and the start). */
  const groupTimes = groups.map((g) => {
    const ts = [input.startMs];
    if (idle > 0) {
      ts.push(input.startMs + idle);
      for (const k of g) for (const a of parts[k]!.at) ts.push(a, a + idle);
    }
    return sortedTimes(ts);
  });
  /** The moments the task's condition can turn true besides the subtasks' pass times: a partition going idle, the end of input. */
  const taskShared = [input.endOfInputMs];
  if (idle > 0) {
    taskShared.push(input.startMs + idle);
    for (const p of parts) for (const a of p.at) taskShared.push(a + idle);
  }
  const taskTimes = sortedTimes(taskShared);
  const groupNext = groups.map(() => 0);
  let taskNext = 0;
  const out = new Map<number, number>();
  for (const end of [...new Set(ends)].sort((a, b) => a - b)) {
    const need = end + spec.boundMs;
    const reach = parts.map((p) => {
      const i = firstReaching(p.maxTs, need);
      return i < p.at.length ? p.at[i]! : Number.POSITIVE_INFINITY;
    });
    /** Subtask `g` is active at `t` and every active partition of it has reached. */
    const groupClear = (g: readonly number[], t: number): boolean => {
      let any = false;
      for (const k of g) {
        if (!active(k, t)) continue;
        if (t < reach[k]!) return false;
        any = true;
      }
      return any;
    };
    const passed = groups.map((g, gi) => {
      let best = Number.POSITIVE_INFINITY;
      for (const k of g) {
        const t = reach[k]!;
        if (t < best && Number.isFinite(t) && groupClear(g, t)) best = t;
      }
      const times = groupTimes[gi]!;
      // Shared candidates below this end's pass time fail for every later end too: skip them for good.
      let n = groupNext[gi]!;
      while (n < times.length && times[n]! < best && !groupClear(g, times[n]!)) n++;
      groupNext[gi] = n;
      if (n < times.length && times[n]! < best) best = times[n]!;
      return best;
    });
    const taskClear = (t: number): boolean => {
      if (t >= input.endOfInputMs) return true;
      let any = false;
      for (let gi = 0; gi < groups.length; gi++) {
        const done = passed[gi]! <= t;
        if (done) any = true;
        else if (groups[gi]!.some((k) => active(k, t))) return false;
      }
      return any;
    };
    let best = Number.POSITIVE_INFINITY;
    for (const t of passed) if (t < best && Number.isFinite(t) && taskClear(t)) best = t;
    while (taskNext < taskTimes.length && taskTimes[taskNext]! < best && !taskClear(taskTimes[taskNext]!)) taskNext++;
    if (taskNext < taskTimes.length && taskTimes[taskNext]! < best) best = taskTimes[taskNext]!;
    out.set(end, best);
  }
  return out;
}

/** The partitions of each source subtask, every partition in exactly one (see `TimelinessInput.sources`). */
function subtaskGroups(n: number, sources: readonly (readonly number[])[] | undefined): number[][] {
  if (sources === undefined) return [Array.from({ length: n }, (_, k) => k)];
  const seen = new Set<number>();
  const groups: number[][] = [];
  for (const src of sources) {
    const g = src.filter((k) => k >= 0 && k < n && !seen.has(k));
    for (const k of g) seen.add(k);
    if (g.length > 0) groups.push(g);
  }
  for (let k = 0; k < n; k++) if (!seen.has(k)) groups.push([k]);
  return groups;
}

/** A window of a task, in every attempt of the job (a restored attempt fires the same windows again). */
function lateWindowId(e: TraceEvent): string {
  return `${taskKeyId(e)}\u0000${String(e.start)}\u0000${String(e.end)}`;
}

/** A key of a task, in every attempt: what the judge keeps records dropped as late by. */
function taskKeyId(e: TraceEvent): string {
  return `${String(e.task)}\u0000${String(e.key)}`;
}

/** Appends `value` to `id`'s list in `map`. */
function pushTo<T>(map: Map<string, T[]>, id: string, value: T): void {
  const list = map.get(id);
  if (list) list.push(value);
  else map.set(id, [value]);
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['log.append', 'source.fetch', 'window.late', 'window.skip', 'record.late', 'window.fire', 'task.deploy', 'source.end', 'fault.planned', 'buggify'];

/**
 * Collects, from the trace as it is emitted, what `checkTimeliness` needs:
 * when each batch of the input topic reached the log (`log.append`), the
 * on-time firings (first firings not caused by a late record), the first
 * deployment, the end of input and the first fault on the data path (a slow
 * or corrupt disk of a process in `offPath` does not count; an anchored
 * fault, with no planned time, counts from the start).
 */
export class TimelinessTrace {
  private readonly appendMs: number[][];
  private readonly fires: OnTimeFire[] = [];
  /**
   * Windows a late record joined (`window.late`) or was kept out of (`window.skip`), in any
   * attempt: in the same attempt, a joined window's first firing is a late one (a skipped one is
   * closed); in a later attempt (after a restore, so after a fault) its on-time firing may come only
   * now, when the restored watermark lets the replayed record in on time. Neither is an on-time
   * firing the input made possible before any fault.
   */
  private readonly lateJoined = new Set<string>();
  /**
   * Per task and key, the timestamps of records dropped past allowed lateness, in any attempt: a
   * window holding one fires on time, if at all, only after a restore rewound the watermark below it.
   */
  private readonly droppedLate = new Map<string, number[]>();
  /** Per source subtask (task name), the input partitions it read from (`source.fetch`). */
  private readonly sourcePartitions = new Map<string, Set<number>>();
  private firstDeployMs = Number.POSITIVE_INFINITY;
  private lastSourceEndMs = Number.NEGATIVE_INFINITY;
  private firstFaultMs = Number.POSITIVE_INFINITY;

  /** `sessions`: the windows are session windows (see `restoredSession`). */
  constructor(private readonly inputTopic: string, partitions: number, private readonly offPath: ReadonlySet<string>, private readonly sessions = false) {
    this.appendMs = Array.from({ length: partitions }, () => []);
  }

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'log.append':
        if (e.topic === this.inputTopic) this.appendMs[e.partition as number]?.push(e.t);
        return;
      case 'source.fetch': {
        const task = String(e.task);
        let ps = this.sourcePartitions.get(task);
        if (ps === undefined) this.sourcePartitions.set(task, (ps = new Set()));
        ps.add(e.partition as number);
        return;
      }
      case 'window.late':
      case 'window.skip':
        this.lateJoined.add(lateWindowId(e));
        return;
      case 'record.late':
        pushTo(this.droppedLate, taskKeyId(e), e.ts as number);
        return;
      case 'window.fire':
        if (e.firing === 0 && !(this.lateJoined.size > 0 && this.lateJoined.has(lateWindowId(e))) && !this.heldDroppedRecord(e) && !this.restoredSession(e)) {
          this.fires.push({ t: e.t, key: e.key as string, start: e.start as number, end: e.end as number });
        }
        return;
      case 'task.deploy':
        this.firstDeployMs = Math.min(this.firstDeployMs, e.t);
        return;
      case 'source.end':
        this.lastSourceEndMs = Math.max(this.lastSourceEndMs, e.t);
        return;
      case 'fault.planned':
        if ((e.fault === 'slow-fsync' || e.fault === 'disk-corruption') && this.offPath.has(e.process as string)) return;
        this.firstFaultMs = Math.min(this.firstFaultMs, typeof e.atMs === 'number' ? e.atMs : 0);
        return;
      case 'buggify':
        this.firstFaultMs = Math.min(this.firstFaultMs, e.t);
        return;
    }
  }

  /**
   * The partitions each source subtask read, when every partition read belongs to one subtask only;
   * otherwise (two sources reading the same partitions) none, and the judge takes them all as one.
   */
  private sources(): Pick<TimelinessInput, 'sources'> {
    const owner = new Map<number, string>();
    for (const [task, ps] of this.sourcePartitions) {
      for (const p of ps) {
        if (owner.has(p) && owner.get(p) !== task) return {};
        owner.set(p, task);
      }
    }
    return { sources: [...this.sourcePartitions.values()].map((ps) => [...ps].sort((a, b) => a - b)) };
  }

  /** Whether `e` is a session fired in an attempt after the first, which is not judged (see the module comment). */
  private restoredSession(e: TraceEvent): boolean {
    return this.sessions && (e.attempt as number) > 0;
  }

  /** Whether a record of the fired window (same task and key, timestamp in it) was dropped as late before. */
  private heldDroppedRecord(e: TraceEvent): boolean {
    if (this.droppedLate.size === 0) return false;
    const list = this.droppedLate.get(taskKeyId(e));
    if (list === undefined) return false;
    const start = e.start as number;
    const end = e.end as number;
    for (let i = 0; i < list.length; i++) if (list[i]! >= start && list[i]! < end) return true;
    return false;
  }

  /** The input for `checkTimeliness`, given the input batches in schedule order (the k-th append of a partition is its k-th batch). */
  input(batches: readonly { partition: number; records: readonly { ts: number; key: string }[] }[]): TimelinessInput {
    const partitions: PartitionBatch[][] = this.appendMs.map(() => []);
    /** When each batch reached the log. */
    const batchAt = new Float64Array(batches.length);
    // Indexed loops: this runs once per run, mostly before V8 optimizes it, where a for-of
    // allocates an iterator result per record.
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      const list = partitions[b.partition]!;
      const records = b.records;
      const atMs = this.appendMs[b.partition]?.[list.length] ?? Number.POSITIVE_INFINITY;
      let maxTs = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < records.length; k++) maxTs = Math.max(maxTs, records[k]!.ts);
      list.push({ atMs, maxTs });
      batchAt[i] = atMs;
    }
    return {
      partitions,
      ...this.sources(),
      fires: this.fires,
      firstArrival: arrivalsByKey(batches, batchAt),
      startMs: this.firstDeployMs,
      endOfInputMs: Number.isFinite(this.lastSourceEndMs) ? this.lastSourceEndMs : Number.POSITIVE_INFINITY,
      firstFaultMs: this.firstFaultMs,
    };
  }
}

/**
 * `firstArrival` over the input batches and when each reached the log. Asked only about a firing
 * later than the input allowed (none, in a passing run), so it indexes the records on its first
 * question: per key, their timestamps in ascending order with their arrival times; each window is
 * then a range of them.
 */
function arrivalsByKey(
  batches: readonly { records: readonly { ts: number; key: string }[] }[], batchAt: Float64Array,
): (key: string, start: number, end: number) => number {
  let byKey: Map<string, { ts: Float64Array; at: Float64Array }> | undefined;
  const index = (): Map<string, { ts: Float64Array; at: Float64Array }> => {
    const raw = new Map<string, { ts: number; at: number }[]>();
    for (let i = 0; i < batches.length; i++) {
      const records = batches[i]!.records;
      for (let k = 0; k < records.length; k++) {
        const r = records[k]!;
        let ofKey = raw.get(r.key);
        if (ofKey === undefined) raw.set(r.key, (ofKey = []));
        ofKey.push({ ts: r.ts, at: batchAt[i]! });
      }
    }
    const out = new Map<string, { ts: Float64Array; at: Float64Array }>();
    for (const [key, list] of raw) {
      list.sort((a, b) => a.ts - b.ts); // stable: equal timestamps keep input order
      out.set(key, { ts: Float64Array.from(list, (x) => x.ts), at: Float64Array.from(list, (x) => x.at) });
    }
    return out;
  };
  return (key, start, end) => {
    byKey ??= index();
    const s = byKey.get(key);
    // A key no input record has (a pipeline keying by something else): not known.
    if (s === undefined) return Number.NEGATIVE_INFINITY;
    let first = Number.POSITIVE_INFINITY;
    for (let i = firstReaching(s.ts, start); i < s.ts.length && s.ts[i]! < end; i++) first = Math.min(first, s.at[i]!);
    return first;
  };
}
