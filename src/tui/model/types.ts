/**
 * The derived state of a run at one step of its trace: what the replay UI
 * draws. It is a pure function of the trace prefix (events 0..i); nothing in
 * it comes from the engine's memory.
 *
 * What is exact and what is not: task watermarks, channel watermarks, barrier
 * arrivals, checkpoint acks, transaction states and the committed output
 * count are read straight from trace events. Records in flight on a channel
 * are not in the trace (network messages are not traced), so the UI shows
 * only the barriers and watermarks a channel still owes, derived by pairing
 * what the upstream task sent with what the downstream task received.
 *
 * The state is bounded in size (recent checkpoints and transactions only,
 * open ones always kept), so periodic snapshots of it stay cheap however long
 * the run is.
 */

import type { KsState } from './kstreams.ts';
import type { SparkState } from './spark.ts';

export type TaskStatus = 'waiting' | 'running' | 'aligning' | 'snapshotting' | 'crashed' | 'restoring' | 'finished';

export interface ChannelState {
  /** Last watermark received on this input channel (undefined: none yet in this attempt). */
  wm: number | undefined;
  /** The upstream marked itself idle (its watermark does not hold this task back). */
  idle: boolean;
  /** Highest checkpoint barrier received on this channel in this attempt (-1: none). */
  barrier: number;
}

export interface TaskState {
  name: string;
  /** The process (task manager) that runs the current attempt; '' before the first deploy. */
  process: string;
  attempt: number;
  status: TaskStatus;
  /** The task's own watermark (what it emits downstream); undefined before the first. */
  watermark: number | undefined;
  channels: ChannelState[];
  /** The checkpoint being aligned or snapshotted, -1 when none. */
  checkpoint: number;
  /** The last checkpoint whose barrier this task injected (sources) or forwarded, -1 when none. */
  forwarded: number;
  /** The last checkpoint this task snapshotted, -1 when none. */
  snapshot: number;
  /** The checkpoint the current attempt restored from, -1 when it started empty. */
  restoredFrom: number;
  /** A source that read all of its input. */
  ended: boolean;
  /** The task marked its output idle (an idle source, or every input idle) and not active since. */
  idle: boolean;
  /** A task manager still running an older attempt of this task (a zombie), until it hears of the newer one. */
  zombie: string | undefined;
}

/** `lost`: the coordinator that triggered it crashed first; nobody aborts it, it is simply gone with the job manager's memory. */
export type CheckpointStatus = 'in progress' | 'completed' | 'aborted' | 'lost';

export interface CheckpointState {
  id: number;
  attempt: number;
  status: CheckpointStatus;
  acked: number;
  /** Tasks that must ack; 0 until the first ack says. */
  of: number;
  /** The checkpoint's metadata is durable in the store. */
  metadata: boolean;
  reason?: string;
  /** Trace index of the barrier injection that started it. */
  startIndex: number;
  /** The process whose coordinator triggered it (Flink's job manager). */
  coordinator: string;
}

/** `empty`: nothing was written in it, so its barrier closed it with no commit to send. */
export type TxnStatus = 'open' | 'precommitted' | 'committed' | 'aborted' | 'empty';

/** A sink transaction (one per sink subtask and checkpoint), as the sink traces it. */
export interface TxnState {
  txn: string;
  task: string;
  status: TxnStatus;
  checkpoint: number | undefined;
  reason?: string;
}

export interface FaultNote {
  index: number;
  text: string;
}

export interface ReplayState {
  /** A Kafka Streams run's own state (model/kstreams.ts); absent in other runs. */
  ks?: KsState;
  /** A Spark run's own state (model/spark.ts); absent in other runs. */
  spark?: SparkState;
  /** Trace index of the last event applied (-1: none). */
  index: number;
  timeMs: number;
  /** Tasks by name, in first-seen order. */
  tasks: Map<string, TaskState>;
  /** The job attempt the job manager last restored (-1 before the first deploy). */
  jobAttempt: number;
  jobFinished: boolean;
  jobFailures: number;
  /** Recent checkpoints by id, oldest first, at most RECENT_CHECKPOINTS (in-progress ones kept). */
  checkpoints: Map<number, CheckpointState>;
  checkpointsCompleted: number;
  /** The checkpoint taken after every task finished (-1: none yet); tasks send no barrier for it. */
  finalCheckpoint: number;
  checkpointsAborted: number;
  /** Checkpoints in flight when the job manager that triggered them crashed (status `lost`). */
  checkpointsLost: number;
  /** Recent sink transactions by id, oldest first (open and precommitted ones always kept). */
  txns: Map<string, TxnState>;
  txnsCommitted: number;
  txnsAborted: number;
  /** Output records in committed transactions (or appended without one): what read-committed readers see. */
  committedOutput: number;
  /** Output records appended in transactions not yet settled, by transactional id. */
  pendingOutput: Map<string, number>;
  /** Processes that crashed and have not restarted. */
  down: string[];
  faults: number;
  lastFault: FaultNote | undefined;
  lateRecords: number;
  lateJoins: number;
  firings: number;
}

export const RECENT_CHECKPOINTS = 8;
export const RECENT_TXNS = 12;
