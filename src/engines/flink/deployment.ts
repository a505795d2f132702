/**
 * The Flink engine on a world: one job manager, task managers hosting the
 * job's slots (and spares a restart may move a slot to), and the checkpoint
 * store, all reaching the log broker by id. A scenario gives the job as a
 * `FlinkBuild`; the deployment builds the job graph, plans its tasks onto
 * the task managers, and follows the trace to report progress and to read
 * each completed checkpoint as a consistent cut.
 */
import type { DurableView, EngineDeployment, EngineStats, Host } from '../../runtime/deployment.ts';
import type { TraceEvent } from '../../runtime/trace-event.ts';
import type { CheckpointCut } from '../../stream/cut.ts';
import type { Guarantee } from '../../stream/guarantee.ts';
import type { JobSizes } from '../../stream/sizes.ts';
import { StreamEnvironment } from './api/environment.ts';
import { BugSwitches } from './bugs.ts';
import { readCheckpoint, type InspectedCheckpoint } from './checkpoint/inspect.ts';
import { checkpointStoreProcess } from './checkpoint/store.ts';
import { jobManagerProcess } from './runtime/job-manager.ts';
import { JobPlan } from './runtime/plan.ts';
import { DEFAULT_SETTINGS, type JobSettings } from './runtime/task-env.ts';
import { taskManagerProcess, type ClusterIds } from './runtime/task-manager.ts';

/** A scenario's job for the Flink engine. */
export interface FlinkBuild {
  /** Builds the pipeline on the DataStream-style environment. */
  build(env: StreamEnvironment, sizes: JobSizes): void;
  /** Reads a completed checkpoint as a cut (recorded source offsets and keyed state), for `checkpoint.consistent-cut`. */
  cut?(cp: InspectedCheckpoint): CheckpointCut<unknown>;
}

export interface FlinkJob {
  build: FlinkBuild;
  sizes: JobSizes;
  guarantee: Guarantee;
  /** Planted bugs of the run; those of other layers are ignored here. */
  bugs: readonly string[];
  taskManagers: number;
  spareTaskManagers: number;
  checkpointIntervalMs?: number;
  /** Flink's execution.buffer-timeout (default 100). */
  bufferTimeoutMs?: number;
  savepointAtMs?: number;
  unaligned?: boolean;
  /** The log broker's process id. */
  brokerId: string;
}

const JM = 'jm';
const STORE = 'store';

/** The task managers: `tm-0 …` hosting slots, then the spares. */
export function taskManagerIds(count: number, spareCount: number): { tms: string[]; spares: string[] } {
  const ids = Array.from({ length: count + spareCount }, (_, i) => `tm-${i}`);
  return { tms: ids.slice(0, count), spares: ids.slice(count) };
}

/**
 * The processes of a Flink cluster and the log broker it reaches, in the order fault plans draw
 * from (job manager, task managers, broker, checkpoint store); every one of them may crash. The
 * deployment itself adds all but the broker.
 */
export function flinkProcesses(taskManagers: number, spareTaskManagers: number, brokerId: string): { processes: string[]; crashable: string[] } {
  const { tms, spares } = taskManagerIds(taskManagers, spareTaskManagers);
  const processes = [JM, ...tms, ...spares, brokerId, STORE];
  return { processes, crashable: processes };
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['job.finish', 'job.restore', 'checkpoint.complete', 'checkpoint.metadata', 'savepoint.complete', 'checkpoint.abort'];

export class FlinkDeployment implements EngineDeployment {
  readonly processes: readonly string[];
  readonly crashable: readonly string[];
  /** Each completed checkpoint read as a cut, when the build says how. */
  readonly cuts: CheckpointCut<unknown>[] = [];
  private done = false;
  private readonly counts = { completed: 0, aborted: 0, savepoints: 0, restores: 0 };

  constructor(private readonly plan: JobPlan, private readonly build: FlinkBuild, private readonly store: DurableView, processes: { processes: string[]; crashable: string[] }) {
    this.processes = processes.processes;
    this.crashable = processes.crashable;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'job.finish':
        this.done = true;
        break;
      case 'job.restore':
        if ((e.checkpoint as number) >= 0) this.counts.restores++;
        break;
      case 'checkpoint.complete':
        this.counts.completed++;
        break;
      case 'checkpoint.metadata':
        // Read the checkpoint now, before a later one subsumes it; durable content only, so
        // reading has no effect on the run.
        if (this.build.cut) {
          const cp = readCheckpoint(this.store, this.plan, e.checkpoint as number);
          if (cp) this.cuts.push(this.build.cut(cp));
        }
        break;
      case 'savepoint.complete':
        this.counts.savepoints++;
        break;
      case 'checkpoint.abort':
        if (e.task === undefined) this.counts.aborted++;
        break;
    }
  }

  stats(): EngineStats {
    const { completed, aborted, savepoints, restores } = this.counts;
    return { checkpoints: { completed, aborted, savepoints }, restores };
  }
}

/** Builds the job, plans it onto task managers and adds the Flink processes to the world. */
export function deployFlink(host: Host, job: FlinkJob): FlinkDeployment {
  const settings: JobSettings = {
    ...DEFAULT_SETTINGS,
    guarantee: job.guarantee,
    ...(job.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: job.checkpointIntervalMs } : {}),
    ...(job.bufferTimeoutMs !== undefined ? { bufferTimeoutMs: job.bufferTimeoutMs } : {}),
    ...(job.savepointAtMs !== undefined ? { savepointAtMs: job.savepointAtMs } : {}),
    ...(job.unaligned ? { unalignedCheckpoints: true } : {}),
  };
  const bugs = new BugSwitches(job.bugs);
  const { tms, spares } = taskManagerIds(job.taskManagers, job.spareTaskManagers);
  const env = new StreamEnvironment({ parallelism: job.sizes.parallelism });
  job.build.build(env, job.sizes);
  const plan = new JobPlan(env.graph, tms, spares);
  const ids: ClusterIds = { jm: JM, broker: job.brokerId, store: STORE };

  host.addProcess(STORE, checkpointStoreProcess(bugs));
  for (const tm of plan.allTaskManagers) host.addProcess(tm, taskManagerProcess(plan, settings, bugs, ids));
  host.addProcess(JM, jobManagerProcess(plan, settings, ids));
  const own = flinkProcesses(tms.length, spares.length, job.brokerId);
  const processes = own.processes.filter((p) => p !== job.brokerId);
  return new FlinkDeployment(plan, job.build, host.durableView(STORE), { processes, crashable: processes });
}
