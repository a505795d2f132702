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
 * leaves savepoints out of the counter). And the queue of trigger requests,
 * as Flink's CheckpointRequestDecider keeps it: a periodic trigger that
 * falls while a checkpoint is in flight waits, and the oldest waiting one
 * starts the moment the checkpoint in flight completes or is aborted (its
 * barrier says how long it waited); nothing queues behind a savepoint; a
 * failover drops the queue. Every abort is broadcast to the tasks (Flink's
 * notifyCheckpointAborted) with the latest checkpoint completed in the
 * attempt, except the one that fails the job.
 *
 * How: the coordinator runs in a job-manager process of a world with a real
 * checkpoint store; the test acknowledges or declines checkpoints at chosen
 * virtual times, or lets them expire.
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
import { describeEvent } from '../../../../src/tui/model/format.ts';

interface Outcome {
  aborts: { t: number; checkpoint: number; reason: string }[];
  /** The coordinator's barrier injections: when, which checkpoint, and how long its request waited in the queue. */
  injects: { t: number; checkpoint: number; queuedMs?: number }[];
  completes: { t: number; checkpoint: number }[];
  failed: string[];
  /** The virtual time of each job failure. */
  failedAt: number[];
  /** What the coordinator told the tasks that an abort or a completion of a checkpoint happened. */
  notices: { t: number; kind: string; checkpoint: number; completed?: number }[];
}

interface Script {
  /** [virtual ms, checkpoint]: a task declines it then. */
  declines?: [number, number][];
  /** [virtual ms, checkpoint]: both tasks acknowledge it then. */
  acks?: [number, number][];
  savepointAt?: number;
  /** A failover then: the coordinator is reset and scheduled again. */
  resetAt?: number;
}

/** Checkpoints every 100 ms (timeout 250 ms, one failure tolerated), two tasks. */
function runCoordinator(declines: [number, number][], untilMs: number, savepointAt?: number): Outcome {
  return runScript({ declines, ...(savepointAt === undefined ? {} : { savepointAt }) }, untilMs);
}

function runScript(script: Script, untilMs: number): Outcome {
  const out: Outcome = { aborts: [], injects: [], completes: [], failed: [], failedAt: [], notices: [] };
  const world = new World({ seed: 1, traceIo: false, subscribers: [(e: TraceEvent) => {
    if (e.kind === 'checkpoint.abort') out.aborts.push({ t: e.t, checkpoint: e.checkpoint as number, reason: e.reason as string });
    if (e.kind === 'checkpoint.complete') out.completes.push({ t: e.t, checkpoint: e.checkpoint as number });
    if (e.kind === 'barrier.inject') out.injects.push({ t: e.t, checkpoint: e.checkpoint as number, ...(e.queuedMs === undefined ? {} : { queuedMs: e.queuedMs as number }) });
  }] });
  world.addProcess('store', checkpointStoreProcess(new BugSwitches()));
  world.addProcess('jm', (ctx) => {
    const store = new RequestClient(ctx, 'store', isStoreReply);
    const plan = { tasks: [{}, {}] } as unknown as JobPlan;
    const settings = { ...DEFAULT_SETTINGS, checkpointIntervalMs: 100, checkpointTimeoutMs: 250, tolerableFailedCheckpoints: 1 };
    const coordinator = new CheckpointCoordinator(ctx, plan, settings, store, {
      broadcast: (m) => {
        if (m.kind === 'cp.abort' || m.kind === 'cp.complete') out.notices.push({ t: ctx.clock.now(), kind: m.kind, checkpoint: m.checkpoint, ...(m.kind === 'cp.abort' && m.completed !== undefined ? { completed: m.completed } : {}) });
      },
      attempt: () => 0,
      onComplete: () => {},
      failJob: (reason) => {
        out.failed.push(reason);
        out.failedAt.push(ctx.clock.now());
      },
    });
    coordinator.reset(0);
    coordinator.schedule();
    for (const [at, id] of script.declines ?? []) ctx.timers.after(at, () => coordinator.onDecline(id, 'balances[1]', 'newer barrier during alignment'));
    for (const [at, id] of script.acks ?? []) {
      ctx.timers.after(at, () => {
        coordinator.onAck(id, 'a', `a-${id}`);
        coordinator.onAck(id, 'b', `b-${id}`);
      });
    }
    const savepointAt = script.savepointAt;
    if (savepointAt !== undefined) ctx.timers.after(savepointAt, () => coordinator.triggerSavepoint());
    const resetAt = script.resetAt;
    if (resetAt !== undefined) {
      ctx.timers.after(resetAt, () => {
        coordinator.abortPending('failover');
        coordinator.reset(0);
        coordinator.schedule();
      });
    }
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
    // Checkpoint 1 at 100 expires at 350; checkpoint 2, the trigger of 200 that waited for it, starts
    // then and expires at 600.
    expect(aborts.map((a) => [a.t, a.checkpoint, a.reason])).toEqual([[350, 1, 'timeout'], [600, 2, 'timeout']]);
    expect(failed).toEqual(['2 checkpoints in a row failed (last: timeout)']);
  });

  it('a decline between two expiries neither counts nor resets the count', () => {
    const { aborts, failed } = runCoordinator([[450, 2]], 900);
    // Checkpoint 2 starts at 350 from the queue and is declined at 450; checkpoint 3, queued, starts then.
    expect(aborts.map((a) => [a.t, a.checkpoint, a.reason.split(':')[0]])).toEqual([[350, 1, 'timeout'], [450, 2, 'declined by balances[1]'], [700, 3, 'timeout']]);
    expect(failed).toEqual(['2 checkpoints in a row failed (last: timeout)']);
  });

  it('tells the tasks of every abort, with the latest completed checkpoint, but not of the one that fails the job', () => {
    // Checkpoint 1 completes; 2 is declined; 3 and 4 expire, and 4 fails the job.
    const { notices, failed } = runScript({ acks: [[120, 1]], declines: [[250, 2]] }, 900);
    expect(failed).toHaveLength(1);
    expect(notices.map((n) => [n.kind, n.checkpoint, n.completed])).toEqual([['cp.complete', 1, undefined], ['cp.abort', 2, 1], ['cp.abort', 3, 1]]);
    expect(notices[1]!.t).toBe(250);
  });

  it('ignores a decline of a checkpoint that is not the pending one', () => {
    // Checkpoint 1 expired at 350; declining it (and an id never triggered) later changes nothing.
    const { aborts } = runCoordinator([[360, 1], [370, 9]], 390);
    expect(aborts.map((a) => a.checkpoint)).toEqual([1]);
  });

  it('does not count an expired savepoint towards the tolerable failures', () => {
    // The savepoint, taken at 50, expires at 300 uncounted (the ticks of 100 and 200 did not queue
    // behind it); checkpoint 2 (the tick at 300) expires at 550, counted and tolerated; checkpoint 3,
    // the tick of 400 that waited, starts then and expires at 800: the second counted failure fails
    // the job then, not at 550.
    const { aborts, failed, failedAt, injects } = runCoordinator([], 1_000, 50);
    expect(aborts.map((a) => [a.t, a.checkpoint, a.reason])).toEqual([[300, 1, 'timeout'], [550, 2, 'timeout'], [800, 3, 'timeout']]);
    expect(failed).toEqual(['2 checkpoints in a row failed (last: timeout)']);
    expect(failedAt).toEqual([800]);
    expect(injects.slice(0, 3)).toEqual([{ t: 50, checkpoint: 1 }, { t: 300, checkpoint: 2 }, { t: 550, checkpoint: 3, queuedMs: 150 }]);
  });
});

describe('checkpoint coordinator: the queue of trigger requests', () => {
  it('starts the oldest waiting periodic trigger as soon as the checkpoint in flight completes', () => {
    // Checkpoint 1 (100) is acknowledged at 330, after the ticks of 200 and 300 queued; its commit
    // completes it, and checkpoint 2 starts at once with the request of 200. Checkpoint 2 expires
    // 250 ms later and checkpoint 3 (the request of 300) starts then.
    const { injects, completes, aborts } = runScript({ acks: [[330, 1]] }, 900);
    expect(completes.map((c) => c.checkpoint)).toEqual([1]);
    const done = completes[0]!.t;
    expect(done).toBeGreaterThanOrEqual(330);
    expect(injects.slice(0, 3)).toEqual([{ t: 100, checkpoint: 1 }, { t: done, checkpoint: 2, queuedMs: done - 200 }, { t: done + 250, checkpoint: 3, queuedMs: done + 250 - 300 }]);
    expect(aborts.slice(0, 1)).toEqual([{ t: done + 250, checkpoint: 2, reason: 'timeout' }]);
    // The replay's event log says so.
    const event = { seq: 0, t: done, p: 'jm', kind: 'barrier.inject', checkpoint: 2, attempt: 0, final: false, savepoint: false, queuedMs: done - 200 };
    expect(describeEvent(event)).toBe(`coordinator injects barrier c2 (queued ${done - 200} ms)`);
  });

  it('with nothing in flight, a tick starts its checkpoint at once', () => {
    // Each checkpoint is acknowledged 20 ms after it starts: nothing ever waits.
    const { injects, completes } = runScript({ acks: [[120, 1], [220, 2], [320, 3]] }, 390);
    expect(injects).toEqual([{ t: 100, checkpoint: 1 }, { t: 200, checkpoint: 2 }, { t: 300, checkpoint: 3 }]);
    expect(completes.map((c) => c.checkpoint)).toEqual([1, 2, 3]);
  });

  it('a failover drops the waiting requests', () => {
    // Checkpoint 1 (100) never completes; the ticks of 200 and 300 wait. The failover at 320 drops
    // them with the pending checkpoint: the next checkpoint is the new schedule's first tick, 420.
    const { injects } = runScript({ resetAt: 320 }, 450);
    expect(injects).toEqual([{ t: 100, checkpoint: 1 }, { t: 420, checkpoint: 2 }]);
  });
});
