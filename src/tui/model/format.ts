/**
 * Words and numbers for the replay: watermarks (with the engine's -inf/+inf
 * for the extremes), times, and one short line per trace event. Shared by
 * the Ink components and the plain-text summary.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { faultText, FAULT_KINDS } from './faults.ts';
import { num, str } from './fields.ts';
import type { TaskState } from './types.ts';
import { fullEvent } from './trace-text.ts';

export function fmtNum(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtWm(wm: number | undefined): string {
  if (wm === undefined) return '—';
  if (wm <= Number.MIN_SAFE_INTEGER) return '-inf';
  if (wm >= Number.MAX_SAFE_INTEGER) return '+inf';
  return fmtNum(wm);
}

export function fmtMs(ms: number): string {
  return `${fmtNum(ms)} ms`;
}

/** Milliseconds as seconds, with up to `digits` decimals ('?' when unknown). */
export function fmtSecs(ms: number | undefined, digits = 1): string {
  return ms === undefined ? '?' : `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: digits })} s`;
}

const w = (e: TraceEvent): string => fmtWm(num(e, 'wm'));
const c = (e: TraceEvent): string => `c${num(e, 'checkpoint') ?? '?'}`;
const win = (e: TraceEvent): string => `${str(e, 'key') ?? '?'} [${num(e, 'start') ?? '?'},${num(e, 'end') ?? '?'})`;

/** What an event says, in a few words (without seq, time, process and kind). */
export function describeEvent(lazy: TraceEvent): string {
  const e = fullEvent(lazy);
  const task = str(e, 'task') ?? '';
  switch (e.kind) {
    case 'watermark': {
      const ch = num(e, 'ch') ?? -1;
      const where = ch < 0 ? `${task} own` : `${task} ch${ch}`;
      if (typeof e.idle === 'boolean') return `${where} ${e.idle ? 'idle' : 'active again'}`;
      return `${where} wm ${w(e)}${e.restored === true ? ' (restored)' : ''}`;
    }
    case 'buffer.send': {
      const n = num(e, 'records') ?? 0;
      const records = `${fmtNum(n)} record${n === 1 ? '' : 's'}`;
      const why = ({ timeout: ' (buffer timeout)', full: ' (buffer full)', always: ' (buffer timeout 0: sent at once)', end: ', then end of input', barrier: `, then barrier ${c(e)}`, cancel: `, then cancel ${c(e)}` } as Record<string, string>)[str(e, 'reason') ?? ''] ?? '';
      return `${task} → ${str(e, 'to') ?? '?'} ch${num(e, 'ch') ?? '?'}: ${records}${why}`;
    }
    case 'barrier.inject': {
      if (task) return `${task} sends barrier ${c(e)} on`;
      // A periodic trigger that waited while another checkpoint was in flight says how long.
      const queuedMs = num(e, 'queuedMs');
      return `coordinator injects barrier ${c(e)}${e.final === true ? ' (final)' : ''}${queuedMs !== undefined ? ` (queued ${fmtMs(queuedMs)})` : ''}`;
    }
    case 'barrier.receive':
      return `${task} ch${num(e, 'ch') ?? '?'} receives barrier ${c(e)}`;
    case 'barrier.align':
      return `${task} has barrier ${c(e)} on every channel`;
    case 'snapshot':
      return `${task} snapshot ${c(e)} ${str(e, 'stateHash') ?? ''}`;
    case 'checkpoint.ack':
      return `${c(e)} ack from task ${task} (${num(e, 'acked') ?? '?'}/${num(e, 'of') ?? '?'})`;
    case 'checkpoint.metadata':
      return `${c(e)} metadata durable in the store`;
    case 'checkpoint.complete':
      return `checkpoint ${c(e)} complete`;
    case 'checkpoint.abort':
      return `${c(e)} aborted${task ? ` at ${task}` : ''}: ${str(e, 'reason') ?? '?'}`;
    case 'window.fire': {
      const firing = num(e, 'firing') ?? 0;
      {
        // A triggered window names its pane (EARLY, ON_TIME, LATE); the default one counts late firings.
        const timing = str(e, 'timing');
        const final = e.last === true ? ', final' : '';
        const pane = timing !== undefined ? ` (${timing.toLowerCase().replace('_', '-')} pane ${firing}${final})` : firing > 0 ? ` (late firing ${firing})` : '';
        return `${task} fires ${win(e)} at wm ${w(e)}${pane}, ${num(e, 'count') ?? '?'} records`;
      }
    }
    case 'window.late':
      return `${task} record ${num(e, 'id') ?? '?'} joins fired ${win(e)} late (wm ${w(e)})`;
    case 'session.add':
      return `${task} record ${num(e, 'id') ?? '?'} joins session ${win(e)} (wm ${w(e)})`;
    case 'window.skip':
      return `${task} record ${num(e, 'id') ?? '?'} skips closed ${win(e)} (wm ${w(e)})`;
    case 'window.closed-drop': {
      // A window whose trigger finished (Beam) takes nothing more.
      const outcome = e.dropped === true ? ': dropped' : e.sideOutput === true ? ': side output' : '';
      return `${task} record ${num(e, 'id') ?? '?'} refused by ${win(e)}, its trigger finished (wm ${w(e)})${outcome}`;
    }
    case 'record.late':
      return `${task} record ${num(e, 'id') ?? '?'} ts ${fmtWm(num(e, 'ts'))} too late (wm ${w(e)}): ${e.dropped === true ? 'dropped, not sent to the side output' : 'side output'}`;
    case 'task.deploy': {
      const from = num(e, 'restoredFrom') ?? -1;
      return `${task} deployed, attempt ${num(e, 'attempt') ?? '?'}${from >= 0 ? `, restored from c${from}` : ''}`;
    }
    case 'source.end':
      return `${task} read all its input`;
    case 'log.append':
      return `${str(e, 'topic') ?? '?'}/${num(e, 'partition') ?? '?'} +${num(e, 'count') ?? '?'}${str(e, 'txn') ? ` in ${str(e, 'txn')}` : ''}`;
    case 'log.fetch':
      return `${str(e, 'topic') ?? '?'}/${num(e, 'partition') ?? '?'} @${num(e, 'offset') ?? '?'}: ${num(e, 'count') ?? '?'} records`;
    case 'log.deleteRecords':
      return `${str(e, 'topic') ?? '?'}/${num(e, 'partition') ?? '?'} records before @${num(e, 'to') ?? '?'} deleted (the log started at @${num(e, 'from') ?? '?'})`;
    case 'job.finish':
      return `job attempt ${num(e, 'attempt') ?? '?'} finished`;
    default:
      if (e.kind.startsWith('ks.') || e.kind.startsWith('spark.') || e.kind.startsWith('group.') || e.kind === 'record.dropped') return engineText(e) ?? genericText(e);
      if (e.kind.startsWith('txn.')) return txnText(e);
      if (FAULT_KINDS.has(e.kind)) return faultText(e);
      return genericText(e);
  }
}

function txnText(e: TraceEvent): string {
  const verb = e.kind.slice(4);
  const task = str(e, 'task');
  if (task !== undefined) {
    const cp = num(e, 'checkpoint');
    if (e.kind === 'txn.empty') return `${task} closes ${str(e, 'txn') ?? '?'} at barrier c${cp ?? '?'}: nothing written in it, so nothing to pre-commit or commit`;
    const reason = str(e, 'reason');
    return `${task} ${verb} ${str(e, 'txn') ?? '?'}${cp !== undefined ? ` (c${cp})` : ''}${reason ? `: ${reason}` : ''}`;
  }
  const id = str(e, 'txnId') ?? '?';
  if (e.kind === 'txn.timeout') return `broker times out ${id} epoch ${num(e, 'epoch') ?? '?'}: open since ${fmtSecs(num(e, 'startMs'))}, timeout ${fmtSecs(num(e, 'timeoutMs'))}; aborts it and fences its producer`;
  if (e.kind === 'txn.rolled') return `broker's recovery ${e.commit === true ? 'commits' : 'aborts'} ${id} epoch ${num(e, 'epoch') ?? '?'} (${e.logged === true ? 'its decision was in the transaction log' : 'fenced by a later epoch or transaction'}): markers to ${num(e, 'partitions') ?? '?'} partitions`;
  if (e.kind === 'txn.recovered') return `broker recovered ${id} epoch ${num(e, 'epoch') ?? '?'} open; its timeout (${fmtSecs(num(e, 'timeoutMs'))}) starts now`;
  if (e.kind === 'txn.abort' && str(e, 'reason') === 'timeout') return `broker aborted ${id} epoch ${num(e, 'epoch') ?? '?'} (timed out)`;
  return `broker ${verb} ${id} epoch ${num(e, 'epoch') ?? '?'}`;
}

const list = (e: TraceEvent, key: string): string => (Array.isArray(e[key]) ? (e[key] as unknown[]).join(' ') : '?');

/** Kafka Streams, Spark and consumer-group events in a few words; undefined: say the fields. */
function engineText(e: TraceEvent): string | undefined {
  const task = str(e, 'task') ?? '?';
  const b = `batch ${num(e, 'batch') ?? '?'}`;
  switch (e.kind) {
    case 'ks.start':
      return `instance starts (incarnation ${num(e, 'incarnation') ?? '?'}, ${str(e, 'guarantee') ?? '?'})`;
    case 'ks.producer':
      return `producer ${str(e, 'transactionalId') ?? '?'} initialised, epoch ${num(e, 'epoch') ?? '?'}`;
    case 'ks.assigned': {
      const standbys = Array.isArray(e.standbys) && e.standbys.length > 0 ? `, standbys ${list(e, 'standbys')}` : '';
      return `generation ${num(e, 'generation') ?? '?'}: ${str(e, 'member') ?? '?'} gets tasks ${list(e, 'tasks') || '(none)'}${standbys}`;
    }
    case 'ks.standby': {
      const action = str(e, 'action');
      if (action === 'caught-up') return `standby ${task} caught up: ${list(e, 'offsets')}`;
      if (action === 'promoted') return `standby ${task} promoted to active: store ${str(e, 'store') ?? '?'} kept, restoring from @${num(e, 'offset') ?? '?'}`;
      if (action === 'assigned') return `standby ${task} assigned: stores ${list(e, 'stores')}`;
      return `standby ${task} ${action ?? '?'}`;
    }
    case 'ks.restored':
      return `${task} store ${str(e, 'store') ?? '?'} restored: ${num(e, 'records') ?? '?'} records from ${str(e, 'topic') ?? '?'}/${num(e, 'partition') ?? '?'} up to @${num(e, 'offset') ?? '?'}`;
    case 'ks.standbys-paused':
      return `standbys ${list(e, 'tasks')} paused: the active tasks restore first`;
    case 'ks.standbys-resumed':
      return `standbys ${list(e, 'tasks')} resumed: every active task has restored`;
    case 'ks.fetch-paused':
      return `${task} pauses fetching ${str(e, 'topic') ?? '?'}/${num(e, 'partition') ?? '?'}: ${num(e, 'buffered') ?? '?'} records buffered, more than buffered.records.per.partition`;
    case 'ks.fetch-resumed':
      return `${task} resumes fetching ${str(e, 'topic') ?? '?'}/${num(e, 'partition') ?? '?'}: ${num(e, 'buffered') ?? '?'} records buffered`;
    case 'ks.offsets-unstable':
      return `${task} waits: committed offsets of ${list(e, 'partitions')} are still in an open transaction (unstable); it asks again`;
    case 'ks.running':
      return `${task} ${e.resumed === true ? 'resumed, ' : ''}running from ${list(e, 'offsets')}, stream time ${fmtWm(num(e, 'streamTime'))}`;
    case 'ks.commit':
      return `commit in generation ${num(e, 'generation') ?? '?'}: ${list(e, 'offsets') || '(no offsets: its tasks consumed nothing yet)'}` +
        (Array.isArray(e.overMarkers) ? ` (over transaction markers only on ${list(e, 'overMarkers')})` : '');
    case 'ks.offset-reset':
      return `${task} fetched below the log start: ${str(e, 'topic') ?? '?'}/${num(e, 'partition') ?? '?'} reset from @${num(e, 'from') ?? '?'} to the earliest offset @${num(e, 'to') ?? '?'}`;
    case 'ks.purge':
      return `after the commit begun at ${num(e, 'commitAt') ?? '?'} ms, purge repartition records below the committed offsets ${list(e, 'offsets')}`;
    case 'ks.revoked':
      return `generation ${num(e, 'generation') ?? '?'} tasks revoked: ${list(e, 'tasks')}`;
    case 'ks.suspended':
      return `committed and suspended: ${list(e, 'tasks') || '(none)'} (processors closed, buffers cleared, stores kept open for the next assignment)`;
    case 'ks.lost':
      return `tasks lost (${list(e, 'tasks')}): ${str(e, 'reason') ?? '?'}`;
    case 'ks.quiet':
      return `quiet in generation ${num(e, 'generation') ?? '?'}`;
    case 'ks.closed':
      return 'closed';
    case 'ks.window.add':
      return `${task} record ${str(e, 'ids') ?? '?'} ts ${fmtWm(num(e, 'ts'))} joins ${win(e)} (stream time ${fmtWm(num(e, 'streamTime'))})`;
    case 'ks.window.expired':
      return `${task} record ${str(e, 'ids') ?? '?'} ts ${fmtWm(num(e, 'ts'))} finds ${win(e)} empty: the store hides records ${str(e, 'hidden') ?? '?'} (store time ${fmtWm(num(e, 'storeTime'))}, retention ${num(e, 'retention') ?? '?'} ms), and the window starts afresh`;
    case 'ks.session.expired':
      return `${task} record ${str(e, 'ids') ?? '?'} ts ${fmtWm(num(e, 'ts'))} passes over restored sessions its store hides (store time ${fmtWm(num(e, 'storeTime'))}, retention ${num(e, 'retention') ?? '?'} ms): it does not merge with them`;
    case 'record.dropped':
      return `${task} record ${str(e, 'ids') ?? '?'} ts ${fmtWm(num(e, 'ts'))} dropped: ${str(e, 'reason') ?? '?'}${num(e, 'end') !== undefined ? ` ${win(e)} (stream time ${fmtWm(num(e, 'streamTime'))}, grace ${num(e, 'grace') ?? '?'})` : ''}`;
    case 'group.rebalance':
      return `${str(e, 'group') ?? '?'} rebalances (${str(e, 'reason') ?? '?'}${e.clientReason !== undefined ? `, asked: ${str(e, 'clientReason') ?? '?'}` : ''}), ${num(e, 'members') ?? '?'} members${e.aborted === true ? `; generation ${num(e, 'generation') ?? '?'}, being written, is aborted` : ''}`;
    case 'group.generation':
      return `${str(e, 'group') ?? '?'} generation ${num(e, 'generation') ?? '?'}: ${list(e, 'members') || '(no members)'}`;
    case 'group.fenced':
      return `${str(e, 'member') ?? '?'} of generation ${num(e, 'generation') ?? '?'} fenced (now ${num(e, 'current') ?? '?'}): ${str(e, 'code') ?? '?'}`;
    case 'group.txnOffsets':
      return `offsets into ${str(e, 'txnId') ?? '?'} #${num(e, 'n') ?? '?'} by ${str(e, 'member') || '(no member)'}, generation ${num(e, 'generation') ?? '?'}`;
    case 'spark.offsets':
      if (e.continuous === true) return `offsets/${num(e, 'batch') ?? '?'} of the epoch${e.created === false ? ' kept as an earlier run wrote it' : ' written'}: ${str(e, 'offsets') ?? '?'}`;
      return `offsets/${num(e, 'batch') ?? '?'} written, watermark ${fmtWm(num(e, 'watermark'))}${e.noData === true ? ' (no-data batch)' : ''}`;
    case 'spark.delay':
      return `trigger reads nothing: ${num(e, 'available') ?? '?'} new offsets, below minOffsetsPerTrigger ${num(e, 'min') ?? '?'} (until maxTriggerDelay passes)`;
    case 'spark.batch':
      return `${b} runs: ${list(e, 'offsets')}, late wm ${fmtWm(num(e, 'wmLate'))}, evict wm ${fmtWm(num(e, 'wmEvict'))}`;
    case 'spark.reduce':
      return `reduce ${b} partition ${num(e, 'partition') ?? '?'}: ${num(e, 'rows') ?? '?'} rows`;
    case 'spark.late':
      return `${b} drops ${str(e, 'key') ?? '?'} [${num(e, 'start') ?? '?'},${num(e, 'end') ?? '?'}) rows ${str(e, 'ids') ?? '?'} (late wm ${fmtWm(num(e, 'wmLate'))})`;
    case 'spark.commit':
      if (e.continuous === true) return `epoch ${num(e, 'batch') ?? '?'} committed (commits/${num(e, 'batch') ?? '?'})`;
      return `commits/${num(e, 'batch') ?? '?'} written, next watermark ${fmtWm(num(e, 'nextWatermark'))}`;
    case 'spark.sink.skip':
      if (e.sink === 'memory') return `memory sink skips ${b}: the table holds batch ${num(e, 'committed') ?? '?'} already`;
      return `sink skips ${b} partition ${num(e, 'partition') ?? '?'}: batch ${num(e, 'committed') ?? '?'} already written`;
    case 'spark.start':
      return `driver starts (incarnation ${num(e, 'incarnation') ?? '?'})${str(e, 'memoryTable') !== undefined ? `, memory table ${str(e, 'memoryTable')} empty` : ''}`;
    case 'spark.memory.add':
      return `memory table ${str(e, 'table') ?? '?'} ${e.truncated === true ? 'replaced by' : 'appends'} ${b}: ${num(e, 'rows') ?? '?'} rows, ${num(e, 'tableRows') ?? '?'} in the table`;
    case 'spark.query.refused':
      return `the ${str(e, 'outputMode') ?? '?'}-mode query refuses to recover from its checkpoint (its memory table died with the driver): ${str(e, 'reason') ?? '?'}`;
    case 'spark.finished':
      return e.continuous === true ? 'continuous query finished: the committed offsets reached the end of the input' : `query finished after ${num(e, 'batches') ?? '?'} batches`;
    case 'spark.epoch':
      return `epoch ${num(e, 'epoch') ?? '?'} starts (run ${num(e, 'run') ?? '?'})`;
    case 'spark.cont.task':
      return `long-running task of partition ${num(e, 'partition') ?? '?'} starts at offset ${num(e, 'offset') ?? '?'} in epoch ${num(e, 'epoch') ?? '?'}`;
    case 'spark.query.fail':
      return `run ${num(e, 'run') ?? '?'} fails: ${str(e, 'reason') ?? '?'}`;
    default:
      return FAULT_KINDS.has(e.kind) ? faultText(e) : undefined;
  }
}

function genericText(e: TraceEvent): string {
  const parts: string[] = [];
  for (const key in e) {
    if (key === 'seq' || key === 't' || key === 'p' || key === 'kind') continue;
    const v = e[key];
    if (v === undefined) continue;
    parts.push(`${key}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join(' ');
}

/** One line of the event log: seq, virtual time, process (padded to `processWidth`: the run's longest name keeps the columns), kind, description. */
export function eventRow(e: TraceEvent, processWidth = 8): string {
  return `${String(e.seq).padStart(7)} ${fmtNum(e.t).padStart(7)}ms ${e.p.padEnd(processWidth)} ${e.kind.padEnd(18)} ${describeEvent(e)}`;
}

/** A task's status in a few words: `aligning c3`, `snapshot c3`, `running, eof`. */
export function statusText(t: TaskState): string {
  switch (t.status) {
    case 'aligning':
      return `aligning c${t.checkpoint}`;
    case 'snapshotting':
      return `snapshot c${t.checkpoint}`;
    case 'running':
      return t.ended ? 'running, eof' : t.idle ? 'idle' : 'running';
    default:
      return t.status;
  }
}
