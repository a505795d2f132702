/**
 * Spark's memory sink (MemorySink, `sources/memory.scala`; DataStreamWriter.start).
 *
 * Goal: the table in the driver's memory behaves as Spark's: a batch id at
 * or below the latest one is skipped, complete mode replaces the table and
 * append mode appends; the table dies with the driver; complete mode
 * recreates it with the restarted query's next batch, append mode refuses to
 * recover and so runs only under at-least-once.
 * Method: the sink alone, the analyzer's rules, then whole runs of
 * `memory-sink` and `memory-append` with explicit driver crashes.
 * Oracle: the sink's answers; the run's checks (`spark.memory-sink` among
 * them) and the trace.
 */
import { describe, expect, it } from 'vitest';
import { MemorySink, MemoryTables } from '../../../src/engines/spark/memory-sink.ts';
import { count, planProblem, spark, window } from '../../../src/engines/spark/dsl.ts';
import { runScenario } from '../../../src/explore/run.ts';
import { engineProblem, lostOnCrash, scenarioGuarantee } from '../../../src/explore/engines.ts';
import { applicableEdges } from '../../../src/explore/coverage.ts';
import { findScenario } from '../../../scenarios/index.ts';
import type { Scenario } from '../../../scenarios/types.ts';
import type { FaultPlan } from '../../../src/sim/faults.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import type { Guarantee } from '../../../src/stream/guarantee.ts';

describe('MemorySink', () => {
  it('adds a batch above the latest, skips one at or below it', () => {
    const t = new MemorySink('t');
    expect(t.latestBatchId()).toBeUndefined();
    expect(t.write(0, false, [{ a: 1 }])).toEqual({ added: true, tableRows: 1 });
    expect(t.write(2, false, [{ a: 2 }, { a: 3 }])).toEqual({ added: true, tableRows: 3 });
    expect(t.write(2, false, [{ a: 9 }])).toEqual({ added: false, latest: 2 });
    expect(t.write(1, false, [{ a: 9 }])).toEqual({ added: false, latest: 2 });
    expect(t.allData()).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('complete mode (truncate) replaces the table; the planted bug appends', () => {
    const t = new MemorySink('t');
    t.write(0, true, [{ a: 1 }]);
    t.write(1, true, [{ a: 1 }, { b: 1 }]);
    expect(t.allData()).toEqual([{ a: 1 }, { b: 1 }]);
    const bug = new MemorySink('t', { appendInComplete: true });
    bug.write(0, true, [{ a: 1 }]);
    expect(bug.write(1, true, [{ a: 1 }, { b: 1 }])).toEqual({ added: true, tableRows: 3 });
  });

  it('a reader sees the newest incarnation\'s table; rows are copies', () => {
    const tables = new MemoryTables();
    expect(tables.rows()).toBeUndefined();
    const first = new MemorySink('t');
    first.write(0, false, [{ a: 1 }]);
    tables.register(0, first);
    tables.register(1, new MemorySink('t'));
    expect(tables.rows()).toEqual([]);
    expect(() => tables.register(0, first)).toThrow(/after 1/);
  });
});

describe('the analyzer and the guarantee', () => {
  const counts = () => spark.readStream('in').withWatermark('ts', 10).groupBy(window('ts', 100), 'key').agg(count());
  it('needs a query name; every output mode; no continuous trigger here', () => {
    expect(planProblem(counts().writeStream().format('memory').outputMode('complete').plan)).toBe('queryName must be specified for memory sink');
    for (const mode of ['append', 'update', 'complete'] as const) expect(planProblem(counts().writeStream().format('memory').queryName('t').outputMode(mode).plan)).toBeUndefined();
    expect(planProblem(spark.readStream('in').writeStream().format('memory').queryName('t').trigger({ continuousMs: 100 }).plan)).toMatch(/continuous processing writes to the Kafka sink only/);
  });

  it('append mode refuses exactly-once, naming the fix; complete mode runs under it', () => {
    const append = findScenario('memory-append')!;
    expect(engineProblem(append, { engine: 'spark', bugs: [], guarantee: 'exactly-once' })).toMatch(/memory sink in append mode, which is not fault-tolerant.*--guarantee at-least-once/);
    expect(engineProblem(append, { engine: 'spark', bugs: [] })).toMatch(/not fault-tolerant/);
    expect(engineProblem(append, { engine: 'spark', bugs: [], guarantee: 'at-least-once' })).toBeUndefined();
    expect(scenarioGuarantee(append, 'spark')).toBe('at-least-once');
    expect(engineProblem(findScenario('memory-sink')!, { engine: 'spark', bugs: [], guarantee: 'exactly-once' })).toBeUndefined();
    expect(scenarioGuarantee(findScenario('memory-sink')!, 'spark')).toBe('exactly-once');
  });

  it('append mode loses its table with the driver under any guarantee (the soak leaves it out); complete mode and other sinks do not', () => {
    expect(lostOnCrash(findScenario('memory-append')!, 'spark')).toMatch(/memory sink in append mode loses its table when the driver crashes/);
    expect(lostOnCrash(findScenario('memory-sink')!, 'spark')).toBeUndefined();
    expect(lostOnCrash(findScenario('wordcount')!, 'spark')).toBeUndefined();
    expect(lostOnCrash(findScenario('wordcount')!, 'flink')).toBeUndefined();
  });

  it('sweeps do not wait for a memory sink skip, which no fault plan reaches (a re-run batch meets a new table)', () => {
    expect(applicableEdges(findScenario('memory-sink')!, 'spark')).not.toContain('spark.sink-skip');
    expect(applicableEdges(findScenario('wordcount')!, 'spark')).toContain('spark.sink-skip');
  });
});

function runMemory(scenario: string, guarantee: Guarantee, plan?: FaultPlan, opts: { seed?: number; faults?: 'none' | 'heavy'; custom?: Scenario; bugs?: string[] } = {}) {
  const events: TraceEvent[] = [];
  let output: unknown[] = [];
  const report = runScenario(
    { scenario, engine: 'spark', seed: opts.seed ?? 1, guarantee, faults: opts.faults ?? 'none', bugs: (opts.bugs ?? []) as never[], ...(plan ? { plan } : {}) },
    { subscribers: [(e) => { if (e.kind.startsWith('spark.') || e.kind === 'proc.crash') events.push(e); }], onOutput: (o) => (output = o), ...(opts.custom ? { scenario: opts.custom } : {}) },
  );
  return { report, events, output, failed: report.checks.filter((c) => !c.ok) };
}

const crashDriver = (atMs: number): FaultPlan => ({ faults: [{ kind: 'crash', atMs, process: 'driver', restartAfterMs: 300 }] });

describe('whole runs', () => {
  it('complete mode: every check passes, the table is the full aggregate, batches added once each in order', () => {
    const { report, events, output } = runMemory('memory-sink', 'exactly-once');
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.find((c) => c.name === 'spark.memory-sink')?.detail).toMatch(/the full aggregate/);
    const adds = events.filter((e) => e.kind === 'spark.memory.add').map((e) => e.batch as number);
    expect(adds.length).toBeGreaterThan(10);
    expect(adds).toEqual([...adds].sort((a, b) => a - b));
    expect(new Set(adds).size).toBe(adds.length);
    // The table holds the last batch's rows only.
    expect(output.length).toBe(events.filter((e) => e.kind === 'spark.memory.add').at(-1)!.rows);
  });

  it('complete mode: a driver crash mid-run empties the table, and the restarted query recreates it', () => {
    const { failed, events } = runMemory('memory-sink', 'exactly-once', crashDriver(3_000));
    expect(failed).toEqual([]);
    const restart = events.findIndex((e) => e.kind === 'spark.start' && e.incarnation === 1);
    expect(restart).toBeGreaterThan(0);
    const after = events.slice(restart).filter((e) => e.kind === 'spark.memory.add');
    expect(after.length).toBeGreaterThan(0);
    // The new table starts empty: its first batch is all it holds.
    expect(after[0]!.tableRows).toBe(after[0]!.rows);
  });

  it('complete mode under heavy faults passes on fixed seeds, through driver restarts', () => {
    let restarts = 0;
    for (const seed of [1, 2]) {
      const { failed, events } = runMemory('memory-sink', 'exactly-once', undefined, { seed, faults: 'heavy' });
      expect(failed, `seed ${seed}`).toEqual([]);
      restarts += events.filter((e) => e.kind === 'spark.start' && (e.incarnation as number) > 0).length;
    }
    expect(restarts).toBeGreaterThan(0);
  });

  it('complete mode: a driver crash after the last batch leaves an empty table, and the judge says why', () => {
    const { failed } = runMemory('memory-sink', 'exactly-once', crashDriver(20_000));
    const memory = failed.find((c) => c.name === 'spark.memory-sink');
    expect(memory?.detail).toMatch(/ran no batch: after a driver restart a complete-mode table is recreated only by the next batch/);
    expect(failed.map((c) => c.name)).toContain('exactly-once');
  });

  it('append mode under at-least-once: passes without a driver crash; with one, the query refuses to recover and the table is lost', () => {
    expect(runMemory('memory-append', 'at-least-once').failed).toEqual([]);
    const { failed, events, output } = runMemory('memory-append', 'at-least-once', crashDriver(3_000));
    expect(events.some((e) => e.kind === 'spark.query.refused')).toBe(true);
    expect(events.filter((e) => e.kind === 'spark.batch' && e.t > 3_000)).toEqual([]);
    expect(output).toEqual([]);
    expect(failed.find((c) => c.name === 'spark.memory-sink')?.detail).toMatch(/refused to recover the append-mode query \("This query does not support recovering from checkpoint location/);
    expect(failed.find((c) => c.name === 'exactly-once')?.detail).toMatch(/lost/);
  });

  it('append mode: a driver that crashed before its first offsets entry is refused too, since its start made the offsets directory', () => {
    // The driver adds the offsets directory at its start, lists the logs (spark.restart at 20 ms)
    // and writes offsets/0 at 32 ms: a crash at 12 ms, while it lists, leaves the directory and no
    // entry. Spark's check is on the directory (StreamingQueryManager.createQuery), so the restarted
    // driver refuses all the same.
    const { events, output } = runMemory('memory-append', 'at-least-once', crashDriver(12));
    const crash = events.findIndex((e) => e.kind === 'proc.crash');
    expect(crash).toBeGreaterThan(0);
    expect(events.slice(0, crash).filter((e) => e.kind === 'spark.offsets' || e.kind === 'spark.restart')).toEqual([]);
    expect(events.slice(crash).some((e) => e.kind === 'spark.query.refused')).toBe(true);
    expect(events.filter((e) => e.kind === 'spark.batch')).toEqual([]);
    expect(output).toEqual([]);
    // Complete mode may recover: the same crash restarts the query, which runs its batches.
    const complete = runMemory('memory-sink', 'exactly-once', crashDriver(12));
    expect(complete.events.some((e) => e.kind === 'spark.query.refused')).toBe(false);
    expect(complete.events.filter((e) => e.kind === 'spark.batch').length).toBeGreaterThan(0);
  });

  it('a query without a stateful operator hands its rows to the driver: the table holds every kept record once', () => {
    const base = findScenario('memory-sink')!;
    const custom: Scenario = {
      ...base, name: 'memory-rows', window: undefined,
      engines: { spark: { build: (s) => s.readStream('input', { isolation: 'read_committed' }).where((r) => Number(r.id) % 2 === 0).writeStream().format('memory').queryName('rows').trigger({ processingTimeMs: 100 }) } },
    };
    const { failed, output, events } = runMemory('memory-rows', 'at-least-once', undefined, { custom });
    expect(failed).toEqual([]);
    const ids = (output as { id: number }[]).map((r) => r.id);
    expect(ids.length).toBe(300);
    expect(new Set(ids).size).toBe(300);
    expect(ids.every((id) => id % 2 === 0)).toBe(true);
    expect(events.filter((e) => e.kind === 'spark.reduce')).toEqual([]);
    // foreachBatch, the other sink on the driver, gets the map tasks' rows the same way.
    const viaForeach: Scenario = {
      ...custom, name: 'foreach-rows',
      engines: { spark: { build: (s) => s.readStream('input', { isolation: 'read_committed' }).where((r) => Number(r.id) % 2 === 0).writeStream().foreachBatch((df) => df.write.saveToTopic('output')).trigger({ processingTimeMs: 100 }) } },
    };
    const foreach = runMemory('foreach-rows', 'at-least-once', undefined, { custom: viaForeach });
    expect(foreach.failed).toEqual([]);
    expect((foreach.output as { id: number }[]).map((r) => r.id).sort((a, b) => a - b)).toEqual(ids.sort((a, b) => a - b));
  });
});

describe('the replay of a memory sink run', () => {
  it('tells the table\'s batches, its loss with the driver, and a refused recovery', async () => {
    const { replayOf } = await import('../../tui/helpers.ts');
    const { replaySummary } = await import('../../../src/tui/summary.ts');
    const { describeEvent } = await import('../../../src/tui/model/format.ts');
    const complete = await replayOf({ scenario: 'memory-sink', engine: 'spark', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], plan: crashDriver(3_000) });
    const crash = complete.index.events.findIndex((e) => e.kind === 'proc.crash' && e.p === 'driver');
    expect(complete.index.stateAt(crash - 1).spark!.memory!.rows).toBeGreaterThan(0);
    expect(complete.index.stateAt(crash).spark!.memory).toMatchObject({ name: 'counts', rows: 0, batch: -1 });
    const add = complete.index.events.find((e) => e.kind === 'spark.memory.add')!;
    expect(describeEvent(add)).toMatch(/^memory table counts replaced by batch 0: \d+ rows, \d+ in the table$/);
    expect(replaySummary(complete)).toMatch(/sink {9}memory table counts: \d+ rows, \d+ batches added, 0 skipped as held;/);
    const append = await replayOf({ scenario: 'memory-append', engine: 'spark', seed: 1, guarantee: 'at-least-once', faults: 'none', bugs: [], plan: crashDriver(3_000) });
    const refused = append.index.events.find((e) => e.kind === 'spark.query.refused')!;
    expect(describeEvent(refused)).toMatch(/^the append-mode query refuses to recover from its checkpoint \(its memory table died with the driver\): This query does not support/);
    expect(replaySummary(append)).toMatch(/memory table counts: 0 rows, \d+ batches added, 0 skipped as held; a restarted driver refused to recover the query/);
  });
});
