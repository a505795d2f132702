/**
 * Lesson `exactly-once`: two-phase commit across a crash, then the same
 * crash under at-least-once, where the replayed windows are written twice
 * and the exactly-once checker flags the duplicate.
 *
 * Both runs share a seed and an explicit fault plan: task manager tm-1
 * crashes right after the sinks appended the results of checkpoint 3 and
 * before that checkpoint completed, so recovery restores checkpoint 2 and
 * replays what came after it; the next attempt first waits for tm-1, back
 * from its restart, to say the failed attempt's tasks have ended there.
 */
import type { RunSettings } from '../../explore/settings.ts';
import { num, str } from '../model/fields.ts';
import { is } from './resolve.ts';
import { checkText, type Lesson, type StepContext } from './types.ts';

const BASE: Omit<RunSettings, 'guarantee'> = {
  scenario: 'wordcount',
  seed: 1,
  events: 200,
  faults: 'none',
  bugs: [],
  plan: { faults: [{ kind: 'crash', atMs: 1618, process: 'tm-1', restartAfterMs: 200 }] },
};

const task = (c: StepContext): string => str(c.event, 'task') ?? '?';
const FILTER = 'txn,checkpoint.complete,job,proc';
/** Why a transaction named for one checkpoint (`…-c3`) commits at another: the note, or nothing when they agree. */
const namedFor = (c: StepContext): string => {
  const named = /-c(\d+)$/.exec(str(c.event, 'txn') ?? '')?.[1];
  const at = num(c.event, 'checkpoint');
  return named === undefined || Number(named) === at ? '' : ` (Its name says c${named}, the checkpoint after the one restored, which it was opened for; checkpoint ids are never used twice, so the aborted c${named} is followed by c${at}, at whose barrier it was pre-committed.)`;
};

export const exactlyOnceLesson: Lesson = {
  name: 'exactly-once',
  title: 'Exactly-once across a crash',
  summary: 'two-phase commit across a crash, and the same crash under at-least-once',
  runs: [
    { key: 'eo', label: 'exactly-once', settings: { ...BASE, guarantee: 'exactly-once' } },
    { key: 'alo', label: 'at-least-once', settings: { ...BASE, guarantee: 'at-least-once' } },
  ],
  steps: [
    {
      title: 'One transaction per checkpoint',
      at: { kind: 'txn.begin', match: is.sink },
      filter: FILTER,
      text: (c) => `${task(c)}'s sink opens log transaction ${str(c.event, 'txn')}. Window results go into it as they fire; nobody reading committed data sees them until it commits.`,
    },
    {
      title: 'Nothing to commit',
      at: { kind: 'txn.empty' },
      filter: FILTER,
      text: (c) => `At barrier c${num(c.event, 'checkpoint')} no window has fired yet, so ${str(c.event, 'txn')} holds nothing: the sink closes it there, with nothing to pre-commit, no commit to send and nothing for the snapshot, and opens the next. Flink's Kafka sink does the same with an empty transaction.`,
    },
    {
      title: 'Results written, not yet committed',
      at: { kind: 'log.append', match: (c: StepContext) => str(c.event, 'topic') === 'output' },
      filter: `${FILTER},log.append`,
      text: (c) => `The first windows have fired; a few milliseconds later (the producer's linger) their results are appended to output/${num(c.event, 'partition')} inside ${str(c.event, 'txn')} — in the log, but invisible to read-committed readers until a checkpoint taken after them completes.`,
    },
    {
      title: 'Pre-commit at the barrier',
      at: { kind: 'txn.precommit' },
      filter: FILTER,
      text: (c) => `At barrier c${num(c.event, 'checkpoint')} the sink flushes and pre-commits ${str(c.event, 'txn')}, and the transaction's id goes into the snapshot. Phase one of two; it holds the results above.`,
    },
    {
      title: 'A crash',
      at: { kind: 'proc.crash' },
      filter: FILTER,
      text: (c) => `${c.event.p} crashes before checkpoint 3 completes. Its tasks are gone; the transactions of checkpoint 3 are still open.`,
    },
    {
      title: 'Waiting for the cancelled tasks',
      at: { kind: 'job.wait' },
      filter: FILTER,
      text: (c) => {
        const attempt = num(c.event, 'attempt') ?? 1;
        const failed = `The job manager has failed attempt ${attempt - 1} and cancelled its tasks`;
        const tms = str(c.event, 'tms');
        return str(c.event, 'for') === 'slots'
          ? `${failed}; attempt ${attempt} waits for enough task managers to answer its heartbeats.`
          : `${failed}, but attempt ${attempt} waits until ${tms} says the failed attempt's tasks there have ended: Flink restarts a job only once every task of the failed attempt is CANCELED or FAILED, and gives a slot out again only once it is empty, so no old sink still writes beside a new one. ${tms} came back from its crash running nothing, but the job manager learns that only from its next heartbeat answer.`;
      },
    },
    {
      title: 'Restore from the last completed checkpoint',
      at: { kind: 'job.restore', match: is.restarted },
      filter: FILTER,
      text: (c) => `The job fails and restarts from checkpoint ${num(c.event, 'checkpoint')}, the newest completed one: sources rewind to its offsets, windows get its state back. Everything after it will be processed again.`,
    },
    {
      title: 'Replayed',
      at: { kind: 'window.fire', match: is.restarted },
      filter: `${FILTER},window.fire`,
      text: (c) => `The replay fires ${str(c.event, 'key')} [${num(c.event, 'start')},${num(c.event, 'end')}) again, and its result goes into a new transaction of attempt 1. The first copy is still in an open transaction of attempt 0.`,
    },
    {
      title: 'The failed attempt\'s output is thrown away',
      // A transaction of the window results' sink (not the late side output's): where the first copies are.
      at: { kind: 'txn.abort', match: (c: StepContext) => is.sink(c) && (str(c.event, 'txn') ?? '').startsWith('sink-') },
      filter: FILTER,
      text: (c) => `${task(c)} aborts ${str(c.event, 'txn')} (${str(c.event, 'reason') ?? 'aborted'}), re-initialising its id so a zombie of attempt 0 could not write into it: the first copies of the results it held were never visible and now never will be, so readers see each result once.`,
    },
    {
      title: 'Commit on completion',
      at: { kind: 'txn.commit', match: is.sink },
      filter: FILTER,
      text: (c) => `Attempt 1 took checkpoint c${num(c.event, 'checkpoint')} and it completed, so the sink commits ${str(c.event, 'txn')}: phase two. Output is visible exactly when the state that produced it is safely checkpointed.${namedFor(c)}`,
    },
    {
      title: 'Verdict',
      at: 'end',
      text: (c) => `${checkText(c, 'exactly-once')}. Next: the same seed and the same crash under at-least-once.`,
    },
    {
      title: 'At-least-once: a plain sink',
      run: 'alo',
      at: { kind: 'log.append', match: (c: StepContext) => str(c.event, 'topic') === 'output' },
      filter: 'log.append,job,proc,checkpoint.complete',
      text: (c) => `At-least-once has no transactions: the sink appends results straight to output/${num(c.event, 'partition')} (no "in txn"), visible at once, long before checkpoint 3 completes (tm-1 crashes before it does).`,
    },
    {
      title: 'The same restore',
      run: 'alo',
      at: { kind: 'job.restore', match: is.restarted },
      filter: 'log.append,job,proc,checkpoint.complete',
      text: (c) => `The job restarts from checkpoint ${num(c.event, 'checkpoint')} and replays what followed it — including the windows whose results are already in the output.`,
    },
    {
      title: 'Written twice',
      run: 'alo',
      at: 'violation',
      filter: 'log.append,window.fire,job',
      text: (c) => `This firing writes a window's result a second time. ${checkText(c, 'exactly-once')} — at-least-once kept every record, but not once. Press v to come back here; q leaves.`,
    },
  ],
};
