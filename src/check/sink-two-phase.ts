/**
 * `sink.two-phase` (Flink): a transaction a completed checkpoint holds as
 * pre-committed is committed, never aborted, unless the job rolls back to a
 * checkpoint before it.
 *
 * Flink's TwoPhaseCommitSinkFunction (and the KafkaSink's committer) keeps,
 * in each checkpoint, the transactions pre-committed at its barrier. Once the
 * checkpoint is complete those transactions belong to the job's committed
 * past: `notifyCheckpointComplete` commits them, and after a failure the
 * restored sink commits them again (`recoverAndCommit`), whatever happened to
 * the first commit. Only transactions of failed attempts that no restored
 * checkpoint holds are aborted (the KafkaSink re-initialises their ids, which
 * aborts what is open on them).
 *
 * Judged from the sinks' `txn.precommit` (transaction, checkpoint), the job
 * manager's `checkpoint.complete` / `checkpoint.metadata` (complete) and
 * `job.restore` (the checkpoint an attempt restored), and the broker's
 * `txn.abort` decisions:
 * - the broker must not abort a transaction pre-committed in a completed
 *   checkpoint c, unless the latest restore came after c completed and
 *   restored a checkpoint older than c (then the rollback asks for it);
 * - a restored sink must not re-initialise (to abort it) the id of such a
 *   transaction while the broker lists it open or being ended — the sink's
 *   leftover abort (`txn.abort`, reason "left open by a failed attempt")
 *   carries the attempt and what the broker listed — when its attempt
 *   restored c or a later checkpoint. Whether the re-commit the restore
 *   sends reaches the broker first (and the records survive) is then luck.
 * The records are lost only when the abort wins that race, which the output
 * checks see; this judges the decisions themselves.
 */
import { formatCount, Problems } from './report.ts';
import type { CheckResult, TraceEvent } from './types.ts';

/** The reason a restored Flink sink gives when it aborts what a failed attempt left open. */
export const LEFTOVER_ABORT_REASON = 'left open by a failed attempt';

const KINDS: readonly string[] = ['txn.precommit', 'txn.abort', 'checkpoint.complete', 'checkpoint.metadata', 'job.restore'];

export class SinkTwoPhaseTrace {
  private readonly problems = new Problems();
  /** The checkpoint each transaction was pre-committed in. */
  private readonly precommitted = new Map<string, number>();
  /** Completed checkpoints, with the seq of their completion. */
  private readonly completed = new Map<number, number>();
  /** Each attempt's restore: the checkpoint it restored (-1: none) and the seq of its `job.restore`. */
  private readonly restores = new Map<number, { checkpoint: number; seq: number }>();
  /** The latest of them. */
  private lastRestore: { checkpoint: number; seq: number } | undefined;
  private precommits = 0;
  private aborts = 0;
  private leftovers = 0;

  constructor(private readonly broker: string) {}

  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'txn.precommit':
        this.precommits++;
        this.precommitted.set(String(e.txn), e.checkpoint as number);
        return;
      case 'checkpoint.complete':
      case 'checkpoint.metadata':
        if (!this.completed.has(e.checkpoint as number)) this.completed.set(e.checkpoint as number, e.seq);
        return;
      case 'job.restore':
        this.lastRestore = { checkpoint: e.checkpoint as number, seq: e.seq };
        this.restores.set(e.attempt as number, this.lastRestore);
        return;
      case 'txn.abort':
        if (e.p === this.broker) this.onAbort(e);
        else if (e.reason === LEFTOVER_ABORT_REASON) this.onLeftover(e);
        return;
    }
  }

  /** A restored sink re-initialised a transactional id a failed attempt left behind. */
  private onLeftover(e: TraceEvent): void {
    this.leftovers++;
    if (e.listed !== 'open' && e.listed !== 'ending') return;
    const txn = String(e.txn);
    const c = this.precommitted.get(txn);
    if (c === undefined || !this.completed.has(c)) return;
    const restored = this.restores.get(e.attempt as number)?.checkpoint;
    if (restored === undefined || restored < c) return;
    this.problems.add(
      `${String(e.task)} of attempt ${String(e.attempt)}, restored from checkpoint ${restored}, re-initialised ${txn} at ${e.t} ms while the broker held its transaction ${String(e.listed)}, which completed checkpoint ${c} holds as pre-committed: it must be committed, not aborted (seq ${e.seq})`,
    );
  }

  private onAbort(e: TraceEvent): void {
    const txn = String(e.txnId);
    const c = this.precommitted.get(txn);
    if (c === undefined) return;
    this.aborts++;
    const completedSeq = this.completed.get(c);
    if (completedSeq === undefined) return;
    const r = this.lastRestore;
    if (r !== undefined && r.seq > completedSeq && r.checkpoint < c) return;
    const since = r !== undefined && r.seq > completedSeq ? `the job restored checkpoint ${r.checkpoint}` : 'no restore since';
    this.problems.add(`the broker aborted ${txn} (${String(e.reason)}) at ${e.t} ms, pre-committed in checkpoint ${c}, which had completed (${since}): it must be committed (seq ${e.seq})`);
  }

  verdict(): CheckResult {
    return this.problems.verdict(
      'sink.two-phase',
      `${formatCount(this.precommits)} transactions pre-committed, ${formatCount(this.aborts)} of them aborted, none that a completed checkpoint held; ${formatCount(this.leftovers)} ids of failed attempts re-initialised by restored sinks, none holding such a transaction open`,
    );
  }

  /** Whether a restored sink aborted what failed attempts left, or the broker aborted a pre-committed transaction. */
  get eventful(): boolean {
    return this.aborts > 0 || this.leftovers > 0;
  }
}
