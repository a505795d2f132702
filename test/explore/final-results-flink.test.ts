/**
 * What this proves: `wordcount-final` runs on Flink the way Flink gets one
 * final result per window (an event-time window with no allowed lateness,
 * the grace folded into the watermark's delay, as Spark's append mode
 * folds it): every window fires once, on time, and a crash changes nothing
 * a read-committed reader sees. Its runs are judged by the window spec of
 * its Flink build (no allowed lateness) rather than the scenario's (200 ms
 * of grace), so the checks can fail it: a Flink build that keeps the grace
 * as allowed lateness, and so fires late updates, fails `window.panes` and
 * `watermark.lateness`. The coverage probe leaves out the allowed-lateness
 * edges such a build cannot reach.
 *
 * How: fixed seeds under swarm and heavy faults (one with crashes and
 * restores), the scenario's own checkers as the oracle, and the scenario
 * with its Flink build swapped for the late-firing one.
 */
import { describe, expect, it } from 'vitest';
import { failed, run } from './helpers.ts';
import { wordcountFinal } from '../../scenarios/wordcount-final.ts';
import { TOPICS, sinkWindowResults, type Scenario } from '../../scenarios/types.ts';
import { tumbling } from '../../src/stream/assigners.ts';
import { countAggregate } from '../../src/engines/flink/operators/aggregates.ts';
import { applicableEdges } from '../../src/explore/coverage.ts';
import { findScenario } from '../../scenarios/index.ts';

describe('wordcount-final on Flink: one final result per window', () => {
  it.each([
    [1, 'swarm'],
    [4, 'swarm'],
    [3, 'heavy'],
  ] as const)('seed %i under %s faults passes every check, each window with one result', (seed, faults) => {
    const r = run({ scenario: 'wordcount-final', engine: 'flink', seed, faults, events: 600 });
    expect(failed(r), r.token).toEqual([]);
    expect(r.engine).toBe('flink');
    expect(r.output.results).toBeGreaterThan(50);
    const panes = r.checks.find((c) => c.name === 'window.panes')!;
    expect(panes.detail).toMatch(/^([\d,]+) panes of \1 windows \(\1 on time, 0 late\)/);
    if (faults === 'heavy') expect(r.faults.restores).toBeGreaterThan(0);
  });

  it('a Flink build that keeps the grace as allowed lateness fires late updates, and the checks say so', () => {
    const lateFiring: Scenario = {
      ...wordcountFinal,
      engines: {
        flink: {
          build(env, s) {
            const counts = env
              .fromLog('source', { topic: TOPICS.input, partitions: s.partitions, boundMs: 100, idleTimeoutMs: 1_000 })
              .filter((r) => !r.key.startsWith('~flush-'))
              .keyBy((r) => r.key)
              .window(tumbling(1_000))
              .allowedLateness(200)
              .sideOutputLateData('late')
              .aggregate(countAggregate, 'window');
            sinkWindowResults(counts, s.parallelism);
          },
        },
      },
    };
    const r = run({ scenario: 'wordcount-final', engine: 'flink', seed: 1, events: 600 }, { scenario: lateFiring });
    expect(failed(r).map((f) => f.split(':')[0])).toEqual(expect.arrayContaining(['window.panes', 'watermark.lateness']));
  });

  it('its coverage leaves out the edges of allowed lateness on Flink, not those of the engines whose window has grace', () => {
    const final = findScenario('wordcount-final')!;
    expect(applicableEdges(final, 'flink')).not.toContain('record.within-lateness');
    expect(applicableEdges(final, 'flink')).not.toContain('record.at-lateness-bound');
    expect(applicableEdges(findScenario('wordcount')!, 'flink')).toContain('record.within-lateness');
    expect(applicableEdges(final, 'kstreams')).toContain('ks.grace-by-1ms');
  });
});
