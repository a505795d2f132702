/**
 * What this proves: a Spark windowed aggregation in append or update mode
 * runs a no-data batch whenever the watermark moves past the one its last
 * batch evicted by, whichever column the watermark is on, and in complete
 * mode never. Spark's `StateStoreSaveExec.shouldRunAnotherBatch` asks for
 * append or update mode, an eviction watermark (defined for every stateful
 * operator of a query with a watermark) and a newer watermark, nothing
 * about the column. With the watermark on another column than the
 * window's, the batch evicts nothing and emits nothing.
 *
 * How: whole simulated runs (AvailableNow, so a run ends after its data and
 * the no-data batches the watermark asks for) of a count per key and
 * 100 ms window over four records, with the watermark on the window's own
 * column `ts` or on a column `seen` of its own, in update, append and
 * complete mode; the driver's offset log entries say which batches ran
 * without data, and the output which windows were emitted.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/explore/run.ts';
import { count, window } from '../../../src/engines/spark/dsl.ts';
import type { Scenario } from '../../../scenarios/types.ts';
import { scriptedSpark } from '../../support/scripted-spark.ts';
import type { InputRecord, OutputRecord } from '../../../src/stream/records.ts';

const rec = (id: number, ts: number, key: string): InputRecord => ({ id, ts, key, value: 1 });

function scenario(column: 'ts' | 'seen', mode: 'update' | 'append' | 'complete'): Scenario {
  const records = [rec(0, 10, 'a'), rec(1, 20, 'b'), rec(2, 30, 'a'), rec(3, 500, 'c')];
  return scriptedSpark(`aggregate-no-data-${column}-${mode}`, records, (spark) => {
    const rows = spark.readStream('input');
    const marked = column === 'ts' ? rows.withWatermark('ts', 5) : rows.withColumn('seen', (r) => (r.ts as number) + 1_000).withWatermark('seen', 5);
    return marked.groupBy(window('ts', 100), 'key').agg(count()).writeStream('output').outputMode(mode).trigger('availableNow');
  }, { keys: 3 });
}

function run(column: 'ts' | 'seen', mode: 'update' | 'append' | 'complete') {
  const noData: boolean[] = [];
  let output: OutputRecord[] = [];
  const s = scenario(column, mode);
  runScenario({ scenario: s.name, engine: 'spark', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] }, {
    scenario: s,
    onOutput: (o) => (output = o),
    subscribers: [(e) => { if (e.kind === 'spark.offsets') noData.push(e.noData === true); }],
  });
  const windows = output.map((o) => { const w = o as unknown as { key: string; start: number }; return `${w.key}@${w.start}`; }).sort();
  return { noData, windows };
}

describe('Spark aggregation: a no-data batch when the watermark moves, in append and update mode', () => {
  it('update mode, watermark on the window\'s column: the no-data batch runs (and has nothing new to emit)', () => {
    const { noData, windows } = run('ts', 'update');
    expect(noData).toEqual([false, true]);
    expect(windows).toEqual(['a@0', 'b@0', 'c@500']);
  });

  it('update mode, watermark on another column: the no-data batch runs all the same, and evicts and emits nothing', () => {
    const { noData, windows } = run('seen', 'update');
    expect(noData).toEqual([false, true]);
    expect(windows).toEqual(['a@0', 'b@0', 'c@500']);
  });

  it('append mode, watermark on the window\'s column: the no-data batch emits the windows the watermark closed', () => {
    const { noData, windows } = run('ts', 'append');
    expect(noData).toEqual([false, true]);
    expect(windows).toEqual(['a@0', 'b@0']);
  });

  it('complete mode: no no-data batch', () => {
    const { noData } = run('seen', 'complete');
    expect(noData).toEqual([false]);
  });
});
