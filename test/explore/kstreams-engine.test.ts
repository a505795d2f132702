/**
 * What this proves: the Kafka Streams engine keeps exactly-once under the
 * same fault plans as Flink, through real crashes, rebalances, restores
 * from changelogs and zombies fenced by generation; at-least-once is caught
 * double-counting; a run replays to the same trace hash; Kafka Streams'
 * missing at-most-once is refused.
 *
 * How: run wordcount on fixed swarm seeds with `engine: 'kstreams'`; every
 * check must pass, and across the seeds the trace must show crashes,
 * rebalances (`ks.revoked`), restores with records and a member fenced by
 * the group (`group.fenced`), so the guarantee was really exercised. Then
 * sweep at-least-once until a seed fails the exactly-once accounting.
 *
 * And a new owner whose committed offsets are still pending in a cut-off
 * instance's open transaction (KIP-447's UNSTABLE_OFFSET_COMMIT) waits, as
 * Kafka Streams does, instead of reading "nothing committed" and starting
 * from offset 0: etl with ks-0 cut from the broker for 12 s just as it sent
 * its offsets (at 1,745 ms, found by scanning the cut's time and length; a
 * new owner that read "nothing committed" with a 15 s cut there produced
 * 115 duplicates); ks-1 retries past the client's ten seconds of retries,
 * starts only after ks-0's transaction is aborted, from the committed
 * offset, and every check passes. (With the 15 s cut, ks-0 now rejoins
 * before ks-1 starts the task: its abort waits for its offsets' answer.)
 *
 * And a member fenced while it gives up its tasks (its revocation commit
 * refused: TaskMigrated) leaves the group for good: its revocation, let go
 * by the failed commit, does not join again under the id being given up.
 * The run is the kstreams lesson's (ks-0 cut off from the broker, then
 * fenced on its revocation commit once the cut heals); before the fix the
 * old id joined again, sat in a generation as a member nobody ran, and held
 * two tasks until its session expired.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/explore/run.ts';
import { engineProblem } from '../../src/explore/engines.ts';
import { findScenario } from '../../scenarios/index.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

const base: RunSettings = { scenario: 'wordcount', engine: 'kstreams', seed: 0, guarantee: 'exactly-once', faults: 'swarm', bugs: [], events: 600 };

describe('Kafka Streams engine', () => {
  it('passes every check under swarm faults, with crashes, rebalances, restores and a fenced zombie', () => {
    const seen = { crashes: 0, revoked: 0, restoredRecords: 0, fenced: 0, lost: 0 };
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const r = runScenario({ ...base, seed }, {
        subscribers: [(e) => {
          if (e.kind === 'ks.revoked') seen.revoked++;
          if (e.kind === 'ks.restored') seen.restoredRecords += e.records as number;
          if (e.kind === 'group.fenced') seen.fenced++;
          if (e.kind === 'ks.lost') seen.lost++;
        }],
      });
      seen.crashes += r.faults.crashes;
      expect(r.checks.filter((c) => !c.ok), `seed ${seed}`).toEqual([]);
      expect(r.engine).toBe('kstreams');
    }
    expect(seen.crashes).toBeGreaterThan(0);
    expect(seen.revoked).toBeGreaterThan(0);
    expect(seen.restoredRecords).toBeGreaterThan(0);
    expect(seen.fenced + seen.lost).toBeGreaterThan(0);
  });

  it('is caught double-counting or duplicating under at-least-once', () => {
    let caught: string | undefined;
    for (let seed = 1; seed <= 40 && caught === undefined; seed++) {
      const r = runScenario({ ...base, seed, guarantee: 'at-least-once', events: 1_000 });
      caught = r.checks.find((c) => !c.ok && c.name === 'exactly-once')?.detail;
    }
    expect(caught, 'no seed showed a duplicate or a double count').toMatch(/twice|records give/);
  });

  it('replays a seed to the same trace hash, and its token carries the engine', () => {
    const a = runScenario({ ...base, seed: 9 });
    const b = runScenario({ ...base, seed: 9 });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.token).toBe(b.token);
    const flink = runScenario({ ...base, engine: 'flink', seed: 9 });
    expect(flink.traceHash).not.toBe(a.traceHash);
  });

  it('refuses at-most-once: Kafka Streams does not offer it', () => {
    expect(engineProblem(findScenario('wordcount')!, { engine: 'kstreams', bugs: [], guarantee: 'at-most-once' })).toMatch(/not at-most-once/);
    expect(engineProblem(findScenario('wordcount')!, { engine: 'kstreams', bugs: [], guarantee: 'at-least-once' })).toBeUndefined();
  });

  it('judges restores from the changelogs as the broker made them durable (heavy seed 91 once read them through a read fault)', () => {
    // The broker's disk returned corrupt reads when the job finished; the judge read the changelogs
    // through it, saw corrupt segments and reported a restored key no committed record held.
    const r = runScenario({ ...base, seed: 91, faults: 'heavy', events: undefined });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.map((c) => c.name)).toContain('ks.restore');
  });

  it('a new owner waits while its committed offsets are unstable, then starts from them, not from 0', () => {
    const seen: { t: number; p: string; kind: string; task?: unknown; offsets?: unknown; txnId?: unknown }[] = [];
    // The cut at 1,745 ms catches ks-0 with offsets in a transaction it has not ended (before the broker
    // answered EndTxn once its decision was durable, one at 1,742 ms did; before fsync delays were drawn
    // per disk and millisecond, one at 1,730 ms did). 12 s, not 15 as before the abort waited for the
    // offsets in flight: with 15, ks-0 is back in the group before ks-1 starts the task.
    const r = runScenario({ scenario: 'etl', engine: 'kstreams', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], plan: { faults: [{ kind: 'partition', atMs: 1_745, a: 'broker', b: 'ks-0', durationMs: 12_000 }] } }, {
      subscribers: [(e) => {
        if (e.kind === 'ks.offsets-unstable' || e.kind === 'ks.running' || e.kind === 'txn.abort') seen.push({ t: e.t, p: e.p, kind: e.kind, task: e.task, offsets: e.offsets, txnId: e.txnId });
      }],
    });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const unstable = seen.filter((e) => e.kind === 'ks.offsets-unstable' && e.p === 'ks-1' && e.task === '0_0');
    expect(unstable.length).toBeGreaterThan(0);
    // etl has no stores, so ks-0's process id is its name and start number (see instance.ts).
    const abort = seen.find((e) => e.kind === 'txn.abort' && e.txnId === 'weir-app-ks-0.0-0' && e.t > unstable[0]!.t)!;
    expect(abort).toBeDefined();
    const started = seen.find((e) => e.kind === 'ks.running' && e.p === 'ks-1' && e.task === '0_0')!;
    // After the zombie's transaction was aborted, from the offset committed before it, not from 0.
    expect(started.t).toBeGreaterThan(abort.t);
    expect(started.offsets).toEqual(['input/0@142']);
  });

  it('closes an instance that restarts after the job finished, so the world settles (a crash planned past the end)', () => {
    // The job has finished and every instance was closed before 30 s; ks-0 crashes then and restarts
    // 300 ms later. Nothing told the new instance the job was over: it ran to the step limit and
    // liveness failed. Now the deployment closes it too, as it closed the others.
    for (const scenario of ['etl', 'sessions']) {
      const events: { kind: string; p: string; incarnation?: unknown }[] = [];
      const r = runScenario({ scenario, engine: 'kstreams', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], plan: { faults: [{ kind: 'crash', atMs: 30_000, process: 'ks-0', restartAfterMs: 300 }] } }, {
        subscribers: [(e) => {
          if (e.p === 'ks-0' && (e.kind === 'ks.start' || e.kind === 'ks.closed')) events.push({ kind: e.kind, p: e.p, incarnation: e.incarnation });
        }],
      });
      expect(r.checks.filter((c) => !c.ok), scenario).toEqual([]);
      expect(r.faults.crashes, scenario).toBe(1);
      // Started twice, closed twice: at the job's end, and again once restarted.
      expect(events.map((e) => e.kind), scenario).toEqual(['ks.start', 'ks.closed', 'ks.start', 'ks.closed']);
    }
  });

  it('closes its instances without leaving the group: the coordinator lets them go when their sessions expire (internal.leave.group.on.close false)', () => {
    const reasons: { t: number; reason: string }[] = [];
    const generations: { t: number; members: string[] }[] = [];
    const closed: number[] = [];
    const r = runScenario({ scenario: 'wordcount', engine: 'kstreams', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] }, {
      subscribers: [(e) => {
        if (e.kind === 'group.rebalance') reasons.push({ t: e.t, reason: e.reason as string });
        if (e.kind === 'group.generation') generations.push({ t: e.t, members: e.members as string[] });
        if (e.kind === 'ks.closed') closed.push(e.t);
      }],
    });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(closed).toHaveLength(2);
    const end = Math.max(...closed);
    // No leave: the group rebalances once the first session (1 s) runs out after the members' last
    // heartbeats, and the other member's expiry ends that rebalance with nobody in it.
    expect(reasons.filter((x) => x.t >= end).map((x) => x.reason)).toEqual(['expired:ks-1-0-0']);
    expect(reasons.at(-1)!.t - end).toBeLessThanOrEqual(1_000);
    expect(generations.filter((x) => x.t >= end).map((x) => x.members)).toEqual([[]]);
    expect(reasons.some((x) => x.reason.startsWith('leave:'))).toBe(false);
  });

  it('a commit on revocation names no offsets for a task with nothing new, so no transaction holds offsets alone (StreamTask.prepareCommit)', () => {
    // Seed 22: its swarm faults bring rebalances whose revocations commit tasks with nothing new (had
    // every task named its offsets, the commits on revocation at 1.7 s and 3.3 s would have opened
    // offsets-only transactions). Seed 1 had it from the first rebalance of the old start-up (ks-0
    // alone in generation 1, its tasks revoked when ks-1 joined); both now form generation 1 together.
    // Interval commits may hold offsets alone: a task whose fetch stepped over transaction markers
    // commits once more to step over them (StreamTask.commitNeeded). So the transactions begun
    // while their instance was revoking (between its ks.revoked and ks.suspended) are the ones checked.
    // Per application transaction (id#n): the topics it appended to; the transactional id names the
    // instance (weir-app-<instance>-<thread>).
    const topics = new Map<string, Set<string>>();
    const open = new Map<string, number>();
    const revoking = new Set<string>();
    const duringRevocation = new Set<string>();
    let revoked = 0;
    runScenario({ ...base, seed: 22, events: 1_000 }, {
      subscribers: [(e) => {
        if (e.kind === 'ks.revoked') {
          revoked++;
          revoking.add(e.p);
        }
        if (e.kind === 'ks.suspended') revoking.delete(e.p);
        if (e.p !== 'broker' || !String(e.txnId ?? e.txn ?? '').startsWith('weir-app')) return;
        if (e.kind === 'txn.begin') {
          const id = String(e.txnId);
          open.set(id, e.n as number);
          if (revoking.has(id.slice('weir-app-'.length).replace(/-\d+$/, ''))) duringRevocation.add(`${id}#${e.n as number}`);
        }
        if (e.kind === 'log.append') {
          const k = `${String(e.txn)}#${open.get(String(e.txn))}`;
          topics.set(k, (topics.get(k) ?? new Set()).add(String(e.topic)));
        }
      }],
    });
    expect(revoked).toBeGreaterThan(0);
    expect(topics.size).toBeGreaterThan(100);
    expect(duringRevocation.size).toBeGreaterThan(0);
    const offsetsOnly = [...topics].filter(([k, t]) => duringRevocation.has(k) && t.size === 1 && t.has('__consumer_offsets')).map(([k]) => k);
    expect(offsetsOnly).toEqual([]);
  });

  it('a commit that answers after its tasks were lost lets no second commit run beside the new tasks\' one', () => {
    // Sliding-average, seed 1, ks-0 cut off from the broker 710-1,910 ms while its commit's offsets are
    // in flight: after the heal its heartbeat finds it forgotten (1,950 ms) and it loses its tasks; the
    // offsets' resend is answered after the loss (refused: the member is unknown), and only then is the
    // open transaction aborted, as Kafka's producer sends EndTxn only once the transactional request
    // ahead of it is answered; then the producer takes epoch 2 as its new tasks start. That stale answer
    // used to clear the in-flight flag and start a queued commit too, whose offsets reached the broker
    // beside the new tasks' commit. (A soak's violation, swarm seed 3,841, found it; its plan no longer
    // meets the case since the producer initialises at the next task. Before the abort waited for the
    // commit's requests, a cut at 710 ms, 733 ms before fsync delays were drawn per disk and
    // millisecond, had a write of epoch 1 fenced after epoch 2; none can come after the abort now.)
    const settings = { scenario: 'sliding-average', engine: 'kstreams', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], plan: { faults: [{ kind: 'partition', atMs: 710, a: 'ks-0', b: 'broker', durationMs: 1_200 }] } } as const;
    const events: TraceEvent[] = [];
    const r = runScenario({ ...settings, bugs: [], plan: { faults: [...settings.plan.faults] } }, {
      subscribers: [(e) => {
        if (((e.kind === 'ks.lost' || e.kind === 'ks.producer' || e.kind === 'ks.commit') && e.p === 'ks-0') || (e.txnId === 'weir-app-ks-0-0' && e.p === 'broker')) events.push(e);
      }],
    });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const lost = events.filter((e) => e.kind === 'ks.lost');
    expect(lost.map((e) => e.reason)).toEqual(['heartbeat: unknown-member']);
    // After the loss, epoch 1 only ends: one abort, and no transaction begun, offsets joined or commit under it.
    const afterLoss = events.filter((e) => e.seq > lost[0]!.seq && e.epoch === 1 && e.p === 'broker');
    expect(afterLoss.map((e) => `${e.kind} ${String(e.reason)}`)).toEqual(['txn.abort requested']);
    // The abort waited for the commit's offsets: it comes after the loss by more than a round trip.
    expect(afterLoss[0]!.t - lost[0]!.t).toBeGreaterThan(50);
    const epoch2 = events.find((e) => e.kind === 'ks.producer' && e.epoch === 2);
    expect(epoch2!.seq).toBeGreaterThan(afterLoss[0]!.seq);
    // The new tasks commit under epoch 2, one commit at a time: each transaction of epoch 2 ends before the next begins.
    const epoch2Txns = events.filter((e) => e.p === 'broker' && e.epoch === 2 && (e.kind === 'txn.begin' || e.kind === 'txn.commit' || e.kind === 'txn.abort'));
    expect(epoch2Txns.length).toBeGreaterThan(2);
    epoch2Txns.forEach((e, k) => expect(e.kind, `${e.kind} at ${e.t} ms`).toBe(k % 2 === 0 ? 'txn.begin' : 'txn.commit'));
  });

  it('a member the group let go loses its tasks on its next heartbeat: no commit, and it joins again under a new id (onPartitionsLost)', () => {
    // ks-0 is cut off from the broker 1,300-5,200 ms; its session (1 s) expires at 2,056 and ks-1
    // takes every task. After the heal ks-0's heartbeat is answered unknown-member: Kafka's consumer
    // resets its generation and member id, and Streams' `onPartitionsLost` closes the tasks dirty
    // (`handleLostAll`) without the commit a revocation makes.
    const healMs = 5_200;
    const fenced: string[] = [];
    const joins: string[] = [];
    const generations: string[][] = [];
    const lost: TraceEvent[] = [];
    let revokedAfterHeal = 0;
    const r = runScenario({
      ...base, seed: 9, faults: 'none',
      plan: { faults: [{ kind: 'partition', atMs: 1_300, a: 'ks-0', b: 'broker', durationMs: healMs - 1_300 }, { kind: 'crash', atMs: 2_600, process: 'ks-1', restartAfterMs: 300 }] },
    }, {
      subscribers: [(e) => {
        if (e.kind === 'group.fenced') fenced.push(String(e.member));
        if (e.kind === 'group.rebalance' && e.t >= healMs && String(e.reason).startsWith('join:')) joins.push(String(e.reason).slice(5));
        if (e.kind === 'group.generation') generations.push(e.members as string[]);
        if (e.kind === 'ks.lost' && e.p === 'ks-0') lost.push(e);
        if (e.kind === 'ks.revoked' && e.p === 'ks-0' && e.t >= healMs) revokedAfterHeal++;
      }],
    });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.t).toBeGreaterThanOrEqual(healMs);
    expect(String(lost[0]!.reason)).toMatch(/^heartbeat:/);
    // It gave its tasks up as lost, not revoked, and sent no commit the group could fence.
    expect(revokedAfterHeal).toBe(0);
    expect(fenced).toEqual([]);
    // The old id never joined again nor sat in a later generation; the new one did.
    expect(joins).toEqual(['ks-0-0-1']);
    for (const members of generations.slice(1)) expect(members).not.toContain('ks-0-0-0');
    expect(generations.some((members) => members.includes('ks-0-0-1'))).toBe(true);
  });
});
