/**
 * The memory a run will need, estimated before it starts, and the check that
 * refuses a run this process cannot hold: one line naming the estimate, the
 * limit and what to do (exit 2), instead of minutes of work ending in V8's
 * "heap out of memory" and a native stack.
 *
 * A run keeps its whole input, the judges' state and (per command) the trace
 * in memory, so what it needs grows with its input events. The figures are
 * the largest live heap (after a full garbage collection) measured by
 * `test/bench/memory.ts` for every scenario of each engine at 10,000, 40,000
 * and 120,000 events (light faults, seed 1, parallelism 2), as a line
 * through those points: FIXED_BYTES plus `bytesPerEvent` per input event,
 * taking the scenario with the steepest line. MEASURED below holds them.
 * The estimate is that line times HEADROOM, since V8 needs room beyond the
 * live heap to collect garbage without thrashing.
 *
 * The limit is the heap V8 may use here (`v8.getHeapStatistics()
 * .heap_size_limit`, which `--max-old-space-size` sets), or the machine's
 * memory (its cgroup limit, when it has one) when that is less.
 */
import { getHeapStatistics } from 'node:v8';
import { totalmem } from 'node:os';

/** How a command holds a run. */
export type MemoryUse =
  /** weir run, weir trace --format jsonl, weir explore (per thread), weir compare (one engine at a time): the run. */
  | 'run'
  /** weir run --check-determinism: two runs, every trace event of both kept to find where they part. */
  | 'determinism'
  /** weir trace --format perfetto: the run with I/O traced, every event kept for the export. */
  | 'perfetto'
  /** weir replay TOKEN: the run recorded, every trace event kept, and the replay index over them. */
  | 'replay';

interface Line {
  /** Bytes per input event. */
  readonly bytesPerEvent: number;
  /** Which scenario's line this is, and its fixed part in MiB, as measured. */
  readonly scenario: string;
}

/** The measured lines, per command use and engine (live heap, test/bench/memory.ts). */
export const MEASURED: Readonly<Record<MemoryUse, Readonly<Record<string, Line>>>> = {
  run: {
    flink: { bytesPerEvent: 1_000, scenario: 'wordcount' },
    kstreams: { bytesPerEvent: 1_000, scenario: 'wordcount' },
    spark: { bytesPerEvent: 1_000, scenario: 'wordcount' },
  },
  determinism: {
    flink: { bytesPerEvent: 2_000, scenario: 'wordcount' },
    kstreams: { bytesPerEvent: 2_000, scenario: 'wordcount' },
    spark: { bytesPerEvent: 2_000, scenario: 'wordcount' },
  },
  perfetto: {
    flink: { bytesPerEvent: 2_000, scenario: 'wordcount' },
    kstreams: { bytesPerEvent: 2_000, scenario: 'wordcount' },
    spark: { bytesPerEvent: 2_000, scenario: 'wordcount' },
  },
  replay: {
    flink: { bytesPerEvent: 2_000, scenario: 'wordcount' },
    kstreams: { bytesPerEvent: 2_000, scenario: 'wordcount' },
    spark: { bytesPerEvent: 2_000, scenario: 'wordcount' },
  },
};

/** What every run holds whatever its size: the engine's code, the scenarios, the simulator (the largest measured fixed part). */
export const FIXED_BYTES = 40 * 2 ** 20;
/** The estimate over the measured live heap. */
export const HEADROOM = 1.5;

const MIB = 2 ** 20;

/** The estimated bytes a run of `events` input events on `engine` needs, held as `use` says. */
export function estimateBytes(engine: string, events: number, use: MemoryUse): number {
  const line = MEASURED[use][engine] ?? MEASURED[use].flink!;
  return Math.ceil((FIXED_BYTES + line.bytesPerEvent * events) * HEADROOM);
}

/** The most input events a run on `engine`, held as `use` says, may have under `limitBytes`. */
export function maxEvents(engine: string, use: MemoryUse, limitBytes: number): number {
  const line = MEASURED[use][engine] ?? MEASURED[use].flink!;
  return Math.max(0, Math.floor((limitBytes / HEADROOM - FIXED_BYTES) / line.bytesPerEvent));
}

export interface MemoryLimit {
  bytes: number;
  /** What the limit is, for the message. */
  what: 'heap' | 'machine';
}

/** The memory this process may use: V8's heap limit, or the machine's (or its cgroup's) memory when less. */
export function memoryLimit(): MemoryLimit {
  const heap = getHeapStatistics().heap_size_limit;
  const machine = machineBytes();
  return heap <= machine ? { bytes: heap, what: 'heap' } : { bytes: machine, what: 'machine' };
}

/** Bytes as MiB or GiB, one decimal for GiB. */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / MIB).toLocaleString('en-US')} MiB`;
}

export interface MemoryAsk {
  engine: string;
  events: number;
  use: MemoryUse;
  /** The run comes from a repro token (its size cannot be changed by a flag). */
  fromToken: boolean;
  /** Runs held at once (weir replay of several runs): the estimate is per run times this. Default 1. */
  runs?: number;
}

/**
 * Why the run cannot fit in `limit` (one line: the estimate, the limit, what
 * to do), or undefined when it fits.
 */
export function memoryProblem(ask: MemoryAsk, limit: MemoryLimit = memoryLimit()): string | undefined {
  const runs = ask.runs ?? 1;
  const need = estimateBytes(ask.engine, ask.events, ask.use) * runs;
  if (need <= limit.bytes) return undefined;
  const n = (x: number): string => x.toLocaleString('en-US');
  const what = `${runs > 1 ? `${runs} runs of` : 'a run of'} ${n(ask.events)} events on ${ask.engine}${USE_TEXT[ask.use]}`;
  const limitText = limit.what === 'heap' ? `Node's heap limit here, ${formatBytes(limit.bytes)}` : `this machine's memory, ${formatBytes(limit.bytes)}`;
  const fit = Math.floor(maxEvents(ask.engine, ask.use, limit.bytes / runs) / 1000) * 1000;
  const fewer = ask.fromToken ? `run the scenario by name with --events ${n(fit)} or fewer` : `give --events ${n(fit)} or fewer`;
  const raise = limit.what === 'heap' && need <= machineBytes() ? `, or raise the limit: NODE_OPTIONS=--max-old-space-size=${Math.ceil(need / MIB / 100) * 100}` : '';
  return `${what} needs about ${formatBytes(need)} of memory (estimated from measured runs), more than ${limitText}; ${fit > 0 ? fewer : 'this machine cannot hold it'}${raise}`;
}

const USE_TEXT: Readonly<Record<MemoryUse, string>> = {
  run: '',
  determinism: ' run twice (--check-determinism)',
  perfetto: ' exported for Perfetto',
  replay: ' recorded for replay',
};

/** The machine's memory, or its cgroup's limit when that is less. */
export function machineBytes(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
}
