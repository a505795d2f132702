/**
 * Runs the seeds of a sweep, in this thread or across worker threads, and
 * returns their results in seed order — so what a sweep finds never depends
 * on the worker count, only how fast it finds it.
 *
 * Workers pull: each holds one seed at a time and gets the next when it
 * answers, so a slow seed never leaves the others idle. A worker that fails
 * (an error escaping `runSeed`, a crash of the thread) fails the sweep: that
 * is a bug in weir, not a finding of a run.
 */
import { Worker } from 'node:worker_threads';
import { runSeed, type SeedResult, type SweepJob } from './sweep.ts';
import type { WorkerAnswer } from './sweep-worker.ts';

const WORKER_ENTRY = new URL('./sweep-worker-boot.mjs', import.meta.url);

export type OnResult = (r: SeedResult) => void;

export async function runSeeds(job: SweepJob, seeds: readonly number[], workers: number, onResult?: OnResult): Promise<SeedResult[]> {
  const n = Math.min(workers, seeds.length);
  const results = n <= 1 ? inProcess(job, seeds, onResult) : await inWorkers(job, seeds, n, onResult);
  return results.sort((a, b) => a.seed - b.seed);
}

function inProcess(job: SweepJob, seeds: readonly number[], onResult?: OnResult): SeedResult[] {
  return seeds.map((seed) => {
    const r = runSeed(job, seed);
    onResult?.(r);
    return r;
  });
}

function inWorkers(job: SweepJob, seeds: readonly number[], n: number, onResult?: OnResult): Promise<SeedResult[]> {
  return new Promise((resolve, reject) => {
    const results: SeedResult[] = [];
    const pool: Worker[] = [];
    let next = 0;
    let running = n;
    let failed = false;
    const retired = new Set<Worker>();
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(e);
    };
    const feed = (w: Worker): void => {
      if (next < seeds.length) {
        w.postMessage(seeds[next++]);
        return;
      }
      retired.add(w);
      void w.terminate();
      if (--running === 0 && !failed) resolve(results);
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(WORKER_ENTRY, { workerData: { job } });
      pool.push(w);
      w.on('message', (m: WorkerAnswer) => {
        if ('error' in m) return fail(new Error(`seed ${m.seed} failed in a worker: ${m.error}`));
        results.push(m.result);
        onResult?.(m.result);
        feed(w);
      });
      w.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
      w.on('exit', (code) => {
        if (!retired.has(w) && !failed) fail(new Error(`a sweep worker exited with code ${code}`));
      });
      feed(w);
    }
  });
}
