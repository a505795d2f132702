/**
 * Seeded workload of two tables keyed by user, on one input topic: each
 * user's region and each user's score, both changing over time.
 *
 * Encoding (what `checkTables` assumes):
 * - `{ stream: 'region', key: user, value }`: the user's region, 1..regions,
 *   or with `value: 0` a tombstone (the user's region row is deleted);
 * - `{ stream: 'score', key: user, value }`: the user's score, 1..100, or
 *   with `value: 0` a tombstone.
 *
 * The topic is keyed: every record goes to its user's partition, so one
 * task reads a user's rows of both tables in offset order (the two tables
 * are co-partitioned, as a KTable–KTable join needs). A region update moves
 * the user to another region most of the time, which re-keys the user's row
 * in a table grouped by region. Timestamps are the arrival times, so nothing
 * is late. Users are named `user-<i>`.
 */
import type { InputRecord } from '../stream/records.ts';
import type { Rng } from '../sim/rng.ts';
import { partitionForKey } from '../stream/partition.ts';
import type { Workload } from './generate.ts';
import { activeArrivalGapMsMax, buildArrivals, NominalClock } from './schedule.ts';

export const REGION_STREAM = 'region';
export const SCORE_STREAM = 'score';
/** A record with this value deletes the user's row of its table. */
export const TABLE_TOMBSTONE = 0;

export interface TablesOptions {
  /** Records in all, of both tables. */
  events: number;
  users: number;
  regions: number;
  partitions: number;
  /** Average spacing of records in ms, default 10. */
  eventRateMsPerRecord?: number;
  /** One update in `tombstoneOneIn` is a tombstone (default 6). */
  tombstoneOneIn?: number;
}

export function userName(i: number): string {
  return `user-${i}`;
}

export function generateTables(rng: Rng, opts: TablesOptions): Workload {
  const { events, users, regions, partitions } = opts;
  if (!Number.isSafeInteger(events) || events < 0) throw new RangeError(`events must be an integer >= 0, got ${events}`);
  if (!Number.isSafeInteger(users) || users < 1) throw new RangeError(`users must be an integer >= 1, got ${users}`);
  if (!Number.isSafeInteger(regions) || regions < 1) throw new RangeError(`regions must be an integer >= 1, got ${regions}`);
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be >= 1, got ${partitions}`);
  const tombstoneOneIn = opts.tombstoneOneIn ?? 6;
  const clock = new NominalClock(rng.fork('clock'), opts.eventRateMsPerRecord ?? 10, false);
  const pick = rng.fork('records');
  const names = Array.from({ length: users }, (_, i) => userName(i));
  const records: InputRecord[] = [];
  const arrivalMs: number[] = [];
  const partitionOf: number[] = [];
  for (let id = 0; id < events; id++) {
    const at = clock.next();
    const key = names[pick.int(users)]!;
    const region = pick.chance(1, 2);
    const deletes = pick.chance(1, tombstoneOneIn);
    const value = deletes ? TABLE_TOMBSTONE : region ? pick.range(1, regions) : pick.range(1, 100);
    records.push({ id, ts: at, key, value, stream: region ? REGION_STREAM : SCORE_STREAM });
    arrivalMs.push(at);
    partitionOf.push(partitionForKey(key, partitions));
  }
  const arrivals = buildArrivals(records, arrivalMs, partitionOf);
  return { records, arrivals, canBeLate: false, idlePartitions: [], activeArrivalGapMsMax: activeArrivalGapMsMax(arrivals, partitions) };
}
