/**
 * What this proves: `weir compare` runs one scenario on every engine with a
 * build, on one workload with the same role-stated faults mapped onto each
 * engine's own processes, and measures what it reports from the runs
 * themselves.
 *
 * How: wordcount with a worker crash. Each engine's plan crashes its own
 * worker process; every engine passes; every input record is either visible
 * downstream or judged late (never both missing); the latencies are ordered
 * (p50 ≤ p99 ≤ max) and positive; a crash is followed by a visible result.
 * Malformed role faults are refused with the expected form.
 */
import { describe, expect, it } from 'vitest';
import { compareEngines, parseRoleFault, planFor, processOf } from '../../src/explore/compare.ts';

describe('weir compare', () => {
  it('maps a role onto each engine\'s process', () => {
    expect(['flink', 'kstreams', 'spark'].map((e) => processOf(e as never, 'worker'))).toEqual(['tm-0', 'ks-0', 'executor-0']);
    expect(['flink', 'kstreams', 'spark'].map((e) => processOf(e as never, 'coordinator'))).toEqual(['jm', 'broker', 'driver']);
    expect(planFor('spark', [{ kind: 'cut', a: 'broker', b: 'worker', atMs: 10, durationMs: 5 }])).toEqual({ faults: [{ kind: 'partition', atMs: 10, a: 'broker', b: 'executor-0', durationMs: 5 }] });
    // Kafka Streams' coordinator is the broker: a cut between the two is no fault at all.
    expect(planFor('kstreams', [{ kind: 'cut', a: 'broker', b: 'coordinator', atMs: 10, durationMs: 5 }])).toEqual({ faults: [] });
  });

  it('runs wordcount on all three engines with the same worker crash, and every record is visible or late', () => {
    const c = compareEngines({ scenario: 'wordcount', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], events: 400 }, [{ kind: 'crash', role: 'worker', atMs: 1_500, restartAfterMs: 300 }]);
    expect(c.columns.map((col) => col.engine)).toEqual(['flink', 'kstreams', 'spark']);
    for (const col of c.columns) {
      expect(col.report.checks.filter((x) => !x.ok), col.engine).toEqual([]);
      expect(col.report.faults.crashes, col.engine).toBe(1);
      expect(col.visible.count + col.visible.never, col.engine).toBe(400);
      expect(col.visible.never, col.engine).toBe(col.late);
      expect(col.visible.p50, col.engine).toBeGreaterThan(0);
      expect(col.visible.p50 <= col.visible.p99 && col.visible.p99 <= col.visible.max, col.engine).toBe(true);
      expect(col.recoveryMs, col.engine).toBeGreaterThan(0);
    }
  });

  it('refuses malformed role faults with the expected form', () => {
    expect(parseRoleFault('crash', 'worker@4200+300')).toEqual({ kind: 'crash', role: 'worker', atMs: 4_200, restartAfterMs: 300 });
    expect(parseRoleFault('crash', 'tm-0@4200')).toMatch(/--crash takes ROLE@MS/);
    expect(parseRoleFault('cut', 'broker-worker@3000+1500')).toEqual({ kind: 'cut', a: 'broker', b: 'worker', atMs: 3_000, durationMs: 1_500 });
    expect(parseRoleFault('cut', 'worker-worker@3000+1500')).toMatch(/two different roles/);
  });
});
