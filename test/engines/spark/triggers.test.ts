/**
 * Spark's triggers (part S10) on a whole simulated run: a query started after
 * its input arrived, on one partition, counting 100 ms windows per key in
 * append mode with a 10 ms watermark delay.
 *
 * - Once runs exactly one batch (all the data) and ends: no trailing no-data
 *   batch, so the windows the watermark has passed are not emitted.
 * - AvailableNow fixes the end offsets at its first batch, runs the data
 *   batch and the no-data batch the watermark advance asks for (which emits
 *   the windows behind it), and ends; a record that arrives after the start
 *   is not read. After a restart the batch left uncommitted runs again
 *   before the end offsets are fixed, so what arrived meanwhile is read.
 * - ProcessingTime (the default) reads it too and ends only when the input is
 *   sealed and read.
 * - A trigger that constructed nothing sleeps the 10 ms polling delay
 *   (`MicroBatchExecution.executeOneBatch`): the next ProcessingTime trigger
 *   waits for it even when behind, and a Once that found nothing ends after
 *   it. These read times off one seed's run, each derived in its comment, and
 *   fail without the sleep.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/explore/run.ts';
import { count, window, type Trigger } from '../../../src/engines/spark/dsl.ts';
import type { Scenario } from '../../../scenarios/types.ts';
import type { InputRecord, OutputRecord, WindowResult } from '../../../src/stream/records.ts';
import type { FaultPlan } from '../../../src/sim/faults.ts';

const rec = (id: number, ts: number): InputRecord => ({ id, ts, key: 'a', value: 1 });

function scenario(trigger: Trigger, startAtMs = 300, earlyAtMs = 10): Scenario {
  const early = [rec(0, 10), rec(1, 50), rec(2, 250)];
  const late = [rec(3, 400)];
  return {
    name: `triggers-${typeof trigger === 'string' ? trigger : 'processing-time'}`,
    summary: 'trigger test',
    defaults: { events: 4, parallelism: 1, partitions: 1, keys: 1 },
    workload: () => ({
      records: [...early, ...late],
      arrivals: [{ atMs: earlyAtMs, partition: 0, records: early }, { atMs: 500, partition: 0, records: late }],
      canBeLate: true,
      idlePartitions: [],
      activeArrivalGapMsMax: 500,
    }),
    engines: {
      spark: {
        startAtMs,
        build: (spark) =>
          spark.readStream('input').withWatermark('ts', 10).groupBy(window('ts', 100), 'key').agg(count()).writeStream('output').outputMode('append').trigger(trigger),
      },
    },
  };
}

function run(trigger: Trigger, plan?: FaultPlan, at: { startAtMs?: number; earlyAtMs?: number } = {}) {
  const batches: { batch: number; noData: boolean }[] = [];
  const stamps: number[] = [];
  const offsets: string[] = [];
  let finished = 0;
  let finishedAt = -1;
  let startedAt = -1;
  let output: OutputRecord[] = [];
  const s = scenario(trigger, at.startAtMs, at.earlyAtMs);
  const r = runScenario({ scenario: s.name, engine: 'spark', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], ...(plan ? { plan } : {}) }, {
    scenario: s,
    onOutput: (o) => (output = o),
    subscribers: [(e) => {
      if (e.kind === 'spark.offsets') batches.push({ batch: e.batch as number, noData: e.noData as boolean });
      if (e.kind === 'spark.batch') offsets.push((e.offsets as string[]).join(' '));
      if (e.kind === 'spark.batch') stamps.push(e.timestampMs as number);
      if (e.kind === 'spark.finished') { finished++; finishedAt = e.t; }
      if (e.kind === 'spark.restart') startedAt = e.t;
    }],
  });
  const windows = output.filter((o): o is WindowResult => o.type === 'window').map((w) => `[${w.start},${w.end})=${w.value}`);
  return { r, batches, offsets, stamps, finished, finishedAt, startedAt, windows };
}

describe('Spark triggers', () => {
  it('Once: exactly one batch, no trailing no-data batch, then the query ends', () => {
    const { r, batches, offsets, finished, windows } = run('once');
    expect(batches).toEqual([{ batch: 0, noData: false }]);
    expect(offsets).toEqual(['0:0-3']);
    expect(finished).toBe(1);
    expect(windows).toEqual([]);
    expect(r.checks.find((c) => c.name === 'liveness')?.ok).toBe(true);
  });

  it('Once that finds nothing sleeps the polling delay and then ends', () => {
    // Started at 5 ms, before the first records arrive at 200: the one trigger's end offsets are the
    // start, so no batch; executeOneBatch sleeps pollingDelayMs (10 ms) and the query ends. The
    // end-offsets round trip takes 2-10 ms, so the end comes at least 12 ms after the restart.
    const { batches, finished, finishedAt, startedAt } = run('once', undefined, { startAtMs: 5, earlyAtMs: 200 });
    expect(batches).toEqual([]);
    expect(finished).toBe(1);
    expect(finishedAt - startedAt).toBeGreaterThanOrEqual(12);
    expect(finishedAt - startedAt).toBeLessThanOrEqual(20);
  });

  it('Once and AvailableNow ask again for the end offsets while the broker is down, instead of ending with nothing read', () => {
    // The broker is down from 290 ms for 250 s, longer than the log client's retries last (1,000 of 200 ms):
    // the query's first request fails. When the broker answers, the record produced at 500 ms is there too.
    const plan: FaultPlan = { faults: [{ kind: 'crash', atMs: 290, process: 'broker', restartAfterMs: 250_000 }] };
    for (const trigger of ['once', 'availableNow'] as const) {
      const { r, offsets, finished } = run(trigger, plan);
      expect(offsets.at(0), trigger).toBe('0:0-4');
      expect(finished, trigger).toBe(1);
      expect(r.checks.filter((c) => !c.ok).map((c) => c.name), trigger).toEqual([]);
    }
  });

  it('AvailableNow: the data there at start, then the no-data batch the watermark asks for, then the end', () => {
    const { batches, offsets, finished, windows } = run('availableNow');
    expect(batches).toEqual([{ batch: 0, noData: false }, { batch: 1, noData: true }]);
    expect(offsets).toEqual(['0:0-3', '0:3-3']);
    expect(finished).toBe(1);
    // Watermark 250 − 10 = 240: the windows ending at 100 and 200 are emitted; [200, 300) waits.
    expect(windows).toEqual(['[0,100)=2']);
  });

  it('AvailableNow after a restart: the batch left uncommitted runs again first, then the target is fixed (KafkaMicroBatchStream at its first latestOffset)', () => {
    // offsets/0 is written at 334 ms and commits/0 at 372: a crash at 345 leaves batch 0 to run
    // again. The driver is back at 495 ms, runs batch 0 again until after 500 ms, when the record at
    // 400 arrives; only then does the source ask how far this run goes, so the record is in it.
    const plan: FaultPlan = { faults: [{ kind: 'crash', atMs: 345, process: 'driver', restartAfterMs: 150 }] };
    const { r, offsets, finished } = run('availableNow', plan);
    expect(offsets.slice(0, 3)).toEqual(['0:0-3', '0:0-3', '0:3-4']);
    expect(finished).toBe(1);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([]);
  });

  it('ProcessingTime reads on until the input is sealed and read', () => {
    const { offsets, finished, windows } = run({ processingTimeMs: 100 });
    expect(offsets.at(0)).toBe('0:0-3');
    expect(offsets).toContain('0:3-4');
    expect(finished).toBe(1);
    expect(windows).toEqual(['[0,100)=2', '[200,300)=1']);
  });

  it('ProcessingTime: a trigger that constructed nothing sleeps the polling delay before the next, even when behind', () => {
    // The trigger at 500 ms finds nothing new (the record produced at 500 is not there yet) and its
    // end-offsets request, sent in a 95 ms latency spike, is answered after 600. The next trigger is
    // behind its boundary, so it would start at once; Spark's executeOneBatch sleeps
    // pollingDelayMs (10 ms) first, and batch 2 is constructed at 626 ms (613 without the sleep).
    const plan: FaultPlan = { faults: [{ kind: 'latency-spike', atMs: 500, durationMs: 1, extraMs: 95 }] };
    const { offsets, stamps } = run({ processingTimeMs: 100 }, plan);
    expect(offsets.slice(0, 3)).toEqual(['0:0-3', '0:3-3', '0:3-4']);
    expect(stamps[2]).toBe(626);
    // Without the spike the empty trigger ends long before 600, and the next waits for the boundary.
    expect(run({ processingTimeMs: 100 }).stamps[2]).toBe(604);
  });
});
