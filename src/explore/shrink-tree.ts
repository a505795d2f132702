/**
 * The shrink tree of a failing run: from one `ShrinkCase` (events, fault
 * plan, parallelism, keys), the smaller cases worth trying, most aggressive
 * first, as a lazy sequence. fast-check walks it greedily: the first
 * candidate that still fails becomes the new case and its own candidates
 * are tried next.
 *
 * Every candidate is strictly simpler in one dimension and no larger in any
 * other: no more events (input records), faults, parallelism or keys; faults only ever move
 * earlier, get shorter or milder. So a shrunk run is never larger than the
 * run it came from. Candidates keep the plan well formed: planned outages
 * of one process never overlap (as `generatePlan` guarantees).
 *
 * Order, cheapest big wins first: drop every fault; fewer events; drop
 * half the faults, then one fault; leave out chunks of input records; lower parallelism; fewer keys; then each
 * fault earlier, shorter, milder. Numbers shrink as fast-check's integers
 * do: the target first, then the value minus half the distance, a quarter,
 * … one.
 */
import type { Fault } from '../sim/faults.ts';

export interface ShrinkCase {
  events: number;
  parallelism: number;
  keys: number;
  /** The explicit fault plan; undefined when the run drew its plan from the seed (then it is not shrunk). */
  faults: Fault[] | undefined;
  /** The input records kept, by id (undefined: all `events` of them). */
  keep?: number[];
}

/** Record removal is tried only below this many records: each try is a whole run. */
const KEEP_SHRINK_MAX = 1_000;

/** `target`, then `v - d/2`, `v - d/4`, … `v - 1` (d = v - target); empty when v <= target. At most `limit` values. */
export function towards(v: number, target: number, limit = Infinity): number[] {
  if (v <= target) return [];
  const out = [target];
  for (let step = Math.floor((v - target) / 2); step >= 1 && out.length < limit; step = Math.floor(step / 2)) {
    const x = v - step;
    if (x !== out[out.length - 1]) out.push(x);
  }
  return out;
}

const EVENT_LADDER = [10, 20, 30, 50, 100, 200, 500, 1_000, 2_000, 5_000];

/**
 * What the walk knows about a case: the largest event count seen passing
 * with an otherwise equal or larger case. Event counts at or below it are
 * not tried again, as fast-check's integer shrinker does not retry below
 * its last passing value; without it every step would rescan from one.
 */
export interface ShrinkContext {
  eventsLow: number;
}

export const ROOT_CONTEXT: ShrinkContext = { eventsLow: 0 };

export function* candidates(c: ShrinkCase, ctx: ShrinkContext = ROOT_CONTEXT): Generator<[ShrinkCase, ShrinkContext]> {
  const faults = c.faults;
  if (faults !== undefined && faults.length > 0) yield [{ ...c, faults: [] }, ctx];
  // Reaching a candidate means every earlier one passed; an accepted event count keeps the largest smaller one as its floor.
  const tried: number[] = [];
  const halving = towards(c.events, ctx.eventsLow + 1);
  // Failing is not monotone in the event count (another count draws another workload), so round sizes below are tried too.
  const ladder = EVENT_LADDER.filter((e) => e > ctx.eventsLow && e < c.events && !halving.includes(e));
  // With a keep list, a fresh draw is smaller only when it has fewer records than are kept.
  const limit = c.keep?.length ?? Infinity;
  for (const events of [...halving, ...ladder].filter((e) => e < limit)) {
    const below = tried.filter((e) => e < events);
    // Another event count draws another workload: a keep list no longer applies.
    const { keep, ...rest } = c;
    void keep;
    yield [{ ...rest, events }, { eventsLow: Math.max(ctx.eventsLow, ...below) }];
    tried.push(events);
  }
  if (faults !== undefined) for (const f of faultRemovals(c, faults)) yield [f, ctx];
  for (const k of recordRemovals(c)) yield [k, ctx];
  for (const parallelism of towards(c.parallelism, 1)) yield [{ ...c, parallelism }, ctx];
  for (const keys of towards(c.keys, 1)) yield [{ ...c, keys }, ctx];
  if (faults !== undefined) for (const f of faultSimplifications(c, faults)) yield [f, ctx];
}

/**
 * Fewer input records, as delta debugging does it: the kept records split in
 * 2, 4, 8, … chunks, each candidate leaving one chunk out.
 */
function* recordRemovals(c: ShrinkCase): Generator<ShrinkCase> {
  const keep = c.keep ?? Array.from({ length: c.events }, (_, i) => i);
  if (keep.length <= 1 || keep.length > KEEP_SHRINK_MAX) return;
  for (let n = 2; n <= keep.length; n *= 2) {
    const size = Math.ceil(keep.length / n);
    for (let i = 0; i < keep.length; i += size) yield { ...c, keep: [...keep.slice(0, i), ...keep.slice(i + size)] };
  }
}

function* faultRemovals(c: ShrinkCase, faults: Fault[]): Generator<ShrinkCase> {
  if (faults.length > 2) {
    const half = Math.floor(faults.length / 2);
    yield { ...c, faults: faults.slice(half) };
    yield { ...c, faults: faults.slice(0, half) };
  }
  for (let i = 0; i < faults.length; i++) yield { ...c, faults: faults.filter((_, j) => j !== i) };
}

function* faultSimplifications(c: ShrinkCase, faults: Fault[]): Generator<ShrinkCase> {
  for (let i = 0; i < faults.length; i++) {
    for (const f of simpler(faults[i]!)) {
      const next = faults.slice();
      next[i] = f;
      if (outagesDisjoint(next)) yield { ...c, faults: next };
    }
  }
}

/** One fault made simpler in one field: earlier, shorter, milder. Three steps per field at most. */
export function simpler(f: Fault): Fault[] {
  const out: Fault[] = towards(f.atMs, 0, 3).map((atMs) => ({ ...f, atMs }));
  switch (f.kind) {
    case 'crash':
      out.push(...towards(f.restartAfterMs, 1, 3).map((restartAfterMs) => ({ ...f, restartAfterMs })));
      break;
    case 'partition':
    case 'disk-corruption':
      out.push(...towards(f.durationMs, 1, 3).map((durationMs) => ({ ...f, durationMs })));
      break;
    case 'latency-spike':
    case 'slow-fsync':
      out.push(...towards(f.durationMs, 1, 3).map((durationMs) => ({ ...f, durationMs })));
      out.push(...towards(f.extraMs, 1, 3).map((extraMs) => ({ ...f, extraMs })));
      break;
  }
  return out;
}

/** True when no two planned crashes of one process are down at overlapping times. */
export function outagesDisjoint(faults: readonly Fault[]): boolean {
  const crashes = faults.filter((f): f is Extract<Fault, { kind: 'crash' }> => f.kind === 'crash');
  for (let i = 0; i < crashes.length; i++) {
    for (let j = i + 1; j < crashes.length; j++) {
      const a = crashes[i]!;
      const b = crashes[j]!;
      if (a.process === b.process && a.atMs <= b.atMs + b.restartAfterMs && b.atMs <= a.atMs + a.restartAfterMs) return false;
    }
  }
  return true;
}

/** A case's size in each dimension, for before/after reports. */
export function sizeOf(c: ShrinkCase): { events: number; faults: number; parallelism: number; keys: number } {
  return { events: c.keep?.length ?? c.events, faults: c.faults?.length ?? 0, parallelism: c.parallelism, keys: c.keys };
}
