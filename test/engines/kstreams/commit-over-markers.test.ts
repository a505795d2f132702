/**
 * What this proves: a Kafka Streams task commits once more to step over the
 * transaction markers behind its last records, as Kafka's
 * `StreamTask.commitNeeded()` asks: when the task's flag is clear but the
 * consumer's position on a partition it consumed from is past the next
 * offset to process (a fetch skips markers silently; under exactly-once the
 * repartition topic's records become readable with their marker, and often
 * a fetch reads them before the marker is durable), the flag is set and the
 * next interval commit names the position. A commit on revocation does not
 * ask (`prepareCommit` on a revoked task reads the flag only; weir's
 * rebalances are eager, so every task is revoked). The run stays
 * exactly-once, and ends with every consumed partition committed as far as
 * its fetches reached.
 *
 * How: wordcount on Kafka Streams under exactly-once, with swarm and with
 * heavy faults, on seeds where a commit moves a partition over its marker
 * (a fetch returned records before their marker; in most runs the records'
 * own fetch passed the marker already), traced. A commit the position check asked for lists the
 * partitions it steps over (`ks.commit`'s `overMarkers`): there must be
 * some; none may move its partition's committed offset back, and some must
 * move it forward (one that named the position already repeats it once, as
 * Kafka's does, whose consumed offset stays behind the position); none may
 * be a commit on revocation or at shutdown (`ks.commit`'s `forced`), and
 * the seed must have some of those. An interval commit begun before a
 * revocation may end after `ks.revoked` and step over markers (the
 * revocation's own commit waits behind it). The last
 * committed offset of every consumed partition must equal the furthest
 * position a fetch of it reached (`log.fetch`'s `nextOffset`). The task's
 * own rule, and the purge below committed offsets it needs (KAFKA-17635),
 * are tested on the task alone in `task.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { failed, run } from '../../explore/helpers.ts';
import { namedOffsets } from './trace-offsets.ts';

const KINDS = new Set(['ks.commit', 'log.fetch']);

function traced(faults: 'swarm' | 'heavy', seed: number) {
  const events: TraceEvent[] = [];
  const r = run({ scenario: 'wordcount', engine: 'kstreams', faults, seed }, { subscribers: [(e) => { if (KINDS.has(e.kind)) events.push(e); }] });
  return { r, events };
}

/** Per partition (`topic/partition`): the last offset committed, and the furthest position a Kafka Streams fetch reached. */
function lastCommittedAndReached(events: readonly TraceEvent[]) {
  const committed = new Map<string, number>();
  const reached = new Map<string, number>();
  for (const e of events) {
    if (e.kind === 'ks.commit') for (const [tp, o] of namedOffsets(e)) committed.set(tp, o);
    if (e.kind === 'log.fetch' && e.p === 'broker') {
      const tp = `${e.topic as string}/${e.partition as number}`;
      reached.set(tp, Math.max(reached.get(tp) ?? 0, e.nextOffset as number));
    }
  }
  return { committed, reached };
}

// Seeds where some commit moves a partition over its marker (most only repeat an offset: see below)
// and some commit on revocation names offsets (seed 11 showed the first, under both, before fsync
// delays were drawn per disk and millisecond).
describe.each([['swarm', 38], ['heavy', 14]] as const)('commits over transaction markers, faults %s, seed %i', (faults, seed) => {
  const { r, events } = traced(faults, seed);

  it('the run stays exactly-once', () => {
    expect(failed(r), r.token).toEqual([]);
  });

  it('interval commits step over markers, never moving a partition back, and no commit on revocation does', () => {
    const committed = new Map<string, number>();
    let stepped = 0;
    let moved = 0;
    let forced = 0;
    for (const e of events) {
      if (e.kind !== 'ks.commit') continue;
      const offsets = new Map(namedOffsets(e));
      const over = (e.overMarkers as string[] | undefined) ?? [];
      if (e.forced === true) forced++;
      if (over.length > 0) expect(e.forced, `${e.p} at ${e.t} ms steps over markers in a commit on revocation`).toBeUndefined();
      for (const tp of over) {
        stepped++;
        expect(offsets.has(tp), `${tp} stepped over but not committed at ${e.t} ms`).toBe(true);
        // Never backwards. Not always forwards: a commit that named the position already (the records'
        // fetch had passed the marker) leaves the consumed offset behind it, so the next check asks
        // once more for the same offset, as Kafka's does.
        expect(offsets.get(tp)!, `${tp} at ${e.t} ms`).toBeGreaterThanOrEqual(committed.get(tp) ?? 0);
        if (offsets.get(tp)! > (committed.get(tp) ?? 0)) moved++;
      }
      for (const [tp, o] of offsets) committed.set(tp, o);
    }
    expect(stepped).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(0);
    expect(forced).toBeGreaterThan(0);
  });

  it('every consumed partition\'s last commit names the furthest position its fetches reached, past the last marker', () => {
    const { committed, reached } = lastCommittedAndReached(events);
    const repartition = [...committed.keys()].filter((tp) => tp.includes('-repartition/'));
    expect(repartition.length).toBeGreaterThan(0);
    for (const [tp, offset] of committed) expect(offset, `${tp}: last committed ${offset}, fetches reached ${reached.get(tp)}`).toBe(reached.get(tp));
  });
});
