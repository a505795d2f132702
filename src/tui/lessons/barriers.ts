/**
 * Lesson `barriers`: one aligned checkpoint from injection to commit —
 * barrier injection at the sources, alignment at the window tasks, the
 * snapshot, the acks, completion, and the sink's commit. It follows the
 * first checkpoint whose sinks have results to pre-commit (the earlier
 * ones' transactions are empty: closed at their barriers, never committed).
 */
import { num, str } from '../model/fields.ts';
import { is } from './resolve.ts';
import type { Lesson, StepContext } from './types.ts';

const task = (c: StepContext): string => str(c.event, 'task') ?? '?';
const cp = (c: StepContext): string => `c${num(c.event, 'checkpoint') ?? '?'}`;
const FILTER = 'barrier,snapshot,checkpoint,txn';

/** The first checkpoint a sink pre-committed a transaction in (one holding records). */
function followed(c: StepContext): number {
  for (const i of c.replay.index.positions('txn.precommit')) return num(c.replay.index.events[i]!, 'checkpoint') ?? -1;
  return -1;
}
const ofFollowed = (c: StepContext): boolean => num(c.event, 'checkpoint') === followed(c);

/** A barrier of the followed checkpoint arrived on one channel while another channel of the task still owes it. */
function holdsAndWaits(c: StepContext): boolean {
  const t = c.state.tasks.get(task(c));
  const id = num(c.event, 'checkpoint') ?? -1;
  return id === followed(c) && t !== undefined && t.status === 'aligning' && t.channels.some((ch) => ch.barrier < id);
}

export const barriersLesson: Lesson = {
  name: 'barriers',
  title: 'Checkpoint barriers',
  summary: 'barrier injection, alignment, snapshot, completion',
  runs: [{ key: 'main', label: 'wordcount, 200 words', settings: { scenario: 'wordcount', seed: 1, events: 200, guarantee: 'exactly-once', faults: 'none', bugs: [] } }],
  steps: [
    {
      title: 'A checkpoint starts',
      at: { kind: 'barrier.inject', match: (c: StepContext) => is.coordinator(c) && ofFollowed(c) },
      filter: FILTER,
      text: (c) => `Every 500 ms the job manager's coordinator starts a checkpoint. Here it starts ${cp(c)}, the first whose sinks will have window results to pre-commit (before it, no window had fired: the sinks closed their empty transactions at the barriers, with nothing to commit). It asks each source task to inject a barrier into its output — a marker that flows with the records and splits them into before and after.`,
    },
    {
      title: 'The source injects',
      at: { kind: 'barrier.inject', match: (c: StepContext) => is.task('source')(c) && ofFollowed(c) },
      filter: FILTER,
      text: (c) => `${task(c)} records its read offsets in its snapshot and sends barrier ${cp(c)} down every output channel. In the dataflow, › on a channel means a barrier on its way.`,
    },
    {
      title: 'Alignment: one channel is held',
      at: { kind: 'barrier.receive', match: holdsAndWaits },
      filter: FILTER,
      text: (c) => `${task(c)} got barrier ${cp(c)} on channel ${num(c.event, 'ch')} (▮), but another channel still owes it. Under exactly-once the task holds this channel: records behind the barrier belong after the checkpoint and must wait. The other channel keeps flowing.`,
    },
    {
      title: 'Aligned',
      at: { kind: 'barrier.align', match: ofFollowed },
      filter: FILTER,
      text: (c) => `Barrier ${cp(c)} has now arrived on every channel of ${task(c)}: the task's state holds exactly the records before the barrier on all inputs — a consistent cut. It forwards the barrier, snapshots its state and releases the held channels (Flink sends the barrier on before it takes the snapshot, so the tasks downstream can start aligning sooner).`,
    },
    {
      title: 'The sink pre-commits',
      at: { kind: 'txn.precommit' },
      filter: FILTER,
      text: (c) => `Part of ${task(c)}'s snapshot: its two-phase-commit sink flushes transaction ${str(c.event, 'txn')} and pre-commits it. The records are in the log, but read-committed readers cannot see them yet.`,
    },
    {
      title: 'The snapshot',
      at: { kind: 'snapshot', match: (c: StepContext) => is.task('window')(c) && ofFollowed(c) },
      filter: FILTER,
      text: (c) => `${task(c)} writes its snapshot (state hash ${str(c.event, 'stateHash')}) to the checkpoint store, then acknowledges ${cp(c)} to the coordinator.`,
    },
    {
      title: 'All acks in',
      at: { kind: 'checkpoint.ack', match: (c: StepContext) => ofFollowed(c) && num(c.event, 'acked') === num(c.event, 'of') },
      filter: FILTER,
      text: (c) => `The coordinator has ${num(c.event, 'acked')} of ${num(c.event, 'of')} acks for ${cp(c)}. It writes the checkpoint's metadata — the list of snapshots — durably; only then is the checkpoint complete.`,
    },
    {
      title: 'Complete',
      at: { kind: 'checkpoint.complete', match: ofFollowed },
      filter: FILTER,
      text: (c) => `Checkpoint ${cp(c)} is complete: a restore may start from it now. The coordinator tells every task, and the sinks can commit.`,
    },
    {
      title: 'The output becomes visible',
      at: { kind: 'txn.commit', match: is.sink },
      filter: FILTER,
      text: (c) => `${task(c)} commits ${str(c.event, 'txn')}: its records become visible to read-committed readers, all at once and only now. ` +
        `Committed output so far: ${c.state.committedOutput} records. ` +
        'Press c to follow the next checkpoint, or q to leave.',
    },
  ],
};
