/**
 * When an adaptive sweep (`weir explore` without --workers) starts worker
 * threads: never during its own first `WARM_MS` (its first runs are slow
 * while V8 compiles, and a pace measured then would start workers for
 * sweeps they only slow down), never without seeds left or threads to add,
 * and after that exactly when the seeds left, at the median of the latest
 * run times, shared among all threads, outlast a worker's start-up and
 * warm-up. Cases on each side of every bound; the median is taken so that
 * one slow or fast run does not decide.
 */
import { describe, expect, it } from 'vitest';
import { WARM_MS, WORKER_START_MS, workersPayOff } from '../../src/explore/pool.ts';

describe('workersPayOff', () => {
  // Seeds left such that 10 ms a run, shared by two threads, is just over / just under the cost.
  const over = Math.floor((2 * WORKER_START_MS) / 10) + 1;
  const under = Math.floor((2 * WORKER_START_MS) / 10);

  it('waits out the warm-up, however many seeds are left', () => {
    expect(workersPayOff(WARM_MS - 1, [10, 10, 10], 1_000_000, 1)).toBe(false);
    expect(workersPayOff(WARM_MS, [10, 10, 10], 1_000_000, 1)).toBe(true);
  });

  it('starts workers only when the seeds left outlast their cost', () => {
    expect(workersPayOff(WARM_MS, [10], over, 1)).toBe(true);
    expect(workersPayOff(WARM_MS, [10], under, 1)).toBe(false);
    // Three threads share the rest: the same seeds no longer pay.
    expect(workersPayOff(WARM_MS, [10], over, 2)).toBe(false);
  });

  it('takes the median of the latest runs, not the mean or an outlier', () => {
    expect(workersPayOff(WARM_MS, [1, 10, 10_000], over, 1)).toBe(true);
    expect(workersPayOff(WARM_MS, [1, 9, 10_000], over, 1)).toBe(false);
  });

  it('never starts a worker with nothing to run or none to add', () => {
    expect(workersPayOff(10 * WARM_MS, [1_000], 0, 1)).toBe(false);
    expect(workersPayOff(10 * WARM_MS, [1_000], 1_000, 0)).toBe(false);
    expect(workersPayOff(10 * WARM_MS, [], 1_000, 1)).toBe(false);
  });
});
