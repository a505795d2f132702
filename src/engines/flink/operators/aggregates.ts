/**
 * Aggregate functions for windows (Flink's AggregateFunction): an
 * accumulator created per window, `add` per record, `merge` when session
 * windows merge, `getResult` at each firing. Accumulators are plain JSON so
 * that they snapshot as they are.
 */
export interface AggregateFunction<A = unknown> {
  readonly name: string;
  createAccumulator(): A;
  add(value: unknown, acc: A): A;
  merge(a: A, b: A): A;
  getResult(acc: A): number;
}

interface SumCount {
  sum: number;
  count: number;
}

const valueOf = (v: unknown): number => (v as { value: number }).value;

export const countAggregate: AggregateFunction<SumCount> = {
  name: 'count',
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (_v, acc) => ((acc.count += 1), acc),
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  getResult: (acc) => acc.count,
};

export const sumAggregate: AggregateFunction<SumCount> = {
  name: 'sum',
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (v, acc) => ((acc.sum += valueOf(v)), (acc.count += 1), acc),
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  getResult: (acc) => acc.sum,
};

/** Integer average: floor(sum / count), so no float decides anything. */
export const avgAggregate: AggregateFunction<SumCount> = {
  ...sumAggregate,
  name: 'avg',
  getResult: (acc) => (acc.count === 0 ? 0 : Math.floor(acc.sum / acc.count)),
};
