/**
 * What this proves: a stream–stream join's window stores have changelogs
 * with `cleanup.policy=delete`, as Kafka's `StreamJoinedStoreFactory` sets
 * them (KAFKA-13345: the stores keep duplicates, so compaction must not
 * collapse their keys), while every other store's changelog is compacted.
 *
 * How: the topics the deployment declares for the `join` and `wordcount`
 * topologies are read (the join stores' changelogs are changelogs but not
 * compacted; the aggregate's is compacted); then a faulted `join` run is
 * traced and the broker's cleaner must never compact a join store's
 * changelog, where before every such run compacted them (36 to 67 records a
 * partition over seeds 1-6). Both parts fail on the code that compacted
 * every changelog.
 */
import { describe, expect, it } from 'vitest';
import { kstreamsTopics } from '../../../src/engines/kstreams/deployment.ts';
import { findScenario } from '../../../scenarios/index.ts';
import { runScenario } from '../../../src/explore/run.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';

function topicsOf(name: string) {
  const scenario = findScenario(name)!;
  return kstreamsTopics({ build: scenario.engines.kstreams!, sizes: scenario.defaults, topics: { input: 2 } });
}

describe('changelog cleanup policies', () => {
  it('a join store changelog is a changelog with the delete policy; an aggregate store changelog is compacted', () => {
    const join = topicsOf('join');
    const joinStores = join.changelogs.filter((t) => t.endsWith('-join-store-changelog'));
    expect(joinStores).toHaveLength(2);
    for (const t of joinStores) {
      expect(join.topics[t]).toBeGreaterThan(0);
      expect(join.compacted).not.toContain(t);
    }
    const wordcount = topicsOf('wordcount');
    expect(wordcount.changelogs.length).toBeGreaterThan(0);
    expect(wordcount.compacted).toEqual(wordcount.changelogs);
  });

  it('the cleaner never compacts a join store changelog in a faulted run, and the run keeps exactly-once', () => {
    const cleans: TraceEvent[] = [];
    const report = runScenario(
      { scenario: 'join', engine: 'kstreams', seed: 1, faults: 'swarm', guarantee: 'exactly-once', bugs: [] },
      { hashTrace: false, everyKind: true, subscribers: [(e) => { if (e.kind === 'log.clean') cleans.push({ ...e }); }] },
    );
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    // The cleaner ran, compacting the group offsets topic and applying DeleteRecords to the
    // repartition topics, but never compacted a changelog of the join.
    expect(cleans.some((e) => e.policy === 'delete')).toBe(true);
    const compacted = new Set(cleans.filter((e) => e.policy === 'compact').map((e) => e.topic));
    expect([...compacted]).toEqual(['__consumer_offsets']);
  });
});
