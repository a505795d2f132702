/**
 * The memory a run will need, estimated before it starts, and the check that
 * refuses a run this process cannot hold: one line naming the estimate, the
 * limit and what to do (exit 2), instead of minutes of work ending in V8's
 * "heap out of memory" and a native stack.
 *
 * A run keeps its whole input, the judges' state and (per command) the trace
 * in memory, so what it needs grows with its input events and its
 * parallelism. The estimate is FIXED_BYTES plus, per input event, the
 * measured bytes of the engine's steepest scenario for the command's use
 * (MEASURED) times a factor for the parallelism (PARALLELISM_FACTOR), all
 * times HEADROOM, since V8 needs room beyond the live heap to collect
 * garbage without thrashing. The figures are the largest live heap (after a
 * full garbage collection) that `test/bench/memory.ts` measured.
 *
 * The limit is the heap V8 may use here (`v8.getHeapStatistics()
 * .heap_size_limit`, which `--max-old-space-size` sets), or the machine's
 * memory (its cgroup limit, when it has one) when that is less.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
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

/**
 * The measured lines at parallelism 2, per command use and engine: the
 * steepest scenario's bytes per input event of live heap. Measured with
 * test/bench/memory.ts on node v20.20.2, 2 cores, light faults, seed 1:
 * `run` over every scenario at 10,000, 40,000 and 120,000 events;
 * `determinism` (up to 80,000), `perfetto` (up to 40,000) and `replay` (up
 * to 80,000) over chained, bank, join and sliding-average, the scenarios
 * with the most trace events and the steepest `run` lines. Some of the lines,
 * as printed (live heap):
 *
 *   run          flink    wordcount 10 MiB + 993 B/event, bank 2 MiB + 2,069
 *                kstreams join -1 MiB + 2,521, sliding-average 14 MiB + 2,322
 *                spark    sliding-average 8 MiB + 2,749, wordcount 10 MiB + 1,579
 *   determinism  flink    chained 8 MiB + 3,812;  kstreams sliding-average 12 MiB + 5,306
 *                spark    chained 12 MiB + 3,875
 *   perfetto     flink    chained 12 MiB + 18,360; kstreams chained 8 MiB + 16,917
 *                spark    chained 9 MiB + 18,264
 *   replay       flink    bank 1 MiB + 3,269;  kstreams chained 11 MiB + 4,126
 *                spark    chained (10,000 and 40,000 events) 36 and 146 MiB: 3,846
 *
 * (Peak resident sets were two to six times the live heap: V8 grows the
 * heap well before it must collect.) These were measured before the engine
 * changes merged at 26e2dd8; measured again after them (`run`, 10,000 and
 * 40,000 events, every scenario, the newer ones included), the steepest
 * lines are lower — Flink chained 1,136, Kafka Streams chained 2,386 (tables
 * 1,838), Spark sliding-average 2,120 (outer-join 1,769) — and the figures
 * below are kept: sampled live heap misses peaks between samples, and
 * checked against real limits they leave a margin. Under a 300 MiB heap
 * (--max-old-space-size=252), at the most events the estimate allows, every
 * run finished: run Flink bank 93,000, Kafka Streams chained 76,500, Spark
 * sliding-average 70,000; replay Flink bank 59,000, Kafka Streams chained
 * 46,700, Spark chained 50,000; determinism Flink chained 50,600. Flink
 * bank also finished at 140,000 and ran out of heap at 186,000; Kafka
 * Streams chained (run) finished at 115,000 and Spark chained (replay) at
 * 75,000: the estimate allows about half to two thirds of what fits.
 * Kafka Streams' standby replicas keep a copy of each store, which grows
 * with the keys, not the events: join at 10,000 and 30,000 events held 12.0
 * and 43.0 MiB of live heap without a standby and 18.9 and 49.4 MiB with one
 * (the same 1.5 kB per event, 6.5 MiB more), inside the line's margin, so
 * the estimate does not count them.
 */
export const MEASURED: Readonly<Record<MemoryUse, Readonly<Record<EngineName, Line>>>> = {
  run: {
    flink: { bytesPerEvent: 2_069, scenario: 'bank' },
    kstreams: { bytesPerEvent: 2_521, scenario: 'join' },
    spark: { bytesPerEvent: 2_749, scenario: 'sliding-average' },
  },
  determinism: {
    flink: { bytesPerEvent: 3_812, scenario: 'chained' },
    kstreams: { bytesPerEvent: 5_306, scenario: 'sliding-average' },
    spark: { bytesPerEvent: 3_875, scenario: 'chained' },
  },
  perfetto: {
    flink: { bytesPerEvent: 18_360, scenario: 'chained' },
    kstreams: { bytesPerEvent: 16_917, scenario: 'chained' },
    spark: { bytesPerEvent: 18_264, scenario: 'chained' },
  },
  replay: {
    flink: { bytesPerEvent: 3_269, scenario: 'bank' },
    kstreams: { bytesPerEvent: 4_126, scenario: 'chained' },
    spark: { bytesPerEvent: 3_846, scenario: 'chained' },
  },
};

/**
 * Bytes per event at parallelism 16 and 64 over those at 2: wordcount, 10,000
 * events, live heap above 10 MiB (test/bench/memory.ts --scenario=wordcount
 * --sizes=10000 --parallelism=P). More subtasks mean more channels,
 * watermarks and barriers per record, and a Flink replay keeps a state copy
 * of every task (1,067 MiB at 64 against 28 MiB at 2). Between 2, 16 and 64
 * the factor is read off the straight lines between those points, which lie
 * above the measured curves (they bend upwards).
 */
export const PARALLELISM_FACTOR: Readonly<Record<MemoryUse, Readonly<Record<EngineName, { at16: number; at64: number }>>>> = {
  run: {
    flink: { at16: 1.7, at64: 3.6 },
    kstreams: { at16: 1.7, at64: 2.0 },
    spark: { at16: 2.0, at64: 3.8 },
  },
  determinism: {
    flink: { at16: 3.5, at64: 11.5 },
    kstreams: { at16: 2.0, at64: 2.3 },
    spark: { at16: 1.7, at64: 3.3 },
  },
  perfetto: {
    flink: { at16: 3.2, at64: 10.2 },
    kstreams: { at16: 2.1, at64: 3.2 },
    spark: { at16: 2.5, at64: 6.1 },
  },
  replay: {
    flink: { at16: 3.2, at64: 59 },
    kstreams: { at16: 1.7, at64: 2.6 },
    spark: { at16: 1.7, at64: 3.3 },
  },
};

/**
 * Bytes per input event squared, for scenarios whose memory grows with the
 * square of their events. Spark's complete output mode writes the whole
 * result table every batch and the table grows with the run, so the output
 * the run holds does too: modes-complete held 10 MiB of live heap at 5,000
 * events, 180 MiB at 10,000 and 614 MiB at 20,000 (1.6 bytes per event
 * squared; 40,000 events ran for over ten minutes). Added to the line.
 * Under a 300 MiB heap it finished at 10,126 events, the most the estimate
 * allows, and at 13,000.
 */
export const QUADRATIC: Readonly<Record<string, number>> = { 'modes-complete': 1.61 };

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

/** The estimated bytes a run of `events` input events of `scenario` on `engine` at `parallelism` needs, held as `use` says. */
export function estimateBytes(engine: string, events: number, use: MemoryUse, parallelism = 2, scenario = ''): number {
  const squared = (QUADRATIC[scenario] ?? 0) * events * events;
  return Math.ceil((FIXED_BYTES + perEvent(engine, use, parallelism) * events + squared) * HEADROOM);
}

/** The most input events such a run may have under `limitBytes`. */
export function maxEvents(engine: string, use: MemoryUse, limitBytes: number, parallelism = 2, scenario = ''): number {
  if (estimateBytes(engine, 0, use, parallelism, scenario) > limitBytes) return 0;
  // The estimate grows with the events: the largest count under the limit, by bisection.
  let lo = 0;
  let hi = 1;
  while (estimateBytes(engine, hi, use, parallelism, scenario) <= limitBytes) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (estimateBytes(engine, mid, use, parallelism, scenario) <= limitBytes) lo = mid;
    else hi = mid;
  }
  return lo;
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
  /** The scenario's name (some grow faster than their events: QUADRATIC). */
  scenario: string;
  engine: string;
  events: number;
  parallelism: number;
  use: MemoryUse;
  /** The run comes from a repro token (its size cannot be changed by a flag). */
  fromToken: boolean;
  /** Runs held at once (weir replay of several runs): the estimate is per run times this. Default 1. */
  runs?: number;
}

/** The estimated bytes of what `ask` holds at once (its runs together). */
export function askBytes(ask: Omit<MemoryAsk, 'fromToken'>): number {
  return estimateBytes(ask.engine, ask.events, ask.use, ask.parallelism, ask.scenario) * (ask.runs ?? 1);
}

/**
 * Why the run cannot fit in `limit` (one line: the estimate, the limit, what
 * to do), or undefined when it fits.
 */
export function memoryProblem(asked: MemoryAsk | readonly MemoryAsk[], limit: MemoryLimit = memoryLimit()): string | undefined {
  // Several asks (compare's engines) must all fit: the largest is named, and the advice fits every one.
  const asks: readonly MemoryAsk[] = Array.isArray(asked) ? asked : [asked as MemoryAsk];
  if (asks.length === 0) return undefined;
  const needs = asks.map(askBytes);
  const need = Math.max(...needs);
  if (need <= limit.bytes) return undefined;
  const ask = asks[needs.indexOf(need)]!;
  const runs = ask.runs ?? 1;
  const n = (x: number): string => x.toLocaleString('en-US');
  const what = `${runs > 1 ? `${runs} runs of` : 'a run of'} ${ask.scenario} with ${n(ask.events)} events on ${ask.engine} at parallelism ${ask.parallelism}${USE_TEXT[ask.use]}`;
  const limitText = limit.what === 'heap' ? `Node's heap limit here, ${formatBytes(limit.bytes)}` : `this machine's memory, ${formatBytes(limit.bytes)}`;
  const fitting = (parallelism: (a: MemoryAsk) => number): number => Math.min(...asks.map((a) => maxEvents(a.engine, a.use, Math.floor(limit.bytes / (a.runs ?? 1)), parallelism(a), a.scenario)));
  const max = fitting((a) => a.parallelism);
  const fit = max >= 1000 ? Math.floor(max / 1000) * 1000 : max;
  const byName = ask.fromToken ? 'run the scenario by name with ' : 'give ';
  const atTwo = fitting(() => 2);
  const every = asks.length > 1 ? ' (for every engine)' : '';
  const advice = fit > 0 ? `${byName}--events ${n(fit)} or fewer${every}`
    : atTwo > 0 ? `${byName}a lower --parallelism (at 2, up to ${n(atTwo)} events fit${every})`
    : 'no run fits in it';
  const raise = limit.what === 'heap' && need <= machineBytes() ? `, or raise the limit: NODE_OPTIONS=--max-old-space-size=${Math.ceil(need / MIB / 100) * 100}` : '';
  return `${what} needs about ${formatBytes(need)} of memory (estimated from measured runs), more than ${limitText}; ${advice}${raise}`;
}

/**
 * What every command does before its runs: why they cannot fit (memoryProblem), or, when they
 * fit, undefined after bounding V8's heap growth for the largest of them (boundHeapGrowth).
 */
export function admitRuns(asked: MemoryAsk | readonly MemoryAsk[]): string | undefined {
  const problem = memoryProblem(asked);
  if (problem !== undefined) return problem;
  const asks: readonly MemoryAsk[] = Array.isArray(asked) ? asked : [asked as MemoryAsk];
  boundHeapGrowth(Math.max(0, ...asks.map(askBytes)));
  return undefined;
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

/** A run estimated at this many bytes or more is large: its process bounds V8's heap growth. */
export const LARGE_RUN_BYTES = 2 ** 30;
/** The heap growing factor a large run gets, as V8's percent: after each full collection the heap may grow to 1.7 times what it kept. */
export const LARGE_RUN_HEAP_GROWING_PERCENT = 70;

/**
 * The heap growing percent for a run estimated at `bytes` (estimateBytes):
 * LARGE_RUN_HEAP_GROWING_PERCENT for a large run, 0 (V8's own choice)
 * otherwise, and undefined when Node was started with a
 * `--heap-growing-percent` of its own, which stands.
 *
 * V8 lets the old generation grow up to four times what its last full
 * collection kept when a program allocates fast against the collector, as
 * a dense run does: a 1M-event Kafka Streams run holding about 313 MB
 * peaked at 945-1,031 MB of resident set, and at 776-810 MB with the
 * factor fixed at 1.7, for about a tenth more wall time. Small runs are
 * left to V8: in a sweep of bank runs the fixed factor cost runs/s.
 */
export function heapGrowingPercentFor(bytes: number, execArgv: readonly string[] = process.execArgv): number | undefined {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return undefined;
  return bytes >= LARGE_RUN_BYTES ? LARGE_RUN_HEAP_GROWING_PERCENT : 0;
}

let growingPercentSet = 0;

/**
 * Sets V8's heap growing factor for a run estimated at `bytes`
 * (heapGrowingPercentFor), process-wide (sweep threads included), before
 * the run starts. Returns the percent in force for the run, undefined when
 * Node's own flag stands. Garbage collection does not change what a run
 * computes: traces are the same either way.
 */
export function boundHeapGrowth(bytes: number): number | undefined {
  const percent = heapGrowingPercentFor(bytes);
  if (percent !== undefined && percent !== growingPercentSet) {
    setFlagsFromString(`--heap-growing-percent=${percent}`);
    growingPercentSet = percent;
  }
  return percent;
}
