/**
 * The checkpoint coordinator's failure accounting, as Flink's
 * CheckpointCoordinator and CheckpointFailureManager have it. Proves: a
 * pending checkpoint a task declines is aborted at once (`declined by …`),
 * and declines — a newer barrier or a cancellation marker came first —
 * never count towards the tolerable failed checkpoints, however many come
 * in a row; checkpoints that expire do count, and one more than the
 * tolerable number in a row fails the job; a decline of a checkpoint that is
 * not the pending one (already aborted, or an old id) changes nothing; a
 * savepoint that expires does not count either (CheckpointFailureManager
 * leaves savepoints out of the counter).
 *
 * How: the coordinator runs in a job-manager process of a world with a real
 * checkpoint store; no task ever acknowledges, and the test declines
 * checkpoints at chosen virtual times.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../../../src/sim/world.ts';
import { RequestClient } from '../../../../src/runtime/request-client.ts';
import { checkpointStoreProcess, isStoreReply } from '../../../../src/engines/flink/checkpoint/store.ts';
import { CheckpointCoordinator } from '../../../../src/engines/flink/checkpoint/coordinator.ts';
import { BugSwitches } from '../../../../src/engines/flink/bugs.ts';
import { DEFAULT_SETTINGS } from '../../../../src/engines/flink/runtime/task-env.ts';
import type { JobPlan } from '../../../../src/engines/flink/runtime/plan.ts';
import type { TraceEvent } from '../../../../src/runtime/trace-event.ts';

interface Outcome {
  aborts: { t: number; checkpoint: number; reason: string }[];
  failed: string[];
  /** The virtual time of each job failure. */
  failedAt: number[];
}

/** Checkpoints every 100 ms (timeout 250 ms, one failure tolerated); `declines` are [virtual ms, checkpoint] pairs. */
function runCoordinator(declines: [number, number][], untilMs: number, savepointAt?: number): Outcome {
  const out: Outcome = { aborts: [], failed: [], failedAt: [] };
  const world = new World({ seed: 1, traceIo: false, subscribers: [(e: TraceEvent) => {
    if (e.kind === 'checkpoint.abort') out.aborts.push({ t: e.t, checkpoint: e.checkpoint as number, reason: e.reason as string });
  }] });
  world.addProcess('store', checkpointStoreProcess(new BugSwitches()));
  world.addProcess('jm', (ctx) => {
    const store = new RequestClient(ctx, 'store', isStoreReply);
    const plan = { tasks: [{}, {}] } as unknown as JobPlan;
    const settings = { ...DEFAULT_SETTINGS, checkpointIntervalMs: 100, checkpointTimeoutMs: 250, tolerableFailedCheckpoints: 1 };
    const coordinator = new CheckpointCoordinator(ctx, plan, settings, store, {
      broadcast: () => {},
      attempt: () => 0,
      onComplete: () => {},
      failJob: (reason) => {
        out.failed.push(reason);
        out.failedAt.push(ctx.clock.now());
      },
    });
    coordinator.reset(0);
    coordinator.schedule();
    for (const [at, id] of declines) ctx.timers.after(at, () => coordinator.onDecline(id, 'balances[1]', 'newer barrier during alignment'));
    if (savepointAt !== undefined) ctx.timers.after(savepointAt, () => coordinator.triggerSavepoint());
    return { onMessage: (from, msg) => void store.handle(from, msg) };
  });
  world.run({ untilMs });
  return out;
}

describe('checkpoint coordinator: declines and timeouts', () => {
  it('aborts a declined checkpoint at once, and declines in a row never fail the job', () => {
    // Checkpoints 1..5 are triggered at 100, 200, …; each is declined 50 ms later.
    const { aborts, failed } = runCoordinator([[150, 1], [250, 2], [350, 3], [450, 4], [550, 5]], 580);
    expect(aborts).toEqual([1, 2, 3, 4, 5].map((c) => ({ t: c * 100 + 50, checkpoint: c, reason: 'declined by balances[1]: newer barrier during alignment' })));
    expect(failed).toEqual([]);
  });

  it('counts expired checkpoints: two in a row, with one tolerated, fail the job', () => {
    const { aborts, failed } = runCoordinator([], 700);
    // Checkpoint 1 at 100 expires at 350; checkpoint 2, triggered at 400, expires at 650.
    expect(aborts.map((a) => [a.t, a.checkpoint, a.reason])).toEqual([[350, 1, 'timeout'], [650, 2, 'timeout']]);
    expect(failed).toEqual(['2 checkpoints in a row failed (last: timeout)']);
  });

  it('a decline between two expiries neither counts nor resets the count', () => {
    const { aborts, failed } = runCoordinator([[450, 2]], 1_000);
    expect(aborts.map((a) => [a.t, a.checkpoint, a.reason.split(':')[0]])).toEqual([[350, 1, 'timeout'], [450, 2, 'declined by balances[1]'], [750, 3, 'timeout']]);
    expect(failed).toEqual(['2 checkpoints in a row failed (last: timeout)']);
  });

  it('ignores a decline of a checkpoint that is not the pending one', () => {
    // Checkpoint 1 expired at 350; declining it (and an id never triggered) later changes nothing.
    const { aborts } = runCoordinator([[360, 1], [370, 9]], 390);
    expect(aborts.map((a) => a.checkpoint)).toEqual([1]);
  });

  it('does not count an expired savepoint towards the tolerable failures', () => {
    // The savepoint, taken at 50, expires at 300 uncounted; checkpoint 2 (the tick at 300) expires
    // at 550, counted and tolerated; checkpoint 3 (600) at 850: the second counted failure fails
    // the job then, not at 550.
    const { aborts, failed, failedAt } = runCoordinator([], 1_000, 50);
    expect(aborts.map((a) => [a.t, a.checkpoint, a.reason])).toEqual([[300, 1, 'timeout'], [550, 2, 'timeout'], [850, 3, 'timeout']]);
    expect(failed).toEqual(['2 checkpoints in a row failed (last: timeout)']);
    expect(failedAt).toEqual([850]);
  });
});
