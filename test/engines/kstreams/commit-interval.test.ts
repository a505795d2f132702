/**
 * What this proves: a Kafka Streams thread starts an interval commit only once
 * `commit.interval.ms` has passed since its last interval commit *ended*, as
 * `StreamThread.maybeCommit` does: the thread waits for its commit, and sets
 * `lastCommitMs` after the commit returns. So two interval commits of one
 * thread end more than an interval plus the later commit's own time apart.
 *
 * How: wordcount on Kafka Streams with no faults, traced. No processor asks
 * for a commit, so every `ks.commit` is an interval commit except the one
 * that follows a `ks.revoked` (the commit on revocation, which leaves the
 * interval alone). A commit's start is not traced, so the check is on
 * ends: each interval commit of a process ends more than 100 ms after its
 * last interval commit in the same generation. A thread that measured the
 * interval from a commit's start, as weir once did, fails it on these
 * seeds.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { failed, run } from '../../explore/helpers.ts';

describe.each([1, 2, 3])('commit interval, wordcount on kstreams, seed %i', (seed) => {
  const commits: TraceEvent[] = [];
  const revoking = new Set<string>();
  const r = run({ scenario: 'wordcount', engine: 'kstreams', faults: 'none', seed }, {
    subscribers: [(e) => {
      if (e.kind === 'ks.revoked') revoking.add(e.p);
      if (e.kind !== 'ks.commit') return;
      // The first commit after a revocation is the commit on revocation, not an interval commit.
      if (!revoking.delete(e.p)) commits.push(e);
    }],
  });

  it('passes its checks, and each thread commits many times', () => {
    expect(failed(r), r.token).toEqual([]);
    expect(commits.length).toBeGreaterThan(50);
  });

  it('two interval commits of one thread in one generation end more than the 100 ms interval apart', () => {
    const last = new Map<string, TraceEvent>();
    let pairs = 0;
    for (const e of commits) {
      const before = last.get(e.p);
      last.set(e.p, e);
      if (before === undefined || before.generation !== e.generation) continue;
      pairs++;
      expect(e.t - before.t, `${e.p}: commits ending at ${before.t} and ${e.t} ms`).toBeGreaterThan(100);
    }
    expect(pairs).toBeGreaterThan(50);
  });
});
