/**
 * What this proves: a processor's `context.commit()` starts a commit only
 * for a task that also needs one, as Kafka's
 * `TaskManager.maybeCommitActiveTasksPerUserRequested` asks of each task
 * `commitRequested() && commitNeeded()`. A task that asked while it had
 * nothing to commit keeps its request (only `postCommit` clears it) but
 * does not make the thread commit other tasks' progress before the
 * interval.
 *
 * How: wordcount on Kafka Streams with a probe processor in front of the
 * grouping whose `init` asks for a commit, a commit interval far longer
 * than the run's work, and three input records, so some input task gets
 * none and keeps its request. Before the interval, every commit that is not
 * forced must be one an asking task needed: it names an input partition
 * further than any earlier commit of that instance did. A thread that took
 * any request as a reason to commit commits the counting tasks' progress
 * (repartition offsets only) as soon as it is made, and fails.
 */
import { describe, expect, it } from 'vitest';
import type { Processor, ProcessorContext } from '../../../src/engines/kstreams/processor.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { failed, run } from '../../explore/helpers.ts';
import { wordcountProbed } from './probed.ts';
import { namedOffsets } from './trace-offsets.ts';

function asking(): Processor {
  let ctx: ProcessorContext;
  return {
    init(c) {
      ctx = c;
      c.commit();
    },
    process(r) {
      ctx.forward(r);
    },
  };
}

const INTERVAL_MS = 600_000;

describe('a commit a processor asks for', () => {
  it.each([1, 2, 3])('seed %i: is made only for a task that needs one', (seed) => {
    const commits: TraceEvent[] = [];
    const r = run(
      { scenario: 'wordcount', engine: 'kstreams', seed, guarantee: 'at-least-once', events: 3, commitIntervalMs: INTERVAL_MS },
      { scenario: wordcountProbed(asking, 'input'), subscribers: [(e) => { if (e.kind === 'ks.commit') commits.push(e); }] },
    );
    expect(failed(r), r.token).toEqual([]);
    const early = commits.filter((e) => e.forced !== true && e.t < INTERVAL_MS);
    expect(early.length, r.token).toBeGreaterThan(0);
    // Some input task asked and never got a record: its request stays, and must not make commits.
    const named = new Set(commits.flatMap((e) => namedOffsets(e).map(([tp]) => tp)).filter((tp) => tp.startsWith('input/')));
    expect(named.size, r.token).toBeLessThan(4);
    const reached = new Map<string, number>();
    for (const e of commits) {
      const advanced = namedOffsets(e).some(([tp, o]) => tp.startsWith('input/') && o > (reached.get(`${e.p} ${tp}`) ?? -1));
      if (e.forced !== true && e.t < INTERVAL_MS) expect(advanced, `${r.token}: commit at ${e.t} ms on ${e.p} names ${(e.offsets as string[]).join(' ')}`).toBe(true);
      for (const [tp, o] of namedOffsets(e)) reached.set(`${e.p} ${tp}`, Math.max(o, reached.get(`${e.p} ${tp}`) ?? -1));
    }
  });
});
