/**
 * Fault plans. Proves: generated plans are sorted, have integer times inside
 * the horizon, target only the given (crashable) processes and never overlap
 * two outages of one process (property over seeds and profiles); the JSON
 * form round-trips exactly and malformed input is rejected with an Error;
 * swarm profiles turn some kinds off entirely on some seeds; applyPlan
 * performs each fault on the world and records it.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { applyPlan, drawSwarm, generatePlan, profileFor, type FaultPlan, type SwarmProfile } from '../../src/sim/faults.ts';
import { planFromJson, planToJson } from '../../src/sim/fault-json.ts';
import { rootRng } from '../../src/sim/rng.ts';
import { World } from '../../src/sim/world.ts';

const processes = ['jm', 'tm-0', 'tm-1', 'broker'];
const crashable = ['tm-0', 'tm-1'];
const weight = fc.integer({ min: 0, max: 100 });
const profileArb: fc.Arbitrary<SwarmProfile> = fc.record({ crash: weight, partition: weight, latencySpike: weight, diskCorruption: weight, slowFsync: weight });

describe('fault plans', () => {
  test.prop([fc.integer(), profileArb, fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 30 })])(
    'generated plans are well formed',
    (seed, profile, horizonMs, maxFaults) => {
      const plan = generatePlan(rootRng(seed).fork('faults'), profile, { processes, crashable, horizonMs, maxFaults });
      expect(plan.faults.length).toBeLessThanOrEqual(maxFaults);
      const outages = new Map<string, [number, number][]>();
      plan.faults.forEach((f, i) => {
        if (i > 0) expect(plan.faults[i - 1].atMs).toBeLessThanOrEqual(f.atMs);
        expect(Number.isInteger(f.atMs) && f.atMs >= 0 && f.atMs < horizonMs).toBe(true);
        const key = f.kind === 'latency-spike' ? 'latencySpike' : f.kind === 'disk-corruption' ? 'diskCorruption' : f.kind === 'slow-fsync' ? 'slowFsync' : f.kind;
        expect(profile[key]).toBeGreaterThan(0);
        if (f.kind === 'crash') {
          expect(crashable).toContain(f.process);
          const mine = outages.get(f.process) ?? [];
          for (const [s, e] of mine) expect(f.atMs > e || f.atMs + f.restartAfterMs < s).toBe(true);
          outages.set(f.process, [...mine, [f.atMs, f.atMs + f.restartAfterMs]]);
        }
        if (f.kind === 'partition') expect(f.a).not.toBe(f.b);
      });
      expect(planFromJson(planToJson(plan))).toEqual(plan);
    },
  );

  it('no faults without weights, nor crashes without crashable processes', () => {
    const rng = rootRng(1);
    expect(generatePlan(rng, profileFor('none', rng), { processes, crashable, horizonMs: 1000 })).toEqual({ faults: [] });
    const onlyCrash = { crash: 100, partition: 0, latencySpike: 0, diskCorruption: 0, slowFsync: 0 };
    expect(generatePlan(rng, onlyCrash, { processes, crashable: [], horizonMs: 1000 })).toEqual({ faults: [] });
    expect(generatePlan(rng, profileFor('heavy', rng), { processes, crashable, horizonMs: 1000 }).faults.length).toBeGreaterThan(0);
  });

  it('swarm profiles switch kinds off on some seeds and vary weights widely', () => {
    const profiles = Array.from({ length: 60 }, (_, s) => drawSwarm(rootRng(s).fork('swarm')));
    const crash = profiles.map((p) => p.crash);
    expect(crash.filter((w) => w === 0).length).toBeGreaterThan(5);
    expect(Math.min(...crash.filter((w) => w > 0))).toBeLessThanOrEqual(5);
    expect(Math.max(...crash)).toBeGreaterThanOrEqual(60);
    expect(drawSwarm(rootRng(9))).toEqual(drawSwarm(rootRng(9)));
    expect(profileFor('swarm', rootRng(9))).toEqual(drawSwarm(rootRng(9)));
  });

  it('planFromJson rejects malformed input with an Error', () => {
    const bad = [
      'not json',
      '[]',
      '{}',
      '{"faults": 3}',
      '{"faults": [1]}',
      '{"faults": [{"kind": "meteor", "atMs": 1}]}',
      '{"faults": [{"kind": "crash", "atMs": -1, "process": "a", "restartAfterMs": 1}]}',
      '{"faults": [{"kind": "crash", "atMs": 1.5, "process": "a", "restartAfterMs": 1}]}',
      '{"faults": [{"kind": "crash", "atMs": 1, "process": "", "restartAfterMs": 1}]}',
      '{"faults": [{"kind": "crash", "atMs": 1, "process": "a"}]}',
      '{"faults": [{"kind": "crash", "atMs": 1, "process": "a", "restartAfterMs": 1, "extra": 2}]}',
      '{"faults": [{"kind": "partition", "atMs": 1, "a": "x", "b": "x", "durationMs": 1}]}',
      '{"faults": [{"kind": "slow-fsync", "atMs": 1, "process": "a", "durationMs": "5", "extraMs": 1}]}',
    ];
    for (const s of bad) expect(() => planFromJson(s), s).toThrow(Error);
    expect(() => planFromJson(bad[6])).toThrow(/faults\[0\]\.atMs/);
  });

  it('applyPlan performs each fault and records it', () => {
    const world = new World({ seed: 3, network: { latencyMsMin: 1, latencyMsMax: 1 } });
    const got: number[] = [];
    world.addProcess('a', (ctx) => {
      if (ctx.incarnation === 0) for (let t = 0; t < 100; t += 10) ctx.timers.after(t, () => ctx.net.send('b', t));
      return { onMessage() {} };
    });
    world.addProcess('b', () => ({ onMessage: (_f, m) => got.push(m as number) }));
    const plan: FaultPlan = {
      faults: [
        { kind: 'partition', atMs: 15, a: 'a', b: 'b', durationMs: 10 },
        { kind: 'latency-spike', atMs: 30, durationMs: 5, extraMs: 3 },
        { kind: 'disk-corruption', atMs: 40, process: 'b', durationMs: 10 },
        { kind: 'disk-corruption', atMs: 45, process: 'b', durationMs: 10 },
        { kind: 'slow-fsync', atMs: 40, process: 'b', durationMs: 5, extraMs: 7 },
        { kind: 'crash', atMs: 60, process: 'a', restartAfterMs: 20 },
      ],
    };
    applyPlan(world, plan);
    const b = world.disk('b');
    const probes: [number, boolean, number][] = [];
    for (const t of [42, 52, 57]) world.schedule(t, () => probes.push([t, b.readCorruption, b.slowFsyncExtraMs]));
    world.run();
    // Sends at 20 were cut; sends at 60+ died with the crash of a (its restart sends nothing).
    expect(got).toEqual([0, 10, 30, 40, 50]);
    expect(probes).toEqual([[42, true, 7], [52, true, 0], [57, false, 0]]);
    expect(world.stats).toMatchObject({ crashes: 1, restarts: 1, partitions: 1, latencySpikes: 1 });
    const planned = world.trace.recent().filter((e) => e.kind === 'fault.planned');
    expect(planned).toHaveLength(6);
    expect(planned[5]).toMatchObject({ fault: 'crash', atMs: 60, process: 'a', restartAfterMs: 20 });
  });
});
