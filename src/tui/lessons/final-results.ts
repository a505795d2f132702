/**
 * Lesson `final-results`: one final count per window, three ways. The same
 * wordcount-final (400 words, one-second tumbling windows, 200 ms for late
 * records, exactly-once, seed 1, no faults) on Flink, Kafka Streams and
 * Spark, each emitting a word's count for a window once, when it will not
 * change any more: Flink fires an event-time window without allowed
 * lateness when the watermark passes its end, Kafka Streams' suppress
 * (`untilWindowCloses`) holds each window's latest count in a buffer until
 * its own stream time passes the window's end plus the grace, Spark in
 * append mode writes a window in the batch whose watermark has passed its
 * end. Each step reads its numbers from the run; the steps follow the first
 * window, [0, 1000), through each engine to where its count becomes visible,
 * and a record that came too late for it.
 */
import { num, str } from '../model/fields.ts';
import { engineRuns, eventsOf, lastBefore, verdictText, type Lesson, type StepContext } from './types.ts';

/** The window the lesson follows: the first one. */
const FIRST_END = 1_000;

const FLINK = 'window.,record.late,checkpoint.complete,txn.commit';
const KS = 'ks.suppress.,record.dropped,txn.commit,ks.commit';
const SPARK = 'spark.batch,spark.late,spark.commit,txn.commit';

const ofFirstWindow = (c: StepContext): boolean => num(c.event, 'end') === FIRST_END;

export const finalResultsLesson: Lesson = {
  name: 'final-results',
  title: 'One final result per window, three ways',
  summary: 'the same counts on Flink, Kafka Streams and Spark, each window emitted once: a firing without allowed lateness, suppress, append mode',
  runs: engineRuns({ scenario: 'wordcount-final', events: 400 }, { flink: 'Flink: a window fires once', kstreams: 'Kafka Streams: suppress', spark: 'Spark: append mode' }),
  steps: [
    {
      title: 'One count per window, when it is final',
      at: 'start',
      text: 'The same 400 words (seed 1, no faults), counted per word in one-second tumbling windows, exactly-once, on three engines. Each writes a word\'s count for a window once, when no record can change it any more, and first waits for records that come late: Flink and Spark keep their watermark 300 ms behind the largest event time (100 ms for the input\'s disorder, 200 for late records), Kafka Streams closes a window 200 ms (its grace) after the window\'s end, in stream time: the largest event time itself. We follow the first window, [0, 1000), through Flink, then Kafka Streams, then Spark, to where its counts become visible. (`weir compare wordcount-final --seed 1 --events 400 --faults none` puts the three side by side.)',
    },
    {
      title: 'Flink: the watermark fires the window',
      at: { kind: 'window.fire', match: ofFirstWindow },
      filter: FLINK,
      text: (c) => `${str(c.event, 'task')} on ${c.event.p} fires window [${num(c.event, 'start')}, ${num(c.event, 'end')}) of ${str(c.event, 'key')}: count ${num(c.event, 'count')}. It fires when the watermark passes the window's end (here ${num(c.event, 'wm')}, at ${c.event.t} ms). The sources' watermark trails the largest event time by 300 ms, the 100 ms the input can be out of order plus the 200 ms for late records, and a task takes the least of its inputs' watermarks. With no allowed lateness the firing is final: the window's state is dropped at once.`,
    },
    {
      title: 'Flink: too late for its window',
      at: { kind: 'record.late', match: (c: StepContext) => (num(c.event, 'ts') ?? Infinity) < FIRST_END },
      filter: FLINK,
      text: (c) => `Record ${num(c.event, 'id')} (${str(c.event, 'key')}, event time ${num(c.event, 'ts')}) reaches ${str(c.event, 'task')} when the watermark is already ${num(c.event, 'wm')}: its window fired and is gone. Flink does not drop it silently: it goes to the late side output, which this job writes beside the counts. The count stays as it fired.`,
    },
    {
      title: 'Flink: visible at the checkpoint',
      at: { kind: 'txn.commit', match: (c: StepContext) => str(c.event, 'task') !== undefined && (str(c.event, 'txn') ?? '').startsWith('sink-') },
      filter: FLINK,
      text: (c) => {
        const fired = eventsOf(c, 'window.fire').find((e) => e.end === FIRST_END && e.task === c.event.task);
        return `${str(c.event, 'task')} commits ${str(c.event, 'txn')} once checkpoint ${num(c.event, 'checkpoint')} completed, at ${c.event.t} ms: the counts it fired into that transaction${fired ? ` (window [0, 1000) at ${fired.t} ms)` : ''} are visible only now. Flink's final count waits for the watermark, then for the next completed checkpoint (every 500 ms) (${verdictText(c)}).`;
      },
    },
    {
      title: 'Kafka Streams: every update, held back',
      run: 'kstreams',
      at: { kind: 'ks.suppress.held' },
      filter: KS,
      text: (c) => `Kafka Streams counts each word in a windowed store and sends each update downstream at the next commit (the record cache keeps one per key and window in between). Suppress, untilWindowCloses, takes the update into its buffer instead of passing it on: in ${c.event.p}'s task ${str(c.event, 'task')}, its stream time ${num(c.event, 'streamTime')} (the largest event time that reached it) has not passed the earliest window it holds, ending at ${num(c.event, 'end')}, plus the ${num(c.event, 'suppressMs')} ms grace. The buffer is a store with its own changelog, so a crash would not lose what it holds.`,
    },
    {
      title: 'Kafka Streams: released once',
      run: 'kstreams',
      at: { kind: 'ks.suppress.emit', match: ofFirstWindow },
      filter: KS,
      text: (c) => `At ${c.event.t} ms an update moves the stream time of the suppress in ${c.event.p}'s task ${str(c.event, 'task')} to ${num(c.event, 'streamTime')}, past ${num(c.event, 'end')} + ${num(c.event, 'suppressMs')}: the buffer releases window [${num(c.event, 'start')}, ${num(c.event, 'end')}) of ${str(c.event, 'key')} with its latest count, and every other window that has closed, oldest first, then deletes them from the buffer (a tombstone in its changelog). Each task keeps its own stream time: no watermark across partitions.`,
    },
    {
      title: 'Kafka Streams: visible at the commit',
      run: 'kstreams',
      at: {
        kind: 'txn.commit',
        match: (c: StepContext) => {
          const emit = lastBefore(c, 'ks.suppress.emit');
          return emit !== undefined && (str(c.event, 'txnId') ?? '').startsWith(`weir-app-${emit.p}-`);
        },
      },
      filter: KS,
      text: (c) => `The released counts went into ${str(c.event, 'txnId')}, the transaction of the commit in progress, with the buffer's tombstones and the consumed offsets; it commits at ${c.event.t} ms and the counts are visible. Kafka Streams' final count waits for the grace in its own stream time, then for the commit that carries it (every 100 ms).`,
    },
    {
      title: 'Kafka Streams: dropped after the grace',
      run: 'kstreams',
      at: { kind: 'record.dropped', match: ofFirstWindow },
      filter: KS,
      text: (c) => `A record of ${str(c.event, 'key')} at event time ${num(c.event, 'ts')} reaches the count in ${str(c.event, 'task')} when its stream time is ${num(c.event, 'streamTime')}: window [${num(c.event, 'start')}, ${num(c.event, 'end')}) closed at ${num(c.event, 'end')} + ${num(c.event, 'grace')} grace, so the record is dropped (${str(c.event, 'reason')}, counted in the task's dropped-records metric). It never reaches suppress, so the count released stays final (${verdictText(c)}).`,
    },
    {
      title: 'Spark: the batch whose watermark passed the end',
      run: 'spark',
      at: { kind: 'spark.batch', match: (c: StepContext) => (num(c.event, 'wmEvict') ?? 0) >= FIRST_END },
      filter: SPARK,
      text: (c) => `Spark counts in micro-batches, every 100 ms. Batch ${num(c.event, 'batch')} runs with watermark ${num(c.event, 'wmEvict')}: the largest event time of the batches before it, less 300 ms (the same 100 + 200 as Flink's), over every partition at once. In append mode a window is written once, in the first batch whose watermark has passed its end, and then evicted from the state store: this batch writes window [0, 1000) of every word that has one. Rows are judged late against the watermark of the batch before (${num(c.event, 'wmLate')}).`,
    },
    {
      title: 'Spark: visible when the batch commits',
      run: 'spark',
      at: { kind: 'txn.commit', match: (c: StepContext) => (str(c.event, 'txnId') ?? '').startsWith('spark-sink-') },
      filter: SPARK,
      text: (c) => {
        const batch = lastBefore(c, 'spark.batch');
        return `The sink writes the batch's rows in one transaction per output partition; ${str(c.event, 'txnId')} commits at ${c.event.t} ms${batch ? `, ${c.event.t - batch.t} ms after batch ${num(batch, 'batch')} began` : ''}, and the counts of window [0, 1000) are visible. Only batches that close a window write anything: most of Spark's batches here commit no transaction at all. Spark's final count waits for the watermark, which moves only between batches, then for the batch.`;
      },
    },
    {
      title: 'Spark: late by the batch watermark',
      run: 'spark',
      at: { kind: 'spark.late', match: ofFirstWindow },
      filter: SPARK,
      text: (c) => `In batch ${num(c.event, 'batch')}, ${c.event.p} finds record ${str(c.event, 'ids')} of ${str(c.event, 'key')} for window [${num(c.event, 'start')}, ${num(c.event, 'end')}), older than the batch's late watermark ${num(c.event, 'wmLate')}: dropped before it reaches the state. The window was written and evicted; nothing changes it (${verdictText(c)}).`,
    },
    {
      title: 'Three waits for one answer',
      run: 'spark',
      at: 'end',
      text: 'All three wrote each window once and dropped or set aside what came too late. What differs is whose time closes a window and what comes after. Flink\'s watermark is the least over its inputs, and its count waits for a checkpoint. Kafka Streams\' grace counts from each task\'s own stream time, without the 100 ms the others allow for disorder, so it closes windows soonest and, here, drops the most records as late; its count waits only for a commit. Spark\'s watermark covers every partition but moves only between batches, so the window is written a batch after its data. `weir compare wordcount-final --seed 1 --events 400 --faults none` measures the visible latency; q leaves.',
    },
  ],
};
