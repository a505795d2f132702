/**
 * Consumer groups on the broker (group-coordinator.ts) and the member loop
 * (group-member.ts). Proves: a join is answered when its rebalance completes,
 * with a generation bumped by every rebalance and a sticky assignment; members
 * learn of a rebalance from heartbeats (rebalance-in-progress,
 * illegal-generation, unknown-member) and rejoin; a member that does not
 * rejoin within the rebalance timeout, or stops heartbeating for the session
 * timeout (on the simulated clock), is removed; a leave rebalances at once;
 * the generation and assignment survive a broker crash and generations never
 * repeat; the same seed gives the same trace; an empty group's first rebalance
 * waits Kafka's initial rebalance delay, again for every member that joined
 * during a wait, up to the first member's rebalance timeout, and no later
 * rebalance waits (timings read off the simulated clock); a member heartbeats
 * through a slow revocation, so its session outlives it and only the
 * rebalance timeout bounds it. And under generated faults (partitions
 * between members and the broker, member and broker crashes, latency
 * spikes; fast-check draws them): no two members hold a partition in the
 * same generation, each member's generations grow, and once the faults
 * are over the group settles on every member, their partitions split, and
 * stays so.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addApp, bounce, call, logWorld, ok, settle } from './helpers.ts';
import { DEFAULT_INITIAL_REBALANCE_DELAY_MS } from '../../src/log/group-coordinator.ts';
import { LogClient, type AckResult, type FetchOffsetsResult, type JoinGroupResult, type ProduceResult } from '../../src/log/client.ts';
import { GroupMember } from '../../src/log/group-member.ts';
import type { TopicPartition } from '../../src/log/protocol.ts';
import type { World } from '../../src/sim/index.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

const TIMEOUTS = { sessionTimeoutMs: 3_000, rebalanceTimeoutMs: 2_000 };
const names = (tps: readonly TopicPartition[]): string[] => tps.map((tp) => `${tp.topic}/${tp.partition}`);

function events(world: World, kind: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  world.trace.subscribe((e) => {
    if (e.kind === kind) out.push(e);
  });
  return out;
}

describe('join, heartbeat, leave', () => {
  it('bumps the generation on every rebalance and tells members through heartbeats', () => {
    const w = logWorld(50, { t: 4 });
    const other = addApp(w.world, 'app2');
    settle(w.world, 10);
    const a1 = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, cb)));
    expect(a1).toMatchObject({ generation: 1, members: ['a'] });
    expect(names(a1.assignment)).toEqual(['t/0', 't/1', 't/2', 't/3']);

    let b2: JoinGroupResult | undefined;
    other().joinGroup('g', 'b', ['t'], TIMEOUTS, (r) => (b2 = r));
    settle(w.world, 100);
    expect(b2).toBeUndefined(); // the rebalance waits for a to rejoin
    const hb = call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', 1, cb));
    expect(hb).toMatchObject({ ok: false, code: 'rebalance-in-progress' });
    const a2 = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, cb)));
    settle(w.world, 10);
    expect(a2).toMatchObject({ generation: 2, members: ['a', 'b'] });
    expect(ok(b2!).generation).toBe(2);
    // Sticky: a keeps two of its four; b gets the other two.
    expect(a2.assignment).toHaveLength(2);
    expect(names(a2.assignment).every((p) => names(a1.assignment).includes(p))).toBe(true);
    expect([...names(a2.assignment), ...names(ok(b2!).assignment)].sort()).toEqual(['t/0', 't/1', 't/2', 't/3']);

    expect(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', 1, cb))).toMatchObject({ ok: false, code: 'illegal-generation' });
    expect(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'nobody', 2, cb))).toMatchObject({ ok: false, code: 'unknown-member' });
    ok(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', 2, cb)));

    // A follower's join again, unchanged (its reply lost), is answered with the current generation.
    expect(ok(call<JoinGroupResult>(w.world, (cb) => other().joinGroup('g', 'b', ['t'], TIMEOUTS, cb)))).toEqual(ok(b2!));

    // b leaves: a learns at its next heartbeat and gets everything back in generation 3.
    ok(call<AckResult>(w.world, (cb) => other().leaveGroup('g', 'b', cb)));
    expect(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', 2, cb))).toMatchObject({ ok: false, code: 'rebalance-in-progress' });
    const a3 = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, cb)));
    expect(a3).toMatchObject({ generation: 3, members: ['a'] });
    expect(names(a3.assignment)).toEqual(['t/0', 't/1', 't/2', 't/3']);

    // The leader's new join rebalances a stable group even unchanged, as in Kafka.
    const a4 = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, cb)));
    expect(a4).toMatchObject({ generation: 4, members: ['a'] });
  });

  it('removes a member that does not rejoin within the rebalance timeout', () => {
    const w = logWorld(51, { t: 4 });
    const b = addApp(w.world, 'app2');
    const c = addApp(w.world, 'app3');
    settle(w.world, 10);
    ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, cb)));
    let bJoined: JoinGroupResult | undefined;
    b().joinGroup('g', 'b', ['t'], TIMEOUTS, (r) => (bJoined = r));
    ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, cb)));
    settle(w.world, 10);
    expect(ok(bJoined!).generation).toBe(2);
    // c joins; a rejoins, b never does.
    const startMs = w.world.now();
    let cJoined: JoinGroupResult | undefined;
    let cAtMs = 0;
    c().joinGroup('g', 'c', ['t'], TIMEOUTS, (r) => {
      cJoined = r;
      cAtMs = w.world.now();
    });
    settle(w.world, 20); // c's join is in: the rebalance has begun, so a's join below takes part in it
    let aJoined: JoinGroupResult | undefined;
    w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, (r) => (aJoined = r));
    w.world.run({ stopWhen: () => cJoined !== undefined, untilMs: w.world.now() + 10_000 });
    settle(w.world, 10);
    expect(cAtMs - startMs).toBeGreaterThanOrEqual(TIMEOUTS.rebalanceTimeoutMs);
    expect(ok(cJoined!)).toMatchObject({ generation: 3, members: ['a', 'c'] });
    expect(ok(aJoined!).assignment).toHaveLength(2);
    expect(call<AckResult>(w.world, (cb) => b().heartbeat('g', 'b', 2, cb))).toMatchObject({ ok: false, code: 'unknown-member' });
  });
});

describe('the initial rebalance (group.initial.rebalance.delay.ms)', () => {
  const DELAY = DEFAULT_INITIAL_REBALANCE_DELAY_MS;

  /** Joins at the given offsets (ms after the first) of members m0, m1, …; when each join was answered, and with what. */
  function joinsAt(seed: number, offsets: number[], broker: { groupInitialRebalanceDelayMs?: number } = {}) {
    const w = logWorld(seed, { t: 4 }, {}, broker);
    const apps = offsets.map((_, i) => (i === 0 ? w.client : addApp(w.world, `app${i}`)));
    settle(w.world, 10);
    const startMs = w.world.now();
    const answers: { member: string; atMs: number; r: JoinGroupResult }[] = [];
    offsets.forEach((at, i) => {
      const join = (): void => apps[i]!().joinGroup('g', `m${i}`, ['t'], TIMEOUTS, (r) => answers.push({ member: `m${i}`, atMs: w.world.now() - startMs, r }));
      if (at === 0) join();
      else w.world.schedule(at, join);
    });
    w.world.run({ stopWhen: () => answers.length === offsets.length, untilMs: startMs + 10_000 });
    return { world: w.world, answers, client: w.client };
  }

  it('answers a new group\'s first join only after the delay, with the members that came meanwhile in one generation', () => {
    const { answers } = joinsAt(60, [0, 20]);
    expect(answers.map((a) => [a.member, ok(a.r).generation, ok(a.r).members])).toEqual([
      ['m0', 1, ['m0', 'm1']],
      ['m1', 1, ['m0', 'm1']],
    ]);
    // m1 joined during the first wait, so the group waited once more: two delays, then the group record's write.
    for (const a of answers) expect(a.atMs).toBeGreaterThanOrEqual(2 * DELAY);
    expect(answers[0]!.atMs).toBeLessThan(2 * DELAY + 40);
    expect(ok(answers[0]!.r).assignment).toHaveLength(2);
  });

  it('with no member coming during the wait, completes at the first deadline; with a delay of 0, at once and alone', () => {
    const one = joinsAt(61, [0]);
    expect(one.answers[0]!.atMs).toBeGreaterThanOrEqual(DELAY);
    expect(one.answers[0]!.atMs).toBeLessThan(2 * DELAY);
    // Kafka's behaviour with the delay switched off: the first member forms a generation of its own, the second starts another.
    const off = joinsAt(60, [0, 20], { groupInitialRebalanceDelayMs: 0 });
    expect(off.answers[0]!.atMs).toBeLessThan(20);
    expect(ok(off.answers[0]!.r)).toMatchObject({ generation: 1, members: ['m0'] });
    // m1's join starts a rebalance that waits for m0 to join again; m0 (no heartbeats here) never does, and is dropped at the rebalance timeout.
    expect(ok(off.answers[1]!.r)).toMatchObject({ generation: 2, members: ['m1'] });
    expect(off.answers[1]!.atMs).toBeGreaterThanOrEqual(20 + TIMEOUTS.rebalanceTimeoutMs);
  });

  it('keeps waiting while members keep coming, but not past the first member\'s rebalance timeout', () => {
    // A new member every 50 ms for 3 s: each wait sees one, so only the rebalance timeout (2 s) ends the waiting.
    const offsets = Array.from({ length: 60 }, (_, i) => i * 50);
    const { answers } = joinsAt(62, offsets);
    const first = answers.filter((a) => ok(a.r).generation === 1);
    const formedMs = Math.min(...first.map((a) => a.atMs));
    expect(formedMs).toBeGreaterThanOrEqual(TIMEOUTS.rebalanceTimeoutMs);
    expect(formedMs).toBeLessThan(TIMEOUTS.rebalanceTimeoutMs + DELAY + 40);
    // Everyone who had joined by then is in generation 1; the later ones start the next rebalance, which waits no delay.
    expect(ok(first[0]!.r).members).toHaveLength(first.length);
    expect(first.length).toBeGreaterThanOrEqual(TIMEOUTS.rebalanceTimeoutMs / 50);
    expect(first.length).toBeLessThan(offsets.length);
  });

  it('a rebalance of a group with members completes as soon as all have joined, and an emptied group waits again', () => {
    const { world, answers, client } = joinsAt(63, [0]);
    const g1 = ok(answers[0]!.r);
    const b = addApp(world, 'late');
    settle(world, 10);
    let bAt = -1;
    const t0 = world.now();
    b().joinGroup('g', 'b', ['t'], TIMEOUTS, () => (bAt = world.now() - t0));
    settle(world, 5);
    expect(call<AckResult>(world, (cb) => client().heartbeat('g', 'm0', g1.generation, cb))).toMatchObject({ code: 'rebalance-in-progress' });
    const again = ok(call<JoinGroupResult>(world, (cb) => client().joinGroup('g', 'm0', ['t'], TIMEOUTS, cb)));
    settle(world, 10);
    expect(again.generation).toBe(2);
    expect(bAt).toBeGreaterThanOrEqual(0);
    expect(bAt).toBeLessThan(DELAY);
    // Both leave: the group is empty, and its next first join waits the delay again.
    ok(call<AckResult>(world, (cb) => client().leaveGroup('g', 'm0', cb)));
    ok(call<AckResult>(world, (cb) => b().leaveGroup('g', 'b', cb)));
    settle(world, 20);
    const t1 = world.now();
    const back = ok(call<JoinGroupResult>(world, (cb) => client().joinGroup('g', 'm0', ['t'], TIMEOUTS, cb)));
    expect(world.now() - t1).toBeGreaterThanOrEqual(DELAY);
    expect(back.members).toEqual(['m0']);
  });
});

interface Seen {
  generation: number;
  assignment: string[];
}

/**
 * A process that stays in group `g` through GroupMember, with a fresh member id per incarnation;
 * `seen` shows its current partitions; `assigned` is called with each assignment as it is taken.
 */
function memberProcess(world: World, id: string, seen: Map<string, Seen>, assigned?: (id: string, s: Seen) => void): void {
  world.addProcess(id, (ctx) => {
    const client = new LogClient(ctx, 'broker', { requestTimeoutMs: 50, maxRetries: 200 });
    seen.delete(id);
    new GroupMember(ctx.timers, client, {
      groupId: 'g', memberId: `${id}-${ctx.incarnation}`, topics: ['t'],
      sessionTimeoutMs: 1_000, rebalanceTimeoutMs: 1_000, heartbeatIntervalMs: 200,
      onAssigned: (generation, assignment) => {
        const s = { generation, assignment: names(assignment) };
        assigned?.(id, s);
        seen.set(id, s);
      },
      onRevoked: (_revoked, done) => {
        seen.delete(id);
        done();
      },
    });
    return { onMessage: (from, msg) => void client.handle(from, msg) };
  });
}

/** True when every live member has the same generation and together they own all `partitions`, once each. */
function stable(seen: Map<string, Seen>, live: string[], partitions: number): boolean {
  const views = live.map((id) => seen.get(id));
  if (views.some((v) => v === undefined)) return false;
  const gens = new Set(views.map((v) => v!.generation));
  const all = views.flatMap((v) => v!.assignment).sort();
  return gens.size === 1 && all.length === partitions && new Set(all).size === partitions;
}

function sessionRun(seed: number): { world: World; seen: Map<string, Seen>; rebalances: TraceEvent[]; before: Map<string, Seen> } {
  const w = logWorld(seed, { t: 6 });
  const seen = new Map<string, Seen>();
  const rebalances = events(w.world, 'group.rebalance');
  for (const id of ['m0', 'm1', 'm2']) memberProcess(w.world, id, seen);
  w.world.run({ stopWhen: () => stable(seen, ['m0', 'm1', 'm2'], 6), untilMs: 30_000 });
  expect(stable(seen, ['m0', 'm1', 'm2'], 6)).toBe(true);
  const before = new Map(seen);
  w.world.crash('m1');
  seen.delete('m1');
  w.world.run({ stopWhen: () => stable(seen, ['m0', 'm2'], 6), untilMs: w.world.now() + 30_000 });
  return { world: w.world, seen, rebalances, before };
}

describe('sessions on the simulated clock', () => {
  it('a crashed member is removed after its session timeout and the others take its partitions, keeping theirs', () => {
    const { world, seen, rebalances, before } = sessionRun(52);
    expect(stable(seen, ['m0', 'm2'], 6)).toBe(true);
    const expiry = rebalances.find((e) => String(e.reason).startsWith('expired:'));
    expect(expiry?.reason).toBe('expired:m1-0');
    for (const id of ['m0', 'm2']) {
      expect(seen.get(id)!.generation).toBe(before.get(id)!.generation + 1);
      for (const p of before.get(id)!.assignment) expect(seen.get(id)!.assignment).toContain(p);
    }
    // Restarted, m1 joins under a new member id and gets a share again.
    world.restart('m1');
    world.run({ stopWhen: () => stable(seen, ['m0', 'm1', 'm2'], 6), untilMs: world.now() + 30_000 });
    expect(stable(seen, ['m0', 'm1', 'm2'], 6)).toBe(true);
    expect(seen.get('m1')!.assignment).toHaveLength(2);
  });

  it('the same seed gives the same trace', () => {
    const a = sessionRun(53).world;
    const b = sessionRun(53).world;
    expect(a.now()).toBe(b.now());
    expect(a.trace.hash()).toBe(b.trace.hash());
  });
});

describe('revocation', () => {
  it('an eager member commits its offsets with its current generation before it rejoins', () => {
    const w = logWorld(55, { t: 2 });
    const results: AckResult[] = [];
    const generations: number[] = [];
    w.world.addProcess('committer', (ctx) => {
      const client = new LogClient(ctx, 'broker', { requestTimeoutMs: 50, maxRetries: 200 });
      const member: GroupMember = new GroupMember(ctx.timers, client, {
        groupId: 'g', memberId: `committer-${ctx.incarnation}`, topics: ['t'],
        sessionTimeoutMs: 1_000, rebalanceTimeoutMs: 1_000, heartbeatIntervalMs: 100,
        onAssigned: (generation) => generations.push(generation),
        onRevoked: (revoked, done) => {
          const offsets = revoked.map((tp) => ({ ...tp, offset: 42, metadata: `gen ${member.metadata().generation}` }));
          client.commitOffsets(member.metadata(), offsets, (r) => {
            results.push(r);
            done();
          });
        },
      });
      return { onMessage: (from, msg) => void client.handle(from, msg) };
    });
    w.world.run({ stopWhen: () => generations.length === 1, untilMs: 10_000 });
    w.client().joinGroup('g', 'newcomer', ['t'], TIMEOUTS, () => {});
    w.world.run({ stopWhen: () => generations.length === 2, untilMs: w.world.now() + 10_000 });
    expect(generations).toEqual([1, 2]);
    expect(results).toEqual([{ ok: true }]);
    const fetched = ok(call<FetchOffsetsResult>(w.world, (cb) => w.client().fetchOffsets('g', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }], {}, cb)));
    expect(fetched.offsets.map((o) => [o.offset, o.metadata])).toEqual([[42, 'gen 1'], [42, 'gen 1']]);
  });
});

describe('a slow revocation', () => {
  /** Members a and b; b's join starts a rebalance, and a's revocation takes `revokeMs`; a's timeouts as given. */
  function slowRevocation(seed: number, revokeMs: number, rebalanceTimeoutMs: number) {
    const w = logWorld(seed, { t: 2 });
    const generations: { generation: number; members: string[] }[] = [];
    w.world.addProcess('slow', (ctx) => {
      const client = new LogClient(ctx, 'broker', { requestTimeoutMs: 50, maxRetries: 200 });
      new GroupMember(ctx.timers, client, {
        groupId: 'g', memberId: 'a', topics: ['t'], sessionTimeoutMs: 1_000, rebalanceTimeoutMs, heartbeatIntervalMs: 300,
        onAssigned: (generation, _assignment, all) => generations.push({ generation, members: Object.keys(all).sort() }),
        onRevoked: (_revoked, done) => void ctx.timers.after(revokeMs, done),
      });
      return { onMessage: (from, msg) => void client.handle(from, msg) };
    });
    w.world.run({ stopWhen: () => generations.length === 1, untilMs: 10_000 });
    const b = addApp(w.world, 'b');
    settle(w.world, 10);
    let bJoined: JoinGroupResult | undefined;
    const t0 = w.world.now();
    let bAtMs = 0;
    b().joinGroup('g', 'b', ['t'], { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 1_000 }, (r) => {
      bJoined = r;
      bAtMs = w.world.now() - t0;
    });
    w.world.run({ stopWhen: () => bJoined !== undefined, untilMs: w.world.now() + 30_000 });
    return { generations, b: ok(bJoined!), bAtMs };
  }

  it('keeps its session through a revocation longer than the session timeout, and takes part in the next generation', () => {
    // 2.5 s of revoking against a 1 s session: without heartbeats meanwhile the session would end and b's generation form without a.
    const { b, bAtMs } = slowRevocation(56, 2_500, 6_000);
    expect(b.members).toEqual(['a', 'b']);
    expect(bAtMs).toBeGreaterThanOrEqual(2_500);
  });

  it('is dropped at its rebalance timeout when the revocation takes longer', () => {
    const { b, bAtMs } = slowRevocation(57, 4_000, 2_000);
    expect(b.members).toEqual(['b']);
    expect(bAtMs).toBeGreaterThanOrEqual(2_000);
    expect(bAtMs).toBeLessThan(4_000);
  });
});

describe('broker crashes', () => {
  it('keep the generation and assignment; the next rebalance never reuses a generation', () => {
    const w = logWorld(54, { t: 2 });
    const other = addApp(w.world, 'app2');
    settle(w.world, 10);
    const a1 = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, cb)));
    bounce(w.world, 'broker');
    ok(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', a1.generation, cb)));

    // Crash while generation 2 is being written: nobody saw it, so it is as if it never began.
    let appended = 0;
    w.world.trace.subscribe((e) => {
      if (e.kind === 'log.append' && e.topic === '__consumer_offsets') appended++;
    });
    const generations = events(w.world, 'group.generation');
    let bJoined: JoinGroupResult | undefined;
    other().joinGroup('g', 'b', ['t'], TIMEOUTS, (r) => (bJoined = r));
    settle(w.world, 20);
    expect(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', 1, cb))).toMatchObject({ ok: false, code: 'rebalance-in-progress' });
    let aJoined: JoinGroupResult | undefined;
    w.client().joinGroup('g', 'a', ['t'], TIMEOUTS, (r) => (aJoined = r));
    w.world.run({ stopWhen: () => appended > 0 });
    w.world.crash('broker');
    w.world.restart('broker');
    // Both joins are resent to the restarted broker; generation 2 comes once.
    w.world.run({ stopWhen: () => aJoined !== undefined && bJoined !== undefined, untilMs: w.world.now() + 10_000 });
    expect(ok(aJoined!)).toMatchObject({ generation: 2, members: ['a', 'b'] });
    expect(ok(bJoined!).generation).toBe(2);
    bounce(w.world, 'broker');
    expect(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', 1, cb))).toMatchObject({ ok: false, code: 'illegal-generation' });
    ok(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', 2, cb)));
    expect(generations.map((e) => e.generation)).toEqual([2]);
  });

  it('keep the leader: the group record names it', () => {
    const w = logWorld(55, { t: 2 });
    const a = addApp(w.world, 'app2');
    settle(w.world, 10);
    // b joins first and leads; a, first by id, follows.
    ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'b', ['t'], TIMEOUTS, cb)));
    let aJoined: JoinGroupResult | undefined;
    a().joinGroup('g', 'a', ['t'], TIMEOUTS, (r) => (aJoined = r));
    settle(w.world, 20);
    ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'b', ['t'], TIMEOUTS, cb)));
    w.world.run({ stopWhen: () => aJoined !== undefined, untilMs: w.world.now() + 5_000 });
    const g2 = ok(aJoined!);
    expect(g2).toMatchObject({ generation: 2, members: ['a', 'b'] });
    bounce(w.world, 'broker');
    const rebalances = events(w.world, 'group.rebalance');
    // The follower's unchanged join is answered from the restored generation; the leader's rebalances.
    expect(ok(call<JoinGroupResult>(w.world, (cb) => a().joinGroup('g', 'a', ['t'], TIMEOUTS, cb)))).toEqual(g2);
    expect(rebalances).toEqual([]);
    w.client().joinGroup('g', 'b', ['t'], TIMEOUTS, () => {});
    settle(w.world, 20);
    expect(rebalances.map((e) => e.reason)).toEqual(['join:b']);
  });
});

describe('a member the group let go', () => {
  /**
   * Members a and b (sessions of 1 s, heartbeats every 200 ms); a is cut off from the broker for
   * `cutMs` once both are in a generation. `lostHandler`: whether a implements `onLost`. a's
   * client gives up a request after 3 tries of 50 ms, so its heartbeats go unanswered while cut off.
   */
  function cutOff(seed: number, cutMs: number, lostHandler: boolean) {
    const w = logWorld(seed, { t: 2 });
    const calls: string[] = [];
    const generations: { generation: number; members: string[] }[] = [];
    for (const id of ['a', 'b']) {
      w.world.addProcess(id, (ctx) => {
        const client = new LogClient(ctx, 'broker', { requestTimeoutMs: 50, maxRetries: 2 });
        let next = 0;
        new GroupMember(ctx.timers, client, {
          groupId: 'g', memberId: `${id}-0`, topics: ['t'], sessionTimeoutMs: 1_000, rebalanceTimeoutMs: 1_000, heartbeatIntervalMs: 200,
          onAssigned: (generation, _assignment, all) => {
            if (id === 'a') generations.push({ generation, members: Object.keys(all).sort() });
          },
          onRevoked: (_revoked, done) => {
            if (id === 'a') calls.push('revoked');
            done();
          },
          ...(lostHandler && id === 'a' ? { onLost: (_lost: TopicPartition[], done: () => void) => { calls.push('lost'); done(); } } : {}),
          newMemberId: () => `${id}-${++next}`,
        });
        return { onMessage: (from, msg) => void client.handle(from, msg) };
      });
    }
    w.world.run({ stopWhen: () => generations.some((g) => g.members.length === 2), untilMs: 10_000 });
    w.world.partition('a', 'broker', cutMs);
    w.world.run({ untilMs: w.world.now() + cutMs + 3_000 });
    return { calls, generations };
  }

  it('loses its partitions when its heartbeat finds it gone (no revocation, so no commit), and joins again under a new id', () => {
    const { calls, generations } = cutOff(60, 2_500, true);
    expect(calls).toEqual(['lost']);
    expect(generations.at(-1)!.members).toEqual(['a-1', 'b-0']);
  });

  it('revokes instead when it has no onLost, as a Kafka rebalance listener does by default', () => {
    const { calls, generations } = cutOff(60, 2_500, false);
    expect(calls).toEqual(['revoked']);
    expect(generations.at(-1)!.members).toEqual(['a-1', 'b-0']);
  });

  it('keeps its partitions through heartbeats that get no answer within its session', () => {
    const { calls, generations } = cutOff(61, 600, true);
    expect(calls).toEqual([]);
    expect(generations).toHaveLength(1);
  });
});

describe('a Kafka Streams group', () => {
  const streams = (processId: string, taskOffsetSums: Record<string, number> = {}) => ({
    processId,
    subtopologies: [{ id: 0, sourceTopics: ['t'], changelogTopics: [] }, { id: 1, sourceTopics: ['r'], changelogTopics: ['c'] }],
    taskOffsetSums, standbyReplicas: 0, acceptableRecoveryLag: 3,
  });
  const opts = (s: ReturnType<typeof streams>) => ({ ...TIMEOUTS, streams: s });

  it('is assigned tasks from the subscriptions and its changelogs\' end offsets, and keeps them through a join sent again and a broker crash', () => {
    // Seed 6: b joins while a's generation of its own is being written, and after the broker crash
    // b's join sent again is answered before a's (seed 56 before fsync delays were drawn per disk and
    // millisecond).
    const w = logWorld(6, { t: 2, r: 2, c: 2 }, {}, { groupInitialRebalanceDelayMs: 0 });
    const other = addApp(w.world, 'app2');
    settle(w.world, 10);
    // Changelog partition c/1 holds 5 records: its task 1_1 is 5 behind on any client without state, more than the acceptable 3.
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('c', 1, [1, 2, 3, 4, 5], {}, cb)));
    let first: JoinGroupResult | undefined;
    let b: JoinGroupResult | undefined;
    const rebalances = events(w.world, 'group.rebalance');
    const generations = events(w.world, 'group.generation');
    // a (process ks-0) holds 1_1's state up to its end; b (ks-1) holds none. Round-robin would give 1_1 to ks-1.
    w.client().joinGroup('g', 'a', ['r', 't'], opts(streams('ks-0', { '1_1': 5 })), (r) => (first = r));
    other().joinGroup('g', 'b', ['r', 't'], opts(streams('ks-1')), (r) => (b = r));
    settle(w.world, 200);
    // b joined while a's generation of its own was being written: that one is aborted (announced to
    // nobody) and both form the next (Kafka's prepareRebalance in COMPLETING_REBALANCE).
    expect(rebalances.map((e) => [e.generation, e.reason, e.aborted])).toEqual([[0, 'join:a', undefined], [1, 'join:b', true]]);
    expect(generations.map((e) => [e.generation, e.members])).toEqual([[2, ['a', 'b']]]);
    const a = ok(first!);
    expect(a.members).toEqual(['a', 'b']);
    expect(ok(b!).generation).toBe(2);
    expect(a.tasks).toEqual({ active: ['1_0', '1_1'], standby: [] });
    // 1_1 moved to ks-0, which is caught up on it; ks-1, where the round-robin put it, warms up a replica (a standby).
    expect(ok(b!).tasks).toEqual({ active: ['0_0', '0_1'], standby: ['1_1'] });
    // A member reads its tasks' partitions, every source topic's.
    expect(names(a.assignment)).toEqual(['r/0', 'r/1']);
    expect(names(ok(b!).assignment)).toEqual(['t/0', 't/1']);
    // After a broker crash the group is restored stable. A Kafka Streams member's join never matches
    // its last subscription (Kafka increments its uniqueField at every join), so the same join sent
    // again rebalances the group; both members join again and keep their tasks.
    bounce(w.world, 'broker');
    let b2: JoinGroupResult | undefined;
    other().joinGroup('g', 'b', ['r', 't'], opts(streams('ks-1')), (r) => (b2 = r));
    const again = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['r', 't'], opts(streams('ks-0', { '1_1': 5 })), cb)));
    expect(rebalances.at(-1)).toMatchObject({ generation: 2, reason: expect.stringMatching(/^join:[ab]$/) });
    expect(again.generation).toBe(3);
    expect(again.tasks).toEqual(a.tasks);
    expect(ok(b2!).tasks).toEqual(ok(b!).tasks);
  });

  it('tells the leader\'s member to join again probing.rebalance.interval.ms after an assignment that moved a task, and nobody when nothing moved', () => {
    const probes = (lag: number): { generation: number; generationAt: number; leader?: number; follower?: number; probes: TraceEvent[] } => {
      // Seed 3: b joins while a's generation of its own is being written (seed 58 before fsync delays
      // were drawn per disk and millisecond).
      const w = logWorld(3, { t: 2, r: 2, c: 2 }, {}, { groupInitialRebalanceDelayMs: 0 });
      const other = addApp(w.world, 'app2');
      settle(w.world, 10);
      ok(call<ProduceResult>(w.world, (cb) => w.client().produce('c', 1, [1, 2, 3, 4, 5], {}, cb)));
      const sub = (processId: string, sums: Record<string, number> = {}) => ({ ...streams(processId, sums), acceptableRecoveryLag: lag, probingRebalanceIntervalMs: 500 });
      const generations = events(w.world, 'group.generation');
      const rebalances = events(w.world, 'group.rebalance');
      let first: JoinGroupResult | undefined;
      let second: JoinGroupResult | undefined;
      w.client().joinGroup('g', 'a', ['r', 't'], opts(sub('ks-0', { '1_1': 5 })), (r) => (first = r));
      other().joinGroup('g', 'b', ['r', 't'], opts(sub('ks-1')), (r) => (second = r));
      settle(w.world, 1_200);
      // b's join aborted a's generation of its own: a and b formed the next together.
      const both = ok(first!);
      expect(both.members).toEqual(['a', 'b']);
      const generationAt = generations.find((e) => e.generation === both.generation)!.t;
      return {
        generation: both.generation, generationAt, probes: rebalances.filter((e) => e.clientReason === 'probing'),
        ...(both.nextRebalanceMs === undefined ? {} : { leader: both.nextRebalanceMs - generationAt }),
        ...(ok(second!).nextRebalanceMs === undefined ? {} : { follower: ok(second!).nextRebalanceMs! - generationAt }),
      };
    };
    // Lag 3: 1_1 (5 behind on ks-1) moves to ks-0. The leader (a, the first to join) is told to join
    // again 500 ms after that generation was written; b is told nothing. The coordinator itself
    // starts no rebalance: these clients do not join again, so none comes.
    const moved = probes(3);
    expect([moved.leader, moved.follower]).toEqual([500, undefined]);
    expect(moved.probes).toEqual([]);
    // Lag 10: every client is caught up, nothing moves, nobody is told to probe.
    const still = probes(10);
    expect([still.leader, still.follower]).toEqual([undefined, undefined]);
  });

  it('rebalances when a stable member enforces it, revoking first, with its reason in the trace; once, however often it is asked', () => {
    const w = logWorld(60, { t: 2, r: 2, c: 2 });
    const generations: number[] = [];
    let revoked = 0;
    let member: GroupMember | undefined;
    w.world.addProcess('ks-0', (ctx) => {
      const client = new LogClient(ctx, 'broker', { requestTimeoutMs: 50, maxRetries: 200 });
      member = new GroupMember(ctx.timers, client, {
        groupId: 'g', memberId: `ks-0-${ctx.incarnation}`, topics: ['r', 't'],
        sessionTimeoutMs: 1_000, rebalanceTimeoutMs: 1_000, heartbeatIntervalMs: 100,
        streams: () => streams('ks-0'),
        onAssigned: (generation) => generations.push(generation),
        onRevoked: (_revoked, done) => {
          revoked++;
          done();
        },
      });
      return { onMessage: (from, msg) => void client.handle(from, msg) };
    });
    const rebalances = events(w.world, 'group.rebalance');
    w.world.run({ stopWhen: () => generations.length === 1, untilMs: 10_000 });
    member!.enforceRebalance('probing');
    member!.enforceRebalance('probing');
    w.world.run({ stopWhen: () => generations.length === 2, untilMs: w.world.now() + 10_000 });
    settle(w.world, 500);
    expect(generations).toEqual([1, 2]);
    expect(revoked).toBe(1);
    expect(rebalances.map((e) => [e.generation, e.clientReason])).toEqual([[0, undefined], [1, 'probing']]);
  });

  it('refuses a malformed subscription', () => {
    const w = logWorld(57, { t: 2 });
    settle(w.world, 10);
    const bad = { ...streams('ks-0'), taskOffsetSums: { '1_0': -7 } };
    expect(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], opts(bad), cb))).toMatchObject({ ok: false, code: 'bad-request' });
    // Kafka's max.warmup.replicas is at least 1.
    const noWarmups = { ...streams('ks-0'), maxWarmupReplicas: 0 };
    expect(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], opts(noWarmups), cb))).toMatchObject({ ok: false, code: 'bad-request' });
    const noInterval = { ...streams('ks-0'), probingRebalanceIntervalMs: 0 };
    expect(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], opts(noInterval), cb))).toMatchObject({ ok: false, code: 'bad-request' });
  });
});

describe('members under generated faults', () => {
  const fault = fc.oneof(
    // Up to 12 s: past the log client's retries (200 × 50 ms), so requests also fail for good.
    fc.record({ kind: fc.constant('partition' as const), who: fc.nat(2), atMs: fc.integer({ min: 0, max: 8_000 }), durationMs: fc.integer({ min: 1, max: 12_000 }) }),
    fc.record({ kind: fc.constant('crash' as const), who: fc.nat(2), atMs: fc.integer({ min: 0, max: 8_000 }), durationMs: fc.integer({ min: 1, max: 3_000 }) }),
    fc.record({ kind: fc.constant('broker' as const), atMs: fc.integer({ min: 0, max: 8_000 }), durationMs: fc.integer({ min: 1, max: 1_000 }) }),
    fc.record({ kind: fc.constant('spike' as const), atMs: fc.integer({ min: 0, max: 8_000 }), durationMs: fc.integer({ min: 1, max: 3_000 }), extraMs: fc.integer({ min: 1, max: 300 }) }),
  );

  it('never give a partition to two members of one generation, and settle once the faults end', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fault, { maxLength: 6 }), (seed, faults) => {
      const w = logWorld(seed, { t: 4 });
      const ids = ['m0', 'm1', 'm2'];
      const seen = new Map<string, Seen>();
      const last = new Map<string, number>();
      const check = (id: string, s: Seen): void => {
        // Each incarnation's generations grow; a restarted member starts afresh.
        if (seen.has(id)) expect(s.generation, `${id}'s generations`).toBeGreaterThan(last.get(id)!);
        last.set(id, s.generation);
        for (const [other, o] of seen) {
          if (other === id || o.generation !== s.generation) continue;
          expect(s.assignment.filter((p) => o.assignment.includes(p)), `${id} and ${other} in generation ${s.generation}`).toEqual([]);
        }
      };
      for (const id of ids) memberProcess(w.world, id, seen, check);
      const start = w.world.now();
      let endMs = start;
      for (const f of faults) {
        endMs = Math.max(endMs, start + f.atMs + f.durationMs);
        if (f.kind === 'partition') {
          w.world.schedule(f.atMs, () => w.world.partition(ids[f.who]!, 'broker', f.durationMs));
        } else if (f.kind === 'spike') {
          w.world.schedule(f.atMs, () => w.world.latencySpike(f.durationMs, f.extraMs));
        } else {
          const id = f.kind === 'broker' ? 'broker' : ids[f.who]!;
          w.world.schedule(f.atMs, () => {
            if (!w.world.isUp(id)) return;
            w.world.crash(id);
            if (id !== 'broker') seen.delete(id);
            w.world.schedule(f.durationMs, () => w.world.restart(id));
          });
        }
      }
      w.world.run({ untilMs: endMs });
      w.world.run({ stopWhen: () => stable(seen, ids, 4), untilMs: w.world.now() + 30_000 });
      expect(stable(seen, ids, 4), `not settled: ${JSON.stringify([...seen])}`).toBe(true);
      // Settled for good: ten more session timeouts change nothing.
      const settled = JSON.stringify([...seen].sort());
      w.world.run({ untilMs: w.world.now() + 10_000 });
      expect(JSON.stringify([...seen].sort()), 'the settled group moved on').toBe(settled);
    }), { numRuns: Number(process.env.GM_RUNS ?? 40) });
  });
});
