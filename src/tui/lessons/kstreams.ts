/**
 * Lesson `kstreams`: Kafka Streams — state lives in the log. No barriers and
 * no coordinator: each instance commits, 100 ms after its last commit ended, one transaction that
 * holds its output, its changelog writes and its consumed offsets. The run:
 * wordcount on two instances, which join the group as they start and
 * start together in its first generation (the broker waits
 * group.initial.rebalance.delay.ms for more members before forming it);
 * each initialises its transactional producer only then, as its first task
 * is initialised (Kafka's StreamTask.initializeIfNeeded). ks-0 is cut off
 * from the broker from 1.3 s to 5.2 s and ks-1 crashes at 2.6 s. The group
 * rebalances; the restarted instance rejoins, gets its tasks, takes a new
 * epoch of its transactional id as its first task starts and restores its
 * stores from the changelogs; and when ks-0 comes back it is a zombie: its
 * heartbeat tells it the group let it go, it counts its tasks lost (no
 * commit), waits for the writes it still had in flight, aborts its
 * transaction, resets its producer and rejoins, and takes a new epoch only
 * when its next tasks start. Then the same faults under at-least-once:
 * offsets committed after the output, outside any transaction, and a window
 * counted twice.
 */
import type { RunSettings } from '../../explore/settings.ts';
import { num, str } from '../model/fields.ts';
import { abortSinceCrash, checkText, eventsOf, ksTxnOpenBefore, lastBefore, type Lesson, type StepContext } from './types.ts';

const BASE: Omit<RunSettings, 'guarantee'> = {
  scenario: 'wordcount',
  engine: 'kstreams',
  seed: 9,
  events: 600,
  faults: 'none',
  bugs: [],
  plan: {
    faults: [
      { kind: 'partition', atMs: 1_300, a: 'ks-0', b: 'broker', durationMs: 3_900 },
      { kind: 'crash', atMs: 2_600, process: 'ks-1', restartAfterMs: 300 },
    ],
  },
};

/** ks-0's last loss of its tasks before the step's event. */
const zombieLoss = (c: StepContext) => lastBefore(c, 'ks.lost', 'ks-0');

/** The step's process's last assignment before the step's event. */
const lastAssigned = (c: StepContext) => lastBefore(c, 'ks.assigned', c.event.p);

/** "in generation G (at T ms)": the step's process's last assignment, from its event. */
function assignedText(c: StepContext): string {
  const a = lastAssigned(c);
  return a === undefined ? 'from the group' : `in generation ${num(a, 'generation')} (at ${a.t} ms)`;
}

const FILTER = 'ks.,group.,txn.,proc.,net.partition,net.heal';

export const kstreamsLesson: Lesson = {
  name: 'kstreams',
  title: 'Kafka Streams: state lives in the log',
  summary: 'one transaction per commit holds output, changelog and offsets; a crash, a rebalance, a restore, a fenced zombie',
  runs: [
    { key: 'eos', label: 'exactly_once_v2', settings: { ...BASE, guarantee: 'exactly-once' } },
    { key: 'alos', label: 'at-least-once', settings: { ...BASE, guarantee: 'at-least-once' } },
  ],
  steps: [
    {
      title: 'A library, not a cluster',
      at: { kind: 'ks.start' },
      filter: FILTER,
      text: (c) => `Two application instances, ks-0 and ks-1, each one process with one stream thread. No job manager: ${c.event.p} starts (${str(c.event, 'guarantee')}) and at once joins the consumer group of the application. The group, kept by the broker, decides who runs what. (In weir the group coordinator computes the assignment, as Kafka's newer streams groups (KIP-1071) do; under the classic protocol the group leader's client runs Kafka Streams' assignor.) It has made its transactional producer but not initialised it: that waits until it has a task to run.`,
    },
    {
      title: 'Tasks from the group',
      // The first generation, formed with both instances in it: the step is where the last of them got its tasks.
      at: {
        kind: 'ks.assigned',
        match: (c: StepContext) => {
          const g = c.state.ks?.group;
          return num(c.event, 'generation') === 1 && g !== undefined && g.members.length > 1 && g.assignment.size === g.members.length;
        },
      },
      filter: FILTER,
      text: (c) => {
        const generation = num(c.event, 'generation');
        const delayMs = num(eventsOf(c, 'group.rebalance')[0] ?? c.event, 'initialDelayMs');
        const formed = eventsOf(c, 'group.generation').find((e) => num(e, 'generation') === generation);
        const who = [...(c.state.ks?.group.assignment.values() ?? [])]
          .sort((a, b) => a.instance.localeCompare(b.instance))
          .map((a) => `${a.instance} runs tasks ${a.tasks.join(', ')}`)
          .join(' and ');
        return `Generation ${generation}: ${who}. The broker did not form the group's first generation as soon as its first member joined: an empty group's first rebalance waits ${delayMs} ms (Kafka's group.initial.rebalance.delay.ms, scaled), and waits again while new members keep joining. So both instances are in generation ${generation} (formed at ${formed?.t} ms) and start with half of the tasks each. A task is a sub-topology on one partition: 0_p reads input partition p and re-keys words into the repartition topic; 1_p counts words per second from repartition partition p into the store "counts", whose every change is logged to its changelog topic.`;
      },
    },
    {
      title: 'The producer comes with the first task',
      at: { kind: 'ks.producer' },
      filter: FILTER,
      text: (c) => `${c.event.p} got its tasks ${assignedText(c)}; as the first of them is initialised, it initialises its producer's transactions: ${str(c.event, 'transactionalId')}, epoch ${num(c.event, 'epoch')}. Kafka Streams initialises the producer's transactions as its first task is initialised (StreamTask.initializeIfNeeded → RecordCollectorImpl.initialize → StreamsProducer.initTransaction); a new epoch fences earlier holders of the id and aborts what they left open. Only then do its tasks restore their stores and start processing.`,
    },
    {
      title: 'One transaction per commit',
      at: { kind: 'txn.commit', match: (c: StepContext) => (str(c.event, 'txnId') ?? '').includes('ks-0') && (num(c.event, 'partitions') ?? 0) > 4 },
      filter: FILTER,
      text: (c) => `100 ms after its last commit ended, a thread commits: its caches flush, and one transaction (${str(c.event, 'txnId')}) makes the counts in the output, the changelog records, the repartitioned words and the consumed offsets visible together — ${num(c.event, 'partitions')} partitions in one step. Nothing else is a checkpoint.`,
    },
    {
      title: 'Cut off',
      at: { kind: 'net.partition' },
      filter: FILTER,
      text: (c) => `The network between ${str(c.event, 'a')} and ${str(c.event, 'b')} is cut for ${num(c.event, 'durationMs')} ms. ks-0 keeps its tasks and whatever it had fetched; its heartbeats no longer arrive.`,
    },
    {
      title: 'The group moves on',
      at: { kind: 'group.rebalance', match: (c: StepContext) => (str(c.event, 'reason') ?? '').startsWith('expired') },
      filter: FILTER,
      text: (c) => `ks-0's session times out (${str(c.event, 'reason')}): the broker rebalances the group, which was at generation ${num(c.event, 'generation')}. ks-1 gives up its half of the tasks and, in generation ${(num(c.event, 'generation') ?? 0) + 1}, is handed all of them, ks-0's too. (weir runs the eager protocol, where every member gives up everything; under Kafka's default since 2.4, cooperative rebalancing, ks-1 would keep its tasks and only gain ks-0's.)`,
    },
    {
      title: 'State comes back from the changelog',
      at: { kind: 'ks.restored', match: (c: StepContext) => c.event.p === 'ks-1' && (num(c.event, 'records') ?? 0) > 0 },
      filter: FILTER,
      text: (c) => `Before task ${str(c.event, 'task')} processes anything, ks-1 replays the committed changelog of store ${str(c.event, 'store')}: ${num(c.event, 'records')} records, read committed. The store is exactly what the last committed transaction left. No snapshot store: the changelog is the state's durable copy.`,
    },
    {
      title: 'A crash',
      at: { kind: 'proc.crash' },
      filter: FILTER,
      text: (c) => {
        return ksTxnOpenBefore(c)
          ? `${c.event.p} crashes: its memory, its stores and its open transaction are gone. What it had not committed never becomes visible.`
          : `${c.event.p} crashes: its memory and its stores are gone, and with them everything it processed since its last commit. None of that had reached the broker yet, so no transaction of it was even open. What it had not committed never becomes visible.`;
      },
    },
    {
      title: 'Same id, new epoch',
      at: { kind: 'ks.producer', match: (c: StepContext) => (num(c.event, 'epoch') ?? 0) > 1 && c.event.p === 'ks-1' },
      filter: FILTER,
      text: (c) => {
        const aborted = abortSinceCrash(c);
        const left = aborted === undefined
          ? 'The broker fences the old epoch for good; it would abort what the old incarnation had left open, but the crash left nothing open.'
          : `The broker aborts what the old incarnation left open (${num(aborted, 'partitions')} partitions) and fences that epoch for good.`;
        return `Restarted, ${c.event.p} rejoins the group at once, with no producer initialised, and gets its tasks ${assignedText(c)} first. Then, as its first task starts, it initialises the same transactional id again: epoch ${num(c.event, 'epoch')}. ${left} Then its tasks restore their stores from the changelogs once more.`;
      },
    },
    {
      title: 'The zombie',
      // ks-0 learns it was replaced: from a heartbeat (the tasks are lost, nothing committed) or from a refused commit.
      at: { kind: 'ks.lost', match: (c: StepContext) => c.event.p === 'ks-0' },
      filter: FILTER,
      text: (c) => {
        const group = lastBefore(c, 'group.generation');
        const now = `The group is at generation ${num(group ?? c.event, 'generation')}; ks-0 still holds generation ${num(c.event, 'generation')}'s tasks ${Array.isArray(c.event.tasks) ? c.event.tasks.join(', ') : '?'}.`;
        const reason = str(c.event, 'reason') ?? '';
        if (reason.startsWith('heartbeat')) {
          const answer = reason.includes('unknown-member') ? 'the group has no such member any more' : 'its generation is not the group\'s';
          return `The partition healed. ${now} Its next heartbeat reaches the broker, and the answer is an error (${reason.slice('heartbeat: '.length)}): ${answer}. As Kafka's consumer does, ks-0 counts its tasks lost, not revoked: it commits nothing for them (the group would refuse a commit from a member it let go, and ks-1 owns the tasks now) and drops them with their state (Kafka Streams' handleLostAll).`;
        }
        return `The partition healed. ${now} It tries to commit and the broker refuses (${reason}): the generation fences it, though its epoch was still valid. It drops its tasks and their state (Kafka's TaskMigratedException, handleLostAll).`;
      },
    },
    {
      title: 'Aborted',
      at: { kind: 'txn.abort', match: (c: StepContext) => (str(c.event, 'txnId') ?? '').includes('ks-0') },
      filter: FILTER,
      text: (c) => {
        const txnId = str(c.event, 'txnId');
        const lost = zombieLoss(c);
        // Writes of its transaction the broker appended after ks-0 lost its tasks: they were in flight.
        const late = lost === undefined ? [] : eventsOf(c, 'log.append').filter((e) => e.seq > lost.seq && e.seq < c.event.seq && e.txn === txnId);
        const landed = late.length > 0
          ? ` ${late.length === 1 ? 'A write' : `${late.length} writes`} of it (${late.map((e) => `${str(e, 'topic')}/${num(e, 'partition')}`).join(', ')}) still ${late.length === 1 ? 'lands' : 'land'} in the open transaction, its epoch being valid yet.`
          : ' Nothing of it was left to send.';
        return `ks-0 does not abort at once. As Kafka's dirty close does, it first prepares a commit of each lost task that needs one: its caches flushed, then its producer, every batch sent and answered (Kafka's producer sends EndTxn only once every batch in flight has completed).${landed} Then it aborts the transaction (${txnId}, ${num(c.event, 'partitions')} partitions of zombie writes, never seen by a read-committed reader).`;
      },
    },
    {
      title: 'A new epoch',
      // The zombie's reset producer initialises again as its next task starts, after the rejoin.
      at: { kind: 'ks.producer', match: (c: StepContext) => c.event.p === 'ks-0' && (num(c.event, 'epoch') ?? 0) > 1 },
      filter: FILTER,
      text: (c) => {
        const asNew = /unknown-member/.test(str(zombieLoss(c) ?? c.event, 'reason') ?? '') ? ' as a new member (the group let its member id go)' : '';
        const a = lastAssigned(c);
        const tasks = a !== undefined && Array.isArray(a.tasks) && a.tasks.length > 0 ? `tasks ${a.tasks.join(', ')}` : 'tasks';
        return `After the abort ks-0 reset its producer — closed it and made a new one with the same transactional id, not initialised — and joined the group again${asNew}, with no tasks and no state (Kafka Streams' handleLostAll). The group hands it ${tasks} ${assignedText(c)}; as the first of them is initialised, the new producer initialises the id and takes epoch ${num(c.event, 'epoch')}. Nothing of the zombie's was left in flight (it waited for its writes before aborting), and from now on the broker refuses whatever arrives under an older epoch (a produce gets INVALID_PRODUCER_EPOCH, a transaction request PRODUCER_FENCED).`;
      },
    },
    {
      title: 'Verdict',
      at: 'end',
      text: (c) => `${checkText(c, 'exactly-once')}. ${checkText(c, 'liveness')}. Next: the same faults under at-least-once.`,
    },
    {
      title: 'At-least-once',
      run: 'alos',
      at: { kind: 'ks.lost', from: 'start' },
      filter: FILTER,
      text: (c) => `Under at-least-once the output and the changelog are written as they come, and the offsets are committed after them, outside any transaction. When ${c.event.p} loses its tasks (${str(c.event, 'reason')}), what it wrote since its last offset commit stays visible, and whoever takes the tasks over reads those records again.`,
    },
    {
      title: 'Counted twice',
      run: 'alos',
      at: 'violation',
      filter: FILTER,
      text: (c) => `${checkText(c, 'exactly-once')}. That is at-least-once keeping its word: nothing lost, some things twice. Press v to come back here; q leaves.`,
    },
  ],
};
