/**
 * Lesson `job-manager`: the job manager crashes while a checkpoint is in
 * flight. What it held in memory is gone (the pending checkpoint, its
 * acknowledgements); what it kept durable is not (its attempt counter on
 * its own disk, the completed checkpoints in the checkpoint store, Flink's
 * high-availability storage). The restarted job manager cancels the old
 * attempt, restores the newest checkpoint whose metadata was written, aborts
 * what the abandoned checkpoint left pre-committed, and numbers its next
 * checkpoint above every id the store has seen. Then the same crashes with
 * the planted bug `restore-incomplete-checkpoint`, which restores the
 * abandoned checkpoint from the snapshot files it finds: the task that never
 * took one starts empty, and the bank loses money.
 *
 * Both runs share a seed and a fault plan: bank, seed 1, 400 events; tm-1
 * crashes at 2,620 ms, after its source task snapshotted checkpoint 5 and
 * before its balances task did, and the job manager at 2,623 ms, before
 * checkpoint 5 completes; both are back within 300 ms.
 */
import type { RunSettings } from '../../explore/settings.ts';
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { num, str } from '../model/fields.ts';
import { is } from './resolve.ts';
import { checkText, eventsOf, type Lesson, type StepContext } from './types.ts';

const BASE: Omit<RunSettings, 'bugs'> = {
  scenario: 'bank',
  seed: 1,
  events: 400,
  guarantee: 'exactly-once',
  faults: 'none',
  plan: {
    faults: [
      { kind: 'crash', atMs: 2_620, process: 'tm-1', restartAfterMs: 200 },
      { kind: 'crash', atMs: 2_623, process: 'jm', restartAfterMs: 300 },
    ],
  },
};

const FILTER = 'proc,job,barrier.inject,snapshot,checkpoint.ack,checkpoint.metadata,checkpoint.complete,txn,task.deploy';

/** The checkpoints whose metadata the store wrote: the completed ones. */
const withMetadata = (c: StepContext): Set<number> => new Set(eventsOf(c, 'checkpoint.metadata').map((e) => num(e, 'checkpoint')!));
/** The checkpoint the coordinator triggered last before the step: the one in flight at a crash. */
const lastTriggered = (c: StepContext): number | undefined => {
  const inject = eventsOf(c, 'barrier.inject').filter((e) => e.task === undefined && e.seq < c.event.seq).at(-1);
  return inject === undefined ? undefined : num(inject, 'checkpoint');
};
/** The tasks that took a snapshot of `checkpoint` before the step. */
const snapshotted = (c: StepContext, checkpoint: number | undefined): TraceEvent[] => eventsOf(c, 'snapshot').filter((e) => num(e, 'checkpoint') === checkpoint && e.seq < c.event.seq);
const tasksOf = (events: TraceEvent[]): string => events.map((e) => str(e, 'task')).join(', ');
/** The tasks the attempt running at the step deployed on `p`. */
const deployedOn = (c: StepContext, p: string): string[] => {
  const before = eventsOf(c, 'task.deploy').filter((e) => e.seq < c.event.seq);
  const attempt = num(before.at(-1) ?? c.event, 'attempt');
  return before.filter((e) => e.p === p && num(e, 'attempt') === attempt).map((e) => str(e, 'task')!);
};
/** The job manager's first crash, for the steps after it. */
const jmCrashed = (c: StepContext): boolean => eventsOf(c, 'proc.crash').some((e) => e.p === 'jm' && e.seq < c.event.seq);

export const jobManagerLesson: Lesson = {
  name: 'job-manager',
  title: 'Losing the job manager',
  summary: 'the job manager crashes mid-checkpoint; what it kept durable brings the job back',
  runs: [
    { key: 'ha', label: 'completed checkpoints only', settings: { ...BASE, bugs: [] } },
    { key: 'incomplete', label: 'restore-incomplete-checkpoint', settings: { ...BASE, bugs: ['restore-incomplete-checkpoint'] } },
  ],
  steps: [
    {
      title: 'A checkpoint in flight',
      at: { kind: 'barrier.inject', match: (c: StepContext) => is.coordinator(c) && !withMetadata(c).has(num(c.event, 'checkpoint') ?? -1) },
      filter: FILTER,
      text: (c) => `The job manager triggers checkpoint ${num(c.event, 'checkpoint')}: barriers go into the sources, and each task snapshots its state into the checkpoint store as the barriers reach it. The checkpoint is complete only once every task has acknowledged its snapshot and the job manager has had the checkpoint's metadata written to the store (Flink's CompletedCheckpointStore). Checkpoints 1 to ${(num(c.event, 'checkpoint') ?? 1) - 1} got that far.`,
    },
    {
      title: 'A task manager goes first',
      at: { kind: 'proc.crash', match: (c: StepContext) => c.event.p !== 'jm' },
      filter: FILTER,
      text: (c) => {
        const cp = lastTriggered(c);
        const done = snapshotted(c, cp).filter((e) => e.p === c.event.p);
        const notYet = deployedOn(c, c.event.p).filter((t) => !done.some((e) => str(e, 'task') === t));
        return `${c.event.p} crashes. ${tasksOf(done) || 'None of its tasks'} had snapshotted checkpoint ${cp}; ${notYet.join(', ') || 'none'} had not, and now never will in this attempt.`;
      },
    },
    {
      title: 'Then the job manager',
      at: { kind: 'proc.crash', match: (c: StepContext) => c.event.p === 'jm' },
      filter: FILTER,
      text: (c) => {
        const cp = lastTriggered(c);
        const acks = eventsOf(c, 'checkpoint.ack').filter((e) => num(e, 'checkpoint') === cp && e.seq < c.event.seq).length;
        return `The job manager crashes, ${acks} acknowledgement${acks === 1 ? '' : 's'} into checkpoint ${cp}. Everything it held in memory is gone: the pending checkpoint, who runs which task, the heartbeats. What survives is durable: the attempt counter on its own disk, and in the checkpoint store the completed checkpoints' metadata and the snapshots. Meanwhile the task managers run on with nobody coordinating them: the sinks go on writing into open transactions, which no checkpoint will complete. (A Flink task executor that loses its job manager fails the job's tasks once its heartbeat times out; weir's wait for the new job manager's cancel, docs/CHOICES.md.)`;
      },
    },
    {
      title: 'Back, with a new attempt',
      at: { kind: 'proc.restart', match: (c: StepContext) => c.event.p === 'jm' },
      filter: FILTER,
      text: () => `The job manager is back. It reads the attempt counter from its disk before anything else, bumps it, and syncs it back: the new attempt's messages can never be mistaken for the old one's. Then it tells every task manager to cancel the older attempts, and its heartbeats name the new attempt from the first one on.`,
    },
    {
      title: 'The old attempt stops',
      at: { kind: 'txn.abort', match: (c: StepContext) => is.sink(c) && jmCrashed(c) && str(c.event, 'reason') === 'sink closed' },
      filter: FILTER,
      text: (c) => `${str(c.event, 'task')} on ${c.event.p} is cancelled. Its sink closes and aborts ${str(c.event, 'txn')}, the transaction it had open: what it wrote since the crash is gone, and will be written again from the restored offsets.`,
    },
    {
      title: 'Restore from the newest completed checkpoint',
      at: { kind: 'job.restore', match: is.restarted },
      filter: FILTER,
      text: (c) => {
        const cp = num(c.event, 'checkpoint') ?? 0;
        const abandoned = cp + 1;
        const snaps = snapshotted(c, abandoned);
        const tasks = eventsOf(c, 'task.deploy').filter((e) => num(e, 'attempt') === 0).length;
        return `Attempt ${num(c.event, 'attempt')} restores checkpoint ${cp}. The store also holds snapshots of checkpoint ${abandoned} (${tasksOf(snaps)}), but no metadata: checkpoint ${abandoned} never completed, so nothing may be restored from it. A checkpoint is one cut through all ${tasks} tasks at once; ${snaps.length} snapshots of ${tasks} are not a cut.`;
      },
    },
    {
      title: 'Committed again',
      at: { kind: 'txn.commit', match: (c: StepContext) => is.sink(c) && jmCrashed(c) },
      filter: FILTER,
      text: (c) => `Restored, ${str(c.event, 'task')} commits ${str(c.event, 'txn')}, which checkpoint ${num(c.event, 'checkpoint')} holds as pre-committed. It was committed already when that checkpoint completed, so the broker has nothing to do: a restored sink cannot know whether its commits got through, and committing again is harmless.`,
    },
    {
      title: 'Aborted for good',
      at: { kind: 'txn.abort', match: (c: StepContext) => is.sink(c) && jmCrashed(c) && str(c.event, 'reason') !== 'sink closed' },
      filter: FILTER,
      text: (c) => `${str(c.event, 'task')} aborts ${str(c.event, 'txn')} (${str(c.event, 'reason')}): the sink had pre-committed it for the checkpoint that never completed. Its records will never be visible; the sources replay what produced them from the restored offsets.`,
    },
    {
      title: 'Ids go on',
      at: { kind: 'barrier.inject', match: (c: StepContext) => is.coordinator(c) && is.restarted(c) },
      filter: FILTER,
      text: (c) => `The first checkpoint after the restart is ${num(c.event, 'checkpoint')}, not ${(num(c.event, 'checkpoint') ?? 1) - 1}: the restarted job manager numbers its checkpoints above every id the store holds a file of, as Flink keeps its checkpoint id counter in high-availability storage. The abandoned checkpoint's snapshots can never pass for a later one's.`,
    },
    {
      title: 'Verdict',
      at: 'end',
      text: (c) => `${checkText(c, 'checkpoint.completed-only')}. ${checkText(c, 'bank.total')}. Next: the same two crashes with the planted bug restore-incomplete-checkpoint.`,
    },
    {
      title: 'Restoring what never completed',
      run: 'incomplete',
      at: { kind: 'job.restore', match: is.restarted },
      filter: FILTER,
      text: (c) => `With the planted bug, the restarted job manager trusts the newest snapshot files in the store and restores checkpoint ${num(c.event, 'checkpoint')}, whose metadata was never written.`,
    },
    {
      title: 'A task with no snapshot',
      run: 'incomplete',
      at: { kind: 'task.deploy', match: (c: StepContext) => is.restarted(c) && num(c.event, 'restoredFrom') === -1 },
      filter: FILTER,
      text: (c) => `${str(c.event, 'task')} took no snapshot of that checkpoint before its task manager crashed, so it starts with empty state: the balances it held are gone, while the sources go on from the checkpoint's offsets, past the transfers that built them.`,
    },
    {
      title: 'Money lost',
      run: 'incomplete',
      at: 'end',
      filter: FILTER,
      text: (c) => {
        const failed = (c.replay.rec.meta.checks ?? []).filter((x) => !x.ok);
        const detail = (name: string): string => failed.find((x) => x.name === name)?.detail ?? 'passed';
        return `${checkText(c, 'bank.balance')}. ${failed.length - 1} more checks fail with it, among them checkpoint.completed-only (the restored checkpoint never completed) and bank.total (${detail('bank.total')}). The accounts of the task that started empty apply their next transfers to balances that forgot every earlier one: updates already committed are committed again under the same sequence numbers, and money drops out of the total. Press v for the first record a failed check names; q leaves.`;
      },
    },
  ],
};
