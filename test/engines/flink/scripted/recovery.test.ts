/**
 * What this proves: the scripted source's position in its script is
 * checkpointed state, so a pipeline driven by a script gives the same
 * committed output under crashes as without them — the same results, the
 * same firings, the same late records with the same watermarks — because
 * the restored source resumes at its step and the restored watermarks make
 * the same lateness decisions.
 *
 * How: Flink's testLateness script (see flink-lateness.test.ts) with waits
 * of 400 ms of processing time between its steps, so checkpoints (every
 * 500 ms) fall in the middle of it. First an explicit plan crashes the task
 * manager that hosts the source while the script waits; then fault plans
 * drawn from the heavy profile over the script's duration, for several
 * seeds. Each run's committed output must equal the fault-free run's
 * exactly, and every standard check must pass. A run must also have
 * restored from a checkpoint at least once, or the test would prove
 * nothing. Last, at most once (no checkpoints, no replay): after a crash the
 * restarted source reads nothing and ends at once, and the job finishes.
 */
import { describe, expect, it } from 'vitest';
import { tumbling } from '../../../../src/stream/assigners.ts';
import { sumAggregate } from '../../../../src/engines/flink/operators/aggregates.ts';
import { script } from '../../../../src/engines/flink/script.ts';
import { generatePlan, profileFor } from '../../../../src/sim/faults.ts';
import { rootRng } from '../../../../src/sim/rng.ts';
import { sinkWindowResults } from '../../../../scenarios/types.ts';
import { runScripted, type ScriptedPipeline } from './helpers.ts';

const PAUSE_MS = 400;

const paced = script()
  .add({ key: 'key2', value: 1, ts: 500 }, { key: 'key9', value: 5, ts: 600 })
  .advanceProcessingTime(PAUSE_MS)
  .advanceWatermarkTo(1_500)
  .advanceProcessingTime(PAUSE_MS)
  .add({ key: 'key2', value: 1, ts: 1_300 })
  .advanceProcessingTime(PAUSE_MS)
  .advanceWatermarkTo(2_300)
  .advanceProcessingTime(PAUSE_MS)
  .add({ key: 'key2', value: 1, ts: 1_997 }, { key: 'key9', value: 5, ts: 2_100 })
  .advanceProcessingTime(PAUSE_MS)
  .advanceWatermarkTo(6_000)
  .advanceProcessingTime(PAUSE_MS)
  .add({ key: 'key2', value: 1, ts: 1_998 }, { key: 'key9', value: 5, ts: 5_000 })
  .advanceProcessingTime(PAUSE_MS)
  .advanceWatermarkTo(7_000)
  .advanceProcessingTime(PAUSE_MS)
  .advanceWatermarkToInfinity();

const pipeline: ScriptedPipeline = {
  name: 'scripted-recovery',
  script: paced,
  window: { assigner: tumbling(2_000), aggregate: 'sum', allowedLatenessMs: 500 },
  build(source, _env, sizes) {
    const sums = source.keyBy((r) => r.key).window(tumbling(2_000)).allowedLateness(500).sideOutputLateData('late').aggregate(sumAggregate, 'window', sizes.parallelism);
    sinkWindowResults(sums, sizes.parallelism);
  },
};

describe('a scripted pipeline under crashes', () => {
  const clean = runScripted(pipeline);

  it('runs clean as expected', () => {
    expect(clean.failed).toEqual([]);
    expect(clean.results.map((x) => [x.key, x.start, x.value, x.firing])).toEqual([
      ['key2', 0, 2, 0],
      ['key2', 0, 3, 1],
      ['key9', 0, 5, 0],
      ['key9', 2_000, 5, 0],
      ['key9', 4_000, 5, 0],
    ]);
    expect(clean.late.map((l) => [l.id, l.watermark])).toEqual([[5, 6_000]]);
  });

  it('gives the same output when the source task manager crashes while the script waits', () => {
    // tm-0 hosts the source (the first task of the plan); 1,500 ms is in the third wait.
    const r = runScripted(pipeline, { plan: { faults: [{ kind: 'crash', atMs: 1_500, process: 'tm-0', restartAfterMs: 100 }] } });
    expect(r.report.faults.restores).toBeGreaterThan(0);
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual(clean.results);
    expect(r.late).toEqual(clean.late);
  });

  it('gives the same output under heavy fault plans over the whole script', () => {
    let restored = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const plan = generatePlan(rootRng(seed).fork('faults'), profileFor('heavy', rootRng(seed)), {
        processes: ['jm', 'tm-0', 'tm-1', 'broker', 'store'],
        crashable: ['jm', 'tm-0', 'tm-1', 'broker', 'store'],
        horizonMs: 8 * PAUSE_MS,
      });
      const r = runScripted(pipeline, { seed, plan });
      expect(r.failed, `seed ${seed}`).toEqual([]);
      expect(r.results, `seed ${seed}`).toEqual(clean.results);
      expect(r.late, `seed ${seed}`).toEqual(clean.late);
      restored += r.report.faults.restores;
    }
    expect(restored).toBeGreaterThan(0);
  });
});

describe('a scripted pipeline at most once', () => {
  it('ends the script at once in a restarted attempt: nothing is replayed, and the job still finishes', () => {
    const reads: number[] = [];
    const ends: number[] = [];
    const r = runScripted(pipeline, { guarantee: 'at-most-once', plan: { faults: [{ kind: 'crash', atMs: 1_500, process: 'tm-0', restartAfterMs: 100 }] } }, {
      subscribers: [
        (e) => {
          if (e.kind === 'source.read') reads.push(e.attempt as number);
          if (e.kind === 'source.end') ends.push(e.attempt as number);
        },
      ],
    });
    expect(r.report.faults.crashes).toBe(1);
    expect(r.report.checks.filter((c) => c.name === 'liveness' || c.name === 'run.completes').every((c) => c.ok)).toBe(true);
    // Attempt 0 read the first batches and never ended; attempt 1 ended without reading anything.
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((a) => a === 0)).toBe(true);
    expect(ends).toEqual([1]);
  });
});
