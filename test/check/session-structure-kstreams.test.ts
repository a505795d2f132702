/**
 * `session.structure` on Kafka Streams (exactly-once). It restores exactly
 * the committed sessions, so the one excused split is a session its store's
 * retention hid from a record's lookup after a restore (`hiddenFrom`, judged
 * by `ks.retention`): the judge runs with no arrivals. A real run of
 * `sessions` passes it, one with such splits too; two records exactly one
 * gap apart kept in two touching sessions (a merge test using < for <=)
 * fail it unless the later record's lookup passed over the earlier
 * session, while the one merged session passes. A record that merged
 * into a session begun over a hidden one (the hidden session's lookup was
 * another record's, of the same final session) is excused too, in a unit
 * case: no real run of this build needs that excuse (with it switched off,
 * `sessions` on Kafka Streams passed seeds 1–13,000 of heavy faults and
 * 1–10,000 of swarm, and seeds 1–1,500 of each since the broker answers
 * EndTxn once its decision is durable). The soak's heavy seed 7,430, where
 * an earlier build needed it (record 988's lookup passed over record 981's
 * restored session and 989, 20 ms after 981, merged into 988's), is kept
 * as a run whose restores hide 119 sessions from lookups (98 before the
 * broker answered EndTxn early) and which passes.
 */
import { describe, expect, it } from 'vitest';
import { checkSessionStructure } from '../../src/check/sessions.ts';
import { runScenario } from '../../src/explore/run.ts';
import { session } from '../../src/stream/assigners.ts';
import type { WindowResult } from '../../src/stream/records.ts';

describe('session.structure on Kafka Streams', () => {
  it('is judged on a real exactly-once run, and passes', () => {
    const report = runScenario({ scenario: 'sessions', engine: 'kstreams', seed: 2, guarantee: 'exactly-once', faults: 'swarm', bugs: [] });
    const verdict = report.checks.find((c) => c.name === 'session.structure');
    expect(verdict?.ok, verdict?.detail).toBe(true);
    expect(verdict?.detail).toMatch(/final sessions of \d+ keys/);
  });

  it('fails two touching sessions that should have merged, with no arrival to excuse them', () => {
    const spec = { assigner: session(500), aggregate: 'count' as const, allowedLatenessMs: 300 };
    const input = [{ id: 1, ts: 1_000, key: 'k', value: 1 }, { id: 2, ts: 1_500, key: 'k', value: 1 }];
    const result = (start: number, end: number, ids: number[]): WindowResult => ({ type: 'window', key: 'k', start, end, value: ids.length, firing: 0, ids, ts: end - 1 });
    expect(checkSessionStructure(input, [result(1_000, 2_000, [1, 2])], spec, new Map()).ok).toBe(true);
    const split = checkSessionStructure(input, [result(1_000, 1_500, [1]), result(1_500, 2_000, [2])], spec, new Map());
    expect(split.ok).toBe(false);
    expect(split.detail).toContain('key k session [1000,1500) and [1500,2000) should be one session');
    // Record 2's lookup passed over session [1000, 1000] (the window [1000,1500)): excused; over another one: not.
    const hidden = (w: string) => new Map([[2, new Set([w])]]);
    const excused = checkSessionStructure(input, [result(1_000, 1_500, [1]), result(1_500, 2_000, [2])], spec, new Map(), hidden('1000:1500:k'));
    expect(excused.ok, excused.detail).toBe(true);
    expect(excused.detail).toContain('1 pair of a key that touch or overlap');
    expect(checkSessionStructure(input, [result(1_000, 1_500, [1]), result(1_500, 2_000, [2])], spec, new Map(), hidden('0:500:k')).ok).toBe(false);
  });

  it('passes a real run whose restores hid sessions from later records, and ks.retention judged each', () => {
    // Swarm seed 69: the first seed whose one restored session passed over by a lookup left one touching
    // pair (seed 6 showed it before the broker answered EndTxn once its decision was durable).
    const report = runScenario({ scenario: 'sessions', engine: 'kstreams', seed: 69, guarantee: 'exactly-once', faults: 'swarm', bugs: [] });
    expect(report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
    expect(report.checks.find((c) => c.name === 'session.structure')?.detail).toContain('1 pair of a key that touch or overlap');
    expect(report.checks.find((c) => c.name === 'ks.retention')?.detail).toMatch(/^1 restored session passed over by a lookup/);
  });

  it('excuses the later records of a session begun over a hidden one, which could not see it either', () => {
    const spec = { assigner: session(500), aggregate: 'count' as const, allowedLatenessMs: 300 };
    const input = [{ id: 1, ts: 1_000, key: 'k', value: 1 }, { id: 2, ts: 1_000, key: 'k', value: 1 }, { id: 3, ts: 1_020, key: 'k', value: 1 }];
    const result = (start: number, end: number, ids: number[]): WindowResult => ({ type: 'window', key: 'k', start, end, value: ids.length, firing: 0, ids, ts: end - 1 });
    const results = [result(1_000, 1_500, [1]), result(1_000, 1_520, [2, 3])];
    // Record 2's lookup passed over record 1's session; record 3 joined record 2's session, not 1's.
    const fromTwo = checkSessionStructure(input, results, spec, new Map(), new Map([[2, new Set(['1000:1500:k'])]]));
    expect(fromTwo.ok, fromTwo.detail).toBe(true);
    // Nothing of the later session's records passed over the earlier one: not excused.
    expect(checkSessionStructure(input, results, spec, new Map(), new Map([[2, new Set(['0:500:k'])]])).ok).toBe(false);
    // The soak's run that needed the excuse on an earlier build (this build's passes without it).
    const report = runScenario({ scenario: 'sessions', engine: 'kstreams', seed: 7_430, guarantee: 'exactly-once', faults: 'heavy', bugs: [] }, { hashTrace: false });
    const verdict = report.checks.find((c) => c.name === 'session.structure');
    expect(verdict?.ok, verdict?.detail).toBe(true);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
