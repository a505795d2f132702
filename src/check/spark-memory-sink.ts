/**
 * `spark.memory-sink`: a query writing Spark's memory sink kept its table
 * as MemorySink does (part S9). It reads the trace (each driver
 * incarnation's `spark.start`, the batches it added to its table or skipped,
 * `spark.commit`, and a refused recovery), the table as the live driver
 * answers for it at the end, and the input — nothing of the engine.
 *
 * - Each driver incarnation has a table of its own, empty at start. In it,
 *   batch ids are added once each, in increasing order; a batch is skipped
 *   only when the table holds it or a later one already.
 * - Every batch an incarnation commits (`commits/N`) reached its table
 *   first, added or skipped: the sink comes before the commit log.
 * - Complete mode: every batch replaces the table, and the table at the end
 *   is the full aggregate — exactly one row per (key, window) of the input,
 *   with the batch reference's value and contributing records (complete
 *   mode filters nothing as late). After a driver restart the table is
 *   recreated by the next batch; one that restarted after the last batch
 *   ends with an empty table.
 * - Append and update mode: every batch is appended, and the rows stay;
 *   in append mode no (key, window) is written twice. A restarted driver
 *   refuses to recover such a query, and the table before it is gone: that
 *   is reported (it runs at all only under at-least-once).
 * - The table the driver answers with holds as many rows as the trace says
 *   it added since the last replacement.
 */
import type { TraceEvent } from '../runtime/trace-event.ts';
import type { InputRecord, OutputRecord, WindowResult } from '../stream/records.ts';
import { referenceModel } from './reference.ts';
import { formatCount, formatWindow, Problems } from './report.ts';
import type { CheckResult, WindowSpec } from './types.ts';
import { keyedWindowId } from './window-math.ts';

interface Incarnation {
  incarnation: number;
  /** Batches added, in order, with the rows of each and the table's size after it. */
  adds: { batch: number; rows: number; tableRows: number; truncated: boolean }[];
  /** Batches skipped, with the newest batch the table had been traced adding by then (undefined: none). */
  skips: { batch: number; held: number | undefined }[];
  /** Batches whose `commits/N` this incarnation wrote. */
  commits: number[];
  /** Problems seen in the order of events (a commit before its batch reached the table). */
  early: string[];
  refused?: string;
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['spark.start', 'spark.memory.add', 'spark.sink.skip', 'spark.commit', 'spark.query.refused'];

/** Follows the memory sink's events of a run. */
export class SparkMemoryTrace {
  /** The table's name (the query's name); undefined when the query writes no memory sink. */
  table: string | undefined;
  mode: 'append' | 'update' | 'complete' | undefined;
  readonly incarnations: Incarnation[] = [];

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    if (e.kind === 'spark.start' && typeof e.memoryTable === 'string') {
      this.table = e.memoryTable;
      this.mode = e.outputMode as 'append' | 'update' | 'complete';
      this.incarnations.push({ incarnation: e.incarnation as number, adds: [], skips: [], commits: [], early: [] });
      return;
    }
    const cur = this.incarnations[this.incarnations.length - 1];
    if (cur === undefined) return;
    switch (e.kind) {
      case 'spark.memory.add':
        cur.adds.push({ batch: e.batch as number, rows: e.rows as number, tableRows: e.tableRows as number, truncated: e.truncated === true });
        break;
      case 'spark.sink.skip':
        if (e.sink === 'memory') cur.skips.push({ batch: e.batch as number, held: cur.adds.length > 0 ? Math.max(...cur.adds.map((a) => a.batch)) : undefined });
        break;
      case 'spark.commit': {
        const b = e.batch as number;
        cur.commits.push(b);
        if (!cur.adds.some((a) => a.batch === b) && !cur.skips.some((s) => s.batch === b)) {
          cur.early.push(`driver incarnation ${cur.incarnation} wrote commits/${b} before batch ${b} reached its memory table (neither added nor skipped)`);
        }
        break;
      }
      case 'spark.query.refused':
        cur.refused = String(e.reason);
        break;
    }
  }
}

/**
 * `table`: the rows the live driver's table holds at the end (undefined: the driver was down).
 * `spec`: the scenario's window spec, for the complete-mode table against the reference.
 * Undefined when the query writes no memory sink.
 */
export function checkSparkMemorySink(trace: SparkMemoryTrace, table: readonly OutputRecord[] | undefined, input: readonly InputRecord[], spec: WindowSpec | undefined): CheckResult | undefined {
  if (trace.table === undefined) return undefined;
  const name = 'spark.memory-sink';
  const problems = new Problems();
  const complete = trace.mode === 'complete';
  let lost = 0;
  for (const inc of trace.incarnations) {
    judgeIncarnation(inc, complete, problems);
    if (inc.refused !== undefined) {
      const before = trace.incarnations.filter((i) => i.incarnation < inc.incarnation).map(tableSize).reduce((a, b) => a + b, 0);
      lost += before;
      problems.add(`driver incarnation ${inc.incarnation} refused to recover the ${trace.mode}-mode query ("${inc.refused}"): the ${formatCount(before)} rows the table held before the crash are gone`);
    }
  }
  const last = trace.incarnations[trace.incarnations.length - 1];
  const traced = last ? tableSize(last) : 0;
  if (table === undefined) problems.add(`table ${trace.table} could not be read: the driver was down when the run ended`);
  else if (table.length !== traced) problems.add(`table ${trace.table} holds ${formatCount(table.length)} rows, but its driver traced ${formatCount(traced)}`);
  const rows = table ?? [];
  const results = rows.filter((o): o is WindowResult => o.type === 'window');
  if (spec !== undefined && spec.assigner.kind !== 'session') {
    if (complete) compareWithReference(results, input, spec, last, problems);
    else if (trace.mode === 'append') onePerWindow(results, problems);
  }
  const batches = trace.incarnations.reduce((n, i) => n + i.adds.length, 0);
  const skips = trace.incarnations.reduce((n, i) => n + i.skips.length, 0);
  return problems.verdict(name,
    `table ${trace.table} (${trace.mode} mode): ${formatCount(batches)} batches added over ${formatCount(trace.incarnations.length)} driver incarnation${trace.incarnations.length === 1 ? '' : 's'}` +
    `${skips > 0 ? `, ${formatCount(skips)} skipped` : ''}, ${formatCount(rows.length)} rows at the end${complete && spec ? ', the full aggregate' : ''}${lost > 0 ? `, ${formatCount(lost)} lost` : ''}`);
}

/** The table's size after the incarnation's last add (0 before any). */
function tableSize(inc: Incarnation): number {
  return inc.adds[inc.adds.length - 1]?.tableRows ?? 0;
}

function judgeIncarnation(inc: Incarnation, complete: boolean, problems: Problems): void {
  let latest: number | undefined;
  let size = 0;
  for (const a of inc.adds) {
    if (latest !== undefined && a.batch <= latest) problems.add(`driver incarnation ${inc.incarnation} added batch ${a.batch} to its memory table after batch ${latest}: a batch the table holds must be skipped`);
    latest = latest === undefined ? a.batch : Math.max(latest, a.batch);
    size = complete ? a.rows : size + a.rows;
    if (complete && !a.truncated) problems.add(`driver incarnation ${inc.incarnation} appended batch ${a.batch} in complete mode: each batch replaces the table`);
    if (a.tableRows !== size) {
      problems.add(`after batch ${a.batch} (${formatCount(a.rows)} rows) the memory table of driver incarnation ${inc.incarnation} held ${formatCount(a.tableRows)} rows, not ${formatCount(size)} (${complete ? 'complete mode replaces the table' : 'the rows so far'})`);
    }
  }
  for (const s of inc.skips) {
    if (s.held === undefined || s.held < s.batch) problems.add(`driver incarnation ${inc.incarnation} skipped batch ${s.batch} though its memory table held ${s.held === undefined ? 'nothing' : `batches up to ${s.held} only`}`);
  }
  for (const p of inc.early) problems.add(p);
}

function compareWithReference(results: readonly WindowResult[], input: readonly InputRecord[], spec: WindowSpec, last: Incarnation | undefined, problems: Problems): void {
  const ref = referenceModel(input, spec);
  const seen = new Map<string, number>();
  for (const r of results) {
    const id = keyedWindowId(r.key, r.start, r.end);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (seen.get(id) === 2) problems.add(`the table holds key ${r.key} window ${formatWindow(r.start, r.end)} more than once: complete mode replaces the table every batch`);
    const w = ref.find(r.key, r.start, r.end);
    if (w === undefined) problems.add(`the table holds key ${r.key} window ${formatWindow(r.start, r.end)}, which no input record belongs to`);
    else if (r.value !== w.value || r.ids.length !== w.ids.length || r.ids.some((x, i) => x !== w.ids[i])) {
      problems.add(`the table holds key ${r.key} window ${formatWindow(r.start, r.end)} with value ${String(r.value)} of ${r.ids.length} records; the whole input gives ${w.value} of ${w.ids.length}`);
    }
  }
  const restartedIdle = last !== undefined && last.incarnation > 0 && last.adds.length === 0;
  for (const [id, w] of ref.windows) {
    if (seen.has(id)) continue;
    const why = restartedIdle ? ` (driver incarnation ${last.incarnation} ran no batch: after a driver restart a complete-mode table is recreated only by the next batch)` : '';
    problems.add(`the table has no row for key ${w.key} window ${formatWindow(w.start, w.end)} (${w.ids.length} records)${why}`);
  }
}

function onePerWindow(results: readonly WindowResult[], problems: Problems): void {
  const seen = new Set<string>();
  for (const r of results) {
    const id = keyedWindowId(r.key, r.start, r.end);
    if (seen.has(id)) problems.add(`the append-mode table holds key ${r.key} window ${formatWindow(r.start, r.end)} twice`);
    seen.add(id);
  }
}
