/**
 * A sink that writes to a log topic, in one of two modes chosen by the
 * job's guarantee:
 *
 * - `two-phase` (exactly-once): Flink's TwoPhaseCommitSinkFunction over a
 *   transactional producer. One transaction per checkpoint epoch: records go
 *   into the open transaction; on the barrier the sink flushes it
 *   (pre-commit), remembers it as pending under the checkpoint id and opens
 *   the next (a transaction nothing was written in is closed there instead,
 *   with no request and nothing pending, as Flink's KafkaWriter does); on
 *   checkpoint-complete it commits every pending transaction up to that id,
 *   in order. Commits are idempotent and a restore re-commits
 *   the pending transactions of the restored checkpoint, then aborts (by
 *   re-initialising their ids, which also fences zombies) every other open
 *   transaction of this subtask left by the failed attempt. A sink that
 *   closes (its task cancelled) aborts the transaction it has open, as
 *   Flink's KafkaWriter does, once its batch in flight is answered.
 *   Records are visible to read-committed readers only once their
 *   checkpoint completed.
 * - `plain` (at-least-once / at-most-once): records are appended directly,
 *   by an idempotent producer (a batch retried after a lost reply is written
 *   once); the barrier waits until every write is acknowledged, so nothing
 *   before a completed checkpoint is lost, while replay after a restore
 *   duplicates.
 *
 * Records are sent in batches, as a Kafka producer does: when `batchRecords`
 * are buffered or `lingerMs` after the first one (linger.ms), so a
 * transaction's records reach the log while it is open, not only at its
 * pre-commit. One batch is in flight at a time (a retried batch can then
 * never land behind a later one: the order of results in the output is
 * the order they were produced). Subtask `i` writes to partition
 * `i % partitions`.
 */
import type { Output, OperatorContext, StreamOperator } from '../operators/operator.ts';
import { TwoPhaseState, type PendingTxn, type Txn } from './two-phase.ts';

export interface LogSinkOptions {
  topic: string;
  partitions: number;
  /** Default: `two-phase` under exactly-once, else `plain`. */
  mode?: 'two-phase' | 'plain';
  batchRecords?: number;
  /** Send a partial batch this long after its first record (Kafka's linger.ms). Default 5. */
  lingerMs?: number;
}

interface SinkSnapshot {
  pending: PendingTxn[];
}

export class LogSinkOperator implements StreamOperator {
  readonly asyncSnapshot = true;
  private ctx!: OperatorContext;
  private partition = 0;
  private buffer: unknown[] = [];
  private nextBatch = 0;
  /** Batches sent and not yet acknowledged. */
  private readonly outstanding = new Set<number>();
  /** Callbacks waiting until every batch up to `upTo` is acknowledged. */
  private waiters: { upTo: number; fn: () => void }[] = [];
  private txn: TwoPhaseState | undefined;
  private closed = false;
  /** A produce came back fenced: a newer attempt owns the transactional id. */
  private fenced = false;
  /** Flushed batches not yet sent, oldest first (one is in flight at a time). */
  private readonly queued: { batch: number; records: unknown[]; txn?: Txn; seq?: number }[] = [];
  private sending = false;
  /** The abort of a closed sink, waiting for the answer to its batch in flight (told whether it was fenced). */
  private abortAfterBatch: ((fenced: boolean) => void) | undefined;

  constructor(private readonly opts: LogSinkOptions) {}

  open(ctx: OperatorContext, _out: Output): void {
    this.ctx = ctx;
    this.partition = ctx.subtask % this.opts.partitions;
    const mode = this.opts.mode ?? (ctx.checkpointGuarantee === 'exactly-once' ? 'two-phase' : 'plain');
    if (mode === 'two-phase') this.txn = new TwoPhaseState(ctx, `${ctx.operatorName}-${ctx.subtask}-`);
    // Flink's KafkaWriter opens its first transaction for the checkpoint after the one restored (0 when none).
    this.txn?.begin(Math.max(ctx.restoredCheckpoint, 0) + 1);
    this.txn?.abortLeftovers();
  }


  processElement(value: unknown): void {
    this.buffer.push(value);
    if (this.buffer.length >= (this.opts.batchRecords ?? 256)) this.flush();
    else if (this.buffer.length === 1) {
      const batch = this.nextBatch;
      this.ctx.after(this.opts.lingerMs ?? 5, () => {
        if (this.nextBatch === batch) this.flush();
      });
    }
  }

  processWatermark(): void {
    // A sink has no downstream: nothing to forward.
  }

  /** Sends the buffered records: into the open transaction, or plainly. */
  private flush(): void {
    if (this.buffer.length === 0 || this.closed) return;
    const records = this.buffer;
    this.buffer = [];
    const batch = this.nextBatch++;
    this.outstanding.add(batch);
    const txn = this.txn?.current();
    // Transactional producers are idempotent (as Kafka's are): a retried batch is not appended twice.
    this.queued.push(txn ? { batch, records, txn, seq: txn.nextSeq++ } : { batch, records });
    this.pump();
  }

  /**
   * Sends the oldest queued batch once nothing is in flight and its
   * transaction has its epoch: batches reach the log in the order they were
   * flushed, also when a later transaction's epoch arrives first.
   */
  private pump(): void {
    if (this.sending || this.closed) return;
    const head = this.queued[0];
    if (head === undefined) return;
    if (head.txn !== undefined && !head.txn.ready) {
      head.txn.whenReady(() => this.pump());
      return;
    }
    this.queued.shift();
    this.sending = true;
    const { batch, records, txn } = head;
    if (txn !== undefined) txn.sent = true;
    // A plain sink's producer is idempotent too (Kafka's enable.idempotence default, which the KafkaSink
    // leaves on): a batch retried after a lost reply is written once. Its id is this sink instance's.
    const opts = txn === undefined
      ? { producer: { id: `${this.ctx.operatorName}-${this.ctx.subtask}@${this.ctx.instance}`, seq: batch } }
      : { txn: { id: txn.id, epoch: txn.epoch }, producer: { id: txn.id, seq: head.seq! } };
    this.ctx.producer().produce(this.opts.topic, this.partition, records, opts, (r) => {
      if (this.closed) {
        // The sink closed while this batch was in flight: its abort waited for the answer.
        const abort = this.abortAfterBatch;
        this.abortAfterBatch = undefined;
        if (abort !== undefined) abort(!r.ok && r.code === 'fenced');
        return;
      }
      this.sending = false;
      this.outstanding.delete(batch);
      if (!r.ok) this.ctx.trace.emit('sink.write', { task: this.ctx.taskName, ok: false, code: r.code });
      if (!r.ok && r.code === 'fenced') {
        // A newer attempt owns this transaction (as Kafka's ProducerFencedException): this
        // sink is a zombie or out of date. It stops writing, and the task fails.
        this.closed = true;
        this.fenced = true;
        this.ctx.fail(`producer of ${txn?.id ?? 'the sink'} was fenced`);
        return;
      }
      this.release();
      this.pump();
    });
  }

  private lowestOutstanding(): number {
    let low = Number.POSITIVE_INFINITY;
    for (const b of this.outstanding) low = Math.min(low, b);
    return low;
  }

  private release(): void {
    const low = this.lowestOutstanding();
    const ready = this.waiters.filter((w) => w.upTo < low);
    this.waiters = this.waiters.filter((w) => w.upTo >= low);
    for (const w of ready) w.fn();
  }

  /** Calls `fn` once every record handed to the sink so far is acknowledged. */
  private afterFlush(fn: () => void): void {
    this.flush();
    const upTo = this.nextBatch - 1;
    if (upTo < this.lowestOutstanding()) fn();
    else this.waiters.push({ upTo, fn });
  }

  snapshotState(id: number, done: () => void): SinkSnapshot {
    if (!this.txn) {
      this.afterFlush(done);
      return { pending: [] };
    }
    // Flink's SinkWriterOperator flushes the writer before the barrier, then asks it for committables.
    this.flush();
    const txn = this.txn.current();
    // Nothing written in it: Flink's KafkaWriter makes no committable, it commits the empty transaction
    // on the spot (Kafka's producer sends no EndTxn for one that added no partition) and reuses the
    // producer. The checkpoint holds nothing for it.
    const empty = txn.nextSeq === 0;
    if (!empty) this.txn.precommit(id);
    this.afterFlush(() =>
      txn.whenReady(() => {
        if (empty) this.txn!.closeEmpty(txn, id);
        else this.txn!.onPrecommitFlushed(txn);
        done();
      }),
    );
    this.txn.begin(id + 1);
    return { pending: this.txn.pendingUpTo(id).slice() };
  }

  /** End of input: a plain sink sends what it holds (a two-phase sink waits for the final checkpoint). */
  endInput(): void {
    if (!this.txn) this.flush();
  }

  notifyCheckpointComplete(id: number): void {
    this.txn?.commitUpTo(id);
  }

  restoreState(state: unknown): void {
    const s = state as SinkSnapshot;
    this.txn?.restore(s.pending);
  }

  /**
   * The task is cancelled: the open transaction is aborted, as Flink's exactly-once KafkaWriter
   * does on close (`abortCurrentProducer`, through its producer's abortTransaction). Batches not
   * yet sent are dropped (Kafka's producer fails the undrained ones), but a batch in flight is
   * waited for: Kafka's producer sends EndTxn only once every batch it sent is answered. Once
   * answered, no copy of the batch is left to land after the abort (a resend travels the same
   * FIFO channel, ahead of the EndTxn). The producer is held open meanwhile, and until the abort
   * is answered. A sink whose produce came back fenced sends no abort; Kafka's producer, fenced on
   * a produce (an abortable error), would send one for the coordinator to refuse: the same end.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const txn = this.txn;
    // Nothing the broker may hold open, or a produce came back fenced (see above): no abort.
    if (this.fenced || txn === undefined || !txn.mayBeOpen) return;
    const release = this.ctx.holdProducer();
    if (!this.sending) return txn.abortOpen(release);
    this.abortAfterBatch = (fenced) => {
      if (fenced) release();
      else txn.abortOpen(release);
    };
  }
}
