/**
 * A seed sweep: run every seed of a range (or of one shard of it), collect
 * the failures and the edge coverage, then shrink the first failure — the
 * lowest failing seed, so the answer does not depend on which worker was
 * fastest — to a smaller run that fails the same check.
 *
 * Everything reported except the timing is a function of the job and the
 * seed list alone: results are merged in seed order and coverage counts are
 * sums.
 */
import { runSeeds } from './pool.ts';
import { seedsOf, type SeedResult, type Shard, type SweepJob } from './sweep.ts';
import { addCounts, applicableEdges, edgesOf, zeroCounts, type Edge, type EdgeCounts, EDGES } from './coverage.ts';
import { shrinkFailure, DEFAULT_SHRINK_BUDGET, type CaseSize, type ShrinkBudget, type ShrinkOutcome } from './shrink.ts';
import { decodeToken } from './settings.ts';
import { findScenario } from '../../scenarios/index.ts';

export interface ExploreOptions {
  job: SweepJob;
  /** First seed of the range. */
  start: number;
  /** Seeds in the range (before sharding). */
  count: number;
  shard?: Shard;
  /** Threads in all (this one included); 1 runs every seed in this thread. */
  workers: number;
  /** Start worker threads only when the sweep is long enough to repay their start-up. */
  adaptive?: boolean;
  /** Shrink budget, or false to report the first failure unshrunk. */
  shrink?: ShrinkBudget | false;
  onProgress?: (p: SweepProgress) => void;
  onShrinkRun?: (runs: number, best: CaseSize) => void;
}

export interface SweepProgress {
  done: number;
  total: number;
  failures: number;
  elapsedMs: number;
}

export interface FirstFailure {
  seed: number;
  check: string;
  detail: string;
  token: string;
  events: number;
  faults: number;
  /** Other checks the same run failed. */
  alsoFailed: string[];
  shrunk?: ShrinkOutcome;
}

export interface CoverageReport {
  /** Occurrences over all runs, for each edge the scenario can reach. */
  counts: Partial<EdgeCounts>;
  /** Runs that hit each edge at least once. */
  runs: Partial<EdgeCounts>;
  notApplicable: Edge[];
}

export interface ExploreResult {
  scenario: string;
  seeds: number[];
  seedsRun: number;
  failures: number;
  failingSeeds: number[];
  sweepMs: number;
  runsPerSecond: number;
  coverage: CoverageReport;
  firstFailure?: FirstFailure;
  /**
   * Under at-least-once: the failing seeds that failed a check besides `exactly-once`, which
   * at-least-once fails by design (its duplicates); `at-least-once` and the others judge the run.
   */
  failingBeyondExactlyOnce?: number[];
  results: SeedResult[];
}

export async function explore(opts: ExploreOptions): Promise<ExploreResult> {
  const scenario = findScenario(opts.job.scenario);
  if (!scenario) throw new Error(`unknown scenario "${opts.job.scenario}"`);
  const seeds = seedsOf(opts.start, opts.count, opts.shard);
  const started = Date.now();
  let done = 0;
  let failures = 0;
  const onResult = (r: SeedResult): void => {
    done++;
    if (!r.ok) failures++;
    opts.onProgress?.({ done, total: seeds.length, failures, elapsedMs: Date.now() - started });
  };
  const results = await runSeeds(opts.job, seeds, { workers: opts.workers, adaptive: opts.adaptive ?? false, onResult });
  const sweepMs = Math.max(1, Date.now() - started);
  const failing = results.filter((r) => !r.ok);
  const out: ExploreResult = {
    scenario: scenario.name,
    seeds,
    seedsRun: results.length,
    failures: failing.length,
    failingSeeds: failing.map((r) => r.seed),
    sweepMs,
    runsPerSecond: Math.round((results.length * 10_000) / sweepMs) / 10,
    coverage: coverageOf(results, applicableEdges(scenario, opts.job.engine ?? 'flink'), opts.job.engine ?? 'flink'),
    results,
  };
  // Under at-least-once `exactly-once` fails by design: the failure worth shrinking is the lowest
  // seed failing another check, on that check, when there is one.
  const beyond = opts.job.guarantee === 'at-least-once' ? failing.filter((r) => r.failed.some((f) => f.name !== 'exactly-once')) : undefined;
  if (beyond !== undefined) out.failingBeyondExactlyOnce = beyond.map((r) => r.seed);
  const first = beyond?.[0] ?? failing[0];
  if (first) out.firstFailure = firstFailure(first, opts, beyond !== undefined && beyond.length > 0);
  return out;
}

/** The first failure of `r`, shrunk unless asked not to; `beyondExactlyOnce`: on its first failed check other than `exactly-once`. */
function firstFailure(r: SeedResult, opts: ExploreOptions, beyondExactlyOnce = false): FirstFailure {
  const at = beyondExactlyOnce ? r.failed.findIndex((f) => f.name !== 'exactly-once') : 0;
  const check = r.failed[at];
  const others = r.failed.filter((_, i) => i !== at);
  const f: FirstFailure = {
    seed: r.seed, check: check!.name, detail: check!.detail, token: r.token,
    events: r.events, faults: r.faults, alsoFailed: others.map((c) => c.name),
  };
  if (opts.shrink !== false) {
    f.shrunk = shrinkFailure(decodeToken(r.token), f.check, {
      budget: opts.shrink ?? DEFAULT_SHRINK_BUDGET,
      ...(opts.onShrinkRun ? { onRun: opts.onShrinkRun } : {}),
    });
  }
  return f;
}

function coverageOf(results: readonly SeedResult[], applicable: readonly Edge[], engine: string): CoverageReport {
  const total = zeroCounts();
  const runs = zeroCounts();
  for (const r of results) {
    addCounts(total, r.coverage);
    for (const edge of EDGES) if (r.coverage[edge] > 0) runs[edge]++;
  }
  const pick = (c: EdgeCounts): Partial<EdgeCounts> => Object.fromEntries(applicable.map((e) => [e, c[e]]));
  return { counts: pick(total), runs: pick(runs), notApplicable: edgesOf(engine).filter((e) => !applicable.includes(e)) };
}
