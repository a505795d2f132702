/**
 * Key choice for workloads: uniform over `keys` keys, or Zipf-like skew
 * (`keySkew`), where key i has integer weight `floor(1_000_000 / (i + 1))`,
 * so `k0` is about twice as common as `k1` and a few hot keys carry most
 * records. Integer weights and an integer draw keep it platform-independent.
 */
import type { Rng } from '../sim/rng.ts';

const WEIGHT_SCALE = 1_000_000;

export function keyName(i: number): string {
  return `k${i}`;
}

export function keyChooser(rng: Rng, keys: number, skew: boolean): () => string {
  // One string per key, built once: a workload of a million records names a few thousand keys.
  const names: string[] = [];
  const nameOf = (i: number): string => (names[i] ??= keyName(i));
  if (!skew) return () => nameOf(rng.int(keys));
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < keys; i++) {
    total += Math.max(1, Math.floor(WEIGHT_SCALE / (i + 1)));
    cumulative.push(total);
  }
  return () => {
    const x = rng.int(total);
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return nameOf(lo);
  };
}
