/**
 * Spark's window arithmetic (part S6, `TimeWindowing`) and what its analyzer
 * refuses (S7), on exact cases.
 */
import { describe, expect, it } from 'vitest';
import { planProblem, spark, sparkWindows, window, count } from '../../../src/engines/spark/dsl.ts';

describe('Spark windows', () => {
  it('tumbling: the one window [floor(ts / size) · size, + size), negative starts allowed', () => {
    expect(sparkWindows(window('ts', 1_000), 999)).toEqual([{ start: 0, end: 1_000 }]);
    expect(sparkWindows(window('ts', 1_000), 1_000)).toEqual([{ start: 1_000, end: 2_000 }]);
    expect(sparkWindows(window('ts', 1_000), -1)).toEqual([{ start: -1_000, end: 0 }]);
  });

  it('sliding: every window holding ts, oldest first, ceil(size / slide) candidates', () => {
    expect(sparkWindows(window('ts', 10, 5), 12)).toEqual([{ start: 5, end: 15 }, { start: 10, end: 20 }]);
    expect(sparkWindows(window('ts', 10, 4), 9).map((w) => w.start)).toEqual([0, 4, 8]);
    expect(sparkWindows(window('ts', 10, 3), 2).map((w) => w.start)).toEqual([-6, -3, 0]);
  });

  it('refuses append with an aggregation and no watermark, and complete without an aggregation (update without one writes as append)', () => {
    const agg = spark.readStream('in').groupBy(window('ts', 1_000), 'key').agg(count());
    expect(planProblem(agg.writeStream('out').outputMode('append').plan)).toMatch(/needs a watermark/);
    expect(planProblem(agg.writeStream('out').outputMode('update').plan)).toBeUndefined();
    expect(planProblem(spark.readStream('in').withWatermark('ts', 10).groupBy(window('ts', 1_000), 'key').agg(count()).writeStream('out').plan)).toBeUndefined();
    expect(planProblem(spark.readStream('in').writeStream('out').outputMode('update').plan)).toBeUndefined();
    expect(planProblem(spark.readStream('in').writeStream('out').outputMode('complete').plan)).toMatch(/^Complete output mode not supported when there are no streaming aggregations/);
  });
});
