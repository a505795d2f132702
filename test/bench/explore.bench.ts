/**
 * Sweep figures, for the bench runner: `weir explore bank` (swarm faults,
 * 1,000 events, exactly-once) as a user runs it — the built command in a
 * child process, start-up included — on one worker and on two, reading
 * `runsPerSecond` from its `--json` report (wall time: quote it from a quiet
 * machine). 200 seeds by default, 1,000 with `--full`, 20 with `--quick`.
 * The command is started as `npx weir` starts it, through its shebang, so the
 * Node flags there (a larger young generation) count here too.
 *
 * Beside the sweeps, the same seeds one after another on one thread, each
 * timed (`warm-sweep.mjs`, with the Node flags of the command's shebang), to
 * split a sweep's time into V8's warm-up and the steady state:
 * - `explore.bank.warm.runsPerSec`: runs/s over the seeds after the first
 *   `WARMUP_SEEDS` (the steady state: what a long sweep tends to);
 * - `explore.bank.warmup.firstRunsMs`: the first `WARMUP_SEEDS` seeds' ms
 *   each, in groups of `WARMUP_GROUP` (the warm-up curve);
 * - `explore.bank.warmup.extraMs`: what the first seeds cost beyond as many
 *   steady-state runs: the warm-up a sweep (each worker) pays once.
 * Every seed must pass: a sweep with failures measures nothing.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { builtIsFresh, ROOT } from '../../scripts/stamp.mjs';
import { weirNodeFlags } from '../../scripts/node-flags.mjs';

export interface ExploreFigures {
  'explore.seeds': number;
  'explore.bank.workers1.runsPerSec': number;
  'explore.bank.workers2.runsPerSec': number;
  'explore.bank.warm.runsPerSec': number;
  'explore.bank.warm.seeds': number;
  'explore.bank.warmup.firstRunsMs': number[];
  'explore.bank.warmup.extraMs': number;
}

const WARMUP_SEEDS = 100;
const WARMUP_GROUP = 10;

/** Seeds 1..first+steady of bank on one thread, each timed. */
function warmCurve(first: number, steady: number): number[] {
  const built = builtIsFresh();
  const args = [...weirNodeFlags(), ...(built ? [] : ['--import', 'tsx']), join(ROOT, 'test', 'bench', 'warm-sweep.mjs'), '--first', String(first), '--steady', String(steady), ...(built ? ['--built'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`explore bench: warm-sweep exited ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
  const out = JSON.parse(r.stdout) as { ms: number[]; failures: number };
  if (out.failures !== 0) throw new Error(`explore bench: ${out.failures} seeds of the warm-up curve failed`);
  return out.ms;
}

/** The warm-up and steady-state figures from one thread's timed seeds. */
function warmFigures(ms: readonly number[], first: number): Pick<ExploreFigures, 'explore.bank.warm.runsPerSec' | 'explore.bank.warm.seeds' | 'explore.bank.warmup.firstRunsMs' | 'explore.bank.warmup.extraMs'> {
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  const steady = ms.slice(first);
  if (steady.length === 0) throw new Error('explore bench: no steady-state seeds');
  const steadyMs = sum(steady) / steady.length;
  const groups: number[] = [];
  for (let i = 0; i < first; i += WARMUP_GROUP) groups.push(Math.round((sum(ms.slice(i, Math.min(first, i + WARMUP_GROUP))) / Math.min(WARMUP_GROUP, first - i)) * 10) / 10);
  return {
    'explore.bank.warm.runsPerSec': Math.round((1000 / steadyMs) * 10) / 10,
    'explore.bank.warm.seeds': steady.length,
    'explore.bank.warmup.firstRunsMs': groups,
    'explore.bank.warmup.extraMs': Math.round(sum(ms.slice(0, first)) - first * steadyMs),
  };
}

function sweep(seeds: number, workers: number): { runsPerSecond: number; sweepMs: number } {
  const args = ['explore', 'bank', '--seeds', String(seeds), '--workers', String(workers), '--json'];
  const r = spawnSync(join(ROOT, 'bin', 'weir.js'), args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`explore bench: weir ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
  const report = JSON.parse(r.stdout) as { runsPerSecond: number; sweepMs: number; failures: number };
  if (report.failures !== 0) throw new Error(`explore bench: ${report.failures} seeds failed`);
  return report;
}

export function benchExplore(seeds: number, progress: (line: string) => void): ExploreFigures {
  const one = sweep(seeds, 1);
  progress(`explore bank, ${seeds} seeds, 1 worker: ${one.runsPerSecond} runs/s`);
  const two = sweep(seeds, 2);
  progress(`explore bank, ${seeds} seeds, 2 workers: ${two.runsPerSecond} runs/s`);
  const first = Math.min(WARMUP_SEEDS, seeds);
  const warm = warmFigures(warmCurve(first, Math.max(1, 2 * first)), first);
  progress(`bank on one thread: warm-up ${warm['explore.bank.warmup.extraMs']} ms over the first ${first} seeds, then ${warm['explore.bank.warm.runsPerSec']} runs/s`);
  return { 'explore.seeds': seeds, 'explore.bank.workers1.runsPerSec': one.runsPerSecond, 'explore.bank.workers2.runsPerSec': two.runsPerSecond, ...warm };
}
