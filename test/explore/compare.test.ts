/**
 * What this proves: `weir compare` runs one scenario on every engine with a
 * build, on one workload with the same role-stated faults mapped onto each
 * engine's own processes, and measures what it reports from the runs
 * themselves: processing latency never above visible latency, records read
 * again and state restored only after a crash, each engine's knob (default
 * or set) reaching its run, a histogram that holds every visible record,
 * and seeds summarised by median and range.
 *
 * How: wordcount with a worker crash (400 events) and without faults (200
 * events, one knob of each engine set). Malformed role faults are refused
 * with the expected form. Faults drawn from a seed and a profile are stated
 * by role, the same for every engine, and every engine passes its checks
 * under them (wordcount, seed 1, heavy, exactly-once).
 */
import { describe, expect, it } from 'vitest';
import { compareEngines, drawRoleFaults, histogram, parseRoleFault, planFor, processOf, spreadOf, summarizeSeeds, HISTOGRAM_EDGES_MS } from '../../src/explore/compare.ts';
import { decodeToken } from '../../src/explore/settings.ts';
import { findScenario } from '../../scenarios/index.ts';

describe('weir compare', () => {
  it('maps a role onto each engine\'s process', () => {
    expect(['flink', 'kstreams', 'spark'].map((e) => processOf(e as never, 'worker'))).toEqual(['tm-0', 'ks-0', 'executor-0']);
    expect(['flink', 'kstreams', 'spark'].map((e) => processOf(e as never, 'coordinator'))).toEqual(['jm', 'broker', 'driver']);
    expect(planFor('spark', [{ kind: 'cut', a: 'broker', b: 'worker', atMs: 10, durationMs: 5 }])).toEqual({ faults: [{ kind: 'partition', atMs: 10, a: 'broker', b: 'executor-0', durationMs: 5 }] });
    // Kafka Streams' coordinator is the broker: a cut between the two is no fault at all.
    expect(planFor('kstreams', [{ kind: 'cut', a: 'broker', b: 'coordinator', atMs: 10, durationMs: 5 }])).toEqual({ faults: [] });
  });

  it('runs wordcount on all three engines with the same worker crash, and measures latency and recovery from the runs', () => {
    const c = compareEngines({ scenario: 'wordcount', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], events: 400 }, [{ kind: 'crash', role: 'worker', atMs: 1_500, restartAfterMs: 300 }]);
    expect(c.columns.map((col) => col.engine)).toEqual(['flink', 'kstreams', 'spark']);
    for (const col of c.columns) {
      const what = col.engine;
      expect(col.report.checks.filter((x) => !x.ok), what).toEqual([]);
      expect(col.report.faults.crashes, what).toBe(1);
      expect(col.visible.count + col.visible.never, what).toBe(400);
      expect(col.visible.never, what).toBe(col.late.count);
      expect(col.visible.p50, what).toBeGreaterThan(0);
      expect(col.visible.p50 <= col.visible.p99 && col.visible.p99 <= col.visible.max, what).toBe(true);
      // A result leaves the engine before (or when) it becomes visible, never after.
      expect(col.processing.count, what).toBeGreaterThanOrEqual(col.visible.count);
      expect(col.processing.p50, what).toBeLessThanOrEqual(col.visible.p50);
      expect(col.processing.max, what).toBeLessThanOrEqual(col.visible.max);
      expect(col.recoveryMs, what).toBeGreaterThan(0);
      expect(col.readAgain, what).toBeGreaterThanOrEqual(0);
      expect(col.restored, what).toBeDefined();
      expect(col.diskBytes, what).toBeGreaterThan(10_000);
      expect(col.messages, what).toBeGreaterThan(1_000);
      expect(histogram(col.visibleSamples).reduce((a, b) => a + b, 0), what).toBe(col.visible.count);
    }
    const [flink, kstreams] = c.columns;
    // Flink restores a checkpoint and its sources replay from its offsets; Kafka Streams rebuilds its stores from the changelog.
    expect(flink!.restored!.what).toMatch(/^checkpoint \d+$/);
    expect(flink!.restored!.bytes).toBeGreaterThan(0);
    expect(flink!.readAgain).toBeGreaterThan(0);
    expect(kstreams!.restored!.what).toMatch(/^[\d,]+ records$/);
    expect(kstreams!.restored!.bytes).toBeGreaterThan(0);
    // Flink's results wait for the window to close and then for a checkpoint; the others show running counts.
    expect(flink!.visible.p50).toBeGreaterThan(2 * kstreams!.visible.p50);
    expect(c.columns.map((col) => [col.knob.flag, col.knob.ms, col.knob.set])).toEqual([
      ['--checkpoint-interval', 500, false], ['--commit-interval', 100, false], ['--trigger-interval', 100, false],
    ]);
  });

  it('a stateless Kafka Streams application: the crashed instance\'s transaction holds the output back until the broker\'s timeout, and the reader waits to see it', () => {
    // ks-0 crashes while its open transaction has written to both output partitions ahead of ks-1's
    // records (from 2,882 ms, until it would commit at about 2,906): no result of either instance is
    // visible behind it. (At 2,880 it had written only to one, and ks-1's results on the other were
    // visible 32 ms after the crash; at 3,030, inside its next transaction, ks-1's records on one
    // partition came before ks-0's, and were visible 16 ms after it.)
    const c = compareEngines({ scenario: 'etl', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] }, [{ kind: 'crash', role: 'worker', atMs: 2_895, restartAfterMs: 300 }]);
    const [flink, kstreams, spark] = c.columns;
    for (const col of c.columns) expect(col.report.checks.filter((x) => !x.ok), col.engine).toEqual([]);
    // Every engine shows every kept record in the end (the filter drops the same ones everywhere).
    expect(kstreams!.visible.never).toBe(flink!.visible.never);
    expect(spark!.visible.never).toBe(flink!.visible.never);
    // Behind the open transaction, until the broker times it out 10-20 s after it began.
    expect(kstreams!.visible.max).toBeGreaterThan(10_000);
    expect(kstreams!.recoveryMs).toBeGreaterThan(10_000);
    expect(flink!.visible.max).toBeLessThan(5_000);
  });

  it('without a crash there is nothing to recover; each engine gets only its own knob', () => {
    const c = compareEngines(
      { scenario: 'wordcount', seed: 2, guarantee: 'exactly-once', faults: 'none', bugs: [], events: 200, checkpointIntervalMs: 250, commitIntervalMs: 40, triggerIntervalMs: 300 },
      [],
    );
    expect(c.columns.map((col) => [col.knob.ms, col.knob.set])).toEqual([[250, true], [40, true], [300, true]]);
    for (const col of c.columns) {
      expect(col.report.ok, col.engine).toBe(true);
      expect([col.recoveryMs, col.readAgain, col.restored], col.engine).toEqual([undefined, undefined, undefined]);
      const s = decodeToken(col.report.token);
      expect([s.checkpointIntervalMs, s.commitIntervalMs, s.triggerIntervalMs].filter((x) => x !== undefined), col.engine).toEqual([col.knob.ms]);
    }
    // A trigger of 300 ms gives Spark's results at least a third of that on average to wait.
    expect(c.columns[2]!.visible.p50).toBeGreaterThan(100);
    const summary = summarizeSeeds([c, c]);
    expect(summary.map((e) => [e.engine, e.runs, e.failedSeeds])).toEqual([['flink', 2, []], ['kstreams', 2, []], ['spark', 2, []]]);
    expect(summary[0]!.cells['visible.p50']).toMatchObject({ n: 2, median: c.columns[0]!.visible.p50 });
    expect(summary[0]!.cells.recoveryMs).toBeUndefined();
    expect(summary[1]!.visibleHistogram.reduce((a, b) => a + b, 0)).toBe(2 * c.columns[1]!.visible.count);
  });

  it('summarises a figure over seeds by median and range; histogram buckets are ascending', () => {
    expect(spreadOf([5, 1, undefined, 3, 9])).toEqual({ n: 4, median: 4, p10: 1, p90: 9, min: 1, max: 9 });
    expect(spreadOf([undefined])).toBeUndefined();
    for (let i = 1; i < HISTOGRAM_EDGES_MS.length; i++) expect(HISTOGRAM_EDGES_MS[i]!).toBeGreaterThan(HISTOGRAM_EDGES_MS[i - 1]!);
    const h = histogram([0, 1, 1, 10, 99, 100, 1_000_000]);
    expect(h[0]).toBe(1);
    expect(h[1]).toBe(2);
    expect(h[HISTOGRAM_EDGES_MS.indexOf(10)]).toBe(1);
    expect(h[HISTOGRAM_EDGES_MS.indexOf(100)]).toBe(1);
    expect(h.at(-1)).toBe(1);
  });

  it('draws faults by role from the seed and the profile, the same plan for every engine', () => {
    const scenario = findScenario('wordcount')!;
    const heavy = drawRoleFaults(scenario, { seed: 1 }, 'heavy');
    expect(heavy.length).toBeGreaterThan(0);
    expect(drawRoleFaults(scenario, { seed: 1 }, 'heavy')).toEqual(heavy);
    expect(drawRoleFaults(scenario, { seed: 2 }, 'heavy')).not.toEqual(heavy);
    expect(drawRoleFaults(scenario, { seed: 1 }, 'none')).toEqual([]);
    for (const f of heavy) if ('role' in f) expect(['worker', 'coordinator', 'broker']).toContain(f.role);
    const c = compareEngines({ scenario: 'wordcount', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], events: 600 }, [], { profile: 'heavy' });
    expect(c.faults).toEqual(drawRoleFaults(scenario, { seed: 1, events: 600 }, 'heavy'));
    expect(c.columns.map((col) => col.engine)).toEqual(['flink', 'kstreams', 'spark']);
    for (const col of c.columns) {
      expect(col.report.checks.filter((x) => !x.ok), col.engine).toEqual([]);
      // Each engine's run holds the drawn faults, mapped onto its own processes.
      expect(decodeToken(col.report.token).plan).toEqual(planFor(col.engine, c.faults));
    }
  });

  it('refuses malformed role faults with the expected form', () => {
    expect(parseRoleFault('crash', 'worker@4200+300')).toEqual({ kind: 'crash', role: 'worker', atMs: 4_200, restartAfterMs: 300 });
    expect(parseRoleFault('crash', 'tm-0@4200')).toMatch(/--crash takes ROLE@MS/);
    expect(parseRoleFault('cut', 'broker-worker@3000+1500')).toEqual({ kind: 'cut', a: 'broker', b: 'worker', atMs: 3_000, durationMs: 1_500 });
    expect(parseRoleFault('cut', 'worker-worker@3000+1500')).toMatch(/two different roles/);
    // Times past an hour of virtual time, which a token would refuse (and digits past a double's precision).
    expect(parseRoleFault('crash', 'worker@3600000+3600000')).toEqual({ kind: 'crash', role: 'worker', atMs: 3_600_000, restartAfterMs: 3_600_000 });
    expect(parseRoleFault('crash', 'worker@99999999999999999999')).toMatch(/--crash times must be at most 3,600,000 ms/);
    expect(parseRoleFault('crash', 'worker@5+3600001')).toMatch(/--crash times must be at most/);
    expect(parseRoleFault('cut', 'broker-worker@3600001+5')).toMatch(/--cut times must be at most/);
    expect(parseRoleFault('cut', 'broker-worker@100+99999999999999999999')).toMatch(/--cut times must be at most/);
  });
});
