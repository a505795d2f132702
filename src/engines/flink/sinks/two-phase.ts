/**
 * The transactions of one two-phase-commit sink subtask, each a small state
 * machine: `opening` (waiting for its producer epoch) → `open` (taking
 * records) → `precommitted` (flushed on a barrier, pending under a
 * checkpoint id) → `committed`, or `aborted`; one that took no records is
 * `committed` at its barrier, with no request (`txn.empty`).
 *
 * Transactional ids are `<prefix>a<attempt>-c<checkpoint>`: unique per job
 * attempt and epoch, so a restored attempt can tell its own transactions
 * from the ones the failed attempt left open. The checkpoint is the one the
 * transaction is opened for, numbered as Flink's KafkaSink numbers its
 * transactional ids: an attempt's first is one past the checkpoint it
 * restored (1 when it restored none), each later one is one past the
 * barrier that opened it. A barrier the sink never saw (its checkpoint
 * aborted upstream) makes the next pre-commit's checkpoint larger than the
 * name's.
 */
import type { OperatorContext } from '../operators/operator.ts';

/**
 * The producer's transaction.timeout.ms: one hour, what Flink's Kafka sink sets by default (so the
 * broker must allow it: Kafka's transaction.max.timeout.ms is 15 minutes unless raised, as Flink's
 * documentation asks). A transaction must outlive a checkpoint and a restart, not be aborted under them.
 */
export const FLINK_TXN_TIMEOUT_MS = 3_600_000;

export type TxnStatus = 'opening' | 'open' | 'precommitted' | 'committed' | 'aborted';

export interface PendingTxn {
  id: string;
  epoch: number;
  checkpoint: number;
}

export class Txn {
  status: TxnStatus = 'opening';
  epoch = -1;
  /** Sequence number of the next batch (idempotent produce). */
  nextSeq = 0;
  /** A batch of it was sent: the broker may hold it open. */
  sent = false;
  /** The checkpoint whose barrier pre-committed it (its name carries the one it was opened for); -1 before. */
  precommittedAt = -1;
  private readonly waiting: (() => void)[] = [];
  constructor(
    readonly id: string,
    readonly checkpoint: number,
  ) {}

  get ready(): boolean {
    return this.status !== 'opening';
  }

  whenReady(fn: () => void): void {
    if (this.ready) fn();
    else this.waiting.push(fn);
  }

  opened(epoch: number): void {
    this.epoch = epoch;
    if (this.status === 'opening') this.status = 'open';
    for (const f of this.waiting.splice(0)) f();
  }
}

export class TwoPhaseState {
  private txn: Txn | undefined;
  private readonly pending: PendingTxn[] = [];
  /** Ids whose commit request is on its way (a repeated notification must not send it again). */
  private readonly committing = new Set<string>();

  constructor(
    private readonly ctx: OperatorContext,
    private readonly prefix: string,
  ) {}

  /**
   * Opens the transaction that takes the records of epoch `checkpoint`. An initialisation that
   * fails (the request client gave up) fails the task, as `initTransactions` throwing out of
   * Flink's KafkaWriter does: the transaction would never open, and the checkpoint never complete.
   */
  begin(checkpoint: number): void {
    const txn = new Txn(`${this.prefix}a${this.ctx.attempt}-c${checkpoint}`, checkpoint);
    this.txn = txn;
    this.ctx.log.initTxn(txn.id, (r) => {
      if (!r.ok) return this.ctx.fail(`initialising ${txn.id} failed: ${r.code}`);
      this.ctx.trace.emit('txn.begin', { task: this.ctx.taskName, txn: txn.id, epoch: r.epoch });
      txn.opened(r.epoch);
    }, FLINK_TXN_TIMEOUT_MS);
  }

  current(): Txn {
    return this.txn!;
  }

  /** The barrier of `checkpoint` arrived: the open transaction stops taking records. */
  precommit(checkpoint: number): Txn {
    const txn = this.txn!;
    // The entry is filled in once the epoch is known; the snapshot holding it is
    // serialised only after the flush, which waits for that.
    const entry: PendingTxn = { id: txn.id, epoch: txn.epoch, checkpoint };
    txn.precommittedAt = checkpoint;
    this.pending.push(entry);
    txn.whenReady(() => {
      entry.epoch = txn.epoch;
    });
    return txn;
  }

  /**
   * The barrier of `checkpoint` found `txn` empty: it ends here, committed with no request to the
   * broker (which never heard of a transaction on it), and no checkpoint holds it.
   */
  closeEmpty(txn: Txn, checkpoint: number): void {
    txn.status = 'committed';
    this.ctx.trace.emit('txn.empty', { task: this.ctx.taskName, txn: txn.id, checkpoint });
  }

  onPrecommitFlushed(txn: Txn): void {
    txn.status = 'precommitted';
    this.ctx.trace.emit('txn.precommit', { task: this.ctx.taskName, txn: txn.id, checkpoint: txn.precommittedAt });
    if (this.ctx.bugs.has('commit-before-complete')) this.commitUpTo(Number.MAX_SAFE_INTEGER);
  }

  /** What the snapshot of `checkpoint` records as pending. */
  pendingUpTo(checkpoint: number): PendingTxn[] {
    return this.pending.filter((p) => p.checkpoint <= checkpoint);
  }

  commitUpTo(checkpoint: number): void {
    for (const p of this.pending.filter((x) => x.checkpoint <= checkpoint && !this.committing.has(x.id))) this.commit(p);
  }

  private commit(p: PendingTxn): void {
    this.committing.add(p.id);
    // Fault site: the commit request goes out late, so a crash can fall between pre-commit and commit.
    if (this.ctx.buggify('sink.commit.slow')) {
      this.ctx.after(100, () => this.sendCommit(p));
      return;
    }
    this.sendCommit(p);
  }

  /**
   * Flink's `KafkaCommitter`: a commit refused for a known reason (the producer fenced, the
   * transaction aborted meanwhile: `ProducerFencedException`, `InvalidTxnStateException`) drops the
   * committable (Flink logs the likely data loss) and the job goes on; any other failure fails the
   * job (`signalFailedWithUnknownReason`), and so does a retriable one once its retries ran out
   * (here: the request client's resends). The restored attempt commits the checkpoint's pending
   * transactions again.
   */
  private sendCommit(p: PendingTxn): void {
    this.ctx.log.endTxn(p.id, p.epoch, true, (r) => {
      this.committing.delete(p.id);
      if (!r.ok && r.code !== 'fenced' && r.code !== 'aborted') return this.ctx.fail(`committing ${p.id} (checkpoint ${p.checkpoint}) failed: ${r.code}`);
      const i = this.pending.indexOf(p);
      if (i >= 0) this.pending.splice(i, 1);
      this.ctx.trace.emit(r.ok ? 'txn.commit' : 'txn.abort', { task: this.ctx.taskName, txn: p.id, checkpoint: p.checkpoint, ...(r.ok ? {} : { reason: r.code }) });
    });
  }

  /**
   * At every start: abort the transactions of this subtask that earlier
   * attempts left open — also when the job starts from no checkpoint at all,
   * or a read-committed reader would wait behind them forever — and fence
   * the id an earlier attempt initialised last but has not written to yet
   * (a zombie of that attempt could still open a transaction on it; its
   * older unwritten ids were closed empty and are left alone), and
   * those whose transaction the broker is ending (a broker crash before the
   * decision is durable would bring it back open; the init is answered
   * `concurrent-transactions` until it has ended, and the log client asks again). Those
   * pending in the restored checkpoint are spared (they are re-committed);
   * the check runs when the list arrives, after `restore` has recorded them.
   * So are those of newer attempts, which a sink started late (on a task
   * manager that never heard its attempt was cancelled) must not fence.
   * A list or an abort that fails (the request client gave up) fails the
   * task, as an exception out of Flink's `KafkaWriter` start-up does: the
   * job restarts and the next attempt cleans up again.
   */
  abortLeftovers(): void {
    if (this.ctx.attempt === 0 || this.ctx.bugs.has('sink-no-abort-on-restore')) return;
    const mine = `-a${this.ctx.attempt}-`;
    this.ctx.log.listTxns(this.prefix, (r) => {
      if (!r.ok) return this.ctx.fail(`listing the transactions left open failed: ${r.code}`);
      const current = newestPerAttempt(r.open.map((t) => t.transactionalId));
      for (const t of r.open) {
        // Of an attempt's idle ids only its newest can be a zombie's current transaction; the older
        // ones were closed empty at their barriers (or fenced by an earlier restore) and stay unused.
        if (t.state === 'idle' && !current.has(t.transactionalId)) continue;
        const spared = this.pending.some((p) => p.id === t.transactionalId) && !this.ctx.bugs.has('sink-aborts-pending-on-restore');
        // A newer attempt's ids are not leftovers: this sink is the stray (a task manager that never
        // heard the cancel started it late), and re-initialising them would fence the live attempt.
        if (t.transactionalId.includes(mine) || spared || attemptOf(t.transactionalId) > this.ctx.attempt) continue;
        // Traced with the attempt that aborts it and what the broker said of it (open, being ended, idle).
        const aborted = (): void => this.ctx.trace.emit('txn.abort', { task: this.ctx.taskName, txn: t.transactionalId, reason: 'left open by a failed attempt', attempt: this.ctx.attempt, listed: t.state });
        // Planted bug: abort at the old epoch, which ends the transaction but leaves its producer
        // unfenced, so a zombie of the failed attempt opens a new one in the same epoch.
        if (this.ctx.bugs.has('zombie-not-fenced')) this.ctx.log.endTxn(t.transactionalId, t.epoch, false, aborted);
        // Re-initialising a transactional id aborts its open transaction and fences its old producer.
        else {
          this.ctx.log.initTxn(t.transactionalId, (init) => {
            if (!init.ok) return this.ctx.fail(`aborting ${t.transactionalId}, left open by a failed attempt, failed: ${init.code}`);
            aborted();
          }, FLINK_TXN_TIMEOUT_MS);
        }
      }
    }, true);
  }

  /** The current transaction is open and the broker may know it (a batch of it was sent). */
  get mayBeOpen(): boolean {
    const txn = this.txn;
    return txn !== undefined && txn.status === 'open' && txn.sent;
  }

  /**
   * The sink is closing (its task cancelled, or its task manager told it is
   * stale): abort the open transaction, if the broker may know it — Flink's
   * KafkaWriter aborts its current producer's transaction on close. Those
   * pre-committed stay pending, for the restored attempt to commit. Sent by
   * the producer; `done` is called once the broker answered or the request
   * client gave up, or at once when there is nothing to abort. Traced when
   * the broker agreed, with when it was asked (`requestedMs`): refused (the
   * next attempt re-initialised the id first, which aborted the transaction
   * itself) or never answered, it is not this sink's abort.
   */
  abortOpen(done: () => void): void {
    const txn = this.txn;
    if (txn === undefined || !this.mayBeOpen) return done();
    txn.status = 'aborted';
    const requestedMs = this.ctx.now();
    this.ctx.producer().endTxn(txn.id, txn.epoch, false, (r) => {
      if (r.ok) this.ctx.trace.emit('txn.abort', { task: this.ctx.taskName, txn: txn.id, reason: 'sink closed', requestedMs });
      done();
    });
  }

  /** After a restore: re-commit what the checkpoint holds as pending (commits are idempotent). */
  restore(pending: PendingTxn[]): void {
    for (const p of pending) {
      this.pending.push({ ...p });
      this.commit(this.pending[this.pending.length - 1]!);
    }
  }
}

/**
 * A transactional id named `<prefix>a<attempt>-c<checkpoint>` taken apart: `owner` is everything up
 * to the attempt (one sink subtask's attempt), undefined for an id named otherwise.
 */
function txnIdParts(id: string): { owner: string; attempt: number; checkpoint: number } | undefined {
  const m = /^(.*-a(\d+))-c(\d+)$/.exec(id);
  return m === null ? undefined : { owner: m[1]!, attempt: Number(m[2]), checkpoint: Number(m[3]) };
}

/** The attempt a transactional id belongs to (-1 for an id named otherwise). */
function attemptOf(id: string): number {
  return txnIdParts(id)?.attempt ?? -1;
}

/** Of transactional ids named `…a<attempt>-c<checkpoint>`, the one with the largest checkpoint per attempt. */
function newestPerAttempt(ids: readonly string[]): Set<string> {
  const best = new Map<string, { id: string; checkpoint: number }>();
  for (const id of ids) {
    const parts = txnIdParts(id);
    if (parts === undefined) continue;
    const b = best.get(parts.owner);
    if (b === undefined || parts.checkpoint > b.checkpoint) best.set(parts.owner, { id, checkpoint: parts.checkpoint });
  }
  return new Set([...best.values()].map((b) => b.id));
}
