/**
 * Shrinking a planted recovery bug. Proves: `source-not-rewound` on bank
 * under heavy faults — a bug whose counterexample used to stay at hundreds
 * of records, because leaving records out moved the crash away from the
 * checkpoint it breaks — shrinks to at most 30 input records and 3 faults,
 * its faults anchored; the shrunk token replays to the same failure.
 *
 * How: run the first seeds of the bug's place (as `npm run bench:shrink`
 * sweeps it) until one fails bank.balance, shrink that run with a budget
 * small enough for a test, then decode and run the shrunk token.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/explore/run.ts';
import { shrinkFailure } from '../../src/explore/shrink.ts';
import { decodeToken, type RunSettings } from '../../src/explore/settings.ts';

describe('shrinking a recovery bug', () => {
  it('source-not-rewound shrinks to ≤ 30 records and ≤ 3 anchored faults that replay the failure', () => {
    const check = 'bank.balance';
    let failing: RunSettings | undefined;
    for (let seed = 1; seed <= 6 && !failing; seed++) {
      const s: RunSettings = { scenario: 'bank', seed, events: 500, guarantee: 'exactly-once', faults: 'heavy', bugs: ['source-not-rewound'] };
      const r = runScenario(s);
      if (r.checks.some((c) => c.name === check && !c.ok)) failing = decodeToken(r.token);
    }
    expect(failing, 'no seed of 1..6 fails bank.balance').toBeDefined();
    const out = shrinkFailure(failing!, check, { budget: { maxRuns: 150, maxMs: 15_000 } });
    expect(out.anchored).toBe(true);
    expect(out.after.events).toBeLessThanOrEqual(30);
    expect(out.after.faults).toBeLessThanOrEqual(3);
    expect(out.after.faults).toBeGreaterThan(0);

    const settings = decodeToken(out.token);
    expect(settings.keepIds?.length ?? settings.events).toBe(out.after.events);
    expect(settings.plan!.faults.every((f) => f.after !== undefined)).toBe(true);
    const replay = runScenario(settings);
    const failed = replay.checks.find((c) => c.name === check);
    expect(failed?.ok).toBe(false);
    expect(failed?.detail).toBe(out.detail);
  }, 40_000);
});
