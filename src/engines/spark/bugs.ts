/**
 * The Spark engine's planted bugs: each a named switch read at the one
 * decision it corrupts, off unless a run names it.
 */
import { Switches } from '../../stream/planted-bugs.ts';

export const SPARK_BUGS = {
  'spark-sink-not-idempotent': {
    description: 'the exactly-once sink does not look at its batch marker, so a batch that runs again after a restart writes its output a second time',
    caughtBy: 'exactly-once',
  },
  'spark-watermark-from-own-batch': {
    description: 'a batch filters late rows with a watermark that already includes its own data (this batch\'s max event time minus the delay), so rows that were on time are dropped',
    caughtBy: 'spark.watermark',
  },
  'spark-state-latest-version': {
    description: 'a stateful task opens the newest state version instead of version N, so a batch that runs again counts its rows on top of themselves',
    caughtBy: 'exactly-once',
  },
  'spark-state-cleanup-latest-only': {
    description: 'state store maintenance keeps only the files the newest version needs: once a snapshot is written, the deltas and snapshot before it are deleted, so a batch that runs again cannot load the version it reads',
    caughtBy: 'run.completes',
  },
  'spark-commit-before-sink': {
    description: 'the driver writes commits/N before the tasks that write batch N\'s state and sink have run, and goes on to batch N+1: a driver crash in between loses the batch (the restart goes on from N+1), and without one the next batch can look for state that batch N has not yet written',
    caughtBy: 'exactly-once',
  },
  'spark-outer-join-early': {
    description: 'an outer join emits a row that found no partner in its batch with nulls at once, before the watermark has passed the range a partner could still arrive in; a later partner still joins it, so the row is both joined and emitted alone',
    caughtBy: 'join.outer',
  },
  'spark-file-sink-no-metadata': {
    description: 'the file sink writes its part files but no _spark_metadata log, so a reader lists every file in the directory: the files of a batch that ran again, and of task attempts that failed, are read twice',
    caughtBy: 'exactly-once',
  },
  'spark-update-writes-unchanged': {
    description: 'update output mode writes every window the aggregation holds each batch, not only those the batch changed (complete mode without its whole table)',
    caughtBy: 'spark.output-mode',
  },
  'spark-memory-sink-appends-complete': {
    description: 'the memory sink ignores complete mode\'s truncate: each batch\'s whole result table is appended to the rows already there, so the table holds a window once for every batch that wrote it',
    caughtBy: 'spark.memory-sink',
  },
  'spark-continuous-commit-unflushed': {
    description: 'a continuous task reports its epoch committed as soon as the marker passes, before the rows it sent are acknowledged; when its executor crashes, the rows in flight are gone and the restart begins after them',
    caughtBy: 'etl.no-loss',
  },
} as const satisfies Record<string, { description: string; caughtBy: string }>;

export type SparkBugName = keyof typeof SPARK_BUGS;

/** The switches of one run. */
export class SparkBugs extends Switches<SparkBugName> {
  constructor(names: readonly string[] = []) {
    super(SPARK_BUGS, names);
  }
}
