/**
 * Seeded enrichment workload: two logical streams on the input topic, a
 * changelog of customers and the orders that refer to them.
 *
 * Encoding (what `checkEnrichment` assumes):
 * - `{ stream: 'customers', key: customer, value }`: the customer's new
 *   value (1..100), or, with `value: 0`, a tombstone: the customer is
 *   deleted (Kafka's null value; weir's input values are numbers);
 * - `{ stream: 'orders', key: customer, value: amount }`, amount 1..100.
 *
 * The topic is keyed: every record goes to the partition of its customer
 * (`partitionForKey`, the partitioner the engines use), so a customer's
 * updates and orders share one partition, in offset order — the input is
 * co-partitioned for a KStream–KTable join without repartitioning, as a
 * Kafka topic written with a keyed producer is. Some orders come before
 * their customer's first update, or after a tombstone: an inner join drops
 * those. Timestamps are the arrival times (never decreasing), so nothing is
 * late. Customers are named `cust-<i>`.
 */
import type { InputRecord } from '../stream/records.ts';
import type { Rng } from '../sim/rng.ts';
import { partitionForKey } from '../stream/partition.ts';
import type { Workload } from './generate.ts';
import { activeArrivalGapMsMax, buildArrivals, NominalClock } from './schedule.ts';

export const CUSTOMER_STREAM = 'customers';
export const ORDER_STREAM = 'orders';
/** A customer record with this value deletes the customer. */
export const TOMBSTONE_VALUE = 0;

export interface EnrichOptions {
  /** Records in all: customer updates and orders. */
  events: number;
  customers: number;
  partitions: number;
  /** Average spacing of records in ms, default 10. */
  eventRateMsPerRecord?: number;
  /** One record in `updateOneIn` is a customer update (default 3); the others are orders. */
  updateOneIn?: number;
  /** One customer update in `tombstoneOneIn` is a tombstone (default 5). */
  tombstoneOneIn?: number;
}

export function customerName(i: number): string {
  return `cust-${i}`;
}

export function isTombstone(r: InputRecord): boolean {
  return r.stream === CUSTOMER_STREAM && r.value === TOMBSTONE_VALUE;
}

export function generateEnrichment(rng: Rng, opts: EnrichOptions): Workload {
  const { events, customers, partitions } = opts;
  if (!Number.isSafeInteger(events) || events < 0) throw new RangeError(`events must be an integer >= 0, got ${events}`);
  if (!Number.isSafeInteger(customers) || customers < 1) throw new RangeError(`customers must be an integer >= 1, got ${customers}`);
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be >= 1, got ${partitions}`);
  const updateOneIn = opts.updateOneIn ?? 3;
  const tombstoneOneIn = opts.tombstoneOneIn ?? 5;
  const clock = new NominalClock(rng.fork('clock'), opts.eventRateMsPerRecord ?? 10, false);
  const pick = rng.fork('records');
  const names = Array.from({ length: customers }, (_, i) => customerName(i));
  const records: InputRecord[] = [];
  const arrivalMs: number[] = [];
  const partitionOf: number[] = [];
  for (let id = 0; id < events; id++) {
    const at = clock.next();
    const key = names[pick.int(customers)]!;
    const update = pick.chance(1, updateOneIn);
    const rec: InputRecord = update
      ? { id, ts: at, key, value: pick.chance(1, tombstoneOneIn) ? TOMBSTONE_VALUE : pick.range(1, 100), stream: CUSTOMER_STREAM }
      : { id, ts: at, key, value: pick.range(1, 100), stream: ORDER_STREAM };
    records.push(rec);
    arrivalMs.push(at);
    partitionOf.push(partitionForKey(key, partitions));
  }
  const arrivals = buildArrivals(records, arrivalMs, partitionOf);
  return { records, arrivals, canBeLate: false, idlePartitions: [], activeArrivalGapMsMax: activeArrivalGapMsMax(arrivals, partitions) };
}
