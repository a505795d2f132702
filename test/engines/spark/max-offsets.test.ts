/**
 * What this proves: the Kafka source's `maxOffsetsPerTrigger` as Spark's
 * `KafkaMicroBatchStream.rateLimit` applies it: a micro-batch reads at most
 * the limit, shared out among the partitions with data in proportion to
 * their lag (rounded down, but up below one, so no partition with data
 * starves; never past a partition's end); ProcessingTime and AvailableNow
 * keep to it (AvailableNow in more batches up to the offsets it fixed at
 * start), Once reads all that is available. A run with the limit passes
 * every check and reads the input in more, smaller batches.
 *
 * How: the function on hand-made offsets, then wordcount's query on Spark
 * with and without the limit, the batches' offset ranges read off the
 * `spark.batch` trace events, the scenario's checks as the oracle; and
 * the triggers on a small scripted input started after it arrived.
 */
import { describe, expect, it } from 'vitest';
import { rateLimit } from '../../../src/engines/spark/driver.ts';
import { count, spark, window, type Trigger } from '../../../src/engines/spark/dsl.ts';
import { runScenario } from '../../../src/explore/run.ts';
import { findScenario } from '../../../scenarios/index.ts';
import type { Scenario } from '../../../scenarios/types.ts';
import type { InputRecord } from '../../../src/stream/records.ts';
import { scriptedSpark } from '../../support/scripted-spark.ts';

describe('rateLimit (KafkaMicroBatchStream)', () => {
  it('shares the limit out by lag, rounding down, up below one, never past the end', () => {
    expect(rateLimit(10, [0, 5, 10], [100, 5, 60])).toEqual([6, 5, 13]);
    expect(rateLimit(1, [0, 0], [5, 5])).toEqual([1, 1]);
    expect(rateLimit(1_000, [0, 0], [3, 4])).toEqual([3, 4]);
    expect(rateLimit(10, [7, 7], [7, 7])).toEqual([7, 7]);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => spark.readStream('input', { maxOffsetsPerTrigger: 0 })).toThrow(/positive integer/);
    expect(() => spark.readStream('input', { maxOffsetsPerTrigger: 2.5 })).toThrow(/positive integer/);
  });
});

/** wordcount's Spark query, reading at most `max` offsets a batch when given. */
function wordcountWith(max: number | undefined, trigger: Trigger = { processingTimeMs: 100 }): Scenario {
  const base = findScenario('wordcount')!;
  return {
    ...base,
    engines: {
      spark: {
        build: (s) => s.readStream('input', { isolation: 'read_committed', ...(max !== undefined ? { maxOffsetsPerTrigger: max } : {}) })
          .withWatermark('ts', 300).groupBy(window('ts', 1_000), 'key').agg(count()).writeStream('output').outputMode('update').trigger(trigger),
      },
    },
  };
}

/** The records each data batch read, from its `p:start-end` ranges. */
function batchSizes(s: Scenario, events: number): { sizes: number[]; failed: string[] } {
  const sizes: number[] = [];
  const r = runScenario({ scenario: 'wordcount', engine: 'spark', seed: 3, events, guarantee: 'exactly-once', faults: 'none', bugs: [] }, {
    scenario: s,
    subscribers: [(e) => {
      if (e.kind !== 'spark.batch') return;
      const n = (e.offsets as string[]).reduce((sum, range) => {
        const [from, to] = range.split(':')[1]!.split('-').map(Number);
        return sum + (to! - from!);
      }, 0);
      if (n > 0) sizes.push(n);
    }],
  });
  return { sizes, failed: r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`) };
}

describe('maxOffsetsPerTrigger on a run', () => {
  it('keeps every batch within the limit (plus one a partition), passes every check, in more batches', () => {
    const free = batchSizes(wordcountWith(undefined), 1_000);
    const limited = batchSizes(wordcountWith(12), 1_000);
    expect(free.failed).toEqual([]);
    expect(limited.failed).toEqual([]);
    expect(Math.max(...free.sizes)).toBeGreaterThan(16);
    expect(Math.max(...limited.sizes)).toBeLessThanOrEqual(12 + 4);
    expect(limited.sizes.reduce((a, b) => a + b, 0)).toBe(free.sizes.reduce((a, b) => a + b, 0));
    expect(limited.sizes.length).toBeGreaterThan(free.sizes.length);
  });

  const rec = (id: number, ts: number): InputRecord => ({ id, ts, key: 'a', value: 1 });
  function scripted(trigger: Trigger): Scenario {
    const records = Array.from({ length: 10 }, (_, i) => rec(i, 10 * i));
    return scriptedSpark('max-offsets', records, (s) => s.readStream('input', { maxOffsetsPerTrigger: 4 }).withWatermark('ts', 10).groupBy(window('ts', 100), 'key').agg(count()).writeStream('output').outputMode('append').trigger(trigger), { activeArrivalGapMsMax: 10 });
  }
  it.each([
    ['availableNow', ['0:0-4', '0:4-8', '0:8-10']],
    ['once', ['0:0-10']],
  ] as const)('Trigger.%s: %j', (trigger, expected) => {
    const s = scripted(trigger);
    const ranges: string[] = [];
    const r = runScenario({ scenario: s.name, engine: 'spark', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] }, {
      scenario: s,
      subscribers: [(e) => { if (e.kind === 'spark.batch') ranges.push(...(e.offsets as string[]).filter((o) => !/:(\d+)-\1$/.test(o))); }],
    });
    expect(ranges).toEqual(expected);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
