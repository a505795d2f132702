/**
 * Reading completed checkpoints back, after a run (in the spirit of Flink's
 * State Processor API): which checkpoints the store holds, and for each task
 * the state every operator put into it. Only checkpoints whose metadata was
 * written are listed — exactly the ones recovery may restore.
 *
 * The snapshot formats stay private to the engine: callers get operator
 * snapshots as opaque values (the store's own: read them, never change
 * them) and read them through the helpers here (`sourceOffsets`,
 * `keyedValues`), which decode them with the engine's own code.
 */
import { concatAll, damagedFrame, flatMapped, unseal, type Disk } from '../../../runtime/index.ts';
import type { JobPlan } from '../runtime/plan.ts';
import { checkpointMetaPath, type SnapshotFrame } from './store.ts';
import type { TaskSnapshot } from '../runtime/task.ts';
import type { RestoreInfo } from '../runtime/messages.ts';
import { KeyedStateBackend } from '../state/backend.ts';
import type { KeyedOperatorSnapshot } from '../operators/keyed-operator.ts';
import type { SourceSnapshot } from '../operators/log-source.ts';

export interface InspectedOperator {
  /** The operator's name in the job graph (e.g. `transfers`, `balances`). */
  name: string;
  snapshot: unknown;
}

export interface InspectedTask {
  /** `${vertex}[${subtask}]`. */
  task: string;
  subtask: number;
  operators: InspectedOperator[];
  /** Unaligned checkpoints: the input records in flight at the checkpoint, which the task will process first after a restore. */
  inFlight: unknown[];
}

export interface InspectedCheckpoint {
  checkpoint: number;
  tasks: InspectedTask[];
}

/** What reading checkpoints needs of the store's disk (a durable view, for readers outside the store). */
export type StoreView = Pick<Disk, 'read' | 'list' | 'readFrames'>;

/** Every completed checkpoint the store still holds (older ones are subsumed). */
export function readCheckpoints(store: StoreView, plan: JobPlan): InspectedCheckpoint[] {
  const out: InspectedCheckpoint[] = [];
  for (const path of store.list('meta/cp-')) {
    if (path.endsWith('.tmp')) continue;
    const cp = readCheckpointAt(store, plan, path);
    if (cp) out.push(cp);
  }
  return out;
}

/** Completed checkpoint `id`, or undefined when its metadata is missing or unreadable. */
export function readCheckpoint(store: StoreView, plan: JobPlan, id: number): InspectedCheckpoint | undefined {
  return readCheckpointAt(store, plan, checkpointMetaPath(id));
}

function readCheckpointAt(store: StoreView, plan: JobPlan, path: string): InspectedCheckpoint | undefined {
  const meta = unseal(store.read(path));
  if (meta === undefined) return undefined;
  const info = JSON.parse(meta) as RestoreInfo & { checkpoint: number };
  const tasks: InspectedTask[] = [];
  for (const [key, handle] of Object.entries(info.handles)) {
    const frame = store.readFrames(handle)?.[0];
    if (frame === undefined || damagedFrame(frame)) continue;
    const snap = (frame as SnapshotFrame).snapshot as TaskSnapshot;
    const pt = plan.task(key);
    const vertex = plan.vertices[pt.vertexId]!;
    const operators = vertex.nodes.map((id, i) => ({ name: plan.graph.nodes[id]!.name, snapshot: snap.ops[i] }));
    tasks.push({ task: `${vertex.name}[${pt.subtask}]`, subtask: pt.subtask, operators, inFlight: (snap.inFlight ?? []).map(([, value]) => value) });
  }
  return { checkpoint: info.checkpoint, tasks };
}

/** Unaligned checkpoints: the input records in flight into the tasks that run operator `name`. */
export function inFlightInto(cp: InspectedCheckpoint, name: string): unknown[] {
  const into = cp.tasks.filter((t) => t.operators.some((o) => o.name === name));
  return concatAll(into.map((t) => t.inFlight));
}

/** The operators named `name` across all tasks of a checkpoint. */
export function operatorsNamed(cp: InspectedCheckpoint, name: string): InspectedOperator[] {
  return flatMapped(cp.tasks, (t) => t.operators.filter((o) => o.name === name));
}

/** A log source's checkpointed reading position: partition → next offset to read. */
export function sourceOffsets(op: InspectedOperator): Map<number, number> {
  const s = op.snapshot as SourceSnapshot | undefined;
  return new Map((s?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

/** The values of keyed value state `stateName` of a keyed operator, by key. */
export function keyedValues<T>(op: InspectedOperator, stateName: string): Map<string, T> {
  const s = op.snapshot as KeyedOperatorSnapshot | undefined;
  const out = new Map<string, T>();
  if (!s) return out;
  const backend = new KeyedStateBackend();
  backend.restore(s.state);
  const state = backend.valueState<T>(stateName);
  for (const key of backend.keys(stateName)) {
    backend.setCurrentKey(key);
    const v = state.value();
    if (v !== undefined && v !== null) out.set(key, v);
  }
  return out;
}
