/**
 * What this proves: a Kafka Streams thread processes in rounds whose size
 * adapts as `StreamThread.runOnceWithoutProcessingThreads` adapts
 * `numIterations`, and an instance's tasks take turns within a pass.
 *
 * How:
 * - the loop alone (`ThreadLoop`), driven by scripted phases: the round size
 *   starts at 1, grows by one after a round with no punctuation and no
 *   commit, halves after one with either (integer division, never below 1),
 *   and a round that processed nothing ends the pass, leaving the size as it
 *   was; each case is worked out by hand from Kafka's rules;
 * - end to end: wordcount on Kafka Streams with a probe processor after a
 *   repartition, in front of the count, logging each record it sees with its
 *   task, the instance the task is assigned to and the virtual time. The
 *   records a repartition topic releases when an instance commits arrive at
 *   once, so a pass that takes turns shows one task's records interleaved
 *   with another's at one instant once a task has more of them than a round
 *   takes. A thread that processed each task's buffered records to the end
 *   before the next task's (as weir once did, up to 500 records a task)
 *   never interleaves them. The two instances share the repartition tasks
 *   from generation 1 (two each), so such a burst is rare (most instants
 *   bring one or two records a task): seeds 9 and 30 each show two tasks
 *   interleaved (seed 9: seven records of 1_1, one of 1_3, one more of 1_1
 *   at 17,933 ms on ks-1; seed 30: eight records of 1_1, three of 1_3,
 *   three more of 1_1 at 379 ms on ks-1); 24 of seeds 1 to 30 show none
 *   (seed 2 showed it before the broker answered EndTxn once its decision
 *   was durable; seed 5, before fsync delays were drawn per disk and
 *   millisecond).
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../../scenarios/types.ts';
import { ThreadLoop, type LoopPhases } from '../../../src/engines/kstreams/thread-loop.ts';
import type { Processor, ProcessorContext } from '../../../src/engines/kstreams/processor.ts';
import { failed, run } from '../../explore/helpers.ts';
import { wordcountProbed } from './probed.ts';

/** Phases over tasks with `buffered` records each; `punctuate` and `commit` say, round by round (from 0), what ran. */
function scripted(buffered: number[], opts: { punctuate?: (round: number) => number; commit?: (round: number) => number } = {}) {
  const left = [...buffered];
  const maxes: number[] = [];
  let round = 0;
  const phases: LoopPhases = {
    process(max) {
      maxes.push(max);
      let n = 0;
      for (let i = 0; i < left.length; i++) {
        const take = Math.min(max, left[i]!);
        left[i]! -= take;
        n += take;
      }
      return n;
    },
    punctuate: () => opts.punctuate?.(round) ?? 0,
    maybeCommit: () => opts.commit?.(round++) ?? 0,
  };
  return { phases, maxes, left };
}

describe('the thread loop (numIterations)', () => {
  it('starts at 1 and grows by one after each round with no punctuation or commit; an empty round ends the pass', () => {
    const loop = new ThreadLoop();
    expect(loop.numIterations).toBe(1);
    const s = scripted([5, 3]);
    // 1 + 1, then 2 + 2, then 2 of the first task, then nothing: 5 + 3 records.
    expect(loop.pass(s.phases)).toBe(8);
    expect(s.maxes).toEqual([1, 2, 3, 4]);
    expect(s.left).toEqual([0, 0]);
    // The empty round changed nothing: the next pass starts where this one left off.
    expect(loop.numIterations).toBe(4);
    const again = scripted([9]);
    expect(loop.pass(again.phases)).toBe(9);
    expect(again.maxes).toEqual([4, 5, 6]);
  });

  it('halves after a round that punctuated or committed, and never goes below 1', () => {
    const loop = new ThreadLoop();
    // Rounds of 1, 2, 3, 4, 5 (15 records of one task), then 6 with a commit (so 3 next), then 3 with a
    // punctuation (so 1 next), then 1, 2 and an empty round of 3.
    const s = scripted([15 + 6 + 3 + 1 + 2], { commit: (r) => (r === 5 ? 1 : 0), punctuate: (r) => (r === 6 ? 2 : 0) });
    loop.pass(s.phases);
    expect(s.maxes).toEqual([1, 2, 3, 4, 5, 6, 3, 1, 2, 3]);
    const t = new ThreadLoop();
    const ones = scripted([3], { commit: () => 1 });
    t.pass(ones.phases);
    expect(ones.maxes).toEqual([1, 1, 1, 1]);
    expect(t.numIterations).toBe(1);
  });

  it('a commit in flight stops processing: the pass ends, and the size carries into the next', () => {
    const loop = new ThreadLoop();
    let inFlight = false;
    const s = scripted([10, 10]);
    const phases: LoopPhases = {
      process: (max) => (inFlight ? 0 : s.phases.process(max)),
      punctuate: () => 0,
      // The commit falls due after the third round and stays in flight (as weir's waits for its requests).
      maybeCommit: () => {
        if (s.maxes.length === 3 && !inFlight) {
          inFlight = true;
          return 2;
        }
        return 0;
      },
    };
    expect(loop.pass(phases)).toBe(2 * (1 + 2 + 3));
    expect(s.left).toEqual([4, 4]);
    // Rounds of 1, 2, 3 (the commit: 3 halves to 1), then the empty round ends the pass.
    expect(loop.numIterations).toBe(1);
    inFlight = false;
    expect(loop.pass(phases)).toBe(8);
    expect(s.maxes.slice(3)).toEqual([1, 2, 3, 4]);
  });
});

interface Seen {
  task: string;
  instance: string;
  t: number;
}

/** wordcount with a probe after a repartition, in front of the count; `where` tells the probe a task's instance. */
function probed(log: Seen[], where: Map<string, string>): Scenario {
  const probe = (): Processor => {
    let ctx: ProcessorContext;
    return {
      init(c) {
        ctx = c;
      },
      process(r) {
        log.push({ task: ctx.taskId, instance: where.get(ctx.taskId) ?? '?', t: ctx.currentSystemTimeMs() });
        ctx.forward(r);
      },
    };
  };
  return wordcountProbed(probe, 'repartitioned');
}

describe.each([9, 30])('an instance\'s tasks take turns within a pass, seed %i', (seed) => {
  const log: Seen[] = [];
  const where = new Map<string, string>();
  const r = run({ scenario: 'wordcount', engine: 'kstreams', seed }, {
    scenario: probed(log, where),
    subscribers: [(e) => {
      if (e.kind === 'ks.assigned') for (const t of e.tasks as string[]) where.set(t, e.p);
    }],
  });

  it('passes its checks with the probe in the pipeline', () => {
    expect(failed(r), r.token).toEqual([]);
    expect(log.length).toBeGreaterThan(1_000);
  });

  it('interleaves the records of two tasks at one instant on one instance', () => {
    // Group the log by instant and instance, in order; in each group, a task whose records are not
    // contiguous took turns with another.
    let interleaved = 0;
    let i = 0;
    while (i < log.length) {
      let j = i;
      while (j < log.length && log[j]!.t === log[i]!.t && log[j]!.instance === log[i]!.instance) j++;
      const done = new Set<string>();
      for (let k = i; k < j; k++) {
        const task = log[k]!.task;
        if (k > i && log[k - 1]!.task !== task) {
          if (done.has(task)) {
            interleaved++;
            break;
          }
          done.add(log[k - 1]!.task);
        }
      }
      i = j;
    }
    expect(interleaved).toBeGreaterThan(0);
  });
});
