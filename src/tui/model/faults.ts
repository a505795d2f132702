/**
 * Which trace events are faults (or the recovery from one), and how to say
 * them in a few words. Planned faults (`fault.planned`, all at time 0) are
 * the plan, not a fault happening, so they are not in this list.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { num, str } from './fields.ts';

export const FAULT_KINDS: ReadonlySet<string> = new Set([
  'proc.crash', 'proc.restart', 'net.partition', 'net.heal', 'net.spike',
  'disk.torn', 'disk.lost', 'disk.corrupt', 'buggify', 'job.fail', 'job.wait', 'job.restore',
  // Kafka Streams and Spark (never in a Flink trace): a thread losing its tasks, a fenced member, a driver
  // restarting from its logs, a task sent again.
  'ks.lost', 'group.fenced', 'spark.restart', 'spark.task.retry',
]);

/** True for a fault or a recovery step; the first deploy (`job.restore` of attempt 0) is neither. */
export function isFaultEvent(e: TraceEvent): boolean {
  if (!FAULT_KINDS.has(e.kind)) return false;
  // A driver's first start finds empty logs: not a recovery.
  if (e.kind === 'spark.restart') return (num(e, 'latestOffsets') ?? -1) >= 0;
  return e.kind !== 'job.restore' || (num(e, 'attempt') ?? 0) > 0;
}

/** A short description of a fault event (see `isFaultEvent`). */
export function faultText(e: TraceEvent): string {
  switch (e.kind) {
    case 'proc.crash':
      return `${e.p} crashed`;
    case 'proc.restart':
      return `${e.p} restarted`;
    case 'net.partition':
      return `network partition ${str(e, 'a') ?? '?'} | ${str(e, 'b') ?? '?'} for ${num(e, 'durationMs') ?? '?'} ms`;
    case 'net.heal':
      return `partition ${str(e, 'a') ?? '?'} | ${str(e, 'b') ?? '?'} healed`;
    case 'net.spike':
      return str(e, 'phase') === 'end' ? 'latency spike over' : `latency spike +${num(e, 'extraMs') ?? '?'} ms`;
    case 'disk.torn':
      return `${e.p}: torn write on ${str(e, 'path') ?? '?'}`;
    case 'disk.lost':
      return `${e.p}: unsynced write lost on ${str(e, 'path') ?? '?'}`;
    case 'disk.corrupt':
      return `${e.p}: corrupt data in ${str(e, 'path') ?? '?'}`;
    case 'buggify':
      return `buggify ${str(e, 'site') ?? '?'}`;
    case 'job.fail':
      return `job attempt ${num(e, 'attempt') ?? '?'} failed: ${str(e, 'reason') ?? '?'}`;
    case 'job.wait': {
      const tms = (str(e, 'tms') ?? '').split(',').filter((x) => x !== '');
      const attempt = `job attempt ${num(e, 'attempt') ?? '?'} waits`;
      if (str(e, 'for') === 'slots') return `${attempt} for slots: ${tms.length === 0 ? 'no task manager answers' : `only ${tms.join(', ')} ${tms.length === 1 ? 'answers' : 'answer'}`}`;
      return `${attempt} for the cancelled tasks on ${tms.join(', ')} to end`;
    }
    case 'job.restore': {
      const c = num(e, 'checkpoint') ?? -1;
      return `job attempt ${num(e, 'attempt') ?? '?'} restores ${c >= 0 ? `checkpoint ${c}` : 'from scratch'}`;
    }
    case 'ks.lost':
      return `${e.p} lost its tasks: ${str(e, 'reason') ?? '?'}`;
    case 'group.fenced':
      return `${str(e, 'member') ?? '?'} fenced (generation ${num(e, 'generation') ?? '?'} < ${num(e, 'current') ?? '?'})`;
    case 'spark.restart': {
      const n = num(e, 'latestOffsets') ?? -1;
      if (e.continuous === true) return `continuous run ${num(e, 'run') ?? '?'} starts in epoch ${num(e, 'epoch') ?? '?'}, from the offsets of epoch ${num(e, 'latestCommit') ?? '?'}`;
      return e.rerun === true ? `driver restarts, re-runs batch ${n}` : `driver restarts after batch ${num(e, 'latestCommit') ?? '?'}`;
    }
    case 'spark.task.retry':
      return `${(str(e, 'task') ?? '?').replace(/^spark\./, '')} of batch ${num(e, 'batch') ?? '?'} sent again`;
    default:
      return e.kind;
  }
}
