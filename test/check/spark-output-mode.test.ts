/**
 * `spark.output-mode` on a made-up run of 100 ms counts with a 50 ms
 * watermark delay, one partition: batch 0 reads a@10, a@20, b@150
 * (watermark then 100); batch 1 is the no-data batch that evicts at 100;
 * batch 2 reads a@30 — late for window [0, 100) in append and update mode
 * (its end 100 <= the late watermark 100), not in complete mode — and a@260
 * (watermark then 210); batch 3 is the no-data batch that evicts at 210.
 * Complete mode runs no no-data batch: its batch 1 reads a@30 and a@260.
 * Each mode's right output passes; a result too many, too few, or with the
 * wrong count fails.
 */
import { describe, expect, it } from 'vitest';
import { checkSparkOutputMode } from '../../src/check/spark-output-mode.ts';
import { SparkBatchTrace } from '../../src/check/spark-watermark.ts';
import { tumbling } from '../../src/stream/assigners.ts';
import type { WindowResult } from '../../src/stream/records.ts';
import type { WindowSpec } from '../../src/check/types.ts';
import { rec } from './helpers.ts';

const input = [[rec(0, 10), rec(1, 20), rec(2, 150, 'b'), rec(3, 30), rec(4, 260)].map((value, offset) => ({ offset, value }))];
const ranges = ['0:0-3', '0:3-3', '0:3-5', '0:5-5'];
const completeRanges = ['0:0-3', '0:3-5'];
const spec: WindowSpec = { assigner: tumbling(100), aggregate: 'count', allowedLatenessMs: 0 };

const result = (batch: number, key: string, start: number, value: number): WindowResult & { batch: number } =>
  ({ type: 'window', key, start, end: start + 100, value, firing: 0, ids: [], ts: start + 99, batch });

function judge(mode: 'append' | 'update' | 'complete', output: ReturnType<typeof result>[]) {
  const t = new SparkBatchTrace();
  const ev = (kind: string, fields: Record<string, unknown>) => t.onEvent({ seq: 0, t: 0, p: 'x', kind, ...fields });
  ev('spark.start', { watermarkDelayMs: 50, outputMode: mode });
  // Complete mode runs no no-data batch.
  (mode === 'complete' ? completeRanges : ranges).forEach((r, batch) => ev('spark.batch', { batch, offsets: [r] }));
  return checkSparkOutputMode(t, input, output, spec)!;
}

describe('spark.output-mode', () => {
  it('append: each window once, in the batch whose eviction watermark passed its end, with its final count', () => {
    const good = [result(1, 'a', 0, 2), result(3, 'b', 100, 1)];
    expect(judge('append', good).ok).toBe(true);
    expect(judge('append', [result(0, 'a', 0, 2), result(3, 'b', 100, 1)]).detail).toMatch(/^batch 0 \(append mode, eviction watermark 0\) wrote key a window starting 0, but its end is past the eviction watermark/);
    expect(judge('append', [result(1, 'a', 0, 3), result(3, 'b', 100, 1)]).detail).toMatch(/^batch 1 wrote key a window starting 0 with count 3, but its rows up to this batch count 2/);
  });

  it('update: exactly the windows the batch changed, with their counts (a late row changes nothing)', () => {
    const good = [result(0, 'a', 0, 2), result(0, 'b', 100, 1), result(2, 'a', 200, 1)];
    expect(judge('update', good).ok).toBe(true);
    // Writing b again in batch 2, which did not change it, is not update mode.
    expect(judge('update', [...good, result(2, 'b', 100, 1)]).detail).toMatch(/^batch 2 \(update mode, eviction watermark 100\) wrote key b window starting 100, but no row of the batch changed it/);
    expect(judge('update', good.slice(1)).detail).toMatch(/^batch 0 \(update mode, late watermark 0, eviction watermark 0\) should have written key a window starting 0 \(count 2\), but did not/);
  });

  it('complete: the whole table every batch, with nothing dropped as late', () => {
    const good = [result(0, 'a', 0, 2), result(0, 'b', 100, 1), result(1, 'a', 0, 3), result(1, 'b', 100, 1), result(1, 'a', 200, 1)];
    expect(judge('complete', good).ok).toBe(true);
    expect(judge('complete', good.filter((r) => !(r.batch === 1 && r.key === 'b'))).detail).toMatch(/^batch 1 .* should have written key b window starting 100 \(count 1\), but did not/);
  });

  it('is not judged when the results carry no batch', () => {
    const t = new SparkBatchTrace();
    t.onEvent({ seq: 0, t: 0, p: 'x', kind: 'spark.start', watermarkDelayMs: 50, outputMode: 'append' });
    expect(checkSparkOutputMode(t, input, [{ type: 'window', key: 'a', start: 0, end: 100, value: 2, firing: 0, ids: [], ts: 99 }], spec)).toBeUndefined();
  });
});
