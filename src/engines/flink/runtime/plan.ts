/**
 * The physical plan of a job: every task (vertex × subtask), the slot it
 * runs in, and its input channels. The job manager and every task manager
 * compute the same plan from the same graph and the same list of task
 * managers, so they agree on placement and channel numbering without
 * exchanging it.
 *
 * A slot is named after the task manager that hosts it when every task
 * manager is healthy (`taskManagers[i]`). Spare task managers host nothing
 * at first; when an attempt is deployed the job manager sends the slot
 * table (`slots[i]` = the task manager hosting slot i in that attempt), so a
 * job restarts on a spare when a task manager is unreachable, as Flink
 * redeploys onto whatever slots the resource manager can offer.
 */
import type { GraphEdge, JobGraph, Vertex } from '../graph.ts';
import type { ProcessId } from '../../../runtime/index.ts';
import { taskKey } from './items.ts';
import { channelTargets, inputChannels, type ChannelTarget, type InputChannel } from './writer.ts';

export interface PlannedTask {
  key: string;
  vertexId: number;
  subtask: number;
  tm: ProcessId;
  isSource: boolean;
}

export class JobPlan {
  readonly vertices: Vertex[];
  readonly tasks: PlannedTask[] = [];
  private readonly byKey = new Map<string, PlannedTask>();
  private readonly channels = new Map<string, InputChannel[]>();

  /** Every task manager, slot hosts first, then spares. */
  readonly allTaskManagers: readonly ProcessId[];

  constructor(
    readonly graph: JobGraph,
    readonly taskManagers: readonly ProcessId[],
    readonly spares: readonly ProcessId[] = [],
  ) {
    this.allTaskManagers = [...taskManagers, ...spares];
    this.vertices = graph.vertices();
    for (const n of graph.nodes) {
      if (n.keyed && n.parallelism > graph.maxParallelism) throw new Error(`${n.name} runs ${n.parallelism} subtasks, more than the max parallelism (${graph.maxParallelism} key groups)`);
    }
    let slot = 0;
    for (const v of this.vertices) {
      const isSource = graph.nodes[v.nodes[0]!]!.isSource;
      for (let s = 0; s < v.parallelism; s++) {
        const t: PlannedTask = { key: taskKey(v.id, s), vertexId: v.id, subtask: s, tm: taskManagers[slot % taskManagers.length]!, isSource };
        slot++;
        this.tasks.push(t);
        this.byKey.set(t.key, t);
      }
    }
  }

  task(key: string): PlannedTask {
    const t = this.byKey.get(key);
    if (!t) throw new Error(`no task ${key} in the plan`);
    return t;
  }

  vertexOfNode(nodeId: number): Vertex {
    return this.graph.vertexOfNode(this.vertices, nodeId);
  }

  channelsOf(vertexId: number, subtask: number): InputChannel[] {
    const k = taskKey(vertexId, subtask);
    let chs = this.channels.get(k);
    if (!chs) {
      const v = this.vertices[vertexId]!;
      chs = inputChannels(v.inputs, (e) => this.graph.nodes[e.from]!.parallelism, subtask, v.parallelism);
      this.channels.set(k, chs);
    }
    return chs;
  }

  targetsOf(edge: GraphEdge, fromSubtask: number): (ChannelTarget | undefined)[] {
    const down = this.vertexOfNode(edge.to);
    return channelTargets(edge, down.id, down.name, down.parallelism, (s) => this.channelsOf(down.id, s), fromSubtask);
  }

  /** The tasks of the slot `tm` hosts in an attempt deployed with `slots` (none for a task manager without a slot). */
  tasksOn(tm: ProcessId, slots: readonly ProcessId[] = this.taskManagers): PlannedTask[] {
    const i = slots.indexOf(tm);
    if (i < 0) return [];
    const slot = this.taskManagers[i]!;
    return this.tasks.filter((t) => t.tm === slot);
  }

  /** The task manager hosting task `key` in an attempt deployed with `slots`. */
  hostOf(key: string, slots: readonly ProcessId[]): ProcessId {
    return slots[this.taskManagers.indexOf(this.task(key).tm)]!;
  }
}
