/**
 * Runs the seeds of a sweep across up to `workers` threads — this one and
 * `workers - 1` worker threads — and returns their results in seed order,
 * so what a sweep finds never depends on the worker count, only how fast it
 * finds it.
 *
 * A worker thread runs the same code as this thread: the JavaScript built
 * into dist/ when this module is that build (a worker is ready in about a
 * tenth of a second), the TypeScript sources through tsx when this module
 * is loaded from them, as under vitest (about a second of CPU to load the
 * engine). This thread starts running seeds at once and the workers join as
 * they become ready, so a small sweep loses little to start-up; with
 * `adaptive`, workers are started only once the remaining seeds, at the
 * pace measured so far, are worth that start-up. Workers pull seeds, two in
 * flight each (one running, one queued). A worker thread that dies hands
 * its seeds back to the queue; an error escaping `runSeed` fails the sweep,
 * as it would in this thread: that is a bug in weir, not a finding of a run.
 */
import { Worker } from 'node:worker_threads';
import { runSeed, type SeedResult, type SweepJob } from './sweep.ts';
import type { WorkerAnswer } from './sweep-worker.ts';

const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_ENTRY = new URL(FROM_SOURCES ? './sweep-worker-boot.mjs' : './sweep-worker.js', import.meta.url);
const IN_FLIGHT = 2;
/** About what a worker thread costs to start, in this thread's run time it must save. */
const WORKER_START_MS = FROM_SOURCES ? 1_500 : 300;

export interface PoolOptions {
  /** Threads running seeds, this one included unless `local` is false; 1 runs every seed here. */
  workers: number;
  /** This thread runs seeds too (default); false leaves every seed to worker threads. */
  local?: boolean;
  /** Start worker threads only when the remaining seeds are worth their start-up. */
  adaptive?: boolean;
  onResult?: (r: SeedResult) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  pending: number[];
}

export async function runSeeds(job: SweepJob, seeds: readonly number[], opts: PoolOptions): Promise<SeedResult[]> {
  const pool = new SeedPool(job, seeds, opts);
  try {
    return await pool.run();
  } finally {
    pool.stop();
  }
}

class SeedPool {
  private readonly queue: number[];
  private readonly results: SeedResult[] = [];
  private readonly threads: Thread[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private spawned = false;
  private lastDeath: string | undefined;

  constructor(private readonly job: SweepJob, seeds: readonly number[], private readonly opts: PoolOptions) {
    this.queue = seeds.slice();
  }

  async run(): Promise<SeedResult[]> {
    if (this.queue.length === 0) return [];
    const local = this.opts.local ?? true;
    const extra = Math.min(this.opts.workers, this.queue.length) - (local ? 1 : 0);
    if (!this.opts.adaptive || !local) this.spawn(extra);
    if (this.threads.length === 0 && !local) throw new Error('runSeeds: no thread to run seeds (workers must be ≥ 1)');
    const started = Date.now();
    let here = 0;
    for (;;) {
      if (this.failure) throw this.failure;
      if (!local && this.threads.length === 0) throw new Error(`runSeeds: every worker thread died (${this.lastDeath ?? 'no error given'})`);
      const seed = local ? this.queue.shift() : undefined;
      if (seed !== undefined) {
        this.accept(runSeed(this.job, seed));
        here++;
        const leftMs = ((Date.now() - started) / here) * this.queue.length;
        if (leftMs / (extra + 1) > WORKER_START_MS) this.spawn(Math.min(extra, this.queue.length));
        // Let worker answers in between, so workers are fed while this thread keeps running seeds.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (this.queue.length === 0 && this.threads.every((t) => t.pending.length === 0)) break;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.results.sort((a, b) => a.seed - b.seed);
  }

  stop(): void {
    for (const t of this.threads.splice(0)) void t.worker.terminate();
  }

  private spawn(n: number): void {
    if (this.spawned) return;
    this.spawned = true;
    for (let i = 0; i < n; i++) {
      const t: Thread = { worker: new Worker(WORKER_ENTRY, { workerData: { job: this.job } }), ready: false, pending: [] };
      this.threads.push(t);
      t.worker.on('message', (m: WorkerAnswer) => this.onAnswer(t, m));
      // A thread that cannot start or dies is not a finding: its seeds run elsewhere.
      t.worker.on('error', (e) => {
        this.lastDeath = e instanceof Error ? e.message : String(e);
        this.drop(t);
      });
      t.worker.on('exit', (code) => {
        this.lastDeath ??= `exit code ${code}`;
        this.drop(t);
      });
    }
  }

  private onAnswer(t: Thread, m: WorkerAnswer): void {
    if ('ready' in m) t.ready = true;
    else if ('error' in m) this.failure ??= new Error(`seed ${m.seed} failed in a worker: ${m.error}`);
    else {
      t.pending.splice(t.pending.indexOf(m.result.seed), 1);
      this.accept(m.result);
    }
    this.feed(t);
    this.poke();
  }

  private accept(r: SeedResult): void {
    this.results.push(r);
    this.opts.onResult?.(r);
  }

  private feed(t: Thread): void {
    while (t.ready && t.pending.length < IN_FLIGHT && this.queue.length > 0) {
      const seed = this.queue.shift()!;
      t.pending.push(seed);
      t.worker.postMessage(seed);
    }
  }

  private drop(t: Thread): void {
    const i = this.threads.indexOf(t);
    if (i < 0) return;
    this.threads.splice(i, 1);
    this.queue.unshift(...t.pending);
    void t.worker.terminate();
    this.poke();
  }

  private poke(): void {
    this.wake?.();
    this.wake = undefined;
  }
}
