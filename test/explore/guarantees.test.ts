/**
 * What this proves: the checkers can fail. Under crashes, at-least-once
 * (barriers without alignment, plain sink) is caught duplicating, and
 * at-most-once (no replay after a restart) is caught losing, on some seeds
 * of the same scenarios that pass in exactly-once mode.
 *
 * How: sweep a short, fixed list of seeds with heavy faults and require
 * that some seed fails the exactly-once accounting with the expected kind of
 * violation; each sweep stops at the first failing seed.
 */
import { describe, expect, it } from 'vitest';
import { run } from './helpers.ts';
import type { RunSettings } from '../../src/explore/settings.ts';

function firstFailure(base: Omit<RunSettings, 'seed'>, seeds: number[], check: RegExp): { seed: number; detail: string } | undefined {
  for (const seed of seeds) {
    const r = run({ ...base, seed });
    const bad = r.checks.find((c) => !c.ok && check.test(c.name));
    if (bad) return { seed, detail: bad.detail };
  }
  return undefined;
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('guarantee sensitivity', () => {
  it('catches at-least-once duplicating under crashes', () => {
    const f = firstFailure({ scenario: 'wordcount', guarantee: 'at-least-once', faults: 'heavy', bugs: [] }, SEEDS, /^exactly-once$/);
    expect(f, 'no seed showed a duplicate').toBeDefined();
    expect(f!.detail).toMatch(/twice/);
  });

  it('catches at-most-once losing under crashes', () => {
    const f = firstFailure({ scenario: 'bank', guarantee: 'at-most-once', faults: 'heavy', bugs: [] }, SEEDS, /^bank\.lost$/);
    expect(f, 'no seed showed a loss').toBeDefined();
  });
});
