/**
 * Shared test worlds. `chatterWorld` builds a few processes that ping-pong
 * with random timers and random sends; everything they draw comes from forks
 * of the world's root stream, so the run is a function of the seed.
 */
import type { ProcessContext, ProcessLogic } from '../../src/runtime/types.ts';
import { World, type WorldOptions } from '../../src/sim/world.ts';

export interface Ping {
  kind: 'ping' | 'pong';
  from: string;
  n: number;
}

export interface ChatterOptions {
  processes?: number;
  /** Sends per process before it goes quiet. */
  rounds?: number;
  world?: Partial<WorldOptions>;
}

export function chatterWorld(seed: number | string, opts: ChatterOptions = {}): World {
  const world = new World({ seed, ...opts.world });
  const ids = Array.from({ length: opts.processes ?? 3 }, (_, i) => `p${i}`);
  const rounds = opts.rounds ?? 20;
  for (const id of ids) {
    world.addProcess(id, (ctx: ProcessContext): ProcessLogic => {
      const rng = world.rng.fork(`proc/${id}/${ctx.incarnation}`);
      const peers = ids.filter((p) => p !== id);
      let n = 0;
      const tick = (): void => {
        if (n >= rounds) return;
        ctx.net.send(rng.pick(peers), { kind: 'ping', from: id, n: n++ } satisfies Ping);
        ctx.timers.after(rng.range(0, 7), tick);
      };
      ctx.timers.after(rng.range(0, 3), tick);
      return {
        onMessage(from, msg) {
          const m = msg as Ping;
          ctx.trace.emit('test.recv', { from, kind2: m.kind, n: m.n });
          if (m.kind === 'ping' && rng.chance(2, 3)) ctx.net.send(from, { kind: 'pong', from: id, n: m.n } satisfies Ping);
        },
      };
    });
  }
  return world;
}
