/**
 * What this proves: a Kafka Streams task pauses fetching a source
 * partition only once more than `buffered.records.per.partition` (1,000)
 * of its records are buffered, and resumes once processing has brought the
 * queue back to 1,000 or fewer, as Kafka's `StreamTask.addRecords` (pause
 * when the new size is above the bound) and `StreamTask.process` (resume
 * when the size equals it) do. A task that paused at exactly 1,000 (one
 * full `max.poll.records` fetch) would hold back a fetch Kafka makes.
 *
 * How: the benchmark's dense wordcount (50 records a millisecond, four
 * partitions) on Kafka Streams under heavy faults, traced in detail: seeds
 * 1 and 3, whose slow commits hold processing back while fetches go on (on
 * seed 3 a fetch of 1,000 records reaches an empty queue, where a pause at
 * 1,000 shows). Every `ks.fetch-paused` must report more than 1,000
 * records buffered and every `ks.fetch-resumed` at most 1,000; the run must
 * pause at least once (so the rule is exercised) and pass its checks.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { generateWorkload } from '../../../src/workload/generate.ts';
import { findScenario } from '../../../scenarios/index.ts';
import { denseSettings, denseWordcount } from '../../bench/dense.mjs';
import { failed, run } from '../../explore/helpers.ts';

describe('buffered.records.per.partition', () => {
  it.each([1, 3])('seed %i: pauses a partition above 1,000 buffered records and resumes at 1,000 or fewer', (seed) => {
    const events: TraceEvent[] = [];
    const r = run(denseSettings(20_000, { engine: 'kstreams', faults: 'heavy', seed }), {
      scenario: denseWordcount(findScenario('wordcount'), generateWorkload),
      subscribers: [(e) => { if (e.kind === 'ks.fetch-paused' || e.kind === 'ks.fetch-resumed') events.push(e); }],
    });
    expect(failed(r)).toEqual([]);
    const paused = events.filter((e) => e.kind === 'ks.fetch-paused');
    const resumed = events.filter((e) => e.kind === 'ks.fetch-resumed');
    expect(paused.length).toBeGreaterThan(0);
    expect(resumed.length).toBeGreaterThan(0);
    for (const e of paused) expect(e.buffered as number, `${e.p} ${String(e.task)} at ${e.t} ms`).toBeGreaterThan(1_000);
    for (const e of resumed) expect(e.buffered as number, `${e.p} ${String(e.task)} at ${e.t} ms`).toBeLessThanOrEqual(1_000);
  });
});
