/**
 * Anchored faults. Proves: a fault planned after an anchor starts exactly
 * `delayMs` after the nth matching trace event (not the (n-1)th, not an
 * event of another kind or a task's barrier), and never when the run does
 * not reach its anchor; `input.offset` counts the fetches that return that
 * record; the plan JSON of anchored faults round-trips, and malformed
 * anchors are refused naming the field; in a whole run, an anchored crash
 * lands at its anchor + delay and the same plan gives the same trace hash
 * twice; `AnchorRecorder` and `anchorFault` rewrite an absolute fault as
 * the same instant measured from the last anchor before it. The Kafka
 * Streams and Spark anchors (a rebalance generation, an instance's commit,
 * a micro-batch started, a batch committed) fire at the nth such event of
 * a whole run of their engine, and the recorder offers them. A
 * transaction's begin, of one transactional id, fires at that id's nth
 * begin only (never another instance's), and the recorder hands it only to
 * a fault on the instance that owns the transaction. The offsets sent into
 * a transaction (`txn.offsets`) fire the same way, after the commit's
 * changelog writes and before its marker: a crash 0 ms after it leaves
 * that transaction uncommitted. An offset commit on its own
 * (`offsets.commit`, at-least-once), of one client process, fires at that
 * client's nth commit only, and is offered only for faults on that client.
 *
 * How: a small world whose process emits anchor events on timers (so the
 * times are known), with crashes planned on them; fetch events hand-made;
 * a `bank` run for the whole-run facts; short `wordcount` runs on Kafka
 * Streams and Spark for their anchors.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { applyPlan, type Fault, type FaultPlan } from '../../src/sim/faults.ts';
import { AnchorRecorder, anchorMatches, KSTREAMS_RECORDED_KINDS, type Anchor } from '../../src/sim/anchors.ts';
import { planFromJson, planToJson } from '../../src/sim/fault-json.ts';
import { faultPlanArbitrary } from '../../src/explore/property.ts';
import { anchorFault } from '../../src/explore/shrink.ts';
import { runScenario } from '../../src/explore/run.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import { World } from '../../src/sim/world.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

/** A world whose process `cp` traces a checkpoint.complete every 100 ms (100, 200, …) and a task barrier at 50, 150, …. */
function anchorWorld(): World {
  const world = new World({ seed: 1 });
  world.addProcess('cp', (ctx) => {
    if (ctx.incarnation === 0) {
      for (let i = 1; i <= 6; i++) {
        ctx.timers.after(i * 100, () => ctx.trace.emit('checkpoint.complete', { checkpoint: i, attempt: 0 }));
        ctx.timers.after(i * 100 - 50, () => ctx.trace.emit('barrier.inject', { task: 'src[0]', attempt: 0, checkpoint: i }));
      }
    }
    return { onMessage() {} };
  });
  world.addProcess('victim', () => ({ onMessage() {} }));
  return world;
}

const crashAfter = (after: Anchor, delayMs: number): Fault => ({ kind: 'crash', after, delayMs, process: 'victim', restartAfterMs: 7 });

function crashTimes(world: World): { crash: number[]; restart: number[] } {
  const events = world.trace.recent();
  return {
    crash: events.filter((e) => e.kind === 'proc.crash').map((e) => e.t),
    restart: events.filter((e) => e.kind === 'proc.restart').map((e) => e.t),
  };
}

describe('anchored faults', () => {
  it('start delayMs after the nth matching event, and end as planned from there', () => {
    const world = anchorWorld();
    applyPlan(world, { faults: [crashAfter({ on: 'checkpoint.complete', n: 3 }, 5)] });
    world.run();
    expect(crashTimes(world)).toEqual({ crash: [305], restart: [312] });
    const planned = world.trace.recent().find((e) => e.kind === 'fault.planned');
    expect(planned).toMatchObject({ fault: 'crash', after: 'checkpoint.complete #3', delayMs: 5, process: 'victim' });
  });

  it('with delay 0 start in a later step at the same virtual time, never inside the anchor step', () => {
    const world = anchorWorld();
    applyPlan(world, { faults: [crashAfter({ on: 'checkpoint.complete', n: 2 }, 0)] });
    world.run();
    const events = world.trace.recent();
    const anchor = events.find((e) => e.kind === 'checkpoint.complete' && e.checkpoint === 2)!;
    const crash = events.find((e) => e.kind === 'proc.crash')!;
    expect(crash.t).toBe(anchor.t);
    expect(crash.seq).toBeGreaterThan(anchor.seq);
  });

  it('count only the coordinator\'s barrier.inject as a checkpoint trigger, and never fire when the anchor is not reached', () => {
    const world = anchorWorld();
    applyPlan(world, {
      faults: [
        crashAfter({ on: 'checkpoint.trigger', n: 1 }, 0),
        crashAfter({ on: 'checkpoint.complete', n: 7 }, 0),
        crashAfter({ on: 'txn.precommit', n: 1 }, 0),
      ],
    });
    world.run();
    expect(crashTimes(world)).toEqual({ crash: [], restart: [] });
  });

  it('several faults on one anchor kind each count for themselves', () => {
    const world = anchorWorld();
    applyPlan(world, { faults: [crashAfter({ on: 'checkpoint.complete', n: 4 }, 1), crashAfter({ on: 'checkpoint.complete', n: 1 }, 2)] });
    world.run();
    expect(crashTimes(world)).toEqual({ crash: [102, 401], restart: [109, 408] });
  });

  it('input.offset matches the fetches that return the record at that offset of that partition', () => {
    const fetch = (partition: number, offset: number, nextOffset: number, topic = 'input'): TraceEvent =>
      ({ seq: 0, t: 0, p: 'broker', kind: 'log.fetch', topic, partition, offset, count: nextOffset - offset, nextOffset });
    const a: Anchor = { on: 'input.offset', n: 1, partition: 1, offset: 40 };
    expect(anchorMatches(a, fetch(1, 30, 41), 'input')).toBe(true);
    expect(anchorMatches(a, fetch(1, 40, 45), 'input')).toBe(true);
    expect(anchorMatches(a, fetch(1, 30, 40), 'input')).toBe(false);
    expect(anchorMatches(a, fetch(1, 41, 50), 'input')).toBe(false);
    expect(anchorMatches(a, fetch(0, 30, 45), 'input')).toBe(false);
    expect(anchorMatches(a, fetch(1, 30, 45, 'output'), 'input')).toBe(false);
  });

  it('an input.offset anchor is refused on a world without the detailed trace it counts', () => {
    const world = new World({ seed: 1, detailedTrace: false });
    const plan: FaultPlan = { faults: [crashAfter({ on: 'input.offset', n: 1, partition: 0, offset: 3 }, 0)] };
    expect(() => applyPlan(world, plan)).toThrow(/input\.offset needs the detailed trace/);
    expect(() => applyPlan(anchorWorld(), plan)).not.toThrow();
  });

  test.prop([faultPlanArbitrary({ anchors: true, maxFaults: 6 })])('round-trip through JSON exactly', (plan) => {
    expect(planFromJson(planToJson(plan))).toEqual(plan);
    expect(planToJson(planFromJson(planToJson(plan)))).toBe(planToJson(plan));
  });

  it('an input.offset anchor round-trips too', () => {
    const plan: FaultPlan = { faults: [{ kind: 'latency-spike', after: { on: 'input.offset', n: 2, partition: 1, offset: 17 }, delayMs: 3, durationMs: 9, extraMs: 4 }] };
    expect(planFromJson(planToJson(plan))).toEqual(plan);
  });

  it('malformed anchors are refused, naming the field', () => {
    const crash = (timing: string): string => `{"faults": [{"kind": "crash", ${timing}, "process": "tm-0", "restartAfterMs": 1}]}`;
    const cases: [string, RegExp][] = [
      [crash('"after": {"on": "checkpoint.complete", "n": 1}'), /faults\[0\]\.delayMs/],
      [crash('"after": {"on": "meteor", "n": 1}, "delayMs": 0'), /faults\[0\]\.after\.on must be one of checkpoint\.trigger/],
      [crash('"after": {"on": "checkpoint.complete", "n": 0}, "delayMs": 0'), /after\.n must be an integer ≥ 1/],
      [crash('"after": {"on": "checkpoint.complete", "n": 1.5}, "delayMs": 0'), /after\.n/],
      [crash('"after": {"on": "checkpoint.complete", "n": 1, "offset": 3}, "delayMs": 0'), /unknown field 'offset'/],
      [crash('"after": {"on": "input.offset", "n": 1, "partition": 0}, "delayMs": 0'), /after\.offset/],
      [crash('"after": {"on": "checkpoint.complete", "n": 1}, "delayMs": -1'), /delayMs/],
      [crash('"after": {"on": "checkpoint.complete", "n": 1}, "delayMs": 0, "atMs": 5'), /both atMs and an anchor/],
      [crash('"atMs": 5, "delayMs": 0'), /delayMs but no anchor/],
      [crash('"after": [1], "delayMs": 0'), /after is not an object/],
      ['{"faults": [], "extra": 1}', /unknown field 'extra'/],
    ];
    for (const [json, message] of cases) expect(() => planFromJson(json), json).toThrow(message);
  });
});

describe('anchored faults in a whole run', () => {
  const settings = (faults: Fault[]): RunSettings => ({
    scenario: 'bank', seed: 4, events: 150, guarantee: 'exactly-once', faults: 'swarm', bugs: [], plan: { faults },
  });
  const crash: Fault = { kind: 'crash', after: { on: 'checkpoint.complete', n: 2 }, delayMs: 30, process: 'tm-1', restartAfterMs: 100 };

  it('crash at the anchor + delay, and the same plan gives the same trace hash twice', () => {
    const events: TraceEvent[] = [];
    const a = runScenario(settings([crash]), { subscribers: [(e) => { if (e.kind === 'checkpoint.complete' || e.kind === 'proc.crash') events.push(e); }] });
    const b = runScenario(settings([crash]));
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.token).toBe(b.token);
    const second = events.filter((e) => e.kind === 'checkpoint.complete')[1]!;
    const crashes = events.filter((e) => e.kind === 'proc.crash');
    expect(crashes.map((e) => [e.p, e.t])).toEqual([['tm-1', second.t + 30]]);
    expect(a.faults.restores).toBeGreaterThan(0);
    expect(a.ok).toBe(true);
  });

  it('an input.offset anchor fires at the fetch that returns that record', () => {
    const fetches: TraceEvent[] = [];
    const crashes: TraceEvent[] = [];
    const onOffset: Fault = { kind: 'crash', after: { on: 'input.offset', n: 1, partition: 1, offset: 20 }, delayMs: 0, process: 'tm-0', restartAfterMs: 50 };
    runScenario(settings([onOffset]), {
      subscribers: [(e) => {
        if (e.kind === 'log.fetch' && e.topic === 'input' && e.partition === 1 && (e.offset as number) <= 20 && 20 < (e.nextOffset as number)) fetches.push(e);
        if (e.kind === 'proc.crash') crashes.push(e);
      }],
    });
    expect(fetches.length).toBeGreaterThan(0);
    expect(crashes.map((e) => [e.p, e.t])).toEqual([['tm-0', fetches[0]!.t]]);
  });

  it('anchorFault rewrites an absolute fault as the same instant after the last anchor before it', () => {
    const recorder = new AnchorRecorder();
    runScenario(settings([]), { subscribers: [recorder.onEvent] });
    const completes = recorder.points.filter((p) => p.anchor.on === 'checkpoint.complete');
    expect(completes.map((p) => p.anchor.n)).toEqual(completes.map((_, i) => i + 1));
    const target = completes[1]!.t + 3;
    const absolute: Fault = { kind: 'crash', atMs: target, process: 'tm-1', restartAfterMs: 100 };
    const anchored = anchorFault(absolute, recorder);
    const last = recorder.latestBefore(target)!;
    expect(last.t).toBeLessThan(target);
    expect(recorder.points.some((p) => p.t > last.t && p.t < target)).toBe(false);
    expect(anchored).toEqual({ kind: 'crash', after: last.anchor, delayMs: target - last.t, process: 'tm-1', restartAfterMs: 100 });
    // Before any anchor (the first deploy is at time 0), a fault stays absolute.
    expect(anchorFault({ ...absolute, atMs: 0 }, recorder)).toEqual({ ...absolute, atMs: 0 });
  });
});

describe('Kafka Streams and Spark anchors in a whole run', () => {
  const onEngine = (engine: 'kstreams' | 'spark', faults: Fault[]): RunSettings => ({
    scenario: 'wordcount', engine, seed: 3, events: 120, guarantee: 'exactly-once', faults: 'swarm', bugs: [], plan: { faults },
  });
  const cases: { engine: 'kstreams' | 'spark'; on: Anchor['on']; n: number; fromMs?: number; process: string }[] = [
    { engine: 'kstreams', on: 'group.generation', n: 2, process: 'ks-1' },
    { engine: 'kstreams', on: 'ks.commit', n: 3, process: 'ks-0' },
    { engine: 'kstreams', on: 'ks.commit', n: 2, fromMs: 600, process: 'ks-0' },
    { engine: 'spark', on: 'spark.batch', n: 2, process: 'executor-0' },
    { engine: 'spark', on: 'spark.commit', n: 3, process: 'driver' },
    { engine: 'spark', on: 'spark.commit', n: 1, fromMs: 450, process: 'driver' },
  ];

  it.each(cases)('$on #$n from $fromMs: a crash lands at the nth such event (from fromMs on) + delay', ({ engine, on, n, fromMs, process }) => {
    const marks: TraceEvent[] = [];
    const crashes: TraceEvent[] = [];
    const after = (fromMs === undefined ? { on, n } : { on, n, fromMs }) as Anchor;
    const crash: Fault = { kind: 'crash', after, delayMs: 7, process, restartAfterMs: 50 };
    const a = runScenario(onEngine(engine, [crash]), {
      subscribers: [(e) => {
        if (e.kind === on && e.t >= (fromMs ?? 0)) marks.push(e);
        if (e.kind === 'proc.crash') crashes.push(e);
      }],
    });
    expect(marks.length).toBeGreaterThanOrEqual(n);
    expect(crashes.map((e) => [e.p, e.t])).toEqual([[process, marks[n - 1]!.t + 7]]);
    expect(runScenario(onEngine(engine, [crash])).traceHash).toBe(a.traceHash);
    expect(planFromJson(planToJson({ faults: [crash] }))).toEqual({ faults: [crash] });
  });

  it('the recorder offers them: rebalances counted from the start, commits and batches from halfway after the one before', () => {
    for (const engine of ['kstreams', 'spark'] as const) {
      const recorder = new AnchorRecorder();
      runScenario(onEngine(engine, []), { subscribers: [recorder.onEvent] });
      if (engine === 'kstreams') {
        const generations = recorder.points.filter((p) => p.anchor.on === 'group.generation');
        expect(generations.length).toBeGreaterThan(0);
        expect(generations.map((p) => p.anchor)).toEqual(generations.map((_, i) => ({ on: 'group.generation', n: i + 1 })));
      }
      for (const kind of engine === 'kstreams' ? ['ks.commit'] : ['spark.batch', 'spark.commit']) {
        const points = recorder.points.filter((p) => p.anchor.on === kind);
        expect(points.length, kind).toBeGreaterThan(2);
        points.forEach((p, i) => {
          const before = i === 0 ? 0 : points[i - 1]!.t;
          const fromMs = p.t - Math.floor((p.t - before) / 2);
          // The nth of its kind from fromMs: those at fromMs or later up to it.
          const n = points.slice(0, i + 1).filter((q) => q.t >= fromMs).length;
          expect(p.anchor, kind).toEqual({ on: kind, n, fromMs });
        });
      }
      const last = recorder.points[recorder.points.length - 1]!;
      const fault: Fault = { kind: 'crash', atMs: last.t + 5, process: engine === 'kstreams' ? 'ks-0' : 'driver', restartAfterMs: 10 };
      expect(anchorFault(fault, recorder)).toEqual({ kind: 'crash', after: last.anchor, delayMs: 5, process: fault.process, restartAfterMs: 10 });
    }
  });

  it('fromMs round-trips through JSON and a bad one is refused, naming the field', () => {
    const plan: FaultPlan = { faults: [{ kind: 'partition', after: { on: 'ks.commit', n: 2, fromMs: 1_230 }, delayMs: 4, a: 'ks-0', b: 'broker', durationMs: 900 }] };
    expect(planFromJson(planToJson(plan))).toEqual(plan);
    expect(planToJson(plan)).toContain('"after":{"on":"ks.commit","n":2,"fromMs":1230}');
    const bad = '{"faults": [{"kind": "crash", "after": {"on": "spark.commit", "n": 1, "fromMs": -3}, "delayMs": 0, "process": "driver", "restartAfterMs": 1}]}';
    expect(() => planFromJson(bad)).toThrow(/after\.fromMs must be an integer ≥ 0/);
  });

  it('txn.begin of one transactional id fires at that id\'s nth begin, and is offered only for faults on its owner', () => {
    const begins: TraceEvent[] = [];
    const crashes: TraceEvent[] = [];
    const txnId = 'weir-app-ks-1-0';
    const crash: Fault = { kind: 'crash', after: { on: 'txn.begin', n: 2, fromMs: 400, txnId }, delayMs: 1, process: 'ks-1', restartAfterMs: 50 };
    runScenario(onEngine('kstreams', [crash]), {
      subscribers: [(e) => {
        if (e.kind === 'txn.begin' && e.t >= 400) begins.push(e);
        if (e.kind === 'proc.crash') crashes.push(e);
      }],
    });
    const own = begins.filter((e) => e.txnId === txnId);
    // Another instance's transaction begins in between, and does not count.
    expect(begins.slice(0, begins.indexOf(own[1]!)).some((e) => e.txnId !== txnId)).toBe(true);
    expect(crashes.map((e) => [e.p, e.t])).toEqual([['ks-1', own[1]!.t + 1]]);
    expect(planFromJson(planToJson({ faults: [crash] }))).toEqual({ faults: [crash] });
    expect(() => planFromJson('{"faults": [{"kind": "crash", "after": {"on": "txn.begin", "n": 1, "txnId": 7}, "delayMs": 0, "process": "ks-0", "restartAfterMs": 1}]}')).toThrow(/after\.txnId must be a transactional id/);

    const recorder = new AnchorRecorder(KSTREAMS_RECORDED_KINDS);
    runScenario(onEngine('kstreams', []), { subscribers: [recorder.onEvent] });
    const txns = recorder.points.filter((p) => p.anchor.on === 'txn.begin');
    expect(new Set(txns.map((p) => p.owner))).toEqual(new Set(['ks-0', 'ks-1']));
    // A begin of ks-1's transaction that is the only point at its time: the last anchor before 1 ms after it.
    const alone = txns.find((p) => p.owner === 'ks-1' && recorder.points.filter((q) => q.t === p.t).length === 1)!;
    expect((alone.anchor as { txnId?: string }).txnId).toBe(txnId);
    const at = alone.t + 1;
    expect(anchorFault({ kind: 'crash', atMs: at, process: 'ks-1', restartAfterMs: 10 }, recorder)).toEqual({ kind: 'crash', after: alone.anchor, delayMs: 1, process: 'ks-1', restartAfterMs: 10 });
    // A fault on ks-0 at the same time is held by something else: ks-1's transaction is not its own.
    const onKs0 = anchorFault({ kind: 'crash', atMs: at, process: 'ks-0', restartAfterMs: 10 }, recorder);
    expect(onKs0.after).toBeDefined();
    expect(onKs0.after).not.toEqual(alone.anchor);
    expect(onKs0.after?.on === 'txn.begin' ? onKs0.after.txnId : 'weir-app-ks-0-0').toBe('weir-app-ks-0-0');
  });

  it('txn.offsets fires after the offsets go into that id\'s nth transaction, before the commit marker', () => {
    const events: TraceEvent[] = [];
    const txnId = 'weir-app-ks-0-0';
    const crash: Fault = { kind: 'crash', after: { on: 'txn.offsets', n: 3, fromMs: 500, txnId }, delayMs: 0, process: 'ks-0', restartAfterMs: 50 };
    runScenario(onEngine('kstreams', [crash]), {
      subscribers: [(e) => {
        if (['group.txnOffsets', 'txn.commit', 'txn.abort', 'log.append', 'proc.crash'].includes(e.kind)) events.push(e);
      }],
    });
    const offsets = events.filter((e) => e.kind === 'group.txnOffsets' && e.t >= 500);
    const own = offsets.filter((e) => e.txnId === txnId);
    const third = own[2]!;
    const crashed = events.find((e) => e.kind === 'proc.crash')!;
    expect([crashed.p, crashed.t]).toEqual(['ks-0', third.t]);
    // That transaction had written records before its offsets, and never commits: the crash came first.
    expect(events.some((e) => e.kind === 'log.append' && e.txn === txnId && e.seq < third.seq)).toBe(true);
    expect(events.some((e) => e.kind === 'txn.commit' && e.txnId === txnId && e.n === third.n)).toBe(false);
    expect(planFromJson(planToJson({ faults: [crash] }))).toEqual({ faults: [crash] });

    const recorder = new AnchorRecorder(KSTREAMS_RECORDED_KINDS);
    runScenario(onEngine('kstreams', []), { subscribers: [recorder.onEvent] });
    const points = recorder.points.filter((p) => p.anchor.on === 'txn.offsets');
    expect(new Set(points.map((p) => p.owner))).toEqual(new Set(['ks-0', 'ks-1']));
    const mine = points.find((p) => p.owner === 'ks-0' && recorder.points.filter((q) => q.t === p.t).length === 1)!;
    expect(anchorFault({ kind: 'crash', atMs: mine.t + 1, process: 'ks-0', restartAfterMs: 10 }, recorder).after).toEqual(mine.anchor);
    expect(anchorFault({ kind: 'crash', atMs: mine.t + 1, process: 'ks-1', restartAfterMs: 10 }, recorder).after).not.toEqual(mine.anchor);
  });

  it('offsets.commit fires at one client\'s nth offset commit on its own, and is offered only for faults on that client', () => {
    const commits: TraceEvent[] = [];
    const crashes: TraceEvent[] = [];
    const crash: Fault = { kind: 'crash', after: { on: 'offsets.commit', n: 2, fromMs: 300, client: 'ks-1' }, delayMs: 0, process: 'ks-1', restartAfterMs: 50 };
    const alos = (faults: Fault[]): RunSettings => ({ ...onEngine('kstreams', faults), guarantee: 'at-least-once', commitIntervalMs: 100 });
    runScenario(alos([crash]), {
      subscribers: [(e) => {
        if (e.kind === 'group.offsetCommit') commits.push(e);
        if (e.kind === 'proc.crash') crashes.push(e);
      }],
    });
    // Both instances commit offsets on their own; the crash lands at ks-1's second from 300 ms, not at ks-0's.
    expect(new Set(commits.map((e) => e.client))).toEqual(new Set(['ks-0', 'ks-1']));
    const second = commits.filter((e) => e.client === 'ks-1' && e.t >= 300)[1]!;
    expect(crashes.map((e) => [e.p, e.t])).toEqual([['ks-1', second.t]]);
    expect(planFromJson(planToJson({ faults: [crash] }))).toEqual({ faults: [crash] });
    expect(() => planFromJson(JSON.stringify({ faults: [{ ...crash, after: { on: 'offsets.commit', n: 1, txnId: 'x' } }] }))).toThrow(/unknown field 'txnId'/);
    expect(() => planFromJson(JSON.stringify({ faults: [{ ...crash, after: { on: 'offsets.commit', n: 1, client: '' } }] }))).toThrow(/client must be a process id/);

    const recorder = new AnchorRecorder(KSTREAMS_RECORDED_KINDS);
    runScenario(alos([]), { subscribers: [recorder.onEvent] });
    const points = recorder.points.filter((p) => p.anchor.on === 'offsets.commit');
    expect(new Set(points.map((p) => p.owner))).toEqual(new Set(['ks-0', 'ks-1']));
    const mine = points.find((p) => p.owner === 'ks-0' && recorder.points.filter((q) => q.t === p.t).length === 1)!;
    expect(mine.anchor).toMatchObject({ on: 'offsets.commit', client: 'ks-0' });
    expect(anchorFault({ kind: 'crash', atMs: mine.t + 1, process: 'ks-0', restartAfterMs: 10 }, recorder).after).toEqual(mine.anchor);
    expect(anchorFault({ kind: 'crash', atMs: mine.t + 1, process: 'ks-1', restartAfterMs: 10 }, recorder).after).not.toEqual(mine.anchor);
  });
});
