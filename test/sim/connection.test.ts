/**
 * Connections (`net.sendReliable`): what a TCP connection between two
 * processes gives, which Flink's data channels between task managers are.
 * Proves by construction: a partition delays a connection's messages instead
 * of dropping them; they arrive after the link heals, at the sender's first
 * retransmission after the heal (200 ms after the loss, doubling while the
 * link stays cut), and in send order, with the messages sent behind them;
 * a crashed sender's held messages are lost with its connection. And over
 * many seeds and random cuts (fast-check property): every message of every
 * connection arrives exactly once and in send order, while datagrams sent
 * on the same links under the same cuts are lost.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { World } from '../../src/sim/world.ts';

/** a sends `n` at each time of `at` (reliably unless `datagram`); b records what arrives, and when. */
function pair(at: readonly number[], opts: { latencyMs?: number; datagram?: boolean } = {}): { world: World; got: { n: number; t: number }[] } {
  const latency = opts.latencyMs ?? 10;
  const world = new World({ seed: 7, network: { latencyMsMin: latency, latencyMsMax: latency } });
  const got: { n: number; t: number }[] = [];
  world.addProcess('a', (ctx) => {
    for (const t of at) ctx.timers.after(t, () => (opts.datagram ? ctx.net.send('b', t) : ctx.net.sendReliable('b', t)));
    return { onMessage() {} };
  });
  world.addProcess('b', (ctx) => ({ onMessage: (_from, msg) => got.push({ n: msg as number, t: ctx.clock.now() }) }));
  return { world, got };
}

describe('connections', () => {
  it('a partition delays a connection\'s messages, which come after the heal, in order', () => {
    // As in network.test's cut test: the sends at 0 and 4 are in flight at the cut at 5 (due 10 and 14).
    const { world, got } = pair([0, 4, 30]);
    world.schedule(5, () => world.partition('a', 'b', 2));
    world.run();
    // Lost at 10 (arm the retry for 210) and held at 14; the send at 30 queues behind them.
    expect(got.map((g) => g.n)).toEqual([0, 4, 30]);
    expect(got.map((g) => g.t)).toEqual([220, 220, 220]);
    expect(world.stats.messagesDropped).toBe(0);
    const held = world.trace.recent().filter((e) => e.kind === 'net.drop');
    expect(held.map((e) => [e.mid, e.resend])).toEqual([[0, true], [1, true], [2, true]]);
    expect(world.trace.recent().filter((e) => e.kind === 'net.send' && e.resend === true)).toHaveLength(3);
  });

  it('the same traffic as datagrams loses what the cut swallowed', () => {
    const { world, got } = pair([0, 4, 30], { datagram: true });
    world.schedule(5, () => world.partition('a', 'b', 2));
    world.run();
    expect(got.map((g) => g.n)).toEqual([30]);
  });

  it('retransmissions back off while the link stays cut', () => {
    // Sent into the cut at 1: retries at 201 (cut), 601 (cut), 1,401 (healed at 1,000): delivered at 1,411.
    const { world, got } = pair([1]);
    world.schedule(0, () => world.partition('a', 'b', 1_000));
    world.run();
    expect(got).toEqual([{ n: 1, t: 1_411 }]);
  });

  it('after a retransmission the connection is quick again', () => {
    const { world, got } = pair([1, 2_000, 2_010]);
    world.schedule(0, () => world.partition('a', 'b', 100));
    world.schedule(2_005, () => world.partition('b', 'a', 1));
    world.run();
    // The first waits one timeout (201 + 10); the second is lost in flight at 2,010 and resent at 2,210 (not 400 later).
    expect(got).toEqual([{ n: 1, t: 211 }, { n: 2_000, t: 2_220 }, { n: 2_010, t: 2_220 }]);
  });

  it('a crashed sender\'s held messages are lost with its connection; its next incarnation opens a new one', () => {
    const world = new World({ seed: 3, network: { latencyMsMin: 5, latencyMsMax: 5 } });
    const got: string[] = [];
    world.addProcess('a', (ctx) => {
      ctx.timers.after(1, () => ctx.net.sendReliable('b', `m#${ctx.incarnation}`));
      return { onMessage() {} };
    });
    world.addProcess('b', () => ({ onMessage: (_f, m) => got.push(m as string) }));
    world.schedule(0, () => world.partition('a', 'b', 50));
    world.schedule(100, () => world.crash('a'));
    world.schedule(150, () => world.restart('a'));
    world.run();
    expect(got).toEqual(['m#1']);
    const drops = world.trace.recent().filter((e) => e.kind === 'net.drop' && e.resend === undefined);
    expect(drops.map((e) => e.reason)).toEqual(['sender-crashed']);
    expect(world.stats.messagesDropped).toBe(1);
  });

  test.prop([
    fc.integer({ min: 0, max: 1_000_000 }),
    fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 }), ms: fc.integer({ min: 1, max: 300 }), pair: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 6 }),
  ], { numRuns: 80 })('every connection delivers each message once, in send order, whatever the cuts', (seed, cuts) => {
    const world = new World({ seed, network: { latencyMsMin: 1, latencyMsMax: 8 } });
    const ids = ['n0', 'n1', 'n2'];
    const got = new Map<string, number[]>();
    let datagramsLost = 0;
    for (const id of ids) {
      world.addProcess(id, (ctx) => {
        const rng = world.rng.fork(`send/${id}`);
        let sent = 0;
        const tick = (): void => {
          const to = rng.pick(ids.filter((p) => p !== id));
          ctx.net.sendReliable(to, { n: sent++ });
          ctx.net.send(to, { datagram: true });
          if (sent < 60) ctx.timers.after(rng.range(0, 12), tick);
        };
        ctx.timers.after(0, tick);
        return {
          onMessage(from, msg) {
            if ((msg as { datagram?: boolean }).datagram) return;
            const key = `${from}->${id}`;
            got.set(key, [...(got.get(key) ?? []), (msg as { n: number }).n]);
          },
        };
      });
    }
    const links: [string, string][] = [['n0', 'n1'], ['n1', 'n2'], ['n0', 'n2']];
    for (const c of cuts) world.schedule(c.at, () => world.partition(...links[c.pair]!, c.ms));
    world.run();
    datagramsLost = world.stats.messagesDropped;
    let delivered = 0;
    for (const seq of got.values()) {
      delivered += seq.length;
      expect(seq.every((n, i) => i === 0 || seq[i - 1]! < n)).toBe(true);
    }
    // 60 reliable sends per process, all delivered; every drop was a datagram's.
    expect(delivered).toBe(3 * 60);
    expect(world.stats.messagesDelivered).toBe(3 * 60 + 3 * 60 - datagramsLost);
  });
});
