/**
 * What this proves: the run-level checks can fail. `liveness` fails when the
 * job cannot finish within its step budget, or by its deadline in virtual
 * time (ten minutes after its input and faults are over, or twenty periods
 * of its slowest knob), and `run.completes` fails — with
 * the exception's message, as a finding of the run rather than a crash of
 * weir — when code inside the engine throws; liveness also fails when a
 * transaction is left open; `checkpoint.completed-only` fails when recovery
 * restores a checkpoint that never completed; `checkpoint.consistent-cut`
 * fails when barriers are not aligned (at-least-once) on a dense stream.
 *
 * How: the same wordcount run three ways — with a tiny step budget, with a
 * map function that throws on one record, and with the planted bug
 * `restore-incomplete-checkpoint` on a seed where it matters — each compared
 * with the plain run, which passes.
 */
import { describe, expect, it } from 'vitest';
import { finishDeadlineMs, FINISH_WINDOW_MS, runScenario } from '../../src/explore/run.ts';
import { wordcount } from '../../scenarios/wordcount.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { denseBank, failed, run } from './helpers.ts';

const base = { scenario: 'wordcount', seed: 3, events: 300 } as const;

describe('run-level checks', () => {
  it('passes liveness and run.completes on a plain run', () => {
    const r = run(base);
    expect(failed(r)).toEqual([]);
    expect(r.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['run.completes', 'liveness', 'checkpoint.completed-only']));
    // The job finishes before the world settles (the final commits land, the reader stops).
    expect(r.finishedMs).toBeGreaterThan(0);
    expect(r.finishedMs).toBeLessThan(r.virtualTimeMs);
  });

  it('fails liveness when the job cannot finish within the step limit', () => {
    const r = runScenario({ ...base, guarantee: 'exactly-once', faults: 'none', bugs: [] }, { maxSteps: 2_000 });
    const liveness = r.checks.find((c) => c.name === 'liveness')!;
    expect(liveness.ok).toBe(false);
    expect(liveness.detail).toMatch(/never finished/);
    expect(r.finishedMs).toBeUndefined();
  });

  it('fails liveness by the deadline in virtual time when nothing would end the job, long before the step limit', () => {
    // The broker ignores transaction timeouts: a crashed stateless instance's transaction holds
    // the output open forever, so the job never finishes. Without the deadline such a run went on
    // to the step limit (seed 8 on an earlier build: 2.2 million steps, 6.8 hours of virtual time).
    // Seed 21 (seed 38 showed it before fsync delays were drawn per disk and millisecond).
    const settings = { scenario: 'etl', engine: 'kstreams', seed: 21, guarantee: 'exactly-once', faults: 'heavy', bugs: ['txn-timeout-ignored'] } as const;
    const r = runScenario({ ...settings, bugs: [...settings.bugs] });
    const liveness = r.checks.find((c) => c.name === 'liveness')!;
    expect(liveness.ok).toBe(false);
    expect(liveness.detail).toMatch(/^the job never finished: not by [\d,]+ ms of virtual time/);
    expect(r.finishedMs).toBeUndefined();
    expect(r.steps).toBeLessThan(200_000);
    // It stops at the deadline: ten minutes after the input's last arrival and the faults' end (both within the first minute).
    expect(r.virtualTimeMs).toBeGreaterThanOrEqual(finishDeadlineMs({ ...settings, bugs: [] }, r.plan, 1));
    expect(r.virtualTimeMs).toBeLessThan(FINISH_WINDOW_MS + 60_000);
    // The same seed without the bug finishes.
    expect(failed(runScenario({ ...settings, bugs: [] }))).toEqual([]);
  });

  it('gives a job more time to finish after late faults and for slow periodic knobs', () => {
    const s = { scenario: 'wordcount', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] } as const;
    const none = { faults: [] };
    expect(finishDeadlineMs({ ...s, bugs: [] }, none, 20_000)).toBe(20_000 + FINISH_WINDOW_MS);
    // A crash planned at 30 s with a restart a minute later moves the start of the window.
    expect(finishDeadlineMs({ ...s, bugs: [] }, { faults: [{ kind: 'crash', atMs: 30_000, process: 'tm-0', restartAfterMs: 60_000 }] }, 20_000)).toBe(90_000 + FINISH_WINDOW_MS);
    // An anchored fault's delay and length are added on top.
    expect(finishDeadlineMs({ ...s, bugs: [] }, { faults: [{ kind: 'partition', a: 'tm-0', b: 'broker', durationMs: 5_000, after: { on: 'checkpoint.complete', n: 3 }, delayMs: 100 }] }, 20_000)).toBe(25_100 + FINISH_WINDOW_MS);
    // An hour between commits: twenty of them.
    expect(finishDeadlineMs({ ...s, bugs: [], engine: 'kstreams', commitIntervalMs: 3_600_000 }, none, 20_000)).toBe(20_000 + 20 * 3_600_000);
    expect(finishDeadlineMs({ ...s, bugs: [], savepointAtMs: 100_000 }, none, 20_000)).toBe(120_000 + FINISH_WINDOW_MS);
  });

  it('fails run.completes with the message when code inside the engine throws', () => {
    const throwing: Scenario = {
      ...wordcount,
      engines: {
        flink: {
          build(env, s) {
            const words = env.fromLog('source', { topic: 'input', partitions: s.partitions, boundMs: 100 });
            words
              .map((r: { id: number }) => {
                if (r.id === 42) throw new Error('map failed on record 42');
                return r;
              })
              .sinkTo({ topic: 'output', partitions: s.parallelism });
          },
        },
      },
    };
    const r = runScenario({ ...base, guarantee: 'exactly-once', faults: 'none', bugs: [] }, { scenario: throwing });
    const completes = r.checks.find((c) => c.name === 'run.completes')!;
    expect(completes.ok).toBe(false);
    expect(completes.detail).toContain('map failed on record 42');
  });

  it('fails liveness when a transaction is left open on the output topic', () => {
    const seeds = Array.from({ length: 16 }, (_, i) => i + 1);
    const hit = seeds.find((seed) => {
      const r = run({ scenario: 'bank', seed, faults: 'heavy', bugs: ['sink-no-abort-on-restore'] });
      return r.checks.some((c) => c.name === 'liveness' && !c.ok && /left open/.test(c.detail));
    });
    expect(hit, 'no seed left a transaction open').toBeDefined();
    expect(run({ scenario: 'bank', seed: hit!, faults: 'heavy' }).checks.find((c) => c.name === 'liveness')!.ok).toBe(true);
  });

  it('fails checkpoint.consistent-cut when barriers are not aligned, and passes with alignment', () => {
    const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
    // A short buffer timeout sends records soon after a barrier, so they can overtake the other channel's barrier.
    const base = { scenario: 'bank', events: 3_000, faults: 'none', checkpointIntervalMs: 20, bufferTimeoutMs: 5 } as const;
    const hit = seeds.find((seed) => {
      const r = run({ ...base, seed, guarantee: 'at-least-once' }, { scenario: denseBank });
      return r.checks.some((c) => c.name === 'checkpoint.consistent-cut' && !c.ok);
    });
    expect(hit, 'no seed showed an inconsistent cut').toBeDefined();
    const aligned = run({ ...base, seed: hit! }, { scenario: denseBank });
    expect(aligned.checks.find((c) => c.name === 'checkpoint.consistent-cut')!.ok).toBe(true);
  });

  it('fails checkpoint.completed-only when recovery restores a checkpoint that never completed', () => {
    const seeds = Array.from({ length: 16 }, (_, i) => i + 1);
    const hit = seeds.find((seed) => {
      const r = run({ scenario: 'bank', seed, faults: 'heavy', bugs: ['restore-incomplete-checkpoint'] });
      return r.checks.some((c) => c.name === 'checkpoint.completed-only' && !c.ok);
    });
    expect(hit, 'no seed restored an incomplete checkpoint').toBeDefined();
    const clean = run({ scenario: 'bank', seed: hit!, faults: 'heavy' });
    expect(clean.checks.find((c) => c.name === 'checkpoint.completed-only')!.ok).toBe(true);
  });
});
