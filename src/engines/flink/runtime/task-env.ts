/**
 * What a task needs from the task manager that hosts it: the process
 * context, the log client, the job's settings and graph, and the channels to
 * the job manager and other tasks.
 */
import type { ProcessContext } from '../../../runtime/index.ts';
import type { LogClient } from '../../../log/client.ts';
import type { BugSwitches } from '../bugs.ts';
import type { GraphEdge, JobGraph, Vertex } from '../graph.ts';
import type { EdgeWriter, OnSent } from './writer.ts';
import type { Task, TaskSnapshot } from './task.ts';

export type { Guarantee } from '../../../stream/guarantee.ts';
import type { Guarantee } from '../../../stream/guarantee.ts';

export interface JobSettings {
  guarantee: Guarantee;
  /** Records per network buffer before it is sent. */
  bufferRecords: number;
  /** Flink's execution.buffer-timeout: a buffer holding records is sent at the latest this long after its first one (100 ms, Flink's default). */
  bufferTimeoutMs: number;
  /** 0 = no periodic checkpoints. */
  checkpointIntervalMs: number;
  checkpointTimeoutMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** Pause before redeploying after a failure (Flink's fixed-delay restart strategy). */
  restartDelayMs: number;
  /** Consecutive failed checkpoints tolerated before the job is restarted (Flink's tolerable-failed-checkpoints). */
  tolerableFailedCheckpoints: number;
  /** When > 0: at this virtual time take a savepoint, stop the job with it and start the job again from it. */
  savepointAtMs: number;
  /** Exactly-once with unaligned checkpoints (Flink's execution.checkpointing.unaligned): snapshot at the first barrier, persist in-flight records. */
  unalignedCheckpoints: boolean;
}

export const DEFAULT_SETTINGS: JobSettings = {
  guarantee: 'exactly-once',
  bufferRecords: 256,
  bufferTimeoutMs: 100,
  checkpointIntervalMs: 500,
  checkpointTimeoutMs: 2_000,
  heartbeatIntervalMs: 100,
  heartbeatTimeoutMs: 300,
  restartDelayMs: 100,
  tolerableFailedCheckpoints: 2,
  savepointAtMs: 0,
  unalignedCheckpoints: false,
};

export interface TaskEnv {
  readonly ctx: ProcessContext;
  readonly log: LogClient;
  /**
   * The task's producer: a log client of its own for what its sink writes (made on first use), as
   * Flink's KafkaWriter owns its Kafka producer apart from a source's consumer. Cancelling the task
   * drops its requests too, unless the sink holds it open (`holdProducer`).
   */
  producer(): LogClient;
  /**
   * Keeps the producer's requests going past the task's cancellation until the returned function is
   * called: a cancelled sink's abort waits for its batch in flight, then for its answer.
   */
  holdProducer(): () => void;
  readonly bugs: BugSwitches;
  readonly settings: JobSettings;
  readonly graph: JobGraph;
  readonly vertices: Vertex[];
  readonly attempt: number;
  /** The checkpoint this attempt restored (Flink's `getRestoredCheckpointId`), or -1 when it started from none. */
  readonly restoredCheckpoint: number;
  writerFor(edge: GraphEdge, fromSubtask: number, onFirstBuffered: () => void, onSent: OnSent): EdgeWriter;
  reportFinished(task: Task): void;
  /**
   * The task, already stopped (its operators closed), cannot go on (lost data, missing snapshot): its
   * task manager no longer runs it and tells the job manager, which restarts the job.
   */
  failTask(task: Task, reason: string): void;
  /** `snap` is the task's own copy of its state at the barrier: it shares nothing with live state. */
  ackCheckpoint(task: Task, id: number, snap: TaskSnapshot): void;
  /** The task gave up checkpoint `id` (Flink's declineCheckpoint): the coordinator may abort it at once. */
  declineCheckpoint(task: Task, id: number, reason: string): void;
  /** A side output nobody consumes (a test harness collects it; otherwise it is dropped). */
  unroutedSide?(task: Task, operator: string, tag: string, value: unknown, ts: number): void;
}
