/**
 * Checkpoint-recovery oracles over the trace (DESIGN "The checkers" 3).
 *
 * - `checkRestoreHashes` (verdict `checkpoint.restore`): a restored task
 *   starts from exactly the snapshot state. Every 'task.deploy' with
 *   `restoredFrom >= 0` must come after a 'snapshot' event of the same task
 *   for that checkpoint carrying the same `stateHash`.
 * - `checkRestoresCompleted` (verdict `checkpoint.completed-only`): a job
 *   restores only a checkpoint whose metadata was written: every
 *   'job.restore' with `checkpoint >= 0` comes after a 'checkpoint.complete'
 *   for that checkpoint. This assumes the coordinator traces the completion
 *   when the metadata write is durable, as the trace contract describes.
 */
import { formatCount, Problems } from './report.ts';
import type { CheckResult, TraceEvent } from './types.ts';

export function checkRestoreHashes(events: Iterable<TraceEvent>): CheckResult {
  const problems = new Problems();
  const snapshots = new Map<string, Set<string>>();
  let restores = 0;
  for (const e of events) {
    if (e.kind === 'snapshot') {
      const k = `${String(e.task)}#${Number(e.checkpoint)}`;
      let hashes = snapshots.get(k);
      if (!hashes) snapshots.set(k, (hashes = new Set()));
      hashes.add(String(e.stateHash));
    } else if (e.kind === 'task.deploy' && Number(e.restoredFrom) >= 0) {
      restores++;
      const hashes = snapshots.get(`${String(e.task)}#${Number(e.restoredFrom)}`);
      const what = `task ${String(e.task)} attempt ${Number(e.attempt)} restored from checkpoint ${Number(e.restoredFrom)}`;
      if (!hashes) problems.add(`${what}, but that task never took a snapshot for it (seq ${e.seq})`);
      else if (!hashes.has(String(e.stateHash))) {
        problems.add(`${what} with state hash ${String(e.stateHash)}, but the snapshot's hash is ${[...hashes].join(' / ')} (seq ${e.seq})`);
      }
    }
  }
  return problems.verdict('checkpoint.restore', `${formatCount(restores)} task restores, each from exactly its snapshot state`);
}

export function checkRestoresCompleted(events: Iterable<TraceEvent>): CheckResult {
  const problems = new Problems();
  const completed = new Set<number>();
  let restores = 0;
  for (const e of events) {
    // Complete means the metadata is durably in the store; the coordinator may never hear of it
    // (a failover can overtake the store's reply), and recovery rightly restores it then.
    if (e.kind === 'checkpoint.complete' || e.kind === 'checkpoint.metadata') completed.add(Number(e.checkpoint));
    else if (e.kind === 'job.restore' && Number(e.checkpoint) >= 0) {
      restores++;
      if (!completed.has(Number(e.checkpoint))) {
        problems.add(`attempt ${Number(e.attempt)} restored checkpoint ${Number(e.checkpoint)}, whose metadata was never written (seq ${e.seq})`);
      }
    }
  }
  return problems.verdict('checkpoint.completed-only', `${formatCount(restores)} job restores, all from completed checkpoints`);
}
