/**
 * What this proves: how a Flink task's own failure, and the cancellation
 * of a failed attempt, reach the job manager, as in Flink:
 * - a task that fails itself stops as a cancelled one does before it
 *   reports (Flink's `Task` cleans up its invokable, then reports FAILED):
 *   its two-phase sink asks for the abort of its open transaction before
 *   the job manager has even heard of the failure;
 * - a failure report lost on the way is made up for by the heartbeat's
 *   deployment report (Flink's `ExecutionDeploymentReport`, reconciled by
 *   the job manager): the task is no longer listed, and the job manager
 *   fails the attempt within a heartbeat or two, not when checkpoints
 *   start to expire;
 * - the next attempt is deployed only once the cancelled tasks have ended,
 *   their sinks' aborts answered (Flink restarts once every execution is
 *   CANCELED, and reuses a slot only once it is empty).
 *
 * How: `etl` with a tripwire chained after its source, which fails the
 * source's task at its 150th record in the first attempt, under heavy
 * faults: seed 4, where the report arrives, and seed 59, where the fault
 * site `task.failed.lost` drops it. Then the heavy seeds of shipped
 * scenarios where the job manager used to deploy the next attempt while a
 * cancelled sink's abort was still unanswered (a sweep of seeds 1-30 of
 * every Flink scenario found six: wordcount 30, sliding-average 15 and
 * 19, wordcount-final 9 and 30, ttl-visits 15): each sink's abort,
 * traced once the broker agreed, must come before the next attempt's
 * deployment. And a planned run with a spare task manager where a slot
 * moved off tm-1 while its sink could not reach the broker, and the next
 * restart could have moved a slot back onto tm-1 while that sink was still
 * closing: the attempt deployed there must wait for its abort, and the
 * job manager traces that wait (`job.wait`, naming tm-1). Every run
 * must also pass its checks.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../../src/runtime/trace-event.ts';
import { failed, run } from '../../../explore/helpers.ts';
import { etlTripwire, TRIP_REASON } from './tripwire.ts';

function tripped(seed: number): { events: TraceEvent[]; failures: string[]; token: string } {
  const events: TraceEvent[] = [];
  const r = run({ scenario: 'etl', seed, faults: 'heavy', engine: 'flink' }, {
    scenario: etlTripwire,
    subscribers: [(e) => {
      if (/^(job\.|txn\.abort|buggify)/.test(e.kind)) events.push(e);
    }],
  });
  return { events, failures: failed(r), token: r.token };
}

describe('a Flink task that fails itself', () => {
  it('closes its sink, whose abort is asked for before the job manager fails the attempt (heavy seed 4)', () => {
    const { events, failures, token } = tripped(4);
    expect(failures, token).toEqual([]);
    const fail = events.find((e) => e.kind === 'job.fail' && e.attempt === 0);
    expect(fail?.reason, token).toBe(`input[0] failed: ${TRIP_REASON}`);
    const abort = events.find((e) => e.kind === 'txn.abort' && e.reason === 'sink closed' && e.task === 'input[0]' && String(e.txn).includes('-a0-'));
    expect(abort, token).toBeDefined();
    expect(abort!.requestedMs as number).toBeLessThan(fail!.t);
  });

  it('whose report is lost is found missing from its task manager\'s deployment report (heavy seed 59)', () => {
    const { events, failures, token } = tripped(59);
    expect(failures, token).toEqual([]);
    const lost = events.find((e) => e.kind === 'buggify' && e.site === 'task.failed.lost');
    expect(lost, token).toBeDefined();
    const fail = events.find((e) => e.kind === 'job.fail' && e.attempt === 0);
    expect(fail?.reason, token).toBe('input[0] is no longer running on tm-0');
    // Within two heartbeats (100 ms apart) and a message's way there and back.
    expect(fail!.t - lost!.t).toBeLessThanOrEqual(250);
  });
});

const WAITED: [string, number][] = [['wordcount', 30], ['sliding-average', 15], ['sliding-average', 19], ['wordcount-final', 9], ['wordcount-final', 30], ['ttl-visits', 15]];

describe('the next attempt of a Flink job', () => {
  for (const [scenario, seed] of WAITED) {
    it(`is deployed once the cancelled sinks' aborts are answered: ${scenario}, heavy seed ${seed}`, () => {
      const restores: { attempt: number; t: number }[] = [];
      const late: string[] = [];
      let aborts = 0;
      /** Each sink abort answered: its attempt and when. */
      const answered: { attempt: number; t: number }[] = [];
      const r = run({ scenario, seed, faults: 'heavy', engine: 'flink' }, {
        subscribers: [(e) => {
          if (e.kind === 'job.restore') restores.push({ attempt: e.attempt as number, t: e.t });
          if (e.kind !== 'txn.abort' || e.reason !== 'sink closed') return;
          aborts++;
          const attempt = Number(/-a(\d+)-c/.exec(String(e.txn))![1]);
          answered.push({ attempt, t: e.t });
          const newer = restores.find((x) => x.attempt > attempt);
          if (newer !== undefined) late.push(`${e.txn} aborted at ${e.t} ms, attempt ${newer.attempt} deployed at ${newer.t} ms`);
        }],
      });
      expect(failed(r), r.token).toEqual([]);
      expect(aborts).toBeGreaterThan(0);
      // The case itself: a sink of a failed attempt closed (its abort answered) before a newer attempt was deployed.
      expect(answered.some((a) => restores.some((x) => x.attempt > a.attempt && x.t >= a.t))).toBe(true);
      expect(late).toEqual([]);
    });
  }
});

describe('a slot of a Flink job', () => {
  it('goes back to a task manager only once the tasks it ran there have ended (a spare, three partitions)', () => {
    // tm-1 is cut off from the job manager (its slot moves to the spare, tm-2), then from the
    // broker while its sink closes; tm-2 is then cut off too, and tm-1 answers heartbeats again.
    const faults = [
      { kind: 'partition' as const, atMs: 3_000, a: 'jm', b: 'tm-1', durationMs: 600 },
      { kind: 'partition' as const, atMs: 3_590, a: 'tm-1', b: 'broker', durationMs: 3_000 },
      { kind: 'partition' as const, atMs: 4_500, a: 'jm', b: 'tm-2', durationMs: 600 },
    ];
    const restores: { attempt: number; t: number; slots: string[] }[] = [];
    const late: string[] = [];
    const tm1Closed: number[] = [];
    const waits: { attempt: number; t: number; for: string; tms: string }[] = [];
    let aborts = 0;
    const r = run({ scenario: 'wordcount', seed: 1, engine: 'flink', spareTaskManagers: 1, plan: { faults } }, {
      subscribers: [(e) => {
        if (e.kind === 'job.restore') restores.push({ attempt: e.attempt as number, t: e.t, slots: String(e.slots).split(',') });
        if (e.kind === 'job.wait') waits.push({ attempt: e.attempt as number, t: e.t, for: String(e.for), tms: String(e.tms) });
        if (e.kind !== 'txn.abort' || e.reason !== 'sink closed') return;
        aborts++;
        const attempt = Number(/-a(\d+)-c/.exec(String(e.txn))![1]);
        if (e.p === 'tm-1' && attempt === 0) tm1Closed.push(e.t);
        const there = restores.find((x) => x.attempt > attempt && x.slots.includes(e.p));
        if (there !== undefined) late.push(`${e.p}: ${e.txn} aborted at ${e.t} ms, attempt ${there.attempt} deployed there at ${there.t} ms`);
      }],
    });
    expect(failed(r), r.token).toEqual([]);
    expect(aborts).toBeGreaterThan(0);
    // The case itself: tm-1's sink of attempt 0 was still closing after attempt 1 was deployed (on the
    // spare), so when attempt 1 failed, tm-1 was a healthy task manager without a slot, still closing.
    const a1 = restores.find((x) => x.attempt === 1)!;
    expect(a1.slots).not.toContain('tm-1');
    expect(tm1Closed.some((t) => t > a1.t)).toBe(true);
    expect(late).toEqual([]);
    // And the wait is traced: attempt 2, with tm-2 not answering, would have taken tm-1's free slot
    // while tm-1's sink still closed, so the job manager said it waits for tm-1's cancelled tasks.
    const a2 = restores.find((x) => x.attempt === 2)!;
    expect(waits.filter((w) => w.attempt === 2 && w.t < a2.t)).toEqual([expect.objectContaining({ for: 'cancelled tasks', tms: 'tm-1' })]);
  });
});
