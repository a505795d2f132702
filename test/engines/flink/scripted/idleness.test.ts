/**
 * Idleness travels like a watermark: through chained operators, and out of a
 * task whose every input has gone idle (Flink's StatusWatermarkValve and
 * WatermarkStatus forwarding; SEMANTICS.md A1).
 *
 * What this proves: two scripted sources meet in a union ahead of a tumbling
 * window; the slow one stops at watermark 500 and waits 3 s with an idle
 * timeout of 1 s. Whatever sits between the slow source and the union — a
 * chained map, or a separate task fed over the network (whose only input
 * goes idle) — the slow side must be marked idle during the wait, so the
 * fast side's watermark 1500 fires the window on time with count 2, and the
 * slow record at ts 300 after the wait makes a late firing (count 3). Held
 * back, the window would fire once, on time, with count 3.
 *
 * How: end to end through the simulated cluster with no faults, comparing
 * the committed output exactly (timings are hundreds of ms apart, far above
 * network delays).
 */
import { describe, expect, it } from 'vitest';
import type { DataStream } from '../../../../src/engines/flink/api/environment.ts';
import { fastAndSlow, runScripted, type ScriptedPipeline } from './helpers.ts';

const pipeline = (name: string, between: (s: DataStream) => DataStream): ScriptedPipeline => fastAndSlow(name, 1_000, between);

const FIRED_DURING_THE_WAIT = [
  { key: 'k', start: 0, end: 1_000, value: 2, firing: 0, ids: [0, 10] },
  { key: 'k', start: 0, end: 1_000, value: 3, firing: 1, ids: [0, 10, 11] },
];

describe('idleness', () => {
  it('passes through an operator chained to the idle source', () => {
    const r = runScripted(pipeline('idle-chained-map', (s) => s.map((x) => x)));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual(FIRED_DURING_THE_WAIT);
  });

  it('passes through a chain of several operators', () => {
    const r = runScripted(pipeline('idle-chain-of-three', (s) => s.map((x) => x).filter(() => true).map((x) => x)));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual(FIRED_DURING_THE_WAIT);
  });

  it('leaves a task whose every input went idle, as IDLE to the task downstream', () => {
    const r = runScripted(pipeline('idle-whole-task', (s) => s.rebalance(1).map((x) => x)));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual(FIRED_DURING_THE_WAIT);
  });
});
