/**
 * The reducer of the replay model: applies one trace event to the replay
 * state, in place. Folding it over events 0..i gives the state at step i;
 * the trace index keeps copies every K events so that any step is at most K
 * applications away.
 *
 * Task status is derived, not traced: a task is running once deployed,
 * aligning from its first barrier of a checkpoint until it aligns, then
 * snapshotting until its snapshot is taken; crashed when its process
 * crashes, restoring from a job failure (or its process's restart) until its
 * next deploy, finished once the job finishes. Events of an attempt older
 * than the task's current one are ignored: a cancelled attempt's last words
 * must not overwrite the new attempt.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { faultText, isFaultEvent } from './faults.ts';
import { num, numOr, str } from './fields.ts';
import { newTask } from './state.ts';
import { applyKsEvent } from './kstreams.ts';
import { applySparkEvent } from './spark.ts';
import { RECENT_CHECKPOINTS, RECENT_TXNS, type ReplayState, type TaskState } from './types.ts';

/** The topic the workload writes; appends anywhere else are pipeline output. */
const INPUT_TOPIC = 'input';
/** Open transactions beyond this many are pruned oldest first, so the state stays bounded. */
const MAX_OPEN_TXNS = 64;

export function applyEvent(s: ReplayState, e: TraceEvent, index: number): void {
  s.index = index;
  s.timeMs = e.t;
  if (isFaultEvent(e)) {
    s.faults++;
    s.lastFault = { index, text: faultText(e) };
  }
  if (s.ks) applyKsEvent(s.ks, e, index);
  if (s.spark) applySparkEvent(s.spark, e);
  const task = str(e, 'task');
  if (task !== undefined && e.kind !== 'checkpoint.ack' && !e.kind.startsWith('txn.')) applyTaskEvent(s, e, task);
  else applyOtherEvent(s, e, index);
}

function taskOf(s: ReplayState, name: string): TaskState {
  let t = s.tasks.get(name);
  if (!t) s.tasks.set(name, (t = newTask(name)));
  return t;
}

const ACTIVE = new Set(['running', 'aligning', 'snapshotting']);

function applyTaskEvent(s: ReplayState, e: TraceEvent, name: string): void {
  const t = taskOf(s, name);
  const attempt = num(e, 'attempt');
  if (e.kind === 'task.deploy') return deploy(t, e, attempt ?? t.attempt + 1);
  if (attempt !== undefined && attempt < t.attempt) {
    // An older attempt still at work on another task manager: a zombie, until that task manager
    // hears of the newer attempt (tm.stale) or crashes.
    if (e.p !== t.process && !s.down.includes(e.p)) t.zombie = e.p;
    return;
  }
  const active = ACTIVE.has(t.status);
  const id = numOr(e, 'checkpoint', -1);
  switch (e.kind) {
    case 'watermark':
      return watermark(t, e);
    case 'task.idle':
      t.idle = e.idle === true;
      return;
    case 'barrier.receive': {
      const ch = channel(t, numOr(e, 'ch', 0));
      ch.barrier = Math.max(ch.barrier, id);
      if (active && id > t.checkpoint) t.checkpoint = id;
      if (active && t.status === 'running') t.status = 'aligning';
      return;
    }
    case 'barrier.align':
      if (active) {
        t.status = 'snapshotting';
        t.checkpoint = id;
      }
      return;
    case 'barrier.inject':
      // A finished task snapshots for the final checkpoint but sends no barrier: it has no more output.
      if (!t.ended && id !== s.finalCheckpoint) t.forwarded = Math.max(t.forwarded, id);
      if (active) {
        t.status = 'snapshotting';
        t.checkpoint = id;
      }
      return;
    case 'snapshot':
      t.snapshot = Math.max(t.snapshot, id);
      if (active && t.checkpoint <= id) {
        t.status = 'running';
        t.checkpoint = -1;
      }
      return;
    case 'checkpoint.abort':
      if (active && t.checkpoint === id) {
        t.status = 'running';
        t.checkpoint = -1;
      }
      return;
    case 'source.end':
      t.ended = true;
      return;
    case 'record.late':
      s.lateRecords++;
      return;
    case 'window.late':
      s.lateJoins++;
      return;
    case 'window.fire':
      s.firings++;
      return;
  }
}

function deploy(t: TaskState, e: TraceEvent, attempt: number): void {
  t.attempt = attempt;
  t.process = e.p;
  t.status = 'running';
  t.watermark = undefined;
  t.channels = [];
  t.checkpoint = -1;
  t.forwarded = -1;
  t.restoredFrom = numOr(e, 'restoredFrom', -1);
  t.ended = false;
  t.idle = false;
}

function channel(t: TaskState, ch: number): TaskState['channels'][number] {
  while (t.channels.length <= ch) t.channels.push({ wm: undefined, idle: false, barrier: -1 });
  return t.channels[ch]!;
}

function watermark(t: TaskState, e: TraceEvent): void {
  const ch = numOr(e, 'ch', -1);
  const wm = num(e, 'wm');
  if (ch < 0) {
    if (wm !== undefined) t.watermark = wm;
    return;
  }
  const c = channel(t, ch);
  if (wm !== undefined) c.wm = wm;
  const idle = e.idle;
  if (typeof idle === 'boolean') c.idle = idle;
}

function applyOtherEvent(s: ReplayState, e: TraceEvent, index: number): void {
  switch (e.kind) {
    case 'proc.crash':
      if (!s.down.includes(e.p)) s.down.push(e.p);
      for (const t of s.tasks.values()) {
        if (t.process === e.p) t.status = 'crashed';
        if (t.zombie === e.p) t.zombie = undefined;
      }
      // A pending checkpoint lives in its coordinator's memory: with the job manager it is gone
      // (no abort is traced; a restarted job manager numbers its next checkpoint above it).
      for (const c of s.checkpoints.values()) {
        if (c.status === 'in progress' && c.coordinator === e.p) {
          c.status = 'lost';
          c.reason = `${e.p} crashed`;
          s.checkpointsLost++;
        }
      }
      return;
    case 'tm.stale':
      for (const t of s.tasks.values()) if (t.zombie === e.p) t.zombie = undefined;
      return;
    case 'proc.restart':
      s.down = s.down.filter((p) => p !== e.p);
      for (const t of s.tasks.values()) if (t.process === e.p && t.status === 'crashed') t.status = 'restoring';
      return;
    case 'job.fail':
      s.jobFailures++;
      for (const t of s.tasks.values()) if (t.status !== 'crashed') t.status = 'restoring';
      return;
    case 'job.restore':
      s.jobAttempt = numOr(e, 'attempt', s.jobAttempt + 1);
      s.jobFinished = false;
      return;
    case 'job.finish':
      s.jobFinished = true;
      for (const t of s.tasks.values()) if (t.status !== 'crashed') t.status = 'finished';
      return;
    case 'log.append':
      return append(s, e);
    default:
      if (e.kind.startsWith('txn.')) return txnEvent(s, e);
      if (e.kind.startsWith('checkpoint.') || e.kind === 'barrier.inject') return checkpointEvent(s, e, index);
  }
}

function append(s: ReplayState, e: TraceEvent): void {
  if (str(e, 'topic') === INPUT_TOPIC) return;
  const count = numOr(e, 'count', 0);
  const txn = str(e, 'txn');
  if (txn === undefined) s.committedOutput += count;
  else s.pendingOutput.set(txn, (s.pendingOutput.get(txn) ?? 0) + count);
}

function checkpointEvent(s: ReplayState, e: TraceEvent, index: number): void {
  const id = num(e, 'checkpoint');
  if (id === undefined) return;
  let c = s.checkpoints.get(id);
  // The coordinator's injection starts a checkpoint; should an id come round again, it is a new one.
  if (!c || e.kind === 'barrier.inject') {
    if (e.final === true) s.finalCheckpoint = id;
    s.checkpoints.delete(id);
    if (e.kind === 'checkpoint.metadata') return;
    c = { id, attempt: numOr(e, 'attempt', s.jobAttempt), status: 'in progress', acked: 0, of: 0, metadata: false, startIndex: index, coordinator: e.p };
    s.checkpoints.set(id, c);
    pruneCheckpoints(s);
  }
  switch (e.kind) {
    case 'checkpoint.ack':
      c.acked = numOr(e, 'acked', c.acked + 1);
      c.of = numOr(e, 'of', c.of);
      return;
    case 'checkpoint.metadata':
      c.metadata = true;
      return;
    case 'checkpoint.complete':
      if (c.status !== 'completed') s.checkpointsCompleted++;
      c.status = 'completed';
      return;
    case 'checkpoint.abort':
      if (c.status === 'in progress') s.checkpointsAborted++;
      c.status = 'aborted';
      c.reason = str(e, 'reason');
      return;
  }
}

function pruneCheckpoints(s: ReplayState): void {
  while (s.checkpoints.size > RECENT_CHECKPOINTS) {
    let victim: number | undefined;
    for (const c of s.checkpoints.values()) {
      if (c.status !== 'in progress') {
        victim = c.id;
        break;
      }
    }
    s.checkpoints.delete(victim ?? s.checkpoints.keys().next().value!);
  }
}

function txnEvent(s: ReplayState, e: TraceEvent): void {
  const brokerId = str(e, 'txnId');
  if (brokerId !== undefined) {
    // The broker's commit point (or a restarted broker's recovery taking the decision from its disk):
    // what was appended in the transaction becomes visible.
    const committed = e.kind === 'txn.commit' || (e.kind === 'txn.rolled' && e.commit === true);
    if (committed) s.committedOutput += s.pendingOutput.get(brokerId) ?? 0;
    if (committed || e.kind === 'txn.abort' || e.kind === 'txn.rolled') s.pendingOutput.delete(brokerId);
    return;
  }
  const id = str(e, 'txn');
  const task = str(e, 'task');
  if (id === undefined || task === undefined) return;
  let t = s.txns.get(id);
  if (e.kind === 'txn.begin' || !t) {
    s.txns.delete(id);
    t = { txn: id, task, status: 'open', checkpoint: undefined };
    s.txns.set(id, t);
  }
  const checkpoint = num(e, 'checkpoint');
  if (checkpoint !== undefined) t.checkpoint = checkpoint;
  if (e.kind === 'txn.precommit') t.status = 'precommitted';
  else if (e.kind === 'txn.empty') t.status = 'empty';
  else if (e.kind === 'txn.commit') {
    if (t.status !== 'committed') s.txnsCommitted++;
    t.status = 'committed';
  } else if (e.kind === 'txn.abort') {
    if (t.status !== 'aborted') s.txnsAborted++;
    t.status = 'aborted';
    t.reason = str(e, 'reason');
  }
  pruneTxns(s);
}

function pruneTxns(s: ReplayState): void {
  if (s.txns.size <= RECENT_TXNS) return;
  // Settled transactions go first, oldest first; open ones only when there are very many.
  for (const [id, t] of s.txns) {
    if (s.txns.size <= RECENT_TXNS) return;
    if (t.status === 'committed' || t.status === 'aborted' || t.status === 'empty') s.txns.delete(id);
  }
  for (const id of s.txns.keys()) {
    if (s.txns.size <= MAX_OPEN_TXNS) return;
    s.txns.delete(id);
  }
}
