/**
 * What this proves: every shipped scenario, run by the real engine in the
 * simulator, passes every check that applies to it — exactly-once lineage
 * against the batch reference, watermark correctness, liveness, restore
 * hashes, bank balances, join pairs — on random seeds and sizes, first
 * without faults, then under swarm faults in exactly-once mode (crashes of
 * every process kind, partitions, latency spikes, disk faults).
 *
 * How: fast-check draws the seed (and a size); the oracle is the checkers
 * themselves, which are shown to be able to fail in guarantees.test.ts and
 * bugs.test.ts. A failing case prints the run's repro token.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { denseBank, failed, run, SCENARIO_NAMES } from './helpers.ts';

describe.each(SCENARIO_NAMES)('%s', (scenario) => {
  it('passes every check without faults on random seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 200, max: 800 }), (seed, events) => {
        const r = run({ scenario, seed, events });
        expect(failed(r), r.token).toEqual([]);
      }),
      { numRuns: 3 },
    );
  });

  it('passes every check under swarm faults in exactly-once mode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const r = run({ scenario, seed, events: 600, faults: 'swarm' });
        expect(failed(r), r.token).toEqual([]);
      }),
      { numRuns: 4 },
    );
  });

  it('is deterministic: the same seed gives the same trace hash', () => {
    const a = run({ scenario, seed: 7, events: 300, faults: 'heavy' });
    const b = run({ scenario, seed: 7, events: 300, faults: 'heavy' });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.traceEvents).toBe(b.traceEvents);
    const c = run({ scenario, seed: 8, events: 300, faults: 'heavy' });
    expect(c.traceHash).not.toBe(a.traceHash);
  });
});

describe('bank over a dense stream', () => {
  it('passes every check under swarm faults in exactly-once mode (records in flight at every barrier)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const r = run({ scenario: 'bank', seed, events: 3_000, faults: 'swarm', checkpointIntervalMs: 20 }, { scenario: denseBank });
        expect(failed(r), r.token).toEqual([]);
      }),
      { numRuns: 4 },
    );
  });
});
