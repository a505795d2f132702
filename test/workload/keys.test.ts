/**
 * The skewed key chooser (src/workload/keys.ts) finds a draw's key through a
 * guide table. Proved by fast-check: for random key counts and seeds, every
 * key it picks is the one the definition gives (key i has weight
 * floor(1,000,000 / (i + 1)), at least 1; draw x in [0, total) picks the
 * first key whose running total of weights exceeds x), read off a second
 * stream with the same seed, so the same workloads come out as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyChooser } from '../../src/workload/keys.ts';
import { Rng } from '../../src/sim/rng.ts';

function byDefinition(rng: Rng, keys: number): () => string {
  const weights = Array.from({ length: keys }, (_, i) => Math.max(1, Math.floor(1_000_000 / (i + 1))));
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    const x = rng.int(total);
    let run = 0;
    for (let i = 0; i < keys; i++) {
      run += weights[i]!;
      if (run > x) return `k${i}`;
    }
    throw new Error('no key');
  };
}

describe('workload/keys', () => {
  it('the skewed chooser picks the key its weights define, draw for draw', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 0, max: 1_000_000 }), (keys, seed) => {
      const fast = keyChooser(new Rng(`${seed}/keys`), keys, true);
      const slow = byDefinition(new Rng(`${seed}/keys`), keys);
      for (let n = 0; n < 300; n++) expect(fast()).toBe(slow());
    }), { numRuns: 60 });
  });

  it('the uniform chooser names keys k0..k(n-1)', () => {
    const next = keyChooser(new Rng('1/keys'), 3, false);
    const seen = new Set(Array.from({ length: 200 }, next));
    expect([...seen].sort()).toEqual(['k0', 'k1', 'k2']);
  });
});
