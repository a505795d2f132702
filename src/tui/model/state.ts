/**
 * Creating and copying the replay state. A copy shares nothing mutable with
 * its original, so a periodic snapshot can be replayed forward from without
 * disturbing it.
 */
import type { ReplayState, TaskState } from './types.ts';
import type { EngineKind } from './engine.ts';
import { cloneKsState, newKsState } from './kstreams.ts';
import { cloneSparkState, newSparkState } from './spark.ts';

/** The state before the first event; a Kafka Streams or Spark run also gets that engine's own state. */
export function emptyState(engine: EngineKind = 'flink'): ReplayState {
  const s = emptyFlinkState();
  if (engine === 'kstreams') s.ks = newKsState();
  if (engine === 'spark') s.spark = newSparkState();
  return s;
}

function emptyFlinkState(): ReplayState {
  return {
    index: -1,
    timeMs: 0,
    tasks: new Map(),
    jobAttempt: -1,
    jobFinished: false,
    jobFailures: 0,
    checkpoints: new Map(),
    checkpointsCompleted: 0,
    finalCheckpoint: -1,
    checkpointsAborted: 0,
    checkpointsLost: 0,
    txns: new Map(),
    txnsCommitted: 0,
    txnsAborted: 0,
    committedOutput: 0,
    pendingOutput: new Map(),
    down: [],
    faults: 0,
    lastFault: undefined,
    lateRecords: 0,
    lateJoins: 0,
    firings: 0,
  };
}

function cloneTask(t: TaskState): TaskState {
  return { ...t, channels: t.channels.map((c) => ({ ...c })) };
}

export function cloneState(s: ReplayState): ReplayState {
  const tasks = new Map<string, TaskState>();
  for (const [k, t] of s.tasks) tasks.set(k, cloneTask(t));
  const checkpoints = new Map();
  for (const [k, c] of s.checkpoints) checkpoints.set(k, { ...c });
  const txns = new Map();
  for (const [k, t] of s.txns) txns.set(k, { ...t });
  const out: ReplayState = {
    ...s,
    tasks,
    checkpoints,
    txns,
    pendingOutput: new Map(s.pendingOutput),
    down: [...s.down],
    lastFault: s.lastFault ? { ...s.lastFault } : undefined,
  };
  if (s.ks) out.ks = cloneKsState(s.ks);
  if (s.spark) out.spark = cloneSparkState(s.spark);
  return out;
}

export function newTask(name: string): TaskState {
  return {
    name,
    process: '',
    attempt: -1,
    status: 'waiting',
    watermark: undefined,
    channels: [],
    checkpoint: -1,
    forwarded: -1,
    snapshot: -1,
    restoredFrom: -1,
    ended: false,
    idle: false,
    zombie: undefined,
  };
}
