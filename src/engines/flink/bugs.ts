/**
 * The Flink engine's planted bugs: realistic engine mistakes, each a named
 * switch read at the one decision it corrupts (the log's are in
 * src/log/bugs.ts; `weir bugs` lists both). All are off unless a run names one. They are a
 * teaching device ("break it and watch the checker notice") and the proof
 * that the checkers have teeth: each is caught by some checker on some seed.
 */
import { Switches } from '../../stream/planted-bugs.ts';

export const FLINK_BUGS = {
  'watermark-max': {
    description: 'a task combines its input watermarks with max instead of min, so a slow channel\'s records become late',
    caughtBy: 'watermark.min-of-inputs',
  },
  'fire-at-end': {
    description: 'a window fires when the watermark reaches its end instead of end - 1, one millisecond too late',
    caughtBy: 'watermark.on-time-firing',
  },
  'drop-late-silently': {
    description: 'records too late for every window are dropped instead of going to the late side output',
    caughtBy: 'exactly-once',
  },
  'session-merge-loses-side': {
    description: 'when a record bridges two or more sessions and they merge, the state of one merged window is discarded instead of merged',
    caughtBy: 'exactly-once',
  },
  'session-merge-off-by-one': {
    description: 'session windows that merely touch (records exactly one gap apart) are kept apart instead of merged: the merge test uses < where Flink\'s TimeWindow.intersects uses <=',
    caughtBy: 'session.structure',
  },
  'lateness-off-by-one': {
    description: 'a window counts as late one millisecond early (its cleanup time compared with the watermark + 1 instead of the watermark), so a record exactly at the bound is lost',
    caughtBy: 'watermark.lateness',
  },
  'no-alignment': {
    description: 'exactly-once mode does not align barriers: records after a barrier on a fast channel enter the snapshot',
    caughtBy: 'checkpoint.consistent-cut',
  },
  'newer-barrier-keeps-blocked': {
    description: 'a newer checkpoint\'s barrier arriving during an alignment aborts the older checkpoint but keeps the channels it had blocked, counted as having delivered the newer barrier too, so the task snapshots before their records up to that barrier are in',
    caughtBy: 'checkpoint.consistent-cut',
  },
  'unaligned-drops-in-flight': {
    description: 'an unaligned checkpoint does not persist the records in flight between its snapshot and the last barrier, so a restore loses them',
    caughtBy: 'checkpoint.consistent-cut',
  },
  'commit-before-complete': {
    description: 'the two-phase-commit sink commits its transaction on the barrier instead of on checkpoint completion',
    caughtBy: 'bank.balance',
  },
  'source-not-rewound': {
    description: 'on restore, sources keep reading where they were instead of rewinding to the checkpointed offsets',
    caughtBy: 'bank.balance',
  },
  'snapshot-checksum-skipped': {
    description: 'the checkpoint store hands out a snapshot without verifying its checksum, so a read that a disk fault corrupted is restored as the task\'s state',
    caughtBy: 'checkpoint.restore',
  },
  'restore-incomplete-checkpoint': {
    description: 'recovery restores the newest checkpoint even when its metadata was never written',
    caughtBy: 'bank.balance',
  },
  'sink-no-abort-on-restore': {
    description: 'a restored sink does not abort the transaction left open by the failed attempt',
    caughtBy: 'liveness',
  },
  'sink-aborts-pending-on-restore': {
    description: 'a restored sink also aborts, by re-initialising their transactional ids, the transactions its checkpoint holds as pre-committed, instead of only committing them again: their records are lost whenever the abort reaches the broker before the re-commit',
    caughtBy: 'sink.two-phase',
  },
  'zombie-not-fenced': {
    description: 'a restarted sink aborts the failed attempt\'s open transactions without bumping their producer epoch, so a zombie task manager cut off from the job manager writes on into a new transaction, which nobody ends if the zombie crashes',
    caughtBy: 'liveness',
  },
  'ttl-returns-expired': {
    description: 'keyed state with a time-to-live hands out a value that has expired but was not cleaned up yet, although the state is configured never to return expired values',
    caughtBy: 'ttl.expiry',
  },
  'idle-not-chained': {
    description: 'a source\'s idle status stops at the operators chained to it instead of passing through them, so an idle partition holds the watermark back downstream',
    caughtBy: 'watermark.timeliness',
  },
  'pane-index-not-restored': {
    description: 'a window restored from a checkpoint starts its pane count over instead of restoring it, so its next late pane repeats an index (and a firing) already committed',
    caughtBy: 'window.panes',
  },
  'watermark-not-checkpointed': {
    description: 'watermarks are reset on restore instead of restored (FLINK-5601), so late records count as on time',
    caughtBy: 'exactly-once',
  },
} as const satisfies Record<string, { description: string; caughtBy: string }>;

export type FlinkBugName = keyof typeof FLINK_BUGS;

/** The switches of one run: at most a few planted bugs on. */
export class BugSwitches extends Switches<FlinkBugName> {
  constructor(names: readonly string[] = []) {
    super(FLINK_BUGS, names);
  }
}
