/**
 * The engines a run can use, and the one place that knows how each is put
 * onto a world: its deployment (from its own folder) given the scenario's
 * build for it. A scenario runs on the engines it has a build for; asking
 * for another is bad input (`EngineError`, exit 2).
 */
import type { EngineDeployment, Host } from '../runtime/deployment.ts';
import type { CheckpointCut } from '../stream/cut.ts';
import { deployFlink, flinkProcesses } from '../engines/flink/deployment.ts';
import { deployKStreams, kstreamsProcesses, kstreamsTopics } from '../engines/kstreams/deployment.ts';
import { deploySpark, sparkProcesses } from '../engines/spark/deployment.ts';
import { continuousInterval, planProblem, sinkCannotRecover, spark } from '../engines/spark/dsl.ts';
import { ENGINE_NAMES, type EngineName, type Scenario, type ScenarioSizes } from '../../scenarios/types.ts';
import type { RunSettings } from './settings.ts';
import type { Guarantee } from '../stream/guarantee.ts';
import { bugEngineProblem, type BugName } from './bugs.ts';
import { processesNamed, type FaultPlan } from '../sim/faults.ts';

export { ENGINE_NAMES, type EngineName };

export class EngineError extends Error {}

/** The log broker's process id, in every run. */
export const BROKER_ID = 'broker';
/** The workload producer's process id, in every run. */
export const PRODUCER_ID = 'producer';

/** An engine deployed for one run; `cuts` when its build reads consistent cuts. */
export interface DeployedEngine extends EngineDeployment {
  readonly cuts?: readonly CheckpointCut<unknown>[];
  /** The query writes files (Spark's file sink) instead of the output topic: the process whose disk holds them and their directory. */
  readonly fileOutput?: { process: string; path: string };
  /** The query writes Spark's memory sink: its table as the live driver holds it (undefined while the driver is down). */
  readonly memoryTable?: { name: string; rows(): unknown[] | undefined };
}

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

/** The engines `scenario` has a build for, in the order of `ENGINE_NAMES`. */
export function enginesOf(scenario: Scenario): EngineName[] {
  return ENGINE_NAMES.filter((e) => scenario.engines[e as keyof Scenario['engines']] !== undefined);
}

/** Settings that only one engine reads, with the flag that sets each. */
export const ENGINE_ONLY: readonly { field: keyof RunSettings; flag: string; engine: EngineName }[] = [
  { field: 'checkpointIntervalMs', flag: '--checkpoint-interval', engine: 'flink' },
  { field: 'bufferTimeoutMs', flag: '--buffer-timeout', engine: 'flink' },
  { field: 'savepointAtMs', flag: '--savepoint-at', engine: 'flink' },
  { field: 'unaligned', flag: '--unaligned', engine: 'flink' },
  { field: 'spareTaskManagers', flag: '--spare-tms', engine: 'flink' },
  { field: 'commitIntervalMs', flag: '--commit-interval', engine: 'kstreams' },
  { field: 'standbyReplicas', flag: '--standby-replicas', engine: 'kstreams' },
  { field: 'acceptableRecoveryLag', flag: '--acceptable-recovery-lag', engine: 'kstreams' },
  { field: 'maxWarmupReplicas', flag: '--max-warmup-replicas', engine: 'kstreams' },
  { field: 'probingRebalanceIntervalMs', flag: '--probing-rebalance-interval', engine: 'kstreams' },
  { field: 'triggerIntervalMs', flag: '--trigger-interval', engine: 'spark' },
];

/** The settings `engineProblem` judges. */
type EngineSettings = { engine?: EngineName; bugs: readonly BugName[]; guarantee?: string } & Partial<Pick<RunSettings, 'checkpointIntervalMs' | 'bufferTimeoutMs' | 'savepointAtMs' | 'unaligned' | 'spareTaskManagers' | 'commitIntervalMs' | 'standbyReplicas' | 'acceptableRecoveryLag' | 'maxWarmupReplicas' | 'probingRebalanceIntervalMs' | 'triggerIntervalMs' | 'plan' | 'parallelism' | 'taskManagers'>>;

/**
 * Why a scenario cannot run on the settings' engine (Flink when they name none), or undefined
 * when it can: the scenario has no build for the engine, a knob or a planted bug belongs to
 * another engine, the guarantee is not one the engine offers, or the fault plan (a token's) names
 * a process the run does not have. Each answer ends with the flags that would fix it.
 */
export function engineProblem(scenario: Scenario, settings: EngineSettings): string | undefined {
  const p = problemOf(scenario, settings);
  return p === undefined ? undefined : p.what + p.fix;
}

/**
 * `engineProblem` for a repro token's settings, as the one line to print: a token fixes every
 * setting, so instead of flags it points at running the scenario by name.
 */
export function tokenEngineProblem(scenario: Scenario, settings: EngineSettings): string | undefined {
  const p = problemOf(scenario, settings);
  if (p === undefined) return undefined;
  // A fix that is no flag (a bug's list, the plan's own advice) holds for a token too.
  const fix = p.fix === '' || p.fix.startsWith(' (try: weir') ? p.fix : `; a token fixes every setting: run the scenario by name with settings that fit (try: weir run ${scenario.name} --help)`;
  return `the repro token cannot run here: ${p.what}${fix}`;
}

/** What is wrong, and the advice that fixes it (with its leading separator). */
function problemOf(scenario: Scenario, settings: EngineSettings): { what: string; fix: string } | undefined {
  const engine = settings.engine ?? 'flink';
  const has = enginesOf(scenario);
  if (!has.includes(engine)) return { what: `scenario ${scenario.name} has no ${engine} build (it runs on: ${has.join(', ') || 'no engine'})`, fix: '; choose one of those with --engine' };
  if (engine === 'kstreams' && settings.guarantee === 'at-most-once') {
    return { what: 'Kafka Streams offers exactly-once (exactly_once_v2) and at-least-once, not at-most-once', fix: '; choose --guarantee exactly-once or at-least-once' };
  }
  // A knob of another engine would be ignored silently: refuse it instead.
  for (const o of ENGINE_ONLY) {
    const v = (settings as Partial<RunSettings>)[o.field];
    if (o.engine !== engine && v !== undefined && v !== false && !((o.field === 'spareTaskManagers' || o.field === 'standbyReplicas') && v === 0)) {
      return { what: `${o.flag} is a setting of the ${o.engine} engine; it does nothing on ${engine}`, fix: ` (drop it, or run with --engine ${o.engine})` };
    }
  }
  if (engine === 'spark' && settings.guarantee === 'at-most-once') {
    return { what: 'Spark Structured Streaming offers exactly-once (a replayable source, the offset log and an idempotent sink) and at-least-once, not at-most-once', fix: '; choose --guarantee exactly-once or at-least-once' };
  }
  if (engine === 'spark' && (settings.guarantee ?? 'exactly-once') !== 'at-least-once') {
    const weaker = sparkWeakerGuarantee(scenario);
    if (weaker !== undefined) return { what: `scenario ${scenario.name} ${weaker.what}`, fix: weaker.fix };
  }
  // A query Spark's analyzer refuses is a scenario that cannot run: bad input, before anything runs.
  const refused = engine === 'spark' ? sparkRefusal(scenario, (settings.guarantee ?? 'exactly-once') as Guarantee) : undefined;
  if (refused !== undefined) return { what: `scenario ${scenario.name}'s Spark query is one Spark's analyzer refuses: ${refused}`, fix: ' (change the query in the scenario)' };
  for (const bug of settings.bugs) {
    const problem = bugEngineProblem(bug, engine);
    if (problem !== undefined) return { what: problem, fix: ' (try: weir bugs)' };
  }
  if (settings.plan !== undefined) {
    const problem = planProcessProblem(settings.plan, runProcessesOf(engine, {
      taskManagers: settings.taskManagers ?? 2,
      spareTaskManagers: settings.spareTaskManagers ?? 0,
      parallelism: settings.parallelism ?? scenario.defaults.parallelism,
    }).processes);
    if (problem !== undefined) return { what: problem, fix: '' };
  }
  return undefined;
}

/**
 * The processes of a run, which a fault may name (the engine's, the log broker and the workload
 * producer), and those a generated plan may crash (the engine's).
 */
export function runProcessesOf(engine: string, sizes: ProcessSizes): { processes: string[]; crashable: string[] } {
  const e = engineProcesses(engine, sizes, BROKER_ID);
  return { processes: [...e.processes, PRODUCER_ID], crashable: e.crashable };
}

/** Why a fault plan names a process that is not one of `processes`, or undefined. */
export function planProcessProblem(plan: FaultPlan, processes: readonly string[]): string | undefined {
  for (const [i, f] of plan.faults.entries()) {
    for (const name of processesNamed(f)) {
      if (!processes.includes(name)) {
        return `fault plan: faults[${i}] names process ${JSON.stringify(name.slice(0, 40))}, which this run does not have (it has ${processes.join(', ')}); use a token as weir printed it`;
      }
    }
  }
  return undefined;
}

/**
 * The guarantee a scenario runs under by default on `engine`: exactly-once, or at-least-once for a
 * Spark query that cannot offer exactly-once (continuous processing; a memory sink in append or
 * update mode).
 */
export function scenarioGuarantee(scenario: Scenario, engine: EngineName): 'exactly-once' | 'at-least-once' {
  return engine === 'spark' && sparkWeakerGuarantee(scenario) !== undefined ? 'at-least-once' : 'exactly-once';
}

type SparkPlan = ReturnType<NonNullable<Scenario['engines']['spark']>['build']>['plan'];
type SparkSink = SparkPlan['sink'];

/** Per scenario and guarantee, its Spark query's plan (`engineOf` asks on every run of a sweep). */
const sparkPlans = new WeakMap<Scenario, Map<Guarantee, SparkPlan>>();

/** The plan of the scenario's Spark query built for `guarantee` (undefined: no Spark build). */
function sparkPlan(scenario: Scenario, guarantee: Guarantee): SparkPlan | undefined {
  const build = scenario.engines.spark;
  if (!build) return undefined;
  let byGuarantee = sparkPlans.get(scenario);
  if (byGuarantee === undefined) sparkPlans.set(scenario, (byGuarantee = new Map()));
  let plan = byGuarantee.get(guarantee);
  if (plan === undefined) byGuarantee.set(guarantee, (plan = build.build(spark, scenario.defaults, { guarantee }).plan));
  return plan;
}

/** The sink of the scenario's Spark query (undefined: no Spark build). */
function sparkSink(scenario: Scenario): SparkSink | undefined {
  return sparkPlan(scenario, 'exactly-once')?.sink;
}

/** What Spark's analyzer says against the scenario's query built for `guarantee` (undefined: nothing). */
function sparkRefusal(scenario: Scenario, guarantee: Guarantee): string | undefined {
  const plan = sparkPlan(scenario, guarantee);
  return plan === undefined ? undefined : planProblem(plan);
}

/** Why the scenario's Spark query cannot run under exactly-once, and the flag that runs it anyway (undefined: it can). */
function sparkWeakerGuarantee(scenario: Scenario): { what: string; fix: string } | undefined {
  const sink = sparkSink(scenario);
  if (!sink) return undefined;
  if (continuousInterval(sink.trigger) !== undefined) return { what: "runs Spark's continuous processing, which is at-least-once (a restart replays from the last committed epoch)", fix: '; add --guarantee at-least-once' };
  if (sinkCannotRecover(sink)) {
    return {
      what: `writes Spark's memory sink in ${sink.mode} mode, which is not fault-tolerant (its table lives in the driver's memory and Spark will not recover the query after a driver crash; only complete mode recreates the table), so it cannot be exactly-once`,
      fix: '; add --guarantee at-least-once to run it anyway (a driver crash then loses the table)',
    };
  }
  return undefined;
}

/**
 * Why no guarantee of the scenario on `engine` outlives a crash (undefined: its guarantee does): a
 * Spark memory sink in append or update mode loses its table with the driver, and Spark refuses to
 * recover the query, so every run that crashes the driver loses output under any guarantee. Sweeps
 * meant to pass on every seed (the soak) leave such a scenario out.
 */
export function lostOnCrash(scenario: Scenario, engine: EngineName): string | undefined {
  if (engine !== 'spark') return undefined;
  const sink = sparkSink(scenario);
  return sink && sinkCannotRecover(sink)
    ? `Spark's memory sink in ${sink.mode} mode loses its table when the driver crashes (Spark refuses to recover the query)`
    : undefined;
}

/** The engine of a run; throws an EngineError when the scenario cannot run on it (see `engineProblem`). */
export function engineOf(scenario: Scenario, settings: Pick<RunSettings, 'engine' | 'bugs' | 'guarantee'>): EngineName {
  const problem = engineProblem(scenario, settings);
  if (problem !== undefined) throw new EngineError(problem);
  return settings.engine ?? 'flink';
}

export interface ProcessSizes {
  taskManagers: number;
  spareTaskManagers: number;
  /** Kafka Streams: one application instance per unit of parallelism. */
  parallelism: number;
}

/**
 * The processes of an engine's deployment together with the log broker it reaches (in the order
 * fault plans draw from), those a fault plan may crash, and those off the data path.
 */
export function engineProcesses(engine: string, sizes: ProcessSizes, brokerId: string): { processes: string[]; crashable: string[]; offDataPath: string[] } {
  switch (engine) {
    case 'flink':
      return { ...flinkProcesses(sizes.taskManagers, sizes.spareTaskManagers, brokerId), offDataPath: ['jm', 'store'] };
    case 'kstreams':
      return { ...kstreamsProcesses(sizes.parallelism, brokerId), offDataPath: [] };
    case 'spark':
      return { ...sparkProcesses(sizes.parallelism, brokerId), offDataPath: [] };
    default:
      throw new EngineError(`engine ${engine} is not built yet`);
  }
}

/** The topics an engine needs beyond the world's (`topics`): internal topics, which are changelogs and which are compacted. */
export function engineTopics(engine: EngineName, scenario: Scenario, sizes: ScenarioSizes, topics: Record<string, number>): { topics: Record<string, number>; changelogs: string[]; compacted: string[] } {
  const kstreams = scenario.engines.kstreams;
  if (engine === 'kstreams' && kstreams) return kstreamsTopics({ build: kstreams, sizes, topics });
  return { topics: {}, changelogs: [], compacted: [] };
}

/** Puts the scenario's build for `engine` onto the world behind `host`. */
export function deployEngine(engine: EngineName, host: Host, scenario: Scenario, sizes: ScenarioSizes, settings: RunSettings, brokerId: string, topics: Record<string, number>): DeployedEngine {
  if (engine === 'kstreams' && scenario.engines.kstreams) {
    return deployKStreams(host, {
      build: scenario.engines.kstreams,
      sizes,
      guarantee: settings.guarantee,
      topics,
      brokerId,
      bugs: settings.bugs,
      ...(settings.commitIntervalMs !== undefined ? { commitIntervalMs: settings.commitIntervalMs } : {}),
      ...(settings.standbyReplicas !== undefined ? { standbyReplicas: settings.standbyReplicas } : {}),
      ...(settings.acceptableRecoveryLag !== undefined ? { acceptableRecoveryLag: settings.acceptableRecoveryLag } : {}),
      ...(settings.maxWarmupReplicas !== undefined ? { maxWarmupReplicas: settings.maxWarmupReplicas } : {}),
      ...(settings.probingRebalanceIntervalMs !== undefined ? { probingRebalanceIntervalMs: settings.probingRebalanceIntervalMs } : {}),
    });
  }
  if (engine === 'spark' && scenario.engines.spark) {
    return deploySpark(host, {
      build: scenario.engines.spark,
      sizes,
      guarantee: settings.guarantee,
      bugs: settings.bugs,
      topics,
      brokerId,
      ...(settings.triggerIntervalMs !== undefined ? { triggerIntervalMs: settings.triggerIntervalMs } : {}),
    });
  }
  const build = scenario.engines.flink;
  if (engine !== 'flink' || build === undefined) throw new EngineError(`scenario ${scenario.name} has no ${engine} build`);
  return deployFlink(host, {
    build,
    sizes,
    guarantee: settings.guarantee,
    bugs: settings.bugs,
    taskManagers: settings.taskManagers ?? 2,
    spareTaskManagers: settings.spareTaskManagers ?? 0,
    brokerId,
    ...(settings.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: settings.checkpointIntervalMs } : {}),
    ...(settings.bufferTimeoutMs !== undefined ? { bufferTimeoutMs: settings.bufferTimeoutMs } : {}),
    ...(settings.savepointAtMs !== undefined ? { savepointAtMs: settings.savepointAtMs } : {}),
    ...(settings.unaligned ? { unaligned: true } : {}),
  });
}
