/**
 * Spark's file sink and foreachBatch.
 *
 * The `_spark_metadata` log follows FileStreamSinkLog and
 * CompactibleFileStreamLogSuite: one write-once file per batch, a
 * compaction `N.compact` every `compactInterval` batches listing every file
 * so far, a reader that needs the latest compaction and the batches after
 * it, and a reader that lists the whole directory when there is no log.
 *
 * On whole runs, a driver crash lands right after a batch's sink commit
 * (the metadata log entry, or foreachBatch's writes) and before its commit
 * entry, so the batch runs again with the same id:
 * - the file sink finds the batch in its log and skips it whole; with the
 *   planted bug `spark-file-sink-no-metadata` the batch's files are written
 *   again and a reader lists both copies (caught by exactly-once);
 * - the careful foreachBatch function (txnVersion = batchId) finds the
 *   version recorded and skips its write; the careless one writes the batch
 *   twice (caught by exactly-once).
 *
 * And the exactly-once Kafka sink, whose batch markers are per output
 * partition, is refused an output topic with fewer partitions than the
 * shuffle has.
 */
import { describe, expect, it } from 'vitest';
import { callForeachBatch, foreachBatchWrites, planProblem, spark, type DataStreamWriter, type Row } from '../../../src/engines/spark/dsl.ts';
import { deploySpark, SparkPlanError } from '../../../src/engines/spark/deployment.ts';
import { filesToRead, isCompactionBatch, latestBatch, logEntryText, logFileName, parseLogEntry, sinkFiles } from '../../../src/stream/file-sink-log.ts';
import { readFileSink } from '../../../src/check/file-sink.ts';
import { seal } from '../../../src/runtime/checksum.ts';
import { runScenario, type RunOptions } from '../../../src/explore/run.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import type { Guarantee } from '../../../src/stream/guarantee.ts';
import { etl } from '../../../scenarios/etl.ts';
import { bank } from '../../../scenarios/bank.ts';
import { TOPICS } from '../../../scenarios/types.ts';
import { partitionForKey } from '../../../src/stream/partition.ts';
import type { OutputRecord } from '../../../src/stream/records.ts';
import type { Scenario } from '../../../scenarios/index.ts';

describe('the _spark_metadata log (FileStreamSinkLog, CompactibleFileStreamLogSuite)', () => {
  it('with compactInterval 3, batches 2, 5, 8 are compactions', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].filter((b) => isCompactionBatch(b, 3))).toEqual([2, 5, 8]);
    expect(logFileName(5, 3)).toBe('5.compact');
    expect(logFileName(4, 3)).toBe('4');
    // The default interval is 10.
    expect(logFileName(9)).toBe('9.compact');
  });

  it('a reader needs the latest compaction and the batches after it', () => {
    expect(filesToRead(['0', '1', '2.compact', '3', '4', '5.compact', '6', '7'])).toEqual(['5.compact', '6', '7']);
    expect(filesToRead(['1', '0'])).toEqual(['0', '1']);
    expect(latestBatch(['0', '1', '2.compact', '3'])).toBe(3);
    expect(latestBatch([])).toBe(-1);
  });

  it('an entry lists its added files after the version line', () => {
    const text = logEntryText(['out/a.json', 'out/b.json']);
    expect(text.split('\n')[0]).toBe('v1');
    expect(parseLogEntry(text)).toEqual(['out/a.json', 'out/b.json']);
  });

  it('a reader sees the files the log lists; without a log, every data file of the directory', () => {
    const files = new Map<string, string>([
      ['out/part-0-a.json', JSON.stringify({ type: 'update', key: 'a' })],
      ['out/part-0-b.json', JSON.stringify({ type: 'update', key: 'b' })],
      ['out/part-1-c.json', JSON.stringify({ type: 'update', key: 'c' })],
    ]);
    const view = (m: Map<string, string>) => ({ list: (prefix: string) => [...m.keys()].filter((p) => p.startsWith(prefix)).sort(), read: (p: string) => m.get(p) });
    expect(sinkFiles(view(files), 'out')).toEqual({ files: ['out/part-0-a.json', 'out/part-0-b.json', 'out/part-1-c.json'], metadata: false });
    const logged = new Map([...files, ['out/_spark_metadata/0', logEntryText(['out/part-0-a.json'])], ['out/_spark_metadata/1', logEntryText(['out/part-1-c.json'])]]);
    expect(sinkFiles(view(logged), 'out')).toEqual({ files: ['out/part-0-a.json', 'out/part-1-c.json'], metadata: true });
    // The checker's reader: sealed files on a durable disk view, one record per line.
    const sealed = new Map([...logged].map(([k, v]) => [k, seal(v)]));
    expect(readFileSink({ list: (prefix) => [...sealed.keys()].filter((p) => p.startsWith(prefix)).sort(), read: (p) => sealed.get(p) }, 'out').map((r) => (r as { key: string }).key)).toEqual(['a', 'c']);
  });
});

describe('sinks in the query builder', () => {
  const counts = () => spark.readStream('in').withWatermark('ts', 10).groupBy({ kind: 'window', column: 'ts', sizeMs: 100, slideMs: 100 }, 'key').agg({ fn: 'count' });

  it('the file sink needs a path and supports append mode only', () => {
    expect(planProblem(counts().writeStream().format('json').option('path', 'out').plan)).toBeUndefined();
    expect(planProblem(counts().writeStream().format('json').plan)).toBe("'path' is not specified");
    expect(planProblem(counts().writeStream().format('json').option('path', 'out').outputMode('update').plan)).toBe('Data source json does not support Update output mode');
    expect(planProblem(counts().writeStream().format('json').option('path', 'out').outputMode('complete').plan)).toBe('Data source json does not support Complete output mode');
  });

  it('foreachBatch gets the batch id and rows; its writes are done in order, transactional when given txnAppId and txnVersion together', () => {
    const writes = callForeachBatch((df, id) => {
      expect(df.count()).toBe(2);
      df.write.saveToTopic('plain');
      df.write.option('txnAppId', 'app').option('txnVersion', id).saveToTopic('careful');
    }, [{ key: 'a' }, { key: 'b' }], 7);
    expect(writes).toEqual([
      { topic: 'plain', rows: [{ key: 'a' }, { key: 'b' }] },
      { topic: 'careful', rows: [{ key: 'a' }, { key: 'b' }], txn: { appId: 'app', version: 7 } },
    ]);
    expect(() => callForeachBatch((df) => df.write.option('txnVersion', 1).saveToTopic('t'), [], 0)).toThrow(/txnAppId and txnVersion must be given together/);
  });
});

/**
 * Runs `scenario` once without faults to find when the 4th event matching `at` happens, then again
 * with the driver crashing 1 ms after it (restarted 50 ms later).
 */
function crashRightAfter(scenario: string, at: (e: TraceEvent) => boolean, guarantee: Guarantee, bugs: string[] = [], custom?: Scenario, watch?: (e: TraceEvent) => void) {
  const base = { scenario, engine: 'spark' as const, seed: 3, guarantee, faults: 'none' as const, bugs: bugs as never[], events: 400 };
  let t: number | undefined;
  let n = 0;
  runScenario(base, { subscribers: [(e) => { if (at(e) && ++n === 4) t ??= e.t; }], ...(custom ? { scenario: custom } : {}) });
  expect(t, 'the anchor event never happened').toBeDefined();
  const seen: string[] = [];
  const opts: RunOptions = {
    subscribers: [(e) => {
      watch?.(e);
      if (e.kind === 'spark.restart' && e.rerun === true) seen.push('rerun');
      if (e.kind === 'spark.sink.skip') seen.push(`skip:${String(e.sink)}`);
    }],
    ...(custom ? { scenario: custom } : {}),
  };
  const r = runScenario({ ...base, plan: { faults: [{ kind: 'crash', atMs: t! + 1, process: 'driver', restartAfterMs: 50 }] } }, opts);
  return { r, seen, failed: r.checks.filter((c) => !c.ok) };
}

describe('a batch that runs again after its sink committed', () => {
  const fileCommit = (e: TraceEvent): boolean => e.kind === 'spark.file.commit';
  const foreachCommit = (e: TraceEvent): boolean => e.kind === 'txn.commit' && String(e.txnId).startsWith('foreachBatch-');
  const plainWrite = (e: TraceEvent): boolean => e.kind === 'log.append' && e.topic === 'output';

  it('file sink: the batch is in _spark_metadata, so the re-run skips it whole; the output is exactly-once', () => {
    const { seen, failed } = crashRightAfter('file-sink', fileCommit, 'exactly-once');
    expect(seen).toEqual(['rerun', 'skip:file']);
    expect(failed).toEqual([]);
  });

  it('file sink without its metadata log (planted bug): the re-run writes the batch\'s files again and a reader lists both', () => {
    // The bug writes no log, so the crash lands right after a part file is written (the other task writes its own).
    const { seen, failed } = crashRightAfter('file-sink', (e) => e.kind === 'spark.file.write', 'exactly-once', ['spark-file-sink-no-metadata']);
    expect(seen).toContain('rerun');
    expect(failed.map((c) => c.name)).toEqual(['exactly-once']);
    expect(failed[0]!.detail).toMatch(/twice/);
  });

  it('careful foreachBatch (txnVersion = batchId): the re-run finds the version recorded and skips its write, running no plan (Delta\'s WriteIntoDelta returns before it reads the lazy DataFrame)', () => {
    const events: TraceEvent[] = [];
    const { seen, failed } = crashRightAfter('foreach-batch', foreachCommit, 'exactly-once', [], undefined, (e) => events.push(e));
    expect(seen).toEqual(['rerun', 'skip:foreachBatch']);
    expect(failed).toEqual([]);
    const restart = events.findIndex((e) => e.kind === 'spark.restart' && e.rerun === true);
    const rerun = events.slice(restart).find((e) => e.kind === 'spark.batch')!;
    const skip = events.find((e) => e.kind === 'spark.sink.skip')!;
    expect(skip).toMatchObject({ batch: rerun.batch, sink: 'foreachBatch', planSkipped: true });
    // No task ran for the re-run batch, and its commit keeps the watermark its offsets entry had.
    const afterRestart = events.slice(restart);
    expect(afterRestart.filter((e) => (e.kind === 'spark.map' || e.kind === 'spark.reduce') && e.batch === rerun.batch)).toEqual([]);
    const commit = afterRestart.find((e) => e.kind === 'spark.commit' && e.batch === rerun.batch)!;
    expect(commit.nextWatermark).toBe(rerun.wmEvict);
  });

  it('foreachBatch\'s writes are known without the rows unless the function reads them', () => {
    expect(foreachBatchWrites((df, id) => df.withColumn('b', () => id).write.option('txnAppId', 'a').option('txnVersion', id).saveToTopic('t'), 4)).toEqual([{ topic: 't', txn: { appId: 'a', version: 4 } }]);
    expect(foreachBatchWrites((df) => df.write.saveToTopic('t'), 4)).toEqual([{ topic: 't' }]);
    expect(foreachBatchWrites((df, id) => {
      if (df.count() > 0) df.write.option('txnAppId', 'a').option('txnVersion', id).saveToTopic('t');
    }, 4)).toBeUndefined();
  });

  it('careless foreachBatch: the re-run writes the batch again, caught by exactly-once', () => {
    const { seen, failed } = crashRightAfter('foreach-batch', plainWrite, 'at-least-once');
    expect(seen).toEqual(['rerun']);
    expect(failed.map((c) => c.name)).toEqual(['exactly-once']);
    expect(failed[0]!.detail).toMatch(/twice/);
  });
});

describe('a query without a stateful operator, to the file sink', () => {
  // etl's query (a filter and a projection: one stage) to the file sink instead of its topic.
  const build = etl.engines.spark!.build;
  const ETL_FILES: Scenario = { ...etl, engines: { spark: { build: (s, sizes, opts) => (build(s, sizes, opts) as DataStreamWriter).format('json').option('path', 'out') } } };

  it('its map tasks write the part files, and the driver lists them in _spark_metadata, batch by batch', () => {
    const events: TraceEvent[] = [];
    const r = runScenario({ scenario: 'etl', engine: 'spark', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] }, { scenario: ETL_FILES, subscribers: [(e) => { if (e.kind.startsWith('spark.')) events.push(e); }] });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.map((c) => c.name)).toContain('etl.no-loss');
    const writes = events.filter((e) => e.kind === 'spark.file.write');
    expect(writes.length).toBeGreaterThan(10);
    expect(events.filter((e) => e.kind === 'spark.reduce')).toEqual([]);
    // Each batch's files are committed to the log once written: every write precedes its batch's commit entry.
    const committed = new Set(events.filter((e) => e.kind === 'spark.file.commit').map((e) => e.batch));
    for (const w of writes) expect(committed.has(w.batch), `batch ${String(w.batch)}`).toBe(true);
  });

  it('under heavy faults on several seeds, every kept record is in the files once', () => {
    for (const seed of [1, 2, 3]) {
      const r = runScenario({ scenario: 'etl', engine: 'spark', seed, guarantee: 'exactly-once', faults: 'heavy', bugs: [] }, { scenario: ETL_FILES });
      expect(r.checks.filter((c) => !c.ok), `seed ${seed}`).toEqual([]);
    }
  });

  it('a batch run again after its files were committed is skipped whole; without the metadata log (planted bug) its files are written again', () => {
    const ok = crashRightAfter('etl', (e) => e.kind === 'spark.file.commit', 'exactly-once', [], ETL_FILES);
    expect(ok.seen).toEqual(['rerun', 'skip:file']);
    expect(ok.failed).toEqual([]);
    const bug = crashRightAfter('etl', (e) => e.kind === 'spark.file.write', 'exactly-once', ['spark-file-sink-no-metadata'], ETL_FILES);
    expect(bug.seen).toContain('rerun');
    expect(bug.failed.map((c) => c.name)).toEqual(['etl.no-duplicates']);
  });
});

describe('the Kafka sink under at-least-once, after a stateful operator', () => {
  it('writes each row to its key\'s partition, as the producer\'s partitioner does, not to its task\'s', () => {
    // flatMapGroupsWithState whose rows carry another key than their group's: the shuffle places a row by
    // its group, Spark's Kafka writer by its own key.
    const rekeyed: Scenario = {
      ...bank,
      engines: {
        spark: {
          build: (s) => s.readStream(TOPICS.input)
            .groupByKey((r) => String(r.key))
            .flatMapGroupsWithState<number>('update', (k, rows) => rows.map((r) => ({ type: 'update', key: `${k}/out`, value: 1, id: r.id, ts: r.ts } as Row)))
            .writeStream(TOPICS.output).outputMode('update').trigger({ processingTimeMs: 100 }),
        },
      },
    };
    let out: OutputRecord[] = [];
    runScenario({ scenario: 'bank', engine: 'spark', seed: 1, guarantee: 'at-least-once', faults: 'none', bugs: [], events: 200 }, { scenario: rekeyed, onOutput: (o) => (out = o) });
    expect(out.length).toBeGreaterThan(100);
    // The committed output comes partition by partition (bank's output topic has 2): read in that order, each
    // row's key partition never goes down.
    const parts = out.map((r) => partitionForKey(String((r as { key?: unknown }).key), 2));
    expect(new Set(parts)).toEqual(new Set([0, 1]));
    expect(parts.every((p, i) => i === 0 || p >= parts[i - 1]!)).toBe(true);
  });
});

describe('the exactly-once Kafka sink across partitions', () => {
  it('refuses an output topic with fewer partitions than shuffle partitions (two tasks would share a batch marker)', () => {
    const added: string[] = [];
    const host = { addProcess: (id: string) => added.push(id), durableView: () => { throw new Error('unused'); }, deliver: () => {} };
    const job = (guarantee: 'exactly-once' | 'at-least-once', out: number) => ({
      build: { build: (s: typeof spark) => s.readStream('in').writeStream('out') },
      sizes: { events: 10, parallelism: 4, partitions: 4, keys: 4 },
      guarantee, topics: { in: 4, out }, brokerId: 'broker', bugs: [],
    });
    expect(() => deploySpark(host as never, job('exactly-once', 2) as never)).toThrow(SparkPlanError);
    expect(() => deploySpark(host as never, job('exactly-once', 2) as never)).toThrow(/at least as many partitions of 'out' \(2\) as shuffle partitions \(4\)/);
    expect(added).toEqual([]);
    expect(() => deploySpark(host as never, job('at-least-once', 2) as never)).not.toThrow();
    expect(() => deploySpark(host as never, job('exactly-once', 4) as never)).not.toThrow();
  });
});
