/**
 * What this proves: every judge names all the trace kinds it reads. A judge
 * (and the run's own notes, the engine deployments, the coverage probe) is
 * handed only the events of the kinds it names, and the events no one wants
 * are hashed and never built; a judge that forgot a kind would silently see
 * less and judge more leniently.
 *
 * How: run each scenario on each of its engines on swarm seed 1, and
 * each planted bug at its place on seed 1 (where about half the judges find
 * problems), twice: as shipped, and with `everyKind`, which hands every
 * event to every judge. The reports (every check's verdict and detail,
 * counts, trace hash) and the coverage counts must be the same. The last
 * case plants a judge that forgot one of its kinds, and shows that the
 * comparison catches it.
 */
import { describe, expect, it, vi } from 'vitest';
import { runScenario, type RunOptions } from '../../src/explore/run.ts';
import { CoverageProbe } from '../../src/explore/coverage.ts';
import { SCENARIOS, findScenario } from '../../scenarios/index.ts';
import { enginesOf, scenarioGuarantee } from '../../src/explore/engines.ts';
import { BUGS, type BugName } from '../../src/explore/bugs.ts';
import { BUG_PLACES, placeShape } from '../support/bug-places.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import { SourceBoundTrace } from '../../src/check/source-bound.ts';

function judged(settings: RunSettings, opts: RunOptions = {}): unknown {
  const scenario = findScenario(settings.scenario)!;
  const probe = new CoverageProbe(scenario);
  const { phaseMs: _phaseMs, ...report } = runScenario(settings, { ...opts, scenario: probe.scenario, subscribers: [probe.subscriber] });
  return { report, coverage: probe.finish() };
}

const SEEDS = [1];

describe('trace kinds: each judge reads only the kinds it names', () => {
  for (const s of SCENARIOS) {
    for (const engine of enginesOf(s)) {
      it(`${s.name} on ${engine}: the same report when every judge sees every event`, () => {
        for (const seed of SEEDS) {
          const settings: RunSettings = { scenario: s.name, engine, seed, guarantee: scenarioGuarantee(s, engine), faults: 'swarm', bugs: [] };
          expect(judged(settings, { everyKind: true })).toEqual(judged(settings));
        }
      });
    }
  }

  it('every planted bug at its place: the same report, problems and all, when every judge sees every event', () => {
    let failing = 0;
    const bugs = Object.keys(BUGS) as BugName[];
    for (const bug of bugs) {
      const settings = { guarantee: 'exactly-once', ...placeShape(BUG_PLACES[bug]), bugs: [bug], seed: 1 } as RunSettings;
      const shipped = judged(settings) as { report: { ok: boolean } };
      if (!shipped.report.ok) failing++;
      expect(judged(settings, { everyKind: true })).toEqual(shipped);
    }
    // The comparison covered judges that found problems, not only passing verdicts.
    expect(failing).toBeGreaterThan(bugs.length / 3);
  });

  it('a judge that leaves out a kind it reads is caught: its verdict differs from the one that sees every event', () => {
    // watermark.source-bound judges each source watermark by what source.fetch said was read; the
    // planted mistake forgets source.fetch, so it judges no watermark at all (and passes vacuously).
    const settings: RunSettings = { scenario: 'bank', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] };
    const shipped = judged(settings);
    const spy = vi.spyOn(SourceBoundTrace.prototype, 'kinds', 'get').mockReturnValue(['source.restore', 'watermark']);
    try {
      type Judged = { report: { checks: { name: string; detail: string }[] } };
      const verdict = (j: unknown): string | undefined => (j as Judged).report.checks.find((c) => c.name === 'watermark.source-bound')?.detail;
      const planted = judged(settings);
      expect(verdict(planted)).not.toBe(verdict(shipped));
      expect(planted).not.toEqual(judged(settings, { everyKind: true }));
      expect(judged(settings, { everyKind: true })).toEqual(shipped);
    } finally {
      spy.mockRestore();
    }
  });
});
