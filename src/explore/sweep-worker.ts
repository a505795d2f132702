/**
 * A sweep worker thread: says it is ready once the engine has loaded, then
 * answers each seed it receives with its `SeedResult` (or the error that
 * stopped it). The job is fixed for the worker's life (its `workerData`).
 * Built, it is the worker's entry; from the TypeScript sources it is
 * started through `sweep-worker-boot.mjs`, which makes TypeScript loadable
 * first (see pool.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed, type SeedResult, type SweepJob } from './sweep.ts';

export type WorkerAnswer = { ready: true } | { result: SeedResult } | { seed: number; error: string };

const port = parentPort;
if (!port) throw new Error('sweep-worker.ts runs only as a worker thread');
const { job } = workerData as { job: SweepJob };

port.on('message', (seed: number) => {
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
