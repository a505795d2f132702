/**
 * The world's scheduler and determinism. Proves: the same seed gives the same
 * trace hash (and the same event stream) for a random ping-pong world; 20
 * different seeds give at most one hash collision; run limits (time, steps,
 * stopWhen, stop) behave as documented; processes start in the queue;
 * errors thrown by a process propagate out of run(); timers of a crashed
 * process never fire; restart bumps the incarnation; a re-armed timer fires
 * exactly when and in the order a fresh timer armed at that moment would,
 * and re-arming refuses (changing nothing) once the timer is gone.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../src/sim/world.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { chatterWorld } from './helpers.ts';

function runChatter(seed: number): { hash: string; events: TraceEvent[] } {
  const world = chatterWorld(seed);
  const events: TraceEvent[] = [];
  world.trace.subscribe((e) => events.push(e));
  const r = world.run({ maxSteps: 100_000 });
  expect(r.reason).toBe('idle');
  return { hash: world.trace.hash(), events };
}

describe('World determinism', () => {
  it('same seed, same trace', () => {
    const a = runChatter(1234);
    const b = runChatter(1234);
    expect(a.events.length).toBeGreaterThan(100);
    expect(a.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(b.hash).toBe(a.hash);
    expect(b.events.map((e) => JSON.stringify(e))).toEqual(a.events.map((e) => JSON.stringify(e)));
  });

  it('different seeds, different traces (at most one collision in 20)', () => {
    const hashes = new Set<string>();
    for (let seed = 0; seed < 20; seed++) hashes.add(runChatter(seed).hash);
    expect(hashes.size).toBeGreaterThanOrEqual(19);
  });
});

describe('World scheduler', () => {
  it('starts added processes as events, in order, at the current time', () => {
    const world = new World({ seed: 1 });
    const started: string[] = [];
    world.addProcess('a', (ctx) => (started.push(`${ctx.id}@${ctx.clock.now()}#${ctx.incarnation}`), { onMessage() {} }));
    world.addProcess('b', (ctx) => (started.push(`${ctx.id}@${ctx.clock.now()}#${ctx.incarnation}`), { onMessage() {} }));
    world.addProcess('c', () => ({ onMessage() {} }), { start: false });
    expect(started).toEqual([]);
    expect(world.run()).toEqual({ reason: 'idle', steps: 2, nowMs: 0 });
    expect(started).toEqual(['a@0#0', 'b@0#0']);
    expect(world.isUp('c')).toBe(false);
    world.restart('c');
    expect(world.isUp('c')).toBe(true);
    expect(world.incarnation('c')).toBe(0);
    expect(() => world.addProcess('a', () => ({ onMessage() {} }))).toThrow(/already exists/);
  });

  it('untilMs, maxSteps, stopWhen and stop', () => {
    const world = new World({ seed: 1 });
    let ticks = 0;
    world.addProcess('t', (ctx) => {
      const tick = (): void => {
        ticks++;
        ctx.timers.after(10, tick);
      };
      ctx.timers.after(10, tick);
      return { onMessage() {} };
    });
    expect(world.run({ untilMs: 55 })).toEqual({ reason: 'time', steps: 6, nowMs: 55 });
    expect(ticks).toBe(5);
    expect(world.run({ maxSteps: 3 })).toEqual({ reason: 'steps', steps: 3, nowMs: 80 });
    expect(world.run({ stopWhen: () => ticks >= 10 })).toMatchObject({ reason: 'stopped', nowMs: 100 });
    world.schedule(5, () => world.stop());
    expect(world.run()).toMatchObject({ reason: 'stopped', nowMs: 105 });
    expect(world.stats.steps).toBe(6 + 3 + 2 + 1);
  });

  it('equal times run in scheduling order', () => {
    const world = new World({ seed: 1 });
    const order: number[] = [];
    for (let i = 0; i < 10; i++) world.schedule(3, () => order.push(i));
    world.run();
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('errors thrown by a process propagate out of run()', () => {
    const world = new World({ seed: 1 });
    world.addProcess('bad', () => ({
      onMessage() {
        throw new Error('engine bug');
      },
    }));
    world.deliverFromOutside('bad', { kind: 'boom' });
    expect(() => world.run()).toThrow('engine bug');
    // The world is usable again afterwards.
    expect(world.run().reason).toBe('idle');
  });

  it('timers of a crashed process never fire, cancelled timers neither', () => {
    const world = new World({ seed: 1 });
    const fired: string[] = [];
    world.addProcess('p', (ctx) => {
      ctx.timers.after(10, () => fired.push(`late#${ctx.incarnation}`));
      ctx.timers.after(1, () => fired.push(`early#${ctx.incarnation}`));
      ctx.timers.after(2, () => fired.push('cancelled')).cancel();
      return { onMessage() {} };
    });
    world.schedule(5, () => world.crash('p'));
    world.schedule(7, () => world.restart('p'));
    world.run();
    expect(fired).toEqual(['early#0', 'early#1', 'late#1']);
    expect(world.stats.crashes).toBe(1);
    expect(world.stats.restarts).toBe(1);
    expect(world.incarnation('p')).toBe(1);
    const kinds = world.trace.recent().map((e) => e.kind);
    expect(kinds).toContain('proc.crash');
    expect(kinds).toContain('proc.restart');
  });

  it('a re-armed timer fires as a fresh timer armed then would; re-arming refuses once the timer is gone', () => {
    type Handle = { cancel(): void; rearm(delayMs: number): boolean };
    /** Runs the script with `rearm`, or with cancel + a fresh timer (`fresh`); returns what fired, and when. */
    const script = (fresh: boolean) => {
      const world = new World({ seed: 1 });
      const fired: string[] = [];
      const refused: boolean[] = [];
      world.addProcess('p', (ctx) => {
        const fire = (name: string) => () => fired.push(`${name}@${ctx.clock.now()}`);
        let a = ctx.timers.after(10, fire('A')) as unknown as Handle;
        ctx.timers.after(30, fire('X'));
        let c = ctx.timers.after(10, fire('C')) as unknown as Handle;
        const b = ctx.timers.after(50, fire('B')) as unknown as Handle;
        ctx.timers.after(5, () => {
          // A, cancelled, then due at 30: after X (armed earlier), before Y (armed later).
          a.cancel();
          if (fresh) a = ctx.timers.after(25, fire('A')) as unknown as Handle;
          else expect(a.rearm(25)).toBe(true);
          ctx.timers.after(25, fire('Y'));
          // C, still live, moved from 10 to 20.
          if (fresh) {
            c.cancel();
            c = ctx.timers.after(15, fire('C')) as unknown as Handle;
          } else expect(c.rearm(15)).toBe(true);
          // Earlier than its queue entry: refused, B still fires at 50.
          refused.push(b.rearm(10));
        });
        ctx.timers.after(40, () => refused.push(a.rearm(1), c.rearm(1)));
        return { onMessage() {} };
      });
      world.addProcess('q', (ctx) => {
        const t = ctx.timers.after(10, () => fired.push('q')) as unknown as Handle;
        ctx.timers.after(2, () => {
          world.crash('q');
          refused.push(t.rearm(1));
        });
        return { onMessage() {} };
      });
      world.run();
      return { fired, refused, steps: world.stats.steps, timersFired: world.stats.timersFired };
    };
    const rearmed = script(false);
    expect(rearmed.fired).toEqual(['C@20', 'X@30', 'A@30', 'Y@30', 'B@50']);
    expect(rearmed.refused).toEqual([false, false, false, false]);
    const fresh = script(true);
    expect(fresh.fired).toEqual(rearmed.fired);
    expect(fresh.steps).toBe(rearmed.steps);
    expect(fresh.timersFired).toBe(rearmed.timersFired);
  });

  it('rejects bad delays and unknown processes', () => {
    const world = new World({ seed: 1 });
    expect(() => world.schedule(-1, () => {})).toThrow(RangeError);
    expect(() => world.schedule(1.5, () => {})).toThrow(RangeError);
    expect(() => world.crash('nope')).toThrow(/unknown process/);
    world.addProcess('p', (ctx) => {
      ctx.net.send('ghost', 'hi');
      return { onMessage() {} };
    });
    expect(() => world.run()).toThrow(/unknown process 'ghost'/);
  });

  it('trace.emit fills seq, t, p and rejects reserved field names', () => {
    const world = new World({ seed: 1, detailedTrace: false });
    let detailed: boolean | undefined;
    world.addProcess('p', (ctx) => {
      detailed = ctx.trace.detailed;
      ctx.timers.after(3, () => ctx.trace.emit('watermark', { wm: 7 }));
      ctx.timers.after(4, () => ctx.trace.emit('watermark', { kind: 'x' }));
      return { onMessage() {} };
    });
    expect(() => world.run()).toThrow(/reserved/);
    expect(detailed).toBe(false);
    const wm = world.trace.recent().find((e) => e.kind === 'watermark');
    expect(wm).toEqual({ seq: wm?.seq, t: 3, p: 'p', kind: 'watermark', wm: 7 });
  });
});
