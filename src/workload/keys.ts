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
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let i = 0; i < keys; i++) {
    total += Math.max(1, Math.floor(WEIGHT_SCALE / (i + 1)));
    cumulative[i] = total;
  }
  // The key of draw x is the first i with cumulative[i] > x. A guide table says, per slice of the
  // draws, the key of the slice's first draw; the search starts there and steps forward (a step or
  // two on average) instead of bisecting the whole table.
  const slices = 4 * keys;
  const sliceSize = Math.ceil(total / slices);
  const guide = new Int32Array(slices);
  for (let j = 0, i = 0; j < slices; j++) {
    while (i < keys - 1 && cumulative[i]! <= j * sliceSize) i++;
    guide[j] = i;
  }
  return () => {
    const x = rng.int(total);
    let i = guide[Math.floor(x / sliceSize)]!;
    while (cumulative[i]! <= x) i++;
    return nameOf(i);
  };
}
