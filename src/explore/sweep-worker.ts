/**
 * A sweep worker thread: says it is ready once the engine has loaded, then
 * answers each seed it receives, with the job to run it under, with its
 * `SeedResult` (or the error that stopped it). The job comes with every
 * seed, so one warm thread serves sweep after sweep (`SweepThreads`).
 * Built, it is the worker's entry; from the TypeScript sources it is
 * started through `sweep-worker-boot.mjs`, which makes TypeScript loadable
 * first (see pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { runSeed, type SeedResult, type SweepJob } from './sweep.ts';

/** What a sweep thread is asked: one seed of one job. */
export interface SeedRequest {
  job: SweepJob;
  seed: number;
}

export type WorkerAnswer = { ready: true } | { result: SeedResult } | { seed: number; error: string };

const port = parentPort;
if (!port) throw new Error('sweep-worker.ts runs only as a worker thread');

port.on('message', ({ job, seed }: SeedRequest) => {
  let answer: WorkerAnswer;
  try {
    answer = { result: runSeed(job, seed) };
  } catch (e) {
    const err = e as Error;
    answer = { seed, error: err.stack ?? err.message };
  }
  port.postMessage(answer);
});
port.postMessage({ ready: true } satisfies WorkerAnswer);
