/**
 * What this proves: Kafka Streams may drop records as late that the
 * workload kept within its disorder bound, and weir judges them as Kafka
 * does, not as a broken promise. A windowed aggregate behind a repartition
 * topic reads records in the order its upstream tasks' writes reached the
 * log, and its stream time is the largest timestamp it has processed;
 * records an upstream task held back (a producer batch waiting out its
 * linger, a thread blocked in its commit) arrive after its peers' newer
 * ones, older than the window end plus grace those already carried the
 * stream time past. (With commits measured from the end of the last one,
 * as Kafka measures them, commits come less often, and this seed shows
 * it.)
 *
 * How: the dense wordcount of the engine bench (50 records per ms, disorder
 * within 100 ms, no stragglers, so the workload promises nothing late) on
 * Kafka Streams, parallelism 4, seed 19 (the first that drops any since
 * the broker answers EndTxn once its decision is durable; seed 6 did
 * before), no faults. The run drops records as
 * expired windows (`record.dropped`), each judged by ks.grace against its
 * aggregate's own stream time, exactly-once counts them late, and every
 * check passes. The same workload on Flink drops none: its watermark is the
 * minimum over the input partitions.
 */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.ts';
import { generateWorkload } from '../../src/workload/generate.ts';
import { runScenario } from '../../src/explore/run.ts';
import { denseSettings, denseWordcount } from '../bench/dense.mjs';
import type { Scenario } from '../../scenarios/types.ts';

const scenario = denseWordcount(findScenario('wordcount'), generateWorkload) as Scenario;

describe('Kafka Streams drops by stream time, on a workload that promises nothing late', () => {
  it('drops records whose window its stream time passed, judged by ks.grace, counted late by exactly-once', () => {
    const dropped: number[] = [];
    const r = runScenario({ ...denseSettings(20_000, { engine: 'kstreams' }), seed: 19 }, {
      scenario,
      subscribers: [(e) => { if (e.kind === 'record.dropped') dropped.push(Number(e.ids)); }],
    });
    expect(dropped.length).toBeGreaterThan(0);
    expect(r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
    const once = r.checks.find((c) => c.name === 'exactly-once')!;
    expect(once.detail).toContain(`, ${dropped.length} late`);
    expect(r.checks.find((c) => c.name === 'ks.grace')!.detail).toContain(`${dropped.length} drops`);
  });

  it('on Flink the same workload has nothing late', () => {
    let late = 0;
    const r = runScenario({ ...denseSettings(20_000), seed: 19 }, { scenario, subscribers: [(e) => { if (e.kind === 'record.late' || e.kind === 'window.late') late++; }] });
    expect(late).toBe(0);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
