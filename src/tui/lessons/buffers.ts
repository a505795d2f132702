/**
 * Lesson `buffers`: how records travel between Flink tasks — in network
 * buffers, one per channel, sent when full or when the buffer timeout runs
 * out (`execution.buffer-timeout`); a barrier joins the buffer behind the
 * records already in it and sends it at once, so the receiver takes those
 * records before the barrier. The same job then runs with the timeout at 0,
 * which sends every record and every watermark in a buffer of its own.
 */
import { fmtNum } from '../model/format.ts';
import { num, str } from '../model/fields.ts';
import type { TraceEvent } from '../../runtime/trace-event.ts';
import type { RunSettings } from '../../explore/settings.ts';
import type { Lesson, StepContext } from './types.ts';

const task = (c: StepContext): string => str(c.event, 'task') ?? '?';
const FILTER = 'buffer,barrier';
const SETTINGS: RunSettings = { scenario: 'wordcount', seed: 1, events: 200, guarantee: 'exactly-once', faults: 'none', bugs: [] };

const records = (e: TraceEvent): number => num(e, 'records') ?? 0;
const plural = (n: number, word: string): string => `${fmtNum(n)} ${word}${n === 1 ? '' : 's'}`;

/** The run's buffers: those that carried records, the records, and those that carried only markers (watermarks, barriers, end of input). */
function buffersOf(c: StepContext): { withRecords: number; records: number; markersOnly: number } {
  let withRecords = 0;
  let total = 0;
  let markersOnly = 0;
  for (const i of c.replay.index.positions('buffer.send')) {
    const n = records(c.replay.index.events[i]!);
    if (n === 0) markersOnly++;
    else withRecords++;
    total += n;
  }
  return { withRecords, records: total, markersOnly };
}

function perBuffer(c: StepContext): string {
  const b = buffersOf(c);
  const each = b.withRecords > 0 ? (b.records / b.withRecords).toFixed(1) : '0';
  return `the ${plural(b.records, 'record')} went in ${plural(b.withRecords, 'buffer')}, ${each} a buffer on average, and ${plural(b.markersOnly, 'more buffer')} carried only watermarks, barriers or end of input`;
}

/** The buffer a barrier flushed to this receiver and channel, with records ahead of it (latest before the event). */
function flushedAhead(c: StepContext): TraceEvent | undefined {
  const e = c.event;
  const positions = c.replay.index.positions('buffer.send');
  for (let k = positions.length - 1; k >= 0; k--) {
    const p = positions[k]!;
    if (p >= c.index) continue;
    const s = c.replay.index.events[p]!;
    if (str(s, 'reason') === 'barrier' && str(s, 'to') === str(e, 'task') && num(s, 'ch') === num(e, 'ch') && num(s, 'checkpoint') === num(e, 'checkpoint') && num(s, 'attempt') === num(e, 'attempt')) {
      return records(s) > 0 ? s : undefined;
    }
  }
  return undefined;
}

export const buffersLesson: Lesson = {
  name: 'buffers',
  title: 'Network buffers',
  summary: 'buffers between tasks, the buffer timeout, a barrier behind records',
  runs: [
    { key: 'default', label: 'buffer timeout 100 ms (Flink\'s default)', settings: SETTINGS },
    { key: 'eager', label: 'buffer timeout 0', settings: { ...SETTINGS, bufferTimeoutMs: 0 } },
  ],
  steps: [
    {
      title: 'Records travel in buffers',
      at: 'start',
      filter: FILTER,
      text: 'Each source task reads its log partitions and sends every word to the window task that owns its key. A record is not sent alone: it goes into the output buffer of its channel, and the buffer is sent when it holds 256 records or when the task\'s buffer timeout runs out — Flink\'s execution.buffer-timeout, 100 ms by default. (Flink\'s buffers are 32 KiB memory segments, full by bytes, and one output flusher flushes all of a task\'s channels every timeout; weir counts records and times each buffer from its first.) The event log shows each buffer sent.',
    },
    {
      title: 'The buffer timeout runs out',
      at: { kind: 'buffer.send', match: (c: StepContext) => str(c.event, 'reason') === 'timeout' && records(c.event) > 1 },
      filter: FILTER,
      text: (c) => `${task(c)}'s buffer for ${str(c.event, 'to')} (its channel ${num(c.event, 'ch')}) goes out with ${plural(records(c.event), 'record')}: not full, but the buffer timeout ran out, so the oldest of them waited up to 100 ms. On a trickle of input this wait is most of a Flink job's latency; the buffer is what makes a record cheap. In this run ${perBuffer(c)}.`,
    },
    {
      title: 'A barrier flushes the buffer',
      at: { kind: 'buffer.send', match: (c: StepContext) => str(c.event, 'reason') === 'barrier' && records(c.event) > 0 },
      filter: FILTER,
      text: (c) => `Checkpoint c${num(c.event, 'checkpoint')}: ${task(c)} puts its barrier into the buffer for ${str(c.event, 'to')} behind ${plural(records(c.event), 'record')} still waiting there, and sends the buffer at once. A barrier never overtakes the records before it, and it does not wait for the timeout.`,
    },
    {
      title: 'Records first, then the barrier',
      at: { kind: 'barrier.receive', match: (c: StepContext) => flushedAhead(c) !== undefined },
      filter: FILTER,
      text: (c) => {
        const s = flushedAhead(c)!;
        const one = records(s) === 1;
        return `${task(c)} takes the ${plural(records(s), 'record')} from ${str(s, 'task')}'s buffer first, then barrier c${num(c.event, 'checkpoint')} on channel ${num(c.event, 'ch')}: ${one ? 'that record is' : 'those records are'} before the barrier, so ${one ? 'it is' : 'they are'} in the state this checkpoint snapshots, and a restore from it will not read ${one ? 'it' : 'them'} again.`;
      },
    },
    {
      title: 'The same job with the timeout at 0',
      run: 'eager',
      at: { kind: 'buffer.send', match: (c: StepContext) => records(c.event) > 0 },
      filter: FILTER,
      text: (c) => `Now --buffer-timeout 0: Flink then flushes the buffer after every record and every watermark it writes (its RecordWriter's flushAlways), and so does weir. Here ${task(c)} sends ${plural(records(c.event), 'record')} to ${str(c.event, 'to')} the moment it is written. In this run ${perBuffer(c)}: many more, smaller messages, and no record waits for a timeout. Flink's default trades that latency for throughput.`,
    },
  ],
};
