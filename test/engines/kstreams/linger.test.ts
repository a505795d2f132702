/**
 * What this proves: the Kafka Streams producer sends a batch that is not
 * full `linger.ms` (100 ms, as Kafka Streams sets it) after its first
 * record, not only when the batch fills or a commit flushes it. Under
 * at-least-once the commit interval is 30 s, so without the linger the
 * repartition records of a sparse stream would reach the log only at
 * commits, and the aggregate downstream would see them a whole interval
 * late.
 *
 * How: wordcount on Kafka Streams under at-least-once, no faults, traced.
 * The two instances form generation 1 together at start-up and no rebalance
 * commits, so their first commits come a whole interval (30 s) in; before
 * them the repartition topic's appends come many times a second, each batch
 * short of 256 records, and
 * every record of the input reaches the repartition topic within a few
 * hundred milliseconds of its own append to the input.
 */
import { describe, expect, it } from 'vitest';
import { run, failed } from '../../explore/helpers.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';

describe('Kafka Streams producer linger, at-least-once wordcount, seed 1', () => {
  const appends: TraceEvent[] = [];
  const commits: TraceEvent[] = [];
  const r = run({ scenario: 'wordcount', engine: 'kstreams', seed: 1, guarantee: 'at-least-once' }, {
    subscribers: [(e) => {
      if (e.kind === 'log.append') appends.push(e);
      if (e.kind === 'ks.commit') commits.push(e);
    }],
  });
  const repartition = appends.filter((e) => String(e.topic).endsWith('-repartition'));

  it('passes its checks and commits rarely', () => {
    expect(failed(r), r.token).toEqual([]);
    expect(commits.length).toBeLessThan(12);
  });

  it('sends partial batches before the first commit, many times a second', () => {
    // Nothing commits (and so nothing flushes the producer) until the commit interval has passed.
    const first = commits[0]!.t;
    expect(first).toBeGreaterThanOrEqual(30_000);
    const between = repartition.filter((e) => e.t < first);
    expect(between.length).toBeGreaterThan(50);
    expect(between.every((e) => (e.count as number) < 256)).toBe(true);
  });

  it('the repartition topic trails the input by well under a commit interval', () => {
    // The k-th record appended to the input and the k-th to the repartition topic (one each per input record).
    const times = (list: TraceEvent[]): number[] => list.flatMap((e) => Array.from({ length: e.count as number }, () => e.t));
    const input = times(appends.filter((e) => e.topic === 'input'));
    const out = times(repartition);
    expect(out.length).toBe(input.length);
    let worst = 0;
    for (let k = 0; k < input.length; k++) worst = Math.max(worst, out[k]! - input[k]!);
    expect(worst).toBeLessThan(1_000);
  });
});
