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
 * `txn.abort` decisions: the broker must not abort a transaction
 * pre-committed in a completed checkpoint c, unless the latest restore came
 * after c completed and restored a checkpoint older than c (then the
 * rollback asks for it). The records of such an abort are lost only when it
 * wins the race with the re-commit, which the output checks see; this judges
 * the decision itself.
 */
import { formatCount, Problems } from './report.ts';
import type { CheckResult, TraceEvent } from './types.ts';

const KINDS: readonly string[] = ['txn.precommit', 'txn.abort', 'checkpoint.complete', 'checkpoint.metadata', 'job.restore'];

export class SinkTwoPhaseTrace {
  private readonly problems = new Problems();
  /** The checkpoint each transaction was pre-committed in. */
  private readonly precommitted = new Map<string, number>();
  /** Completed checkpoints, with the seq of their completion. */
  private readonly completed = new Map<number, number>();
  /** The latest job restore: the checkpoint it restored (-1: none) and its seq. */
  private lastRestore: { checkpoint: number; seq: number } | undefined;
  private precommits = 0;
  private aborts = 0;

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
        return;
      case 'txn.abort':
        if (e.p === this.broker) this.onAbort(e);
        return;
    }
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
    this.problems.add(`the broker aborted ${txn} (${String(e.reason)}) at ${e.t} ms, pre-committed in checkpoint ${c}, which had completed (${since}): it must be committed`);
  }

  verdict(): CheckResult {
    return this.problems.verdict(
      'sink.two-phase',
      `${formatCount(this.precommits)} transactions pre-committed, ${formatCount(this.aborts)} of them aborted, none that a completed checkpoint held`,
    );
  }

  /** Whether the broker aborted a pre-committed transaction (one a checkpoint that never completed held). */
  get eventful(): boolean {
    return this.aborts > 0;
  }
}
