/**
 * What this proves: the property-test helpers work as a user would use them.
 * `faultPlanArbitrary` draws only well-formed plans (times inside the
 * horizon, targets among the run's processes, a partition between two
 * different processes, no overlapping outages of one process);
 * `weirProperty` passes on a correct pipeline, and on a planted bug fails
 * with the failed check and a token that replays it, after fast-check has
 * shrunk the run, and a report whose trace hash (its runs are made without
 * one) is that of the run replayed from the token; its options for spare task managers and unaligned
 * checkpoints reach every generated run.
 * How: fast-check over plans; fixed-seed `fc.check` runs of weirProperty
 * on small wordcount runs (deterministic: the same seed, the same runs).
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { faultPlanArbitrary, runProcesses, runSettingsArbitrary, RunFailed, weirProperty } from '../../src/explore/property.ts';
import { outagesDisjoint } from '../../src/explore/shrink-tree.ts';
import { decodeToken } from '../../src/explore/settings.ts';
import { runScenario } from '../../src/explore/run.ts';

describe('faultPlanArbitrary', () => {
  const { processes, crashable } = runProcesses();
  test.prop([faultPlanArbitrary({ horizonMs: 2_000, maxFaults: 6 })])('draws well-formed plans', (plan) => {
    expect(plan.faults.length).toBeLessThanOrEqual(6);
    expect(outagesDisjoint(plan.faults)).toBe(true);
    for (const f of plan.faults) {
      expect(f.atMs).toBeGreaterThanOrEqual(0);
      expect(f.atMs).toBeLessThan(2_000);
      if (f.kind === 'crash') expect(crashable).toContain(f.process);
      if (f.kind === 'partition') {
        expect(f.a).not.toBe(f.b);
        expect(processes).toEqual(expect.arrayContaining([f.a, f.b]));
      }
      if ('durationMs' in f) expect(f.durationMs).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('weirProperty', () => {
  it('holds for a correct pipeline', () => {
    const r = fc.check(weirProperty({ scenario: 'wordcount', events: { min: 40, max: 120 }, faults: { maxFaults: 2 } }), { numRuns: 3, seed: 7 });
    expect(r.failed, String(r.errorInstance)).toBe(false);
  });

  it('carries spare task managers and unaligned checkpoints into every run, with faults on the spares too', () => {
    const seen = { spares: 0, unaligned: 0, spareTargeted: false };
    const prop = weirProperty({ scenario: 'bank', events: { min: 40, max: 80 }, faults: { maxFaults: 3 }, spareTaskManagers: 1, unaligned: true });
    const r = fc.check(prop, { numRuns: 3, seed: 11 });
    expect(r.failed, String(r.errorInstance)).toBe(false);
    fc.assert(
      fc.property(runSettingsArbitrary({ scenario: 'bank', spareTaskManagers: 1, unaligned: true, faults: { maxFaults: 6 } }), (s) => {
        if (s.spareTaskManagers === 1) seen.spares++;
        if (s.unaligned === true) seen.unaligned++;
        if (s.plan?.faults.some((f) => ('process' in f && f.process === 'tm-2') || (f.kind === 'partition' && (f.a === 'tm-2' || f.b === 'tm-2')))) seen.spareTargeted = true;
      }),
      { numRuns: 50, seed: 3 },
    );
    expect(seen).toEqual({ spares: 50, unaligned: 50, spareTargeted: true });
  });

  it('fails on a planted bug with the failed check and a replayable token, shrunk', () => {
    const r = fc.check(
      weirProperty({ scenario: 'wordcount', bugs: ['drop-late-silently'], events: { min: 200, max: 400 }, faults: { maxFaults: 2 } }),
      { numRuns: 10, seed: 42 },
    );
    expect(r.failed).toBe(true);
    const err = r.errorInstance as RunFailed;
    expect(err).toBeInstanceOf(RunFailed);
    expect(err.message).toMatch(/^exactly-once: /);
    const [settings] = r.counterexample!;
    expect(settings.events).toBeLessThanOrEqual(400);
    const replay = runScenario(decodeToken(err.report.token));
    expect(replay.checks.find((c) => c.name === 'exactly-once')?.ok).toBe(false);
    // The property's runs skip the hash; the failing report's hash is the hashed run's, also when serialized.
    expect(err.report.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(replay.traceHash).toBe(err.report.traceHash);
    expect((JSON.parse(JSON.stringify(err.report)) as { traceHash: string }).traceHash).toBe(replay.traceHash);
  });
});
