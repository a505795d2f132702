/**
 * `spark.watermark` on made-up traces: batch N evicts with the largest
 * event time before its start offsets − the delay, filters late rows with
 * batch N − 1's, and the rows of a batch whose committing run the file sink
 * skipped (its plan never ran) move no watermark. Each rule can fail.
 */
import { describe, expect, it } from 'vitest';
import { checkSparkWatermarks, SparkBatchTrace } from '../../src/check/spark-watermark.ts';
import { rec } from './helpers.ts';

/** One partition: batch 0 = offsets 0–1 (ts 100, 500), batch 1 = offset 2 (ts 900), batch 2 = offset 3 (ts 950), batch 3 nothing new. */
const input = [[rec(0, 100), rec(1, 500), rec(2, 900), rec(3, 950)].map((value, offset) => ({ offset, value }))];
const ranges = ['0:0-2', '0:2-3', '0:3-4', '0:4-4'];

function judge(batches: { late: number; evict: number; skipped?: boolean }[]) {
  const t = new SparkBatchTrace();
  const ev = (kind: string, fields: Record<string, unknown>) => t.onEvent({ seq: 0, t: 0, p: 'x', kind, ...fields });
  ev('spark.start', { watermarkDelayMs: 50 });
  batches.forEach((b, batch) => {
    ev('spark.batch', { batch, offsets: [ranges[batch]] });
    if (b.skipped) ev('spark.sink.skip', { batch, sink: 'file', committed: batch });
    else ev('spark.reduce', { batch, wmLate: b.late, wmEvict: b.evict });
    ev('spark.commit', { batch });
  });
  return checkSparkWatermarks(t, input);
}

describe('spark.watermark', () => {
  it('passes the watermarks of the data before each batch, the late one a batch behind', () => {
    expect(judge([{ late: 0, evict: 0 }, { late: 0, evict: 450 }, { late: 450, evict: 850 }, { late: 850, evict: 900 }]).ok).toBe(true);
  });

  it('fails a watermark from the batch\'s own data, and a late filter that is not the previous batch\'s', () => {
    expect(judge([{ late: 0, evict: 450 }]).detail).toMatch(/^a task of batch 0 evicted with watermark 450, but the input before the batch gives 0/);
    expect(judge([{ late: 0, evict: 0 }, { late: 450, evict: 450 }]).detail).toMatch(/^a task of batch 1 filtered late rows with watermark 450, but batch 0's is 0/);
  });

  it('counts no rows of a batch the file sink skipped: the next batch evicts as if they were absent', () => {
    // Batch 1 (ts 900) was skipped: batch 2 evicts with 500 − 50, not 900 − 50.
    expect(judge([{ late: 0, evict: 0 }, { late: 0, evict: 450, skipped: true }, { late: 450, evict: 450 }, { late: 450, evict: 900 }]).ok).toBe(true);
    expect(judge([{ late: 0, evict: 0 }, { late: 0, evict: 450, skipped: true }, { late: 450, evict: 850 }]).detail).toMatch(/^a task of batch 2 evicted with watermark 850, but the input before the batch gives 450/);
  });
});
