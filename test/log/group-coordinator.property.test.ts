/**
 * The group coordinator (src/log/group-coordinator.ts) under generated
 * histories: up to three clients, plain consumers or Kafka Streams members,
 * that join, re-send a join (the same request), join again (a new one),
 * heartbeat, commit offsets at their generation, an older one or the one
 * being written, leave, restart under a new member id or fall silent, while
 * group records and offset commits become durable in any interleaving with
 * all of that, the clock runs on and the broker restarts (losing what was
 * not durable). Proves, at every step:
 * (1) a join is answered only with the generation the coordinator last made
 *     durable and told (`group.generation`), with that generation's members,
 *     never an aborted one (after a broker restart: the generation of the
 *     last durable group record, which Kafka also loads); the members told
 *     of a generation are in it, and the generations written and told grow
 *     strictly; a generation holds only members that sent a join since the
 *     one before was told (one that did not rejoin is dropped); the same
 *     join request sent again starts no rebalance in a group that has its
 *     member;
 * (2) every generation's assignment gives each partition of the topic to
 *     exactly one of its members, and a member's own partitions are its
 *     entry in that assignment (for Kafka Streams members: their active
 *     tasks' partitions);
 * (3) an offset commit or heartbeat naming a generation other than the
 *     coordinator's current one is refused (`illegal-generation`, or
 *     `unknown-member` from a member it no longer knows), a member's
 *     heartbeat at the current one is not, a plain commit at a generation
 *     still being written is `rebalance-in-progress` (probed for every
 *     member after every step), and a member told the current generation,
 *     in a group that has not begun to rebalance since, commits;
 * and at the end:
 * (4) once the clients that are still running behave (heartbeat every
 *     300 ms, join again when told to, nothing else) and every append
 *     becomes durable, the group settles within a few session timeouts on
 *     one generation whose members are exactly those clients, every one of
 *     them told of it;
 * (5) when the broker then restarts and one of them joins again, the
 *     restarted coordinator knows them all: none is told `unknown-member`,
 *     and the group settles on them again;
 * and the leader (Kafka's classic group leader, which the group record
 * names) at every step:
 * (6) every group record with members names one of them as the leader;
 *     the leader of the record before (or of the record a restarted broker
 *     loaded) leads again while it is a member and may not have been
 *     removed in between (it left, or went longer than a timeout without a
 *     heartbeat or join: then the test cannot tell, and asserts nothing);
 * (7) in a group of plain consumers that is stable (the current generation
 *     told, no rebalance since), a member's new join with the same
 *     subscription is answered at once from that generation when a
 *     follower sends it, and starts a rebalance when the leader does
 *     (Kafka's `GroupMetadataManager`: so that a leader can rebalance for
 *     what the metadata does not show).
 * Method: fast-check draws the history; a hand-driven coordinator
 * (hand-driven-coordinator.ts) runs it; the oracle is the properties above,
 * read from its replies and its trace.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ErrorCode, KeyedRecord, LogReply, StreamsSubscription, TopicPartition } from '../../src/log/protocol.ts';
import { handDrivenCoordinator, type HandDriven, type TracedEvent } from './hand-driven-coordinator.ts';

const HEARTBEAT_MS = 300;
const PARTITIONS = 2;
const NAMES = ['a', 'b', 'c'] as const;

type Op =
  | { k: 'join' | 'resend' | 'heartbeat' | 'leave' | 'restart' | 'silence'; who: number }
  /** `told`: the generation the client was told; `stale`: the one before; `ahead`: the coordinator's current one, told or not (a member between Kafka's JoinGroup and SyncGroup answers has it). */
  | { k: 'commit'; who: number; at: 'told' | 'stale' | 'ahead' }
  | { k: 'durable' }
  | { k: 'broker-restart' }
  | { k: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('join' as const), who: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('resend' as const), who: fc.nat(2) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('heartbeat' as const), who: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('leave' as const), who: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('restart' as const), who: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('silence' as const), who: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('commit' as const), who: fc.nat(2), at: fc.constantFrom('told' as const, 'stale' as const, 'ahead' as const) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('durable' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('broker-restart' as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 1_500 }) }) },
);

const history = fc.record({
  streams: fc.boolean(),
  initialDelayMs: fc.constantFrom(0, 67),
  /** Sessions shorter than the rebalance timeout (weir's Kafka Streams) or longer (Kafka's defaults: 45 s and 5 min). */
  timeouts: fc.constantFrom({ sessionMs: 1_000, rebalanceMs: 2_000 }, { sessionMs: 2_000, rebalanceMs: 1_000 }),
  ops: fc.array(op, { maxLength: 60 }),
});

interface Client {
  name: string;
  incarnation: number;
  /** Running: answers and heartbeats. A silent client is still running in the coordinator's eyes until its session ends; a left one is not. */
  up: boolean;
  memberId: string;
  /** The generation it was last told, -1 before any. */
  generation: number;
  /** Its last join request, for a resend. */
  lastJoin?: { reqId: number };
  joining: boolean;
  lastHeartbeatMs: number;
}

const tp = (p: TopicPartition): string => `${p.topic}/${p.partition}`;

function run(streams: boolean, initialDelayMs: number, timeouts: { sessionMs: number; rebalanceMs: number }, ops: readonly Op[]): void {
  const { sessionMs: SESSION_MS, rebalanceMs: REBALANCE_MS } = timeouts;
  const h: HandDriven = handDrivenCoordinator({ initialRebalanceDelayMs: initialDelayMs, partitions: PARTITIONS });
  let reqId = 0;
  const clients: Client[] = NAMES.map((name) => ({ name, incarnation: 1, up: true, memberId: `${name}1`, generation: -1, joining: false, lastHeartbeatMs: 0 }));
  /** The generation of the last group record written (made durable or not): the coordinator's current one. */
  let lastWritten: number | undefined;
  const current = (): number => lastWritten ?? 0;
  /** The last generation told (`group.generation`), and whether a rebalance began since. */
  let told: { generation: number; members: string[] } | undefined;
  let rebalancedSinceTold = false;
  /** How many trace events and appends `sync` has read. */
  let seen = 0;
  let seenAppends = 0;
  /** Behaving clients told `unknown-member`, once counted (after the last broker restart). */
  let forgotten: string[] | undefined;
  /** Who the coordinator has as members: joins add, a generation's record, expiry and leaves take away. */
  const members = new Set<string>();
  /** Who sent a join since the last generation told: a generation holds no member that did not join for it. */
  const joinedSinceTold = new Set<string>();
  /** The coordinator is writing a generation no member has been told (not aborted since: a rebalance after it aborts it). */
  let completing = false;
  /** The leader the last group record written (or loaded by a restarted broker) names. */
  let leader: string | undefined;
  /** Whether `leader` may have been removed from the group since that record (so another may lead now). */
  let leaderMayBeGone = false;
  /** When each member id last spoke to the coordinator (a join sent, a heartbeat sent, a join answered). */
  const lastContactMs = new Map<string, number>();
  const contact = (memberId: string): void => void lastContactMs.set(memberId, h.now());
  /** A member silent for as long as the shorter timeout may have been removed, by its session or by a rebalance it did not rejoin. */
  const checkLeader = (): void => {
    if (leader !== undefined && h.now() - (lastContactMs.get(leader) ?? 0) >= Math.min(SESSION_MS, REBALANCE_MS)) leaderMayBeGone = true;
  };

  const onEvent = (e: TracedEvent): void => {
    if (e.kind === 'group.generation') {
      const generation = e.generation as number;
      if (told !== undefined) expect(generation, 'generations told grow strictly').toBeGreaterThan(told.generation);
      told = { generation, members: e.members as string[] };
      rebalancedSinceTold = false;
      completing = false;
      joinedSinceTold.clear();
    } else if (e.kind === 'group.rebalance') {
      rebalancedSinceTold = true;
      completing = false;
      const reason = String(e.reason);
      if (reason.startsWith('expired:')) {
        for (const id of reason.slice('expired:'.length).split(',')) {
          members.delete(id);
          if (id === leader) leaderMayBeGone = true;
        }
      }
    }
  };
  const groupRecordOf = (r: KeyedRecord): { generation: number; members: { id: string }[]; leader?: string } | undefined => {
    const v = r.value as { generation?: unknown; members?: unknown };
    return typeof v === 'object' && v !== null && Array.isArray(v.members) && typeof v.generation === 'number' ? (v as never) : undefined;
  };
  const onAppend = (records: readonly KeyedRecord[]): void => {
    for (const r of records) {
      const v = groupRecordOf(r);
      if (v === undefined) continue;
      if (lastWritten !== undefined) expect(v.generation, 'a written generation is above every earlier one').toBeGreaterThan(lastWritten);
      lastWritten = v.generation;
      completing = true;
      members.clear();
      for (const m of v.members) {
        expect(joinedSinceTold.has(m.id), `${m.id} is in generation ${v.generation} without joining for it`).toBe(true);
        members.add(m.id);
      }
      // (6) the record names a leader among its members; the last leader leads again while it may still be one.
      const ids = v.members.map((m) => m.id);
      if (ids.length > 0) expect(ids, `the leader of generation ${v.generation}`).toContain(v.leader);
      checkLeader();
      if (leader !== undefined && !leaderMayBeGone && ids.includes(leader)) expect(v.leader, `generation ${v.generation} keeps its leader`).toBe(leader);
      leader = v.leader;
      leaderMayBeGone = false;
    }
  };
  /** Reads the trace and the appends since the last call, in the order they happened. */
  const sync = (): void => {
    for (;;) {
      const a = h.appends[seenAppends];
      if (a !== undefined && a.at <= seen) {
        onAppend(a.records);
        seenAppends++;
      } else if (seen < h.events.length) {
        onEvent(h.events[seen++]!);
      } else {
        break;
      }
    }
  };

  const onJoined = (c: Client, memberId: string, incarnation: number) => (r: LogReply): void => {
    sync();
    if (r.kind !== 'group.joined') throw new Error(`join of ${memberId} answered ${JSON.stringify(r)}`);
    // (1) only the generation last made durable and told, with its members.
    expect(told, `${memberId} answered before any generation was told`).toBeDefined();
    expect([r.generation, r.members], `${memberId} answered with a generation other than the last told`).toEqual([told!.generation, told!.members]);
    expect(r.members, `${memberId} told of a generation it is not in`).toContain(memberId);
    // (2) each partition to exactly one member; the member's own partitions are its entry.
    expect(Object.keys(r.assignments).sort()).toEqual([...r.members].sort());
    const owners = new Map<string, string>();
    for (const [m, parts] of Object.entries(r.assignments)) {
      for (const p of parts) {
        expect(owners.get(tp(p)), `partition ${tp(p)} given twice in generation ${r.generation}`).toBeUndefined();
        owners.set(tp(p), m);
      }
    }
    expect([...owners.keys()].sort()).toEqual(Array.from({ length: PARTITIONS }, (_, i) => `t/${i}`));
    expect(r.assignment.map(tp).sort()).toEqual((r.assignments[memberId] ?? []).map(tp).sort());
    if (streams) {
      expect(r.tasks, `${memberId}: a Kafka Streams member is told its tasks`).toBeDefined();
      expect(r.tasks!.active.map((t) => `t/${t.split('_')[1]}`).sort()).toEqual(r.assignment.map(tp).sort());
    }
    // An earlier incarnation's join (its client gone) is judged, but moves no client.
    if (c.incarnation !== incarnation || c.memberId !== memberId || !c.up) return;
    expect(r.generation, `${memberId} told an older generation than it knew`).toBeGreaterThanOrEqual(c.generation);
    c.generation = r.generation;
    c.joining = false;
    c.lastHeartbeatMs = h.now();
    contact(memberId);
  };

  const subscription = (c: Client): StreamsSubscription => ({
    processId: `ks-${c.name}`, subtopologies: [{ id: 0, sourceTopics: ['t'], changelogTopics: [] }], taskOffsetSums: {}, standbyReplicas: 0, acceptableRecoveryLag: 10_000,
  });
  const joinRequest = (c: Client, id: number) => ({
    kind: 'group.join' as const, reqId: id, groupId: 'g', memberId: c.memberId, topics: ['t'], sessionTimeoutMs: SESSION_MS, rebalanceTimeoutMs: REBALANCE_MS,
    ...(streams ? { streams: subscription(c) } : {}),
  });
  const join = (c: Client): void => {
    const req = joinRequest(c, ++reqId);
    c.lastJoin = req;
    c.joining = true;
    // (7) a plain consumer's new join to a stable group it is a member of: answered for a follower, a
    // rebalance for the leader. The leader is the told generation's record's: in a stable group it can
    // change only by a removal, which starts a rebalance.
    const stable = !streams && told !== undefined && !rebalancedSinceTold && !completing && told.generation === current()
      && told.members.includes(c.memberId) && members.has(c.memberId) && leader !== undefined;
    const before = h.events.length;
    let answered = false;
    members.add(c.memberId);
    joinedSinceTold.add(c.memberId);
    contact(c.memberId);
    const joined = onJoined(c, c.memberId, c.incarnation);
    h.coordinator.join(req, (r) => {
      answered = true;
      joined(r);
    }, (code) => {
      throw new Error(`join of ${c.memberId} refused: ${code}`);
    });
    if (stable) {
      const rebalanced = h.events.slice(before).some((e) => e.kind === 'group.rebalance');
      const who = c.memberId === leader ? 'the leader' : 'a follower';
      expect([answered, rebalanced], `${who} ${c.memberId} joins a stable group again, unchanged`).toEqual(c.memberId === leader ? [false, true] : [true, false]);
    }
    sync();
  };
  const resend = (c: Client): void => {
    if (c.lastJoin === undefined) return;
    const req = joinRequest(c, c.lastJoin.reqId);
    c.joining = true;
    const known = members.has(c.memberId);
    joinedSinceTold.add(c.memberId);
    contact(c.memberId);
    const before = h.events.length;
    h.coordinator.join(req, onJoined(c, c.memberId, c.incarnation), (code) => {
      throw new Error(`resent join of ${c.memberId} refused: ${code}`);
    });
    // The same request again is the same join: it starts no rebalance of a group that knows the member.
    if (known) expect(h.events.slice(before).filter((e) => e.kind === 'group.rebalance'), `resent join of ${c.memberId}`).toEqual([]);
    members.add(c.memberId);
    sync();
  };
  /** Heartbeats; `react`: a behaving client's answer (join again when the group says so). */
  const heartbeat = (c: Client, react: boolean): void => {
    const generation = c.generation;
    const currentThen = current();
    const knownThen = members.has(c.memberId);
    let outcome: 'ok' | ErrorCode | undefined;
    contact(c.memberId);
    h.coordinator.heartbeat({ kind: 'group.heartbeat', reqId: ++reqId, groupId: 'g', memberId: c.memberId, generation }, () => (outcome = 'ok'), (code) => (outcome = code));
    sync();
    c.lastHeartbeatMs = h.now();
    // (3) another generation than the current one is refused; the current one, from a member, is not
    // (a broker restart is invisible to a member of the generation its records kept).
    if (generation === currentThen && knownThen) expect(['ok', 'rebalance-in-progress'], `heartbeat of member ${c.memberId} at the current generation ${generation}`).toContain(outcome);
    if (generation !== currentThen) expect(['illegal-generation', 'unknown-member'], `heartbeat of ${c.memberId} at generation ${generation} (current ${currentThen})`).toContain(outcome);
    if (react && outcome === 'unknown-member') forgotten?.push(c.memberId);
    if (react && outcome !== 'ok') join(c);
  };
  const commit = (c: Client, at: 'told' | 'stale' | 'ahead'): void => {
    const currentThen = current();
    const generation = at === 'ahead' ? currentThen : at === 'stale' ? c.generation - 1 : c.generation;
    const mayCommit = at === 'told' && told !== undefined && c.generation === told.generation && told.generation === currentThen && !rebalancedSinceTold && told.members.includes(c.memberId);
    let outcome: 'ok' | ErrorCode | undefined;
    h.coordinator.commit(`app-${c.name}`, { kind: 'group.commit', reqId: ++reqId, groupId: 'g', memberId: c.memberId, generation, offsets: [{ topic: 't', partition: 0, offset: 1, metadata: '' }] },
      () => (outcome = 'ok'), (code) => (outcome = code));
    sync();
    if (generation !== currentThen && generation >= 0) {
      expect(['illegal-generation', 'unknown-member'], `commit of ${c.memberId} at generation ${generation} (current ${currentThen})`).toContain(outcome);
    }
    if (completing) expect(outcome, `commit of ${c.memberId} while generation ${currentThen} is written`).toBeDefined();
    if (mayCommit) {
      // Accepted: written, answered once durable.
      expect(outcome, `commit of ${c.memberId}, told the current generation ${currentThen} of a stable group`).toBeUndefined();
      expect(h.pending.at(-1)!.records.length).toBe(1);
    }
  };
  /** While a generation is written, a plain commit at that generation, from any member, waits for it (`rebalance-in-progress`): probed after every step. */
  const probeCompleting = (): void => {
    if (!completing) return;
    for (const memberId of [...members].sort()) {
      let outcome: 'ok' | ErrorCode | undefined;
      h.coordinator.commit('probe', { kind: 'group.commit', reqId: ++reqId, groupId: 'g', memberId, generation: current(), offsets: [{ topic: 't', partition: 1, offset: 1, metadata: '' }] },
        () => (outcome = 'ok'), (code) => (outcome = code));
      expect(outcome, `commit of ${memberId} at generation ${current()}, which is being written`).toBe('rebalance-in-progress');
    }
    sync();
  };
  const restart = (c: Client): void => {
    c.incarnation++;
    c.memberId = `${c.name}${c.incarnation}`;
    c.up = true;
    c.generation = -1;
    c.joining = false;
    delete c.lastJoin;
  };

  const brokerRestart = (): void => {
    sync();
    h.restart();
    // The coordinator is what the durable records say: the generations written but not durable are gone (never told, so free to use again).
    // Its group is the last durable record's, even of a generation that was aborted and never
    // told (Kafka loads the group a record aborted by a rebalance left in the log as well): a
    // member's unchanged join is answered with it from now on.
    const loaded = h.durableAppends.flat().map(groupRecordOf).filter((v) => v !== undefined).at(-1);
    lastWritten = loaded?.generation;
    // The restarted coordinator's leader is the one its record names (every session starts afresh).
    leader = loaded?.leader;
    leaderMayBeGone = false;
    for (const m of loaded?.members ?? []) contact(m.id);
    members.clear();
    for (const m of loaded?.members ?? []) members.add(m.id);
    if (loaded !== undefined) told = { generation: loaded.generation, members: loaded.members.map((m) => m.id) };
    completing = false;
    // Conservative: no commit is required to pass until a generation is told again.
    rebalancedSinceTold = true;
    // The clients' requests in flight are gone with the connection; they ask again.
    for (const c of clients) {
      c.joining = false;
      delete c.lastJoin;
    }
  };

  for (const o of ops) {
    step(o);
    probeCompleting();
  }
  function step(o: Op): void {
    if (o.k === 'durable') {
      if (h.pending.length > 0) h.durable();
      sync();
      return;
    }
    if (o.k === 'advance') {
      h.advance(o.ms);
      sync();
      checkLeader();
      return;
    }
    if (o.k === 'broker-restart') return brokerRestart();
    const c = clients[o.who]!;
    if (o.k === 'restart') return restart(c);
    if (!c.up) return;
    switch (o.k) {
      case 'join': join(c); break;
      case 'resend': resend(c); break;
      case 'heartbeat': heartbeat(c, false); break;
      case 'commit': if (c.generation >= 1) commit(c, o.at); break;
      case 'silence':
        // Crashed without a word: the coordinator lets it go when its session ends; a new incarnation may come back later.
        restart(c);
        c.up = false;
        break;
      case 'leave':
        h.coordinator.leave({ kind: 'group.leave', reqId: ++reqId, groupId: 'g', memberId: c.memberId }, () => {}, () => {});
        members.delete(c.memberId);
        if (c.memberId === leader) leaderMayBeGone = true;
        sync();
        restart(c);
        c.up = false;
        break;
    }
  }

  // (4) The running clients behave: heartbeat, join again when told, join if never joined.
  const running = clients.filter((c) => c.up);
  const settle = (steps = 200): void => {
    for (let step = 0; step < steps; step++) {
      while (h.pending.length > 0) h.durable();
      sync();
      for (const c of running) {
        if (c.joining) continue;
        if (c.generation < 0) join(c);
        else if (h.now() - c.lastHeartbeatMs >= HEARTBEAT_MS) heartbeat(c, true);
      }
      h.advance(50);
      sync();
    }
    while (h.pending.length > 0) h.durable();
    sync();
    const ids = running.map((c) => c.memberId).sort();
    if (ids.length === 0) return;
    expect(told, 'no generation was ever told').toBeDefined();
    expect([...told!.members].sort(), 'the settled generation\'s members are the running clients').toEqual(ids);
    expect(told!.generation).toBe(current());
    for (const c of running) expect([c.memberId, c.joining, c.generation]).toEqual([c.memberId, false, told!.generation]);
  };
  settle();
  if (running.length === 0) return;
  // (7) In the settled group of plain consumers, each client joins again, unchanged: a follower is
  // answered, the leader rebalances (and the group settles again).
  if (!streams) {
    for (const c of running) {
      join(c);
      // Every client behaves: a rebalance completes within a heartbeat and a rejoin (3 s is ample).
      settle(60);
    }
  }
  // (5) Then the broker restarts under the settled group and one client joins again: the group
  // rebalances (or a follower is answered) with every client in it; none is dropped as unknown.
  brokerRestart();
  forgotten = [];
  join(running[0]!);
  settle();
  expect(forgotten, 'members the restarted coordinator forgot').toEqual([]);
}

describe('the group coordinator under generated histories', () => {
  it('tells only durable generations that split the partitions, fences other generations, and settles', () => {
    fc.assert(fc.property(history, ({ streams, initialDelayMs, timeouts, ops }) => run(streams, initialDelayMs, timeouts, ops)), { numRuns: Number(process.env.GC_RUNS ?? 1_000) });
  });
});
