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
