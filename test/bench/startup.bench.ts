/**
 * Start-up figures, for the bench runner (wall-clock time, allowed in test/bench):
 * - `startup.weirListWallMs`: `node bin/weir.js list` as a user runs it, from
 *   process start to exit, median of 5;
 * - `startup.workerReadyMs`: a sweep worker thread of the build, the one the
 *   `weir` command starts (the bundle in dist/cli/), from `new Worker` to its
 *   ready message (the engine loaded), median of 3;
 * - `startup.workerReadyFromSourcesMs`: the same for a worker that loads the
 *   TypeScript sources through tsx, as sweeps started under vitest do.
 * `startup.built` says whether dist/ was a fresh build; when it is not, the
 * command runs the sources through tsx and there is no built worker to time.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { builtIsFresh, ROOT } from '../../scripts/stamp.mjs';
import type { SweepJob } from '../../src/explore/sweep.ts';

export interface StartupFigures {
  'startup.built': boolean;
  'startup.weirListWallMs': number;
  'startup.workerReadyMs': number | null;
  'startup.workerReadyFromSourcesMs': number;
}

const JOB: SweepJob = { scenario: 'bank', guarantee: 'exactly-once', faults: 'swarm', bugs: [] };

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]!);
}

function weirListMs(): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['bin/weir.js', 'list'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`startup bench: weir list exited ${r.status}: ${r.stderr}`);
  return ms;
}

async function workerReadyMs(entry: URL): Promise<number> {
  const start = performance.now();
  // No execArgv: as under the weir command, not this runner's `--import tsx`.
  const w = new Worker(entry, { workerData: { job: JOB }, execArgv: [] });
  try {
    await new Promise<void>((resolve, reject) => {
      w.on('message', (m: object) => ('ready' in m ? resolve() : undefined));
      w.on('error', reject);
      w.on('exit', (code) => reject(new Error(`startup bench: worker exited ${code} before it was ready`)));
    });
    return performance.now() - start;
  } finally {
    await w.terminate();
  }
}

export async function benchStartup(): Promise<StartupFigures> {
  const built = builtIsFresh();
  const list = median(Array.from({ length: 5 }, weirListMs));
  const times = async (entry: URL): Promise<number> => {
    const out: number[] = [];
    for (let i = 0; i < 3; i++) out.push(await workerReadyMs(entry));
    return median(out);
  };
  const fromBuild = built ? await times(new URL('dist/cli/sweep-worker.js', pathToFileURL(ROOT))) : null;
  const fromSources = await times(new URL('src/explore/sweep-worker-boot.mjs', pathToFileURL(ROOT)));
  return {
    'startup.built': built,
    'startup.weirListWallMs': list,
    'startup.workerReadyMs': fromBuild,
    'startup.workerReadyFromSourcesMs': fromSources,
  };
}
