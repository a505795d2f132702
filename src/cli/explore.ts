/**
 * `weir explore <scenario>`: sweep seeds (swarm faults by default) across
 * worker threads, shrink the first failure, report what failed and which
 * "sometimes" edges the sweep reached.
 *
 * Exit code 0 when every run passed, 1 when some run failed (the output
 * names the check and prints the shrunk run's replay command), 2 on bad
 * input, raised as a UsageError before anything runs. Progress goes to
 * stderr, only on a TTY and never with --json, so stdout stays the report.
 */
import { availableParallelism } from 'node:os';
import { combinationProblem, LIMITS, limitProblem } from '../explore/limits.ts';
import { parseArgs, parseChoice, parseLimitedFlag, valueOf, type FlagSpec, type ParsedArgs } from './args.ts';
import { EXPLORE_HELP } from './help.ts';
import { admitRuns, askBytes, formatBytes, machineBytes } from './memory.ts';
import { EXIT, quote, tokenBodyProblem, UsageError } from './usage-error.ts';
import { parseBugs, runShape, runTiming, RUN_SHAPE_FLAGS, RUN_TIMING_FLAGS } from './run-settings.ts';
import { FAULT_PROFILES, GUARANTEES, looksLikeToken } from '../explore/settings.ts';
import type { Shard, SweepJob } from '../explore/sweep.ts';
import type { ExploreOptions } from '../explore/explore.ts';
import type { Scenario } from '../../scenarios/index.ts';

export const EXPLORE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  seeds: { value: true },
  start: { value: true },
  workers: { value: true },
  shard: { value: true },
  ...RUN_SHAPE_FLAGS,
  ...RUN_TIMING_FLAGS,
  'no-shrink': {},
  json: {},
};

export interface ExploreRequest {
  job: SweepJob;
  start: number;
  count: number;
  shard?: Shard;
  /** Undefined: one per core; never more than the seeds or the cores (see usefulWorkers). */
  workers?: number;
  shrink: boolean;
}

export async function exploreCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('explore', argv, EXPLORE_FLAGS);
  if (args.switches.has('help')) {
    process.stdout.write(EXPLORE_HELP);
    return EXIT.ok;
  }
  const req = exploreRequest(args);
  const { findScenario, fixedInputProblem } = await import('../../scenarios/index.ts');
  const scenario = findScenario(req.job.scenario);
  if (!scenario) throw new UsageError(tokenBodyProblem(req.job.scenario) ?? `unknown scenario ${quote(req.job.scenario)} (try: weir list)`);
  const { engineProblem } = await import('../explore/engines.ts');
  const problem = engineProblem(scenario, req.job) ?? fixedInputProblem(scenario, req.job.events);
  if (problem !== undefined) throw new UsageError(problem);
  const { explore } = await import('../explore/explore.ts');
  const { seedsOf } = await import('../explore/sweep.ts');
  const report = await import('./explore-report.ts');
  const json = args.switches.has('json');
  const seedCount = seedsOf(req.start, req.count, req.shard).length;
  // A sweep of no runs proves nothing; its "no check failed" would only mislead.
  if (seedCount === 0 && req.shard) {
    throw new UsageError(`--shard ${req.shard.index}/${req.shard.count} of ${req.count} seed${req.count === 1 ? '' : 's'} holds no seed (shard k runs the k-th seed and every ${ordinal(req.shard.count)} after it); give --seeds ${req.shard.count} or more, or fewer shards`);
  }
  const workers = fitWorkers(usefulWorkers(req.workers, seedCount), estimateRun(scenario, req.job), req.workers !== undefined);
  const progress = !json && process.stderr.isTTY ? new report.Progress(process.stderr) : undefined;

  if (!json) process.stdout.write(report.bannerLine(req, workers) + '\n');
  // Without --workers, worker threads start only when the sweep is long enough to repay their start-up and warm-up.
  const opts: ExploreOptions = { job: req.job, start: req.start, count: req.count, workers, adaptive: req.workers === undefined };
  if (req.shard) opts.shard = req.shard;
  if (!req.shrink) opts.shrink = false;
  if (progress) {
    opts.onProgress = (p) => progress.sweep(p);
    opts.onShrinkRun = (runs, best) => progress.shrink(runs, best);
  }
  const result = await explore(opts);
  progress?.clear();
  if (json) process.stdout.write(JSON.stringify(report.resultJson(req, workers, result)) + '\n');
  else process.stdout.write(report.resultLines(result, report.styleFor(process.stdout)).join('\n') + '\n');
  return result.failures > 0 ? EXIT.checkFailed : EXIT.ok;
}

/**
 * What one run of the sweep is estimated to need; a run that cannot fit in
 * this thread's heap is a UsageError. Every thread holds one run at a time.
 * Large runs get V8's heap growth bounded (memory.ts), for every thread.
 */
function estimateRun(scenario: Scenario, job: SweepJob): number {
  const engine = job.engine ?? 'flink';
  const events = job.events ?? scenario.defaults.events;
  const parallelism = job.parallelism ?? scenario.defaults.parallelism;
  const ask = { scenario: scenario.name, engine, events, parallelism, use: 'run' as const, fromToken: false };
  const problem = admitRuns(ask);
  if (problem !== undefined) throw new UsageError(problem);
  return askBytes(ask);
}

/**
 * Worker threads worth starting: one per core by default, and never more
 * than the seeds to run or the cores (a thread beyond either has nothing to
 * do or only takes turns with another); fewer than --workers asked for is
 * said in one line on stderr.
 */
export function usefulWorkers(asked: number | undefined, seeds: number, cores = availableParallelism(), note: (s: string) => void = (s) => void process.stderr.write(s)): number {
  const most = Math.max(1, Math.min(seeds, cores));
  if (asked === undefined) return most;
  if (asked <= most) return asked;
  const why = seeds < cores ? `there ${seeds === 1 ? 'is 1 seed' : `are ${seeds} seeds`} to run` : `this machine has ${cores} core${cores === 1 ? '' : 's'}`;
  note(`weir: note: using ${most} worker${most === 1 ? '' : 's'}, not ${asked}: ${why}\n`);
  return most;
}

/**
 * Threads that fit in the machine's memory, each holding one run at a time
 * (each thread has its own heap, as large as this one's): fewer than asked
 * for when they would not all fit, said on stderr when --workers asked.
 */
export function fitWorkers(workers: number, perRun: number, asked: boolean, machine = machineBytes(), note: (s: string) => void = (s) => void process.stderr.write(s)): number {
  const fit = Math.max(1, Math.floor(machine / perRun));
  if (workers <= fit) return workers;
  if (asked) note(`weir: note: using ${fit} worker${fit === 1 ? '' : 's'}, not ${workers}: each run needs about ${formatBytes(perRun)} and this machine has ${formatBytes(machine)}\n`);
  return fit;
}

/** The request from the arguments alone (nothing of the engine loaded). */
export function exploreRequest(args: ParsedArgs): ExploreRequest {
  const [scenario, extra] = args.positionals;
  if (scenario === undefined) throw new UsageError('explore needs a scenario name (try: weir list)');
  if (extra !== undefined) throw new UsageError(`unexpected argument ${quote(extra)}: weir explore takes one scenario`);
  if (looksLikeToken(scenario)) throw new UsageError('explore sweeps a scenario by name; to replay a repro token use: weir run <token>');
  const job: SweepJob = {
    scenario,
    engine: 'flink',
    guarantee: parseChoice('guarantee', valueOf(args, 'guarantee') ?? 'exactly-once', GUARANTEES),
    faults: parseChoice('faults', valueOf(args, 'faults') ?? 'swarm', FAULT_PROFILES),
    bugs: parseBugs(args.values.get('bug') ?? []),
    ...runShape(args),
    ...runTiming(args),
  };
  const clash = combinationProblem(job);
  if (clash !== undefined) throw new UsageError(clash);
  const rawStart = valueOf(args, 'start') ?? '1';
  const start = /^\d+$/.test(rawStart) ? Number(rawStart) : NaN;
  const badStart = limitProblem('seed', start, 'flag', quote(rawStart));
  if (badStart !== undefined) throw new UsageError(badStart.replace('--seed ', '--start '));
  const count = parseLimitedFlag('seeds', valueOf(args, 'seeds') ?? '100');
  if (start + count - 1 > LIMITS.seed.max) throw new UsageError(`--start ${start} with --seeds ${count} runs past the largest seed ${LIMITS.seed.max.toLocaleString('en-US')} (seeds are 32-bit)`);
  const req: ExploreRequest = { job, start, count, shrink: !args.switches.has('no-shrink') };
  const shard = valueOf(args, 'shard');
  if (shard !== undefined) req.shard = parseShard(shard);
  const workers = valueOf(args, 'workers');
  if (workers !== undefined) req.workers = parseLimitedFlag('workers', workers);
  return req;
}

/** `k/n` with 1 ≤ k ≤ n, as vitest's --shard. */
export function parseShard(raw: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count) {
    throw new UsageError(`--shard must be k/n with 1 ≤ k ≤ n (e.g. 2/4), got ${quote(raw)}`);
  }
  return { index, count };
}

/** 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}
