/**
 * The shrink tree of a failing run: from one `ShrinkCase` (events, fault
 * plan, parallelism, keys, the input records kept), the smaller cases worth
 * trying, most aggressive first, as a lazy sequence. fast-check walks it
 * greedily: the first candidate that still fails becomes the new case and
 * its own candidates are tried next, with the context the candidate carried.
 *
 * Every candidate is strictly simpler in one dimension and no larger in any
 * other: no more events (input records), faults, parallelism or keys; faults
 * only ever move earlier (an earlier anchor, a shorter delay), get shorter or
 * milder. So a shrunk run is never larger than the run it came from.
 * Candidates keep the plan well formed: planned outages of one process at
 * absolute times never overlap (as `generatePlan` guarantees).
 *
 * Order, cheapest big wins first: drop every fault; fewer events (a fresh,
 * smaller draw); drop half the faults, then one fault; keep one key's
 * records only, then one input partition's; lower parallelism (its plan
 * fitted to it); fewer keys; leave input records out (delta debugging); then
 * each fault earlier, shorter, milder. Numbers shrink as fast-check's
 * integers do: the target first, then the value minus half the distance, a
 * quarter, … one.
 *
 * The walk remembers (in its context) what it has already found settled, so
 * an accepted step does not pay for trying everything again: dropping faults
 * and fresh draws that all passed are tried last until the kept records have
 * halved; keeping one group only, once every group failed to, and a lower
 * parallelism or fewer keys, once they failed to, are tried again only
 * (before record removal; after it they are tried on every step) once the
 * kept records have halved; record removal keeps its delta-debugging
 * granularity and position across accepted steps, and once no single record
 * can go it is tried last.
 * At the very end come a bounded number of random multi-record removals
 * (`recordEscapes`), which get past the dead ends that chaotic runs leave.
 */
import type { Fault } from '../sim/faults.ts';
import { rootRng } from '../sim/rng.ts';

export interface ShrinkCase {
  events: number;
  parallelism: number;
  keys: number;
  /** The explicit fault plan; undefined when the run drew its plan from the seed (then it is not shrunk). */
  faults: Fault[] | undefined;
  /** The input records kept, by id (undefined: all records of the `events` drawn). */
  keep?: number[];
}

/** The record ids of a case's full workload (its `events` drawn at its sizes). */
export type RecordIds = (c: ShrinkCase) => number[];

/** Without a workload at hand: ids 0 … events - 1. */
const IDS_BY_COUNT: RecordIds = (c) => Array.from({ length: c.events }, (_, i) => i);

/** One way to group a case's input records (by key, by input partition): each record's group, by id. */
export interface Grouping {
  name: string;
  of: ReadonlyMap<number, string>;
}

/** The groupings of a case's drawn workload. */
export type RecordGroupings = (c: ShrinkCase) => readonly Grouping[];

/** What the walk can ask about a case beyond the case itself: its run's records and processes. */
export interface CaseFacts {
  idsOf: RecordIds;
  groupingsOf?: RecordGroupings;
  /**
   * The case with its plan fitted to the case's parallelism (faults on instances a lower
   * parallelism does not have moved to one it has), or undefined when it cannot be.
   */
  fitPlan?: (c: ShrinkCase) => ShrinkCase | undefined;
}

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

/** Delta debugging keeps "leave one chunk out" subsets; "keep one chunk only" is tried too up to this many chunks. */
const SUBSET_CHUNKS_MAX = 8;

/**
 * What the walk knows about a case.
 * - `eventsLow`: the largest event count seen passing with an otherwise equal
 *   or larger case; event counts at or below it are not tried again, as
 *   fast-check's integer shrinker does not retry below its last passing value.
 * - `chunks`, `chunkFrom`: delta debugging's granularity (the kept records
 *   split in this many chunks) and the chunk to try first.
 * - `faultsSettledAt`: the records the case had when dropping faults and
 *   fresh draws last all passed (Infinity: never tried).
 * - `recordsSettledAt`: the records the case had when no single record could
 *   be left out (Infinity: not yet).
 * - `groupsSettledAt`: the records the case had when keeping one group only
 *   (one key, one partition) last all passed (Infinity: never tried).
 * - `shapeSettledAt`: the records the case had when a lower parallelism and
 *   fewer keys last all passed (Infinity: never tried).
 */
export interface ShrinkContext {
  eventsLow: number;
  chunks: number;
  chunkFrom: number;
  faultsSettledAt: number;
  recordsSettledAt: number;
  groupsSettledAt: number;
  shapeSettledAt: number;
}

export const ROOT_CONTEXT: ShrinkContext = { eventsLow: 0, chunks: 2, chunkFrom: 0, faultsSettledAt: Infinity, recordsSettledAt: Infinity, groupsSettledAt: Infinity, shapeSettledAt: Infinity };

export function* candidates(c: ShrinkCase, ctx: ShrinkContext = ROOT_CONTEXT, facts: RecordIds | CaseFacts = IDS_BY_COUNT): Generator<[ShrinkCase, ShrinkContext]> {
  const { idsOf, groupingsOf, fitPlan } = typeof facts === 'function' ? { idsOf: facts } as CaseFacts : facts;
  const size = sizeOf(c).events;
  // Reaching a candidate means every earlier one passed: `now` gathers what that tells the next steps.
  const now = { ...ctx };
  const faultsFirst = size * 2 <= ctx.faultsSettledAt;
  if (faultsFirst) {
    yield* dropsAndDraws(c, now);
    now.faultsSettledAt = size;
  }
  if (size * 2 <= ctx.groupsSettledAt && groupingsOf !== undefined) {
    yield* groupKeeps(c, now, idsOf, groupingsOf);
    now.groupsSettledAt = size;
  }
  const shapeFirst = size * 2 <= ctx.shapeSettledAt;
  if (shapeFirst) {
    yield* shapeCuts(c, now, fitPlan);
    now.shapeSettledAt = size;
  }
  const recordsLast = ctx.recordsSettledAt === size;
  if (!recordsLast) {
    yield* recordRemovals(c, now, idsOf);
    now.recordsSettledAt = size;
  }
  if (!shapeFirst) yield* shapeCuts(c, now, fitPlan);
  if (c.faults !== undefined) for (const f of faultSimplifications(c, c.faults)) yield [f, { ...now }];
  if (recordsLast) {
    yield* recordEscapes(c, now);
    yield* recordRemovals(c, now, idsOf);
  }
  if (!faultsFirst) yield* dropsAndDraws(c, now);
  if (!recordsLast) yield* recordEscapes(c, now);
}

/** Lower parallelism (its plan fitted to it), then fewer keys. */
function* shapeCuts(c: ShrinkCase, now: ShrinkContext, fitPlan: CaseFacts['fitPlan']): Generator<[ShrinkCase, ShrinkContext]> {
  for (const parallelism of towards(c.parallelism, 1)) {
    const fitted = fitPlan ? fitPlan({ ...c, parallelism }) : { ...c, parallelism };
    if (fitted) yield [fitted, { ...now }];
  }
  for (const keys of towards(c.keys, 1)) yield [{ ...c, keys }, { ...now }];
}

/** Drop every fault; fresh draws of fewer events; drop half the faults, then each one. */
function* dropsAndDraws(c: ShrinkCase, now: ShrinkContext): Generator<[ShrinkCase, ShrinkContext]> {
  const faults = c.faults;
  if (faults !== undefined && faults.length > 0) yield [{ ...c, faults: [] }, { ...now }];
  // An accepted event count keeps the largest smaller one tried before it as its floor.
  const tried: number[] = [];
  const halving = towards(c.events, now.eventsLow + 1);
  // Failing is not monotone in the event count (another count draws another workload), so round sizes below are tried too.
  const ladder = EVENT_LADDER.filter((e) => e > now.eventsLow && e < c.events && !halving.includes(e));
  // With a keep list, a fresh draw is smaller only when it has fewer records than are kept.
  const limit = c.keep?.length ?? Infinity;
  for (const events of [...halving, ...ladder].filter((e) => e < limit)) {
    const below = tried.filter((e) => e < events);
    // Another event count draws another workload: a keep list no longer applies, nor where record removal was.
    const { keep, ...rest } = c;
    void keep;
    yield [{ ...rest, events }, { ...ROOT_CONTEXT, eventsLow: Math.max(now.eventsLow, ...below) }];
    tried.push(events);
  }
  if (faults !== undefined) for (const f of faultRemovals(c, faults)) yield [f, { ...now }];
}

/**
 * Whole groups first: the records of one key only, of one input partition
 * only, biggest group first. A failure usually lives in one key's state or
 * one partition's progress, and these cuts reach it in a handful of runs
 * where delta debugging over records, whose chunks cut across every key,
 * crawls. Tried again only once the kept records have halved.
 */
function* groupKeeps(c: ShrinkCase, now: ShrinkContext, idsOf: RecordIds, groupingsOf: RecordGroupings): Generator<[ShrinkCase, ShrinkContext]> {
  const keep = c.keep ?? idsOf(c);
  const size = sizeOf(c).events;
  for (const grouping of groupingsOf(c)) {
    const groups = new Map<string, number[]>();
    for (const id of keep) {
      const label = grouping.of.get(id);
      if (label === undefined) continue;
      const ids = groups.get(label);
      if (ids) ids.push(id);
      else groups.set(label, [id]);
    }
    if (groups.size < 2) continue;
    const ordered = [...groups].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, ids] of ordered) if (ids.length < size) yield [{ ...c, keep: ids }, { ...now, chunks: 2, chunkFrom: 0 }];
  }
}

/**
 * Fewer input records, as delta debugging does it: the kept records split in
 * n chunks (n = 2, 4, 8, …), each candidate leaving one chunk out (for small
 * n, first keeping one chunk only). After an accepted removal the walk goes
 * on at n - 1 chunks from the same place; when no chunk can go, n doubles.
 */
function* recordRemovals(c: ShrinkCase, now: ShrinkContext, idsOf: RecordIds): Generator<[ShrinkCase, ShrinkContext]> {
  const keep = c.keep ?? idsOf(c);
  const size = sizeOf(c).events;
  if (keep.length <= 1) return;
  let n = Math.min(Math.max(2, now.chunks), keep.length);
  let from = n === now.chunks ? now.chunkFrom : 0;
  // Resuming after an accepted removal, the one-chunk-only subsets were tried (and passed) at a coarser split already.
  let resumed = now.chunks > 2;
  for (;;) {
    const bounds = Array.from({ length: n + 1 }, (_, i) => Math.floor((i * keep.length) / n));
    const order = Array.from({ length: n }, (_, i) => (from + i) % n);
    if (!resumed && n > 2 && n <= SUBSET_CHUNKS_MAX) {
      for (const i of order) {
        const kept = keep.slice(bounds[i], bounds[i + 1]);
        if (kept.length < size) yield [{ ...c, keep: kept }, { ...now, chunks: 2, chunkFrom: 0 }];
      }
    }
    for (const i of order) {
      const kept = [...keep.slice(0, bounds[i]), ...keep.slice(bounds[i + 1])];
      // Without a keep list, the ids can outnumber `events` (bank's opening deposits): stay no larger.
      if (kept.length < size) yield [{ ...c, keep: kept }, { ...now, chunks: Math.max(2, n - 1), chunkFrom: i }];
    }
    if (n >= keep.length) return;
    n = Math.min(n * 2, keep.length);
    from = 0;
    resumed = false;
  }
}

/** Escape tries per step, at most. */
const ESCAPES_MAX = 400;
/** Records left out together by each escape try, in turn. */
const ESCAPE_SIZES = [3, 2, 2, 1];

/**
 * When no chunk and no single record can go, a few records left out together
 * at random places. A run is chaotic in its input: leaving one record out
 * moves every later network delay (one stream draws them all), so a race the
 * failure needs can be lost by removing a record it never touches, and won
 * again by removing another as well. Delta debugging stops at such a point;
 * these tries let the walk go on past it. The places are drawn from a stream
 * named by the kept records, so the walk stays a function of its input.
 */
function* recordEscapes(c: ShrinkCase, now: ShrinkContext): Generator<[ShrinkCase, ShrinkContext]> {
  const keep = c.keep;
  if (keep === undefined || keep.length <= 1) return;
  const rng = rootRng(`shrink/${keep.length}/${keep.reduce((h, id) => (h * 31 + id) % 1_000_000_007, 7)}`);
  const tries = Math.min(ESCAPES_MAX, 8 * keep.length);
  // Accepted: the smaller case is settled too until something else changes it (its single removals come after its escapes).
  for (let i = 0; i < tries; i++) {
    const out = new Set<number>();
    const k = Math.min(ESCAPE_SIZES[i % ESCAPE_SIZES.length]!, keep.length - 1);
    while (out.size < k) out.add(rng.int(keep.length));
    const kept = keep.filter((_, j) => !out.has(j));
    yield [{ ...c, keep: kept }, { ...now, chunks: kept.length, chunkFrom: 0, recordsSettledAt: kept.length }];
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
  const out: Fault[] = f.after === undefined
    ? towards(f.atMs, 0, 3).map((atMs) => ({ ...f, atMs }))
    : [
      ...towards(f.after.n, 1, 3).map((n) => ({ ...f, after: { ...f.after, n } })),
      ...towards(f.delayMs, 0, 3).map((delayMs) => ({ ...f, delayMs })),
    ];
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

/**
 * True when no two planned crashes of one process at absolute times are down
 * at overlapping times (anchored crashes have no time until the run reaches
 * their anchor; overlapping ones are harmless: crashing a down process, or
 * restarting an up one, does nothing).
 */
export function outagesDisjoint(faults: readonly Fault[]): boolean {
  const crashes = faults.filter((f): f is Extract<Fault, { kind: 'crash'; atMs: number }> => f.kind === 'crash' && f.after === undefined);
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
