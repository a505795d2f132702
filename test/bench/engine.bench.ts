/**
 * Benchmarks of the whole engine, for the bench runner:
 * - `wordcount.eventsPerSec`: the `wordcount` pipeline end to end through
 *   runScenario (log broker, job manager, two task managers, checkpoints,
 *   two-phase-commit sink, every checker), parallelism 4, no faults, at each
 *   size (10k and 100k events; 1M with `full`), over a dense stream
 *   (`dense.mjs`: `DENSE_RECORDS_PER_STEP` records share each nominal millisecond, 1,000
 *   keys), so the figure measures per-record work rather than the periodic
 *   work of a mostly idle job (heartbeats, watermark ticks, checkpoints every
 *   500 ms of virtual time). The figure is the largest size's; each size also
 *   reports wall and CPU time, µs per event, and how the wall time splits
 *   between simulating and judging (the checkers).
 * - `wordcountSparse.eventsPerSec`: the shipped `wordcount` scenario as it is
 *   (one record per ~10 ms of virtual time) at 10k events.
 * - `plainLoop.eventsPerSec`: a hand-written loop computing the same
 *   tumbling one-second counts per key over the same generated input (one
 *   Map, no time, no faults): the floor that shows what the simulation costs.
 * - `wordcountVsPlainLoop`: wordcount events/s ÷ plain-loop events/s.
 * - `wordcount.warm100k.eventsPerSec` and `wordcountVsPlainLoopWarm100k`: the
 *   dense 100k-event run again at the end, best wall time of `WARM_ROUNDS`
 *   (a process's later runs, once V8 has optimized the paths and the heap
 *   has grown: the sized runs above are each the process's first at their
 *   size, as `weir run` is), against the plain loop over the same 100k input
 *   (which is timed warm: the best of five rounds of 100 ms of repetitions).
 * - peak RSS of the largest run, sampled from a trace subscriber every
 *   `RSS_SAMPLE_EVERY` events (the run is synchronous: no timer could fire);
 *   with `alone`, also the largest run on each engine in a child process of
 *   its own (`peakRssAloneMB`), where no earlier run's memory counts, in
 *   `RSS_CHILDREN` children each: the same run's peak moves by a fifth or
 *   more from one process to the next, with the moments V8 chooses for its
 *   full collections (it grows the heap further when collecting is fast
 *   against the program's allocation, which the host's other load moves).
 * - `wordcount.cpuPerEventGrowth`: CPU µs per event of the largest size over
 *   that of the smallest (with `full`, 1M against 10k).
 * - checkpointing cost: dense wordcount at 100k events with periodic
 *   checkpoints off (`checkpointIntervalMs` 0; the job still takes its final
 *   checkpoint, so the output commits), then with an interval of virtual time
 *   that comes to about one checkpoint per 100,000 events and about one per
 *   1,000 events (from the run's own events per virtual millisecond), by CPU
 *   time, best of `CHECKPOINT_ROUNDS`.
 * - the engines side by side: the dense run of `WARM_EVENTS` on Flink, Kafka
 *   Streams and Spark in turn, `ENGINE_ROUNDS` rounds, best CPU time of each
 *   (`kstreams.vsFlinkCpuPerEventInterleaved`, `spark.…`): each engine's
 *   code warm, and the host's other load falling on all three alike. The
 *   sized runs' ratios (`kstreams.vsFlinkCpuPerEvent`) compare one run of
 *   each, taken at different moments, so they move with the host's load.
 * Each size reports wall-clock and CPU time: on a machine shared with other
 * work, events per CPU second is the steadier figure.
 * Wall-clock time is measured with performance.now (allowed in test/bench).
 * Every run's checks must pass: a benchmark of a broken run measures nothing.
 * Before each run the bench sets what weir's commands set for a run of its
 * size (src/cli/memory.ts, boundHeapGrowth): the 1M runs get V8's heap
 * growth bounded, the smaller ones V8's own.
 */
import { runScenario, type RunReport } from '../../src/explore/run.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import { rootRng } from '../../src/sim/rng.ts';
import { findScenario } from '../../scenarios/index.ts';
import type { EngineName, Scenario } from '../../scenarios/types.ts';
import { generateWorkload } from '../../src/workload/generate.ts';
import { DENSE_KEYS, DENSE_PARALLELISM, DENSE_SEED, denseSettings as settings, denseWordcount, heapPolicyFor } from './dense.mjs';
import * as memory from '../../src/cli/memory.ts';
import { builtIsFresh, ROOT } from '../../scripts/stamp.mjs';
import { weirNodeFlags } from '../../scripts/node-flags.mjs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SizeFigure {
  events: number;
  wallMs: number;
  cpuMs: number;
  usPerEvent: number;
  /** CPU µs per event: the steadier per-event figure on a shared machine. */
  cpuUsPerEvent: number;
  eventsPerSec: number;
  /** Events per second of CPU time (user + system): steadier than wall time on a shared machine. */
  eventsPerCpuSec: number;
  steps: number;
  checkpoints: number;
  simulateMs: number;
  judgeMs: number;
}

export interface EngineFigures {
  /** The same dense wordcount on the Kafka Streams engine, per size. */
  'kstreams.wordcount.sizes': SizeFigure[];
  /** Kafka Streams CPU µs per event over Flink's, at the largest size (the goal: within 2). */
  'kstreams.vsFlinkCpuPerEvent': number;
  /** The same dense wordcount on the Spark engine (micro-batches), per size. */
  'spark.wordcount.sizes': SizeFigure[];
  /** Spark CPU µs per event over Flink's, at the largest size (the goal: within 2). */
  'spark.vsFlinkCpuPerEvent': number;
  /** CPU µs per event over Flink's at `WARM_EVENTS`, best of `ENGINE_ROUNDS` interleaved rounds each. */
  'kstreams.vsFlinkCpuPerEventInterleaved': number;
  'spark.vsFlinkCpuPerEventInterleaved': number;
  /** The best CPU µs per event of each engine in those rounds. */
  'engines.interleavedCpuUsPerEvent': { flink: number; kstreams: number; spark: number };
  'wordcount.eventsPerSec': number;
  'wordcountSparse.eventsPerSec': number;
  'wordcount.eventsPerCpuSec': number;
  'wordcount.sizes': SizeFigure[];
  'wordcount.peakRssMB': number;
  /**
   * With `alone`: the peak resident set (MB) of the largest dense run on each engine in a process of
   * its own, so that no earlier run's memory counts (`process.resourceUsage().maxRSS` of a child),
   * one figure per child, ascending.
   */
  peakRssAloneMB?: { flink: number[]; kstreams: number[]; spark: number[] };
  /** CPU µs per event of the largest size ÷ that of the smallest (the 1M target: ≤ 1.5 against 10k). */
  'wordcount.cpuPerEventGrowth': number;
  'plainLoop.eventsPerSec': number;
  wordcountVsPlainLoop: number;
  /** Dense wordcount at 100k events, warm (best wall of the last runs of the bench), events/s. */
  'wordcount.warm100k.eventsPerSec': number;
  /** That ÷ the plain loop over the same 100k input. */
  wordcountVsPlainLoopWarm100k: number;
  'checkpointing.events': number;
  'checkpointing.noneCpuMs': number;
  'checkpointing.every100kCpuMs': number;
  'checkpointing.every1kCpuMs': number;
  'checkpointing.every1kCheckpoints': number;
  /** CPU time with a checkpoint about every 1,000 events ÷ without. */
  'checkpointing.every1kCostRatio': number;
  /** CPU time with a checkpoint about every 100,000 events ÷ without. */
  'checkpointing.every100kCostRatio': number;
}

const RSS_SAMPLE_EVERY = 20_000;
const WINDOW_MS = 1_000;
const CHECKPOINT_EVENTS = 100_000;
const CHECKPOINT_ROUNDS = 2;
export const WARM_EVENTS = 100_000;
const WARM_ROUNDS = 2;
export const ENGINE_ROUNDS = 3;

/** wordcount's pipeline over a dense stream: the throughput benchmark's input. */
const DENSE = denseWordcount(findScenario('wordcount'), generateWorkload);

interface Timed {
  report: RunReport;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
}

/** `scenario` null runs the shipped scenario named in the settings. */
function timedRun(s: RunSettings, scenario: Scenario | null = DENSE): Timed {
  let peakRssBytes = process.memoryUsage.rss();
  let seen = 0;
  const sampleRss = (): void => {
    if (++seen % RSS_SAMPLE_EVERY === 0) peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  };
  heapPolicyFor(memory, s);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = runScenario(s, { subscribers: [sampleRss], now: () => performance.now(), ...(scenario !== null ? { scenario } : {}) });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new Error(`wordcount bench at ${s.events} events failed ${failed[0]!.name}: ${failed[0]!.detail} (token ${report.token})`);
  return { report, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssBytes };
}

function sizeFigure(t: Timed): SizeFigure {
  const events = t.report.events;
  return {
    events,
    wallMs: Math.round(t.wallMs),
    cpuMs: Math.round(t.cpuMs),
    usPerEvent: Math.round((t.wallMs * 1000) / events),
    cpuUsPerEvent: Number(((t.cpuMs * 1000) / events).toPrecision(3)),
    eventsPerSec: Math.round(events / (t.wallMs / 1000)),
    eventsPerCpuSec: Math.round(events / (t.cpuMs / 1000)),
    steps: t.report.steps,
    checkpoints: t.report.checkpoints.completed,
    simulateMs: Math.round(t.report.phaseMs?.simulate ?? 0),
    judgeMs: Math.round(t.report.phaseMs?.judge ?? 0),
  };
}

/**
 * The same tumbling counts per key as wordcount, over the same input, in one Map; returns events/s:
 * the best of `rounds` rounds of at least `roundMs` each, so that a moment of the host's other work
 * does not make the loop look slow (and the ratio against it look better than it is).
 */
function plainLoop(events: number, rounds = 5, roundMs = 100): number {
  const sizes = { ...DENSE.defaults, events, parallelism: DENSE_PARALLELISM, keys: DENSE_KEYS };
  const records = DENSE.workload(rootRng(DENSE_SEED).fork('workload'), sizes).records;
  let windows = 0;
  let bestRate = 0;
  for (let round = 0; round < rounds; round++) {
    let processed = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < roundMs) {
      const counts = new Map<string, number>();
      for (const r of records) {
        const windowStartMs = r.ts - (r.ts % WINDOW_MS);
        const k = `${r.key}@${windowStartMs}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      processed += records.length;
      windows = counts.size;
      elapsed = performance.now() - start;
    }
    bestRate = Math.max(bestRate, processed / (elapsed / 1000));
  }
  if (windows === 0) throw new Error('plain loop bench: no windows counted');
  return Math.round(bestRate);
}

function best(a: Timed | undefined, b: Timed): Timed {
  return a === undefined || b.cpuMs < a.cpuMs ? b : a;
}

export interface EngineBenchOptions {
  /** Sizes of the end-to-end runs, smallest first; the last is the headline figure. */
  sizes: number[];
  /** Also run the largest size on each engine in a child process of its own, for its peak RSS. */
  alone?: boolean;
  /** Called after each measurement, for progress output. */
  progress?: (line: string) => void;
}

export function benchEngine(opts: EngineBenchOptions): EngineFigures {
  const say = opts.progress ?? ((): void => {});
  timedRun(settings(10_000)); // warm-up, so the first size measures optimized code
  const figures: SizeFigure[] = [];
  let peakRssBytes = 0;
  for (const events of opts.sizes) {
    const t = timedRun(settings(events));
    figures.push(sizeFigure(t));
    peakRssBytes = t.peakRssBytes;
    say(`wordcount ${events} events: ${Math.round(t.wallMs)} ms`);
  }
  const largest = figures[figures.length - 1]!;
  /** The same dense wordcount on another engine, at every size. */
  const onEngine = (engine: 'kstreams' | 'spark'): SizeFigure[] =>
    opts.sizes.map((events) => {
      const t = timedRun(settings(events, { engine }));
      say(`wordcount on ${engine} ${events} events: ${Math.round(t.wallMs)} ms`);
      return sizeFigure(t);
    });
  const kstreams = onEngine('kstreams');
  const kLargest = kstreams[kstreams.length - 1]!;
  const spark = onEngine('spark');
  const sLargest = spark[spark.length - 1]!;
  const sparse = sizeFigure(timedRun({ ...settings(10_000), keys: undefined }, null));
  say(`wordcount as shipped, 10000 events: ${sparse.wallMs} ms`);
  const plain = plainLoop(largest.events);
  say(`plain loop: ${plain} events/s`);
  // Interleaved rounds, best of each: load from elsewhere on the machine hits all sides alike.
  const probe = timedRun(settings(CHECKPOINT_EVENTS, { checkpointIntervalMs: 0 }));
  const eventsPerVirtualMs = CHECKPOINT_EVENTS / probe.report.virtualTimeMs;
  const every = (events: number): number => Math.max(1, Math.round(events / eventsPerVirtualMs));
  let none: Timed | undefined = probe;
  let every100k: Timed | undefined;
  let every1k: Timed | undefined;
  for (let round = 0; round < CHECKPOINT_ROUNDS; round++) {
    if (round > 0) none = best(none, timedRun(settings(CHECKPOINT_EVENTS, { checkpointIntervalMs: 0 })));
    every100k = best(every100k, timedRun(settings(CHECKPOINT_EVENTS, { checkpointIntervalMs: every(100_000) })));
    every1k = best(every1k, timedRun(settings(CHECKPOINT_EVENTS, { checkpointIntervalMs: every(1_000) })));
  }
  if (!none || !every100k || !every1k) throw new Error('checkpointing bench: no rounds');
  say(`checkpointing: none ${Math.round(none.cpuMs)} ms CPU, ~every 100k events ${Math.round(every100k.cpuMs)}, ~every 1k events ${Math.round(every1k.cpuMs)}`);
  let warm: Timed | undefined;
  for (let round = 0; round < WARM_ROUNDS; round++) {
    const t = timedRun(settings(WARM_EVENTS));
    if (warm === undefined || t.wallMs < warm.wallMs) warm = t;
  }
  const warmFigure = sizeFigure(warm!);
  const plainWarm = largest.events === WARM_EVENTS ? plain : plainLoop(WARM_EVENTS);
  say(`wordcount ${WARM_EVENTS} events, warm: ${warmFigure.wallMs} ms`);
  const side: Partial<Record<EngineName, Timed>> = {};
  for (let round = 0; round < ENGINE_ROUNDS; round++) {
    for (const engine of ['flink', 'kstreams', 'spark'] as const) side[engine] = best(side[engine], timedRun(settings(WARM_EVENTS, { engine })));
  }
  const usPerEvent = (engine: EngineName): number => sizeFigure(side[engine]!).cpuUsPerEvent;
  const interleaved = { flink: usPerEvent('flink'), kstreams: usPerEvent('kstreams'), spark: usPerEvent('spark') };
  say(`engines interleaved, ${WARM_EVENTS} events, best CPU µs/event: flink ${interleaved.flink}, kstreams ${interleaved.kstreams}, spark ${interleaved.spark}`);
  const sparseFields = { 'wordcountSparse.eventsPerSec': sparse.eventsPerSec };
  let alone: EngineFigures['peakRssAloneMB'];
  if (opts.alone) {
    const mb = (engine: EngineName): number[] => {
      const v: number[] = [];
      for (let i = 0; i < RSS_CHILDREN; i++) v.push(peakRssAloneMB(engine, largest.events));
      v.sort((a, b) => a - b);
      say(`wordcount on ${engine} ${largest.events} events alone: peak RSS ${v.join(', ')} MB`);
      return v;
    };
    alone = { flink: mb('flink'), kstreams: mb('kstreams'), spark: mb('spark') };
  }
  return {
    'wordcount.eventsPerSec': largest.eventsPerSec,
    ...sparseFields,
    'wordcount.eventsPerCpuSec': largest.eventsPerCpuSec,
    'wordcount.sizes': figures,
    'wordcount.peakRssMB': Math.round(peakRssBytes / 1e6),
    ...(alone ? { peakRssAloneMB: alone } : {}),
    'wordcount.cpuPerEventGrowth': Number((largest.cpuMs / largest.events / (figures[0]!.cpuMs / figures[0]!.events)).toPrecision(3)),
    'plainLoop.eventsPerSec': plain,
    'kstreams.wordcount.sizes': kstreams,
    'kstreams.vsFlinkCpuPerEvent': Number((kLargest.cpuUsPerEvent / largest.cpuUsPerEvent).toPrecision(3)),
    'spark.wordcount.sizes': spark,
    'spark.vsFlinkCpuPerEvent': Number((sLargest.cpuUsPerEvent / largest.cpuUsPerEvent).toPrecision(3)),
    'kstreams.vsFlinkCpuPerEventInterleaved': Number((interleaved.kstreams / interleaved.flink).toPrecision(3)),
    'spark.vsFlinkCpuPerEventInterleaved': Number((interleaved.spark / interleaved.flink).toPrecision(3)),
    'engines.interleavedCpuUsPerEvent': interleaved,
    wordcountVsPlainLoop: Number((largest.eventsPerSec / plain).toPrecision(3)),
    'wordcount.warm100k.eventsPerSec': warmFigure.eventsPerSec,
    wordcountVsPlainLoopWarm100k: Number((warmFigure.eventsPerSec / plainWarm).toPrecision(3)),
    'checkpointing.events': CHECKPOINT_EVENTS,
    'checkpointing.noneCpuMs': Math.round(none.cpuMs),
    'checkpointing.every100kCpuMs': Math.round(every100k.cpuMs),
    'checkpointing.every1kCpuMs': Math.round(every1k.cpuMs),
    'checkpointing.every1kCheckpoints': every1k.report.checkpoints.completed,
    'checkpointing.every1kCostRatio': Number((every1k.cpuMs / none.cpuMs).toPrecision(3)),
    'checkpointing.every100kCostRatio': Number((every100k.cpuMs / none.cpuMs).toPrecision(3)),
  };
}

const CHILD = fileURLToPath(new URL('./rss-child.mjs', import.meta.url));

/** How many child processes measure each engine's peak resident set. */
const RSS_CHILDREN = 3;

/**
 * The peak resident set, in MB, of one dense run of `events` on `engine` in a process of its own:
 * `rss-child.mjs`, started as `weir` starts (its shebang's Node flags) on the build in dist/ when
 * it is fresh, as a user's `weir` runs (otherwise on the sources through tsx, which counts tsx's
 * own few tens of MB too).
 */
function peakRssAloneMB(engine: EngineName, events: number): number {
  const built = builtIsFresh();
  const args = [...weirNodeFlags(), ...(built ? [] : ['--import', 'tsx']), CHILD, '--engine', engine, '--events', String(events), ...(built ? ['--built'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const last = (text: string): string => text.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0) throw new Error(`peak RSS of ${engine} at ${events} events: the child failed: ${last(r.stderr ?? '')}`);
  return Math.round((Number((JSON.parse(last(r.stdout)) as { maxRssKB: number }).maxRssKB) * 1024) / 1e6);
}
