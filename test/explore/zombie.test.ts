/**
 * What this proves: with a spare task manager, a task manager cut off from
 * the job manager (but not from the log) is replaced — the job restarts on
 * the spare — while the cut-off one keeps running the old attempt's tasks as
 * a zombie until it hears of the newer attempt; the log fences the zombie's
 * transactional writes, so every check still passes. With the planted bug
 * `zombie-not-fenced` (leftover transactions aborted without bumping the
 * producer epoch) the zombie's writes open a new transaction in the old
 * epoch: it hangs until the zombie hears of the newer attempt and its sink,
 * closing, aborts it (as Flink's Kafka sink does) — and, when the zombie
 * crashes first, until the broker's transaction timeout ends it, an hour
 * after it began (Flink's sink sets transaction.timeout.ms to one hour),
 * long after the job finished: the liveness check catches that.
 *
 * How: one fixed seed of `bank` with an explicit fault plan (a partition
 * between the job manager and tm-1, long enough for a heartbeat timeout;
 * for the crash, tm-1 also crashes before the partition heals), and the
 * trace events of the run.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { failed, run } from './helpers.ts';
import { JobPlan } from '../../src/engines/flink/runtime/plan.ts';
import { StreamEnvironment } from '../../src/engines/flink/api/environment.ts';
import { findScenario } from '../../scenarios/index.ts';

const PLAN = { faults: [{ kind: 'partition' as const, atMs: 800, a: 'jm', b: 'tm-1', durationMs: 1_500 }] };

/** The zombie crashes at 2,000 ms, before the partition heals. */
const CRASHING = { faults: [...PLAN.faults, { kind: 'crash' as const, atMs: 2_000, process: 'tm-1', restartAfterMs: 1_000 }] };

function zombieRun(bugs: 'zombie-not-fenced'[], spareTaskManagers: number, plan: typeof PLAN | typeof CRASHING = PLAN): { problems: string[]; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  const keep = /^(job\.restore|task\.deploy|tm\.stale|txn\.fenced|txn\.begin|txn\.abort|sink\.write|net\.heal)$/;
  const report = run(
    { scenario: 'bank', seed: 3, faults: 'none', plan, bugs, spareTaskManagers },
    { subscribers: [(e) => { if (keep.test(e.kind)) events.push(e); }] },
  );
  return { problems: failed(report), events };
}

describe('a task manager cut off from the job manager', () => {
  it('is replaced by the spare, runs on as a zombie, and is fenced out of the output', () => {
    const { problems, events } = zombieRun([], 1);
    expect(problems).toEqual([]);
    const restore = events.find((e) => e.kind === 'job.restore' && e.attempt === 1);
    expect(restore?.slots).toBe('tm-0,tm-2');
    expect(events.some((e) => e.kind === 'task.deploy' && e.p === 'tm-2' && e.attempt === 1)).toBe(true);
    // The zombie's produce into its attempt-0 transaction is refused by epoch, and it stops writing.
    const fenced = events.filter((e) => e.kind === 'txn.fenced');
    expect(fenced.length).toBeGreaterThan(0);
    expect(fenced.every((e) => String(e.txnId).includes('-a0-') && e.op === 'produce')).toBe(true);
    expect(events.filter((e) => e.kind === 'sink.write' && e.p === 'tm-1' && e.code === 'fenced')).toHaveLength(1);
    // Once the partition heals, a heartbeat of the newer attempt ends the zombie.
    const heal = events.find((e) => e.kind === 'net.heal')!;
    const stale = events.find((e) => e.kind === 'tm.stale');
    expect(stale?.p).toBe('tm-1');
    expect(stale!.t).toBeGreaterThanOrEqual(heal.t);
  });

  it('aborts the open transaction of a sink whose task is cancelled, as Flink\'s Kafka sink does on close', () => {
    const { events } = zombieRun([], 1);
    // tm-0 stays in touch: the job manager's failover cancels its tasks, and its sink aborts what it
    // had open (traced once the broker answered, so after the broker's own record of it).
    const closed = events.filter((e) => e.kind === 'txn.abort' && e.reason === 'sink closed');
    expect(closed.map((e) => `${e.p} ${e.txn}`)).toEqual(['tm-0 sink-0-a0-c2']);
    const broker = events.find((e) => e.kind === 'txn.abort' && e.p === 'broker' && e.txnId === 'sink-0-a0-c2');
    expect(broker?.reason).toBe('requested');
    expect(broker!.seq).toBeLessThan(closed[0]!.seq);
  });

  it('without fencing, lets the zombie open a transaction in the old epoch that hangs until the zombie closes it', () => {
    const { problems, events } = zombieRun(['zombie-not-fenced'], 1);
    const reopened = events.find((e) => e.kind === 'txn.begin' && e.p === 'broker' && String(e.txnId).startsWith('sink-1-a0-') && Number(e.n) > 1);
    const stale = events.find((e) => e.kind === 'tm.stale')!;
    const ended = events.find((e) => e.kind === 'txn.abort' && e.p === 'broker' && e.txnId === reopened?.txnId && e.t > reopened!.t);
    expect(reopened).toBeDefined();
    // Open from the zombie's write until it hears of attempt 1, when its sink closes and aborts it.
    expect(ended!.t).toBeGreaterThanOrEqual(stale.t);
    expect(problems).toEqual([]);
  });

  it('leaves a transaction open for the hour of its timeout when the restarted sink aborts without fencing and the zombie crashes (zombie-not-fenced)', () => {
    const { problems, events } = zombieRun(['zombie-not-fenced'], 1, CRASHING);
    // Nobody ends the zombie's transaction: only the broker's timeout does, an hour after it began.
    const liveness = problems.filter((p) => p.startsWith('liveness'));
    expect(liveness).toHaveLength(1);
    expect(liveness[0]).toMatch(/was left open after the job finished, until the broker's transaction timeout \(3,600 s\) aborted it/);
    const timedOut = events.filter((e) => e.kind === 'txn.abort' && e.p === 'broker' && e.reason === 'timeout');
    expect(timedOut).toHaveLength(1);
    const begun = events.find((e) => e.kind === 'txn.begin' && e.p === 'broker' && e.txnId === timedOut[0]!.txnId && e.epoch === timedOut[0]!.epoch)!;
    expect(timedOut[0]!.t - begun.t).toBeGreaterThan(3_600_000);
    // The broker's coordinator did as it should: the timeout judge passes.
    expect(problems.some((p) => p.startsWith('txn.timeout'))).toBe(false);
  });

  it('with fencing, leaves nothing open when the zombie crashes', () => {
    expect(zombieRun([], 1, CRASHING).problems).toEqual([]);
  });

  it('without a spare, waits for the cut-off task manager and redeploys on it', () => {
    const { problems, events } = zombieRun([], 0);
    expect(problems).toEqual([]);
    const restore = events.find((e) => e.kind === 'job.restore' && e.attempt === 1)!;
    const heal = events.find((e) => e.kind === 'net.heal')!;
    expect(restore.t).toBeGreaterThanOrEqual(heal.t);
    expect(restore.slots).toBeUndefined();
    expect(events.some((e) => e.kind === 'txn.fenced')).toBe(false);
  });
});

describe('JobPlan slot tables', () => {
  it('moves a slot\'s tasks and their data to the task manager that hosts it', () => {
    const bank = findScenario('bank')!;
    const env = new StreamEnvironment({ parallelism: 2 });
    bank.engines.flink!.build(env, { ...bank.defaults, parallelism: 2 });
    const plan = new JobPlan(env.graph, ['tm-0', 'tm-1'], ['tm-2']);
    expect(plan.allTaskManagers).toEqual(['tm-0', 'tm-1', 'tm-2']);
    const onTm1 = plan.tasksOn('tm-1').map((t) => t.key);
    expect(onTm1.length).toBeGreaterThan(0);
    expect(plan.tasksOn('tm-2')).toEqual([]);
    const moved = ['tm-0', 'tm-2'];
    expect(plan.tasksOn('tm-2', moved).map((t) => t.key)).toEqual(onTm1);
    expect(plan.tasksOn('tm-1', moved)).toEqual([]);
    for (const key of onTm1) expect(plan.hostOf(key, moved)).toBe('tm-2');
  });
});
