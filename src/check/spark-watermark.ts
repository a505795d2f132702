/**
 * `spark.watermark`: Spark's batch watermarks follow its rules (part S4).
 * For every batch that ran, from its `spark.batch` event (the offsets it
 * covered) and every stateful task of it (`spark.reduce`: the watermark the
 * task filtered late rows with and the one it evicted with), and the input
 * as the log holds it:
 *
 * - the eviction watermark of batch N is max(0, the largest event time of
 *   every record before batch N's start offsets − the delay): earlier
 *   batches only, never the batch's own data;
 * - the late watermark of batch N is the eviction watermark of batch N − 1
 *   (0 for batch 0);
 * - a batch that ran again after a restart ran with the same watermarks;
 * - the rows of a batch whose committing run a file sink skipped (its
 *   metadata log had the batch already, so the batch's plan never ran) move
 *   no watermark: they count as if absent.
 *
 * With several watermark operators (a stream-stream join's sides) this holds
 * under the max policy (the largest operator value is the largest event time
 * of all input − the delay, when all delays are equal). Under the min policy
 * (Spark's default) each side has its own value: the largest event time of
 * that side's rows before the batch − the delay (a side without rows yet
 * counts as 0), and the global watermark is the smallest, never going back.
 * The sides are the join's inputs as the shipped joins build them: orders
 * (`JOIN_LEFT_STREAM`) and payments (`JOIN_RIGHT_STREAM`). A restart forgets
 * the side values (only the global watermark is in the logs), so after a
 * driver restart a batch's watermarks are only bounded by that value (they
 * can lag it); before any restart they must equal it.
 *
 * It reads the trace and the input, nothing of the engine.
 */
import type { TraceEvent } from '../runtime/trace-event.ts';
import type { InputRecord } from '../stream/records.ts';
import { JOIN_LEFT_STREAM, JOIN_RIGHT_STREAM } from './join.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';

interface Batch {
  batch: number;
  wmLate: number;
  wmEvict: number;
  /** Start offset per input partition. */
  starts: number[];
  /** Run by a driver that had restarted (its side watermarks started afresh). */
  afterRestart: boolean;
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['spark.start', 'spark.restart', 'spark.join.outer', 'spark.batch', 'spark.sink.skip', 'spark.commit', 'spark.reduce'];

/** Collects the batches as the driver ran them and the watermarks their stateful tasks used. */
export class SparkBatchTrace {
  readonly batches: Batch[] = [];
  /** Per batch, its start offsets (the same on every run of it: they come from the offset log). */
  private readonly starts = new Map<number, number[]>();
  /** Per batch that ran, its offset ranges (start and end per input partition). */
  readonly ranges = new Map<number, { starts: number[]; ends: number[] }>();
  /** The query's output mode. */
  outputMode: 'append' | 'update' | 'complete' | undefined;
  /** Whether the latest run of each batch was skipped whole by a file sink. */
  private readonly runSkipped = new Map<number, boolean>();
  /** The offset ranges of batches committed by a run the file sink skipped: their rows moved no watermark. */
  readonly skipped: { starts: number[]; ends: number[] }[] = [];
  delayMs: number | undefined;
  /** With several watermark operators (a join's sides), how the global watermark is chosen. */
  policy: string | undefined;
  /** A stream-stream join's type and range (`right.ts − left.ts` in `[lower, upper]`). */
  join: { type: string; lowerMs: number; upperMs: number } | undefined;
  /** Rows an outer join emitted with nulls: the batch, the side (0 left, 1 right), the row's event time and record id. */
  readonly outer: { batch: number; side: number; ts: number; id: string }[] = [];
  /** How many watermark operators the query has (1 unless several, e.g. a join's sides). */
  operators = 1;
  /** The query's watermark is not taken over every input row's `ts` as read (a stage before it, one side of a join, another column). */
  overPart = false;
  /** A driver restarted (a `spark.start` of an incarnation after the first). */
  private restarted = false;
  /** The eviction watermark of the last batch that ran (0 before any). */
  private lastEvict = 0;
  /** The driver's latest start found its latest batch committed, and it has run no batch since. */
  private idleSinceCommittedRestart = false;

  /**
   * The eviction watermark the run's results stopped at, when the run ended with the driver idle since a
   * restart that found its latest batch committed (undefined otherwise). Spark asks for a no-data batch
   * only from the batch the same driver ran before, so such a driver runs its next batch only for new
   * data: with the input over, what waits for the watermark the logs hold (windows to emit in append
   * mode, an outer join's unmatched rows) waits for good, and the last batch that ran says how far
   * results went. (`spark.watermark` judges the watermark each batch ran with.)
   */
  stuckWatermark(): number | undefined {
    return this.idleSinceCommittedRestart ? this.lastEvict : undefined;
  }

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    if (e.kind === 'spark.start' && typeof e.watermarkDelayMs === 'number') this.delayMs = e.watermarkDelayMs;
    if (e.kind === 'spark.start' && typeof e.watermarkPolicy === 'string') this.policy = e.watermarkPolicy;
    if (e.kind === 'spark.start' && typeof e.watermarkOperators === 'number') this.operators = e.watermarkOperators;
    if (e.kind === 'spark.start' && e.watermarkOverPart === true) this.overPart = true;
    if (e.kind === 'spark.start' && typeof e.incarnation === 'number' && e.incarnation > 0) this.restarted = true;
    if (e.kind === 'spark.start' && typeof e.outputMode === 'string') this.outputMode = e.outputMode as 'append' | 'update' | 'complete';
    if (e.kind === 'spark.start' && typeof e.joinType === 'string') this.join = { type: e.joinType, lowerMs: e.joinLowerMs as number, upperMs: e.joinUpperMs as number };
    if (e.kind === 'spark.join.outer') this.outer.push({ batch: e.batch as number, side: e.side as number, ts: e.ts as number, id: String(e.ids) });
    if (e.kind === 'spark.restart') this.idleSinceCommittedRestart = e.rerun === false && (e.latestOffsets as number) >= 0;
    if (e.kind === 'spark.batch') {
      this.lastEvict = e.wmEvict as number;
      this.idleSinceCommittedRestart = false;
      const starts = (e.offsets as string[]).map((o) => Number(o.slice(o.indexOf(':') + 1, o.indexOf('-', o.indexOf(':')))));
      const ends = (e.offsets as string[]).map((o) => Number(o.slice(o.indexOf('-', o.indexOf(':')) + 1)));
      this.starts.set(e.batch as number, starts);
      this.ranges.set(e.batch as number, { starts, ends });
      this.runSkipped.set(e.batch as number, false);
    }
    // A file sink skips a batch its metadata log already has, and a foreachBatch re-run whose
    // every write was committed runs no plan: that run executes nothing.
    if (e.kind === 'spark.sink.skip' && (e.sink === 'file' || e.planSkipped === true)) this.runSkipped.set(e.batch as number, true);
    if (e.kind === 'spark.commit' && this.runSkipped.get(e.batch as number) === true) {
      const r = this.ranges.get(e.batch as number);
      if (r) this.skipped.push(r);
    }
    if (e.kind === 'spark.reduce') {
      const starts = this.starts.get(e.batch as number);
      if (starts) this.batches.push({ batch: e.batch as number, wmLate: e.wmLate as number, wmEvict: e.wmEvict as number, starts, afterRestart: this.restarted });
    }
  }
}

/**
 * `input`: per partition, the input records the query reads (with its isolation) and their log
 * offsets, in offset order.
 */
export function checkSparkWatermarks(trace: SparkBatchTrace, input: readonly (readonly { offset: number; value: unknown }[])[]): CheckResult {
  const name = 'spark.watermark';
  const delay = trace.delayMs;
  if (delay === undefined) return { name, ok: true, detail: 'the query has no watermark' };
  // This judge recomputes the watermark from the input as read; a query whose watermark sees other
  // rows or times (a filter or a derived column before it, one side of a join) it cannot judge.
  if (trace.overPart) return { name, ok: true, detail: 'not judged: the watermark is taken after a stage that changes the rows, on another column, or on one side of a join, and this judge computes it from every input row as read' };
  const minPolicy = trace.policy === 'min';
  const sides = minPolicy ? joinSides(trace) : undefined;
  if (minPolicy && sides === undefined) return { name, ok: true, detail: 'not judged: several watermark operators under the min policy, not the two sides of a join' };
  const problems = new Problems();
  const want = evictionWatermarks(delay, input, trace.skipped, sides);
  const batches = new Set<number>();
  // Before any restart the watermarks are exact; after one, under the min policy, only bounded.
  const exact = (b: Batch): boolean => !minPolicy || !b.afterRestart;
  const rule = minPolicy ? 'the smallest over the join\'s sides of the max event time of its earlier rows' : 'max event time of earlier batches';
  // The first task entry of each batch (what a `find` over the list gives), looked up: a search per entry was quadratic.
  const firstOf = new Map<number, Batch>();
  for (const b of trace.batches) if (!firstOf.has(b.batch)) firstOf.set(b.batch, b);
  for (const b of trace.batches) {
    batches.add(b.batch);
    const evict = want(b);
    if (exact(b) ? b.wmEvict !== evict : b.wmEvict > evict) {
      problems.add(`a task of batch ${b.batch} evicted with watermark ${b.wmEvict}, but the input before the batch gives ${exact(b) ? '' : 'at most '}${evict} (${rule} − ${delay} ms)`);
    }
    const prev = firstOf.get(b.batch - 1);
    const late = b.batch === 0 ? 0 : prev ? want(prev) : undefined;
    if (late !== undefined && (exact(b) ? b.wmLate !== late : b.wmLate > late)) {
      problems.add(`a task of batch ${b.batch} filtered late rows with watermark ${b.wmLate}, but batch ${b.batch - 1}'s is ${exact(b) ? '' : 'at most '}${late}: the late filter uses the previous batch's watermark, never one from the batch's own data`);
    }
  }
  return problems.verdict(name, `${formatCount(batches.size)} batches, each task with the watermark of the data before it (${minPolicy ? 'min over the join\'s sides, ' : ''}delay ${delay} ms) and the previous batch's for late rows`);
}

/** Under the min policy with a join: which watermark operator a row feeds (0 orders, 1 payments, -1 neither). */
function joinSides(trace: SparkBatchTrace): ((value: unknown) => number) | undefined {
  if (!trace.join || trace.operators !== 2) return undefined;
  return (value) => {
    const stream = (value as InputRecord).stream;
    return stream === JOIN_LEFT_STREAM ? 0 : stream === JOIN_RIGHT_STREAM ? 1 : -1;
  };
}

/**
 * The eviction watermark each batch must run with, from the input alone: max(0, the largest event
 * time of every record before the batch's start offsets − the delay). With `sideOf` (the min
 * policy over a join's two sides): max(0, the smallest over the sides of that side's largest event
 * time − the delay), a side without rows counting as 0.
 */
export function evictionWatermarks(
  delay: number, input: readonly (readonly { offset: number; value: unknown }[])[], skipped: readonly { starts: number[]; ends: number[] }[] = [],
  sideOf?: (value: unknown) => number,
): (b: { batch: number; starts: number[] }) => number {
  const sides = sideOf === undefined ? 1 : 2;
  const side = sideOf ?? ((): number => 0);
  /** Whether the record at `offset` of partition p belongs to a batch the file sink skipped. */
  const isSkipped = skipped.length === 0 ? (): boolean => false
    : (p: number, offset: number): boolean => skipped.some((r) => offset >= (r.starts[p] ?? 0) && offset < (r.ends[p] ?? 0));
  // Per side and partition, prefix maxima of event time over the records that count: prefix[s][p][k] = the largest ts of side s among the first k records.
  const prefix = Array.from({ length: sides }, (_, s) => input.map((records, p) => {
    const out = [Number.MIN_SAFE_INTEGER];
    let m = Number.MIN_SAFE_INTEGER;
    // Indexed: this runs once per run, mostly before V8 optimizes it, where a for-of allocates an iterator result per record.
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (!isSkipped(p, r.offset) && side(r.value) === s) m = Math.max(m, (r.value as InputRecord).ts);
      out.push(m);
    }
    return out;
  }));
  /** How many of partition p's records lie at offsets below `offset`. */
  const countBefore = (p: number, offset: number): number => {
    const records = input[p] ?? [];
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (records[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const expected = new Map<number, number>();
  return (b) => {
    let w = expected.get(b.batch);
    if (w === undefined) {
      let chosen = Number.POSITIVE_INFINITY;
      for (let s = 0; s < sides; s++) {
        let max = Number.MIN_SAFE_INTEGER;
        b.starts.forEach((st, p) => {
          max = Math.max(max, prefix[s]![p]?.[countBefore(p, st)] ?? Number.MIN_SAFE_INTEGER);
        });
        chosen = Math.min(chosen, max === Number.MIN_SAFE_INTEGER ? 0 : max - delay);
      }
      w = Math.max(0, chosen);
      expected.set(b.batch, w);
    }
    return w;
  };
}

/**
 * `spark.join.outer`: an outer join emits a row with nulls only in a batch whose eviction watermark
 * (the one the input before the batch gives, as `spark.watermark` derives it) has passed the row's
 * range: a left row at `ts` once `ts + upper < W` (no right row at or before `ts + upper` can come
 * any more), a right row once `ts − lower < W`. Reads the trace and the input, nothing of the engine.
 */
export function checkSparkOuterJoin(trace: SparkBatchTrace, input: readonly (readonly { offset: number; value: unknown }[])[]): CheckResult {
  const name = 'spark.join.outer';
  const join = trace.join;
  const delay = trace.delayMs;
  if (!join || delay === undefined) return { name, ok: true, detail: 'the query has no outer join with a watermark' };
  const sides = trace.policy === 'min' ? joinSides(trace) : undefined;
  if (trace.policy === 'min' && sides === undefined) return { name, ok: true, detail: 'not judged: several watermark operators under the min policy, not the two sides of a join' };
  const problems = new Problems();
  // Under the min policy a restarted driver can run behind this value, never ahead: a row emitted
  // before it passed the row's range was emitted too early in any case.
  const want = evictionWatermarks(delay, input, trace.skipped, sides);
  const starts = new Map<number, number[]>();
  for (const b of trace.batches) starts.set(b.batch, b.starts);
  for (const o of trace.outer) {
    const st = starts.get(o.batch);
    if (!st) {
      problems.add(`record ${o.id} was emitted with nulls in batch ${o.batch}, which no stateful task of the trace ran`);
      continue;
    }
    const w = want({ batch: o.batch, starts: st });
    const passed = o.side === 0 ? o.ts + join.upperMs < w : o.ts - join.lowerMs < w;
    if (!passed) {
      const range = o.side === 0 ? `a payment up to ${o.ts + join.upperMs} could still come` : `an order from ${o.ts - join.upperMs} to ${o.ts - join.lowerMs} could still come`;
      problems.add(`${o.side === 0 ? 'order' : 'payment'} ${o.id} at ${o.ts} was emitted with nulls in batch ${o.batch}, whose watermark is ${w}: ${range}`);
    }
  }
  return problems.verdict(name, `${formatCount(trace.outer.length)} rows emitted with nulls (${join.type}), each after the watermark passed its range`);
}
