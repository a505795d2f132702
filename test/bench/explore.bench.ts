/**
 * Sweep figures, for the bench runner: `weir explore bank` (swarm faults,
 * 1,000 events, exactly-once) as a user runs it — the built command in a
 * child process, start-up included — on one worker and on two, reading
 * `runsPerSecond` from its `--json` report (wall time: quote it from a quiet
 * machine). 200 seeds by default, 1,000 with `--full`, 20 with `--quick`.
 * The command is started as `npx weir` starts it, through its shebang, so the
 * Node flags there (a larger young generation) count here too.
 * Every seed must pass: a sweep with failures measures nothing.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../scripts/stamp.mjs';

export interface ExploreFigures {
  'explore.seeds': number;
  'explore.bank.workers1.runsPerSec': number;
  'explore.bank.workers2.runsPerSec': number;
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
  return { 'explore.seeds': seeds, 'explore.bank.workers1.runsPerSec': one.runsPerSecond, 'explore.bank.workers2.runsPerSec': two.runsPerSecond };
}
