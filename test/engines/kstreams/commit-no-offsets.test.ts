/**
 * What this proves: a Kafka Streams commit whose tasks needed one but name
 * no offsets (a wall-clock punctuator ran before they consumed anything),
 * with no transaction open, still commits them, as Kafka's
 * `TaskExecutor.commitTasksAndMaybeUpdateCommittableOffsets` does: each
 * task is flushed (`StreamTask.prepareCommit`), nothing goes to the broker
 * (`commitOffsetsOrTransaction` sends nothing for no offsets and no
 * transaction in flight), and `postCommit` clears the task's commit flag.
 * An instance that skipped such a commit kept its tasks' flags set for
 * good, never counted itself quiet, and the job never finished.
 *
 * How: wordcount on Kafka Streams with one input record, so one instance's
 * tasks never receive any, and a probe processor in front of the count
 * whose wall-clock punctuation fires five times after each `init` (a
 * punctuation sets the task's commit flag, as Kafka's does). Under both
 * guarantees the run must pass every check (liveness included); under
 * exactly-once, where commits come every 100 ms, some commit must name no
 * offsets (and the replay's line for it says so).
 */
import { describe, expect, it } from 'vitest';
import type { Processor, ProcessorContext } from '../../../src/engines/kstreams/processor.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { describeEvent } from '../../../src/tui/model/format.ts';
import { failed, run } from '../../explore/helpers.ts';
import { wordcountProbed } from './probed.ts';

const PUNCTUATIONS = 5;

function probe(): Processor {
  let ctx: ProcessorContext;
  return {
    init(c) {
      ctx = c;
      let fired = 0;
      const handle = c.schedule(5, 'WALL_CLOCK_TIME', () => {
        if (++fired >= PUNCTUATIONS) handle.cancel();
      });
    },
    process(r) {
      ctx.forward(r);
    },
  };
}

describe.each(['exactly-once', 'at-least-once'] as const)('a commit of tasks that consumed nothing, %s', (guarantee) => {
  it.each([1, 2, 3])('seed %i: the job finishes and passes its checks', (seed) => {
    const commits: TraceEvent[] = [];
    const r = run(
      { scenario: 'wordcount', engine: 'kstreams', seed, guarantee, events: 1 },
      { scenario: wordcountProbed(probe, 'input'), subscribers: [(e) => { if (e.kind === 'ks.commit') commits.push(e); }] },
    );
    expect(failed(r), r.token).toEqual([]);
    if (guarantee === 'exactly-once') {
      const empty = commits.filter((e) => (e.offsets as string[]).length === 0);
      expect(empty.length, r.token).toBeGreaterThan(0);
      // The replay's event line says so rather than ending on a colon.
      expect(describeEvent(empty[0]!)).toMatch(/^commit in generation \d+: \(no offsets: its tasks consumed nothing yet\)$/);
    }
  });
});
