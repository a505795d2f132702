/**
 * `spark.memory-sink` on made-up traces and tables: each driver
 * incarnation adds batch ids once, in order, skips only what its table
 * holds, and adds each batch before its `commits/N`; the table read at the
 * end matches what the driver traced; in complete mode it is the full
 * aggregate of the input. Each rule can fail, and so does a run with the
 * planted bug `spark-memory-sink-appends-complete`.
 */
import { describe, expect, it } from 'vitest';
import { checkSparkMemorySink, SparkMemoryTrace } from '../../src/check/spark-memory-sink.ts';
import { tumbling } from '../../src/stream/assigners.ts';
import type { InputRecord, OutputRecord } from '../../src/stream/records.ts';
import type { WindowSpec } from '../../src/check/types.ts';
import { runScenario } from '../../src/explore/run.ts';

const spec: WindowSpec = { assigner: tumbling(1_000), aggregate: 'count', allowedLatenessMs: 0 };
const input: InputRecord[] = [
  { id: 0, ts: 100, key: 'a', value: 1 },
  { id: 1, ts: 200, key: 'a', value: 1 },
  { id: 2, ts: 1_500, key: 'b', value: 1 },
];
const row = (key: string, start: number, ids: number[], firing = 0): OutputRecord => ({ type: 'window', key, start, end: start + 1_000, value: ids.length, firing, ids, ts: start + 999 });
const full = [row('a', 0, [0, 1]), row('b', 1_000, [2])];

type Step =
  | { start: number }
  | { add: number; rows: number; tableRows: number; truncated?: boolean }
  | { skip: number; committed: number }
  | { commit: number }
  | { refused: true };

function judge(mode: 'append' | 'complete', steps: Step[], table: OutputRecord[] | undefined) {
  const t = new SparkMemoryTrace();
  const ev = (kind: string, fields: Record<string, unknown>) => t.onEvent({ seq: 0, t: 0, p: 'driver', kind, ...fields });
  for (const s of steps) {
    if ('start' in s) ev('spark.start', { incarnation: s.start, outputMode: mode, memoryTable: 'counts' });
    else if ('add' in s) ev('spark.memory.add', { batch: s.add, rows: s.rows, tableRows: s.tableRows, truncated: s.truncated ?? mode === 'complete' });
    else if ('skip' in s) ev('spark.sink.skip', { batch: s.skip, sink: 'memory', committed: s.committed });
    else if ('commit' in s) ev('spark.commit', { batch: s.commit });
    else ev('spark.query.refused', { reason: 'This query does not support recovering from checkpoint location. Delete offsets to start over.' });
  }
  return checkSparkMemorySink(t, table, input, spec)!;
}

const good: Step[] = [{ start: 0 }, { add: 0, rows: 1, tableRows: 1 }, { commit: 0 }, { add: 1, rows: 2, tableRows: 2 }, { commit: 1 }];

describe('spark.memory-sink', () => {
  it('is silent for a query without a memory sink', () => {
    const t = new SparkMemoryTrace();
    t.onEvent({ seq: 0, t: 0, p: 'driver', kind: 'spark.start', incarnation: 0, outputMode: 'complete' });
    expect(checkSparkMemorySink(t, [], input, spec)).toBeUndefined();
  });

  it('passes a complete-mode table that is the full aggregate, also recreated after a driver restart', () => {
    expect(judge('complete', good, full)).toMatchObject({ ok: true, detail: expect.stringMatching(/2 batches added over 1 driver incarnation, 2 rows at the end, the full aggregate/) });
    const restarted: Step[] = [...good.slice(0, 3), { start: 1 }, { add: 1, rows: 2, tableRows: 2 }, { commit: 1 }];
    expect(judge('complete', restarted, full).ok).toBe(true);
  });

  it('fails a batch added twice or out of order, a skip of a batch the table lacks, a commit before the sink', () => {
    expect(judge('complete', [...good, { add: 1, rows: 2, tableRows: 2 }], full).detail).toMatch(/^driver incarnation 0 added batch 1 to its memory table after batch 1: a batch the table holds must be skipped/);
    expect(judge('complete', [{ start: 0 }, { skip: 0, committed: 0 }, { commit: 0 }, { add: 1, rows: 2, tableRows: 2 }, { commit: 1 }], full).detail)
      .toMatch(/^driver incarnation 0 skipped batch 0 though its memory table held nothing/);
    expect(judge('complete', [...good, { skip: 1, committed: 1 }], full).ok).toBe(true);
    expect(judge('complete', [{ start: 0 }, { commit: 0 }, { add: 0, rows: 2, tableRows: 2 }], full).detail).toMatch(/^driver incarnation 0 wrote commits\/0 before batch 0 reached its memory table/);
  });

  it('fails a complete-mode batch appended instead of replacing the table, and a table that is not what the driver traced', () => {
    expect(judge('complete', [{ start: 0 }, { add: 0, rows: 1, tableRows: 1 }, { add: 1, rows: 2, tableRows: 3 }], full).detail)
      .toMatch(/^after batch 1 \(2 rows\) the memory table of driver incarnation 0 held 3 rows, not 2 \(complete mode replaces the table\)/);
    expect(judge('complete', good, [...full, full[0]!]).detail).toMatch(/^table counts holds 3 rows, but its driver traced 2/);
    expect(judge('complete', good, undefined).detail).toMatch(/^table counts could not be read: the driver was down when the run ended/);
  });

  it('fails a complete-mode table that is not the full aggregate: a window missing, twice, or with the wrong records', () => {
    expect(judge('complete', [...good.slice(0, 3), { add: 1, rows: 1, tableRows: 1 }], [full[0]!]).detail).toMatch(/^the table has no row for key b window \[1000, ?2000\) \(1 records\)/);
    expect(judge('complete', [...good.slice(0, 3), { add: 1, rows: 3, tableRows: 3 }], [...full, row('a', 0, [0, 1], 1)]).detail).toMatch(/^the table holds key a window \[0, ?1000\) more than once/);
    expect(judge('complete', good, [row('a', 0, [0]), full[1]!]).detail).toMatch(/^the table holds key a window \[0, ?1000\) with value 1 of 1 records; the whole input gives 2 of 2/);
    const idle: Step[] = [...good, { start: 1 }];
    expect(judge('complete', idle, []).detail).toMatch(/driver incarnation 1 ran no batch: after a driver restart a complete-mode table is recreated only by the next batch/);
  });

  it('append mode: rows stay; a window twice fails; a refused recovery is reported with the rows lost', () => {
    const steps: Step[] = [{ start: 0 }, { add: 0, rows: 1, tableRows: 1 }, { commit: 0 }, { add: 1, rows: 1, tableRows: 2 }, { commit: 1 }];
    expect(judge('append', steps, full).ok).toBe(true);
    expect(judge('append', [...steps, { add: 2, rows: 1, tableRows: 3 }, { commit: 2 }], [...full, full[1]!]).detail).toMatch(/^the append-mode table holds key b window \[1000, ?2000\) twice/);
    expect(judge('append', [...steps, { start: 1 }, { refused: true }], []).detail)
      .toMatch(/^driver incarnation 1 refused to recover the append-mode query \("This query does not support recovering from checkpoint location\. Delete offsets to start over\."\): the 2 rows the table held before the crash are gone/);
  });

  it('catches the planted bug spark-memory-sink-appends-complete on a run without faults, which passes without it', () => {
    const settings = { scenario: 'memory-sink', engine: 'spark' as const, seed: 1, guarantee: 'exactly-once' as const, faults: 'none' as const, events: 300 };
    const bad = runScenario({ ...settings, bugs: ['spark-memory-sink-appends-complete'] });
    expect(bad.checks.find((c) => c.name === 'spark.memory-sink')).toMatchObject({ ok: false, detail: expect.stringMatching(/complete mode replaces the table/) });
    expect(runScenario({ ...settings, bugs: [] }).checks.filter((c) => !c.ok)).toEqual([]);
  });
});
