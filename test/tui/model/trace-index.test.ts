/**
 * What this proves: the trace index gives the same state at step i however
 * the cursor got there — forward, backward, or by random jumps — and that
 * state is the plain fold of the reducer over events 0..i; the derived
 * counts agree with what the run itself reported.
 *
 * How: a fixed recorded run (a broker crash and restart) and a crash run
 * with a job restore; fast-check draws cursor walks over an index with a
 * small snapshot distance (so walks cross many snapshot boundaries), and each
 * visited state is compared, as canonical JSON, with a fresh fold from event
 * 0 (the oracle).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TraceIndex } from '../../../src/tui/model/trace-index.ts';
import { applyEvent } from '../../../src/tui/model/apply.ts';
import { emptyState } from '../../../src/tui/model/state.ts';
import type { ReplayState } from '../../../src/tui/model/types.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { canonical, CRASH_ALO, recording, WORDCOUNT } from '../helpers.ts';
import type { Recording } from '../../../src/tui/recording.ts';

/** States by step from one fold over the whole trace, for the oracle. */
function foldAll(events: readonly TraceEvent[], steps: readonly number[]): Map<number, unknown> {
  const want = new Set(steps);
  const out = new Map<number, unknown>();
  const s: ReplayState = emptyState();
  events.forEach((e, i) => {
    applyEvent(s, e, i);
    if (want.has(i)) out.set(i, canonical(s));
  });
  return out;
}

let rec: Recording;
let crash: Recording;

beforeAll(async () => {
  [rec, crash] = await Promise.all([recording(WORDCOUNT), recording(CRASH_ALO)]);
});

describe('TraceIndex.stateAt', () => {
  it('equals the fold from event 0 at every step of a random walk, with a small snapshot distance', () => {
    const index = new TraceIndex(rec.events, { every: 37 });
    const n = index.length;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -120, max: 120 }), { minLength: 1, maxLength: 30 }), fc.nat(n - 1), (moves, start) => {
        const visited: number[] = [];
        let at = start;
        for (const m of moves) {
          at = Math.min(n - 1, Math.max(0, at + m));
          visited.push(at);
        }
        const oracle = foldAll(rec.events, visited);
        for (const i of visited) expect(canonical(index.stateAt(i))).toEqual(oracle.get(i));
      }),
      { numRuns: 25 },
    );
  });

  it('gives the same states walking forward and walking back', () => {
    const index = new TraceIndex(crash.events, { every: 64 });
    const steps = Array.from({ length: 60 }, (_, k) => Math.floor((k * (index.length - 1)) / 59));
    const forward = steps.map((i) => canonical(index.stateAt(i)));
    const backward = [...steps].reverse().map((i) => canonical(index.stateAt(i))).reverse();
    expect(backward).toEqual(forward);
    expect(canonical(index.stateAt(index.length - 1))).toEqual(canonical(index.finalState));
  });

  it('clamps steps outside the trace', () => {
    const index = new TraceIndex(rec.events);
    expect(index.stateAt(-5).index).toBe(-1);
    expect(index.stateAt(10 ** 9).index).toBe(index.length - 1);
  });
});

describe('derived counts', () => {
  it('agree with the run report: committed output, checkpoints, faults', async () => {
    const { runScenario } = await import('../../../src/explore/run.ts');
    const report = runScenario(WORDCOUNT);
    const s = new TraceIndex(rec.events).finalState;
    expect(s.committedOutput).toBe(report.output.committed);
    expect(s.checkpointsCompleted).toBe(report.checkpoints.completed);
    expect(s.checkpointsAborted).toBe(report.checkpoints.aborted);
    expect(s.down).toEqual([]);
    expect(s.jobFinished).toBe(true);
  });

  it('tracks a crash, the job restore and the redeployed attempt', () => {
    const index = new TraceIndex(crash.events);
    const crashAt = index.positions('proc.crash')[0]!;
    const atCrash = index.stateAt(crashAt);
    expect(atCrash.down).toEqual(['tm-1']);
    const onTm1 = [...atCrash.tasks.values()].filter((t) => t.process === 'tm-1');
    expect(onTm1.length).toBeGreaterThan(0);
    for (const t of onTm1) expect(t.status).toBe('crashed');
    const restore = [...index.positions('job.restore')].find((i) => (index.events[i]!.attempt as number) > 0)!;
    const restored = index.stateAt(restore);
    expect(restored.jobAttempt).toBe(1);
    expect(restored.jobFailures).toBe(1);
    const lastDeploy = index.positions('task.deploy').at(-1)!;
    for (const t of index.stateAt(lastDeploy).tasks.values()) {
      expect(t.attempt).toBe(1);
      expect(t.restoredFrom).toBe(index.events[restore]!.checkpoint);
    }
  });

  it('jumps between checkpoint, fault and watermark steps in both directions', () => {
    const index = new TraceIndex(crash.events);
    const c1 = index.jump('checkpoint', -1, 1)!;
    expect(index.events[c1]!.kind).toBe('barrier.inject');
    expect(index.events[c1]!.task).toBeUndefined();
    const c2 = index.jump('checkpoint', c1, 1)!;
    expect(c2).toBeGreaterThan(c1);
    expect(index.jump('checkpoint', c2, -1)).toBe(c1);
    const f = index.jump('fault', -1, 1)!;
    expect(index.events[f]!.kind).toBe('proc.crash');
    const w = index.jump('watermark', f, 1)!;
    expect(index.events[w]).toMatchObject({ kind: 'watermark', ch: -1 });
    expect(index.jump('fault', index.length, 1)).toBeUndefined();
  });
});
