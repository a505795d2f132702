/**
 * Benchmarks of the simulator's two hot paths, for the bench runner:
 * - `scheduler.eventsPerSec`: EventQueue push+pop pairs per second with about
 *   10 000 events pending (each pop is followed by a push a random small
 *   delay later, as a busy simulation does), for about one second.
 * - `network.messagesPerSec`: messages per second sent and delivered through
 *   a World (default options: FIFO channels, full network tracing and trace
 *   hashing) by four processes forwarding tokens around, ~200 000 messages.
 * - `network.untracedMessagesPerSec`: the same as a run of `weir explore`
 *   sets the World up (no ring of recent events, no tracing of sends and
 *   deliveries): what the bare simulator costs a message in a run.
 * - `timers.perSec`: timers armed and fired per second on that World, one
 *   process keeping eight timers pending, ~200 000 timers.
 * Wall-clock time is measured with performance.now (allowed in test/bench).
 */
import type { ProcessContext } from '../../src/runtime/types.ts';
import { EventQueue } from '../../src/sim/queue.ts';
import { World } from '../../src/sim/world.ts';

function benchScheduler(targetMs = 1000): number {
  const q = new EventQueue<number>();
  // A cheap deterministic LCG: the benchmark must not measure the Rng.
  let x = 12345;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 10_000; i++) q.push(next() % 1000, i);
  let ops = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < targetMs) {
    for (let i = 0; i < 100_000; i++) {
      const t = q.peekTimeMs() as number;
      sink += q.popItem() as number;
      q.push(t + (next() & 63), i);
    }
    ops += 100_000;
    elapsed = performance.now() - start;
  }
  if (q.size !== 10_000 || sink < 0) throw new Error('scheduler bench: queue size drifted');
  return Math.round(ops / (elapsed / 1000));
}

/** As `weir explore` runs a scenario: no ring of recent events, no I/O events. */
const AS_RUNS = { traceRing: 0, traceIo: false, detailedTrace: false } as const;

function benchNetwork(messages = 200_000, traced = true): number {
  const world = new World(traced ? { seed: 1, traceRing: 1000 } : { seed: 1, ...AS_RUNS });
  const ids = ['n0', 'n1', 'n2', 'n3'];
  let delivered = 0;
  for (const [i, id] of ids.entries()) {
    world.addProcess(id, (ctx: ProcessContext) => {
      // Each process starts 8 tokens; each received token is forwarded to the next process.
      for (let k = 0; k < 8; k++) ctx.net.send(ids[(i + 1) % ids.length], { kind: 'token', hops: 0 });
      return {
        onMessage(_from, msg) {
          delivered++;
          if (delivered + 32 <= messages) {
            const m = msg as { kind: string; hops: number };
            ctx.net.send(ids[(i + 1 + (m.hops & 1)) % ids.length], { kind: 'token', hops: m.hops + 1 });
          }
        },
      };
    });
  }
  const start = performance.now();
  world.run();
  const elapsed = performance.now() - start;
  if (world.stats.messagesDelivered !== messages) throw new Error(`network bench: delivered ${world.stats.messagesDelivered}, want ${messages}`);
  return Math.round(messages / (elapsed / 1000));
}

function benchTimers(timers = 200_000): number {
  const world = new World({ seed: 1, ...AS_RUNS });
  let fired = 0;
  world.addProcess('t', (ctx: ProcessContext) => {
    const tick = (): void => {
      if (++fired < timers) ctx.timers.after(1 + (fired & 3), tick);
    };
    for (let k = 0; k < 8; k++) ctx.timers.after(1, tick);
    return { onMessage() {} };
  });
  const start = performance.now();
  world.run();
  const elapsed = performance.now() - start;
  if (fired < timers) throw new Error(`timer bench: fired ${fired}, want ${timers}`);
  return Math.round(fired / (elapsed / 1000));
}

export type SimFigures = { 'scheduler.eventsPerSec': number; 'network.messagesPerSec': number; 'network.untracedMessagesPerSec': number; 'timers.perSec': number };

export async function benchSim(): Promise<SimFigures> {
  // A short warm-up so every figure measures optimized code.
  benchScheduler(100);
  benchNetwork(20_000);
  benchNetwork(20_000, false);
  benchTimers(20_000);
  return {
    'scheduler.eventsPerSec': benchScheduler(),
    'network.messagesPerSec': benchNetwork(),
    'network.untracedMessagesPerSec': benchNetwork(200_000, false),
    'timers.perSec': benchTimers(),
  };
}
