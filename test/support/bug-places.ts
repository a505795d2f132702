/**
 * Where each planted bug is swept: a scenario and fault profile (and size)
 * whose runs reach the decision the bug corrupts. Shared by the planted-bug
 * tests, the soak and the shrink benchmark.
 */
import type { BugName } from '../../src/explore/bugs.ts';
import type { ProfileName } from '../../src/sim/faults.ts';
import type { EngineName } from '../../scenarios/types.ts';

export interface BugPlace {
  scenario: string;
  /** The engine the bug lives in (default Flink). */
  engine?: EngineName;
  faults: ProfileName;
  events?: number;
  /** Spare task managers (a restart can then leave a cut-off one running as a zombie). */
  spareTaskManagers?: number;
  /** Unaligned checkpoints. */
  unaligned?: boolean;
  /** Kafka Streams' standby replicas. */
  standbyReplicas?: number;
  /** The guarantee (default exactly-once): Spark's continuous processing offers at-least-once only. */
  guarantee?: 'at-least-once';
  /** Checkpoints this often (ms of virtual time) instead of the default 500. */
  checkpointIntervalMs?: number;
}

/** The run settings of a place, as a sweep job or run takes them (unset sizes left out). */
export function placeShape(w: BugPlace): { scenario: string; engine?: EngineName; faults: ProfileName; events?: number; spareTaskManagers?: number; unaligned?: boolean; standbyReplicas?: number; guarantee?: 'at-least-once'; checkpointIntervalMs?: number } {
  return {
    ...(w.guarantee ? { guarantee: w.guarantee } : {}),
    scenario: w.scenario,
    ...(w.engine ? { engine: w.engine } : {}),
    faults: w.faults,
    ...(w.events ? { events: w.events } : {}),
    ...(w.spareTaskManagers ? { spareTaskManagers: w.spareTaskManagers } : {}),
    ...(w.unaligned ? { unaligned: true } : {}),
    ...(w.standbyReplicas ? { standbyReplicas: w.standbyReplicas } : {}),
    ...(w.checkpointIntervalMs ? { checkpointIntervalMs: w.checkpointIntervalMs } : {}),
  };
}

export const BUG_PLACES: Record<BugName, BugPlace> = {
  'watermark-max': { scenario: 'wordcount', faults: 'none' },
  'fire-at-end': { scenario: 'wordcount', faults: 'none', events: 600 },
  'drop-late-silently': { scenario: 'wordcount', faults: 'none' },
  'session-merge-loses-side': { scenario: 'sessions', faults: 'none' },
  'session-merge-off-by-one': { scenario: 'sessions', faults: 'none' },
  'lateness-off-by-one': { scenario: 'sliding-average', faults: 'none', events: 600 },
  'no-alignment': { scenario: 'bank', faults: 'swarm' },
  'newer-barrier-keeps-blocked': { scenario: 'bank', faults: 'swarm' },
  'unaligned-drops-in-flight': { scenario: 'bank', faults: 'heavy', unaligned: true },
  'commit-before-complete': { scenario: 'bank', faults: 'heavy' },
  'source-not-rewound': { scenario: 'bank', faults: 'heavy' },
  'snapshot-checksum-skipped': { scenario: 'join', faults: 'heavy' },
  'restore-incomplete-checkpoint': { scenario: 'bank', faults: 'heavy' },
  'sink-no-abort-on-restore': { scenario: 'bank', faults: 'heavy' },
  'sink-aborts-pending-on-restore': { scenario: 'sessions', faults: 'heavy' },
  'watermark-not-checkpointed': { scenario: 'wordcount', faults: 'heavy' },
  // Checkpoints often enough that one falls between a window's on-time pane and its cleanup, so a
  // restore brings back a window that has fired and a replayed late record fires it again.
  'pane-index-not-restored': { scenario: 'wordcount', faults: 'heavy', checkpointIntervalMs: 50 },
  'zombie-not-fenced': { scenario: 'bank', faults: 'swarm', spareTaskManagers: 1 },
  'lso-ignores-open-transactions': { scenario: 'chained', faults: 'none', events: 300 },
  'read-committed-shows-aborted': { scenario: 'chained', faults: 'none', events: 300 },
  // A stateless application: a restarted instance takes a new transactional id, so only the timeout ends its predecessor's transaction.
  'txn-timeout-ignored': { scenario: 'etl', engine: 'kstreams', faults: 'heavy' },
  'idle-not-chained': { scenario: 'sessions', faults: 'none' },
  'ttl-returns-expired': { scenario: 'ttl-visits', faults: 'none' },
  'spark-sink-not-idempotent': { scenario: 'wordcount', engine: 'spark', faults: 'heavy', events: 600 },
  'spark-watermark-from-own-batch': { scenario: 'wordcount', engine: 'spark', faults: 'none', events: 300 },
  'spark-state-latest-version': { scenario: 'wordcount', engine: 'spark', faults: 'heavy', events: 600 },
  'spark-state-cleanup-latest-only': { scenario: 'wordcount', engine: 'spark', faults: 'heavy', events: 600 },
  'spark-commit-before-sink': { scenario: 'wordcount', engine: 'spark', faults: 'heavy', events: 600 },
  'spark-outer-join-early': { scenario: 'outer-join', engine: 'spark', faults: 'none', events: 300 },
  'spark-file-sink-no-metadata': { scenario: 'file-sink', engine: 'spark', faults: 'heavy', events: 600 },
  'spark-update-writes-unchanged': { scenario: 'modes-update', engine: 'spark', faults: 'none' },
  'spark-memory-sink-appends-complete': { scenario: 'memory-sink', engine: 'spark', faults: 'none' },
  'spark-continuous-commit-unflushed': { scenario: 'etl-continuous', engine: 'spark', faults: 'swarm', guarantee: 'at-least-once' },
  'offsets-outside-transaction': { scenario: 'wordcount', engine: 'kstreams', faults: 'heavy' },
  'no-wipe-on-dirty-close': { scenario: 'wordcount', engine: 'kstreams', faults: 'swarm' },
  'restore-read-uncommitted': { scenario: 'wordcount', engine: 'kstreams', faults: 'swarm' },
  'standby-read-uncommitted': { scenario: 'wordcount', engine: 'kstreams', faults: 'heavy', standbyReplicas: 1 },
  'checkpoint-file-under-eos': { scenario: 'wordcount', engine: 'kstreams', faults: 'swarm' },
  'offsets-without-generation': { scenario: 'wordcount', engine: 'kstreams', faults: 'swarm' },
  'suppress-emits-early': { scenario: 'wordcount-final', engine: 'kstreams', faults: 'none' },
  'grace-uses-task-stream-time': { scenario: 'wordcount', engine: 'kstreams', faults: 'swarm' },
  'rekey-skips-subtractor': { scenario: 'tables', engine: 'kstreams', faults: 'none' },
  'filter-drops-tombstone': { scenario: 'tables', engine: 'kstreams', faults: 'none' },
};
