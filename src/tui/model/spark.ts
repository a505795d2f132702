/**
 * The replay state of a Spark Structured Streaming run, folded from its
 * trace: the driver and its current batch, recent batches with their offset
 * ranges and watermarks, the offset and commit logs, the executors and the
 * reduce tasks they ran, task retries, the sink's transactions and skips,
 * and rows dropped late.
 *
 * Where each value comes from (nothing is read from the engine's memory):
 * - `offsets/N` is written when the driver traces `spark.offsets` (it traces
 *   it once the write-once file is created) and `commits/N` at
 *   `spark.commit`; the logs are written in batch order, so each is shown as
 *   its highest N;
 * - a batch runs from `spark.batch` (its offset ranges per input partition,
 *   the late and eviction watermarks) until `spark.commit` (the next
 *   batch's watermark); a `spark.batch` for a batch that ran before is a
 *   re-run (after `spark.restart` with `rerun`);
 * - map tasks are not traced one by one: a batch's map tasks are its
 *   non-empty offset ranges, and which executor ran one is not in the
 *   trace. Reduce tasks are (`spark.reduce`, traced by the executor that
 *   runs it); `spark.task.retry` says the driver sent a task again;
 * - an executor is up from its `proc.start` (or its first reduce) until
 *   `proc.crash`, and up again at `proc.restart`;
 * - the sink: `txn.begin` / `txn.commit` / `txn.abort` of the sink's
 *   transactional ids (`spark-sink-N`), `spark.sink.skip` when a reduce
 *   task found its batch already written; `spark.late` for each row dropped
 *   by the late watermark.
 *
 * Recent batches only (at most RECENT_BATCHES), so copies stay cheap.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { num, numOr, str } from './fields.ts';

export const RECENT_BATCHES = 8;

export type SparkBatchStatus = 'planned' | 'running' | 'committed';
export type SparkDriverStatus = 'starting' | 'running' | 'crashed' | 'finished';

export interface SparkBatch {
  id: number;
  status: SparkBatchStatus;
  /** Times it ran (a re-run after a restart counts again). */
  runs: number;
  /** Offset ranges per input partition, `p:from-to`. */
  offsets: string[];
  wmLate: number | undefined;
  wmEvict: number | undefined;
  noData: boolean;
  /** Map tasks: its non-empty offset ranges. */
  maps: number;
  /** Reduce tasks traced in its latest run, by shuffle partition → executor. */
  reduces: Map<number, string>;
  retries: string[];
  late: number;
  skips: number;
  nextWatermark: number | undefined;
}

export interface SparkExecutor {
  name: string;
  up: boolean;
  /** Reduce tasks it ran in all. */
  reduces: number;
  /** Its last reduce task, `bN rP`. */
  last: string | undefined;
}

export interface SparkSinkTxn {
  txnId: string;
  epoch: number;
  n: number;
  status: 'open' | 'committed' | 'aborted';
}

export interface SparkState {
  driver: SparkDriverStatus;
  incarnation: number;
  restarts: number;
  lastRestart: { latestOffsets: number; latestCommit: number; rerun: boolean } | undefined;
  watermarkDelayMs: number | undefined;
  /** The global watermark: the last commit's next watermark (or the restart's). */
  watermark: number | undefined;
  /** The batch running or last run (-1: none yet). */
  batch: number;
  /** Highest batch ever run: a `spark.batch` at or below it is a re-run. */
  maxRun: number;
  batches: Map<number, SparkBatch>;
  offsetsLog: number;
  commitsLog: number;
  reruns: number;
  noDataBatches: number;
  executors: Map<string, SparkExecutor>;
  retries: number;
  sinkSkips: number;
  lastSkip: { batch: number; partition: number; committed: number } | undefined;
  lateRows: number;
  sinkTxns: Map<string, SparkSinkTxn>;
  sinkCommitted: number;
  sinkAborted: number;
  finished: boolean;
  /** Continuous processing: epochs instead of batches (the logs count epochs). */
  continuous: boolean;
  /** Continuous processing: runs that failed and started again. */
  failedRuns: number;
  /** The memory sink's table in the driver's memory (undefined: the query writes no memory sink). */
  memory: SparkMemoryTable | undefined;
}

/** The memory sink's table as the driver holds it: emptied by a driver crash, replaced (complete mode) or grown by each batch added. */
export interface SparkMemoryTable {
  name: string;
  /** Rows the table holds now. */
  rows: number;
  /** The newest batch in the table (-1: none). */
  batch: number;
  /** Batches added in all, over every driver incarnation. */
  added: number;
  /** Why a restarted driver refused to recover the query (append and update mode). */
  refused: string | undefined;
}

export function newSparkState(): SparkState {
  return {
    driver: 'starting', incarnation: 0, restarts: 0, lastRestart: undefined, watermarkDelayMs: undefined, watermark: undefined,
    batch: -1, maxRun: -1, batches: new Map(), offsetsLog: -1, commitsLog: -1, reruns: 0, noDataBatches: 0,
    executors: new Map(), retries: 0, sinkSkips: 0, lastSkip: undefined, lateRows: 0,
    sinkTxns: new Map(), sinkCommitted: 0, sinkAborted: 0, finished: false, continuous: false, failedRuns: 0, memory: undefined,
  };
}

export function cloneSparkState(s: SparkState): SparkState {
  const batches = new Map<number, SparkBatch>();
  for (const [k, b] of s.batches) batches.set(k, { ...b, offsets: [...b.offsets], reduces: new Map(b.reduces), retries: [...b.retries] });
  const executors = new Map<string, SparkExecutor>();
  for (const [k, x] of s.executors) executors.set(k, { ...x });
  const sinkTxns = new Map<string, SparkSinkTxn>();
  for (const [k, t] of s.sinkTxns) sinkTxns.set(k, { ...t });
  return {
    ...s,
    lastRestart: s.lastRestart ? { ...s.lastRestart } : undefined,
    lastSkip: s.lastSkip ? { ...s.lastSkip } : undefined,
    memory: s.memory ? { ...s.memory } : undefined,
    batches,
    executors,
    sinkTxns,
  };
}

const DRIVER = 'driver';
const SINK_PREFIX = 'spark-sink';

function batchOf(s: SparkState, id: number): SparkBatch {
  let b = s.batches.get(id);
  if (!b) {
    b = { id, status: 'planned', runs: 0, offsets: [], wmLate: undefined, wmEvict: undefined, noData: false, maps: 0, reduces: new Map(), retries: [], late: 0, skips: 0, nextWatermark: undefined };
    s.batches.set(id, b);
    while (s.batches.size > RECENT_BATCHES) s.batches.delete(s.batches.keys().next().value!);
  }
  return b;
}

function executorOf(s: SparkState, name: string): SparkExecutor {
  let x = s.executors.get(name);
  if (!x) s.executors.set(name, (x = { name, up: true, reduces: 0, last: undefined }));
  return x;
}

export function applySparkEvent(s: SparkState, e: TraceEvent): void {
  switch (e.kind) {
    case 'proc.start':
      if (e.p.startsWith('executor-')) executorOf(s, e.p).up = true;
      return;
    case 'proc.crash':
      if (e.p === DRIVER) s.driver = 'crashed';
      // The memory sink's table lived in the driver's memory.
      if (e.p === DRIVER && s.memory) s.memory = { ...s.memory, rows: 0, batch: -1 };
      else if (s.executors.has(e.p)) executorOf(s, e.p).up = false;
      return;
    case 'proc.restart':
      if (s.executors.has(e.p)) executorOf(s, e.p).up = true;
      return;
    case 'spark.start':
      s.driver = 'starting';
      s.incarnation = numOr(e, 'incarnation', s.incarnation);
      s.watermarkDelayMs = num(e, 'watermarkDelayMs') ?? s.watermarkDelayMs;
      if (typeof e.memoryTable === 'string') s.memory = { name: e.memoryTable, rows: 0, batch: -1, added: s.memory?.added ?? 0, refused: undefined };
      return;
    case 'spark.memory.add':
      if (s.memory) s.memory = { ...s.memory, rows: numOr(e, 'tableRows', s.memory.rows), batch: numOr(e, 'batch', s.memory.batch), added: s.memory.added + 1 };
      return;
    case 'spark.query.refused':
      s.driver = 'finished';
      s.finished = true;
      if (s.memory) s.memory = { ...s.memory, refused: str(e, 'reason') ?? '?' };
      return;
    case 'spark.query.fail':
      s.failedRuns++;
      return;
    case 'spark.restart': {
      const latestOffsets = numOr(e, 'latestOffsets', -1);
      if (e.continuous === true) s.continuous = true;
      s.driver = 'running';
      s.lastRestart = { latestOffsets, latestCommit: numOr(e, 'latestCommit', -1), rerun: e.rerun === true };
      if (latestOffsets >= 0) s.restarts++;
      const wm = num(e, 'watermark');
      if (wm !== undefined) s.watermark = wm;
      return;
    }
    case 'spark.offsets': {
      const id = num(e, 'batch');
      if (id === undefined) return;
      s.offsetsLog = Math.max(s.offsetsLog, id);
      const b = batchOf(s, id);
      b.noData = e.noData === true;
      if (b.noData) s.noDataBatches++;
      return;
    }
    case 'spark.batch': {
      const id = num(e, 'batch');
      if (id === undefined) return;
      const b = batchOf(s, id);
      if (id <= s.maxRun) s.reruns++;
      s.maxRun = Math.max(s.maxRun, id);
      s.batch = id;
      s.driver = 'running';
      b.status = 'running';
      b.runs++;
      b.offsets = Array.isArray(e.offsets) ? e.offsets.filter((x): x is string => typeof x === 'string') : [];
      b.maps = b.offsets.filter((r) => {
        const m = /^\d+:(\d+)-(\d+)$/.exec(r);
        return m !== null && Number(m[2]) > Number(m[1]);
      }).length;
      b.wmLate = num(e, 'wmLate');
      b.wmEvict = num(e, 'wmEvict');
      b.reduces = new Map();
      return;
    }
    case 'spark.reduce': {
      const id = num(e, 'batch');
      const x = executorOf(s, e.p);
      x.reduces++;
      x.last = `b${id ?? '?'} r${num(e, 'partition') ?? '?'}`;
      if (id !== undefined) batchOf(s, id).reduces.set(numOr(e, 'partition', 0), e.p);
      return;
    }
    case 'spark.task.retry': {
      s.retries++;
      const id = num(e, 'batch');
      if (id !== undefined) batchOf(s, id).retries.push(`${(str(e, 'task') ?? '?').replace(/^spark\./, '')}×${num(e, 'attempt') ?? '?'}`);
      return;
    }
    case 'spark.late': {
      s.lateRows++;
      const id = num(e, 'batch');
      if (id !== undefined) batchOf(s, id).late++;
      return;
    }
    case 'spark.sink.skip': {
      s.sinkSkips++;
      const id = num(e, 'batch');
      if (id !== undefined) {
        batchOf(s, id).skips++;
        s.lastSkip = { batch: id, partition: numOr(e, 'partition', 0), committed: numOr(e, 'committed', -1) };
      }
      return;
    }
    case 'spark.commit': {
      const id = num(e, 'batch');
      if (id === undefined) return;
      s.commitsLog = Math.max(s.commitsLog, id);
      const b = batchOf(s, id);
      b.status = 'committed';
      b.nextWatermark = num(e, 'nextWatermark');
      if (b.nextWatermark !== undefined) s.watermark = b.nextWatermark;
      return;
    }
    case 'spark.finished':
      s.finished = true;
      s.driver = 'finished';
      return;
    case 'txn.begin':
    case 'txn.commit':
    case 'txn.abort': {
      const id = str(e, 'txnId');
      if (id === undefined || !id.startsWith(SINK_PREFIX)) return;
      if (e.kind === 'txn.begin') {
        s.sinkTxns.set(id, { txnId: id, epoch: numOr(e, 'epoch', 0), n: numOr(e, 'n', 0), status: 'open' });
        return;
      }
      const t = s.sinkTxns.get(id);
      if (!t || t.status !== 'open') return;
      t.status = e.kind === 'txn.commit' ? 'committed' : 'aborted';
      if (t.status === 'committed') s.sinkCommitted++;
      else s.sinkAborted++;
      return;
    }
  }
}
