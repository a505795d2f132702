/**
 * Seeded workload generator: input records plus the processing-time
 * schedule on which they arrive, like a live source.
 *
 * Event time and processing time move together: record j arrives at a
 * nominal time `at` (gaps averaging `eventRateMsPerRecord`) and, unless it is
 * a straggler or an edge timestamp, has `ts = at - d`. The disorder `d` is
 * drawn from `[0, bound - 1]` (0 when the bound is 0) and the timestamp is
 * raised if needed so that
 *
 *     ts >= (max ts seen before on its partition) - bound + 1.
 *
 * (With bound 0 that makes timestamps strictly increase per partition.)
 *
 * That is one ms stricter than a bounded-out-of-orderness watermark needs
 * (`ts > max - bound - 1`): with the watermark `max - bound - 1` a record is
 * then at least 2 ms ahead of it, so it can never touch a session window
 * that already fired and was purged (touching sessions merge in Flink, and a
 * record at exactly `end` of a purged session would start a new session
 * where the batch reference merges them). So when `canBeLate` is false,
 * every record is on time for every window, whatever the assigner, and the
 * committed output must equal the reference exactly.
 *
 * Lateness on purpose:
 * - stragglers (chance `stragglerRatio`) have `ts = max - bound - k` with
 *   `k` in `1..stragglerExtraMs`: at or behind the partition's watermark
 *   `max - bound - 1`, so late at the source (unless that would make `ts`
 *   negative; then the record is an ordinary one);
 * - edge timestamps (chance 1/8 when `edgeTimestamps` is set) aim at window
 *   boundaries `end - 1` and `end`, the partition watermark ± 1, and the
 *   allowed-lateness edges `wm - L`, `wm - L + 1` and the last timestamp of
 *   the last window whose cleanup time is at most `wm + 1`. Some of these are
 *   behind the watermark, so edge workloads always have `canBeLate`.
 * Idle partitions (the last `idlePartitions`) receive at most one record, in
 * the first round of the partition deck (see `schedule.ts`), the first of
 * them none at all; so they go idle and never come back. Random draws come
 * from named forks of `rng`, so switching one knob does not reshuffle the
 * others. Timestamps are never negative.
 */
import type { InputRecord } from '../stream/records.ts';
import type { Rng } from '../sim/rng.ts';
import { keyChooser } from './keys.ts';
import { activeArrivalGapMsMax, buildArrivals, NominalClock, PartitionDeck, type Arrival } from './schedule.ts';

export interface WorkloadOptions {
  events: number;
  keys: number;
  partitions: number;
  /** Average event-time spacing of consecutive records, default 10. */
  eventRateMsPerRecord?: number;
  /** Records that share each such step (default 1): a dense stream for throughput runs. */
  recordsPerStep?: number;
  /** Bounded out-of-orderness: records are at most this far behind their partition's max timestamp (stragglers aside). */
  disorderBoundMs: number;
  /** Fraction of records later than the bound, e.g. [1, 50]; [0, 1] (the default) means none. */
  stragglerRatio?: [number, number];
  /** How far behind the partition's watermark a straggler can be; default max(100, 2 × bound). */
  stragglerExtraMs?: number;
  /** Zipf-like key popularity: a few hot keys. */
  keySkew?: boolean;
  /** Some stretches of records arrive much more densely (bigger batches). */
  bursts?: boolean;
  /** The last this-many partitions receive at most one early record, then nothing: they go idle. */
  idlePartitions?: number;
  /** Aim some timestamps at window and watermark edges (makes `canBeLate` true). */
  edgeTimestamps?: { windowSizeMs: number; allowedLatenessMs: number };
  /** When given, each record is assigned one of these streams uniformly. */
  streams?: readonly string[];
}

export interface Workload {
  /** In id order; ids 0..n-1. */
  records: InputRecord[];
  /** The processing-time schedule, sorted by atMs then partition; every record exactly once. */
  arrivals: Arrival[];
  /** True iff some record may arrive behind the watermark; when false, output must equal the reference exactly. */
  canBeLate: boolean;
  /** Partitions meant to go idle (they receive at most one early record). */
  idlePartitions: number[];
  /** Longest processing-time stretch an active partition receives nothing; an idle timeout must exceed it. */
  activeArrivalGapMsMax: number;
}

export type { Arrival } from './schedule.ts';

export function generateWorkload(rng: Rng, opts: WorkloadOptions): Workload {
  validate(opts);
  const rate = opts.eventRateMsPerRecord ?? 10;
  const idle = opts.idlePartitions ?? 0;
  const [lateNum, lateDen] = opts.stragglerRatio ?? [0, 1];
  const clock = new NominalClock(rng.fork('clock'), rate, opts.bursts ?? false, opts.recordsPerStep ?? 1);
  const deck = new PartitionDeck(rng.fork('partitions'), opts.partitions, idle);
  const nextKey = keyChooser(rng.fork('keys'), opts.keys, opts.keySkew ?? false);
  const valueRng = rng.fork('values');
  const streamRng = rng.fork('streams');
  const ts = new TimestampDrawer(rng.fork('timestamps'), opts, lateNum, lateDen);
  const maxTs: (number | undefined)[] = new Array(opts.partitions).fill(undefined);
  const records: InputRecord[] = [];
  // Typed columns: no growth and no boxed numbers for a million-record workload.
  const arrivalMs = new Float64Array(opts.events);
  const partitionOf = new Int32Array(opts.events);
  for (let id = 0; id < opts.events; id++) {
    const at = clock.next();
    const p = deck.next();
    const t = ts.draw(at, maxTs[p]);
    maxTs[p] = Math.max(maxTs[p] ?? t, t);
    const rec: InputRecord = { id, ts: t, key: nextKey(), value: valueRng.range(1, 100) };
    if (opts.streams) rec.stream = streamRng.pick(opts.streams);
    records.push(rec);
    arrivalMs[id] = at;
    partitionOf[id] = p;
  }
  const arrivals = buildArrivals(records, arrivalMs, partitionOf);
  const idlePartitions: number[] = [];
  for (let p = opts.partitions - idle; p < opts.partitions; p++) idlePartitions.push(p);
  return {
    records,
    arrivals,
    canBeLate: lateNum > 0 || opts.edgeTimestamps !== undefined,
    idlePartitions,
    activeArrivalGapMsMax: activeArrivalGapMsMax(arrivals, opts.partitions - idle),
  };
}

class TimestampDrawer {
  private readonly bound: number;
  private readonly extraMs: number;

  constructor(private readonly rng: Rng, private readonly opts: WorkloadOptions, private readonly lateNum: number, private readonly lateDen: number) {
    this.bound = opts.disorderBoundMs;
    this.extraMs = opts.stragglerExtraMs ?? Math.max(100, 2 * this.bound);
  }

  /** The timestamp of a record arriving at `at` on a partition whose max timestamp so far is `maxPrev`. */
  draw(at: number, maxPrev: number | undefined): number {
    if (this.rng.chance(this.lateNum, this.lateDen)) {
      const t = (maxPrev ?? at) - this.bound - this.rng.range(1, this.extraMs);
      if (t >= 0) return t;
    }
    if (this.opts.edgeTimestamps && this.rng.chance(1, 8)) {
      const targets = this.edgeTargets(at, maxPrev).filter((t) => t >= 0);
      if (targets.length > 0) return this.rng.pick(targets);
    }
    const d = this.bound >= 1 ? this.rng.int(this.bound) : 0;
    const lowest = maxPrev === undefined ? 0 : maxPrev - this.bound + 1;
    return Math.max(at - d, lowest, 0);
  }

  private edgeTargets(at: number, maxPrev: number | undefined): number[] {
    const { windowSizeMs: size, allowedLatenessMs: lateness } = this.opts.edgeTimestamps!;
    const boundary = Math.floor(at / size) * size;
    const targets = [boundary - 1, boundary];
    if (maxPrev === undefined) return targets;
    const wm = maxPrev - this.bound - 1;
    // The last window whose cleanup time `end - 1 + L` is at most wm + 1.
    const end = Math.floor((wm + 2 - lateness) / size) * size;
    targets.push(wm - 1, wm, wm + 1, wm - lateness, wm - lateness + 1, end - 1);
    return targets;
  }
}

function validate(o: WorkloadOptions): void {
  const need = (ok: boolean, what: string): void => {
    if (!ok) throw new RangeError(`workload: ${what}`);
  };
  const int = (v: number | undefined): boolean => v === undefined || Number.isSafeInteger(v);
  need(int(o.events) && o.events >= 0, `events must be an integer >= 0, got ${o.events}`);
  need(int(o.keys) && o.keys >= 1, `keys must be an integer >= 1, got ${o.keys}`);
  need(int(o.partitions) && o.partitions >= 1, `partitions must be an integer >= 1, got ${o.partitions}`);
  need(int(o.disorderBoundMs) && o.disorderBoundMs >= 0, `disorderBoundMs must be an integer >= 0`);
  need(int(o.eventRateMsPerRecord) && (o.eventRateMsPerRecord ?? 0) >= 0, `eventRateMsPerRecord must be an integer >= 0`);
  need(int(o.recordsPerStep) && (o.recordsPerStep ?? 1) >= 1, `recordsPerStep must be an integer >= 1`);
  need(int(o.stragglerExtraMs) && (o.stragglerExtraMs ?? 1) >= 1, `stragglerExtraMs must be an integer >= 1`);
  const idle = o.idlePartitions ?? 0;
  need(int(idle) && idle >= 0 && idle < o.partitions, `idlePartitions must leave at least one active partition`);
  if (o.edgeTimestamps) {
    need(int(o.edgeTimestamps.windowSizeMs) && o.edgeTimestamps.windowSizeMs >= 1, 'edgeTimestamps.windowSizeMs must be >= 1');
    need(int(o.edgeTimestamps.allowedLatenessMs) && o.edgeTimestamps.allowedLatenessMs >= 0, 'edgeTimestamps.allowedLatenessMs must be >= 0');
  }
  need(o.streams === undefined || o.streams.length > 0, 'streams must not be empty');
}
