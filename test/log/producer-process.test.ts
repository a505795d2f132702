/**
 * The workload producer. Proves: every scheduled record lands in its
 * partition exactly once and in schedule order, no batch before its time,
 * and every partition is sealed — whatever the crashes of the producer
 * itself and of the broker (fast-check draws seeds and crash times); and a
 * producer restarted after finishing sends nothing (its progress is durable).
 * In transactional mode, with some batches first written in a transaction
 * that aborts, the same holds for read-committed readers under the same
 * crashes, while a read-uncommitted reader also sees the aborted copies.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { brokerProcess } from '../../src/log/broker.ts';
import { inspectTopic, readTopic } from '../../src/log/reader.ts';
import { workloadProducer, type ScheduledBatch } from '../../src/log/producer-process.ts';
import { World } from '../../src/sim/index.ts';

function schedule(batches: number, partitions: number): ScheduledBatch[] {
  return Array.from({ length: batches }, (_, i) => ({
    atMs: 10 + i * 15,
    partition: (i * 7) % partitions,
    records: Array.from({ length: 1 + (i % 3) }, (_, k) => ({ id: i * 10 + k })),
  }));
}

function producerWorld(seed: number, sched: ScheduledBatch[], partitions: number, transactional = false): World {
  const world = new World({ seed, detailedTrace: false, traceRing: 0 });
  world.addProcess('broker', brokerProcess({ topics: { input: partitions } }));
  world.addProcess('producer', workloadProducer({
    brokerId: 'broker', topic: 'input', partitions, schedule: sched, requestTimeoutMs: 40,
    ...(transactional ? { transactional: { transactionalId: (p: number) => `up-${p}` } } : {}),
  }));
  return world;
}

/** Crashes each process at its time and restarts it 9 ms later. */
function crashAndRestart(world: World, crashes: readonly { atMs: number; who: string }[]): void {
  for (const c of crashes) {
    world.schedule(c.atMs, () => {
      world.crash(c.who);
      world.schedule(9, () => world.restart(c.who));
    });
  }
}

function expectedPerPartition(sched: ScheduledBatch[], partitions: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: partitions }, () => []);
  for (const b of sched) out[b.partition].push(...b.records);
  return out;
}

describe('workloadProducer', () => {
  it('delivers every record exactly once across producer and broker crashes, then seals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 30 }),
        fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 700 }), who: fc.constantFrom('producer', 'broker') }), { maxLength: 6 }),
        (seed, crashes) => {
          const partitions = 3;
          const sched = schedule(40, partitions);
          const world = producerWorld(seed, sched, partitions);
          const firstAppendMs: number[] = [];
          world.trace.subscribe((e) => {
            if (e.kind === 'log.append') firstAppendMs.push(e.t);
          });
          crashAndRestart(world, crashes);
          world.run({ untilMs: 60_000 });
          const disk = world.disk('broker');
          const got = readTopic(disk, 'input', 'read_committed').map((p) => p.map((r) => r.value));
          expect(got).toEqual(expectedPerPartition(sched, partitions));
          expect(inspectTopic(disk, 'input').every((p) => p.sealed)).toBe(true);
          expect(Math.min(...firstAppendMs)).toBeGreaterThanOrEqual(sched[0].atMs);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('transactional: read-committed sees every record once across crashes; aborted copies only read-uncommitted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 30 }),
        fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 700 }), who: fc.constantFrom('producer', 'broker') }), { maxLength: 4 }),
        (seed, crashes) => {
          const partitions = 2;
          const sched = schedule(30, partitions).map((b, i) => (i % 4 === 1 ? { ...b, abortFirst: true } : b));
          const world = producerWorld(seed, sched, partitions, true);
          crashAndRestart(world, crashes);
          world.run({ untilMs: 60_000 });
          const disk = world.disk('broker');
          expect(readTopic(disk, 'input', 'read_committed').map((p) => p.map((r) => r.value))).toEqual(expectedPerPartition(sched, partitions));
          const uncommitted = readTopic(disk, 'input', 'read_uncommitted').flat().length;
          const aborted = sched.filter((b) => b.abortFirst).reduce((n, b) => n + b.records.length, 0);
          expect(uncommitted).toBeGreaterThanOrEqual(sched.reduce((n, b) => n + b.records.length, 0) + aborted);
          const summary = inspectTopic(disk, 'input');
          expect(summary.every((p) => p.sealed && p.openTxns.length === 0)).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('sends nothing after a restart once everything is acknowledged and sealed', () => {
    const sched = schedule(10, 2);
    const world = producerWorld(7, sched, 2);
    world.run({ untilMs: 5_000 });
    expect(inspectTopic(world.disk('broker'), 'input').map((p) => p.sealed)).toEqual([true, true]);
    let sent = 0;
    world.trace.subscribe((e) => {
      if (e.kind === 'net.send' && e.from === 'producer') sent++;
    });
    world.crash('producer');
    world.restart('producer');
    world.run({ untilMs: 10_000 });
    expect(sent).toBe(0);
  });

  it('produces each batch at its scheduled time when nothing fails', () => {
    const sched = schedule(12, 2);
    const world = producerWorld(8, sched, 2);
    const appendMs: number[] = [];
    world.trace.subscribe((e) => {
      if (e.kind === 'log.append') appendMs.push(e.t);
    });
    world.run({ untilMs: 5_000 });
    expect(appendMs).toHaveLength(12);
    appendMs.forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual(sched[i].atMs);
      expect(t).toBeLessThan(sched[i].atMs + 15);
    });
  });
});
