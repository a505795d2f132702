/**
 * Lesson `three-engines`: three engines, one crash. The same wordcount (400
 * words, one-second tumbling windows, exactly-once, seed 1) on Flink, Kafka
 * Streams and Spark, and the same fault stated by role — a worker crashes at
 * 1.5 s and restarts 300 ms later: Flink's tm-0, Kafka Streams' ks-0,
 * Spark's executor-0 (`weir compare` maps it the same way). Where each
 * engine keeps its state, how its output becomes visible, and how each
 * recovers: Flink restores a checkpoint and replays from its offsets, Kafka
 * Streams rejoins the group, fences the old producer as its first task
 * starts (a new epoch of its transactional id) and rebuilds its stores from
 * the changelog, Spark sends the lost tasks again and finishes the batch its
 * offset log already fixed.
 */
import { planFor } from '../../explore/compare.ts';
import { num, str } from '../model/fields.ts';
import { abortSinceCrash, engineRuns, eventsOf, ksTxnOpenBefore, verdictText, type Lesson, type StepContext } from './types.ts';

const CRASH_AT_MS = 1_500;

const FLINK = 'checkpoint.,barrier.inject,job.,task.deploy,txn.,proc.';
const KS = 'ks.,group.rebalance,txn.,proc.';
const SPARK = 'spark.,txn.commit,proc.';
const afterCrash = (c: StepContext): boolean => c.event.t > CRASH_AT_MS;
const countOf = (c: StepContext, kind: string, upTo = Infinity): number => c.replay.index.positions(kind).filter((i) => i <= upTo).length;
/** What became of the windows Flink fired before the crash, from the run's trace. */
const firedBeforeCrash = (c: StepContext): string => {
  const crash = c.replay.index.positions('proc.crash')[0];
  const fired = crash === undefined ? 0 : countOf(c, 'window.fire', crash);
  return fired === 0
    ? 'No window fired before the crash, so the transactions of the earlier checkpoints held nothing: each sink closed them at their barriers, with nothing to pre-commit or commit.'
    : `${fired} windows fired before the crash, into transactions that no completed checkpoint held: the next attempt aborted those (the step before), its replay fired the windows again, and each count is visible once, now.`;
};

export const threeEnginesLesson: Lesson = {
  name: 'three-engines',
  title: 'Three engines, one crash',
  summary: 'the same wordcount on Flink, Kafka Streams and Spark, a worker crashing in each: where state lives, how each recovers, why visible latency differs',
  runs: engineRuns(
    { scenario: 'wordcount', events: 400 },
    { flink: 'Flink: tm-0 crashes at 1.5 s', kstreams: 'Kafka Streams: ks-0 crashes at 1.5 s', spark: 'Spark: executor-0 crashes at 1.5 s' },
    (engine) => ({ plan: planFor(engine, [{ kind: 'crash', role: 'worker', atMs: CRASH_AT_MS, restartAfterMs: 300 }]) }),
  ),
  steps: [
    {
      title: 'One workload, three engines',
      at: 'start',
      text: 'The same 400 words (seed 1), counted per word in one-second tumbling windows, exactly-once, on three engines. The same fault in each: a worker crashes at 1.5 s and restarts 300 ms later — Flink\'s task manager tm-0, Kafka Streams\' instance ks-0, Spark\'s executor-0. We watch Flink first, then Kafka Streams, then Spark. (`weir compare wordcount --seed 1 --events 400 --crash worker@1500` puts the three side by side in numbers.)',
    },
    {
      title: 'Flink: state in the tasks, snapshots in the store',
      at: { kind: 'checkpoint.complete' },
      filter: FLINK,
      text: (c) => `Flink keeps each window's counts in the memory of the task that owns the key. Every 500 ms (--checkpoint-interval) the job manager sends barriers from the sources; each task snapshots its state to the checkpoint store when the barrier passes, the sources with their input offsets. Checkpoint ${num(c.event, 'checkpoint')} is now complete: a consistent cut of state and offsets.`,
    },
    {
      title: 'Flink: the crash',
      at: { kind: 'proc.crash' },
      filter: FLINK,
      text: (c) => `${c.event.p} crashes at ${c.event.t} ms: its tasks' state and timers are gone. Its sinks' open transactions are not: they stay open on the broker, holding back read-committed readers, until the next attempt aborts them. Nothing it had not committed was ever visible.`,
    },
    {
      title: 'Flink: the job fails',
      at: { kind: 'job.fail' },
      filter: FLINK,
      text: (c) => `The job manager notices (${str(c.event, 'reason')}) and fails the whole job: every task of every task manager stops, not only those on tm-0. The checkpoint in flight is aborted.`,
    },
    {
      title: 'Flink: restore and replay',
      at: { kind: 'job.restore' },
      filter: FLINK,
      text: (c) => `Attempt ${num(c.event, 'attempt')} starts from checkpoint ${num(c.event, 'checkpoint')}: every task reads its snapshot back from the checkpoint store, and the sources rewind to the offsets in it, so every record read since that checkpoint is read and counted again — into new transactions.`,
    },
    {
      title: 'Flink: the failed attempt\'s transactions',
      at: { kind: 'txn.abort', match: (c: StepContext) => (str(c.event, 'reason') ?? '').includes('failed attempt') },
      filter: FLINK,
      text: (c) => `${str(c.event, 'task')} aborts ${str(c.event, 'txn')}, ${str(c.event, 'reason')}: the counts the crashed attempt wrote after the restored checkpoint disappear, and their replay is written once.`,
    },
    {
      title: 'Flink: output waits for the checkpoint',
      at: { kind: 'txn.commit', match: (c: StepContext) => str(c.event, 'task') !== undefined },
      filter: FLINK,
      text: (c) => `${str(c.event, 'task')} commits transaction ${str(c.event, 'txn')} now that checkpoint ${num(c.event, 'checkpoint')} completed. A window's count is written once the watermark passes the window's end, into the open transaction, and becomes visible only at the next completed checkpoint: the window, the watermark and up to one checkpoint interval — Flink's visible latency. ${firedBeforeCrash(c)} Flink (${verdictText(c)}).`,
    },
    {
      title: 'Kafka Streams: state in local stores, logged',
      run: 'kstreams',
      // ks-0's first tasks in a generation it shares with ks-1, counting ones among them.
      at: {
        kind: 'ks.assigned',
        match: (c: StepContext) => c.event.p === 'ks-0' && (c.state.ks?.group.members.length ?? 0) > 1 && Array.isArray(c.event.tasks) && c.event.tasks.some((t) => String(t).startsWith('1_')),
      },
      filter: KS,
      text: (c) => `Kafka Streams has no job manager and no checkpoint store. In generation ${num(c.event, 'generation')} the group hands ${c.event.p} tasks ${String(c.event.tasks).replace(/,/g, ', ')} (ks-1 gets the other half): each 0_p re-keys the words of input partition p into a repartition topic, each 1_p counts them. The counts live in a local store, and every change to it is also written to a compacted changelog topic in the broker — that log is the state's durable copy.`,
    },
    {
      title: 'Kafka Streams: one transaction per commit',
      run: 'kstreams',
      // A commit with counts in it: output and changelog besides the repartitioned words and the offsets.
      at: { kind: 'txn.commit', match: (c: StepContext) => (str(c.event, 'txnId') ?? '').includes('ks-0') && (num(c.event, 'partitions') ?? 0) > 4 },
      filter: KS,
      text: (c) => `100 ms (--commit-interval) after its last commit ended, ks-0 commits: the record cache flushes, and one transaction (${str(c.event, 'txnId')}, ${num(c.event, 'partitions')} partitions) makes the updated counts, the changelog writes and the consumed offsets visible together. A count is visible within about two commit intervals of its input — the words reach the counting task through the repartition topic, which it reads committed, so first the re-keying task's commit and then its own — with no waiting for the window to close.`,
    },
    {
      title: 'Kafka Streams: the crash',
      run: 'kstreams',
      at: { kind: 'proc.crash' },
      filter: KS,
      text: (c) => {
        const lost = ksTxnOpenBefore(c) ? 'its stores and its open transaction are gone' : 'its stores are gone, and with them what it processed since its last commit: none of it had been sent, so no transaction of it was open';
        return `${c.event.p} crashes at ${c.event.t} ms: ${lost}. The partitions it had read since its last commit will be read again from the committed offsets.`;
      },
    },
    {
      title: 'Kafka Streams: the group rebalances',
      run: 'kstreams',
      at: { kind: 'group.rebalance', match: afterCrash },
      filter: KS,
      text: (c) => `Restarted, ks-0 joins the group again at once (${str(c.event, 'reason')}), its producer not initialised yet; the broker rebalances the group, which was at generation ${num(c.event, 'generation')}. weir runs Kafka Streams' eager protocol: every member gives up all its tasks (suspended, not closed: a task handed back to the same instance resumes from memory) and the tasks are dealt anew. ks-1 keeps running until the rebalance asks for its tasks. (Kafka's default since 2.4 is cooperative rebalancing, in which ks-1 would keep its tasks throughout.)`,
    },
    {
      title: 'Kafka Streams: a new epoch fences the old one',
      run: 'kstreams',
      // After the rebalance: the restarted instance's producer initialises as its first task does.
      at: { kind: 'ks.producer', match: (c: StepContext) => c.event.p === 'ks-0' && (num(c.event, 'epoch') ?? 0) > 1 },
      filter: KS,
      text: (c) => {
        const left = abortSinceCrash(c) !== undefined ? 'the broker aborts what the old incarnation left open' : 'the broker would abort whatever the old incarnation had left open (here nothing: it crashed between two commits)';
        const assigned = eventsOf(c, 'ks.assigned').filter((e) => e.p === c.event.p && e.seq < c.event.seq).at(-1);
        const when = assigned === undefined ? 'its tasks' : `its tasks in generation ${num(assigned, 'generation')}`;
        return `ks-0 gets ${when}, and as the first of them is initialised it initialises the same transactional id (${str(c.event, 'transactionalId')}) with epoch ${num(c.event, 'epoch')}: ${left}, and refuses the old epoch from now on. That is the whole of Kafka Streams' rollback: an aborted transaction's output, changelog writes and offsets vanish together.`;
      },
    },
    {
      title: 'Kafka Streams: restore from the changelog',
      run: 'kstreams',
      at: { kind: 'ks.restored', match: (c: StepContext) => afterCrash(c) && (num(c.event, 'records') ?? 0) > 0 },
      filter: KS,
      text: (c) => `Before task ${str(c.event, 'task')} counts anything, ${c.event.p} replays the committed changelog of store ${str(c.event, 'store')}: ${num(c.event, 'records')} records, read committed, up to offset ${num(c.event, 'offset')}. Then the task resumes from its committed offsets of the repartition topic, so what ks-0 read after its last commit is read again. No snapshot store: the changelog is the state's durable copy (a store's local \`.checkpoint\` file only says how far the local copy had got, so a restore can start there; a crash under exactly-once leaves none) (${verdictText(c)}).`,
    },
    {
      title: 'Spark: a batch is fixed before it runs',
      run: 'spark',
      at: { kind: 'spark.batch', match: (c: StepContext) => (num(c.event, 'batch') ?? 0) >= 1 },
      filter: SPARK,
      text: (c) => `Spark runs micro-batches. Every 100 ms (--trigger-interval) the driver writes batch ${num(c.event, 'batch')}'s end offsets and watermark to the offset log (${String(c.event.offsets)}) before running it. The counts live in the checkpoint location as versioned state: a reduce task opens version N, adds the batch, writes version N+1.`,
    },
    {
      title: 'Spark: the batch commits',
      run: 'spark',
      at: { kind: 'spark.commit' },
      filter: SPARK,
      text: (c) => `Batch ${num(c.event, 'batch')} is done: its output was written in one transaction per output partition, marked with the batch id, and the driver wrote the commit log. (That exactly-once sink to a topic is weir's: Spark's own Kafka sink is at-least-once. It follows the rule of Spark's file sink, whose driver skips a batch its \`_spark_metadata\` log shows written.) A count is visible once its batch commits — a trigger interval plus the batch's own run.`,
    },
    {
      title: 'Spark: the crash',
      run: 'spark',
      at: { kind: 'proc.crash' },
      filter: SPARK,
      text: (c) => `${c.event.p} crashes at ${c.event.t} ms. It holds nothing recovery needs: everything that counts is in the offset log, the state versions in the checkpoint location and the committed output. (Spark's executors also keep recent state versions in memory, as a cache; weir's keep none.)`,
    },
    {
      title: 'Spark: the lost task is sent again',
      run: 'spark',
      at: { kind: 'spark.task.retry' },
      filter: SPARK,
      text: (c) => `The driver's tasks of batch ${num(c.event, 'batch')} on the lost executor never answered; after weir's task timeout (1 s: Spark itself notices a lost executor by a dropped connection or missed heartbeats, then resubmits its tasks) it sends ${str(c.event, 'task')} again (attempt ${num(c.event, 'attempt')}). The batch keeps the offsets and watermark its offset-log entry fixed, so the retry reads exactly the same records. (Had the driver crashed, it would re-run the whole batch that has no commit-log entry, the same way.)`,
    },
    {
      title: 'Spark: the batch finishes',
      run: 'spark',
      at: { kind: 'spark.commit', match: afterCrash },
      filter: SPARK,
      text: (c) => `Batch ${num(c.event, 'batch')} commits at ${c.event.t} ms, ${c.event.t - CRASH_AT_MS} ms after the crash: Spark's recovery here is mostly noticing the lost executor (weir's 1 s task timeout), not a restore. ${countOf(c, 'spark.commit', c.index)} batches so far (${verdictText(c)}).`,
    },
    {
      title: 'Why visible latency differs',
      run: 'spark',
      at: 'end',
      text: 'The same input, three shapes of delay. Flink shows a window only when the watermark closes it, and then only at the next completed checkpoint (--checkpoint-interval, 500 ms). Kafka Streams and Spark show running counts: every commit (--commit-interval, 100 ms after the last one) or every batch (--trigger-interval, 100 ms plus the batch). After the crash Flink rewinds every task to a checkpoint, Kafka Streams rebuilds only the crashed instance\'s stores from their changelogs, and Spark notices the lost executor (here by weir\'s task timeout) and sends its tasks again. `weir compare wordcount --seed 1 --events 400 --crash worker@1500` measures all of it; q leaves.',
    },
  ],
};
