/**
 * Lesson `txn-timeout`: a hanging transaction, and the broker's timeout that
 * ends it. `etl` on Kafka Streams has no stores, so no state directory: every
 * start of an instance takes a fresh process id, and with it a fresh
 * transactional id (which its producer initialises, under exactly-once, as
 * the instance's first task is initialised, after its assignment). When
 * ks-0 crashes with a transaction open, its restart fences nothing; the
 * transaction's records pin the output's last stable offset until the
 * broker's sweep finds it past its 10 s timeout, aborts it and bumps its
 * epoch. Then the same crash with the planted bug `txn-timeout-ignored`:
 * nobody ends it.
 *
 * Both runs share a seed and where the crash falls: seed 1, ks-0
 * crashing inside its first transaction begun from 3,000 ms on, 1 ms after
 * the transaction's last record was appended and before its offsets went
 * into it, and back 500 ms later (3,024 ms in the run of this build). With
 * the offsets in, the restarted task would wait for the sweep before it ran
 * again; after the commit, nothing would hang. The crash is placed from each
 * run's events without it: a fixed 3,020 ms told this story only while
 * ks-0's transaction fell around it (on seeds 2 to 10 it found none open),
 * where the placed crash tells it on each of seeds 1 to 10.
 */
import type { RunSettings } from '../../explore/settings.ts';
import type { FaultPlan } from '../../sim/faults.ts';
import type { Replay } from '../open.ts';
import { num, str } from '../model/fields.ts';
import { fmtSecs } from '../model/format.ts';
import { checkText, crashBetween, firstEvent, lastEvent, type Lesson, type StepContext } from './types.ts';
import { nextAfter } from '../model/int-list.ts';

const BASE: Omit<RunSettings, 'bugs'> = {
  scenario: 'etl',
  engine: 'kstreams',
  seed: 1,
  guarantee: 'exactly-once',
  faults: 'none',
};

/** From when the crash looks for a transaction of ks-0 to fall inside: mid-run, past the group's first rebalances. */
const FROM_MS = 3_000;

/**
 * ks-0's crash: inside its first transaction begun from 3,000 ms on, 1 ms after the last of the
 * transaction's records was appended and before its offsets went into it (with its offsets in, the
 * restarted task would wait for the broker's sweep before it ran again).
 */
function crashInTransaction(probe: Replay): FaultPlan {
  const began = firstEvent(probe, (e) => e.kind === 'txn.begin' && e.t >= FROM_MS && String(e.txnId).includes('-ks-0.0-'));
  const txnId = began === undefined ? undefined : probe.index.events[began]!.txnId;
  const offsets = firstEvent(probe, (e) => e.kind === 'group.txnOffsets' && e.txnId === txnId, began);
  const written = began === undefined || offsets === undefined ? undefined : lastEvent(probe, (e) => e.kind === 'log.append' && e.txn === txnId, offsets, began - 1);
  return { faults: [crashBetween(probe, written, offsets, { process: 'ks-0', restartAfterMs: 500 }, 'ks-0\'s crash inside a transaction')] };
}

const FILTER = 'ks.producer,ks.running,ks.assigned,txn.timeout,txn.abort,proc.,group.rebalance';

/** An event on ks-0's first transactional id (the one its first start took), which the crash left open. */
const firstId = (c: StepContext): boolean => (str(c.event, 'txnId') ?? '').includes('-ks-0.0-');

/** How many partitions the transaction the broker aborts had written to, as " (N here)", from its abort. */
function openPartitions(c: StepContext): string {
  const abort = nextAfter(c.replay.index.positions('txn.abort'), c.index - 1);
  const n = abort === undefined ? undefined : num(c.replay.index.events[abort]!, 'partitions');
  return n === undefined ? '' : ` (${n} here)`;
}

export const txnTimeoutLesson: Lesson = {
  name: 'txn-timeout',
  title: 'A hanging transaction and the broker\'s timeout',
  summary: 'a stateless Kafka Streams instance crashes mid-transaction; its restart takes a new transactional id, and only the broker\'s transaction timeout ends the old one',
  runs: [
    { key: 'timeout', label: 'transaction.timeout.ms', settings: { ...BASE, bugs: [] }, faultsFrom: crashInTransaction },
    { key: 'ignored', label: 'txn-timeout-ignored', settings: { ...BASE, bugs: ['txn-timeout-ignored'] }, faultsFrom: crashInTransaction },
  ],
  steps: [
    {
      title: 'No state, no state directory',
      at: { kind: 'ks.producer', match: (c: StepContext) => c.event.p === 'ks-0' },
      filter: FILTER,
      text: (c) => `etl only filters and maps: its topology has no stores, so Kafka Streams keeps no state directory and no process id on disk. Each start of an instance takes a new process id, and its transactional producer a new id. ${c.event.p} joined the group as it started; now, its first task initialising, it initialises ${str(c.event, 'transactionalId')} (epoch ${num(c.event, 'epoch')}), with Kafka Streams' transaction.timeout.ms of 10 s.`,
    },
    {
      title: 'A crash mid-transaction',
      at: { kind: 'proc.crash', match: (c: StepContext) => c.event.p === 'ks-0' },
      filter: FILTER,
      text: () => 'ks-0 crashes. Its current transaction had begun: the records it wrote are in the output partitions it wrote to, neither committed nor aborted. A read-committed reader of such a partition stops at the first of them (the last stable offset), and so does everything written there after them, by anyone.',
    },
    {
      title: 'A new id fences nothing',
      at: { kind: 'ks.producer', match: (c: StepContext) => c.event.p === 'ks-0' && !(str(c.event, 'transactionalId') ?? '').includes('-ks-0.0-') },
      filter: FILTER,
      text: (c) => `Back, ks-0 takes a new process id and rejoins the group; once it is assigned a task, it initialises ${str(c.event, 'transactionalId')}, epoch ${num(c.event, 'epoch')}, as that task is initialised. An application with stores would have found its process id in its state directory and initialised its old transactional id again, which aborts what the old incarnation left open as soon as its first task starts. This one leaves it.`,
    },
    {
      title: 'Processed again',
      at: { kind: 'ks.running', match: (c: StepContext) => c.event.p === 'ks-0' && c.replay.index.positions('proc.restart').some((i) => i < c.index) },
      filter: FILTER,
      text: (c) => `Task ${str(c.event, 'task')} runs again from ${(c.event.offsets as string[] | undefined)?.join(' ') ?? '?'}: the offsets of the last committed transaction. The records of the open one are read and written again, in a transaction of the new id. Had the open one carried offsets, the new owner would first wait for it (UNSTABLE_OFFSET_COMMIT).`,
    },
    {
      title: 'The broker\'s sweep',
      at: { kind: 'txn.timeout', match: firstId },
      filter: FILTER,
      text: (c) => `The job finished seconds ago; the world went on for one reason. Every 10 s the broker's coordinator looks for transactions open past their timeout: at ${fmtSecs(c.event.t, 3)} it finds this one, begun at ${fmtSecs(num(c.event, 'startMs'), 3)} with a timeout of ${fmtSecs(num(c.event, 'timeoutMs'), 3)}. It aborts it and bumps its id's epoch, so a producer still holding it would be fenced. Until now every read-committed reader of the partitions it had written to${openPartitions(c)} waited behind it; the records after it become visible.`,
    },
    {
      title: 'Verdict',
      at: 'end',
      text: (c) => `${checkText(c, 'txn.timeout')}. ${checkText(c, 'etl.no-loss')}. ${checkText(c, 'etl.no-duplicates')}. Next: the same crash on a broker that never times a transaction out.`,
    },
    {
      title: 'Nobody ends it',
      run: 'ignored',
      at: 'violation',
      filter: FILTER,
      text: (c) => `With the planted bug txn-timeout-ignored, the broker schedules no sweep, and the transaction begun here is never ended: the transaction-timeout judge fails the run, and so does liveness. ${checkText(c, 'liveness')}. Press v to come back here; q leaves.`,
    },
  ],
};
