/**
 * Shrinking a failing run with fast-check: the run's explicit fault plan and
 * sizes are the input of a property — "this run does not fail check C" —
 * that is known to fail; fast-check's shrinker walks our shrink tree
 * (`shrink-tree.ts`) to a smaller input that still fails the same check.
 *
 * The arbitrary generates exactly the failing case (it is not random; the
 * random search was the sweep) and shrinks it with `candidates`, so
 * fast-check contributes the search: greedy descent, first failing
 * candidate wins, restart from it. A run that fails another check counts as
 * passing: the shrunk run must show the same problem, not just any.
 *
 * Before the walk, faults at absolute times are rewritten as anchored
 * faults: each one `Δ ms after` the last anchor (checkpoint triggered or
 * completed, sink pre-commit, job deployed) the failing run reached before
 * it, read from that run's trace. Leaving records out shifts every later
 * step of a run by a few ms; an anchored crash stays at the same point of
 * the checkpoint protocol, next to what it breaks. The rewritten plan is
 * kept only if it still fails the check (one run); otherwise the walk
 * shrinks the plan as it was.
 *
 * Records only a scenario's schedule holds (the flush records that end
 * `sessions` and `wordcount-final`, far ahead in event time) are never left
 * out: they are not input records the checks account for, and without them
 * windows and sessions never close. Sizes count input records only.
 *
 * Every run after the first is capped at a few times the steps the failing
 * run took (`stepCap`); a run that reaches the cap counts as passing, so a
 * shrunk token never depends on the cap.
 *
 * Budgeted: after `maxRuns` runs or `maxMs` of wall time every further
 * candidate counts as passing, which ends the search at the smallest
 * failure found so far. Identical candidates are run once.
 */
import fc from 'fast-check';
import { runScenario, sizesOf } from './run.ts';
import { encodeToken, type RunSettings } from './settings.ts';
import { candidates, ROOT_CONTEXT, sizeOf, type RecordIds, type ShrinkCase, type ShrinkContext } from './shrink-tree.ts';
import { AnchorRecorder } from '../sim/anchors.ts';
import { actionOf, type Fault } from '../sim/faults.ts';
import { rootRng } from '../sim/rng.ts';
import { findScenario, type Scenario } from '../../scenarios/index.ts';

export interface ShrinkBudget {
  maxRuns: number;
  maxMs: number;
}

/** Wall time is the budget; the run cap only bounds a search whose runs are very short. */
export const DEFAULT_SHRINK_BUDGET: ShrinkBudget = { maxRuns: 3_000, maxMs: 60_000 };

export type CaseSize = ReturnType<typeof sizeOf>;

export interface ShrinkOutcome {
  check: string;
  /** The failing check's detail in the shrunk run. */
  detail: string;
  /** Replays the shrunk run. */
  token: string;
  before: CaseSize;
  after: CaseSize;
  /** Runs made while shrinking (cached repeats not counted). */
  runs: number;
  /** The faults were rewritten as anchored faults before shrinking. */
  anchored: boolean;
  /** Successful shrink steps. */
  steps: number;
  elapsedMs: number;
  /** The budget ran out: a smaller failing run may exist. */
  exhausted: boolean;
  settings: RunSettings;
}

export interface ShrinkOptions {
  budget?: ShrinkBudget;
  /** A scenario object to run instead of the shipped one named in the settings. */
  scenario?: Scenario;
  /** Called after every run with the smallest failing case so far. */
  onRun?: (runs: number, best: CaseSize) => void;
}

interface Verdict {
  fails: boolean;
  detail: string;
  token: string;
  /** Scheduler steps the run took (undefined: it threw before running). */
  steps?: number;
}

/** A run of at least this many steps may have met the default step limit of `runScenario` (2,000,000 + 200 per event). */
const DEFAULT_STEP_LIMIT_FLOOR = 2_000_000;
/** Runs while shrinking are capped at this many times the steps of the failing run, … */
const STEP_CAP_FACTOR = 3;
/** … and never below this many steps. */
const STEP_CAP_FLOOR = 50_000;

/**
 * The step cap of the runs after the first, from the steps the failing run took; none when it ran
 * long enough to have met the default limit (its failure may be not finishing at all). A candidate
 * is no larger than the failing run, so a few times its steps is plenty; a candidate that never
 * finishes (a crash planned after a shorter input ended, whose restarted process runs on) then
 * costs a fraction of a second instead of the millions of steps of the default limit.
 */
export function stepCap(failingSteps: number | undefined): number | undefined {
  if (failingSteps === undefined || failingSteps >= DEFAULT_STEP_LIMIT_FLOOR) return undefined;
  return Math.max(STEP_CAP_FLOOR, STEP_CAP_FACTOR * failingSteps);
}

/** Shrinks the run `settings` (which fails `check`; its token holds the plan) to a smaller run failing `check`. */
export function shrinkFailure(settings: RunSettings, check: string, opts: ShrinkOptions = {}): ShrinkOutcome {
  const scenario = opts.scenario ?? findScenario(settings.scenario);
  if (!scenario) throw new Error(`unknown scenario "${settings.scenario}"`);
  const budget = opts.budget ?? DEFAULT_SHRINK_BUDGET;
  const sizes = sizesOf(scenario, settings);
  const workloads = new Map<string, { ids: number[]; pinned: number[] }>();
  /** The case's drawn workload: its input records' ids, and the ids only its schedule holds (flush records), which are always kept. */
  const drawn = (c: Pick<ShrinkCase, 'events' | 'parallelism' | 'keys'>): { ids: number[]; pinned: number[] } => {
    const key = `${c.events}/${c.parallelism}/${c.keys}`;
    let w = workloads.get(key);
    if (!w) {
      const s = { ...settings, events: c.events, parallelism: c.parallelism, keys: c.keys };
      try {
        const workload = scenario.workload(rootRng(s.seed).fork('workload'), sizesOf(scenario, s));
        const ids = workload.records.map((r) => r.id);
        const inRecords = new Set(ids);
        const pinned = workload.arrivals.flatMap((a) => a.records.map((r) => r.id)).filter((id) => !inRecords.has(id));
        w = { ids, pinned: [...new Set(pinned)].sort((a, b) => a - b) };
      } catch {
        // Sizes the scenario refuses: its run throws as well, and there are no records to leave out.
        w = { ids: [], pinned: [] };
      }
      workloads.set(key, w);
    }
    return w;
  };
  const shape = { events: sizes.events, parallelism: sizes.parallelism, keys: sizes.keys };
  // A kept list that already left flush records out (a token from before they were pinned) is shrunk as it is.
  const pinning = settings.keepIds === undefined || drawn(shape).pinned.every((id) => settings.keepIds!.includes(id));
  const pinnedOf = (c: ShrinkCase): number[] => (pinning ? drawn(c).pinned : []);
  const given: ShrinkCase = {
    ...shape, faults: settings.plan?.faults,
    ...(settings.keepIds ? { keep: settings.keepIds.filter((id) => !pinnedOf({ ...shape, faults: undefined }).includes(id)) } : {}),
  };
  const settingsFor = (c: ShrinkCase): RunSettings => {
    const s: RunSettings = { ...settings, events: c.events };
    if (c.faults !== undefined) s.plan = { faults: c.faults };
    if (c.keep !== undefined) {
      const pinned = pinnedOf(c);
      s.keepIds = pinned.length === 0 ? c.keep : [...c.keep, ...pinned].sort((a, b) => a - b);
    } else delete s.keepIds;
    if (c.parallelism !== scenario.defaults.parallelism || settings.parallelism !== undefined) s.parallelism = c.parallelism;
    if (c.keys !== scenario.defaults.keys || settings.keys !== undefined) s.keys = c.keys;
    return s;
  };
  const idsOf: RecordIds = (c) => drawn(c).ids;

  const started = Date.now();
  const cache = new Map<string, Verdict>();
  let runs = 0;
  let exhausted = false;
  let best: { c: ShrinkCase; verdict: Verdict } | undefined;
  /** The step cap of every run after the first (none until the first has run). */
  let maxSteps: number | undefined;
  const judge = (c: ShrinkCase, recorder?: AnchorRecorder): Verdict | undefined => {
    const key = JSON.stringify(c);
    const known = cache.get(key);
    if (known) return known;
    if (runs >= budget.maxRuns || Date.now() - started >= budget.maxMs) {
      exhausted = true;
      return undefined;
    }
    runs++;
    const verdict = runOnce(settingsFor(c), check, opts.scenario, recorder, maxSteps);
    cache.set(key, verdict);
    if (verdict.fails && (!best || sizeRank(c) <= sizeRank(best.c))) best = { c, verdict };
    opts.onRun?.(runs, sizeOf(best?.c ?? given));
    return verdict;
  };

  // Run the failure again, reading its anchors, and try it with its faults anchored.
  const recorder = new AnchorRecorder();
  const first = judge(given, recorder);
  maxSteps = stepCap(first?.steps);
  let original = given;
  let anchored = false;
  if (best && given.faults?.some((f) => f.after === undefined)) {
    const faults = given.faults.map((f) => anchorFault(f, recorder));
    const c = { ...given, faults };
    if (faults.some((f, i) => f !== given.faults![i]) && judge(c)?.fails) {
      original = c;
      anchored = true;
    }
  }

  const details = fc.check(
    fc.property(new CaseArbitrary(original, idsOf), (c) => !(judge(c)?.fails ?? false)),
    { numRuns: 1, seed: 0 },
  );
  if (!best) throw new Error(`the run to shrink does not fail ${check} when run again (is it deterministic?)`);
  return {
    check,
    detail: best.verdict.detail,
    token: best.verdict.token,
    before: sizeOf(given),
    after: sizeOf(best.c),
    runs,
    anchored,
    steps: details.numShrinks,
    elapsedMs: Date.now() - started,
    exhausted,
    settings: settingsFor(best.c),
  };
}

/** The fault at its absolute time rewritten as `Δ ms after` the last anchor its run reached before then (as it was, if none). */
export function anchorFault(f: Fault, recorder: AnchorRecorder): Fault {
  if (f.after !== undefined) return f;
  const point = recorder.latestBefore(f.atMs);
  if (!point) return f;
  return { ...actionOf(f), after: point.anchor, delayMs: f.atMs - point.t } as Fault;
}

/** Orders failing cases: fewer records, then fewer faults (the best case is the smallest seen, not the last). */
function sizeRank(c: ShrinkCase): number {
  const z = sizeOf(c);
  return z.events * 1_000 + z.faults;
}

/**
 * Runs `settings` and tells whether it fails `check`. With `maxSteps`, a run that reaches the cap
 * counts as passing whatever it failed: it was cut short, and the same run under the default
 * limit (as its token replays) could end otherwise. A run that ends below the cap is the very
 * run its token replays.
 */
function runOnce(settings: RunSettings, check: string, scenario?: Scenario, recorder?: AnchorRecorder, maxSteps?: number): Verdict {
  try {
    const report = runScenario(settings, {
      ...(scenario ? { scenario } : {}),
      ...(recorder ? { subscribers: [recorder.onEvent] } : {}),
      ...(maxSteps !== undefined ? { maxSteps } : {}),
    });
    if (maxSteps !== undefined && report.steps >= maxSteps) return { fails: false, detail: `cut short at ${maxSteps} steps`, token: report.token, steps: report.steps };
    const failed = report.checks.find((c) => c.name === check && !c.ok);
    return { fails: failed !== undefined, detail: failed?.detail ?? '', token: report.token, steps: report.steps };
  } catch (e) {
    // Thrown outside the world (while building the run): only a `run.completes` failure matches.
    return { fails: check === 'run.completes', detail: `the run threw: ${(e as Error).message}`, token: encodeToken(settings) };
  }
}

/** Generates exactly one case, the failing one, and shrinks it along `candidates`. */
class CaseArbitrary extends fc.Arbitrary<ShrinkCase> {
  constructor(private readonly original: ShrinkCase, private readonly idsOf: RecordIds) {
    super();
  }

  generate(): fc.Value<ShrinkCase> {
    return new fc.Value(this.original, ROOT_CONTEXT);
  }

  canShrinkWithoutContext(value: unknown): value is ShrinkCase {
    return typeof value === 'object' && value !== null && 'events' in value;
  }

  shrink(value: ShrinkCase, context: unknown): fc.Stream<fc.Value<ShrinkCase>> {
    const ctx = (context as ShrinkContext | undefined) ?? ROOT_CONTEXT;
    return new fc.Stream(candidates(value, ctx, this.idsOf)).map(([c, next]) => new fc.Value(c, next));
  }
}
