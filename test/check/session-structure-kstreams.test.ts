/**
 * `session.structure` on Kafka Streams (exactly-once). Its session store
 * keeps every session for the whole run and restores exactly the committed
 * ones, so no split of touching sessions is excused: the judge runs with no
 * arrivals. A real run of `sessions` passes it; two records exactly one gap
 * apart kept in two touching sessions (a merge test using < for <=) fail it,
 * while the one merged session passes.
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
  });
});
