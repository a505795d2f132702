/**
 * fast-check building blocks for property tests of pipelines under weir:
 * arbitraries for fault plans and whole runs, and `weirProperty`, which
 * turns a scenario (a shipped one, or a user's own pipeline) into a property
 * "every check passes", so that `fc.assert(weirProperty(...))` — or
 * `test.prop` of @fast-check/vitest — explores seeds, sizes and fault plans
 * and shrinks a failure with fast-check's own shrinkers (fewer faults,
 * earlier and shorter ones, fewer events, smaller seeds).
 *
 * Generated fault plans are well formed as `generatePlan`'s are: integer
 * times, targets among the run's processes, and no two planned outages of
 * one process overlapping (a crash that would overlap an earlier one is left
 * out, which keeps shrinking smooth).
 */
import fc from 'fast-check';
import { actionOf, type Fault, type FaultPlan } from '../sim/faults.ts';
import { outagesDisjoint } from './shrink-tree.ts';
import { runProcesses, runScenario, type RunReport } from './run.ts';

export { runProcesses };
import type { RunSettings } from './settings.ts';
import type { BugName } from './bugs.ts';
import type { Guarantee } from '../engines/flink/runtime/task-env.ts';
import { findScenario, type Scenario } from '../../scenarios/index.ts';


export interface FaultPlanArbitraryOptions {
  /** Faults happen in [0, horizonMs). Default 5,000. */
  horizonMs?: number;
  /** Default 4. */
  maxFaults?: number;
  /** Default: those of a run with two task managers. */
  processes?: string[];
  crashable?: string[];
  /** Kinds to draw from; default all. */
  kinds?: Fault['kind'][];
  /**
   * Also plan faults after anchors (the nth checkpoint triggered or completed,
   * sink pre-commit or job deployment, n ≤ 20, then a delay under horizonMs / 5)
   * as well as at absolute times. Default false.
   */
  anchors?: boolean;
}

const ALL_KINDS: Fault['kind'][] = ['crash', 'partition', 'latency-spike', 'disk-corruption', 'slow-fsync'];

export function faultArbitrary(opts: FaultPlanArbitraryOptions = {}): fc.Arbitrary<Fault> {
  const h = opts.horizonMs ?? 5_000;
  const { processes, crashable } = opts.processes ? { processes: opts.processes, crashable: opts.crashable ?? opts.processes } : runProcesses();
  const at = fc.integer({ min: 0, max: h - 1 });
  const dur = fc.integer({ min: 1, max: Math.max(1, Math.floor(h / 5)) });
  const byKind: Record<Fault['kind'], fc.Arbitrary<Fault>> = {
    crash: fc.record({ kind: fc.constant('crash' as const), atMs: at, process: fc.constantFrom(...(opts.crashable ?? crashable)), restartAfterMs: dur }),
    partition: fc
      .record({ atMs: at, a: fc.constantFrom(...processes), b: fc.constantFrom(...processes), durationMs: dur })
      .filter((p) => p.a !== p.b)
      .map((p) => ({ kind: 'partition' as const, ...p })),
    'latency-spike': fc.record({ kind: fc.constant('latency-spike' as const), atMs: at, durationMs: dur, extraMs: fc.integer({ min: 1, max: 100 }) }),
    'disk-corruption': fc.record({ kind: fc.constant('disk-corruption' as const), atMs: at, process: fc.constantFrom(...processes), durationMs: dur }),
    'slow-fsync': fc.record({ kind: fc.constant('slow-fsync' as const), atMs: at, process: fc.constantFrom(...processes), durationMs: dur, extraMs: fc.integer({ min: 1, max: 200 }) }),
  };
  const action = fc.oneof(...(opts.kinds ?? ALL_KINDS).map((k) => byKind[k]));
  if (!opts.anchors) return action;
  const anchored = fc.record({
    on: fc.constantFrom(...PLANNED_ANCHORS),
    n: fc.integer({ min: 1, max: 20 }),
    delayMs: fc.integer({ min: 0, max: Math.max(0, Math.floor(h / 5)) }),
  });
  return fc.tuple(action, fc.option(anchored, { nil: undefined })).map(([f, a]) => {
    if (a === undefined) return f;
    return { ...actionOf(f), after: { on: a.on, n: a.n }, delayMs: a.delayMs } as Fault;
  });
}

/** The anchors generated plans use (offsets of the input depend on the workload, so not `input.offset`). */
const PLANNED_ANCHORS = ['checkpoint.trigger', 'checkpoint.complete', 'txn.precommit', 'job.restore'] as const;

export function faultPlanArbitrary(opts: FaultPlanArbitraryOptions = {}): fc.Arbitrary<FaultPlan> {
  return fc.array(faultArbitrary(opts), { maxLength: opts.maxFaults ?? 4 }).map((faults) => {
    const kept: Fault[] = [];
    for (const f of faults) if (outagesDisjoint([...kept, f])) kept.push(f);
    return { faults: kept };
  });
}

export interface WeirPropertyOptions {
  /** A shipped scenario's name, or a scenario object (a user's own pipeline). */
  scenario: string | Scenario;
  guarantee?: Guarantee;
  bugs?: BugName[];
  /** Event counts to draw from; default 50..300. */
  events?: { min: number; max: number };
  faults?: FaultPlanArbitraryOptions;
  /** Spare task managers (a restart can move a slot to one; the cut-off one runs on as a zombie). Default 0. */
  spareTaskManagers?: number;
  /** Unaligned checkpoints. Default false (aligned). */
  unaligned?: boolean;
}

export function runSettingsArbitrary(opts: WeirPropertyOptions): fc.Arbitrary<RunSettings> {
  const name = typeof opts.scenario === 'string' ? opts.scenario : opts.scenario.name;
  const ev = opts.events ?? { min: 50, max: 300 };
  return fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    events: fc.integer(ev),
    // Faults may hit the spares too, unless the caller named the processes.
    plan: faultPlanArbitrary(opts.spareTaskManagers && !opts.faults?.processes ? { ...opts.faults, ...runProcesses(2, opts.spareTaskManagers) } : opts.faults),
  }).map(({ seed, events, plan }): RunSettings => ({
    scenario: name, seed, events, plan, guarantee: opts.guarantee ?? 'exactly-once', faults: 'swarm', bugs: [...(opts.bugs ?? [])],
    ...(opts.spareTaskManagers ? { spareTaskManagers: opts.spareTaskManagers } : {}),
    ...(opts.unaligned ? { unaligned: true } : {}),
  }));
}

/** Thrown by the property for a failing run: the failed checks and the token that replays the run. */
export class RunFailed extends Error {
  constructor(readonly report: RunReport, shipped = true) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    // A user's own scenario is not known to the weir command: replay it through the library.
    const replay = shipped ? `npx weir run ${report.token}` : `runScenario(decodeToken('${report.token}'), { scenario })`;
    super(`${failed.join('; ')}\nreplay: ${replay}`);
  }
}

/**
 * The property "every applicable check passes" over generated runs of `opts.scenario`.
 *
 * Runs are made without hashing their traces (about 7% of a run): a passing run's hash is never
 * read. A failing run's report gets its `traceHash` when it is first read, from the same run made
 * again with hashing, which is the same run event for event (a run is a function of its settings
 * and scenario), so the report reads as a hashed run's would.
 */
export function weirProperty(opts: WeirPropertyOptions): fc.IPropertyWithHooks<[RunSettings]> {
  const scenario = typeof opts.scenario === 'string' ? findScenario(opts.scenario) : opts.scenario;
  if (!scenario) throw new Error(`unknown scenario "${String(opts.scenario)}"`);
  return fc.property(runSettingsArbitrary(opts), (settings) => {
    const report = runScenario(settings, { scenario, hashTrace: false });
    if (!report.ok) throw new RunFailed(hashedWhenRead(report, () => runScenario(settings, { scenario }).traceHash), typeof opts.scenario === 'string');
  });
}

/** `report` with a `traceHash` that `hash` computes the first time it is read (enumerable, so it serializes). */
function hashedWhenRead(report: RunReport, hash: () => string): RunReport {
  let known: string | undefined;
  return Object.defineProperty(report, 'traceHash', { get: () => (known ??= hash()), enumerable: true, configurable: true });
}
