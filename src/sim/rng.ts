/**
 * Seeded randomness. One root seed; every consumer (network, disk, buggify,
 * faults, workload…) draws from its own stream forked from the root by name,
 * so adding a new consumer never reshuffles the draws of the others.
 *
 * Streams are seedrandom's Alea generator seeded with the string
 * `${rootSeed}/${name}` (nested forks append `/${name}`). Every decision is an
 * integer draw: `int32()` yields exact 32-bit integers, bounded draws use
 * rejection sampling (no modulo bias) and probabilities are integer ratios,
 * so no platform-dependent float ever decides anything.
 */
import seedrandom from 'seedrandom';

const TWO_POW_32 = 4294967296;
const INT32_LIMIT = 2147483648;

export class Rng {
  private readonly prng: seedrandom.PRNG;

  /** `path` is the full seed string of this stream, e.g. `42/network`. */
  constructor(readonly path: string) {
    this.prng = seedrandom.alea(path);
  }

  /** A uniform integer in [0, 2^32). */
  uint32(): number {
    return this.prng.int32() >>> 0;
  }

  /** A uniform integer in [0, n), 1 ≤ n ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    // The largest multiple of n that is ≤ 2^32: draws at or above it would
    // make low results more likely than high ones, so they are redrawn.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.prng.int32() >>> 0;
      // `| 0` keeps a result below 2^31 a small integer for V8, not a boxed double: object
      // fields holding draws (a record's value, a delay) then stay unboxed. Same value either way.
      if (x < limit) return n <= INT32_LIMIT ? (x % n) | 0 : x % n;
    }
  }

  /** A uniform integer in [lo, hi], both ends included. */
  range(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new RangeError(`Rng.range: need integers lo ≤ hi, got ${lo}, ${hi}`);
    }
    return lo + this.int(hi - lo + 1);
  }

  /**
   * True with probability num/den. Always consumes exactly one draw (even
   * for 0/den), so turning a knob from 0 to 1 does not shift later draws.
   */
  chance(num: number, den: number): boolean {
    if (!Number.isInteger(num) || !Number.isInteger(den) || den < 1 || num < 0 || num > den) {
      throw new RangeError(`Rng.chance: need integers 0 ≤ num ≤ den, den ≥ 1, got ${num}/${den}`);
    }
    return this.int(den) < num;
  }

  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new RangeError('Rng.pick: empty array');
    return arr[this.int(arr.length)];
  }

  /** Fisher–Yates, in place; returns `arr`. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }

  /** A named sub-stream that depends only on this stream's path and `name`, never on draws made so far. */
  fork(name: string): Rng {
    return new Rng(`${this.path}/${name}`);
  }
}

/** The root stream of a run. */
export function rootRng(seed: number | string): Rng {
  return new Rng(String(seed));
}
