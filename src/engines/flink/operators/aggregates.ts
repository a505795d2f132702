/**
 * Aggregate functions for windows (Flink's AggregateFunction): an
 * accumulator created per window, `add` per record, `merge` when session
 * windows merge, `getResult` at each firing. Accumulators are plain JSON so
 * that they snapshot as they are.
 */
export interface AggregateFunction<A = unknown, IN = unknown> {
  readonly name: string;
  createAccumulator(): A;
  add(value: IN, acc: A): A;
  merge(a: A, b: A): A;
  getResult(acc: A): number;
}

interface SumCount {
  sum: number;
  count: number;
}

/** The number of records. */
export const countAggregate: AggregateFunction<SumCount> = {
  name: 'count',
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (_v, acc) => ((acc.count += 1), acc),
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  getResult: (acc) => acc.count,
};

/** The sum of the records' `value`s. */
export const sumAggregate: AggregateFunction<SumCount, { value: number }> = {
  name: 'sum',
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (v, acc) => ((acc.sum += v.value), (acc.count += 1), acc),
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  getResult: (acc) => acc.sum,
};

/** Integer average: floor(sum / count), so no float decides anything. */
export const avgAggregate: AggregateFunction<SumCount, { value: number }> = {
  ...sumAggregate,
  name: 'avg',
  getResult: (acc) => (acc.count === 0 ? 0 : Math.floor(acc.sum / acc.count)),
};
