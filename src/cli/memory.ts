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
import { ENGINE_NAMES, type EngineName } from '../../scenarios/types.ts';

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
  /** Bytes per input event at parallelism 2. */
  readonly bytesPerEvent: number;
  /** The scenario whose line was the steepest. */
  readonly scenario: string;
}

/** The measured lines at parallelism 2, per command use and engine (live heap, test/bench/memory.ts). */
export const MEASURED: Readonly<Record<MemoryUse, Readonly<Record<EngineName, Line>>>> = {
  run: {
    flink: { bytesPerEvent: 2_069, scenario: 'bank' },
    kstreams: { bytesPerEvent: 2_521, scenario: 'join' },
    spark: { bytesPerEvent: 2_749, scenario: 'sliding-average' },
  },
  determinism: {
    flink: { bytesPerEvent: 3_812, scenario: 'chained' },
    kstreams: { bytesPerEvent: 5_306, scenario: 'sliding-average' },
    spark: { bytesPerEvent: 5_000, scenario: 'TODO' },
  },
  perfetto: {
    flink: { bytesPerEvent: 11_000, scenario: 'TODO' },
    kstreams: { bytesPerEvent: 13_000, scenario: 'TODO' },
    spark: { bytesPerEvent: 13_000, scenario: 'TODO' },
  },
  replay: {
    flink: { bytesPerEvent: 3_000, scenario: 'TODO' },
    kstreams: { bytesPerEvent: 3_000, scenario: 'TODO' },
    spark: { bytesPerEvent: 3_000, scenario: 'TODO' },
  },
};

/**
 * Bytes per event at parallelism 16 and 64 over those at 2: wordcount, 10,000
 * events, light faults, live heap above the fixed 10 MiB (test/bench/memory.ts
 * --scenario=wordcount --sizes=10000 --parallelism=P). More subtasks mean
 * more channels, watermarks and barriers per record, and a replay keeps a
 * state copy of every task. Between 2, 16 and 64 the factor is read off the
 * straight lines between those points, which lie above the measured curves
 * (they bend upwards).
 */
export const PARALLELISM_FACTOR: Readonly<Record<MemoryUse, Readonly<Record<EngineName, { at16: number; at64: number }>>>> = {
  run: {
    flink: { at16: 1.7, at64: 3.6 },
    kstreams: { at16: 1.7, at64: 2.0 },
    spark: { at16: 1.9, at64: 3.8 },
  },
  determinism: {
    flink: { at16: 3.5, at64: 11.6 },
    kstreams: { at16: 2.0, at64: 2.3 },
    spark: { at16: 1.7, at64: 3.3 },
  },
  perfetto: {
    flink: { at16: 3.2, at64: 10.2 },
    kstreams: { at16: 2.1, at64: 3.2 },
    spark: { at16: 2.5, at64: 10 },
  },
  replay: {
    flink: { at16: 7.2, at64: 133 },
    kstreams: { at16: 1.9, at64: 4.8 },
    spark: { at16: 3, at64: 10 },
  },
};

/** What every run holds whatever its size: the engine's code, the scenarios, the simulator (the largest measured fixed part). */
export const FIXED_BYTES = 16 * 2 ** 20;
/** The estimate over the measured live heap. */
export const HEADROOM = 1.5;

const MIB = 2 ** 20;

/** Bytes per input event of a run on `engine` at `parallelism`, held as `use` says. */
function perEvent(engine: string, use: MemoryUse, parallelism: number): number {
  const e = (ENGINE_NAMES as readonly string[]).includes(engine) ? (engine as EngineName) : 'flink';
  const { at16, at64 } = PARALLELISM_FACTOR[use][e];
  const p = Math.max(2, parallelism);
  const factor = p <= 16 ? 1 + ((at16 - 1) * (p - 2)) / 14 : at16 + ((at64 - at16) * (p - 16)) / 48;
  return MEASURED[use][e].bytesPerEvent * factor;
}

/** The estimated bytes a run of `events` input events on `engine` at `parallelism` needs, held as `use` says. */
export function estimateBytes(engine: string, events: number, use: MemoryUse, parallelism = 2): number {
  return Math.ceil((FIXED_BYTES + perEvent(engine, use, parallelism) * events) * HEADROOM);
}

/** The most input events such a run may have under `limitBytes`. */
export function maxEvents(engine: string, use: MemoryUse, limitBytes: number, parallelism = 2): number {
  const per = perEvent(engine, use, parallelism);
  let n = Math.max(0, Math.floor((limitBytes / HEADROOM - FIXED_BYTES) / per));
  // The estimate rounds up: step back past any rounding at the edge.
  while (n > 0 && estimateBytes(engine, n, use, parallelism) > limitBytes) n--;
  return n;
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
  parallelism: number;
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
  const need = estimateBytes(ask.engine, ask.events, ask.use, ask.parallelism) * runs;
  if (need <= limit.bytes) return undefined;
  const n = (x: number): string => x.toLocaleString('en-US');
  const what = `${runs > 1 ? `${runs} runs of` : 'a run of'} ${n(ask.events)} events on ${ask.engine} at parallelism ${ask.parallelism}${USE_TEXT[ask.use]}`;
  const limitText = limit.what === 'heap' ? `Node's heap limit here, ${formatBytes(limit.bytes)}` : `this machine's memory, ${formatBytes(limit.bytes)}`;
  const max = maxEvents(ask.engine, ask.use, Math.floor(limit.bytes / runs), ask.parallelism);
  const fit = max >= 1000 ? Math.floor(max / 1000) * 1000 : max;
  const byName = ask.fromToken ? 'run the scenario by name with ' : 'give ';
  const atTwo = maxEvents(ask.engine, ask.use, Math.floor(limit.bytes / runs), 2);
  const advice = fit > 0 ? `${byName}--events ${n(fit)} or fewer`
    : atTwo > 0 ? `${byName}a lower --parallelism (at 2, up to ${n(atTwo)} events fit)`
    : 'no run fits in it';
  const raise = limit.what === 'heap' && need <= machineBytes() ? `, or raise the limit: NODE_OPTIONS=--max-old-space-size=${Math.ceil(need / MIB / 100) * 100}` : '';
  return `${what} needs about ${formatBytes(need)} of memory (estimated from measured runs), more than ${limitText}; ${advice}${raise}`;
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
