/**
 * Turns the arguments of `weir run` into the RunSettings of one run.
 *
 * Two ways in, never mixed:
 * - a scenario name plus flags; unset knobs take the scenario's defaults
 *   (sizes), exactly-once, the `light` fault profile, no planted bugs, and a
 *   fresh random seed that the banner prints, as TigerBeetle's simulator
 *   does, so every bare `weir run` explores a new seed and stays replayable;
 * - a repro token, which fixes every setting including the fault plan. A
 *   flag that would change the run is then an error rather than an override,
 *   because a token that silently means something else is worse than none.
 *   Only output flags (--json, --trace) and --check-determinism (which
 *   runs the token twice) may go with a token.
 */
import { randomInt } from 'node:crypto';
import { parseChoice, parseLimitedFlag, parseLimitedFlags, valueOf, type FlagSpec, type ParsedArgs } from './args.ts';
import { quote, tokenBodyProblem, UsageError } from './usage-error.ts';
import { decodeToken, looksLikeToken, FAULT_PROFILES, GUARANTEES, TokenError, type RunSettings } from '../explore/settings.ts';
import { isBugName, type BugName } from '../explore/bugs.ts';
import { combinationProblem } from '../explore/limits.ts';
import { engineProblem, tokenEngineProblem } from '../explore/engines.ts';
import { ENGINE_NAMES, fixedInputParts, type EngineName, type Scenario } from '../../scenarios/types.ts';

/** Flags that shape the runs, shared by `weir run` and `weir explore`. */
export const RUN_SHAPE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  engine: { value: true },
  events: { value: true },
  parallelism: { value: true },
  guarantee: { value: true },
  faults: { value: true },
  bug: { value: true, repeat: true },
  'spare-tms': { value: true },
  'standby-replicas': { value: true },
  'acceptable-recovery-lag': { value: true },
  'max-warmup-replicas': { value: true },
  unaligned: {},
};

/** The engines' periodic knobs, shared by `weir run` and `weir explore`: each belongs to one engine. */
export const RUN_TIMING_FLAGS: Readonly<Record<string, FlagSpec>> = {
  'checkpoint-interval': { value: true },
  'buffer-timeout': { value: true },
  'commit-interval': { value: true },
  'trigger-interval': { value: true },
  'probing-rebalance-interval': { value: true },
};

export const RUN_FLAGS: Readonly<Record<string, FlagSpec>> = {
  seed: { value: true },
  ...RUN_SHAPE_FLAGS,
  ...RUN_TIMING_FLAGS,
  'savepoint-at': { value: true },
  'check-determinism': {},
  json: {},
  trace: { value: true },
};

/** Flags that change what runs, as opposed to how it is reported. */
const SETTING_FLAGS = ['engine', 'seed', 'events', 'parallelism', 'guarantee', 'faults', 'bug', 'spare-tms', 'unaligned', 'checkpoint-interval', 'buffer-timeout', 'commit-interval', 'standby-replicas', 'acceptable-recovery-lag', 'max-warmup-replicas', 'trigger-interval', 'probing-rebalance-interval', 'savepoint-at'] as const;

export interface RunRequest {
  settings: RunSettings;
  /** The run came from a repro token. */
  fromToken: boolean;
  /** The seed was drawn because none was given. */
  seedDrawn: boolean;
}

/**
 * Builds the run request from the arguments alone (cheap: nothing of the
 * engine is loaded); `checkScenario` then needs the scenario catalogue.
 */
export function runRequest(args: ParsedArgs): RunRequest {
  const target = onePositional(args);
  if (looksLikeToken(target)) return fromToken(target, args);
  const rawSeed = valueOf(args, 'seed');
  const settings: RunSettings = {
    scenario: target,
    engine: 'flink',
    seed: rawSeed === undefined ? randomInt(0, 2 ** 32) : parseLimitedFlag('seed', rawSeed),
    guarantee: parseChoice('guarantee', valueOf(args, 'guarantee') ?? 'exactly-once', GUARANTEES),
    faults: parseChoice('faults', valueOf(args, 'faults') ?? 'light', FAULT_PROFILES),
    bugs: parseBugs(args.values.get('bug') ?? []),
    ...runShape(args),
    ...runTiming(args),
  };
  const rawSavepoint = valueOf(args, 'savepoint-at');
  if (rawSavepoint !== undefined) settings.savepointAtMs = parseLimitedFlag('savepointAtMs', rawSavepoint);
  const clash = combinationProblem(settings);
  if (clash !== undefined) throw new UsageError(clash);
  return { settings, fromToken: false, seedDrawn: rawSeed === undefined };
}

/**
 * The scenario of the request; throws the UsageError for a scenario this weir does not have, or
 * one that cannot run on the chosen engine (no build for it, or a planted bug of another engine).
 */
export function checkScenario(req: RunRequest, find: (name: string) => Scenario | undefined): Scenario {
  const name = req.settings.scenario;
  const scenario = find(name);
  if (scenario === undefined) {
    if (req.fromToken) throw new UsageError(`the repro token names scenario ${quote(name)}, which this weir does not have (try: weir list)`);
    throw new UsageError(tokenBodyProblem(name) ?? `unknown scenario ${quote(name)} (try: weir list)`);
  }
  const problem = req.fromToken ? tokenEngineProblem(scenario, req.settings) : engineProblem(scenario, req.settings);
  if (problem !== undefined) throw new UsageError(problem);
  const fixed = fixedInputParts(scenario, req.settings.events);
  if (fixed !== undefined) throw new UsageError(req.fromToken ? `the repro token cannot run here: ${fixed.what}; run the scenario by name` : fixed.what + fixed.fix);
  return scenario;
}

function onePositional(args: ParsedArgs): string {
  const [target, extra] = args.positionals;
  if (target === undefined) throw new UsageError('run needs a scenario name or a repro token (try: weir list)');
  if (extra !== undefined) throw new UsageError(`unexpected argument ${quote(extra)}: weir run takes one scenario or token`);
  return target;
}

function fromToken(token: string, args: ParsedArgs): RunRequest {
  const given = SETTING_FLAGS.find((f) => args.values.has(f) || args.switches.has(f));
  if (given !== undefined) {
    throw new UsageError(`a repro token fixes every setting; drop --${given}, or run by scenario name to choose settings`);
  }
  let settings: RunSettings;
  try {
    settings = decodeToken(token);
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(e.message.startsWith('repro token is malformed') ? `${e.message}; copy the whole token from a replay: line` : e.message);
    throw e;
  }
  const clash = combinationProblem(settings);
  if (clash !== undefined) throw new UsageError(`the repro token asks for something that cannot happen: ${clash.split(';')[0]}`);
  return { settings, fromToken: true, seedDrawn: false };
}

/** What the shape flags set, for `weir run` and `weir explore` alike. */
type RunShape = { engine?: EngineName; events?: number; parallelism?: number; spareTaskManagers?: number; standbyReplicas?: number; acceptableRecoveryLag?: number; maxWarmupReplicas?: number; unaligned?: boolean };

/** The sizes the shape flags set (events, parallelism, spare task managers, standby replicas, acceptable recovery lag, warm-up replicas); unset ones are left out. */
export function runShape(args: ParsedArgs): RunShape {
  const out: RunShape = {};
  const engine = valueOf(args, 'engine');
  if (engine !== undefined) out.engine = parseChoice('engine', engine, ENGINE_NAMES);
  if (args.switches.has('unaligned')) out.unaligned = true;
  return { ...out, ...parseLimitedFlags(args, ['events', 'parallelism', 'spareTaskManagers', 'standbyReplicas', 'acceptableRecoveryLag', 'maxWarmupReplicas']) };
}

/** What the engines' periodic knobs set; the ones not given are left out (the engine's defaults). */
export type RunTiming = Partial<Pick<RunSettings, 'checkpointIntervalMs' | 'bufferTimeoutMs' | 'commitIntervalMs' | 'triggerIntervalMs' | 'probingRebalanceIntervalMs'>>;

/** The periodic knobs (`RUN_TIMING_FLAGS`), each checked against its limits. */
export function runTiming(args: ParsedArgs): RunTiming {
  return parseLimitedFlags(args, ['checkpointIntervalMs', 'bufferTimeoutMs', 'commitIntervalMs', 'triggerIntervalMs', 'probingRebalanceIntervalMs']);
}

/** Planted bug names, each once; an unknown one is bad input. */
export function parseBugs(names: readonly string[]): BugName[] {
  const out: BugName[] = [];
  for (const name of names) {
    if (!isBugName(name)) throw new UsageError(`unknown bug ${quote(name)} (try: weir bugs)`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
