/**
 * What this proves: a Kafka Streams instance closed while its producer's
 * InitProducerId is still unanswered sends it no more. Kafka's
 * `KafkaStreams.close()` closes the thread's producer (`StreamsProducer.close`),
 * and a closed producer's request in flight is not retried; weir's
 * request client would otherwise go on resending it on every timeout.
 *
 * How: a world of the broker and the `wordcount` application alone (no
 * input), its I/O traced. As ks-0 is given its first tasks (`ks.assigned`,
 * when it asks for its InitProducerId) it is cut from the broker for 3 s
 * and told to shut down. It closes (`ks.closed`) while the request (dropped by
 * the cut) waits for an answer; after that the trace must show no
 * `txn.init` sent or dropped from ks-0.
 * On the code that left the request to the client, the resends after the
 * close fail the test.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../../src/sim/world.ts';
import { brokerProcess } from '../../../src/log/broker.ts';
import { deployKStreams, kstreamsTopics } from '../../../src/engines/kstreams/deployment.ts';
import { findScenario } from '../../../scenarios/index.ts';
import { sizesOf } from '../../../src/explore/run.ts';
import { TOPICS } from '../../../scenarios/types.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';

describe('a Kafka Streams instance shut down while its InitProducerId is in flight', () => {
  it('does not resend it after it closed', () => {
    const scenario = findScenario('wordcount')!;
    const sizes = sizesOf(scenario, { scenario: 'wordcount', engine: 'kstreams', seed: 1, faults: 'none', guarantee: 'exactly-once', bugs: [] });
    const events: TraceEvent[] = [];
    let told = false;
    const world: World = new World({
      seed: 1,
      traceIo: true,
      subscribers: [
        (e) => {
          if ((e.p === 'ks-0' && ['ks.assigned', 'ks.producer', 'ks.closed'].includes(e.kind)) || ((e.kind === 'net.send' || e.kind === 'net.drop') && e.from === 'ks-0' && e.msg === 'txn.init')) events.push({ ...e });
          if (!told && e.p === 'ks-0' && e.kind === 'ks.assigned' && (e.tasks as string[]).length > 0) {
            told = true;
            world.partition('ks-0', 'broker', 3_000);
            world.deliverFromOutside('ks-0', { kind: 'ks.shutdown' });
          }
        },
      ],
    });
    const topics = { [TOPICS.input]: sizes.partitions, [TOPICS.output]: sizes.parallelism };
    const build = scenario.engines.kstreams!;
    const internal = kstreamsTopics({ build, sizes, topics });
    world.addProcess('broker', brokerProcess({
      topics: { ...topics, ...internal.topics },
      topicConfigs: Object.fromEntries(internal.compacted.map((t) => [t, { cleanupPolicy: 'compact' as const }])),
    }));
    deployKStreams(
      {
        addProcess: (id, factory) => world.addProcess(id, factory),
        durableView: () => { throw new Error('not read here'); },
        deliver: (id, msg) => world.deliverFromOutside(id, msg),
      },
      { build, sizes, guarantee: 'exactly-once', topics, brokerId: 'broker' },
    );
    world.run({ untilMs: 20_000 });

    const closedAt = events.findIndex((e) => e.kind === 'ks.closed');
    expect(told).toBe(true);
    expect(closedAt).toBeGreaterThan(0);
    // The request went out before the close (the cut dropped it) and was never answered (no epoch for ks-0).
    expect(events.slice(0, closedAt).map((e) => e.kind)).toEqual(['ks.assigned', 'net.drop']);
    expect(events.filter((e) => e.kind === 'ks.producer')).toEqual([]);
    expect(events.slice(closedAt + 1).map((e) => `${e.kind} txn.init at ${e.t} ms`)).toEqual([]);
  });
});
