/**
 * A Spark executor as a simulated process: it runs the tasks the driver
 * sends, one reply per task, answering a resent request (same reqId) once.
 *
 * - A map task reads its input partition's offsets `[start, end)` from the
 *   log (a replayable source: the same range gives the same rows) and runs
 *   `mapPartition` (operators.ts): the stateless operators, the event-time
 *   statistics of each watermark operator, the rows for the stateful
 *   operator split by key hash over the shuffle partitions.
 * - A reduce task (part S5, S8) opens state version N of its partition, runs
 *   the stateful operator (`runStateful`: late filter with batch N−1's
 *   watermark, eviction with batch N's), writes version N+1 (overwriting: a
 *   re-run batch writes the same), and writes its output.
 *
 * The sink (S9, after the FileStreamSink pattern): under exactly-once, a
 * reduce task writes its output partition in one transaction of
 * `spark-sink-<p>` that also commits the marker "batch N written" (an offset
 * N+1 of the group `spark-sink`), and skips the write when the marker says
 * the batch was committed already. Re-initialising the transactional id
 * fences an older attempt of the same task, and a fenced attempt fails: its
 * producer is done (Kafka's ProducerFencedException is fatal), it never
 * initialises the id again, and it answers nothing, so the driver sends the
 * task again if it was waiting for that attempt. Under at-least-once it writes
 * plainly, as Spark's Kafka sink does, and a re-run batch duplicates.
 * The sinks on the driver (foreachBatch, memory) get the task's rows in its
 * reply instead.
 */
import { LogClient } from '../../log/client.ts';
import type { ProcessContext, ProcessFactory, ProcessId, ProcessLogic } from '../../runtime/types.ts';
import type { QueryPlan, Row } from './dsl.ts';
import type { MapTask, ReduceTask, TaskReply } from './messages.ts';
import { changesStateInPlace, mapPartition, mapStateless, runStateful } from './operators.ts';
import { StoreClient } from './store.ts';
import { ContinuousTasks } from './continuous.ts';
import { StateStoreFiles, type LoadInfo, type StateRead } from './state-store.ts';
import { IdempotentProducer, markedTransaction, plainWrites, rowsByPartition } from './sink-txn.ts';
import type { SparkBugs } from './bugs.ts';
import type { MemoryTables } from './memory-sink.ts';

export interface SparkApp {
  plan: QueryPlan;
  shufflePartitions: number;
  outputPartitions: number;
  guarantee: 'exactly-once' | 'at-least-once' | 'at-most-once';
  brokerId: string;
  storeId: string;
  driverId: string;
  /** Planted bugs switched on for this run. */
  bugs: SparkBugs;
  /** How many partitions a topic of the world has (1 when unknown). */
  topicPartitions(topic: string): number;
  /** The memory sink: where each driver incarnation registers its table, for readers beside the world. */
  memoryTables?: MemoryTables;
}

/** How many finished tasks' replies an executor keeps for resent requests. */
const DONE_KEPT = 16;

/** The group whose committed offsets are the sink's batch markers. */
export const SINK_GROUP = 'spark-sink';

export function executorProcess(app: SparkApp): ProcessFactory {
  return (ctx) => new Executor(ctx, app);
}

class Executor implements ProcessLogic {
  private readonly log: LogClient;
  private readonly store: StoreClient;
  /**
   * Replies of the last `DONE_KEPT` finished tasks by reqId (a resend gets the same), and tasks
   * running. The driver sends a task without an answer to another executor rather than again, so
   * a few are enough; keeping hundreds kept every map task's shuffle rows alive for the run.
   */
  private readonly done = new Map<number, TaskReply>();
  private readonly running = new Set<number>();
  /** Trigger.Continuous: this executor's long-running tasks. */
  private readonly continuous: ContinuousTasks;
  /** The state store files of each shuffle partition this executor has run a reduce task of. */
  private readonly stateFiles = new Map<number, StateStoreFiles>();
  /** The at-least-once sink's producer (a new id at every start of the executor). */
  private readonly producer: IdempotentProducer;

  constructor(private readonly ctx: ProcessContext, private readonly app: SparkApp) {
    this.log = new LogClient(ctx, app.brokerId);
    this.store = new StoreClient(ctx, app.storeId);
    this.continuous = new ContinuousTasks(ctx, app, this.log);
    this.producer = new IdempotentProducer(`${ctx.id}#${ctx.incarnation}`);
  }

  onMessage(from: ProcessId, msg: unknown): void {
    if (this.log.handle(from, msg) || this.store.handle(from, msg)) return;
    if ((msg as { kind?: unknown } | null)?.kind === 'spark.shutdown') return this.continuous.shutdown();
    if (this.continuous.handle(from, msg)) return;
    const task = msg as MapTask | ReduceTask;
    if (task.kind !== 'spark.map' && task.kind !== 'spark.reduce') return;
    const cached = this.done.get(task.reqId);
    if (cached) return this.ctx.net.send(from, cached);
    if (this.running.has(task.reqId)) return;
    this.running.add(task.reqId);
    const finish = (reply: TaskReply): void => {
      this.running.delete(task.reqId);
      this.done.set(task.reqId, reply);
      if (this.done.size > DONE_KEPT) this.done.delete(this.done.keys().next().value!);
      this.ctx.net.send(from, reply);
    };
    // The attempt failed (its sink was fenced by a newer attempt): no answer.
    const fail = (): void => void this.running.delete(task.reqId);
    if (task.kind === 'spark.map') this.map(task, finish, fail);
    else this.reduce(task, finish, fail);
  }

  // ---- map -----------------------------------------------------------------------------------

  private map(task: MapTask, finish: (r: TaskReply) => void, fail: () => void): void {
    const { plan } = this.app;
    const rows: Row[] = [];
    const read = (offset: number): void => {
      if (offset >= task.end) return this.mapRows(task, rows, finish, fail);
      this.log.fetch(plan.source.topic, task.partition, offset, Math.min(1_000, task.end - offset), plan.source.isolation, (r) => {
        if (!r.ok) {
          this.ctx.timers.after(50, () => read(offset));
          return;
        }
        for (const rec of r.records) if (rec.offset < task.end) rows.push(rec.value as Row);
        read(Math.max(offset, r.nextOffset));
      }, 100);
    };
    read(task.start);
  }

  private mapRows(task: MapTask, input: Row[], finish: (r: TaskReply) => void, fail: () => void): void {
    if (!this.app.plan.stateful) {
      // One stage: the map task writes its rows to the sink itself, or hands them to the driver's sink.
      const { stats, out } = mapStateless(this.app.plan, input);
      const format = this.app.plan.sink.format;
      const done = (more: { rows?: unknown[]; files?: string[] } = {}): void => finish({ kind: 'spark.mapped', reqId: task.reqId, stats, shuffle: [], emitted: out.length, ...more });
      if (format === 'memory' || format === 'foreachBatch') return done({ rows: out });
      // The file sink's tasks are the last stage's, whichever it is: here the map tasks write the part files.
      if (format === 'json') return this.writeFile(task, out, (files) => done({ files }));
      return this.writeStateless(task, out, () => done(), fail);
    }
    const { stats, shuffle } = mapPartition(this.app.plan, this.app.shufflePartitions, input);
    finish({ kind: 'spark.mapped', reqId: task.reqId, stats, shuffle });
  }

  /**
   * A stateless query's sink, from map task `task.partition`: each row to its key's output
   * partition. Under at-least-once plainly (a re-run batch writes again); under exactly-once in one
   * transaction of `spark-sink-m<partition>` that also records "batch N written" as an offset of the
   * group of the same name, skipped when the group already holds it.
   */
  private writeStateless(task: MapTask, rows: Row[], done: () => void, fenced: () => void): void {
    const topic = this.app.plan.sink.topic;
    const writes = rowsByPartition(rows, this.app.outputPartitions);
    if (writes.length === 0) return done();
    if (this.app.guarantee !== 'exactly-once') return plainWrites(this.log, this.ctx.timers, this.producer, topic, writes, done);
    const id = `${SINK_GROUP}-m${task.partition}`;
    markedTransaction(this.log, this.ctx.timers, {
      topic, id, marker: { topic, partition: 0 }, version: task.batch, writes,
      producerId: (epoch, p) => `${id}-e${epoch}-p${p}`,
      honourMarker: !this.app.bugs.has('spark-sink-not-idempotent'),
      onSkip: (committed) => this.ctx.trace.emit('spark.sink.skip', { batch: task.batch, partition: task.partition, committed }),
      onFenced: fenced,
    }, done);
  }

  // ---- reduce --------------------------------------------------------------------------------

  private reduce(task: ReduceTask, finish: (r: TaskReply) => void, fail: () => void): void {
    this.ctx.trace.emit('spark.reduce', { batch: task.batch, partition: task.partition, wmLate: task.wmLate, wmEvict: task.wmEvict, rows: task.rows.length });
    let files = this.stateFiles.get(task.partition);
    if (files === undefined) {
      files = new StateStoreFiles(this.store, task.partition, { cleanupLatestOnly: this.app.bugs.has('spark-state-cleanup-latest-only') });
      this.stateFiles.set(task.partition, files);
    }
    const state = files;
    const copies = changesStateInPlace(this.app.plan);
    const open = (then: (entries: unknown[], info: LoadInfo, read: StateRead, version: number) => void): void => {
      if (!this.app.bugs.has('spark-state-latest-version')) return state.load(task.batch, (e, i, read) => then(e, i, read, task.batch), copies);
      // The bug: whatever version is newest, even the N+1 an earlier run of this batch wrote.
      this.store.list(state.dir, (paths) => {
        const newest = Math.max(task.batch, ...paths.map((p) => Number(/^(\d+)\./.exec(p.slice(state.dir.length))?.[1] ?? 0)));
        state.load(newest, (e, i, read) => then(e, i, read, newest), copies);
      });
    };
    open((before, info, read, version) => {
      this.ctx.trace.emit('spark.state.load', { batch: task.batch, partition: task.partition, version, snapshot: info.snapshot, deltas: info.deltas, bytes: info.bytes, entries: before.length });
      // The operators change entries in place: the delta is taken against what was read (`read`).
      const r = runStateful(this.app.plan, before, task.rows, {
        batch: task.batch,
        wmLate: task.wmLate,
        wmEvict: task.wmEvict,
        timestampMs: task.timestampMs,
        bugs: { outerEarly: this.app.bugs.has('spark-outer-join-early'), updateAll: this.app.bugs.has('spark-update-writes-unchanged') },
        trace: (kind, fields) => this.ctx.trace.emit(kind, { partition: task.partition, ...fields }),
      });
      state.commit(task.batch + 1, read, r.state, () => {
        const reply = (more: { rows?: unknown[]; files?: string[] }): void =>
          finish({ kind: 'spark.reduced', reqId: task.reqId, emitted: r.out.length, dropped: r.dropped, ...(r.timeouts !== undefined ? { timeouts: r.timeouts } : {}), ...more });
        switch (this.app.plan.sink.format) {
          case 'foreachBatch':
          case 'memory':
            // The driver's sinks: the rows go back with the task's commit message.
            return reply({ rows: r.out });
          case 'json':
            return this.writeFile(task, r.out, (files) => reply({ files }));
          case 'kafka':
            return this.write(task, r.out, () => reply({}), fail);
        }
      });
    });
  }

  /**
   * The file sink's task (ManifestFileCommitProtocol): the partition's rows as one new file of JSON
   * lines, named for this task attempt (another attempt writes its own), listed in the reply; the
   * driver adds the files of the attempts it accepted to `_spark_metadata`. No rows, no file.
   */
  private writeFile(task: MapTask | ReduceTask, records: unknown[], done: (files: string[]) => void): void {
    if (records.length === 0) return done([]);
    const name = `part-${String(task.partition).padStart(5, '0')}-b${task.batch}-${this.ctx.id}-${this.ctx.incarnation}-${task.reqId}.json`;
    const path = `${this.app.plan.sink.path!}/${name}`;
    this.store.add(path, records.map((r) => JSON.stringify(r)).join('\n'), false, () => {
      this.ctx.trace.emit('spark.file.write', { batch: task.batch, partition: task.partition, file: name, rows: records.length });
      done([path]);
    });
  }

  /**
   * The sink after a stateful operator. Under at-least-once, Spark's Kafka sink: each row to its key's
   * partition (the writer names no partition, so the producer's partitioner hashes the key; for an
   * aggregation, whose output key is the shuffle key, that is the task's own partition). Under
   * exactly-once, weir's marked sink: the task's rows in one transaction on output partition
   * `task % partitions`, whose batch marker is kept there.
   */
  private write(task: ReduceTask, records: unknown[], done: () => void, fenced: () => void): void {
    const topic = this.app.plan.sink.topic;
    const partition = task.partition % this.app.outputPartitions;
    if (records.length === 0) return done();
    // The executor's producer is idempotent (Kafka's enable.idempotence default): a batch resent after a
    // lost reply, with its sequence number, is written once; a retried or re-run task sends anew.
    if (this.app.guarantee !== 'exactly-once') return plainWrites(this.log, this.ctx.timers, this.producer, topic, rowsByPartition(records as Row[], this.app.outputPartitions), done);
    const txnId = `${SINK_GROUP}-${partition}`;
    markedTransaction(this.log, this.ctx.timers, {
      topic, id: txnId, group: SINK_GROUP, marker: { topic, partition }, version: task.batch, writes: [[partition, records]],
      producerId: (epoch) => `${txnId}-e${epoch}`,
      honourMarker: !this.app.bugs.has('spark-sink-not-idempotent'),
      onSkip: (committed) => this.ctx.trace.emit('spark.sink.skip', { batch: task.batch, partition, committed }),
      onFenced: fenced,
    }, done);
  }
}
