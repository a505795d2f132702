/**
 * The engines a run can use, and the one place that knows how each is put
 * onto a world: its deployment (from its own folder) given the scenario's
 * build for it. A scenario runs on the engines it has a build for; asking
 * for another is bad input (`EngineError`, exit 2).
 */
import type { EngineDeployment, Host } from '../runtime/deployment.ts';
import type { CheckpointCut } from '../stream/cut.ts';
import { deployFlink, flinkProcesses } from '../engines/flink/deployment.ts';
import { ENGINE_NAMES, type EngineName, type Scenario, type ScenarioSizes } from '../../scenarios/types.ts';
import type { RunSettings } from './settings.ts';
import { bugEngineProblem, type BugName } from './bugs.ts';

export { ENGINE_NAMES, type EngineName };

export class EngineError extends Error {}

/** An engine deployed for one run; `cuts` when its build reads consistent cuts. */
export interface DeployedEngine extends EngineDeployment {
  readonly cuts?: readonly CheckpointCut<unknown>[];
}

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

/** The engines `scenario` has a build for, in the order of `ENGINE_NAMES`. */
export function enginesOf(scenario: Scenario): EngineName[] {
  return ENGINE_NAMES.filter((e) => scenario.engines[e as keyof Scenario['engines']] !== undefined);
}

/**
 * Why a scenario cannot run on the settings' engine (Flink when they name none), or undefined
 * when it can: the scenario has no build for the engine, or a planted bug belongs to another engine.
 */
export function engineProblem(scenario: Scenario, settings: { engine?: EngineName; bugs: readonly BugName[] }): string | undefined {
  const engine = settings.engine ?? 'flink';
  const has = enginesOf(scenario);
  if (!has.includes(engine)) return `scenario ${scenario.name} has no ${engine} build (it runs on: ${has.join(', ') || 'no engine'}); choose one of those with --engine`;
  for (const bug of settings.bugs) {
    const problem = bugEngineProblem(bug, engine);
    if (problem !== undefined) return `${problem} (try: weir bugs)`;
  }
  return undefined;
}

/** The engine of a run; throws an EngineError when the scenario cannot run on it (see `engineProblem`). */
export function engineOf(scenario: Scenario, settings: Pick<RunSettings, 'engine' | 'bugs'>): EngineName {
  const problem = engineProblem(scenario, settings);
  if (problem !== undefined) throw new EngineError(problem);
  return settings.engine ?? 'flink';
}

/**
 * The processes of an engine's deployment together with the log broker it reaches (in the order
 * fault plans draw from), those a fault plan may crash, and those off the data path.
 */
export function engineProcesses(engine: string, taskManagers: number, spareTaskManagers: number, brokerId: string): { processes: string[]; crashable: string[]; offDataPath: string[] } {
  switch (engine) {
    case 'flink':
      return { ...flinkProcesses(taskManagers, spareTaskManagers, brokerId), offDataPath: ['jm', 'store'] };
    default:
      throw new EngineError(`engine ${engine} is not built yet`);
  }
}

/** Puts the scenario's build for `engine` onto the world behind `host`. */
export function deployEngine(engine: EngineName, host: Host, scenario: Scenario, sizes: ScenarioSizes, settings: RunSettings, brokerId: string): DeployedEngine {
  const build = scenario.engines[engine as keyof Scenario['engines']];
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
    ...(settings.savepointAtMs !== undefined ? { savepointAtMs: settings.savepointAtMs } : {}),
    ...(settings.unaligned ? { unaligned: true } : {}),
  });
}
