/**
 * What this proves: every scenario with a Kafka Streams build runs on the
 * Kafka Streams engine end to end and passes every check that applies under
 * heavy faults in exactly-once mode (exactly_once_v2), on fixed seeds where
 * application instances really crash and restart and their tasks really are
 * revoked and lost (the `ks.revoked` / `ks.lost` trace events are counted);
 * and that at-least-once is caught on the stateful scenarios.
 *
 * How: fixed seeds (found by sweeping) and small event counts keep it to a
 * few seconds; the oracle is the scenarios' own checkers.
 */
import { describe, expect, it } from 'vitest';
import { failed, run } from './helpers.ts';
import { runScenario, type RunReport } from '../../src/explore/run.ts';
import { decodeToken } from '../../src/explore/settings.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

const KSTREAMS_SCENARIOS = ['wordcount', 'sessions', 'sliding-average', 'join', 'bank', 'chained', 'enrich', 'tables'] as const;

function runKs(scenario: string, seed: number, opts: { events?: number; guarantee?: 'exactly-once' | 'at-least-once' } = {}) {
  const counts = { lost: 0, revoked: 0, instanceCrashes: 0 };
  const subscriber = (e: TraceEvent): void => {
    if (e.kind === 'ks.lost') counts.lost++;
    if (e.kind === 'ks.revoked') counts.revoked++;
    if (e.kind === 'proc.crash' && e.p.startsWith('ks-')) counts.instanceCrashes++;
  };
  const report: RunReport = run(
    { scenario, seed, engine: 'kstreams', events: opts.events ?? 300, faults: 'heavy', guarantee: opts.guarantee ?? 'exactly-once' },
    { subscribers: [subscriber] },
  );
  return { report, counts };
}

describe('every scenario on the Kafka Streams engine', () => {
  const totals = { lost: 0, revoked: 0, instanceCrashes: 0, restarts: 0 };

  it.each(KSTREAMS_SCENARIOS)('%s passes every check under heavy faults (exactly-once)', (scenario) => {
    const { report, counts } = runKs(scenario, 2);
    expect(report.engine).toBe('kstreams');
    expect(failed(report), report.token).toEqual([]);
    expect(report.output.committed).toBeGreaterThan(0);
    totals.lost += counts.lost;
    totals.revoked += counts.revoked;
    totals.instanceCrashes += counts.instanceCrashes;
    totals.restarts += report.faults.restarts;
  });

  it('those runs crashed and restarted instances and revoked their tasks', () => {
    expect(totals.instanceCrashes).toBeGreaterThan(0);
    expect(totals.restarts).toBeGreaterThan(0);
    expect(totals.revoked).toBeGreaterThan(KSTREAMS_SCENARIOS.length);
  });

  it('an instance cut off from the broker loses its tasks (TaskMigrated), and the records it had not fetched are still processed', () => {
    // bank, seed 51: ks-1 is partitioned from the broker near the end; its shutdown commit is fenced.
    const { report, counts } = runKs('bank', 51, { events: 1_000 });
    expect(counts.lost).toBeGreaterThan(0);
    expect(failed(report), report.token).toEqual([]);
  });
});

describe('at-least-once on the Kafka Streams engine is caught', () => {
  it('bank: replayed movements are applied twice after a crash', () => {
    const { report } = runKs('bank', 3, { guarantee: 'at-least-once' });
    expect(failed(report).some((f) => f.startsWith('bank.twice'))).toBe(true);
  });

  /** The first of seeds 1..12 whose at-least-once run fails every check named; it must pass under exactly-once. */
  const caughtThenClean = (scenario: string, checks: string[]): void => {
    const seed = Array.from({ length: 12 }, (_, i) => i + 1).find((s) => {
      const f = failed(runKs(scenario, s, { events: 1_000, guarantee: 'at-least-once' }).report);
      return checks.every((c) => f.some((x) => x.startsWith(c)));
    });
    expect(seed, `no seed of 1..12 failed ${checks.join(' and ')}`).toBeDefined();
    expect(failed(runKs(scenario, seed!, { events: 1_000 }).report)).toEqual([]);
  };

  it('enrich: orders are enriched twice and the table goes back after a crash (counted as replays under at-least-once)', () => {
    const seed = Array.from({ length: 12 }, (_, i) => i + 1).find((s) => {
      const checks = runKs('enrich', s, { events: 1_000, guarantee: 'at-least-once' }).report.checks;
      return /by a replay, as at-least-once allows/.test(checks.find((c) => c.name === 'enrich.join')?.detail ?? '') &&
        /by a replay, as at-least-once allows/.test(checks.find((c) => c.name === 'enrich.table')?.detail ?? '');
    });
    expect(seed, 'no seed of 1..12 showed replays in enrich.join and enrich.table').toBeDefined();
    expect(failed(runKs('enrich', seed!, { events: 1_000 }).report)).toEqual([]);
  });

  it('tables: a replayed change is applied to its group twice after a crash', () => {
    caughtThenClean('tables', ['tables.aggregate']);
  });

  it('the same seed passes under exactly-once', () => {
    expect(failed(runKs('bank', 3).report)).toEqual([]);
  });
});

describe('a resumed join task', () => {
  it('join, heavy seed 469: a task resumed on ks-0 whose restore reads records past its stores\' offsets joins with them', () => {
    // The soak of the round that brought suspension and resumption found this (on seed 8,363, a task
    // resumed on ks-1): the join's index over its window store was kept through the suspension, so the
    // records the tail restore added were in the store but not in the index, and six pairs were never
    // joined. The index is now built again at each init, over the store as restored. Since Kafka
    // Streams initialises its producer at its first task, seed 8,363 no longer resumes a task whose
    // restore reads anything; on seed 469 ks-0 suspends task 1_0 at 1,999 ms, is cut off from the broker
    // while ks-1 runs it, and gets it back at 5,798 ms, its restore reading 100 records into each join
    // store (with the index kept through the suspension, eight pairs are never joined there).
    const resumedRestores: TraceEvent[] = [];
    const r = runScenario(decodeToken('w2.eyJzY2VuYXJpbyI6ImpvaW4iLCJlbmdpbmUiOiJrc3RyZWFtcyIsInNlZWQiOjQ2OSwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoiaGVhdnkiLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoxNzI3LCJhIjoia3MtMSIsImIiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjEzMTl9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTc5NCwicHJvY2VzcyI6ImtzLTEiLCJyZXN0YXJ0QWZ0ZXJNcyI6MTAyfSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoyMzY0LCJhIjoia3MtMCIsImIiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoxODYwfSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjozNTUwLCJhIjoiYnJva2VyIiwiYiI6ImtzLTAiLCJkdXJhdGlvbk1zIjoxOTYwfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6MzYzMSwicHJvY2VzcyI6ImtzLTAiLCJkdXJhdGlvbk1zIjo5NCwiZXh0cmFNcyI6MTkyfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6MzczOCwicHJvY2VzcyI6ImtzLTEiLCJkdXJhdGlvbk1zIjoxMjAzLCJleHRyYU1zIjoxMTh9XX19'), {
      subscribers: [(e) => {
        if (e.kind === 'ks.restored' && e.source === 'resumed' && (e.records as number) > 0) resumedRestores.push(e);
      }],
    });
    expect(failed(r), r.token).toEqual([]);
    expect(resumedRestores.map((e) => [e.p, e.task])).toEqual([['ks-0', '1_0'], ['ks-0', '1_0']]);
    expect(r.checks.find((c) => c.name === 'join')!.detail).toMatch(/^302 pairs committed, reference has 302/);
  });
});

describe('suppress after a restart (KAFKA-7895)', () => {
  it('wordcount-final, seed 465, ks-1 then ks-0 crashing near the end: a record taken by a task created afresh into a window no later record closes is pending, not lost', () => {
    // ks-1 crashes at 19,844 ms and ks-0 at 21,000, before ks-1 is back (21,944): the flush record (event
    // time 29,942) that closes every window has been read and committed past by then, and a counting
    // task created afresh from that committed offset (operator stream time is not restored) takes
    // records its upstream tasks process again into the repartition topic behind the flush record,
    // into windows no later record closes; suppress holds them back until the job ends. (The same
    // mechanism at 19,944 and 21,400 ms, this test's earlier plan, no longer lines up since tasks
    // commit once more to step over transaction markers; one crash does not show it: a task that
    // stays on its instance through a rebalance is resumed, and drops such a straggler as late.)
    const plan = { faults: [{ kind: 'crash' as const, atMs: 19_844, process: 'ks-1', restartAfterMs: 2_100 }, { kind: 'crash' as const, atMs: 21_000, process: 'ks-0', restartAfterMs: 1_500 }] };
    const r = run({ scenario: 'wordcount-final', engine: 'kstreams', seed: 465, plan });
    expect(failed(r), r.token).toEqual([]);
    expect(r.checks.find((c) => c.name === 'exactly-once')!.detail).toMatch(/[1-9]\d* pending/);
  });
});

describe('enrich runs on Kafka Streams only', () => {
  it('has no Flink build', () => {
    expect(() => run({ scenario: 'enrich', seed: 1 })).toThrow(/no flink build/);
  });
});
