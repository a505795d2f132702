/**
 * A scenario: a pipeline, a workload, default sizes, and the checks that
 * apply — everything `weir run <name>` needs, in one short module.
 */
import type { StreamEnvironment, WindowedResultStream } from '../src/engines/flink/api/environment.ts';
import type { InputRecord, OutputRecord } from '../src/stream/records.ts';
import type { Rng } from '../src/sim/rng.ts';
import type { Workload } from '../src/workload/generate.ts';
import type { CheckResult } from '../src/check/types.ts';
import type { InspectedCheckpoint } from '../src/engines/flink/checkpoint/inspect.ts';
import type { CheckpointCut } from '../src/check/checkpoint-cut.ts';
import type { WindowSpec } from '../src/check/types.ts';
import type { TimelinessSpec } from '../src/check/timeliness.ts';

export interface ScenarioSizes {
  events: number;
  parallelism: number;
  /** Partitions of the input topic. */
  partitions: number;
  keys: number;
}

export interface CheckInput {
  input: InputRecord[];
  /** The input as the log holds it: per partition, in offset order. */
  inputByPartition: InputRecord[][];
  /** The read-committed content of the output topic. */
  output: OutputRecord[];
  canBeLate: boolean;
  /** Ids of records an operator dropped as late in the run (traced `record.late`). */
  droppedLate: ReadonlySet<number>;
}

/**
 * How a scenario's checkpoints are judged as consistent cuts: what each
 * completed checkpoint recorded (source offsets, keyed state), and the state
 * the input before those offsets must give.
 */
export interface CutCheck<V = unknown> {
  extract(cp: InspectedCheckpoint): CheckpointCut<V>;
  reference(before: InputRecord[]): Map<string, V>;
  show?(v: V | undefined): string;
}

export interface Scenario {
  name: string;
  summary: string;
  defaults: ScenarioSizes;
  workload(rng: Rng, sizes: ScenarioSizes): Workload;
  build(env: StreamEnvironment, sizes: ScenarioSizes): void;
  /** Virtual time faults are drawn over (default: until the workload's last arrival; scripted scenarios have none). */
  faultHorizonMs?: number;
  /** Window scenarios: the window spec the standard window checks use. */
  window?: WindowSpec;
  /** Checkpoint consistency: each completed checkpoint is read when it completes and judged as a cut. */
  cut?: CutCheck<any>;
  /** Checks beyond the standard ones (bank balances, join pairs). */
  check?(input: CheckInput): CheckResult[];
  /**
   * The input is the output of an upstream job: each batch is written in a transaction,
   * and about one batch in `abortOneIn` is first written in a transaction that aborts.
   * Default: plain idempotent batches.
   */
  transactionalInput?: { abortOneIn: number };
  /** A read-committed consumer reads the output topic while the job runs (judged by `read-committed`). */
  readOutputDuringRun?: boolean;
  /**
   * The sources' watermark strategy, for `watermark.timeliness`: each on-time firing must come
   * soon after the input allows it. Give the same bound and idle timeout as the sources'.
   */
  timeliness?: TimelinessSpec;
}

/** Topic names every scenario uses. */
export const TOPICS = { input: 'input', output: 'output' } as const;

/** Window results and the window's late side output ('late') both go to the output topic. */
export function sinkWindowResults(results: WindowedResultStream, parallelism: number): void {
  results.sinkTo({ topic: TOPICS.output, partitions: parallelism, name: 'sink' });
  results.getSideOutput('late').sinkTo({ topic: TOPICS.output, partitions: parallelism, name: 'late-sink' });
}
