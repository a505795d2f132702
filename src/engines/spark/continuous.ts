/**
 * Continuous processing (part S11, Spark's ContinuousExecution and
 * EpochCoordinator): no batches, but one long-running task per input
 * partition, and epochs that play the part of batch ids in the offset and
 * commit logs.
 *
 * The driver's coordinator starts an epoch every `continuousMs`
 * (IncrementAndGetEpoch) and tells every executor. A task reads its
 * partition, runs the map-like operators and writes each row to the sink at
 * once (Kafka's plain producer: visible as soon as it is acknowledged). When
 * a task learns of a new epoch it puts a marker in its stream: the reader
 * reports the next offset to read (ReportPartitionOffset), the writer waits
 * until everything it sent is acknowledged and reports the epoch committed
 * (CommitPartitionEpoch). Once every partition reported its offset for epoch
 * E, the coordinator adds `offsets/E` (write-once, and like Spark's
 * `addOffset` it ignores that an entry from an earlier run may already be
 * there); once every writer committed E and every earlier epoch is
 * committed, it writes `commits/E` and reads back the offsets the log holds
 * for E as the committed ones.
 *
 * A start (and every restart after a failure) resumes from the offsets of
 * the latest committed epoch, in the epoch after it: whatever the tasks
 * read and wrote after those offsets is read and written again. So the
 * guarantee is at-least-once, and the query refuses exactly-once.
 *
 * Failures: Spark does not retry a continuous task; a failed task fails the
 * query, and it is started again from its checkpoint. Here the driver sees a
 * failure as an epoch that does not commit within the stall timeout (an
 * executor crashed, a report was lost to a partition), fails the run
 * (`spark.query.fail`) and starts a new one at once, as a supervisor would.
 * Tasks of an older run stop when they hear of a newer one; a task cut off
 * from the driver keeps writing until then (more duplicates, never a loss).
 * Once the committed offsets reach the sealed end of every partition the
 * query stops (`spark.finished`) — Spark's never ends by itself.
 */
import { LogClient } from '../../log/client.ts';
import { RequestClient } from '../../runtime/request-client.ts';
import type { ProcessContext, ProcessId } from '../../runtime/types.ts';
import { groupByPartition } from './sink-txn.ts';
import type { Row } from './dsl.ts';
import type { SparkApp } from './executor.ts';
import { isContinuousAck, type ContinuousAck, type ContinuousEpoch, type ContinuousReport, type ContinuousStart, type TaskReply } from './messages.ts';
import { mapStateless } from './operators.ts';
import { OFFSETS_DIR, type StoreClient } from './store.ts';

interface EpochState {
  offsets: (number | undefined)[];
  atEnd: boolean[];
  commits: Set<number>;
  /** `offsets/E` is in the log. */
  logged: boolean;
}

/** What the coordinator needs of its driver. */
export interface CoordinatorHost {
  ctx: ProcessContext;
  app: SparkApp;
  store: StoreClient;
  execs: RequestClient<TaskReply>[];
  executorIds: readonly ProcessId[];
  inputPartitions: number;
  /** An epoch that has not committed this long after it ended fails the run. */
  stallMs: number;
  continuousMs: number;
  onFinished(): void;
}

/** The driver's side: ContinuousExecution with its EpochCoordinator. */
export class ContinuousCoordinator {
  private run = 0;
  private epoch = 0;
  private lastCommitted = -1;
  private readonly epochs = new Map<number, EpochState>();
  /** When the oldest uncommitted epoch ended (the next one started). */
  private waitingSince: number | undefined;
  private committing = false;
  private finished = false;
  private restarts = 0;

  constructor(private readonly h: CoordinatorHost) {}

  /** getStartOffsets, then the tasks and the epoch ticker. */
  start(): void {
    const { store } = this.h;
    // Each start is a new query (a supervisor starts it again after a failure), whose offset log
    // makes its directory unless it exists (`HDFSMetadataLog`). No continuous query writes the
    // memory sink, so none refuses to recover on it.
    store.add(OFFSETS_DIR, '', false, () => this.resume());
  }

  /** The start's reading of the logs: from the latest committed epoch's offsets, in the epoch after it. */
  private resume(): void {
    const { store, ctx } = this.h;
    store.list('commits/', (commits) => {
      const c = commits.length === 0 ? -1 : Math.max(...commits.map((p) => Number(p.slice(p.lastIndexOf('/') + 1))));
      const begin = (offsets: number[]): void => {
        this.run = ctx.incarnation * 1_000 + this.restarts;
        this.lastCommitted = c;
        this.epoch = c + 1;
        this.epochs.clear();
        this.waitingSince = undefined;
        ctx.trace.emit('spark.restart', { latestOffsets: c, latestCommit: c, rerun: false, continuous: true, run: this.run, epoch: this.epoch, offsets: offsets.join(',') });
        for (let p = 0; p < this.h.inputPartitions; p++) this.launch(p, offsets[p] ?? 0, this.run, 0);
        this.tick(this.run);
      };
      if (c < 0) return begin(Array.from({ length: this.h.inputPartitions }, () => 0));
      store.get(`offsets/${c}`, (content) => begin((JSON.parse(content!) as { end: number[] }).end));
    });
  }

  private launch(partition: number, offset: number, run: number, attempt: number): void {
    if (run !== this.run || this.finished) return;
    const i = (partition + attempt) % this.h.execs.length;
    const body = { kind: 'spark.cont.start', run, partition, offset, epoch: this.epoch };
    this.h.execs[i]!.request(body, () => {}, () => this.launch(partition, offset, run, attempt + 1));
  }

  /** Every interval: a new epoch, told to every executor; a stalled run fails and starts again. */
  private tick(run: number): void {
    this.h.ctx.timers.after(this.h.continuousMs, () => {
      if (run !== this.run || this.finished) return;
      const now = this.h.ctx.clock.now();
      if (this.waitingSince !== undefined && now - this.waitingSince > this.h.stallMs) return this.fail(`epoch ${this.lastCommitted + 1} did not commit within ${this.h.stallMs} ms`);
      this.epoch++;
      if (this.waitingSince === undefined) this.waitingSince = now;
      this.h.ctx.trace.emit('spark.epoch', { epoch: this.epoch, run });
      this.broadcast({ kind: 'spark.cont.epoch', run, epoch: this.epoch });
      this.tick(run);
    });
  }

  private broadcast(msg: ContinuousEpoch): void {
    for (const e of this.h.executorIds) this.h.ctx.net.send(e, msg);
  }

  private fail(reason: string): void {
    this.h.ctx.trace.emit('spark.query.fail', { run: this.run, reason });
    this.broadcast({ kind: 'spark.cont.epoch', run: this.run, epoch: this.epoch, stop: true });
    this.restarts++;
    this.run = -1;
    this.start();
  }

  /** A task's report; answered whatever it says, so the task stops resending. */
  onReport(from: ProcessId, r: ContinuousReport): void {
    this.h.ctx.net.send(from, { kind: 'spark.cont.ack', reqId: r.reqId } satisfies ContinuousAck);
    if (r.run !== this.run || this.finished || r.epoch <= this.lastCommitted) return;
    let e = this.epochs.get(r.epoch);
    if (e === undefined) {
      e = { offsets: Array.from({ length: this.h.inputPartitions }, () => undefined), atEnd: Array.from({ length: this.h.inputPartitions }, () => false), commits: new Set(), logged: false };
      this.epochs.set(r.epoch, e);
    }
    if (r.what === 'commit') {
      e.commits.add(r.partition);
      return this.tryCommit();
    }
    if (e.offsets[r.partition] !== undefined) return;
    e.offsets[r.partition] = r.offset!;
    e.atEnd[r.partition] = r.atEnd === true;
    if (e.offsets.some((o) => o === undefined)) return;
    const entry = { end: e.offsets as number[], epoch: r.epoch };
    const run = this.run;
    // addOffset: the log is write-once; an entry an earlier run left for this epoch stays.
    this.h.store.add(`offsets/${r.epoch}`, JSON.stringify(entry), false, (created) => {
      if (run !== this.run) return;
      e!.logged = true;
      this.h.ctx.trace.emit('spark.offsets', { batch: r.epoch, continuous: true, created, offsets: entry.end.join(',') });
      this.tryCommit();
    });
  }

  /** Commits the next epoch once its offsets are logged and every writer committed it; epochs commit in order. */
  private tryCommit(): void {
    if (this.committing || this.finished) return;
    const next = this.lastCommitted + 1;
    const e = this.epochs.get(next);
    if (e === undefined || !e.logged || e.commits.size < this.h.inputPartitions) return;
    this.committing = true;
    const run = this.run;
    this.h.store.add(`commits/${next}`, JSON.stringify({ epoch: next }), false, () => {
      this.committing = false;
      if (run !== this.run) return;
      this.lastCommitted = next;
      this.epochs.delete(next);
      this.waitingSince = this.epoch > next + 1 ? this.h.ctx.clock.now() : undefined;
      this.h.ctx.trace.emit('spark.commit', { batch: next, continuous: true });
      if (e.atEnd.every((a) => a)) return this.finish();
      this.tryCommit();
    });
  }

  private finish(): void {
    this.finished = true;
    this.broadcast({ kind: 'spark.cont.epoch', run: this.run, epoch: this.epoch, stop: true });
    this.h.onFinished();
  }
}

/** The executor's side: one long-running task per input partition (ContinuousDataSourceRDD + ContinuousWriteRDD). */
export class ContinuousTasks {
  private readonly tasks = new Map<number, ContinuousTask>();
  /** The newest run heard of; tasks of older runs stop. */
  private run = -1;
  readonly driver: RequestClient<ContinuousAck>;

  constructor(readonly ctx: ProcessContext, readonly app: SparkApp, readonly log: LogClient) {
    this.driver = new RequestClient(ctx, app.driverId, isContinuousAck, { requestTimeoutMs: 200 });
  }

  /** The run is over (the deployment's shutdown): every task stops, and so do their reports. */
  shutdown(): void {
    for (const t of this.tasks.values()) t.stop();
    this.tasks.clear();
    this.driver.cancelAll();
  }

  handle(from: ProcessId, msg: unknown): boolean {
    if (this.driver.handle(from, msg)) return true;
    const m = msg as ContinuousStart | ContinuousEpoch;
    if (m?.kind === 'spark.cont.start') {
      this.ctx.net.send(from, { kind: 'spark.cont.started', reqId: m.reqId });
      if (m.run < this.run) return true;
      this.newRun(m.run);
      const old = this.tasks.get(m.partition);
      if (old !== undefined && old.run === m.run) return true;
      old?.stop();
      const t = new ContinuousTask(this, m.run, m.partition, m.offset, m.epoch);
      this.tasks.set(m.partition, t);
      t.start();
      return true;
    }
    if (m?.kind === 'spark.cont.epoch') {
      if (m.run < this.run) return true;
      this.newRun(m.run);
      for (const t of this.tasks.values()) {
        if (m.stop === true) t.stop();
        else t.newEpoch(m.epoch);
      }
      return true;
    }
    return false;
  }

  private newRun(run: number): void {
    if (run <= this.run) return;
    this.run = run;
    for (const [p, t] of this.tasks) {
      if (t.run < run) {
        t.stop();
        this.tasks.delete(p);
      }
    }
  }
}

class ContinuousTask {
  private stopped = false;
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  private atEnd = false;
  private seq = 0;

  constructor(private readonly host: ContinuousTasks, readonly run: number, private readonly partition: number, private offset: number, private epoch: number) {}

  start(): void {
    this.host.ctx.trace.emit('spark.cont.task', { run: this.run, partition: this.partition, offset: this.offset, epoch: this.epoch });
    this.read();
  }

  stop(): void {
    this.stopped = true;
  }

  private read(): void {
    if (this.stopped) return;
    const { app, log, ctx } = this.host;
    const src = app.plan.source;
    log.fetch(src.topic, this.partition, this.offset, 500, src.isolation, (r) => {
      if (this.stopped) return;
      if (!r.ok) {
        ctx.timers.after(50, () => this.read());
        return;
      }
      const rows: Row[] = [];
      for (const rec of r.records) if (rec.offset >= this.offset) rows.push(rec.value as Row);
      this.offset = Math.max(this.offset, r.nextOffset);
      this.atEnd = r.endOfPartition;
      if (rows.length > 0) this.write(mapStateless(app.plan, rows).out);
      if (r.endOfPartition && r.records.length === 0) ctx.timers.after(100, () => this.read());
      else this.read();
    }, 100);
  }

  /** The plain Kafka producer: each row to its key's partition, resent with the same sequence until acknowledged. */
  private write(rows: Row[]): void {
    const { app, log, ctx } = this.host;
    const topic = app.plan.sink.topic;
    for (const [p, list] of groupByPartition(rows, app.outputPartitions)) {
      const producer = { id: `spark-cont-${this.run}-${this.partition}-${ctx.incarnation}`, seq: this.seq++ };
      this.inFlight++;
      const send = (): void => {
        log.produce(topic, p, list, { producer }, (res) => {
          if (!res.ok) {
            ctx.timers.after(50, send);
            return;
          }
          this.inFlight--;
          if (this.inFlight === 0) {
            const w = this.waiting;
            this.waiting = [];
            for (const f of w) f();
          }
        });
      };
      send();
    }
  }

  /** The epoch moved on: a marker for every epoch up to the new one. */
  newEpoch(epoch: number): void {
    if (this.stopped) return;
    while (this.epoch < epoch) this.mark(this.epoch++);
  }

  private mark(epoch: number): void {
    const offset = this.offset;
    const atEnd = this.atEnd;
    this.report({ what: 'offset', epoch, offset, atEnd });
    // The writer's commit: once what it sent so far is acknowledged (a flush).
    const commit = (): void => this.report({ what: 'commit', epoch });
    // The planted bug: no flush, the epoch is reported committed with rows still in flight.
    if (this.inFlight === 0 || this.host.app.bugs.has('spark-continuous-commit-unflushed')) commit();
    else this.waiting.push(commit);
  }

  private report(r: { what: 'offset' | 'commit'; epoch: number; offset?: number; atEnd?: boolean }): void {
    if (this.stopped) return;
    this.host.driver.request({ kind: 'spark.cont.report', run: this.run, partition: this.partition, ...r }, () => {});
  }
}
