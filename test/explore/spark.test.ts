/**
 * What this proves: the Spark engine keeps exactly-once under the same fault
 * plans as the other engines — its offset log written before each batch, its
 * commit log after, a restart re-running the uncommitted batch with the same
 * offsets and watermark, the sink skipping a batch it had committed — and
 * at-least-once (a plain Kafka sink) is caught duplicating; runs replay to
 * the same trace hash; Spark's missing at-most-once is refused.
 *
 * How: wordcount on fixed swarm seeds with `engine: 'spark'`; every check
 * must pass, and across the seeds the trace must show a driver re-running a
 * batch, a sink skipping an already committed batch and a task sent to
 * another executor, so the recovery paths really ran.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/explore/run.ts';
import { engineProblem } from '../../src/explore/engines.ts';
import { findScenario } from '../../scenarios/index.ts';
import type { RunSettings } from '../../src/explore/settings.ts';

const base: RunSettings = { scenario: 'wordcount', engine: 'spark', seed: 0, guarantee: 'exactly-once', faults: 'swarm', bugs: [], events: 600 };

describe('Spark engine', () => {
  it('passes every check under swarm faults, through batch re-runs, sink skips and task retries', () => {
    const seen = { rerun: 0, skip: 0, retry: 0 };
    for (const seed of [4, 10, 13, 14, 22]) {
      const r = runScenario({ ...base, seed }, {
        subscribers: [(e) => {
          if (e.kind === 'spark.restart' && e.rerun === true) seen.rerun++;
          if (e.kind === 'spark.sink.skip') seen.skip++;
          if (e.kind === 'spark.task.retry') seen.retry++;
        }],
      });
      expect(r.checks.filter((c) => !c.ok), `seed ${seed}`).toEqual([]);
    }
    expect(seen.rerun).toBeGreaterThan(0);
    expect(seen.skip).toBeGreaterThan(0);
    expect(seen.retry).toBeGreaterThan(0);
  });

  it('is caught duplicating under at-least-once (the Kafka sink writes a re-run batch again)', () => {
    let caught: string | undefined;
    for (let seed = 1; seed <= 40 && caught === undefined; seed++) {
      const r = runScenario({ ...base, seed, guarantee: 'at-least-once', events: 1_000 });
      caught = r.checks.find((c) => !c.ok && c.name === 'exactly-once')?.detail;
    }
    expect(caught, 'no seed showed a duplicate').toMatch(/twice/);
  });

  it('replays a seed to the same trace hash', () => {
    expect(runScenario({ ...base, seed: 22 }).traceHash).toBe(runScenario({ ...base, seed: 22 }).traceHash);
  });

  it('refuses at-most-once', () => {
    expect(engineProblem(findScenario('wordcount')!, { engine: 'spark', bugs: [], guarantee: 'at-most-once' })).toMatch(/not at-most-once/);
  });
});

/**
 * The scenarios added for Spark (sessions, join, bank, outer-join, file-sink, foreach-batch, the three
 * output modes — judged by spark.output-mode among the rest): every check passes on
 * fixed seeds with heavy faults under exactly-once, with the paths that make
 * them hard really taken (late session rows, join rows dropped or not stored,
 * batch re-runs); under at-least-once the re-run batches duplicate.
 */
describe('Spark scenarios', () => {
  const seen = (kinds: string[]) => {
    const counts = new Map<string, number>();
    return {
      counts,
      subscriber: (e: { kind: string; op?: unknown; rerun?: unknown }) => {
        const k = e.kind === 'spark.late' ? `spark.late.${String(e.op)}` : e.kind === 'spark.restart' ? `spark.restart.${String(e.rerun)}` : e.kind;
        if (kinds.includes(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
      },
    };
  };

  // Seeds picked (600 events, heavy faults) so that the rare paths are taken; any seed must pass.
  for (const [scenario, needed, seeds] of [
    ['sessions', ['spark.late.session', 'spark.restart.true'], [1, 2, 9]],
    // join runs under Spark's default min policy, whose state watermark lags enough that no row is
    // ever already covered by it; outer-join (max policy) takes that path.
    ['join', ['spark.late.join', 'spark.restart.true'], [1, 9, 32]],
    ['bank', ['spark.restart.true', 'spark.sink.skip'], [1, 2, 3, 5]],
    ['outer-join', ['spark.join.outer', 'spark.late.join', 'spark.join.unstored', 'spark.restart.true'], [1, 2, 5]],
    // A sink skipping a batch it had committed is rare in file-sink and foreach-batch: their first
    // heavy seeds with one are 87 and 104 (seeds 1 and 30 showed it before fsync delays were drawn
    // per disk and millisecond).
    ['file-sink', ['spark.restart.true', 'spark.sink.skip'], [87, 2]],
    ['foreach-batch', ['spark.restart.true', 'spark.sink.skip'], [104, 2]],
    ['modes-append', ['spark.restart.true', 'spark.late.window'], [2, 5]],
    ['modes-update', ['spark.restart.true', 'spark.late.window'], [1, 9]],
    ['modes-complete', ['spark.restart.true'], [1, 9]],
  ] as const) {
    it(`${scenario} passes every check under heavy faults, through ${needed.join(', ')}`, () => {
      const s = seen([...needed]);
      for (const seed of seeds) {
        const r = runScenario({ ...base, scenario, seed, faults: 'heavy', events: 600 }, { subscribers: [s.subscriber as never] });
        expect(r.checks.filter((c) => !c.ok), `${scenario} seed ${seed}`).toEqual([]);
      }
      for (const k of needed) expect(s.counts.get(k) ?? 0, k).toBeGreaterThan(0);
    });
  }

  it('join, sessions, outer-join and the careless foreachBatch are caught duplicating under at-least-once', () => {
    // sessions and foreach-batch fail exactly-once; the joins' judges count a pair or row written
    // again by a replay (as at-least-once allows) and say so.
    const caughtBy: [string, string, RegExp][] = [
      ['join', 'join', /\d+ committed again by a replay, as at-least-once allows/],
      ['sessions', 'exactly-once', /twice/],
      ['outer-join', 'join.outer', /\d+ emitted again by a replay, as at-least-once allows/],
      ['foreach-batch', 'exactly-once', /twice/],
    ];
    for (const [scenario, check, shows] of caughtBy) {
      let caught: string | undefined;
      for (let seed = 1; seed <= 30 && caught === undefined; seed++) {
        const r = runScenario({ ...base, scenario, seed, faults: 'heavy', guarantee: 'at-least-once', events: 600 });
        const v = r.checks.find((c) => c.name === check);
        if (v !== undefined && shows.test(v.detail)) caught = v.detail;
      }
      expect(caught, `${scenario}: no seed showed a duplicate`).toMatch(shows);
    }
  });

  it('bank under at-least-once writes a re-run batch twice, but identically (state version N again), so the balances hold', () => {
    let repeated = 0;
    for (let seed = 1; seed <= 30 && repeated === 0; seed++) {
      let out: unknown[] = [];
      const r = runScenario({ ...base, scenario: 'bank', seed, faults: 'heavy', guarantee: 'at-least-once', events: 600 }, { onOutput: (o) => (out = o) });
      const keys = out.map((u) => JSON.stringify(u));
      repeated = keys.length - new Set(keys).size;
      expect(r.checks.filter((c) => !c.ok), `seed ${seed}`).toEqual([]);
    }
    expect(repeated).toBeGreaterThan(0);
  });
});
