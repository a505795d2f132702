/**
 * The Spark driver: MicroBatchExecution (parts S2–S4, S10) as a simulated
 * process.
 *
 * Each trigger it constructs the next batch: the end offsets of every input
 * partition, the batch watermark (the tracker's current value: max event
 * time seen by earlier batches minus the delay, never this batch's own) and
 * the batch timestamp. A batch runs when there is new data, or — a no-data
 * batch — when the watermark moved past what the last batch evicted with
 * (for an operator that evicts by it, or times group states out by event
 * time), or at every trigger under processing-time group-state timeouts.
 * `offsets/N` is written (write-once) before the batch runs; map tasks read
 * each partition's `[start, end)`, reduce tasks update state version N → N+1
 * and write the sink; then the tracker takes the batch's max event time and
 * `commits/N` is written with the next watermark.
 *
 * A restart reads the two logs (`populateStartOffsets`): with no offsets,
 * batch 0 at watermark 0; with `commits/N` for the latest `offsets/N`, batch
 * N+1 from N's end offsets; otherwise batch N runs again with exactly its
 * logged offsets, watermark and timestamp.
 *
 * Tasks go to the executors round-robin; a task without an answer is sent to
 * the next executor (Spark's task retry). The map output travels back
 * through the driver to the reduce tasks (a simplification of Spark's
 * shuffle service, which keeps it on the executors).
 *
 * The watermark tracker (S4.1): after each batch, every watermark operator
 * that saw rows takes max event time − its delay when that is higher than
 * its value; an operator without a value counts as 0; the global watermark
 * is the min (or, with the max policy, the max) over the operators and never
 * goes back. Only the global watermark survives a restart (from the logs);
 * the operators' values start again from nothing.
 *
 * The memory sink (memory-sink.ts) is the driver's own: each batch's rows
 * come back with the tasks' replies and are added to the table in the
 * driver's memory before `commits/N`. A driver restart starts an empty
 * table; in append and update mode the restarted query refuses to recover
 * from its checkpoint, as Spark's DataStreamWriter does, and never runs.
 *
 * Triggers (S10): ProcessingTime (the next batch at the next multiple of the
 * interval; the query ends, `spark.finished`, once every input partition is
 * sealed and read and no batch, not even a no-data batch, is left to run —
 * under processing-time timeouts, once no group state holds a timeout, as
 * the reduce tasks report);
 * Once (exactly one batch — the re-run of an uncommitted batch if there is
 * one — with no trailing no-data batch, then the query ends); AvailableNow
 * (the end offsets at start are the target; batches, no-data batches
 * included, run up to them until none can be constructed, then the query
 * ends).
 */
import { LogClient } from '../../log/client.ts';
import { RequestClient } from '../../runtime/request-client.ts';
import { concatAll, flatMapped } from '../../runtime/arrays.ts';
import type { ProcessContext, ProcessFactory, ProcessId, ProcessLogic } from '../../runtime/types.ts';
import type { SparkApp } from './executor.ts';
import { callForeachBatch, continuousInterval, foreachBatchWrites, type BatchWriteTarget, joinWatermarkSides, processingInterval, sinkCannotRecover, watermarkOps, watermarkOverPart, type BatchWrite, type Row } from './dsl.ts';
import { isTaskReply, type MapDone, type ReduceDone, type ShuffleRow, type TaskReply } from './messages.ts';
import { filesToRead, isCompactionBatch, latestBatch, logEntryText, logFileName, metadataDir, parseLogEntry, parseLogName } from '../../stream/file-sink-log.ts';
import { IdempotentProducer, markedTransaction, markedVersion, plainWrites, rowsByPartition } from './sink-txn.ts';
import { OFFSETS_DIR, StoreClient } from './store.ts';
import { ContinuousCoordinator } from './continuous.ts';
import type { ContinuousReport } from './messages.ts';
import { MemorySink } from './memory-sink.ts';

interface OffsetEntry {
  /** End offset per input partition (next to read). */
  end: number[];
  batchWatermarkMs: number;
  batchTimestampMs: number;
}

interface CommitEntry {
  nextBatchWatermarkMs: number;
}

export interface DriverSettings {
  executors: string[];
  inputPartitions: number;
  /** How long a task may go unanswered before it is sent to another executor. */
  taskTimeoutMs: number;
  /** When the query starts (virtual ms; a query run once on the data already there starts after it arrived). */
  startAtMs?: number;
}

export function driverProcess(app: SparkApp, settings: DriverSettings): ProcessFactory {
  return (ctx) => new Driver(ctx, app, settings);
}

const num = (path: string): number => Number(path.slice(path.lastIndexOf('/') + 1));
/** `spark.sql.streaming.pollingDelay`: the sleep after a trigger that constructed no batch. */
const POLLING_DELAY_MS = 10;

class Driver implements ProcessLogic {
  private readonly store: StoreClient;
  private readonly log: LogClient;
  private readonly execs: RequestClient<TaskReply>[];
  private batchId = 0;
  private start: number[];
  /** The global watermark (the tracker's current value). */
  private watermark = 0;
  /** The watermark batch N−1 ran with (the late filter of batch N). */
  private prevBatchWatermark = 0;
  /**
   * Whether this driver has run a batch (Spark's previous execution context). A driver that restarted
   * after a committed batch has none, so only new data starts its next batch: the watermark it read
   * back from the logs runs no no-data batch until a batch has run (`MicroBatchExecution.constructNextBatch`).
   */
  private ranBatch = false;
  /** A batch whose offsets are logged but which has not run yet (a restart re-runs it). */
  private pending: OffsetEntry | undefined;
  private busy = false;
  private finished = false;
  /** Each watermark operator's value in this incarnation (undefined: none yet). */
  private readonly opWatermarks: (number | undefined)[];
  /** Trigger.AvailableNow: the end offsets fixed at start. */
  private target: number[] | undefined;
  /** minOffsetsPerTrigger: when the last trigger that read was (the Kafka source's lastTriggerMillis); unset at start. */
  private lastTriggerMs: number | undefined;
  /** (flat)MapGroupsWithState: group states holding a timeout after the last batch (unknown after a restart until a batch ran). */
  private pendingTimeouts: number | undefined;
  /** Trigger.Continuous: the epoch coordinator (continuous.ts) runs the query instead of batches. */
  private readonly continuous: ContinuousCoordinator | undefined;
  /** foreachBatch's plain writes go through the driver's producer (a new id at every start). */
  private readonly producer: IdempotentProducer;
  /** The memory sink's table: this incarnation's, empty at start (memory-sink.ts). */
  private readonly memory: MemorySink | undefined;

  constructor(private readonly ctx: ProcessContext, private readonly app: SparkApp, private readonly s: DriverSettings) {
    this.producer = new IdempotentProducer(`${ctx.id}#${ctx.incarnation}`);
    this.store = new StoreClient(ctx, app.storeId);
    this.log = new LogClient(ctx, app.brokerId);
    this.execs = s.executors.map((e) => new RequestClient<TaskReply>(ctx, e, isTaskReply, { requestTimeoutMs: s.taskTimeoutMs, maxRetries: 0 }));
    this.start = Array.from({ length: s.inputPartitions }, () => 0);
    const ops = watermarkOps(app.plan);
    const st = app.plan.stateful;
    this.opWatermarks = ops.map(() => undefined);
    ctx.trace.emit('spark.start', {
      incarnation: ctx.incarnation,
      outputMode: app.plan.sink.mode,
      ...(app.plan.watermark ? { watermarkDelayMs: app.plan.watermark.delayMs } : {}),
      ...(ops.length > 1 ? { watermarkOperators: ops.length, watermarkPolicy: app.plan.multipleWatermarkPolicy } : {}),
      // Traced only for a query whose watermark does not see the input as it is read (say so, for the judges).
      ...(watermarkOverPart(app.plan) ? { watermarkOverPart: true } : {}),
      ...(st?.kind === 'join' ? { joinType: st.joinType, joinLowerMs: st.lowerMs, joinUpperMs: st.upperMs } : {}),
      ...(app.plan.sink.format === 'memory' ? { memoryTable: app.plan.sink.queryName ?? '' } : {}),
    });
    if (app.plan.sink.format === 'memory') {
      this.memory = new MemorySink(app.plan.sink.queryName ?? '', { appendInComplete: app.bugs.has('spark-memory-sink-appends-complete') });
      app.memoryTables?.register(ctx.incarnation, this.memory);
    }
    const continuousMs = continuousInterval(app.plan.sink.trigger);
    if (continuousMs !== undefined) {
      this.continuous = new ContinuousCoordinator({
        ctx, app, store: this.store, execs: this.execs, executorIds: s.executors, inputPartitions: s.inputPartitions, continuousMs,
        stallMs: Math.max(s.taskTimeoutMs, 3 * continuousMs),
        onFinished: () => this.terminate(),
      });
    }
    const begin = (): void => (this.continuous ? this.continuous.start() : this.populateStartOffsets());
    const wait = (s.startAtMs ?? 0) - ctx.clock.now();
    if (wait > 0) ctx.timers.after(wait, begin);
    else begin();
  }

  onMessage(from: ProcessId, msg: unknown): void {
    if (this.store.handle(from, msg) || this.log.handle(from, msg)) return;
    for (const e of this.execs) if (e.handle(from, msg)) return;
    if (this.continuous && (msg as { kind?: unknown } | null)?.kind === 'spark.cont.report') this.continuous.onReport(from, msg as ContinuousReport);
  }

  // ---- restart --------------------------------------------------------------------------------

  /**
   * `StreamingQueryManager.createQuery`, then the query's construction: a query that may not
   * recover refuses when the checkpoint's `offsets` directory exists; the offset log
   * (`HDFSMetadataLog`) makes that directory when the query is constructed, before its first
   * entry. One write-once add of the directory does both here.
   */
  private populateStartOffsets(): void {
    this.store.add(OFFSETS_DIR, '', false, (created) => {
      if (!created && sinkCannotRecover(this.app.plan.sink)) return this.refuseRecovery();
      this.readLogs();
    });
  }

  /** `populateStartOffsets`: the latest offsets and commit entries say where to start. */
  private readLogs(): void {
    this.store.list('offsets/', (offsets) => {
      this.store.list('commits/', (commits) => {
        const n = offsets.length === 0 ? -1 : Math.max(...offsets.map(num));
        const c = commits.length === 0 ? -1 : Math.max(...commits.map(num));
        if (n < 0) {
          this.ctx.trace.emit('spark.restart', { latestOffsets: -1, latestCommit: c, rerun: false });
          return this.scheduleTrigger(0);
        }
        this.readOffsets(n, (last) => {
          const prev = (then: (e: OffsetEntry | undefined) => void): void => (n === 0 ? then(undefined) : this.readOffsets(n - 1, then));
          prev((before) => {
            this.prevBatchWatermark = before?.batchWatermarkMs ?? 0;
            this.watermark = last.batchWatermarkMs;
            if (c === n) {
              this.store.get(`commits/${n}`, (content) => {
                const commit = JSON.parse(content!) as CommitEntry;
                this.batchId = n + 1;
                this.start = [...last.end];
                this.prevBatchWatermark = last.batchWatermarkMs;
                this.watermark = Math.max(this.watermark, commit.nextBatchWatermarkMs);
                this.ctx.trace.emit('spark.restart', { latestOffsets: n, latestCommit: c, rerun: false, watermark: this.watermark });
                this.scheduleTrigger(0);
              });
            } else {
              // Re-run batch n exactly as logged: same offsets, watermark and timestamp.
              this.batchId = n;
              this.start = before ? [...before.end] : this.start;
              this.pending = last;
              this.ctx.trace.emit('spark.restart', { latestOffsets: n, latestCommit: c, rerun: true, watermark: this.watermark });
              this.scheduleTrigger(0);
            }
          });
        });
      });
    });
  }

  /**
   * DataStreamWriter.start of a memory sink in append or update mode: the query may not recover
   * from a checkpoint (its offsets directory exists, made by any earlier start), since the rows the
   * table held are gone with the driver that crashed. Spark throws an AnalysisException; the query
   * never starts.
   */
  private refuseRecovery(): void {
    this.finished = true;
    this.ctx.trace.emit('spark.query.refused', {
      outputMode: this.app.plan.sink.mode,
      reason: `This query does not support recovering from checkpoint location. Delete ${OFFSETS_DIR} to start over.`,
    });
  }

  private readOffsets(n: number, cb: (e: OffsetEntry) => void): void {
    this.store.get(`offsets/${n}`, (content) => cb(JSON.parse(content!) as OffsetEntry));
  }

  // ---- the trigger and the batch -----------------------------------------------------------

  private triggerMs(): number {
    return processingInterval(this.app.plan.sink.trigger);
  }

  private scheduleTrigger(delayMs: number): void {
    if (this.finished) return;
    this.ctx.timers.after(delayMs, () => this.executeOneBatch());
  }

  /** The query ends (Once after its batch, AvailableNow when nothing more can be constructed). */
  private terminate(): void {
    this.finished = true;
    this.ctx.trace.emit('spark.finished', this.continuous ? { continuous: true } : { batches: this.batchId });
  }

  /**
   * ProcessingTime: the next batch starts at the next multiple of the interval after the one this
   * started at, at once when behind (`ProcessingTimeExecutor`). A trigger that constructed no batch
   * first sleeps `pollingDelayMs` (`MicroBatchExecution.executeOneBatch`), so the next starts at
   * least that long after it.
   */
  private nextDelay(startedAt: number, constructed: boolean): number {
    const interval = this.triggerMs();
    const polling = constructed ? 0 : POLLING_DELAY_MS;
    if (interval === 0) return polling;
    const next = Math.floor(startedAt / interval) * interval + interval;
    return Math.max(polling, next - this.ctx.clock.now());
  }

  private executeOneBatch(): void {
    if (this.busy || this.finished) return;
    this.busy = true;
    const startedAt = this.ctx.clock.now();
    const trigger = this.app.plan.sink.trigger;
    const after = (constructed: boolean): void => {
      this.busy = false;
      if (trigger === 'availableNow' && !constructed) return this.terminate();
      // Trigger.Once ends after its one trigger, which sleeps first if it constructed nothing.
      if (trigger === 'once') {
        if (constructed) return this.terminate();
        this.ctx.timers.after(POLLING_DELAY_MS, () => this.terminate());
        return;
      }
      this.scheduleTrigger(this.nextDelay(startedAt, constructed));
    };
    if (this.pending) {
      const entry = this.pending;
      this.pending = undefined;
      return this.runBatch(entry, () => after(true), true);
    }
    this.constructNextBatch((entry) => {
      if (entry === undefined) return after(false);
      this.runBatch(entry, () => after(true));
    });
  }

  private constructNextBatch(cb: (e: OffsetEntry | undefined) => void): void {
    this.log.endOffsets(this.app.plan.source.topic, (r) => {
      if (!r.ok) {
        // Once and AvailableNow end when a batch finds nothing to read, so an unanswered request
        // is asked again (Kafka's offset reader retries, then fails the query), not taken for "nothing".
        const trigger = this.app.plan.sink.trigger;
        if (trigger === 'once' || trigger === 'availableNow') return this.ctx.timers.after(50, () => this.constructNextBatch(cb));
        return cb(undefined);
      }
      // Trigger.AvailableNow: the source's first `latestOffset` fixes how far this run goes
      // (KafkaMicroBatchStream fetches its target then, not when the query starts, so a batch run
      // again after a restart comes first and what arrived meanwhile is in the run).
      if (this.app.plan.sink.trigger === 'availableNow' && this.target === undefined) {
        this.target = r.offsets.map((o, p) => Math.max(o, this.start[p] ?? 0));
        this.ctx.trace.emit('spark.availableNow', { target: this.target.join(',') });
      }
      const target = this.target;
      const latest = r.offsets.map((o, p) => Math.max(target ? Math.min(o, target[p] ?? o) : o, this.start[p] ?? 0));
      const end = this.readLimited(latest);
      const newData = end.some((e, p) => e > this.start[p]!);
      // shouldRunAnotherBatch of the last batch this driver ran: the watermark moved past what it evicted with, or
      // (ProcessingTimeTimeout) always, to find the group states whose timeout expired.
      const anotherBatch = this.ranBatch && ((this.usesEvictionWatermark() && this.watermark > this.prevBatchWatermark) || this.processingTimeouts());
      const construct = (): void => {
        const entry: OffsetEntry = { end, batchWatermarkMs: this.watermark, batchTimestampMs: this.ctx.clock.now() };
        this.store.add(`offsets/${this.batchId}`, JSON.stringify(entry), false, (created) => {
          // Write-once: another writer (a zombie driver) got there first; read what it logged.
          if (!created) return this.readOffsets(this.batchId, (logged) => cb(logged));
          this.ctx.trace.emit('spark.offsets', { batch: this.batchId, watermark: entry.batchWatermarkMs, noData: !newData });
          cb(entry);
        });
      };
      if (newData) return construct();
      const processingTime = typeof this.app.plan.sink.trigger === 'object' && 'processingTimeMs' in this.app.plan.sink.trigger;
      // A query whose only reason for another batch is processing-time timeouts, with no group
      // holding one, has nothing left to do once its input is over (weir ends it; Spark runs on).
      const idleTimeouts = this.processingTimeouts() && this.pendingTimeouts === 0 && !(this.usesEvictionWatermark() && this.watermark > this.prevBatchWatermark);
      if (!anotherBatch || idleTimeouts) {
        // Once and AvailableNow end when nothing can be constructed; ProcessingTime when the input is over.
        if (!processingTime) return cb(undefined);
        return this.maybeFinish(() => (anotherBatch ? construct() : cb(undefined)));
      }
      construct();
    }, this.app.plan.source.isolation);
  }

  /**
   * `KafkaMicroBatchStream.latestOffset(start, limit)`: Trigger.Once reads all that is available; the
   * others keep to the source's read limits. With `minOffsetsPerTrigger`, a trigger with fewer new
   * offsets reads nothing (its end is its start) until `maxTriggerDelay` has passed since the last
   * trigger that read (`delayBatch`); else `maxOffsetsPerTrigger` caps it (`rateLimit`).
   */
  private readLimited(latest: number[]): number[] {
    const src = this.app.plan.source;
    if (this.app.plan.sink.trigger === 'once') return latest;
    if (src.minOffsetsPerTrigger !== undefined) {
      let available = 0;
      for (let p = 0; p < latest.length; p++) available += latest[p]! - (this.start[p] ?? 0);
      if (this.delayBatch(src.minOffsetsPerTrigger, src.maxTriggerDelayMs!, available)) {
        this.ctx.trace.emit('spark.delay', { available, min: src.minOffsetsPerTrigger });
        return this.start.slice();
      }
    }
    return src.maxOffsetsPerTrigger !== undefined ? rateLimit(src.maxOffsetsPerTrigger, this.start, latest) : latest;
  }

  /**
   * `delayBatch`: whether this trigger waits for more offsets. Spark keeps the time of the last trigger
   * that read in the stream object, starting at 0 on a wall clock, so a query's (and a restarted
   * driver's) first trigger always reads; here `lastTriggerMs` starts unset to the same effect.
   */
  private delayBatch(min: number, maxDelayMs: number, available: number): boolean {
    const now = this.ctx.clock.now();
    if (this.lastTriggerMs === undefined || now - this.lastTriggerMs >= maxDelayMs) {
      this.lastTriggerMs = now;
      return false;
    }
    if (available < min) return true;
    this.lastTriggerMs = now;
    return false;
  }

  /** (flat)MapGroupsWithState with ProcessingTimeTimeout: Spark runs a batch every trigger to time out groups. */
  private processingTimeouts(): boolean {
    const st = this.app.plan.stateful;
    return st?.kind === 'groups' && st.timeout === 'ProcessingTimeTimeout';
  }

  /** Whether the stateful operator evicts by watermark, so that a watermark advance alone is worth a batch (shouldRunAnotherBatch). */
  private usesEvictionWatermark(): boolean {
    const st = this.app.plan.stateful;
    if (!st || !this.app.plan.watermark) return false;
    switch (st.kind) {
      case 'aggregate':
        // StateStoreSaveExec.shouldRunAnotherBatch: append or update mode and a newer watermark, whatever
        // column the watermark is on (the operator's eviction watermark is defined whenever the query has
        // one); a batch for a watermark on another column than the window's evicts and emits nothing.
        return this.app.plan.sink.mode !== 'complete';
      case 'dedup':
        return true;
      case 'join': {
        // shouldRunAnotherBatch: when either side has a state watermark (see operators.ts).
        const { evicts } = joinWatermarkSides(this.app.plan);
        return evicts[0] || evicts[1];
      }
      case 'groups':
        // Event-time timeouts fire when the watermark passes them; otherwise nothing happens without data.
        return st.timeout === 'EventTimeTimeout';
    }
  }

  /** Ends the query once every input partition is sealed and read. */
  private maybeFinish(then: () => void): void {
    const topic = this.app.plan.source.topic;
    let left = this.start.length;
    let sealed = true;
    for (let p = 0; p < this.start.length; p++) {
      this.log.fetch(topic, p, this.start[p]!, 1, this.app.plan.source.isolation, (r) => {
        if (!r.ok || r.records.length > 0 || !r.endOfPartition) sealed = false;
        if (--left > 0) return;
        if (sealed) return this.terminate();
        then();
      });
    }
  }

  /** `rerun`: the batch the last incarnation logged in `offsets/N` and did not commit. */
  private runBatch(entry: OffsetEntry, done: () => void, rerun = false): void {
    const batch = this.batchId;
    const wmLate = this.prevBatchWatermark;
    const wmEvict = entry.batchWatermarkMs;
    this.ranBatch = true;
    this.ctx.trace.emit('spark.batch', {
      batch, wmLate, wmEvict, timestampMs: entry.batchTimestampMs,
      offsets: entry.end.map((e, p) => `${p}:${this.start[p]}-${e}`),
    });
    const commit = (next: number, timeouts: number | undefined): void => {
      if (timeouts !== undefined) this.pendingTimeouts = timeouts;
      this.watermark = next;
      this.store.add(`commits/${batch}`, JSON.stringify({ nextBatchWatermarkMs: next } satisfies CommitEntry), false, () => {
        this.ctx.trace.emit('spark.commit', { batch, nextWatermark: next });
        this.start = [...entry.end];
        this.prevBatchWatermark = wmEvict;
        this.batchId = batch + 1;
        done();
      });
    };
    const sink = this.app.plan.sink;
    if (sink.format === 'foreachBatch' && rerun) {
      // The function's DataFrame is lazy, and Delta's write (`WriteIntoDelta.run`) returns before
      // it reads the data when its txnAppId already has the txnVersion: a re-run whose every write
      // was committed by the incarnation before runs no plan, so its rows move no watermark.
      return this.writesCommitted(foreachBatchWrites(sink.fn!, batch), (committed) => {
        if (committed === undefined) return this.executeBatch(batch, entry, wmLate, wmEvict, commit);
        for (const c of committed) this.ctx.trace.emit('spark.sink.skip', { batch, sink: 'foreachBatch', committed: c, planSkipped: true });
        commit(this.watermark, undefined);
      });
    }
    if (sink.format !== 'json' || this.app.bugs.has('spark-file-sink-no-metadata')) return this.executeBatch(batch, entry, wmLate, wmEvict, commit);
    // FileStreamSink.addBatch: a batch the metadata log already has is skipped whole. Its plan does
    // not run, so its rows move no watermark: the tracker keeps its value.
    this.store.list(metadataDir(sink.path!), (paths) => {
      const latest = latestBatch(paths.map((p) => p.slice(p.lastIndexOf('/') + 1)));
      if (batch > latest) return this.executeBatch(batch, entry, wmLate, wmEvict, commit);
      this.ctx.trace.emit('spark.sink.skip', { batch, sink: 'file', committed: latest });
      commit(this.watermark, undefined);
    });
  }

  /** The batch's tasks (maps, then the stateful reduce tasks that write the sink), then the sink's commit; `commit` follows. */
  private executeBatch(batch: number, entry: OffsetEntry, wmLate: number, wmEvict: number, commit: (next: number, timeouts: number | undefined) => void): void {
    const maps: { partition: number; start: number; end: number }[] = [];
    for (let p = 0; p < entry.end.length; p++) if (entry.end[p]! > this.start[p]!) maps.push({ partition: p, start: this.start[p]!, end: entry.end[p]! });
    const results: MapDone[] = new Array(maps.length);
    let left = maps.length;
    const reduceAll = (): void => {
      const next = this.trackWatermark(results);
      // The planted bug: the batch's own data already moves the watermark its late rows are judged by.
      const lateWm = this.app.bugs.has('spark-watermark-from-own-batch') ? Math.max(wmLate, next) : wmLate;
      const reducers = this.app.plan.stateful ? this.app.shufflePartitions : 0;
      let reducing = reducers;
      let timeouts = 0;
      const replies: ReduceDone[] = new Array(reducers);
      const early = this.app.bugs.has('spark-commit-before-sink');
      const finish = (): void => this.sinkCommit(batch, replies, results, () => commit(next, timeouts));
      if (reducers === 0) return finish();
      // The planted bug: the batch counts as committed before its sink wrote anything.
      if (early) commit(next, undefined);
      for (let r = 0; r < reducers; r++) {
        const rows: ShuffleRow[] = flatMapped(results, (m) => m.shuffle[r] ?? []);
        this.runTask(r, { kind: 'spark.reduce', batch, partition: r, wmLate: lateWm, wmEvict, timestampMs: entry.batchTimestampMs, rows }, (reply) => {
          if (reply.kind === 'spark.reduced') {
            timeouts += reply.timeouts ?? 0;
            replies[r] = reply;
          }
          if (--reducing > 0) return;
          if (early) this.sinkCommit(batch, replies, results, () => {});
          else finish();
        });
      }
    };
    if (left === 0) return reduceAll();
    maps.forEach((m, i) => {
      this.runTask(i, { kind: 'spark.map', batch, ...m }, (reply) => {
        results[i] = reply as MapDone;
        if (--left === 0) reduceAll();
      });
    });
  }

  /**
   * The sink's driver side once every task has answered: the file sink adds the files of the
   * accepted task attempts to `_spark_metadata` (ManifestFileCommitProtocol.commitJob);
   * foreachBatch calls the function with the batch's rows and does the writes it asked for; the
   * memory sink adds the rows to its table (MemoryStreamingWrite.commit), unless it has the batch.
   * The rows come from the reduce tasks, or from the map tasks of a query without a stateful operator.
   */
  private sinkCommit(batch: number, replies: readonly ReduceDone[], maps: readonly MapDone[], then: () => void): void {
    const sink = this.app.plan.sink;
    const batchRows = (): Row[] => concatAll([flatMapped(maps, (m) => (m?.rows ?? []) as Row[]), flatMapped(replies, (r) => (r?.rows ?? []) as Row[])]);
    switch (sink.format) {
      case 'kafka':
        return then();
      case 'json': {
        const files = concatAll([flatMapped(maps, (m) => m?.files ?? []), flatMapped(replies, (r) => r?.files ?? [])]);
        // The planted bug: the part files are written, but no metadata log says which of them are valid.
        if (this.app.bugs.has('spark-file-sink-no-metadata')) return then();
        return this.addFileLog(batch, files, then);
      }
      case 'memory': {
        const rows = batchRows();
        const complete = sink.mode === 'complete';
        const w = this.memory!.write(batch, complete, rows);
        if (w.added) this.ctx.trace.emit('spark.memory.add', { batch, table: sink.queryName ?? '', rows: rows.length, tableRows: w.tableRows, truncated: complete });
        else this.ctx.trace.emit('spark.sink.skip', { batch, sink: 'memory', committed: w.latest });
        return then();
      }
      case 'foreachBatch': {
        const rows = batchRows();
        const writes = callForeachBatch(sink.fn!, rows, batch);
        this.ctx.trace.emit('spark.foreachBatch', { batch, rows: rows.length, writes: writes.length, transactional: writes.filter((w) => w.txn).length });
        const next = (i: number): void => (i >= writes.length ? then() : this.batchWrite(batch, writes[i]!, () => next(i + 1)));
        return next(0);
      }
    }
  }

  /** FileStreamSinkLog.add: write-once `_spark_metadata/N` (or `N.compact`, listing every file so far). */
  private addFileLog(batch: number, files: string[], then: () => void): void {
    const dir = metadataDir(this.app.plan.sink.path!);
    const write = (all: string[]): void => {
      this.store.add(dir + logFileName(batch), logEntryText(all), false, (created) => {
        // Not created: another writer logged this batch first (Spark fails with "Race while writing batch").
        this.ctx.trace.emit('spark.file.commit', { batch, files: files.length, compact: isCompactionBatch(batch), created });
        then();
      });
    };
    if (!isCompactionBatch(batch)) return write(files);
    this.store.list(dir, (paths) => {
      const names = filesToRead(paths.map((p) => p.slice(dir.length)).filter((n) => (parseLogName(n)?.batch ?? Infinity) < batch));
      const all: string[] = [];
      const read = (i: number): void => {
        if (i >= names.length) return write([...all, ...files.filter((f) => !all.includes(f))]);
        this.store.get(dir + names[i]!, (text) => {
          for (const f of parseLogEntry(text ?? 'v1')) if (!all.includes(f)) all.push(f);
          read(i + 1);
        });
      };
      read(0);
    });
  }

  /**
   * One write foreachBatch asked for. Plain: each output partition's rows produced as they are (a
   * re-run writes them again). With txnAppId/txnVersion: one transaction of `foreachBatch-<app>`
   * holding every partition's rows and the version (an offset of the group `foreachBatch-<app>`),
   * skipped when the group already holds that version; re-initialising the transactional id
   * fences an older attempt.
   */
  private batchWrite(batch: number, w: BatchWrite, done: () => void): void {
    const writes = rowsByPartition(w.rows, this.app.topicPartitions(w.topic));
    const txn = w.txn;
    if (!txn) return plainWrites(this.log, this.ctx.timers, this.producer, w.topic, writes, done);
    const { group: id, marker } = foreachBatchMarker(txn.appId, w.topic);
    markedTransaction(this.log, this.ctx.timers, {
      topic: w.topic, id, marker, version: txn.version, writes,
      producerId: (epoch, p) => `${id}-e${epoch}-p${p}`,
      onSkip: (committed) => this.ctx.trace.emit('spark.sink.skip', { batch, sink: 'foreachBatch', committed }),
    }, done);
  }

  /**
   * Whether every write has its version recorded already (each write's committed version, in
   * order), or undefined: a write without txnAppId/txnVersion, a function that reads the rows, no
   * write at all, a version not recorded, or a marker that cannot be read stably now (an open
   * transaction of the incarnation before, which the write's own `initTxn` will fence).
   */
  private writesCommitted(writes: readonly BatchWriteTarget[] | undefined, cb: (committed: number[] | undefined) => void): void {
    if (writes === undefined || writes.length === 0 || writes.some((w) => w.txn === undefined)) return cb(undefined);
    const committed: number[] = [];
    const next = (i: number): void => {
      if (i >= writes.length) return cb(committed);
      const w = writes[i]!;
      const { group, marker } = foreachBatchMarker(w.txn!.appId, w.topic);
      markedVersion(this.log, group, marker, (version) => {
        if (version === undefined || version < w.txn!.version) return cb(undefined);
        committed.push(version);
        next(i + 1);
      });
    };
    next(0);
  }

  /**
   * WatermarkTracker.updateWatermark: each operator that saw rows takes max − delay when higher; one
   * without a value counts as 0; the global value is the policy's choice over them, never lower than
   * before. The operators' values change here; the global one only at the commit.
   */
  private trackWatermark(results: readonly MapDone[]): number {
    const ops = watermarkOps(this.app.plan);
    if (ops.length === 0) return this.watermark;
    ops.forEach((op, i) => {
      let max = Number.MIN_SAFE_INTEGER;
      let count = 0;
      for (const r of results) {
        const s = r.stats[i];
        if (s && s.count > 0) {
          max = Math.max(max, s.max);
          count += s.count;
        }
      }
      if (count === 0) return;
      const prev = this.opWatermarks[i];
      if (prev === undefined || max - op.delayMs > prev) this.opWatermarks[i] = max - op.delayMs;
    });
    const values = this.opWatermarks.map((w) => w ?? 0);
    const chosen = this.app.plan.multipleWatermarkPolicy === 'max' ? Math.max(...values) : Math.min(...values);
    return Math.max(this.watermark, chosen);
  }

  /** Sends a task to an executor; without an answer in time, to the next one, and so on. */
  private runTask(index: number, body: { kind: string; [k: string]: unknown }, done: (r: TaskReply) => void, attempt = 0): void {
    const exec = (index + attempt) % this.execs.length;
    this.execs[exec]!.request(body, (r) => done(r), () => {
      this.ctx.trace.emit('spark.task.retry', { task: `${String(body.kind)}-${String(body.partition)}`, batch: body.batch as number, attempt: attempt + 1 });
      this.runTask(index, body, done, attempt + 1);
    });
  }
}

/**
 * `KafkaMicroBatchStream.rateLimit`: shares `limit` offsets out among the partitions with data,
 * in proportion to how far each is behind (`end - start`), rounding down, but up below one so
 * that no partition with data starves; never past a partition's end. With no data at all, `end`.
 */
export function rateLimit(limit: number, start: readonly number[], end: readonly number[]): number[] {
  const sizes = end.map((e, p) => Math.max(0, e - (start[p] ?? 0)));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < 1) return [...end];
  return end.map((e, p) => {
    if (sizes[p]! === 0) return e;
    const prorate = limit * (sizes[p]! / total);
    return Math.min(e, (start[p] ?? 0) + (prorate < 1 ? Math.ceil(prorate) : Math.floor(prorate)));
  });
}

/** Where a foreachBatch write with txnAppId records its version: group and transactional id `foreachBatch-<app>`, partition 0 of its topic. */
function foreachBatchMarker(appId: string, topic: string): { group: string; marker: { topic: string; partition: number } } {
  return { group: `foreachBatch-${appId}`, marker: { topic, partition: 0 } };
}
