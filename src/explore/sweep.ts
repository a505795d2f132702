/**
 * One seed of a sweep, and the seed lists a sweep runs.
 *
 * A `SweepJob` is everything a sweep holds fixed (scenario, sizes, guarantee,
 * fault profile, planted bugs); a seed completes it into one run. It is plain
 * data so it can cross into a worker thread. `runSeed` gives the same
 * `SeedResult` wherever it runs, which is what makes the failures a sweep
 * finds independent of how many workers ran it.
 *
 * Shards follow vitest's `--shard k/n` (k is 1-based): shard k of n takes
 * the seeds whose offset from the start is k - 1 modulo n, so the n shards
 * partition the seed range.
 */
import { runScenario, type RunReport } from './run.ts';
import { encodeToken, type RunSettings } from './settings.ts';
import { CoverageProbe, type EdgeCounts } from './coverage.ts';
import { findScenario } from '../../scenarios/index.ts';
import type { BugName } from './bugs.ts';
import type { Guarantee } from '../stream/guarantee.ts';
import type { EngineName } from '../../scenarios/types.ts';
import type { ProfileName } from '../sim/faults.ts';

export interface SweepJob {
  scenario: string;
  /** Flink when absent. */
  engine?: EngineName;
  guarantee: Guarantee;
  faults: ProfileName;
  bugs: BugName[];
  events?: number;
  parallelism?: number;
  spareTaskManagers?: number;
  unaligned?: boolean;
  /** Kafka Streams' num.standby.replicas. */
  standbyReplicas?: number;
  acceptableRecoveryLag?: number;
  /** Kafka Streams' max.warmup.replicas. */
  maxWarmupReplicas?: number;
  /** Kafka Streams' probing.rebalance.interval.ms. */
  probingRebalanceIntervalMs?: number;
  /** Periodic checkpoints every this many ms of virtual time (the scenario's default when absent). */
  checkpointIntervalMs?: number;
  /** Flink's execution.buffer-timeout. */
  bufferTimeoutMs?: number;
  /** Kafka Streams' commit.interval.ms. */
  commitIntervalMs?: number;
  /** Spark's processing-time trigger interval. */
  triggerIntervalMs?: number;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface SeedResult {
  seed: number;
  ok: boolean;
  /** The failed checks, in the report's order; empty when ok. */
  failed: { name: string; detail: string }[];
  /** Replays the run exactly (holds the explicit fault plan). */
  token: string;
  events: number;
  faults: number;
  coverage: EdgeCounts;
  /** What the run exercised (absent when it threw). */
  exercised?: { crashes: number; restores: number; checkpoints: number; savepoints: number };
}

/** The seeds of `start .. start + count - 1` that belong to `shard` (all of them without one). */
export function seedsOf(start: number, count: number, shard?: Shard): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    if (shard === undefined || i % shard.count === shard.index - 1) out.push(start + i);
  }
  return out;
}

export function settingsOf(job: SweepJob, seed: number): RunSettings {
  const s: RunSettings = { scenario: job.scenario, ...(job.engine ? { engine: job.engine } : {}), seed, guarantee: job.guarantee, faults: job.faults, bugs: [...job.bugs] };
  if (job.events !== undefined) s.events = job.events;
  if (job.parallelism !== undefined) s.parallelism = job.parallelism;
  if (job.spareTaskManagers !== undefined) s.spareTaskManagers = job.spareTaskManagers;
  if (job.unaligned) s.unaligned = true;
  if (job.standbyReplicas !== undefined) s.standbyReplicas = job.standbyReplicas;
  if (job.acceptableRecoveryLag !== undefined) s.acceptableRecoveryLag = job.acceptableRecoveryLag;
  if (job.maxWarmupReplicas !== undefined) s.maxWarmupReplicas = job.maxWarmupReplicas;
  if (job.probingRebalanceIntervalMs !== undefined) s.probingRebalanceIntervalMs = job.probingRebalanceIntervalMs;
  if (job.checkpointIntervalMs !== undefined) s.checkpointIntervalMs = job.checkpointIntervalMs;
  if (job.bufferTimeoutMs !== undefined) s.bufferTimeoutMs = job.bufferTimeoutMs;
  if (job.commitIntervalMs !== undefined) s.commitIntervalMs = job.commitIntervalMs;
  if (job.triggerIntervalMs !== undefined) s.triggerIntervalMs = job.triggerIntervalMs;
  return s;
}

/** Runs one seed of `job`; a run that throws outside the world is the failed check `run.completes`. */
export function runSeed(job: SweepJob, seed: number): SeedResult {
  const scenario = findScenario(job.scenario);
  if (!scenario) throw new Error(`unknown scenario "${job.scenario}"`);
  const settings = settingsOf(job, seed);
  const probe = new CoverageProbe(scenario);
  let report: RunReport;
  try {
    // A seed's result holds no trace hash: the run skips it (a token replays the run, hash and all).
    report = runScenario(settings, { scenario: probe.scenario, subscribers: [probe.subscriber], hashTrace: false });
  } catch (e) {
    const detail = `the run threw: ${(e as Error).message.replace(/\s*\n\s*/g, ' ').trim()}`;
    return {
      seed, ok: false, failed: [{ name: 'run.completes', detail }], token: encodeToken(settings),
      events: settings.events ?? scenario.defaults.events, faults: 0, coverage: probe.finish(),
    };
  }
  return {
    seed,
    ok: report.ok,
    failed: report.checks.filter((c) => !c.ok).map((c) => ({ name: c.name, detail: c.detail })),
    token: report.token,
    events: report.events,
    faults: report.plan.faults.length,
    coverage: probe.finish(),
    exercised: { crashes: report.faults.crashes, restores: report.faults.restores, checkpoints: report.checkpoints.completed, savepoints: report.checkpoints.savepoints },
  };
}
