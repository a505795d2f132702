/**
 * A scenario: a workload, default sizes and the checks that apply, declared
 * once, and one build of the pipeline per engine it runs on — everything
 * `weir run <name> --engine E` needs, in one short module.
 */
import type { WindowedResultStream } from '../src/engines/flink/api/environment.ts';
import type { FlinkBuild } from '../src/engines/flink/deployment.ts';
import type { KStreamsBuild } from '../src/engines/kstreams/deployment.ts';
import type { SparkBuild } from '../src/engines/spark/deployment.ts';
import type { InputRecord, OutputRecord } from '../src/stream/records.ts';
import type { Rng } from '../src/sim/rng.ts';
import type { Workload } from '../src/workload/generate.ts';
import type { CheckResult } from '../src/check/types.ts';
import type { CutReference } from '../src/check/checkpoint-cut.ts';
import type { JobSizes } from '../src/stream/sizes.ts';
import type { WindowSpec } from '../src/check/types.ts';
import type { TimelinessSpec } from '../src/check/timeliness.ts';

export type ScenarioSizes = JobSizes;

export interface CheckInput {
  input: InputRecord[];
  /** The input as the log holds it: per partition, in offset order. */
  inputByPartition: InputRecord[][];
  /** The read-committed content of the output topic. */
  output: OutputRecord[];
  canBeLate: boolean;
  /**
   * Ids of records an operator dropped as late in the run (traced `record.late`), and of records an
   * interval join took exactly at its watermark, when partners may already have been cleaned up
   * (traced `join.at-watermark`).
   */
  droppedLate: ReadonlySet<number>;
  /** The run's guarantee, for checks whose verdict depends on it (duplicates under at-least-once). */
  guarantee: string;
  /**
   * Spark: the eviction watermark of the last batch, when the run ended with the driver idle since a
   * restart that found that batch committed. Such a driver runs a batch only for new data, so what
   * waits for a higher watermark (an outer join's unmatched rows) was never emitted, as in Spark.
   */
  stuckWatermark?: number;
}

/**
 * How a scenario's consistent cuts are judged: the state exactly the input
 * before a cut's offsets must give. Each engine's build says how to read a
 * cut from what the engine recorded (a Flink checkpoint).
 */
export interface CutCheck<V = unknown> {
  reference: CutReference<V>;
  show?(v: V | undefined): string;
}

/** The engines a scenario can run on. */
export type EngineName = 'flink' | 'kstreams' | 'spark';
export const ENGINE_NAMES: readonly EngineName[] = ['flink', 'kstreams', 'spark'];

/** One build per engine a scenario runs on (the engines not yet built have no build type). */
export interface EngineBuilds {
  flink?: FlinkBuild;
  kstreams?: KStreamsBuild;
  spark?: SparkBuild;
}

export interface Scenario {
  name: string;
  summary: string;
  defaults: ScenarioSizes;
  workload(rng: Rng, sizes: ScenarioSizes): Workload;
  /** The input is a fixed script of `defaults.events` records, whatever the sizes: `--events` cannot change it (`fixedInputProblem`). */
  fixedInput?: boolean;
  /** The job, once per engine it runs on; workload, sizes and checks are shared by all. */
  engines: EngineBuilds;
  /** Virtual time faults are drawn over (default: until the workload's last arrival; scripted scenarios have none). */
  faultHorizonMs?: number;
  /** Window scenarios: the window spec the standard window checks use. */
  window?: WindowSpec;
  /**
   * The window spec of an engine whose build follows other window rules than `window` (Flink's
   * final results: no allowed lateness, the grace in the watermark's delay instead); the checks of
   * that engine's runs use it.
   */
  engineWindows?: Partial<Record<EngineName, WindowSpec>>;
  /** Consistent cuts: each cut an engine's build reads (a completed checkpoint) is judged against this reference. */
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

/**
 * Why `events` cannot size the scenario's input (a fixed script of its own length), or undefined:
 * a run that printed "100 events" over a script of 32 would mislead.
 */
export function fixedInputProblem(scenario: Scenario, events: number | undefined): string | undefined {
  const p = fixedInputParts(scenario, events);
  return p === undefined ? undefined : p.what + p.fix;
}

/** `fixedInputProblem` as what is wrong and the advice that fixes it (a token's caller swaps the advice). */
export function fixedInputParts(scenario: Scenario, events: number | undefined): { what: string; fix: string } | undefined {
  if (!scenario.fixedInput || events === undefined || events === scenario.defaults.events) return undefined;
  return { what: `scenario ${scenario.name} plays a fixed script of ${scenario.defaults.events} input records, so --events ${events} cannot size it`, fix: '; drop --events' };
}

/** The scenario as `engine`'s runs are judged: its window spec that engine's (`engineWindows`), if it has one. */
export function judgedOn(scenario: Scenario, engine: EngineName): Scenario {
  const w = scenario.engineWindows?.[engine];
  return w === undefined ? scenario : { ...scenario, window: w };
}

/** Topic names every scenario uses. */
export const TOPICS = { input: 'input', output: 'output' } as const;

/** Window results and the window's late side output ('late') both go to the output topic. */
export function sinkWindowResults(results: WindowedResultStream, parallelism: number): void {
  results.sinkTo({ topic: TOPICS.output, partitions: parallelism, name: 'sink' });
  results.getSideOutput('late').sinkTo({ topic: TOPICS.output, partitions: parallelism, name: 'late-sink' });
}
