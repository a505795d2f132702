/**
 * What this proves: `runScenario`, called from the library with settings
 * left out, misspelt or out of bounds (a misspelt optional one would run with its default), refuses them with one clear error
 * (`InvalidSettingsError`, exported from the package entry) instead of
 * running: without a guarantee, Kafka Streams would run without
 * exactly-once while its judges judged it as exactly-once.
 *
 * How: runs with no guarantee, a misspelt guarantee, no fault profile, no
 * bug list, an unknown bug's name, a fractional seed, a misspelt
 * optional setting, and optional values a token could not carry (a
 * negative event count, an unknown engine, a malformed plan), each
 * expected to throw that error naming the setting; and the same settings
 * completed, which run and pass.
 */
import { describe, expect, it } from 'vitest';
import { InvalidSettingsError, runScenario } from '../../src/index.ts';
import type { RunSettings } from '../../src/explore/settings.ts';

const good = { scenario: 'etl', engine: 'kstreams', seed: 1, events: 100, guarantee: 'exactly-once', faults: 'none', bugs: [] } as const;

function refused(s: Record<string, unknown>): string {
  try {
    runScenario(s as unknown as RunSettings);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidSettingsError);
    return (e as Error).message;
  }
  throw new Error('the settings ran');
}

describe('runScenario with incomplete settings', () => {
  it('refuses a run without a guarantee, or with one it does not know', () => {
    const { guarantee: _, ...noGuarantee } = good;
    expect(refused(noGuarantee)).toBe('runScenario: settings.guarantee must be one of exactly-once, at-least-once, at-most-once (got nothing)');
    expect(refused({ ...good, guarantee: 'exactly_once' })).toContain('(got "exactly_once")');
  });

  it('refuses a run without a fault profile, a bug list or an integer seed', () => {
    const { faults: _f, ...noFaults } = good;
    expect(refused(noFaults)).toContain('settings.faults must be one of none, light, heavy, swarm');
    const { bugs: _b, ...noBugs } = good;
    expect(refused(noBugs)).toContain('settings.bugs must be a list');
    expect(refused({ ...good, bugs: ['no-such-bug'] })).toContain('(got ["no-such-bug"])');
    expect(refused({ ...good, seed: 1.5 })).toContain('settings.seed must be an integer (got 1.5)');
    expect(refused({ ...good, spareTaskManager: 1 })).toContain("unknown setting 'spareTaskManager'");
  });

  it('refuses an optional value a token could not carry: a size out of bounds, an unknown engine, a malformed plan', () => {
    expect(refused({ ...good, events: -5 })).toBe('runScenario: settings: events must be an integer from 1 to 2,000,000 (every input record and its lineage stay in memory), got -5');
    expect(refused({ ...good, parallelism: 2.5 })).toContain('parallelism must be an integer');
    expect(refused({ ...good, engine: 'storm' })).toContain('unknown engine (weir has flink, kstreams, spark)');
    expect(refused({ ...good, unaligned: 'yes' })).toContain('unaligned is not true or false');
    expect(refused({ ...good, plan: { faults: [{ kind: 'crash' }] } })).toMatch(/^runScenario: settings: /);
  });

  it('runs the same settings once they are complete', () => {
    const r = runScenario({ ...good, bugs: [] });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
