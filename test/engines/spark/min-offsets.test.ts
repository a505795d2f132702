/**
 * What this proves: the Kafka source's `minOffsetsPerTrigger` and
 * `maxTriggerDelay` as Spark's `KafkaMicroBatchStream.delayBatch` applies
 * them: a trigger that finds fewer new offsets than the minimum (over all
 * partitions) reads nothing (`spark.delay`), unless `maxTriggerDelay` has
 * passed since the last trigger that read; the first trigger of a driver
 * always reads (Spark's last-trigger time starts at 0 on a wall clock).
 * With `maxOffsetsPerTrigger` too, a trigger that reads keeps to that cap.
 * Under Trigger.AvailableNow the same limit applies (Spark hands the
 * source its default read limit), so a remainder below the minimum ends
 * the query unread: a skipped trigger constructs no batch, and
 * AvailableNow terminates then. Once ignores both. Bad values are
 * refused when the query is built.
 *
 * How: a scripted input on one partition (records arriving 100 ms apart,
 * or all at once before the query starts), the batches' offset ranges and
 * start times read off `spark.batch` / `spark.offsets`, the delays off
 * `spark.delay`, the scenario's checks as the oracle where the query reads
 * everything.
 */
import { describe, expect, it } from 'vitest';
import { count, spark, window, type ReadStreamOptions, type Trigger } from '../../../src/engines/spark/dsl.ts';
import { runScenario } from '../../../src/explore/run.ts';
import type { Scenario } from '../../../scenarios/types.ts';
import type { InputRecord } from '../../../src/stream/records.ts';

const rec = (id: number, ts: number): InputRecord => ({ id, ts, key: 'a', value: 1 });

/** Ten records on one partition: one every 100 ms from 10 ms (`trickle`), or all at 10 ms with the query starting at 300. */
function scripted(opts: ReadStreamOptions, trigger: Trigger, trickle: boolean): Scenario {
  const records = Array.from({ length: 10 }, (_, i) => rec(i, trickle ? 10 + 100 * i : 10 * i));
  const arrivals = trickle ? records.map((r) => ({ atMs: r.ts, partition: 0, records: [r] })) : [{ atMs: 10, partition: 0, records }];
  return {
    name: 'min-offsets',
    summary: 'minOffsetsPerTrigger test',
    defaults: { events: 10, parallelism: 1, partitions: 1, keys: 1 },
    workload: () => ({ records, arrivals, canBeLate: true, idlePartitions: [], activeArrivalGapMsMax: 100 }),
    engines: {
      spark: {
        ...(trickle ? {} : { startAtMs: 300 }),
        build: (s) => s.readStream('input', opts).withWatermark('ts', 10).groupBy(window('ts', 100), 'key').agg(count()).writeStream('output').outputMode('append').trigger(trigger),
      },
    },
  };
}

interface Seen { ranges: { at: number; from: number; to: number }[]; delays: number; finished: boolean; failed: string[] }

function run(s: Scenario): Seen {
  const seen: Seen = { ranges: [], delays: 0, finished: false, failed: [] };
  const r = runScenario({ scenario: s.name, engine: 'spark', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] }, {
    scenario: s,
    subscribers: [(e) => {
      if (e.kind === 'spark.delay') seen.delays++;
      if (e.kind === 'spark.finished') seen.finished = true;
      if (e.kind !== 'spark.batch') return;
      for (const o of e.offsets as string[]) {
        const [from, to] = o.split(':')[1]!.split('-').map(Number);
        if (to! > from!) seen.ranges.push({ at: e.t, from: from!, to: to! });
      }
    }],
  });
  seen.failed = r.checks.filter((c) => !c.ok).map((c) => c.name);
  return seen;
}

describe('minOffsetsPerTrigger (KafkaMicroBatchStream.delayBatch)', () => {
  it('refuses values that are not positive integers, and a delay without a minimum', () => {
    expect(() => spark.readStream('input', { minOffsetsPerTrigger: 0 })).toThrow(/minOffsetsPerTrigger must be a positive integer/);
    expect(() => spark.readStream('input', { minOffsetsPerTrigger: 3, maxTriggerDelayMs: 1.5 })).toThrow(/maxTriggerDelayMs must be a positive integer/);
    expect(() => spark.readStream('input', { maxTriggerDelayMs: 100 })).toThrow(/only with minOffsetsPerTrigger/);
  });

  it('waits for the minimum, or for maxTriggerDelay since the last trigger that read, and reads everything in the end', () => {
    const free = run(scripted({}, { processingTimeMs: 100 }, true));
    const held = run(scripted({ minOffsetsPerTrigger: 4, maxTriggerDelayMs: 1_000 }, { processingTimeMs: 100 }, true));
    expect(free.failed).toEqual([]);
    expect(held.failed).toEqual([]);
    expect(free.delays).toBe(0);
    expect(held.delays).toBeGreaterThan(0);
    const total = (s: Seen): number => s.ranges.reduce((n, r) => n + r.to - r.from, 0);
    expect(total(held)).toBe(10);
    expect(total(free)).toBe(10);
    expect(held.ranges.length).toBeLessThan(free.ranges.length);
    // The first trigger reads what there is; each later one reads at least 4, or comes 1 s after the last that read.
    for (let i = 1; i < held.ranges.length; i++) {
      const r = held.ranges[i]!;
      expect(r.to - r.from >= 4 || r.at - held.ranges[i - 1]!.at >= 1_000, JSON.stringify(r)).toBe(true);
    }
    expect(held.ranges.some((r, i) => i > 0 && r.to - r.from < 4)).toBe(true);
  });

  it('under AvailableNow keeps to the cap and ends with a remainder below the minimum unread', () => {
    const s = run(scripted({ minOffsetsPerTrigger: 3, maxOffsetsPerTrigger: 4 }, 'availableNow', false));
    expect(s.ranges.map((r) => `${r.from}-${r.to}`)).toEqual(['0-4', '4-8']);
    expect(s.delays).toBeGreaterThanOrEqual(1);
    expect(s.finished).toBe(true);
    // Without the minimum the same query reads the last two as well.
    expect(run(scripted({ maxOffsetsPerTrigger: 4 }, 'availableNow', false)).ranges.map((r) => `${r.from}-${r.to}`)).toEqual(['0-4', '4-8', '8-10']);
  });

  it('is ignored by Trigger.Once', () => {
    const s = run(scripted({ minOffsetsPerTrigger: 50 }, 'once', false));
    expect(s.ranges.map((r) => `${r.from}-${r.to}`)).toEqual(['0-10']);
    expect(s.delays).toBe(0);
  });
});
