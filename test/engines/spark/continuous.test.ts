/**
 * Spark's continuous processing (part S11) and stateless micro-batch queries.
 *
 * What this proves:
 * - the analyzer refuses what continuous processing does not support
 *   (aggregations, deduplication, groups with state, joins, watermarks, the
 *   file sink and foreachBatch), and a continuous scenario refuses
 *   exactly-once with a message that names the fix;
 * - a fault-free continuous run commits its epochs in order, each after
 *   its offsets are logged, ends once the committed offsets reach the
 *   sealed end of every partition, and writes each kept record once;
 * - with the broker down while rows are written and then an executor
 *   crash, the epoch does not commit, the run fails and starts again from
 *   the last committed epoch: nothing is lost (etl.no-loss) and the
 *   replayed rows are written again (duplicates, allowed under
 *   at-least-once) — the guarantee the programming guide states;
 * - a stateless micro-batch query (no stateful operator) writes from its
 *   map tasks, and under exactly-once a re-run batch is skipped by its
 *   marker.
 * How: whole runs of the `etl` and `etl-continuous` scenarios, read
 * through the trace and the checks.
 */
import { describe, expect, it } from 'vitest';
import { planProblem, spark, type Row } from '../../../src/engines/spark/dsl.ts';
import { runScenario } from '../../../src/explore/run.ts';
import { engineProblem } from '../../../src/explore/engines.ts';
import { findScenario } from '../../../scenarios/index.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import type { FaultPlan } from '../../../src/sim/faults.ts';

const continuous = { continuousMs: 100 };
const src = () => spark.readStream('input');

describe('what continuous processing refuses (UnsupportedOperationChecker.checkForContinuous)', () => {
  it('accepts filters and maps', () => {
    expect(planProblem(src().where((r) => (r.value as number) > 0).withColumn('x', () => 1).writeStream('out').trigger(continuous).plan)).toBeUndefined();
  });
  it('refuses an aggregation, a deduplication, groups with state, a watermark, the file sink and foreachBatch', () => {
    const agg = src().withColumn('ts', (r) => r.ts);
    expect(planProblem(src().dropDuplicates(['id']).writeStream('out').trigger(continuous).plan)).toBe('Continuous processing does not support Deduplicate operations.');
    expect(planProblem(src().groupByKey((r) => String(r.key)).mapGroupsWithState((k: string) => ({ k } as Row)).writeStream('out').outputMode('update').trigger(continuous).plan))
      .toBe('Continuous processing does not support FlatMapGroupsWithState operations.');
    expect(planProblem(agg.withWatermark('ts', 10).writeStream('out').trigger(continuous).plan)).toBe('Continuous processing does not support EventTimeWatermark operations.');
    expect(planProblem(src().writeStream().format('json').option('path', 'out').trigger(continuous).plan)).toBe('Data source json does not support continuous processing.');
    expect(planProblem(src().writeStream().foreachBatch(() => {}).trigger(continuous).plan)).toBe("'foreachBatch' is not supported with continuous trigger");
    expect(planProblem(src().writeStream('out').trigger({ continuousMs: 0 }).plan)).toMatch(/≥ 1 ms/);
  });
  it('a continuous scenario refuses exactly-once, naming the fix', () => {
    const s = findScenario('etl-continuous')!;
    expect(engineProblem(s, { engine: 'spark', bugs: [], guarantee: 'exactly-once' })).toMatch(/at-least-once.*--guarantee at-least-once/);
    expect(engineProblem(s, { engine: 'spark', bugs: [], guarantee: 'at-least-once' })).toBeUndefined();
  });
});

function runContinuous(plan?: FaultPlan, seed = 1) {
  const events: TraceEvent[] = [];
  const report = runScenario(
    { scenario: 'etl-continuous', engine: 'spark', seed, guarantee: 'at-least-once', faults: 'none', bugs: [], events: 400, ...(plan ? { plan } : {}) },
    { subscribers: [(e) => { if (e.kind.startsWith('spark.')) events.push(e); }] },
  );
  return { report, events, check: (name: string) => report.checks.find((c) => c.name === name)! };
}

describe('a continuous run', () => {
  it('commits epochs in order, each after its offsets, ends at the sealed end, and writes each kept record once', () => {
    const { report, events, check } = runContinuous();
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
    expect(check('etl.no-duplicates').detail).toBe('no record has more than one output');
    const commits = events.filter((e) => e.kind === 'spark.commit').map((e) => e.batch as number);
    expect(commits.length).toBeGreaterThan(5);
    expect(commits).toEqual(commits.map((_, i) => i));
    for (const c of commits) {
      const offsets = events.findIndex((e) => e.kind === 'spark.offsets' && e.batch === c);
      const commit = events.findIndex((e) => e.kind === 'spark.commit' && e.batch === c);
      expect(offsets, `epoch ${c}`).toBeGreaterThanOrEqual(0);
      expect(offsets).toBeLessThan(commit);
    }
    expect(events.at(-1)?.kind === 'spark.finished' || events.some((e) => e.kind === 'spark.finished')).toBe(true);
    expect(events.filter((e) => e.kind === 'spark.cont.task')).toHaveLength(2);
  });

  it('after a failure replays from the last committed epoch: nothing lost, some rows written twice', () => {
    const plans: FaultPlan[] = [2_000, 1_200, 1_500].map((at) => ({
      faults: [{ kind: 'crash', atMs: at, process: 'broker', restartAfterMs: 600 }, { kind: 'crash', atMs: at + 300, process: 'executor-0', restartAfterMs: 300 }],
    }));
    let duplicated = 0;
    for (const plan of plans) {
      const { report, events, check } = runContinuous(plan);
      expect(check('etl.no-loss').ok, check('etl.no-loss').detail).toBe(true);
      expect(report.ok).toBe(true);
      const fail = events.find((e) => e.kind === 'spark.query.fail');
      expect(fail, 'the stalled epoch fails the run').toBeDefined();
      // The new run starts in the epoch after the last one committed before the failure.
      const before = events.filter((e) => e.kind === 'spark.commit' && e.seq < fail!.seq).map((e) => e.batch as number);
      const restart = events.find((e) => e.kind === 'spark.restart' && e.seq > fail!.seq)!;
      expect(restart.epoch).toBe(Math.max(-1, ...before) + 1);
      if (/records have more than one output/.test(check('etl.no-duplicates').detail)) duplicated++;
    }
    expect(duplicated, 'a replay writes rows again').toBeGreaterThan(0);
  });
});

describe('a stateless micro-batch query', () => {
  it('writes from its map tasks, each kept record once under exactly-once, through a driver crash', () => {
    const plan: FaultPlan = { faults: [{ kind: 'crash', atMs: 1_500, process: 'driver', restartAfterMs: 200 }, { kind: 'crash', atMs: 3_000, process: 'executor-1', restartAfterMs: 200 }] };
    const r = runScenario({ scenario: 'etl', engine: 'spark', seed: 2, guarantee: 'exactly-once', faults: 'none', bugs: [], events: 400, plan });
    expect(r.ok, JSON.stringify(r.checks.filter((c) => !c.ok))).toBe(true);
    expect(r.output.committed).toBeGreaterThan(250);
  });
});

describe('the replay of a continuous run', () => {
  it('speaks of epochs and failed runs, not batches', async () => {
    const { replayOf } = await import('../../tui/helpers.ts');
    const { replaySummary } = await import('../../../src/tui/summary.ts');
    const plan: FaultPlan = { faults: [{ kind: 'crash', atMs: 2_000, process: 'broker', restartAfterMs: 600 }, { kind: 'crash', atMs: 2_300, process: 'executor-0', restartAfterMs: 300 }] };
    const text = replaySummary(await replayOf({ scenario: 'etl-continuous', engine: 'spark', seed: 1, guarantee: 'at-least-once', faults: 'none', bugs: [], events: 400, plan }));
    expect(text).toMatch(/epochs {7}0–\d+ committed \(continuous processing\), 1 failed run started again/);
    expect(text).toMatch(/continuous run \d+ starts in epoch \d+, from the offsets of epoch \d+/);
    expect(text).not.toMatch(/ batches {6}/);
  });
});

describe('the offsets directory of a continuous query', () => {
  // ContinuousExecution's offset log is an HDFSMetadataLog too, which makes its directory when the
  // query is constructed: at the first start, and at each start after a failure (a new query).
  it('is added at every start, before the logs are read: made once, found there after a failure', () => {
    const plan: FaultPlan = { faults: [{ kind: 'crash', atMs: 2_000, process: 'broker', restartAfterMs: 600 }, { kind: 'crash', atMs: 2_300, process: 'executor-0', restartAfterMs: 300 }] };
    const events: TraceEvent[] = [];
    const report = runScenario(
      { scenario: 'etl-continuous', engine: 'spark', seed: 1, guarantee: 'at-least-once', faults: 'none', bugs: [], events: 400, plan },
      { traceIo: true, subscribers: [(e) => {
        if (e.kind === 'spark.query.fail' || e.kind === 'spark.restart') events.push({ ...e });
        else if (e.kind === 'net.send' && e.p === 'driver' && String(e.msg).startsWith('store.')) events.push({ ...e });
        else if (e.kind === 'disk.write' && e.op === 'rename' && e.path === 'offsets') events.push({ ...e });
      }] },
    );
    expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
    const fails = events.filter((e) => e.kind === 'spark.query.fail');
    expect(fails.length).toBeGreaterThan(0);
    // The first store request of each start (the first one, and each after a failure) adds the directory.
    const starts = [-1, ...fails.map((f) => f.seq)];
    for (const after of starts) {
      const first = events.find((e) => e.seq > after && e.kind === 'net.send');
      expect(first?.msg, `the first store request after event ${after}`).toBe('store.add');
      const restart = events.find((e) => e.seq > after && e.kind === 'spark.restart')!;
      expect(first!.seq).toBeLessThan(restart.seq);
    }
    // Written once: the later adds find it there.
    expect(events.filter((e) => e.kind === 'disk.write')).toHaveLength(1);
  });
});
