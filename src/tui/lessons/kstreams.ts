/**
 * Lesson `kstreams`: Kafka Streams — state lives in the log. No barriers and
 * no coordinator: each instance commits, 100 ms after its last commit ended, one transaction that
 * holds its output, its changelog writes and its consumed offsets. The run:
 * wordcount on two instances; ks-0 is cut off from the broker from 1.3 s
 * to 5.2 s and ks-1 crashes at 2.6 s. The group rebalances, a restarted
 * instance restores its stores from the changelogs, and when ks-0 comes
 * back it is a zombie, fenced by the group generation, its transaction
 * aborted. Then the same faults under at-least-once: offsets committed
 * after the output, outside any transaction, and a window counted twice.
 */
import type { RunSettings } from '../../explore/settings.ts';
import { num, str } from '../model/fields.ts';
import { checkText, listText, type Lesson, type StepContext } from './types.ts';

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
      at: { kind: 'ks.producer' },
      filter: FILTER,
      text: (c) => `Two application instances, ks-0 and ks-1, each one process with one stream thread. No job manager: ${c.event.p} opens its transactional producer ${str(c.event, 'transactionalId')} (epoch ${num(c.event, 'epoch')}) and joins the consumer group of the application. The group, kept by the broker, decides who runs what.`,
    },
    {
      title: 'Tasks from the group',
      at: { kind: 'ks.assigned', match: (c: StepContext) => (num(c.event, 'generation') ?? 0) >= 2 },
      filter: FILTER,
      text: (c) => `Generation ${num(c.event, 'generation')}: ${c.event.p} runs tasks ${listText(c, 'tasks')}. A task is a sub-topology on one partition: 0_p reads input partition p and re-keys words into the repartition topic; 1_p counts words per second from repartition partition p into the store "counts", whose every change is logged to its changelog topic.`,
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
      text: (c) => `ks-0's session times out (${str(c.event, 'reason')}): the broker starts a rebalance of generation ${num(c.event, 'generation')}. ks-1 gives up its tasks and is handed all of them.`,
    },
    {
      title: 'State comes back from the changelog',
      at: { kind: 'ks.restored', match: (c: StepContext) => c.event.p === 'ks-1' && (num(c.event, 'records') ?? 0) > 0 },
      filter: FILTER,
      text: (c) => `Before task ${str(c.event, 'task')} processes anything, ks-1 replays the committed changelog of store ${str(c.event, 'store')}: ${num(c.event, 'records')} records, read committed. The store is exactly what the last committed transaction left — no snapshot anywhere.`,
    },
    {
      title: 'A crash',
      at: { kind: 'proc.crash' },
      filter: FILTER,
      text: (c) => `${c.event.p} crashes: its memory, its stores and its open transaction are gone. What it had not committed never becomes visible.`,
    },
    {
      title: 'Same id, new epoch',
      at: { kind: 'ks.producer', match: (c: StepContext) => (num(c.event, 'epoch') ?? 0) > 1 && c.event.p === 'ks-1' },
      filter: FILTER,
      text: (c) => `Restarted, ${c.event.p} initialises the same transactional id again: epoch ${num(c.event, 'epoch')}. The broker aborts whatever the old incarnation left open and fences that epoch for good. Then it rejoins the group and restores its stores from the changelogs once more.`,
    },
    {
      title: 'The zombie',
      at: { kind: 'group.fenced' },
      filter: FILTER,
      text: (c) => `The partition healed. ks-0 never learnt it was replaced: it tries to commit its offsets into its transaction as member ${str(c.event, 'member')} of generation ${num(c.event, 'generation')}. The group is at generation ${num(c.event, 'current')}, so the broker refuses (${str(c.event, 'code')}). Its epoch was still valid — the generation is what fences it.`,
    },
    {
      title: 'Aborted',
      at: { kind: 'txn.abort', match: (c: StepContext) => (str(c.event, 'txnId') ?? '').includes('ks-0') },
      filter: FILTER,
      text: (c) => `ks-0 treats the refusal as Kafka's TaskMigratedException: it drops its tasks and their state, aborts its transaction (${str(c.event, 'txnId')}, ${num(c.event, 'partitions')} partitions of zombie writes, never seen by a read-committed reader), takes a new epoch and joins again as a new member.`,
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
