/**
 * `spark.watermark` on made-up traces: batch N evicts with the largest
 * event time before its start offsets − the delay, filters late rows with
 * batch N − 1's, and the rows of a batch whose committing run the file sink
 * skipped (its plan never ran) move no watermark. Each rule can fail.
 * Under the min policy over a join's two sides, each side's own maximum
 * counts and the smaller wins (a watermark taken as the larger fails); after
 * a driver restart the side values start afresh, so the watermark may lag
 * that value but never pass it.
 */
import { describe, expect, it } from 'vitest';
import { checkSparkWatermarks, SparkBatchTrace } from '../../src/check/spark-watermark.ts';
import { JOIN_LEFT_STREAM, JOIN_RIGHT_STREAM } from '../../src/check/join.ts';
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

  describe('min policy over a join\'s sides', () => {
    // Orders (left) at ts 100 and 900, payments (right) at 300 and 400; batches of one record each.
    const sides = [[rec(0, 100, 'a', 1, { stream: JOIN_LEFT_STREAM }), rec(1, 300, 'a', 1, { stream: JOIN_RIGHT_STREAM }), rec(2, 900, 'a', 1, { stream: JOIN_LEFT_STREAM }), rec(3, 400, 'a', 1, { stream: JOIN_RIGHT_STREAM })].map((value, offset) => ({ offset, value }))];
    const joinRanges = ['0:0-1', '0:1-2', '0:2-3', '0:3-4', '0:4-4'];
    function judgeMin(batches: { late: number; evict: number }[], restartBefore = Infinity, policy = 'min') {
      const t = new SparkBatchTrace();
      const ev = (kind: string, fields: Record<string, unknown>) => t.onEvent({ seq: 0, t: 0, p: 'driver', kind, ...fields });
      const start = (incarnation: number) => ev('spark.start', { incarnation, watermarkDelayMs: 50, watermarkOperators: 2, watermarkPolicy: policy, joinType: 'inner', joinLowerMs: 0, joinUpperMs: 500 });
      start(0);
      batches.forEach((b, batch) => {
        if (batch === restartBefore) start(1);
        ev('spark.batch', { batch, offsets: [joinRanges[batch]] });
        ev('spark.reduce', { batch, wmLate: b.late, wmEvict: b.evict });
        ev('spark.commit', { batch });
      });
      return checkSparkWatermarks(t, sides);
    }
    // Before each batch: (orders max, payments max) = (-, -), (100, -), (100, 300), (900, 300), (900, 400)
    // → side values (0, 0), (50, 0), (50, 250), (850, 250), (850, 350) → the smaller: 0, 0, 50, 250, 350.
    const right = [{ late: 0, evict: 0 }, { late: 0, evict: 0 }, { late: 0, evict: 50 }, { late: 50, evict: 250 }, { late: 250, evict: 350 }];

    it('passes the smaller side\'s watermark', () => {
      const r = judgeMin(right);
      expect(r.ok).toBe(true);
      expect(r.detail).toContain("min over the join's sides");
    });

    it('fails the larger side\'s (the max policy taken under min)', () => {
      const asMax = [{ late: 0, evict: 0 }, { late: 0, evict: 50 }, { late: 50, evict: 250 }, { late: 250, evict: 850 }, { late: 850, evict: 850 }];
      expect(judgeMin(asMax).detail).toMatch(/^a task of batch 1 evicted with watermark 50, but the input before the batch gives 0 \(the smallest over the join's sides/);
      // The same watermarks are right under the max policy.
      expect(judgeMin(asMax, Infinity, 'max').ok).toBe(true);
    });

    it('after a driver restart it may lag the side minimum, never pass it', () => {
      const lagging = [...right.slice(0, 3), { late: 50, evict: 50 }, { late: 50, evict: 50 }];
      expect(judgeMin(lagging).ok).toBe(false);
      expect(judgeMin(lagging, 3).ok).toBe(true);
      const ahead = [...right.slice(0, 3), { late: 50, evict: 300 }, { late: 300, evict: 350 }];
      expect(judgeMin(ahead, 3).detail).toMatch(/^a task of batch 3 evicted with watermark 300, but the input before the batch gives at most 250/);
    });
  });
});
