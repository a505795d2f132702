/**
 * The simulated network. Proves, over many seeds (fast-check property):
 * every channel (ordered pair) delivers in send order; with `unsafeNonFifo`
 * some seed reorders a channel. And by construction: nothing crosses a cut
 * link (sent across it, or in flight while it was cut); nothing is
 * delivered to a crashed process; messages in flight from a crashed sender
 * vanish; latency spikes delay delivery; the message's `kind` is traced.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { ProcessContext } from '../../src/runtime/types.ts';
import { World, type WorldOptions } from '../../src/sim/world.ts';

interface Seq {
  kind: 'seq';
  from: string;
  n: number;
}

/** n processes that each send `count` numbered messages to random peers at random times; records receptions. */
function blaster(seed: number, opts: Partial<WorldOptions> = {}, count = 40, n = 3): { world: World; got: Map<string, number[]> } {
  const world = new World({ seed, ...opts });
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);
  const got = new Map<string, number[]>();
  for (const id of ids) {
    world.addProcess(id, (ctx: ProcessContext) => {
      const rng = world.rng.fork(`blast/${id}`);
      let sent = 0;
      const tick = (): void => {
        const to = rng.pick(ids.filter((p) => p !== id));
        ctx.net.send(to, { kind: 'seq', from: id, n: sent++ } satisfies Seq);
        if (sent < count) ctx.timers.after(rng.range(0, 2), tick);
      };
      ctx.timers.after(0, tick);
      return {
        onMessage(from, msg) {
          const m = msg as Seq;
          const key = `${from}->${id}`;
          got.set(key, [...(got.get(key) ?? []), m.n]);
        },
      };
    });
  }
  return { world, got };
}

const increasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || xs[i - 1] < x);

describe('network', () => {
  test.prop([fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 30 })], { numRuns: 60 })(
    'every channel is FIFO for every seed',
    (seed, latencyMsMin, spread) => {
      const { world, got } = blaster(seed, { network: { latencyMsMin, latencyMsMax: latencyMsMin + spread } });
      world.run();
      expect(world.stats.messagesDelivered).toBe(3 * 40);
      for (const seq of got.values()) expect(increasing(seq)).toBe(true);
    },
  );

  it('unsafeNonFifo reorders some channel on some seed', () => {
    let reordered = 0;
    for (let seed = 0; seed < 10; seed++) {
      const { world, got } = blaster(seed, { network: { unsafeNonFifo: true, latencyMsMin: 1, latencyMsMax: 20 } });
      world.run();
      if ([...got.values()].some((seq) => !increasing(seq))) reordered++;
    }
    expect(reordered).toBeGreaterThan(0);
  });

  it('nothing crosses a cut link, sent during or in flight at the cut', () => {
    const world = new World({ seed: 3, network: { latencyMsMin: 10, latencyMsMax: 10 } });
    const got: number[] = [];
    world.addProcess('a', (ctx) => {
      for (const at of [0, 4, 12, 30]) ctx.timers.after(at, () => ctx.net.send('b', at));
      return { onMessage() {} };
    });
    world.addProcess('b', () => ({ onMessage: (_from, msg) => got.push(msg as number) }));
    // Cut at 5 for 2 ms: the message sent at 0 (due 10) and at 4 (due 14) were in flight.
    world.schedule(5, () => world.partition('a', 'b', 2));
    // A second cut from 12 to 20 catches the send at 12 itself.
    world.schedule(12, () => world.partition('b', 'a', 8));
    world.run();
    expect(got).toEqual([30]);
    expect(world.stats.messagesDropped).toBe(3);
    const drops = world.trace.recent().filter((e) => e.kind === 'net.drop');
    expect(drops.map((e) => e.reason)).toEqual(['partition', 'partition', 'partition']);
    expect(world.trace.recent().filter((e) => e.kind === 'net.heal')).toHaveLength(2);
  });

  it('overlapping partitions keep the link cut until the last heals', () => {
    const world = new World({ seed: 1, network: { latencyMsMin: 0, latencyMsMax: 0 } });
    const got: number[] = [];
    world.addProcess('a', (ctx) => {
      for (const at of [5, 15, 25]) ctx.timers.after(at, () => ctx.net.send('b', at));
      return { onMessage() {} };
    });
    world.addProcess('b', () => ({ onMessage: (_f, m) => got.push(m as number) }));
    world.schedule(1, () => world.partition('a', 'b', 10));
    world.schedule(2, () => world.partition('a', 'b', 20));
    world.run();
    expect(got).toEqual([25]);
  });

  it('nothing is delivered to a crashed process', () => {
    const world = new World({ seed: 2, network: { latencyMsMin: 1, latencyMsMax: 3 } });
    const got: string[] = [];
    world.addProcess('a', (ctx) => {
      for (let t = 0; t < 40; t++) ctx.timers.after(t, () => ctx.net.send('b', t));
      return { onMessage() {} };
    });
    world.addProcess('b', (ctx) => ({ onMessage: (_f, m) => got.push(`${m as number}@${ctx.clock.now()}#${ctx.incarnation}`) }));
    world.schedule(10, () => world.crash('b'));
    world.schedule(20, () => world.restart('b'));
    world.run();
    for (const g of got) {
      const at = Number(g.split('@')[1].split('#')[0]);
      expect(at < 10 || at >= 20).toBe(true);
    }
    expect(got.some((g) => g.endsWith('#1'))).toBe(true);
    const drops = world.trace.recent().filter((e) => e.kind === 'net.drop');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((e) => e.reason === 'receiver-down')).toBe(true);
  });

  it('messages in flight from a crashed sender vanish, even after its restart', () => {
    const world = new World({ seed: 4, network: { latencyMsMin: 10, latencyMsMax: 10 } });
    const got: string[] = [];
    world.addProcess('a', (ctx) => {
      ctx.net.send('b', `hello#${ctx.incarnation}`);
      return { onMessage() {} };
    });
    world.addProcess('b', () => ({ onMessage: (_f, m) => got.push(m as string) }));
    world.schedule(5, () => world.crash('a'));
    world.schedule(6, () => world.restart('a'));
    world.run();
    expect(got).toEqual(['hello#1']);
    const drop = world.trace.recent().find((e) => e.kind === 'net.drop');
    expect(drop).toMatchObject({ to: 'b', from: 'a', reason: 'sender-crashed', msg: undefined });
  });

  it('latency spikes delay delivery and messages carry their kind in the trace', () => {
    const world = new World({ seed: 5, network: { latencyMsMin: 2, latencyMsMax: 2 } });
    const at: number[] = [];
    world.addProcess('a', (ctx) => {
      ctx.timers.after(0, () => ctx.net.send('b', { kind: 'hello' }));
      ctx.timers.after(10, () => ctx.net.send('b', { kind: 'hello' }));
      ctx.timers.after(30, () => ctx.net.send('b', { kind: 'hello' }));
      return { onMessage() {} };
    });
    world.addProcess('b', (ctx) => ({ onMessage: () => at.push(ctx.clock.now()) }));
    world.schedule(5, () => world.latencySpike(20, 100, ['b', 'a']));
    world.run();
    // The third message (sent after the spike, due at 32) waits behind the second: FIFO.
    expect(at).toEqual([2, 112, 112]);
    const send = world.trace.recent().find((e) => e.kind === 'net.send');
    expect(send).toMatchObject({ p: 'a', to: 'b', from: 'a', msg: 'hello', atMs: 2 });
  });

  it('traceIo: false keeps net events out of the trace', () => {
    const { world } = blaster(1, { traceIo: false }, 5);
    world.run();
    expect(world.stats.messagesDelivered).toBe(15);
    expect(world.trace.recent().some((e) => e.kind.startsWith('net.'))).toBe(false);
  });

  it('deliverFromOutside goes through a FIFO channel from world', () => {
    const world = new World({ seed: 6, network: { latencyMsMin: 0, latencyMsMax: 9 } });
    const got: [string, number][] = [];
    world.addProcess('p', () => ({ onMessage: (from, m) => got.push([from, m as number]) }));
    for (let i = 0; i < 20; i++) world.deliverFromOutside('p', i);
    world.deliverFromOutside('p', 99, 'driver');
    world.run();
    const fromWorld = got.filter(([f]) => f === 'world').map(([, m]) => m);
    expect(fromWorld).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(got).toContainEqual(['driver', 99]);
    expect(() => world.deliverFromOutside('p', 1, 'p')).toThrow();
  });
});
