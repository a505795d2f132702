/**
 * The Kafka Streams engine's planted bugs: realistic mistakes of a Streams
 * runtime, each a named switch read at the one decision it corrupts (the
 * Flink engine's are in src/engines/flink/bugs.ts, the log's in
 * src/log/bugs.ts; `weir bugs` lists them all). All are off unless a run
 * names one, and each is caught by some checker on some seed.
 */
import { Switches } from '../../stream/planted-bugs.ts';

export const KSTREAMS_BUGS = {
  'offsets-outside-transaction': {
    description: 'under exactly-once the stream thread commits its input offsets with a plain offset commit just before it commits the transaction, instead of sending them into the transaction (sendOffsetsToTransaction), so a crash or fencing between the two loses the transaction\'s output while its input counts as consumed',
    caughtBy: 'exactly-once',
  },
  'no-wipe-on-dirty-close': {
    description: 'a task closed dirty by TaskMigrated under exactly-once keeps its in-memory store instead of wiping it, and when the instance is assigned the task again it runs on that store without restoring from the changelog: updates of the aborted transaction survive and updates committed elsewhere meanwhile are missing',
    caughtBy: 'ks.restore',
  },
  'restore-read-uncommitted': {
    description: 'restoration reads the changelog read_uncommitted under exactly-once, so a restored store holds the writes of aborted transactions',
    caughtBy: 'ks.restore',
  },
  'standby-read-uncommitted': {
    description: 'a standby task reads its changelog partitions read_uncommitted under exactly-once, so its store takes the writes of open transactions, and when it is promoted the active task starts from that store (restoring only the tail): writes of a transaction that then aborted survive. Needs num.standby.replicas >= 1',
    caughtBy: 'ks.restore',
  },
  'checkpoint-file-under-eos': {
    description: 'under exactly-once a running task checkpoints as under at-least-once (at commits past the offset threshold and at the end of its restoration) and keeps the file after loading it, and a dirty close flushes the stores and writes a checkpoint, as a clean close would, instead of wiping the state directory; so after a failed commit or a fencing the stores, holding writes of the aborted transaction, reach their files vouched for by a checkpoint, and the next start loads them and restores only the changelog tail after them (Kafka writes no checkpoint while an exactly-once task runs, and wipes the directory on a dirty close)',
    caughtBy: 'ks.restore',
  },
  'offsets-without-generation': {
    description: 'the transactional offset commit carries no group metadata (generation -1, no member id, as the old sendOffsetsToTransaction(offsets, groupId) did), so the broker cannot fence a zombie whose partitions moved to another instance, and its transaction commits',
    caughtBy: 'ks.zombies',
  },
  'suppress-emits-early': {
    description: 'suppress(untilWindowCloses) evicts a window once end + grace <= stream time + 1 (one millisecond early), while the aggregate still accepts records into it, so a window can have two "final" results',
    caughtBy: 'ks.suppress',
  },
  'grace-uses-task-stream-time': {
    description: 'a windowed aggregate judges grace against the task\'s stream time (restored from the committed partition time) instead of its own observed stream time (which starts afresh after a restore, KAFKA-7895), so records Kafka would take are dropped after a restart or a move of the task',
    caughtBy: 'ks.grace',
  },
  'rekey-skips-subtractor': {
    description: 'a KTable groupBy whose update moves a row to another group forwards only the addition to the new group, not the subtraction of the old value from the old group (KTableRepartitionMap sends both), so the old group goes on counting the row',
    caughtBy: 'tables.aggregate',
  },
  'filter-drops-tombstone': {
    description: 'a KTable filter drops an update whose new value fails the predicate, as a KStream filter would, instead of forwarding a deletion of the key (KTableFilter forwards Change(null, old) so that downstream tables delete the row), so a row that stops passing stays in every table below the filter',
    caughtBy: 'tables.filter',
  },
} as const satisfies Record<string, { description: string; caughtBy: string }>;

export type KStreamsBugName = keyof typeof KSTREAMS_BUGS;

/** The switches of one run. */
export class KStreamsBugs extends Switches<KStreamsBugName> {
  constructor(names: readonly string[] = []) {
    super(KSTREAMS_BUGS, names);
  }
}

/** No bug on (tests and tools that build tasks directly). */
export const NO_BUGS = new KStreamsBugs();
