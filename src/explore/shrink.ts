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
 * completed, sink pre-commit, job deployed, rebalance generation, Kafka
 * Streams commit, Spark batch started or committed) the failing run reached
 * before it, read from that run's trace. Leaving records out shifts every
 * later step of a run by a few ms; an anchored crash stays at the same point
 * of the checkpoint protocol, next to what it breaks. The rewritten plan is
 * kept only if it still fails the check, and if, with records left out the
 * walk's first ways (each half, the biggest key's, the biggest partition's),
 * it fails at least as often as the plan at absolute times: commits and
 * batches come only with input, so their anchors can drift as well, and
 * for some failures the absolute time is the better hold. Otherwise the walk
 * shrinks the plan as it was. Four probes can choose wrongly: when the walk
 * ends above a handful of records (`HANDFUL`), the walk from the other plan
 * runs too, within what is left of the budget, and the smaller failure wins.
 *
 * A candidate whose plan names a process its run does not have (a Kafka
 * Streams instance or Spark executor beyond a lower parallelism) is never
 * run: it would only throw. A lower parallelism is offered with the plan
 * fitted to it (`planFit`).
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
import { runProcesses, runScenario, sizesOf } from './run.ts';
import { engineOf } from './engines.ts';
import { encodeToken, type RunSettings } from './settings.ts';
import { candidates, outagesDisjoint, ROOT_CONTEXT, sizeOf, type CaseFacts, type Grouping, type RecordGroupings, type RecordIds, type ShrinkCase, type ShrinkContext } from './shrink-tree.ts';
import { AnchorRecorder, KSTREAMS_RECORDED_KINDS } from '../sim/anchors.ts';
import { actionOf, processesNamed, type Fault } from '../sim/faults.ts';
import { rootRng } from '../sim/rng.ts';
import { findScenario, type Scenario } from '../../scenarios/index.ts';

export interface ShrinkBudget {
  maxRuns: number;
  maxMs: number;
}

/** Input records a shrunk run may keep before the walk from the other plan is tried as well (see `shrinkFailure`). */
export const HANDFUL = 10;

/** Wall time is the budget; the run cap only bounds a search whose runs are very short. */
export const DEFAULT_SHRINK_BUDGET: ShrinkBudget = { maxRuns: 20_000, maxMs: 60_000 };

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
  const workloads = new Map<string, { ids: number[]; pinned: number[]; groupings: Grouping[] }>();
  /** The case's drawn workload: its input records' ids, and the ids only its schedule holds (flush records), which are always kept. */
  const drawn = (c: Pick<ShrinkCase, 'events' | 'parallelism' | 'keys'>): { ids: number[]; pinned: number[]; groupings: Grouping[] } => {
    const key = `${c.events}/${c.parallelism}/${c.keys}`;
    let w = workloads.get(key);
    if (!w) {
      const s = { ...settings, events: c.events, parallelism: c.parallelism, keys: c.keys };
      try {
        const workload = scenario.workload(rootRng(s.seed).fork('workload'), sizesOf(scenario, s));
        const ids = workload.records.map((r) => r.id);
        const inRecords = new Set(ids);
        const pinned = workload.arrivals.flatMap((a) => a.records.map((r) => r.id)).filter((id) => !inRecords.has(id));
        const partitionOf = new Map<number, string>();
        for (const a of workload.arrivals) for (const r of a.records) if (inRecords.has(r.id)) partitionOf.set(r.id, String(a.partition));
        const groupings: Grouping[] = [
          { name: 'key', of: new Map(workload.records.map((r) => [r.id, r.key])) },
          { name: 'partition', of: partitionOf },
        ];
        w = { ids, pinned: [...new Set(pinned)].sort((a, b) => a - b), groupings };
      } catch {
        // Sizes the scenario refuses: its run throws as well, and there are no records to leave out.
        w = { ids: [], pinned: [], groupings: [] };
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
  const { runsAs, fitPlan } = planFit(scenario, settings, given);
  const groupingsOf: RecordGroupings = (c) => drawn(c).groupings;

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
    // A plan that names a process the run does not have (a lower parallelism has fewer instances) only makes the run throw.
    if (!runsAs(c)) return { fails: false, detail: 'the plan names a process this run does not have', token: '' };
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
  const recorder = new AnchorRecorder(engineOr(scenario, settings) === 'kstreams' ? KSTREAMS_RECORDED_KINDS : undefined);
  const first = judge(given, recorder);
  maxSteps = stepCap(first?.steps);
  let original = given;
  let anchored = false;
  /** Where the walk would have started with the other plan (anchored or at absolute times), if both fail. */
  let otherStart: ShrinkCase | undefined;
  if (best && given.faults?.some((f) => f.after === undefined)) {
    const faults = given.faults.map((f) => anchorFault(f, recorder));
    const c = { ...given, faults };
    if (faults.some((f, i) => f !== given.faults![i]) && judge(c)?.fails) {
      // Kept if, with records left out, it still fails at least as often as the plan at absolute times.
      const probes = probesOf(given, idsOf(given), groupingsOf(given));
      const failing = (x: ShrinkCase): ShrinkCase[] => probes.map((keep) => ({ ...x, keep })).filter((p) => judge(p)?.fails === true);
      const withAnchors = failing(c);
      const withTimes = failing(given);
      const [from, probed] = withAnchors.length >= withTimes.length ? [c, withAnchors] : [given, withTimes];
      anchored = from === c;
      // The walk goes on from the smallest probe that still fails: one of its own first steps.
      original = smallest(probed, from);
      otherStart = anchored ? smallest(withTimes, given) : smallest(withAnchors, c);
    }
  }

  const walk = (start: ShrinkCase): number => fc.check(
    fc.property(new CaseArbitrary(start, { idsOf, groupingsOf, fitPlan }), (c) => !(judge(c)?.fails ?? false)),
    { numRuns: 1, seed: 0 },
  ).numShrinks;
  let steps = walk(original);
  // The probes chose the plan wrongly at times: above a handful of records, the other plan's walk
  // goes too, with what is left of the budget, and the smaller failure wins.
  if (otherStart !== undefined && best !== undefined && sizeOf(best.c).events > HANDFUL && !exhausted) {
    const first = best;
    const otherSteps = walk(otherStart);
    if (sizeRank(best.c) < sizeRank(first.c)) {
      anchored = !anchored;
      steps = otherSteps;
    } else best = first;
  }
  if (!best) throw new Error(`the run to shrink does not fail ${check} when run again (is it deterministic?)`);
  return {
    check,
    detail: best.verdict.detail,
    token: best.verdict.token,
    before: sizeOf(given),
    after: sizeOf(best.c),
    runs,
    anchored,
    steps,
    elapsedMs: Date.now() - started,
    exhausted,
    settings: settingsFor(best.c),
  };
}

/**
 * The keep lists that decide between a plan anchored and at absolute times: each half of the
 * records, the biggest key's, the biggest partition's. Leaving records out is what anchoring is
 * for, and these are the walk's first ways of doing it, so their runs are not wasted on the
 * plan it keeps.
 */
function probesOf(c: ShrinkCase, ids: readonly number[], groupings: readonly Grouping[]): number[][] {
  const keep = c.keep ?? ids;
  if (keep.length < 2) return [];
  const half = Math.floor(keep.length / 2);
  const out = [keep.slice(0, half), keep.slice(half)];
  for (const grouping of groupings) {
    const groups = new Map<string, number[]>();
    for (const id of keep) {
      const label = grouping.of.get(id);
      if (label === undefined) continue;
      const list = groups.get(label);
      if (list) list.push(id);
      else groups.set(label, [id]);
    }
    const biggest = [...groups].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0];
    if (biggest && groups.size > 1) out.push(biggest[1]);
  }
  return out;
}

/**
 * Whether a case's plan names only processes its run has (`runsAs`), and the case with its plan
 * fitted to its parallelism (`fitPlan`): Kafka Streams and Spark have one instance or executor
 * per unit of parallelism, so a lower parallelism drops processes a plan may name. Fitting moves
 * a fault on `ks-3` to `ks-1` at parallelism 2 (index modulo the parallelism), drops a partition
 * that would then cut a process from itself, and gives up when moved outages of one process
 * would overlap. Names the given run's plan holds beyond its own process list (a hand-written
 * plan) are let through as they are.
 */
export function planFit(scenario: Scenario, settings: RunSettings, given: ShrinkCase): { runsAs: (c: ShrinkCase) => boolean; fitPlan: (c: ShrinkCase) => ShrinkCase | undefined } {
  const engine = engineOr(scenario, settings);
  if (engine === undefined) return { runsAs: () => true, fitPlan: (c) => c };
  const processes = new Map<number, Set<string>>();
  const at = (parallelism: number): Set<string> => {
    let set = processes.get(parallelism);
    if (!set) {
      set = new Set(runProcesses(settings.taskManagers ?? 2, settings.spareTaskManagers ?? 0, engine, parallelism).processes);
      processes.set(parallelism, set);
    }
    return set;
  };
  const extra = new Set(namesOf(given.faults).filter((p) => !at(given.parallelism).has(p)));
  const runsAs = (c: ShrinkCase): boolean => namesOf(c.faults).every((p) => extra.has(p) || at(c.parallelism).has(p));
  const fitPlan = (c: ShrinkCase): ShrinkCase | undefined => {
    if (c.faults === undefined || runsAs(c)) return c;
    const have = at(c.parallelism);
    const move = (p: string): string => {
      if (extra.has(p) || have.has(p)) return p;
      const m = /^(.*-)(\d+)$/.exec(p);
      const moved = m ? `${m[1]}${Number(m[2]) % c.parallelism}` : p;
      return have.has(moved) ? moved : p;
    };
    const faults: Fault[] = [];
    for (const f of c.faults) {
      if (f.kind === 'partition') {
        const a = move(f.a);
        const b = move(f.b);
        if (a !== b) faults.push({ ...f, a, b });
      } else if (f.kind === 'latency-spike') faults.push(f);
      else faults.push({ ...f, process: move(f.process) });
    }
    const fitted = { ...c, faults };
    return runsAs(fitted) && outagesDisjoint(faults) ? fitted : undefined;
  };
  return { runsAs, fitPlan };
}

/** The processes a plan names. */
function namesOf(faults: readonly Fault[] | undefined): string[] {
  const out: string[] = [];
  for (const f of faults ?? []) out.push(...processesNamed(f));
  return out;
}

/**
 * The fault at its absolute time rewritten as `Δ ms after` the last anchor its run reached before
 * then (as it was, if none); a transaction's begin is an anchor only for a fault on its owner.
 */
export function anchorFault(f: Fault, recorder: AnchorRecorder): Fault {
  if (f.after !== undefined) return f;
  const point = recorder.latestBefore(f.atMs, undefined, namesOf([f]));
  if (!point) return f;
  return { ...actionOf(f), after: point.anchor, delayMs: f.atMs - point.t } as Fault;
}

/** The run's engine, or undefined for settings the scenario cannot run (that run throws on its own). */
function engineOr(scenario: Scenario, settings: RunSettings): string | undefined {
  try {
    return engineOf(scenario, settings);
  } catch {
    return undefined;
  }
}

/** Orders failing cases: fewer records, then fewer faults (the best case is the smallest seen, not the last). */
function sizeRank(c: ShrinkCase): number {
  const z = sizeOf(c);
  return z.events * 1_000 + z.faults;
}

/** The smallest of `list` by `sizeRank`, or `start` when none is smaller. */
function smallest(list: readonly ShrinkCase[], start: ShrinkCase): ShrinkCase {
  return list.reduce((a, b) => (sizeRank(b) < sizeRank(a) ? b : a), start);
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
      hashTrace: false,
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
  constructor(private readonly original: ShrinkCase, private readonly facts: CaseFacts) {
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
    return new fc.Stream(candidates(value, ctx, this.facts)).map(([c, next]) => new fc.Value(c, next));
  }
}
