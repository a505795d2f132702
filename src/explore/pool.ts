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
 * `adaptive`, workers are started only when the remaining seeds, at this
 * thread's pace once warm (the median of its latest runs, after its first
 * `WARM_MS`), are worth a worker's start-up and warm-up. Workers pull
 * seeds, two in flight each (one running, one queued). A worker thread that dies hands
 * its seeds back to the queue; an error escaping `runSeed` fails the sweep,
 * as it would in this thread: that is a bug in weir, not a finding of a run.
 *
 * A worker's warm-up (V8 compiling the hot paths in its own isolate) costs
 * about as much as its start, and every new thread pays it again. Callers
 * that run many sweeps in a row (the soak: a row per scenario, then each
 * planted bug in chunks of seeds) pass one `SweepThreads`, whose threads
 * outlive each sweep and run the next sweep's seeds warm.
 */
import { Worker } from 'node:worker_threads';
import { runSeed, type SeedResult, type SweepJob } from './sweep.ts';
import type { SeedRequest, WorkerAnswer } from './sweep-worker.ts';

const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_ENTRY = new URL(FROM_SOURCES ? './sweep-worker-boot.mjs' : './sweep-worker.js', import.meta.url);
const IN_FLIGHT = 2;
/**
 * About what a worker thread costs, in this thread's run time it must save: its start, and its
 * warm-up (V8 compiles the hot paths again in every thread; until it has, the worker's runs are
 * slow, and its compiler threads take CPU from this thread's runs). Measured on bank with the
 * build: a 200-seed sweep (about 3.5 s on one thread) ran 7% slower with a worker, a 500-seed one
 * (about 7 s) 13% faster.
 */
export const WORKER_START_MS = FROM_SOURCES ? 3_000 : 1_750;
/**
 * An adaptive sweep measures its pace only after this much of its own warm-up: a process's first
 * runs are several times slower than the rest (bank: about 40 ms a run over the first second,
 * 15 ms from the second on). Measured with the build, alternating: a 200-seed bank sweep then
 * starts no worker and runs as fast as on one thread (a tenth faster than when a worker joined
 * after the first run); 500 and 1,000 seeds start one at 2 s, as fast as before within this
 * host's noise.
 */
export const WARM_MS = 2_000;
/** The pace of an adaptive sweep: the median of this many latest runs. */
const PACE_RUNS = 8;

export interface PoolOptions {
  /** Threads running seeds, this one included unless `local` is false; 1 runs every seed here. */
  workers: number;
  /** This thread runs seeds too (default); false leaves every seed to worker threads. */
  local?: boolean;
  /** Start worker threads only when the remaining seeds are worth their start-up. */
  adaptive?: boolean;
  /** Worker threads kept across sweeps (started as needed, warm for the next sweep); default: this sweep's own. */
  threads?: SweepThreads;
  onResult?: (r: SeedResult) => void;
}

/** What a sweep hears from its worker threads. */
interface ThreadOwner {
  onAnswer(t: Thread, m: WorkerAnswer): void;
  onDeath(t: Thread): void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  /** Seeds sent and not answered yet. */
  pending: number[];
  /** The sweep it works for now; none between sweeps. */
  owner: ThreadOwner | undefined;
}

/**
 * Worker threads that serve one sweep after another. A sweep takes the threads it may use and
 * gives them back when it ends; a thread with seeds still in flight then (a sweep that failed) is
 * stopped, not given back, so no sweep ever hears another's answers. `close` stops them all.
 */
export class SweepThreads {
  private readonly all: Thread[] = [];
  /** The reason the last thread died, for a sweep left with none. */
  lastDeath: string | undefined;

  /** Threads for `owner`: idle ones first, new ones started for the rest, `n` in all at most. */
  take(n: number, owner: ThreadOwner): Thread[] {
    const out: Thread[] = [];
    for (const t of this.all) {
      if (out.length >= n) break;
      if (t.owner === undefined) out.push(t);
    }
    while (out.length < n) out.push(this.start());
    for (const t of out) t.owner = owner;
    return out;
  }

  /** Gives `threads` back: idle ones wait for the next sweep, ones with seeds in flight are stopped. */
  giveBack(threads: readonly Thread[]): void {
    for (const t of threads) {
      if (t.pending.length === 0) t.owner = undefined;
      else this.stop(t);
    }
  }

  /** Stops every thread. */
  close(): void {
    for (const t of this.all.slice()) this.stop(t);
  }

  /** Threads alive. */
  get size(): number {
    return this.all.length;
  }

  stop(t: Thread): void {
    const i = this.all.indexOf(t);
    if (i >= 0) this.all.splice(i, 1);
    t.owner = undefined;
    void t.worker.terminate();
  }

  private start(): Thread {
    const t: Thread = { worker: new Worker(WORKER_ENTRY), ready: false, pending: [], owner: undefined };
    this.all.push(t);
    t.worker.on('message', (m: WorkerAnswer) => {
      if ('ready' in m) t.ready = true;
      t.owner?.onAnswer(t, m);
    });
    // A thread that cannot start or dies is not a finding: its seeds run elsewhere.
    const died = (why: string): void => {
      const i = this.all.indexOf(t);
      if (i < 0) return; // stopped here, or its death already told
      this.all.splice(i, 1);
      this.lastDeath = why;
      t.owner?.onDeath(t);
    };
    t.worker.on('error', (e) => died(e instanceof Error ? e.message : String(e)));
    t.worker.on('exit', (code) => died(`exit code ${code}`));
    return t;
  }
}

export async function runSeeds(job: SweepJob, seeds: readonly number[], opts: PoolOptions): Promise<SeedResult[]> {
  const own = opts.threads === undefined;
  const threads = opts.threads ?? new SweepThreads();
  const pool = new SeedPool(job, seeds, opts, threads);
  try {
    return await pool.run();
  } finally {
    pool.stop();
    if (own) threads.close();
  }
}

class SeedPool implements ThreadOwner {
  private readonly queue: number[];
  private readonly results: SeedResult[] = [];
  private threads: Thread[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private spawned = false;

  constructor(private readonly job: SweepJob, seeds: readonly number[], private readonly opts: PoolOptions, private readonly set: SweepThreads) {
    this.queue = seeds.slice();
  }

  async run(): Promise<SeedResult[]> {
    if (this.queue.length === 0) return [];
    const local = this.opts.local ?? true;
    const extra = Math.min(this.opts.workers, this.queue.length) - (local ? 1 : 0);
    if (!this.opts.adaptive || !local) this.spawn(extra);
    if (this.threads.length === 0 && !local) throw new Error('runSeeds: no thread to run seeds (workers must be ≥ 1)');
    const started = performance.now();
    const pace: number[] = [];
    for (;;) {
      if (this.failure) throw this.failure;
      if (!local && this.threads.length === 0) throw new Error(`runSeeds: every worker thread died (${this.set.lastDeath ?? 'no error given'})`);
      const seed = local ? this.queue.shift() : undefined;
      if (seed !== undefined) {
        const t0 = performance.now();
        this.accept(runSeed(this.job, seed));
        const now = performance.now();
        if (!this.spawned && extra > 0) {
          pace.push(now - t0);
          if (pace.length > PACE_RUNS) pace.shift();
          if (workersPayOff(now - started, pace, this.queue.length, extra)) this.spawn(Math.min(extra, this.queue.length));
        }
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
    this.set.giveBack(this.threads.splice(0));
  }

  private spawn(n: number): void {
    if (this.spawned) return;
    this.spawned = true;
    this.threads = this.set.take(n, this);
    // Threads kept from an earlier sweep are ready already.
    for (const t of this.threads) this.feed(t);
  }

  onAnswer(t: Thread, m: WorkerAnswer): void {
    if ('error' in m) this.failure ??= new Error(`seed ${m.seed} failed in a worker: ${m.error}`);
    else if ('result' in m) {
      t.pending.splice(t.pending.indexOf(m.result.seed), 1);
      this.accept(m.result);
    }
    this.feed(t);
    this.poke();
  }

  onDeath(t: Thread): void {
    const i = this.threads.indexOf(t);
    if (i < 0) return;
    this.threads.splice(i, 1);
    this.queue.unshift(...t.pending);
    t.pending = [];
    this.set.stop(t);
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
      t.worker.postMessage({ job: this.job, seed } satisfies SeedRequest);
    }
  }

  private poke(): void {
    this.wake?.();
    this.wake = undefined;
  }
}

/**
 * Whether an adaptive sweep should start its `extra` worker threads now: once this thread has run
 * for `WARM_MS`, when the seeds left, at the median of its latest run times, shared among all the
 * threads, would take longer than a worker costs to start and warm up.
 */
export function workersPayOff(elapsedMs: number, latestRunMs: readonly number[], seedsLeft: number, extra: number): boolean {
  if (extra <= 0 || seedsLeft === 0 || latestRunMs.length === 0 || elapsedMs < WARM_MS) return false;
  const sorted = latestRunMs.slice().sort((a, b) => a - b);
  const pace = sorted[sorted.length >> 1]!;
  return (pace * seedsLeft) / (extra + 1) > WORKER_START_MS;
}
