/**
 * What this proves: `spark.watermark` judges the queries whose watermark it
 * can recompute from the input as read, and says it does not judge the
 * others rather than raise a false alarm. Spark's `EventTimeWatermark`
 * takes the event-time statistics of the rows that reach it, so a filter
 * before `withWatermark` (or a watermark on one side of a join only) gives a
 * watermark the input as read does not; such a query is legal and its run
 * correct.
 *
 * How: whole simulated runs with no faults of a user's query that filters
 * before its watermark, and of an inner join watermarked on one side; the
 * driver traces `watermarkOverPart` for them (and not for the shipped
 * wordcount), and the judge passes them as not judged. On the build before
 * they failed `spark.watermark` ("evicted with watermark 5, but the input
 * before the batch gives 65").
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/explore/run.ts';
import { findScenario, type Scenario } from '../../../scenarios/index.ts';
import { JOIN_LEFT_STREAM, JOIN_RIGHT_STREAM } from '../../../src/check/join.ts';
import { count, window, type Row } from '../../../src/engines/spark/dsl.ts';
import type { SparkBuild } from '../../../src/engines/spark/deployment.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';

const wordcount = findScenario('wordcount')!;

/** The shipped wordcount's workload and window checks, with a Spark query of our own. */
function withQuery(name: string, build: SparkBuild['build']): Scenario {
  return { ...wordcount, name, engines: { spark: { build } } };
}

function run(s: Scenario) {
  const starts: TraceEvent[] = [];
  const report = runScenario({ scenario: s.name, engine: 'spark', seed: 1, events: 200, guarantee: 'exactly-once', faults: 'none', bugs: [] }, {
    scenario: s,
    subscribers: [(e) => void (e.kind === 'spark.start' && starts.push(e))],
  });
  return { check: report.checks.find((c) => c.name === 'spark.watermark')!, start: starts[0]! };
}

describe('spark.watermark on a watermark taken over part of the input', () => {
  it('a filter before withWatermark: traced, and not judged instead of a false alarm', () => {
    const r = run(withQuery('filter-then-watermark', (spark) => spark.readStream('input').where((row) => (row.id as number) % 2 === 0).withWatermark('ts', 300)
      .groupBy(window('ts', 1_000), 'key').agg(count()).writeStream('output').outputMode('update')));
    expect(r.start.watermarkOverPart).toBe(true);
    expect(r.check.ok, r.check.detail).toBe(true);
    expect(r.check.detail).toMatch(/^not judged: the watermark is taken after a stage that changes the rows/);
  });

  it('a join watermarked on one side only: traced, and not judged', () => {
    const join = withQuery('one-sided-join', (spark) => {
      const all = spark.readStream('input');
      const left = all.where((row) => row.stream === JOIN_LEFT_STREAM || (row.id as number) % 2 === 0);
      const right = all.where((row) => row.stream === JOIN_RIGHT_STREAM || (row.id as number) % 2 === 1).withWatermark('ts', 60);
      return left.join(right, { key: 'key', time: 'ts', lowerMs: 0, upperMs: 500 }, (l: Row | null, r: Row | null): Row => ({ key: String((l ?? r)!.key), pair: `${String(l?.id)}+${String(r?.id)}` }), 'inner')
        .writeStream('output').outputMode('append');
    });
    const r = run(join);
    expect(r.start.watermarkOverPart).toBe(true);
    expect(r.check.detail).toMatch(/^not judged/);
  });

  it('the shipped wordcount, whose watermark sees every row as read, is judged and traces no such field', () => {
    const r = run(wordcount);
    expect(r.start.watermarkOverPart).toBeUndefined();
    expect(r.check.ok, r.check.detail).toBe(true);
    expect(r.check.detail).toMatch(/batches, each task with the watermark of the data before it/);
  });
});
