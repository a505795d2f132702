/**
 * What this proves: Kafka Streams purges consumed repartition records as
 * K9 says (`StreamThread.maybeCommit`, `TaskManager.maybePurgeCommittedRecords`):
 * a thread purges only below offsets committed, only repartition topics,
 * at most once per `repartition.purge.interval.ms` (1 s here) in a thread's
 * life, and the broker's log start offsets only move forward; the run stays
 * exactly-once, with faults too.
 *
 * How: wordcount on Kafka Streams (a repartition between its two
 * sub-topologies), with no faults and with heavy faults, traced; each
 * `ks.purge` is matched against the offsets committed before it and the
 * same thread's last purge, and each `log.deleteRecords` against the
 * partition's earlier ones.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { failed, run } from '../../explore/helpers.ts';
import { namedOffsets } from './trace-offsets.ts';

const KINDS = new Set(['ks.purge', 'ks.commit', 'log.deleteRecords', 'ks.start']);

function traced(faults: 'none' | 'heavy', seed: number) {
  const events: TraceEvent[] = [];
  const r = run({ scenario: 'wordcount', engine: 'kstreams', faults, seed }, { subscribers: [(e) => { if (KINDS.has(e.kind)) events.push(e); }] });
  return { r, events };
}

describe.each([['none', 1], ['heavy', 5]] as const)('repartition purge, faults %s, seed %i', (faults, seed) => {
  const { r, events } = traced(faults, seed);

  it('the run stays exactly-once, and purges more than once', () => {
    expect(failed(r), r.token).toEqual([]);
    expect(events.filter((e) => e.kind === 'ks.purge').length).toBeGreaterThan(1);
  });

  it('each purge names repartition partitions below offsets already committed, at most once a second per thread incarnation', () => {
    const committed = new Map<string, number>();
    const lastPurge = new Map<string, number>();
    for (const e of events) {
      if (e.kind === 'ks.commit') for (const [tp, o] of namedOffsets(e)) committed.set(tp, o);
      // A restarted instance's thread starts with no last purge, as Kafka's does (`lastPurgeMs` 0).
      if (e.kind === 'ks.start') lastPurge.delete(e.p);
      if (e.kind !== 'ks.purge') continue;
      for (const [tp, offset] of namedOffsets(e)) {
        expect(tp).toMatch(/-repartition\/\d+$/);
        expect(committed.has(tp), `${e.p} at ${e.t} ms purges ${tp}, which no commit named`).toBe(true);
        expect(offset, `${e.p} at ${e.t} ms purges past ${tp}'s committed offset`).toBeLessThanOrEqual(committed.get(tp)!);
      }
      // The interval runs between the starts of the commits a purge follows (`commitAt`), as Kafka's
      // `lastPurgeMs` is the time its `maybeCommit` began.
      const at = e.commitAt as number;
      expect(at).toBeLessThanOrEqual(e.t);
      const before = lastPurge.get(e.p);
      if (before !== undefined) expect(at - before).toBeGreaterThan(1_000);
      lastPurge.set(e.p, at);
    }
  });

  it('the broker moves each repartition partition\'s log start forward only, and deletes nothing else', () => {
    const start = new Map<string, number>();
    const deletes = events.filter((e) => e.kind === 'log.deleteRecords');
    expect(deletes.length).toBeGreaterThan(0);
    for (const e of deletes) {
      const tp = `${e.topic as string}/${e.partition as number}`;
      expect(tp).toMatch(/-repartition\/\d+$/);
      expect(e.to as number).toBeGreaterThan(e.from as number);
      expect(e.from as number).toBeGreaterThanOrEqual(start.get(tp) ?? 0);
      start.set(tp, e.to as number);
    }
  });
});
