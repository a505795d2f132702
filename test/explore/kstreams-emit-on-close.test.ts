/**
 * What this proves: Kafka Streams' `emitStrategy('on-window-close')` emits
 * each window once across crashes and restores under exactly-once. The
 * close time up to which windows went out is committed with the offsets
 * (processor metadata) and read back by the task that takes the partition
 * over, so no (key, window) result is committed twice.
 *
 * How: wordcount-final's pipeline with emit-on-close in place of suppress,
 * on swarm seeds (crashes, partitions, disk faults). The exactly-once window
 * check names every (key, window, firing) committed twice; no seed may show
 * one, and the seeds must have crashed and restored something. (With the
 * close time left out of the commit, as before, these seeds do show them.)
 * Windows an emit never reached are not judged here: on-window-close emits
 * only when a record arrives at least a second of wall time after the last
 * try, so the windows the last records close can stay unemitted.
 */
import { describe, expect, it } from 'vitest';
import { toWindowResults } from '../../src/engines/kstreams/dsl.ts';
import { wordcountFinal } from '../../scenarios/wordcount-final.ts';
import { countWordsKStreams } from '../../scenarios/wordcount.ts';
import { TOPICS, type Scenario } from '../../scenarios/types.ts';
import { run } from './helpers.ts';

const onClose: Scenario = {
  ...wordcountFinal,
  name: 'wordcount-on-close',
  engines: {
    kstreams: {
      build(builder) {
        toWindowResults(countWordsKStreams(builder, 200, 'on-window-close'), TOPICS.output);
      },
    },
  },
};

describe('Kafka Streams emit on window close', () => {
  it('commits no window twice across crashes and restores (the close time travels with the offsets)', () => {
    let restores = 0;
    const twice: string[] = [];
    // Seeds 1..24: the first whose run restores records from a changelog is 22.
    for (let seed = 1; seed <= 24; seed++) {
      const r = run({ scenario: 'wordcount-on-close', engine: 'kstreams', seed, events: 600, faults: 'swarm' }, { scenario: onClose });
      restores += r.faults.restores;
      for (const c of r.checks) if (c.detail.includes('committed twice')) twice.push(`seed ${seed}: ${c.detail.slice(0, 200)}`);
    }
    expect(restores).toBeGreaterThan(0);
    expect(twice).toEqual([]);
  }, 120_000);
});
