/**
 * How an engine is put onto a world: the engine's deployment adds its own
 * processes (job manager and task managers, application instances, a driver
 * and executors) through a `Host`, and reports what a run needs to know of
 * it. The world behind the host is the simulator's, so an engine still never
 * imports it; the explorer never learns which processes an engine runs.
 */
import type { ProcessFactory } from './types.ts';
import type { TraceEvent } from './trace-event.ts';

/** A process's disk as it would survive a crash, read without side effects. */
export interface DurableView {
  read(path: string): string | undefined;
  /** The durable frames of a frame file (see `Disk.appendFrame`); never damaged. */
  readFrames(path: string): readonly unknown[] | undefined;
  /** The durable paths that start with `prefix`. */
  list(prefix: string): string[];
}

/** What a deployment sees of the world it is put on. */
export interface Host {
  addProcess(id: string, factory: ProcessFactory): void;
  /** The durable content of a process's disk, for inspectors that run beside the world (never from inside a process). */
  durableView(id: string): DurableView;
  /** Hands a message to a process from outside the world (an operator's command, such as closing an application). */
  deliver(id: string, msg: unknown): void;
  /** Whether a process is up now (not crashed), for inspectors beside the world such as interactive queries. */
  isUp?(id: string): boolean;
}

/** An engine deployed onto a world. */
export interface EngineDeployment {
  /** Every process the deployment added. */
  readonly processes: readonly string[];
  /** The processes a fault plan may crash (the deployment's; the world adds the log broker's). */
  readonly crashable: readonly string[];
  /** The kinds of trace event `onEvent` reads. */
  readonly kinds: readonly string[];
  /** Sees every trace event of those kinds, as it is emitted. */
  onEvent(e: TraceEvent): void;
  /** The job reported that it has processed all of its input. */
  readonly finished: boolean;
  /** What the run's report counts of the engine's progress. */
  stats(): EngineStats;
  /** Once finished: asks the engine's processes to shut down, so the world can settle (an engine whose processes stop by themselves has none). */
  stop?(): void;
}

export interface EngineStats {
  /** Completed and aborted checkpoints (Flink), commits (Kafka Streams) or batches (Spark); savepoints taken. */
  checkpoints: { completed: number; aborted: number; savepoints: number };
  /** Recoveries from a durable snapshot. */
  restores: number;
}
