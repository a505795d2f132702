/**
 * What this proves: two attempts of one marked transaction (the exactly-once
 * sink of a Spark task that the driver sent again while the first attempt
 * still ran) end with the batch written once, and the attempt fenced by the
 * other's `txn.init` stops instead of initialising the id again.
 *
 * How: a broker and two executors on a network with a fixed 20 ms latency.
 * Attempt A starts; attempt B starts 50 ms later, so B's `txn.init` lands
 * while A's transaction is under way and fences it. A write takes about
 * 160 ms from `txn.init` to its commit, longer than the 50 ms pause plus one
 * trip after a failure: an attempt that answered being fenced by starting
 * again would fence the other in turn, every time, and neither would ever
 * commit (as Kafka's ProducerFencedException, a fenced producer is done).
 *
 * Oracle: B writes and calls `done`; A calls `onFenced` and never `done`;
 * the id was initialised twice in all (epoch 2); one transaction committed;
 * the read-committed output holds the rows once and the marker says the
 * version was written.
 */
import { describe, expect, it } from 'vitest';
import { brokerProcess } from '../../../src/log/broker.ts';
import { LogClient, type FetchOffsetsResult, type FetchResult, type InitTxnResult } from '../../../src/log/client.ts';
import { World } from '../../../src/sim/index.ts';
import type { ProcessContext } from '../../../src/runtime/types.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { markedTransaction } from '../../../src/engines/spark/sink-txn.ts';
import { call, ok } from '../../log/helpers.ts';

interface Attempt {
  done: boolean;
  fenced: boolean;
  skipped: boolean;
}

function executor(world: World, id: string): () => { ctx: ProcessContext; log: LogClient } {
  let current: { ctx: ProcessContext; log: LogClient } | undefined;
  world.addProcess(id, (ctx) => {
    const log = new LogClient(ctx, 'broker');
    current = { ctx, log };
    return { onMessage: (from, msg) => void log.handle(from, msg) };
  });
  return () => current!;
}

function write(exec: { ctx: ProcessContext; log: LogClient }, a: Attempt): void {
  markedTransaction(exec.log, exec.ctx.timers, {
    topic: 'output', id: 'spark-sink-0', group: 'spark-sink', marker: { topic: 'output', partition: 0 }, version: 7,
    writes: [[0, [{ key: 'k', count: 3 }]]],
    producerId: (epoch) => `spark-sink-0-e${epoch}`,
    onSkip: () => void (a.skipped = true),
    onFenced: () => void (a.fenced = true),
  }, () => void (a.done = true));
}

describe('the marked transaction of two attempts of one task', () => {
  it('the attempt fenced by the newer one stops; the newer one writes the batch once', () => {
    const events: TraceEvent[] = [];
    const world = new World({
      seed: 5, traceIo: false, traceRing: 0, network: { latencyMsMin: 20, latencyMsMax: 20 },
      subscribers: [(e) => void (e.kind.startsWith('txn.') && events.push(e))],
    });
    world.addProcess('broker', brokerProcess({ topics: { output: 1 } }));
    const execA = executor(world, 'executor-0');
    const execB = executor(world, 'executor-1');
    world.run({ untilMs: 10 });
    const a: Attempt = { done: false, fenced: false, skipped: false };
    const b: Attempt = { done: false, fenced: false, skipped: false };
    write(execA(), a);
    world.run({ untilMs: world.now() + 50 });
    write(execB(), b);
    world.run({ untilMs: world.now() + 5_000 });

    expect(a).toEqual({ done: false, fenced: true, skipped: false });
    expect(b).toEqual({ done: true, fenced: false, skipped: false });
    const log = execB().log;
    expect(ok(call<InitTxnResult>(world, (cb) => log.initTxn('spark-sink-0', cb))).epoch, 'the id was initialised twice before').toBe(3);
    expect(events.filter((e) => e.kind === 'txn.commit').map((e) => e.epoch)).toEqual([2]);
    const out = ok(call<FetchResult>(world, (cb) => log.fetch('output', 0, 0, 100, 'read_committed', cb)));
    expect(out.records.map((r) => r.value)).toEqual([{ key: 'k', count: 3 }]);
    const marker = ok(call<FetchOffsetsResult>(world, (cb) => log.fetchOffsets('spark-sink', [{ topic: 'output', partition: 0 }], {}, cb)));
    expect(marker.offsets[0]?.offset).toBe(8);
  });
});
