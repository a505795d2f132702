/**
 * Benchmarks of the whole engine, for the bench runner:
 * - `wordcount.eventsPerSec`: the `wordcount` scenario end to end through
 *   runScenario (log broker, job manager, two task managers, checkpoints,
 *   two-phase-commit sink, every checker), parallelism 4, no faults, at each
 *   size (10k and 100k events; 1M with `full`). The figure is the largest
 *   size's; each size also reports wall and CPU time and µs per event.
 * - `plainLoop.eventsPerSec`: a hand-written loop computing the same
 *   tumbling one-second counts per key over the same generated input (one
 *   Map, no time, no faults): the floor that shows what the simulation costs.
 * - `wordcountVsPlainLoop`: wordcount events/s ÷ plain-loop events/s.
 * - peak RSS of the largest run, sampled from a trace subscriber every
 *   `RSS_SAMPLE_EVERY` events (the run is synchronous: no timer could fire).
 * - checkpointing cost: wordcount at 10k events with periodic checkpoints off
 *   (`checkpointIntervalMs` 0; the job still takes its final checkpoint, so
 *   the output commits) against the default interval, by CPU time.
 * Each size reports wall-clock and CPU time: on a machine shared with other
 * work, events per CPU second is the steadier figure.
 * Wall-clock time is measured with performance.now (allowed in test/bench).
 * Every run's checks must pass: a benchmark of a broken run measures nothing.
 */
import { runScenario, type RunReport } from '../../src/explore/run.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import { rootRng } from '../../src/sim/rng.ts';
import { findScenario } from '../../scenarios/index.ts';

export interface SizeFigure {
  events: number;
  wallMs: number;
  cpuMs: number;
  usPerEvent: number;
  eventsPerSec: number;
  /** Events per second of CPU time (user + system): steadier than wall time on a shared machine. */
  eventsPerCpuSec: number;
  steps: number;
  checkpoints: number;
}

export interface EngineFigures {
  'wordcount.eventsPerSec': number;
  'wordcount.eventsPerCpuSec': number;
  'wordcount.sizes': SizeFigure[];
  'wordcount.peakRssMB': number;
  'plainLoop.eventsPerSec': number;
  wordcountVsPlainLoop: number;
  'checkpointing.events': number;
  'checkpointing.offWallMs': number;
  'checkpointing.onWallMs': number;
  'checkpointing.offCpuMs': number;
  'checkpointing.onCpuMs': number;
  'checkpointing.checkpointsCompleted': number;
  /** CPU time with checkpoints ÷ without (best of `CHECKPOINT_ROUNDS` each). */
  'checkpointing.costRatio': number;
  /** Simulation steps with checkpoints ÷ without: the added work, exactly (it does not depend on the machine). */
  'checkpointing.stepsRatio': number;
}

const PARALLELISM = 4;
const SEED = 1;
const RSS_SAMPLE_EVERY = 20_000;
const WINDOW_MS = 1_000;
const CHECKPOINT_EVENTS = 10_000;
const CHECKPOINT_ROUNDS = 3;

function settings(events: number, extra: Partial<RunSettings> = {}): RunSettings {
  return { scenario: 'wordcount', seed: SEED, events, parallelism: PARALLELISM, guarantee: 'exactly-once', faults: 'none', bugs: [], ...extra };
}

interface Timed {
  report: RunReport;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
}

function timedRun(s: RunSettings): Timed {
  let peakRssBytes = process.memoryUsage.rss();
  let seen = 0;
  const sampleRss = (): void => {
    if (++seen % RSS_SAMPLE_EVERY === 0) peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = runScenario(s, { subscribers: [sampleRss] });
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
    eventsPerSec: Math.round(events / (t.wallMs / 1000)),
    eventsPerCpuSec: Math.round(events / (t.cpuMs / 1000)),
    steps: t.report.steps,
    checkpoints: t.report.checkpoints.completed,
  };
}

/** The same tumbling counts per key as wordcount, over the same input, in one Map; returns events/s. */
function plainLoop(events: number, targetMs = 500): number {
  const scenario = findScenario('wordcount');
  if (!scenario) throw new Error('plain loop bench: no wordcount scenario');
  const sizes = { ...scenario.defaults, events, parallelism: PARALLELISM };
  const records = scenario.workload(rootRng(SEED).fork('workload'), sizes).records;
  let processed = 0;
  let windows = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < targetMs) {
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
  if (windows === 0) throw new Error('plain loop bench: no windows counted');
  return Math.round(processed / (elapsed / 1000));
}

function best(a: Timed | undefined, b: Timed): Timed {
  return a === undefined || b.cpuMs < a.cpuMs ? b : a;
}

export interface EngineBenchOptions {
  /** Sizes of the end-to-end runs, smallest first; the last is the headline figure. */
  sizes: number[];
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
  const plain = plainLoop(largest.events);
  say(`plain loop: ${plain} events/s`);
  // Interleaved rounds, best of each: load from elsewhere on the machine hits both sides alike.
  let off: Timed | undefined;
  let on: Timed | undefined;
  for (let round = 0; round < CHECKPOINT_ROUNDS; round++) {
    off = best(off, timedRun(settings(CHECKPOINT_EVENTS, { checkpointIntervalMs: 0 })));
    on = best(on, timedRun(settings(CHECKPOINT_EVENTS)));
  }
  if (!off || !on) throw new Error('checkpointing bench: no rounds');
  say(`checkpointing: off ${Math.round(off.cpuMs)} ms CPU, on ${Math.round(on.cpuMs)} ms CPU`);
  return {
    'wordcount.eventsPerSec': largest.eventsPerSec,
    'wordcount.eventsPerCpuSec': largest.eventsPerCpuSec,
    'wordcount.sizes': figures,
    'wordcount.peakRssMB': Math.round(peakRssBytes / 1e6),
    'plainLoop.eventsPerSec': plain,
    wordcountVsPlainLoop: Number((largest.eventsPerSec / plain).toPrecision(3)),
    'checkpointing.events': CHECKPOINT_EVENTS,
    'checkpointing.offWallMs': Math.round(off.wallMs),
    'checkpointing.onWallMs': Math.round(on.wallMs),
    'checkpointing.offCpuMs': Math.round(off.cpuMs),
    'checkpointing.onCpuMs': Math.round(on.cpuMs),
    'checkpointing.checkpointsCompleted': on.report.checkpoints.completed,
    'checkpointing.costRatio': Number((on.cpuMs / off.cpuMs).toPrecision(3)),
    'checkpointing.stepsRatio': Number((on.report.steps / off.report.steps).toPrecision(3)),
  };
}
