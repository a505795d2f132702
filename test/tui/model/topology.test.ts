/**
 * What this proves: the dataflow the replay infers from a trace alone
 * matches the engine's physical plan — the same vertices, tasks and, for
 * every input channel of every task, the same upstream task — for every
 * shipped scenario (including the join, whose tasks read two edges from
 * one source vertex).
 *
 * How: record a short run of each scenario, infer the topology from its
 * events, and compare with the JobPlan the engine builds from the same
 * scenario graph (the oracle); the same from the buffers sent alone and
 * from the watermarks alone (a trace of a weir that did not trace buffers);
 * and a hand-made trace where no finite watermark crossed a channel (a
 * shrunk one-record run) still finds the source.
 */
import { describe, expect, it } from 'vitest';
import { inferTopology } from '../../../src/tui/model/topology.ts';
import { SCENARIOS } from '../../../scenarios/index.ts';
import { StreamEnvironment } from '../../../src/engines/flink/api/environment.ts';
import { JobPlan } from '../../../src/engines/flink/runtime/plan.ts';
import { sizesOf } from '../../../src/explore/run.ts';
import { recording } from '../helpers.ts';
import type { RunSettings } from '../../../src/explore/settings.ts';

function planChannels(settings: RunSettings): Map<string, string[]> {
  const scenario = SCENARIOS.find((s) => s.name === settings.scenario)!;
  const sizes = sizesOf(scenario, settings);
  const env = new StreamEnvironment({ parallelism: sizes.parallelism });
  scenario.engines.flink!.build(env, sizes);
  const plan = new JobPlan(env.graph, ['tm-0', 'tm-1']);
  const out = new Map<string, string[]>();
  for (const t of plan.tasks) {
    const name = `${plan.vertices[t.vertexId]!.name}[${t.subtask}]`;
    const inputs = plan.channelsOf(t.vertexId, t.subtask).map((c) => `${plan.vertexOfNode(c.edge.from).name}[${c.upstream}]`);
    out.set(name, inputs);
  }
  return out;
}

describe('inferTopology', () => {
  // The TUI's dataflow is Flink's: scenarios without a Flink build have no plan to match.
  for (const scenario of SCENARIOS.filter((s) => s.engines.flink !== undefined)) {
    it(`matches the engine's plan for ${scenario.name}`, async () => {
      const settings: RunSettings = { scenario: scenario.name, seed: 3, events: 80, guarantee: 'exactly-once', faults: 'none', bugs: [] };
      const topo = inferTopology((await recording(settings)).events);
      const plan = planChannels(settings);
      expect(new Set(topo.order)).toEqual(new Set(plan.keys()));
      for (const [name, inputs] of plan) expect(topo.tasks.get(name)!.inputs, name).toEqual(inputs);
      expect(topo.vertices[0]!.isSource).toBe(true);
      expect(topo.vertices.at(-1)!.hasSink).toBe(true);
    });
  }

  it('reads each channel\'s sender from the buffers sent on it, and infers it from watermarks in a trace without them', async () => {
    const settings: RunSettings = { scenario: 'join', seed: 3, events: 80, guarantee: 'exactly-once', faults: 'none', bugs: [] };
    const events = (await recording(settings)).events;
    const plan = planChannels(settings);
    // Buffers alone (no channel's watermarks), and watermarks alone (a trace of a weir that did not trace buffers).
    const noChannelWatermarks = events.filter((e) => !(e.kind === 'watermark' && typeof e.ch === 'number' && e.ch >= 0));
    const noBuffers = events.filter((e) => e.kind !== 'buffer.send');
    expect(noChannelWatermarks.some((e) => e.kind === 'buffer.send')).toBe(true);
    for (const trace of [noChannelWatermarks, noBuffers]) {
      const topo = inferTopology(trace);
      for (const [name, inputs] of plan) expect(topo.tasks.get(name)!.inputs, name).toEqual(inputs);
    }
  });

  it('orders sources first even when a downstream task is deployed first', async () => {
    const events = (await recording({ scenario: 'wordcount', seed: 3, events: 80, guarantee: 'exactly-once', faults: 'none', bugs: [] })).events;
    const deploys = events.filter((e) => e.kind === 'task.deploy').reverse();
    const rest = events.filter((e) => e.kind !== 'task.deploy');
    const topo = inferTopology([...deploys, ...rest]);
    expect(topo.vertices.map((v) => v.name)).toEqual(['source', 'window']);
    expect(topo.timeVertex).toBe('window');
  });

  it('takes a channel\'s sender from the buffers sent on it, where the numbering would guess another', () => {
    const ev = (seq: number, kind: string, fields: Record<string, unknown>) => ({ seq, t: seq, p: 'tm', kind, ...fields });
    const send = (seq: number, from: string, ch: number) => ev(seq, 'buffer.send', { task: from, attempt: 0, to: 'window[0]', ch, records: 1, reason: 'timeout' });
    const topo = inferTopology([
      ev(0, 'task.deploy', { task: 'source[0]', attempt: 0 }),
      ev(1, 'task.deploy', { task: 'source[1]', attempt: 0 }),
      ev(2, 'task.deploy', { task: 'window[0]', attempt: 0 }),
      send(3, 'source[1]', 0),
      send(4, 'source[0]', 1),
    ]);
    expect(topo.tasks.get('window[0]')!.inputs).toEqual(['source[1]', 'source[0]']);
    expect(topo.vertices.map((v) => [v.name, v.isSource])).toEqual([['source', true], ['window', false]]);
  });

  it('falls back to the source vertex when no finite watermark crossed a channel', () => {
    const ev = (seq: number, kind: string, fields: Record<string, unknown>) => ({ seq, t: seq, p: 'tm', kind, ...fields });
    const topo = inferTopology([
      ev(0, 'task.deploy', { task: 'window[0]', attempt: 0 }),
      ev(1, 'task.deploy', { task: 'source[0]', attempt: 0 }),
      ev(2, 'barrier.receive', { task: 'window[0]', attempt: 0, ch: 0, checkpoint: 1 }),
      ev(3, 'watermark', { task: 'window[0]', attempt: 0, ch: 0, wm: Number.MAX_SAFE_INTEGER }),
    ]);
    expect(topo.vertices.map((v) => [v.name, v.isSource])).toEqual([['source', true], ['window', false]]);
    expect(topo.tasks.get('window[0]')!.inputs).toEqual(['source[0]']);
  });
});
