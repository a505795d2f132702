/**
 * Lesson `unfenced`: Kafka Streams under at-least-once fences no writer. The
 * run: wordcount on three instances, commits every 10 ms, heavy faults from
 * seed 14, 3,000 words. ks-2 is cut off from the broker; the group lets it
 * go and ks-0 takes its task 1_2 over, rebuilding the store from the
 * changelog. When the network heals ks-2 has not been told: its producer
 * sends what it held, and its changelog records of task 1_2 land among
 * ks-0's, until its offset commit is refused. ks-0 later gives the task up
 * with a checkpoint file naming its own last offset, which vouches for
 * ks-2's records below it too; when it gets the task back it loads that
 * file and reads only the changelog's tail, so its store keeps a value the
 * changelog has since overwritten — what Kafka does, and what `ks.restore`
 * counts under at-least-once. Then the same faults under exactly-once:
 * ks-2's writes are in a transaction that aborts when the group refuses it.
 */
import type { RunSettings } from '../../explore/settings.ts';
import { num, str } from '../model/fields.ts';
import { checkText, detailOf, eventsOf, lastBefore, type Lesson, type StepContext } from './types.ts';

const BASE: Omit<RunSettings, 'guarantee'> = {
  scenario: 'wordcount',
  engine: 'kstreams',
  seed: 14,
  events: 3000,
  parallelism: 3,
  commitIntervalMs: 10,
  faults: 'heavy',
  bugs: [],
};

/** The task whose store the lesson follows, its changelog partition, and the instance cut off. */
const TASK = '1_2';
const PARTITION = 2;
const ZOMBIE = 'ks-2';
const OWNER = 'ks-0';

const FILTER = 'ks.assigned,ks.lost,ks.restored,ks.checkpoint,ks.suspended,group.,txn.,proc.,net.partition,net.heal';

const ofTask = (c: StepContext): boolean => str(c.event, 'task') === TASK;

/** The changelog appends of the task's partition between two sequence numbers. */
function changelogAppends(c: StepContext, afterSeq: number, beforeSeq: number) {
  return eventsOf(c, 'log.append').filter((e) => e.seq > afterSeq && e.seq < beforeSeq && str(e, 'topic') === 'weir-app-counts-changelog' && num(e, 'partition') === PARTITION);
}

/** How many restored keys `ks.restore` set aside as another instance's writes, from its verdict. */
function unseenKeys(c: StepContext): number {
  const detail = c.replay.rec.meta.checks?.find((x) => x.name === 'ks.restore')?.detail ?? '';
  const m = /; (\d+) restored keys? without/.exec(detail);
  return m ? Number(m[1]) : 0;
}

export const unfencedLesson: Lesson = {
  name: 'unfenced',
  title: 'At-least-once fences no writer',
  summary: 'a cut-off Kafka Streams instance writes the changelog of a task another runs; the owner\'s store never reads it; exactly-once aborts it',
  runs: [
    { key: 'alos', label: 'at-least-once', settings: { ...BASE, guarantee: 'at-least-once' } },
    { key: 'eos', label: 'exactly_once_v2', settings: { ...BASE, guarantee: 'exactly-once' } },
  ],
  steps: [
    {
      title: 'Three instances, no transactions',
      at: 'start',
      text: 'wordcount on three Kafka Streams instances under at-least-once, committing every 10 ms (seed 14, heavy faults, 3,000 words). A commit here flushes the producer — output, repartition and changelog records, sent as they came — and then commits the consumed offsets to the group. No transaction and no producer epoch: the broker takes a write from anyone who sends it. We follow task 1_2, whose store "counts" is logged to partition 2 of its changelog.',
    },
    {
      title: 'Cut off',
      at: { kind: 'net.partition' },
      filter: FILTER,
      text: (c) => `At ${c.event.t} ms the network between ${str(c.event, 'a')} and ${str(c.event, 'b')} is cut for ${num(c.event, 'durationMs')} ms. ${ZOMBIE} runs tasks ${TASK} and 0_1; it goes on processing the records it had fetched, and what it writes waits in its producer.`,
    },
    {
      title: 'Another instance takes the task',
      at: { kind: 'ks.restored', match: (c: StepContext) => c.event.p === OWNER && ofTask(c) && str(c.event, 'source') === 'full' },
      filter: FILTER,
      text: (c) => {
        const expired = lastBefore(c, 'group.rebalance');
        const assigned = lastBefore(c, 'ks.assigned', OWNER);
        return `${ZOMBIE}'s session timed out (${str(expired ?? c.event, 'reason')}) and the group moved on: in generation ${num(assigned ?? c.event, 'generation')} ${OWNER} is given task ${TASK}. Before it processes anything it rebuilds the store from the changelog: ${num(c.event, 'records')} records, offsets below ${num(c.event, 'offset')}. From now on ${OWNER} writes that changelog partition. ${ZOMBIE} has not been told: as far as it knows, the task is still its own.`;
      },
    },
    {
      title: 'The zombie\'s writes land',
      at: { kind: 'ks.lost', match: (c: StepContext) => c.event.p === ZOMBIE },
      filter: FILTER,
      text: (c) => {
        const heal = lastBefore(c, 'net.heal');
        const appends = changelogAppends(c, heal?.seq ?? -1, c.event.seq);
        const count = appends.reduce((n, e) => n + (num(e, 'count') ?? 0), 0);
        const first = appends[0];
        const lastOne = appends.at(-1);
        const span = first === undefined || lastOne === undefined ? '' : ` (offsets ${num(first, 'baseOffset')} to ${(num(lastOne, 'baseOffset') ?? 0) + (num(lastOne, 'count') ?? 1) - 1})`;
        return `The network healed at ${heal?.t ?? '?'} ms. ${ZOMBIE}'s producer sent what it held, and its offset commit went after it; only the commit is refused (${str(c.event, 'reason')}): the group has no such member. ${ZOMBIE} counts its tasks lost and drops them. But its records are in: since the heal, partition ${PARTITION} of the changelog took ${count} record${count === 1 ? '' : 's'}${span}, from ${OWNER} and ${ZOMBIE} both (the log does not tell them apart), and each of them stays. Under at-least-once nothing told the broker to refuse ${ZOMBIE}'s writes.`;
      },
    },
    {
      title: 'A checkpoint that vouches for too much',
      at: { kind: 'ks.checkpoint', match: (c: StepContext) => c.event.p === OWNER && ofTask(c) && lastBefore(c, 'ks.lost', ZOMBIE) !== undefined && lastBefore(c, 'ks.revoked', OWNER) !== undefined },
      filter: FILTER,
      text: (c) => {
        const offsets = Array.isArray(c.event.offsets) ? (c.event.offsets as string[]).join(', ') : '?';
        return `${ZOMBIE} rejoins and the group rebalances: ${OWNER} gives task ${TASK} up, and as a revoked task under at-least-once does, it writes the task's checkpoint file (${offsets}): the store's file holds the changelog up to that offset, ${OWNER}'s own last write. That offset is above ${ZOMBIE}'s records too, which ${OWNER}'s store never took in: it writes the changelog, it does not read it while it runs.`;
      },
    },
    {
      title: 'Back from the file',
      at: { kind: 'ks.restored', match: (c: StepContext) => c.event.p === OWNER && ofTask(c) && str(c.event, 'source') === 'tail' },
      filter: FILTER,
      text: (c) => {
        const keys = unseenKeys(c);
        const crash = lastBefore(c, 'proc.crash');
        const why = crash === undefined ? 'the group rebalanced again' : `${crash.p} crashed at ${crash.t} ms and the group rebalanced again`;
        return `Later (${why}) ${OWNER} gets task ${TASK} back. It loads the store from its state directory, as its checkpoint file allows, and reads only the changelog's tail: ${num(c.event, 'records')} records from offset ${num(c.event, 'from')}. What lies below is taken as already in the store, ${ZOMBIE}'s writes with it. So for ${keys} key${keys === 1 ? '' : 's'} the store keeps ${OWNER}'s own older count where the committed changelog holds ${ZOMBIE}'s later one: store and changelog disagree. Kafka Streams does the same; a restore from the changelog's start would give the changelog's value.`;
      },
    },
    {
      title: 'What the judges say',
      at: 'end',
      text: (c) => `${detailOf(c, 'ks.restore')} ${detailOf(c, 'at-least-once')} And ${checkText(c, 'exactly-once')}: records counted twice, as at-least-once does. Next: the same faults under exactly-once.`,
    },
    {
      title: 'Exactly-once: the zombie is refused',
      run: 'eos',
      at: { kind: 'txn.abort', match: (c: StepContext) => (str(c.event, 'txnId') ?? '').includes(ZOMBIE) && lastBefore(c, 'net.heal') !== undefined },
      filter: FILTER,
      text: (c) => {
        const fenced = lastBefore(c, 'group.fenced');
        const txnId = str(c.event, 'txnId');
        const begun = lastBefore(c, 'txn.begin', undefined, (e) => str(e, 'txnId') === txnId);
        const written = [...new Set(eventsOf(c, 'log.append').filter((e) => e.seq > (begun?.seq ?? c.event.seq) && e.seq < c.event.seq && str(e, 'txn') === txnId).map((e) => str(e, 'topic')))];
        const what = written.length === 0 ? 'nothing of it had reached the log' : `what it wrote (${written.join(', ')}) is never visible to a read-committed reader`;
        return `Under exactly_once_v2 ${ZOMBIE}'s writes since its last commit were in a transaction (${txnId}). At the heal it tries to commit: its offsets go into the transaction with its group generation, and the broker refuses them (${str(fenced ?? c.event, 'code')}, generation ${num(fenced ?? c.event, 'generation')} against ${num(fenced ?? c.event, 'current')}). ${ZOMBIE} aborts (${num(c.event, 'partitions')} partitions): ${what}, and a restore reads committed records only.`;
      },
    },
    {
      title: 'Exactly-once: every store as its changelog commits it',
      run: 'eos',
      at: 'end',
      text: (c) => `${checkText(c, 'ks.zombies')}. ${checkText(c, 'ks.restore')}. ${checkText(c, 'exactly-once')}. A transaction per commit is what makes a zombie harmless; at-least-once saves the transaction's requests and markers at every commit, and pays for it here. q leaves.`,
    },
  ],
};
