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
 * - a batch that ran again after a restart ran with the same watermarks.
 *
 * With several watermark operators (a stream-stream join's sides) this holds
 * under the max policy (the largest operator value is the largest event time
 * of all input − the delay, when all delays are equal); under the min policy
 * the check is skipped and says so.
 *
 * It reads the trace and the input, nothing of the engine.
 */
import type { TraceEvent } from '../runtime/trace-event.ts';
import type { InputRecord } from '../stream/records.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';

interface Batch {
  batch: number;
  wmLate: number;
  wmEvict: number;
  /** Start offset per input partition. */
  starts: number[];
}

/** Collects the batches as the driver ran them and the watermarks their stateful tasks used. */
export class SparkBatchTrace {
  readonly batches: Batch[] = [];
  /** Per batch, its start offsets (the same on every run of it: they come from the offset log). */
  private readonly starts = new Map<number, number[]>();
  delayMs: number | undefined;
  /** With several watermark operators (a join's sides), how the global watermark is chosen. */
  policy: string | undefined;

  onEvent(e: TraceEvent): void {
    if (e.kind === 'spark.start' && typeof e.watermarkDelayMs === 'number') this.delayMs = e.watermarkDelayMs;
    if (e.kind === 'spark.start' && typeof e.watermarkPolicy === 'string') this.policy = e.watermarkPolicy;
    if (e.kind === 'spark.batch') {
      const starts = (e.offsets as string[]).map((o) => Number(o.slice(o.indexOf(':') + 1, o.indexOf('-', o.indexOf(':')))));
      this.starts.set(e.batch as number, starts);
    }
    if (e.kind === 'spark.reduce') {
      const starts = this.starts.get(e.batch as number);
      if (starts) this.batches.push({ batch: e.batch as number, wmLate: e.wmLate as number, wmEvict: e.wmEvict as number, starts });
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
  // Several operators under the min policy: the global watermark depends on each operator's values,
  // which a restart forgets, so it is not a function of the input before the batch; not judged.
  if (trace.policy === 'min') return { name, ok: true, detail: 'not judged: several watermark operators under the min policy' };
  const problems = new Problems();
  // Per partition, prefix maxima of event time: prefix[k] = the largest ts of the first k records.
  const prefix = input.map((records) => {
    const out = [Number.MIN_SAFE_INTEGER];
    for (const r of records) out.push(Math.max(out[out.length - 1]!, (r.value as InputRecord).ts));
    return out;
  });
  /** The largest event time of partition p's records at offsets below `offset`. */
  const maxBefore = (p: number, offset: number): number => {
    const records = input[p] ?? [];
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (records[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return prefix[p]?.[lo] ?? Number.MIN_SAFE_INTEGER;
  };
  const expectedEvict = (b: Batch): number => {
    let max = Number.MIN_SAFE_INTEGER;
    b.starts.forEach((s, p) => {
      max = Math.max(max, maxBefore(p, s));
    });
    return max === Number.MIN_SAFE_INTEGER ? 0 : Math.max(0, max - delay);
  };
  const expected = new Map<number, number>();
  const want = (b: Batch): number => {
    let w = expected.get(b.batch);
    if (w === undefined) expected.set(b.batch, (w = expectedEvict(b)));
    return w;
  };
  const batches = new Set<number>();
  for (const b of trace.batches) {
    batches.add(b.batch);
    const evict = want(b);
    if (b.wmEvict !== evict) problems.add(`a task of batch ${b.batch} evicted with watermark ${b.wmEvict}, but the input before the batch gives ${evict} (max event time of earlier batches − ${delay} ms)`);
    const prev = trace.batches.find((x) => x.batch === b.batch - 1);
    const late = b.batch === 0 ? 0 : prev ? want(prev) : undefined;
    if (late !== undefined && b.wmLate !== late) {
      problems.add(`a task of batch ${b.batch} filtered late rows with watermark ${b.wmLate}, but batch ${b.batch - 1}'s is ${late}: the late filter uses the previous batch's watermark, never one from the batch's own data`);
    }
  }
  return problems.verdict(name, `${formatCount(batches.size)} batches, each task with the watermark of the data before it (delay ${delay} ms) and the previous batch's for late rows`);
}
