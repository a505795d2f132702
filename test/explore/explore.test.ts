/**
 * What this proves: `explore` finds a planted bug and shrinks it to a run
 * that is no larger in any dimension (events, faults, parallelism, keys),
 * fails the same check, and whose repro token replays to that same failure;
 * the results of a sweep do not depend on whether its seeds ran in this
 * thread or in worker threads.
 *
 * How: small sweeps (a few seeds, a few hundred events) of wordcount with
 * `drop-late-silently` and of bank with `source-not-rewound` under heavy
 * faults, each shrunk with a small budget; the shrunk token is decoded and
 * run again with `runScenario`. Worker independence compares the full seed
 * results (tokens, failed checks, coverage) of one thread against two worker
 * threads that run every seed.
 */
import { describe, expect, it } from 'vitest';
import { explore, type ExploreResult } from '../../src/explore/explore.ts';
import { runSeeds, SweepThreads } from '../../src/explore/pool.ts';
import { decodeToken } from '../../src/explore/settings.ts';
import { runScenario } from '../../src/explore/run.ts';
import type { SweepJob } from '../../src/explore/sweep.ts';

const BUDGET = { maxRuns: 80, maxMs: 20_000 };

function expectShrunkReplays(r: ExploreResult): void {
  const f = r.firstFailure!;
  expect(f, 'the sweep found no failure').toBeDefined();
  expect(f.seed).toBe(r.failingSeeds[0]);
  const s = f.shrunk!;
  expect(s.check).toBe(f.check);
  expect(s.before).toEqual({ events: f.events, faults: f.faults, parallelism: s.before.parallelism, keys: s.before.keys });
  for (const k of ['events', 'faults', 'parallelism', 'keys'] as const) expect(s.after[k]).toBeLessThanOrEqual(s.before[k]);

  const settings = decodeToken(s.token);
  expect(settings.keepIds?.length ?? settings.events).toBe(s.after.events);
  expect(settings.plan?.faults.length).toBe(s.after.faults);
  const replay = runScenario(settings);
  const failed = replay.checks.find((c) => c.name === f.check);
  expect(failed?.ok).toBe(false);
  expect(failed?.detail).toBe(s.detail);
  expect(replay.token).toBe(s.token);
}

describe('explore', () => {
  it('finds drop-late-silently on wordcount and shrinks it to a replayable, no larger run', async () => {
    const r = await explore({
      job: { scenario: 'wordcount', guarantee: 'exactly-once', faults: 'light', bugs: ['drop-late-silently'], events: 300 },
      start: 1, count: 2, workers: 1, shrink: BUDGET,
    });
    expect(r.seedsRun).toBe(2);
    expect(r.firstFailure?.check).toBe('exactly-once');
    expectShrunkReplays(r);
    // Shrinking is worth its name here: the keys and parallelism fall away, the event count drops.
    expect(r.firstFailure!.shrunk!.after.events).toBeLessThan(300);
  });

  it('finds source-not-rewound on bank under heavy faults and shrinks it', async () => {
    const r = await explore({
      job: { scenario: 'bank', guarantee: 'exactly-once', faults: 'heavy', bugs: ['source-not-rewound'], events: 100 },
      start: 1, count: 4, workers: 1, shrink: BUDGET,
    });
    expect(r.failures).toBeGreaterThan(0);
    expect(r.firstFailure?.check).toMatch(/^bank\./);
    expectShrunkReplays(r);
    // The bug needs a restore, so a crash must survive the shrink.
    expect(r.firstFailure!.shrunk!.after.faults).toBeGreaterThan(0);
  });

  it('reports a clean sweep with no first failure, and coverage only for reachable edges', async () => {
    const r = await explore({
      job: { scenario: 'bank', guarantee: 'exactly-once', faults: 'none', bugs: [], events: 60 },
      start: 5, count: 2, workers: 1,
    });
    expect(r).toMatchObject({ seedsRun: 2, failures: 0, failingSeeds: [], seeds: [5, 6] });
    expect(r.firstFailure).toBeUndefined();
    expect(r.coverage.notApplicable).toContain('record.at-window-end');
    expect(Object.keys(r.coverage.counts)).toContain('barrier.mid-alignment');
    expect(Object.keys(r.coverage.counts)).not.toContain('record.at-window-end');
  });
});

describe('worker threads', () => {
  it('give exactly the results of one thread, in seed order', async () => {
    const job: SweepJob = { scenario: 'wordcount', guarantee: 'exactly-once', faults: 'swarm', bugs: ['drop-late-silently'], events: 300 };
    const seeds = [1, 2, 3, 4, 5, 6];
    const here = await runSeeds(job, seeds, { workers: 1 });
    const threads = await runSeeds(job, seeds, { workers: 2, local: false });
    expect(here.map((r) => r.seed)).toEqual(seeds);
    expect(here.some((r) => !r.ok)).toBe(true);
    expect(threads).toEqual(here);
  });

  it('kept in a SweepThreads, serve one sweep after another warm, and a failed sweep leaks no answer into the next', async () => {
    // Two sweeps of different jobs on the same two threads give what one thread computes, and
    // start no third thread. A sweep that fails in a worker stops the threads it had seeds in
    // flight on, so the next sweep starts fresh ones and hears only its own answers.
    const a: SweepJob = { scenario: 'bank', guarantee: 'exactly-once', faults: 'swarm', bugs: [], events: 120 };
    const b: SweepJob = { scenario: 'wordcount', guarantee: 'exactly-once', faults: 'swarm', bugs: ['drop-late-silently'], events: 200 };
    const bad: SweepJob = { ...a, scenario: 'no-such-scenario' };
    const seeds = [1, 2, 3, 4];
    const threads = new SweepThreads();
    try {
      expect(await runSeeds(a, seeds, { workers: 2, local: false, threads })).toEqual(await runSeeds(a, seeds, { workers: 1 }));
      expect(threads.size).toBe(2);
      expect(await runSeeds(b, seeds, { workers: 2, local: false, threads })).toEqual(await runSeeds(b, seeds, { workers: 1 }));
      expect(threads.size).toBe(2);
      await expect(runSeeds(bad, seeds, { workers: 2, local: false, threads })).rejects.toThrow(/failed in a worker/);
      expect(await runSeeds(a, [5, 6, 7], { workers: 2, local: false, threads })).toEqual(await runSeeds(a, [5, 6, 7], { workers: 1 }));
      expect(threads.size).toBeLessThanOrEqual(2);
    } finally {
      threads.close();
    }
    expect(threads.size).toBe(0);
  });

  it('give exactly the results of one thread on the Kafka Streams and Spark engines too', async () => {
    for (const engine of ['kstreams', 'spark'] as const) {
      const job: SweepJob = { scenario: 'wordcount', engine, guarantee: 'at-least-once', faults: 'heavy', bugs: [], events: 300 };
      const seeds = [1, 2, 3];
      const here = await runSeeds(job, seeds, { workers: 1 });
      const threads = await runSeeds(job, seeds, { workers: 2, local: false });
      expect(threads, engine).toEqual(here);
      expect(here.every((r) => r.token.length > 0), engine).toBe(true);
    }
  });
});
