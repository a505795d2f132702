/**
 * The two-phase-commit sink judge (`sink.two-phase`). Proves: it passes a
 * run where the broker aborts only transactions whose checkpoint never
 * completed, or that a rollback to an older checkpoint leaves behind; and
 * it fails — naming the transaction and its checkpoint — the broker
 * aborting a transaction pre-committed in a completed checkpoint, whether
 * the job restored that checkpoint (or a later one) or never restored at
 * all since, with completion known from the coordinator or only from the
 * durable metadata; and a restored sink re-initialising the id of such a
 * transaction while the broker lists it open or being ended (the mutant
 * `restore-aborts-pending-txn` of `npm run mutants`, caught by this judge
 * at seed 60 of wordcount). End to end, Flink runs under swarm faults pass it.
 *
 * How: hand-made events (the fields the sinks, the job manager and the
 * broker emit), then whole runs.
 */
import { describe, expect, it } from 'vitest';
import { SinkTwoPhaseTrace } from '../../src/check/sink-two-phase.ts';
import { runScenario } from '../../src/explore/run.ts';
import type { TraceEvent } from '../../src/check/types.ts';

let seq = 0;
const ev = (kind: string, t: number, p: string, fields: Record<string, unknown> = {}): TraceEvent => ({ seq: seq++, t, p, kind, ...fields }) as TraceEvent;
const precommit = (t: number, txn: string, checkpoint: number) => ev('txn.precommit', t, 'tm-0', { task: 'window[0]', txn, checkpoint });
const complete = (t: number, checkpoint: number) => ev('checkpoint.complete', t, 'jm', { checkpoint, attempt: 0 });
const restore = (t: number, attempt: number, checkpoint: number) => ev('job.restore', t, 'jm', { attempt, checkpoint });
const brokerAbort = (t: number, txnId: string, reason = 'fenced') => ev('txn.abort', t, 'broker', { txnId, epoch: 1, n: 1, partitions: 1, reason, requestedMs: t });

function judge(events: TraceEvent[]) {
  const j = new SinkTwoPhaseTrace('broker');
  for (const e of events) if (j.kinds.includes(e.kind)) j.onEvent(e);
  return { j, r: j.verdict() };
}

describe('sink.two-phase', () => {
  it('passes aborts of transactions whose checkpoint never completed, or that a rollback leaves behind', () => {
    const { j, r } = judge([
      restore(0, 0, -1),
      precommit(500, 'sink-0-a0-c1', 1), complete(520, 1),
      precommit(1_000, 'sink-0-a0-c2', 2),
      // Checkpoint 2 never completes; the restore from 1 aborts its transaction.
      restore(1_200, 1, 1), brokerAbort(1_210, 'sink-0-a0-c2'),
      // Checkpoint 3 completes, and then the job rolls back to 1 (say 3 could not be read): 3's transaction goes.
      precommit(1_500, 'sink-0-a1-c1', 3), complete(1_520, 3), restore(1_800, 2, 1), brokerAbort(1_810, 'sink-0-a1-c1'),
    ]);
    expect(r).toMatchObject({ ok: true, name: 'sink.two-phase' });
    expect(r.detail).toBe('3 transactions pre-committed, 2 of them aborted, none that a completed checkpoint held; 0 ids of failed attempts re-initialised by restored sinks, none holding such a transaction open');
    expect(j.eventful).toBe(true);
    // Neither a sink's own abort events (they name a task and `txn`) nor another id's abort count.
    const quiet = judge([precommit(500, 'X', 1), complete(520, 1), ev('txn.abort', 600, 'tm-0', { task: 'window[0]', txn: 'X', reason: 'sink closed' }), brokerAbort(700, 'Y')]);
    expect(quiet.r.ok).toBe(true);
    expect(quiet.j.eventful).toBe(false);
  });

  it('fails the broker aborting a transaction a restored completed checkpoint holds', () => {
    const { r } = judge([restore(0, 0, -1), precommit(500, 'sink-0-a0-c1', 1), complete(520, 1), restore(600, 1, 1), brokerAbort(640, 'sink-0-a0-c1')]);
    expect(r.ok).toBe(false);
    // The seq names the broker's abort, where `weir replay` puts its cursor for this check.
    expect(r.detail).toMatch(/^the broker aborted sink-0-a0-c1 \(fenced\) at 640 ms, pre-committed in checkpoint 1, which had completed \(the job restored checkpoint 1\): it must be committed \(seq \d+\)$/);
    // Restored from a later checkpoint: still part of the past.
    expect(judge([precommit(500, 'A', 1), complete(520, 1), precommit(900, 'B', 2), complete(920, 2), restore(1_000, 1, 2), brokerAbort(1_010, 'A')]).r.ok).toBe(false);
  });

  it('fails such an abort with no restore since the completion, or a restore of an older checkpoint from before it', () => {
    const none = judge([restore(0, 0, -1), precommit(500, 'A', 1), complete(520, 1), brokerAbort(600, 'A', 'timeout')]).r;
    expect(none.detail).toMatch(/aborted A \(timeout\) at 600 ms, pre-committed in checkpoint 1, which had completed \(no restore since\)/);
    // The attempt restored from 1 pre-committed A in 3 itself; 3 completed, so A is that attempt's committed past.
    const before = judge([restore(0, 1, 1), precommit(500, 'A', 3), complete(520, 3), brokerAbort(600, 'A')]).r;
    expect(before.ok).toBe(false);
  });

  it('fails a restored sink re-initialising the id of a transaction its checkpoint holds, while the broker holds it open or ending', () => {
    const leftover = (t: number, txn: string, attempt: number, listed: string) =>
      ev('txn.abort', t, 'tm-0', { task: 'window[0]', txn, reason: 'left open by a failed attempt', attempt, listed });
    const base = [restore(0, 0, -1), precommit(500, 'A', 1), complete(520, 1), restore(600, 1, 1)];
    for (const listed of ['open', 'ending']) {
      const r = judge([...base, leftover(650, 'A', 1, listed)]).r;
      expect(r.ok, listed).toBe(false);
      expect(r.detail).toMatch(new RegExp(`^window\\[0\\] of attempt 1, restored from checkpoint 1, re-initialised A at 650 ms while the broker held its transaction ${listed}, which completed checkpoint 1 holds as pre-committed: it must be committed, not aborted \\(seq \\d+\\)$`));
    }
    // An idle producer of that id (its transaction long committed), a transaction of a checkpoint that never
    // completed, or an attempt restored from before it: fencing those is what a restored sink does.
    expect(judge([...base, leftover(650, 'A', 1, 'idle')]).r.ok).toBe(true);
    expect(judge([...base, precommit(700, 'B', 2), restore(800, 2, 1), leftover(850, 'B', 2, 'open')]).r.ok).toBe(true);
    expect(judge([restore(0, 0, -1), precommit(500, 'A', 2), complete(520, 2), restore(600, 1, 1), leftover(650, 'A', 1, 'open')]).r.ok).toBe(true);
  });

  it('takes the durable metadata as complete even when the coordinator never heard', () => {
    const r = judge([precommit(500, 'A', 1), ev('checkpoint.metadata', 520, 'store', { checkpoint: 1 }), restore(600, 1, 1), brokerAbort(640, 'A')]).r;
    expect(r.ok).toBe(false);
  });

  it('passes Flink runs under swarm faults, and is shown when the broker aborted a pre-committed transaction', () => {
    let shown = 0;
    for (const seed of [54, 1, 2, 3]) {
      const run = runScenario({ scenario: 'wordcount', seed, guarantee: 'exactly-once', faults: 'swarm', bugs: [] });
      expect(run.checks.filter((c) => !c.ok), `seed ${seed}`).toEqual([]);
      if (run.checks.some((c) => c.name === 'sink.two-phase')) shown++;
    }
    expect(shown).toBeGreaterThan(0);
  });
});
