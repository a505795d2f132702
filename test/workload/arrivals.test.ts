/**
 * `buildArrivals` groups records into batches exactly as its definition
 * says: one batch per (arrival ms, partition), its records in id order, the
 * batches sorted by ms, then partition.
 *
 * Method: fast-check draws arrival times (non-decreasing, as every shipped
 * workload makes them, and also in any order, which takes the general path)
 * and partitions for up to 60 records (in any order, some times NaN). Oracle: a plain grouping written
 * here: a key string per record, batches collected in first-seen order and
 * sorted. Both results must be deeply equal, and every record must sit in
 * exactly one batch.
 */
import { expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { buildArrivals, type Arrival } from '../../src/workload/schedule.ts';
import type { InputRecord } from '../../src/stream/records.ts';

function plainArrivals(records: readonly InputRecord[], arrivalMs: readonly number[], partitionOf: readonly number[]): Arrival[] {
  const byKey = new Map<string, Arrival>();
  records.forEach((r, i) => {
    const key = `${arrivalMs[i]}/${partitionOf[i]}`;
    const b = byKey.get(key);
    if (b) b.records.push(r);
    else byKey.set(key, { atMs: arrivalMs[i]!, partition: partitionOf[i]!, records: [r] });
  });
  return [...byKey.values()].sort((a, b) => a.atMs - b.atMs || a.partition - b.partition);
}

const drawn = fc
  .tuple(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 })), { maxLength: 60 }),
    fc.boolean(),
  )
  .map(([steps, sorted]) => {
    let ms = 0;
    const arrivalMs = steps.map(([gap], i) => (sorted ? (ms += gap) : gap === 3 && i % 5 === 0 ? Number.NaN : (gap * 7 + i * 3) % 11));
    const partitionOf = steps.map(([, p]) => p);
    const records: InputRecord[] = steps.map((_, id) => ({ id, ts: arrivalMs[id]!, key: `k${id % 3}`, value: id }));
    return { records, arrivalMs, partitionOf };
  });

test.prop([drawn], { numRuns: 300 })('buildArrivals equals the plain grouping, in time order and in any order', ({ records, arrivalMs, partitionOf }) => {
  const got = buildArrivals(records, arrivalMs, partitionOf);
  expect(got).toEqual(plainArrivals(records, arrivalMs, partitionOf));
  expect(got.flatMap((a) => a.records.map((r) => r.id)).sort((a, b) => a - b)).toEqual(records.map((r) => r.id));
});
