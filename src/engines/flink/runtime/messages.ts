/**
 * Control messages between the job manager and the task managers. Every
 * message about a job carries the attempt it belongs to; a message of an
 * older attempt is ignored, which is how a restarted job shuts out the
 * stragglers of the one before.
 */
export interface RestoreInfo {
  checkpoint: number;
  /** Task key → snapshot path in the checkpoint store. */
  handles: Record<string, string>;
}

export type JmToTm =
  /** `slots[i]`: the task manager hosting the tasks of slot i (see JobPlan) in this attempt. */
  | { kind: 'deploy'; attempt: number; restore: RestoreInfo | null; slots: string[] }
  | { kind: 'cancel'; attempt: number }
  | { kind: 'trigger'; attempt: number; checkpoint: number }
  | { kind: 'cp.complete'; attempt: number; checkpoint: number }
  /**
   * The coordinator aborted `checkpoint` (Flink's notifyCheckpointAborted): a task that has not
   * reached it yet skips it. `completed` is the latest checkpoint completed in this attempt, which
   * the task treats as a completion notice first (as Flink's StreamTask does).
   */
  | { kind: 'cp.abort'; attempt: number; checkpoint: number; completed?: number }
  /**
   * Heartbeats carry the current attempt: a task manager that missed a cancel learns from them that its tasks are stale.
   * They also repeat the latest completed checkpoint of that attempt (`completed`), as a `cp.complete` would.
   */
  | { kind: 'hb'; seq: number; attempt: number; completed?: number };

export type TmToJm =
  | { kind: 'tm.register'; incarnation: number }
  /** The answer to a deployment (Flink's submitTask acknowledgement): this task manager runs `attempt` now. */
  | { kind: 'deploy.ack'; attempt: number; incarnation: number }
  /**
   * A heartbeat's answer also lists the tasks of `attempt` this task manager runs and those of them
   * that have finished: a `task.finished` or `task.failed` lost to a partition is then made up for.
   */
  | {
      kind: 'hb.ack';
      seq: number;
      incarnation: number;
      /** As the latest `cancel.ack`: nothing of an attempt below this one runs or closes here (-1: no cancel yet). */
      ended: number;
      /** The deployment report (Flink's `ExecutionDeploymentReport`): the tasks of `attempt` this task manager runs. */
      attempt?: number;
      running?: string[];
      finished?: string[];
    }
  /**
   * The answer to a cancel (Flink's CANCELED state updates): every task this task manager ran of an
   * attempt below `attempt` has ended, and its sink has closed.
   */
  | { kind: 'cancel.ack'; attempt: number; incarnation: number }
  | { kind: 'task.finished'; attempt: number; task: string }
  | { kind: 'task.failed'; attempt: number; task: string; reason: string }
  | { kind: 'ack'; attempt: number; checkpoint: number; task: string; handle: string; stateHash: string }
  /** Task `task` (its name) gave up the checkpoint: a newer barrier or a cancellation marker came first, or it was not ready. */
  | { kind: 'decline'; attempt: number; checkpoint: number; task: string; reason: string };
