/**
 * Fault plans as data: a list of timed faults that `applyPlan` schedules on a
 * world. Plans are drawn from a seed and a swarm profile, serialize to JSON
 * (they are part of a repro token) and are small enough for fast-check to
 * shrink: fewer faults, earlier times.
 *
 * Swarm testing (after TigerBeetle): per seed, each fault kind is off entirely
 * with probability 1/3, otherwise weighted from one of three very different
 * bands, so a sweep covers crash-heavy, partition-heavy and quiet seeds.
 * All times and weights are integers.
 */
import type { Rng } from './rng.ts';
import type { World } from './world.ts';

export type Fault =
  | { kind: 'crash'; atMs: number; process: string; restartAfterMs: number }
  | { kind: 'partition'; atMs: number; a: string; b: string; durationMs: number }
  | { kind: 'latency-spike'; atMs: number; durationMs: number; extraMs: number }
  | { kind: 'disk-corruption'; atMs: number; process: string; durationMs: number }
  | { kind: 'slow-fsync'; atMs: number; process: string; durationMs: number; extraMs: number };

export type FaultKind = Fault['kind'];

/** A weight in 0..100 per fault kind; 0 turns the kind off for the run. */
export interface SwarmProfile {
  crash: number;
  partition: number;
  latencySpike: number;
  diskCorruption: number;
  slowFsync: number;
}

export interface FaultPlan {
  faults: Fault[];
}

export type ProfileName = 'none' | 'light' | 'heavy' | 'swarm';

const PROFILE_KEYS = ['crash', 'partition', 'latencySpike', 'diskCorruption', 'slowFsync'] as const;
const KIND_OF: Record<(typeof PROFILE_KEYS)[number], FaultKind> = {
  crash: 'crash', partition: 'partition', latencySpike: 'latency-spike', diskCorruption: 'disk-corruption', slowFsync: 'slow-fsync',
};
/** Weight bands for swarm draws: rare, common, dominant. */
const SWARM_BANDS: readonly [number, number][] = [[1, 5], [10, 30], [60, 100]];

export function drawSwarm(rng: Rng): SwarmProfile {
  const profile = { crash: 0, partition: 0, latencySpike: 0, diskCorruption: 0, slowFsync: 0 };
  for (const key of PROFILE_KEYS) {
    const off = rng.chance(1, 3);
    const [lo, hi] = rng.pick(SWARM_BANDS);
    const weight = rng.range(lo, hi);
    // Draw the band and weight even when off, so one kind's switch does not shift the next kind's draws.
    profile[key] = off ? 0 : weight;
  }
  return profile;
}

export function profileFor(name: ProfileName, rng: Rng): SwarmProfile {
  switch (name) {
    case 'none':
      return { crash: 0, partition: 0, latencySpike: 0, diskCorruption: 0, slowFsync: 0 };
    case 'light':
      return { crash: 10, partition: 10, latencySpike: 10, diskCorruption: 0, slowFsync: 10 };
    case 'heavy':
      return { crash: 60, partition: 40, latencySpike: 40, diskCorruption: 20, slowFsync: 30 };
    case 'swarm':
      return drawSwarm(rng);
    default: {
      const never: never = name;
      throw new Error(`unknown fault profile '${String(never)}'`);
    }
  }
}

export interface PlanOptions {
  processes: string[];
  crashable: string[];
  horizonMs: number;
  /** Fault slots (default 8); each is filled by a weighted draw or left empty. */
  maxFaults?: number;
}

/** The weight of "no fault" in each slot's draw: with all kinds at 100, a slot is empty 1 time in 6. */
const EMPTY_SLOT_WEIGHT = 100;

/**
 * Draws a plan: each of `maxFaults` slots picks a kind by weight (or nothing),
 * then the fault's target and times. A crash of a process that would still be
 * down from an earlier planned crash is left out, so planned outages of one
 * process never overlap. Faults come out sorted by `atMs`.
 */
export function generatePlan(rng: Rng, profile: SwarmProfile, opts: PlanOptions): FaultPlan {
  const horizonMs = opts.horizonMs;
  if (!Number.isInteger(horizonMs) || horizonMs < 1) throw new RangeError(`generatePlan: horizonMs must be an integer ≥ 1, got ${horizonMs}`);
  const weights = PROFILE_KEYS.map((k) => {
    const w = profile[k];
    if (!Number.isInteger(w) || w < 0 || w > 100) throw new RangeError(`generatePlan: weight ${k} must be an integer in 0..100, got ${w}`);
    const usable = (k !== 'crash' || opts.crashable.length > 0) && (k !== 'partition' || opts.processes.length >= 2) &&
      ((k !== 'diskCorruption' && k !== 'slowFsync') || opts.processes.length > 0);
    return usable ? w : 0;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const faults: Fault[] = [];
  if (total === 0) return { faults };
  const outages = new Map<string, [number, number][]>();
  for (let slot = 0; slot < (opts.maxFaults ?? 8); slot++) {
    let r = rng.int(total + EMPTY_SLOT_WEIGHT);
    let k = 0;
    while (k < weights.length && r >= weights[k]) r -= weights[k++];
    if (k === weights.length) continue;
    const fault = drawFault(rng, KIND_OF[PROFILE_KEYS[k]], opts);
    if (fault.kind === 'crash' && !reserveOutage(outages, fault)) continue;
    faults.push(fault);
  }
  faults.sort((x, y) => x.atMs - y.atMs);
  return { faults };
}

function reserveOutage(outages: Map<string, [number, number][]>, f: Extract<Fault, { kind: 'crash' }>): boolean {
  const list = outages.get(f.process) ?? [];
  const end = f.atMs + f.restartAfterMs;
  if (list.some(([s, e]) => f.atMs <= e && s <= end)) return false;
  list.push([f.atMs, end]);
  outages.set(f.process, list);
  return true;
}

function drawFault(rng: Rng, kind: FaultKind, opts: PlanOptions): Fault {
  const h = opts.horizonMs;
  const atMs = rng.int(h);
  const durationMs = rng.range(1, Math.max(1, Math.floor(h / 5)));
  switch (kind) {
    case 'crash':
      return { kind, atMs, process: rng.pick(opts.crashable), restartAfterMs: rng.range(1, Math.max(1, Math.floor(h / 5))) };
    case 'partition': {
      const a = rng.pick(opts.processes);
      const others = opts.processes.filter((p) => p !== a);
      return { kind, atMs, a, b: rng.pick(others), durationMs };
    }
    case 'latency-spike':
      return { kind, atMs, durationMs, extraMs: rng.range(5, 100) };
    case 'disk-corruption':
      return { kind, atMs, process: rng.pick(opts.processes), durationMs };
    case 'slow-fsync':
      return { kind, atMs, process: rng.pick(opts.processes), durationMs, extraMs: rng.range(5, 200) };
  }
}

/**
 * Schedules every fault of `plan` on `world` (times are absolute virtual ms,
 * relative to now when already past) and records one `fault.planned` event
 * per fault. Overlapping disk faults on one process are counted, so the end
 * of one does not clear another that is still active.
 */
export function applyPlan(world: World, plan: FaultPlan): void {
  const corrupting = new Map<string, number>();
  const slowExtraMs = new Map<string, number>();
  for (const f of plan.faults) {
    const { kind, ...rest } = f;
    world.emit('fault.planned', { fault: kind, ...rest });
    const delayMs = Math.max(0, f.atMs - world.now());
    switch (f.kind) {
      case 'crash':
        world.schedule(delayMs, () => world.crash(f.process));
        world.schedule(delayMs + f.restartAfterMs, () => world.restart(f.process));
        break;
      case 'partition':
        world.schedule(delayMs, () => world.partition(f.a, f.b, f.durationMs));
        break;
      case 'latency-spike':
        world.schedule(delayMs, () => world.latencySpike(f.durationMs, f.extraMs));
        break;
      case 'disk-corruption': {
        const bump = (d: number): void => {
          const n = (corrupting.get(f.process) ?? 0) + d;
          corrupting.set(f.process, n);
          world.setDiskFault(f.process, { readCorruption: n > 0 });
        };
        world.schedule(delayMs, () => bump(1));
        world.schedule(delayMs + f.durationMs, () => bump(-1));
        break;
      }
      case 'slow-fsync': {
        const bump = (d: number): void => {
          const n = (slowExtraMs.get(f.process) ?? 0) + d;
          slowExtraMs.set(f.process, n);
          world.setDiskFault(f.process, { slowFsyncExtraMs: n });
        };
        world.schedule(delayMs, () => bump(f.extraMs));
        world.schedule(delayMs + f.durationMs, () => bump(-f.extraMs));
        break;
      }
    }
  }
}
