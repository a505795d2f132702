/**
 * The Spark engine on a world: a driver, `executors` executors
 * (`executor-0 …`) and the checkpoint location's process (`spark-store`),
 * reaching the log broker by id. A scenario gives its query as a
 * `SparkBuild`; the deployment checks it as Spark's analyzer would and
 * follows the trace for the report.
 */
import type { EngineDeployment, EngineStats, Host } from '../../runtime/deployment.ts';
import type { TraceEvent } from '../../runtime/trace-event.ts';
import type { Guarantee } from '../../stream/guarantee.ts';
import type { JobSizes } from '../../stream/sizes.ts';
import { continuousInterval, planProblem, spark, type DataStreamWriter } from './dsl.ts';
import { driverProcess } from './driver.ts';
import { executorProcess, type SparkApp } from './executor.ts';
import { sparkStoreProcess } from './store.ts';
import { SparkBugs } from './bugs.ts';
import { MemoryTables } from './memory-sink.ts';

/** A scenario's query for the Spark engine. */
export interface SparkBuild {
  /** The query; `opts.guarantee` is the run's, for a build whose sink depends on it (a careful or careless foreachBatch). */
  build(s: typeof spark, sizes: JobSizes, opts: { guarantee: Guarantee }): DataStreamWriter;
  /** When the query starts (virtual ms; default 0): a query triggered Once or AvailableNow runs on the data there by then. */
  startAtMs?: number;
}

export interface SparkJob {
  build: SparkBuild;
  sizes: JobSizes;
  guarantee: Guarantee;
  topics: Record<string, number>;
  brokerId: string;
  /** Overrides the query's processing-time trigger interval. */
  triggerIntervalMs?: number;
  /** Planted bugs of the run; those of other layers are ignored here. */
  bugs: readonly string[];
}

export class SparkPlanError extends Error {}

const DRIVER = 'driver';
const STORE = 'spark-store';

export function executorIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `executor-${i}`);
}

/** The driver, the executors, the broker and the checkpoint store, in the order fault plans draw from; all may crash. */
export function sparkProcesses(executors: number, brokerId: string): { processes: string[]; crashable: string[] } {
  const processes = [DRIVER, ...executorIds(executors), brokerId, STORE];
  return { processes, crashable: processes };
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['spark.finished', 'spark.query.refused', 'spark.commit', 'spark.restart'];

export class SparkDeployment implements EngineDeployment {
  readonly crashable: readonly string[];
  private done = false;
  private readonly counts = { batches: 0, reruns: 0, restarts: 0 };

  /**
   * The memory sink's table as `spark.sql("select * from <queryName>")` on the driver reads it
   * now: the live driver's rows, or undefined while the driver is down.
   */
  readonly memoryTable?: { name: string; rows(): unknown[] | undefined };

  constructor(
    readonly processes: readonly string[], readonly fileOutput?: { process: string; path: string }, private readonly continuousOn?: { host: Host; executors: readonly string[] },
    memory?: { name: string; tables: MemoryTables; host: Host },
  ) {
    this.crashable = processes;
    if (memory) this.memoryTable = { name: memory.name, rows: () => (memory.host.isUp?.(DRIVER) === false ? undefined : memory.tables.rows()) };
  }

  /** Continuous processing never ends by itself: once finished, the executors stop their long-running tasks. */
  stop(): void {
    if (!this.continuousOn) return;
    for (const e of this.continuousOn.executors) this.continuousOn.host.deliver(e, { kind: 'spark.shutdown' });
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
      case 'spark.finished':
      case 'spark.query.refused':
        // A query that refused to start (a memory sink's table cannot be recovered) is over too.
        this.done = true;
        break;
      case 'spark.commit':
        this.counts.batches++;
        break;
      case 'spark.restart':
        if (e.rerun === true) this.counts.reruns++;
        if ((e.latestOffsets as number) >= 0) this.counts.restarts++;
        break;
    }
  }

  stats(): EngineStats {
    return { checkpoints: { completed: this.counts.batches, aborted: this.counts.reruns, savepoints: 0 }, restores: this.counts.restarts };
  }
}

export function deploySpark(host: Host, job: SparkJob): SparkDeployment {
  const writer = job.build.build(spark, job.sizes, { guarantee: job.guarantee });
  let plan = writer.plan;
  if (job.triggerIntervalMs !== undefined && typeof plan.sink.trigger === 'object' && 'processingTimeMs' in plan.sink.trigger) plan = { ...plan, sink: { ...plan.sink, trigger: { processingTimeMs: job.triggerIntervalMs } } };
  const problem = planProblem(plan);
  if (problem !== undefined) throw new SparkPlanError(problem);
  const executors = executorIds(job.sizes.parallelism);
  // The exactly-once Kafka sink keeps one transactional id and one "batch N written" marker per output
  // partition, written by the reduce task of the same number: two tasks sharing a partition would share
  // the marker, and the second would skip its rows.
  const outputPartitions = job.topics[plan.sink.topic] ?? 1;
  if (plan.sink.format === 'kafka' && job.guarantee === 'exactly-once' && outputPartitions < job.sizes.parallelism) {
    throw new SparkPlanError(`the exactly-once sink needs at least as many partitions of '${plan.sink.topic}' (${outputPartitions}) as shuffle partitions (${job.sizes.parallelism})`);
  }
  const app: SparkApp = {
    plan,
    shufflePartitions: job.sizes.parallelism,
    outputPartitions,
    guarantee: job.guarantee,
    brokerId: job.brokerId,
    storeId: STORE,
    driverId: DRIVER,
    bugs: new SparkBugs(job.bugs),
    topicPartitions: (topic) => job.topics[topic] ?? 1,
    ...(plan.sink.format === 'memory' ? { memoryTables: new MemoryTables() } : {}),
  };
  host.addProcess(STORE, sparkStoreProcess());
  for (const e of executors) host.addProcess(e, executorProcess(app));
  host.addProcess(DRIVER, driverProcess(app, { executors, inputPartitions: job.topics[plan.source.topic] ?? 1, taskTimeoutMs: 1_000, ...(job.build.startAtMs !== undefined ? { startAtMs: job.build.startAtMs } : {}) }));
  // A file sink's directory lives on the checkpoint store's file system; readers find it there.
  const continuous = continuousInterval(plan.sink.trigger) !== undefined;
  const memory = app.memoryTables ? { name: plan.sink.queryName ?? '', tables: app.memoryTables, host } : undefined;
  return new SparkDeployment([DRIVER, ...executors, STORE], plan.sink.format === 'json' ? { process: STORE, path: plan.sink.path! } : undefined, continuous ? { host, executors } : undefined, memory);
}
