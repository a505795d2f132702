/**
 * What this proves: a job manager's heartbeats always carry the attempt it
 * runs, from the first one on, when it starts and after a restart. A
 * restarted job manager reads its attempt number from disk before it beats;
 * a beat with an attempt it has not read yet (the −1 it starts from) would
 * tell a task manager still running the old attempt's tasks nothing, so
 * those tasks would run on until the next beat if the cancel were lost.
 *
 * How: a world of the broker and the `bank` job on two task managers, whose
 * task managers note every message the job manager sends them. The job
 * manager crashes at 1.5 s (after attempt 0 deployed) and restarts 300 ms
 * later. Every heartbeat must carry attempt 0 or more, and every heartbeat of
 * the restarted job manager the attempt it started (1). On the code that
 * beat before it read the attempt, the first heartbeat of each incarnation
 * carried −1 and fails the test.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../../../src/sim/world.ts';
import { brokerProcess } from '../../../../src/log/broker.ts';
import { deployFlink } from '../../../../src/engines/flink/deployment.ts';
import { findScenario } from '../../../../scenarios/index.ts';
import { sizesOf } from '../../../../src/explore/run.ts';
import { TOPICS } from '../../../../scenarios/types.ts';

interface Heard {
  t: number;
  tm: string;
  kind: string;
  attempt: number;
}

describe('a job manager heartbeat', () => {
  it('carries the attempt the job manager runs, from its first beat, also after a restart', () => {
    const scenario = findScenario('bank')!;
    const sizes = sizesOf(scenario, { scenario: 'bank', engine: 'flink', seed: 1, faults: 'none', guarantee: 'exactly-once', bugs: [] });
    const heard: Heard[] = [];
    const world = new World({ seed: 1, traceIo: false });
    const topics = { [TOPICS.input]: sizes.partitions, [TOPICS.output]: sizes.parallelism };
    world.addProcess('broker', brokerProcess({ topics }));
    deployFlink(
      {
        addProcess: (id, factory) => world.addProcess(id, id.startsWith('tm-') ? (ctx) => {
          const logic = factory(ctx);
          const onMessage = logic.onMessage.bind(logic);
          logic.onMessage = (from, msg) => {
            const m = msg as { kind?: string; attempt?: number };
            if (from === 'jm' && (m.kind === 'hb' || m.kind === 'cancel')) heard.push({ t: ctx.clock.now(), tm: id, kind: m.kind, attempt: m.attempt! });
            onMessage(from, msg);
          };
          return logic;
        } : factory),
        durableView: () => ({ read: () => undefined, readFrames: () => undefined, list: () => [] }),
        deliver: (id, msg) => world.deliverFromOutside(id, msg),
      },
      { build: scenario.engines.flink!, sizes, guarantee: 'exactly-once', bugs: [], taskManagers: 2, spareTaskManagers: 0, brokerId: 'broker' },
    );
    world.schedule(1_500, () => world.crash('jm'));
    world.schedule(1_800, () => world.restart('jm'));
    world.run({ untilMs: 3_000 });

    const beats = heard.filter((h) => h.kind === 'hb');
    const before = beats.filter((h) => h.t < 1_500);
    const after = beats.filter((h) => h.t >= 1_800);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(before.filter((h) => h.attempt !== 0).map((h) => `${h.tm} heard attempt ${h.attempt} at ${h.t} ms`)).toEqual([]);
    expect(after.filter((h) => h.attempt !== 1).map((h) => `${h.tm} heard attempt ${h.attempt} at ${h.t} ms`)).toEqual([]);
    // The restarted job manager's cancel of attempt 0 reached both task managers too.
    expect(heard.filter((h) => h.kind === 'cancel' && h.t >= 1_800).map((h) => `${h.tm}:${h.attempt}`).sort()).toEqual(['tm-0:1', 'tm-1:1']);
  });
});
