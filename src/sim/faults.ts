/**
 * Fault plans as data: a list of timed faults that `applyPlan` schedules on a
 * world. Plans are drawn from a seed and a swarm profile, serialize to JSON
 * (they are part of a repro token) and are small enough for fast-check to
 * shrink: fewer faults, earlier times.
 *
 * A fault starts either at an absolute virtual time (`atMs`) or `delayMs`
 * after an anchor, a logical point of the run (`after`: the nth checkpoint
 * completed, the nth sink pre-commit, …; see `anchors.ts`). Drawn plans use
 * absolute times; shrinking rewrites them as anchored faults so that leaving
 * input records out does not move a crash away from what it breaks.
 *
 * Swarm testing (after TigerBeetle): per seed, each fault kind is off entirely
 * with probability 1/3, otherwise weighted from one of three very different
 * bands, so a sweep covers crash-heavy, partition-heavy and quiet seeds.
 * All times and weights are integers.
 */
import type { Rng } from './rng.ts';
import type { World } from './world.ts';
import { ANCHOR_TRACE_KIND, anchorMatches, anchorText, type Anchor } from './anchors.ts';
import { subscriberFor, type TraceEvent } from '../runtime/trace-event.ts';

export type { Anchor } from './anchors.ts';

/** What a fault does, apart from when. */
export type FaultAction =
  | { kind: 'crash'; process: string; restartAfterMs: number }
  | { kind: 'partition'; a: string; b: string; durationMs: number }
  | { kind: 'latency-spike'; durationMs: number; extraMs: number }
  | { kind: 'disk-corruption'; process: string; durationMs: number }
  | { kind: 'slow-fsync'; process: string; durationMs: number; extraMs: number };

/** When a fault starts: at an absolute virtual time, or `delayMs` after an anchor is reached. */
export type FaultTime =
  | { atMs: number; after?: undefined; delayMs?: undefined }
  | { after: Anchor; delayMs: number; atMs?: undefined };

export type Fault = FaultAction & FaultTime;

export type AnchoredFault = Fault & { after: Anchor; delayMs: number };

/** A fault at an absolute virtual time, as plans are drawn. */
export type TimedFault = Fault & { atMs: number };

export type FaultKind = Fault['kind'];

/** The processes a fault names: a partition's two ends, the process of the others (a latency spike names none). */
export function processesNamed(f: Fault): string[] {
  return f.kind === 'partition' ? [f.a, f.b] : f.kind === 'latency-spike' ? [] : [f.process];
}

export function isAnchored(f: Fault): f is AnchoredFault {
  return f.after !== undefined;
}

/** The fault without its timing. */
export function actionOf(f: Fault): FaultAction {
  const { atMs, after, delayMs, ...action } = f;
  void atMs;
  void after;
  void delayMs;
  return action as FaultAction;
}

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
 * process never overlap. A crash may bring read corruption with it (with
 * chance diskCorruption / 100): on the crashed process or, as often, on a
 * drawn one, from the crashed one's restart on, so that the reads of a recovery (snapshots, segments, state
 * versions) meet damaged copies and every checksum check on those paths is
 * reached in a sweep, not only reads that happen to fall in a fault's
 * window. Faults come out sorted by `atMs`.
 */
export function generatePlan(rng: Rng, profile: SwarmProfile, opts: PlanOptions): { faults: TimedFault[] } {
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
  const faults: TimedFault[] = [];
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
    // The corruption that comes with a crash takes the next slot (plans stay within maxFaults) and the horizon.
    const restartMs = fault.kind === 'crash' ? fault.atMs + fault.restartAfterMs : horizonMs;
    if (fault.kind === 'crash' && profile.diskCorruption > 0 && restartMs < horizonMs && slot + 1 < (opts.maxFaults ?? 8) && rng.int(100) < profile.diskCorruption) {
      slot++;
      faults.push({
        kind: 'disk-corruption', atMs: restartMs, process: rng.chance(1, 2) ? fault.process : rng.pick(opts.processes),
        durationMs: rng.range(1, Math.max(1, Math.floor(horizonMs / 5))),
      });
    }
  }
  faults.sort((x, y) => x.atMs - y.atMs);
  return { faults };
}

function reserveOutage(outages: Map<string, [number, number][]>, f: Extract<TimedFault, { kind: 'crash' }>): boolean {
  const list = outages.get(f.process) ?? [];
  const end = f.atMs + f.restartAfterMs;
  if (list.some(([s, e]) => f.atMs <= e && s <= end)) return false;
  list.push([f.atMs, end]);
  outages.set(f.process, list);
  return true;
}

function drawFault(rng: Rng, kind: FaultKind, opts: PlanOptions): TimedFault {
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

export interface ApplyOptions {
  /** The topic `input.offset` anchors read (default `input`). */
  inputTopic?: string;
}

/**
 * Schedules every fault of `plan` on `world` and records one `fault.planned`
 * event per fault. Absolute times are virtual ms (relative to now when
 * already past); an anchored fault is armed on the trace and scheduled
 * `delayMs` after the event that reaches its anchor (never, if the run does
 * not reach it). Overlapping disk faults on one process are counted, so the
 * end of one does not clear another that is still active.
 */
export function applyPlan(world: World, plan: FaultPlan, opts: ApplyOptions = {}): void {
  const schedule = faultScheduler(world);
  const armed: { fault: AnchoredFault; traceKind: string; seen: number }[] = [];
  for (const f of plan.faults) {
    const { kind, atMs, after, delayMs, ...rest } = f;
    if (after === undefined) {
      world.emit('fault.planned', { fault: kind, atMs, ...rest });
      schedule(f, Math.max(0, atMs - world.now()));
    } else {
      world.emit('fault.planned', { fault: kind, after: anchorText(after), delayMs, ...rest });
      if (after.on === 'input.offset' && !world.detailedTrace) {
        throw new Error(`fault plan: an anchor on input.offset needs the detailed trace (log.fetch events), which this world leaves out`);
      }
      armed.push({ fault: f as AnchoredFault, traceKind: ANCHOR_TRACE_KIND[after.on], seen: 0 });
    }
  }
  if (armed.length === 0) return;
  const inputTopic = opts.inputTopic ?? 'input';
  const kinds = new Set(armed.map((a) => a.traceKind));
  let waiting = armed.length;
  const unsubscribe = world.trace.subscribe(subscriberFor(kinds, (e: TraceEvent) => {
    for (const a of armed) {
      if (a.seen >= a.fault.after.n || a.traceKind !== e.kind || !anchorMatches(a.fault.after, e, inputTopic)) continue;
      if (++a.seen < a.fault.after.n) continue;
      // Scheduled, never started inside the step that emitted the anchor (even with delay 0).
      schedule(a.fault, a.fault.delayMs);
      if (--waiting === 0) unsubscribe();
    }
  }));
}

/** When a fault starts, in a few words: `at 1,234 ms`, `12 ms after checkpoint.complete #3`. */
export function faultTimeText(f: Fault): string {
  return f.after === undefined ? `at ${f.atMs.toLocaleString('en-US')} ms` : `${f.delayMs.toLocaleString('en-US')} ms after ${anchorText(f.after)}`;
}

/**
 * A function that schedules one fault to start `delayMs` from now, and its
 * end (restart, healing) with it, both pushed at once: so an absolute fault
 * runs exactly as plans always have, and an anchored one the same way from
 * the moment its anchor is reached.
 */
function faultScheduler(world: World): (f: Fault, delayMs: number) => void {
  const corrupting = new Map<string, number>();
  const slowExtraMs = new Map<string, number>();
  return (f, delayMs) => {
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
  };
}
