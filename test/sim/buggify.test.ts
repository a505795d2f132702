/**
 * Buggify sites. Proves: disabled, a site never fires and draws nothing (the
 * trace equals a run that never asks); enabled, which sites are on depends
 * only on the seed and the site's name (not on query order), firing is
 * deterministic per seed and recorded as a `buggify` event; a site's fires at
 * one process are local to it (the same whatever other processes and other
 * sites ask, and whether it asked in earlier milliseconds), and follow the
 * fire ratio.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessContext } from '../../src/runtime/types.ts';
import { World, type WorldOptions } from '../../src/sim/world.ts';

function siteWorld(opts: Partial<WorldOptions>, sites: string[], ask = true): { world: World; fired: string[] } {
  const world = new World({ seed: 8, ...opts });
  const fired: string[] = [];
  world.addProcess('p', (ctx: ProcessContext) => {
    for (let i = 0; i < 50; i++) {
      ctx.timers.after(i, () => {
        for (const s of sites) if (ask && ctx.buggify(s)) fired.push(`${s}@${i}`);
        ctx.net.send('p', i);
      });
    }
    return { onMessage() {} };
  });
  world.run();
  return { world, fired };
}

describe('buggify', () => {
  it('disabled: never fires and draws nothing', () => {
    const off = siteWorld({}, ['a', 'b']);
    const never = siteWorld({}, ['a', 'b'], false);
    expect(off.fired).toEqual([]);
    expect(off.world.trace.hash()).toBe(never.world.trace.hash());
  });

  it('enabled: site switches depend on the name only, firing is deterministic and traced', () => {
    const sites = Array.from({ length: 12 }, (_, i) => `site.${i}`);
    const opts = { buggify: { enabled: true, siteOnRatio: [1, 2] as [number, number], fireRatio: [1, 3] as [number, number] } };
    const one = siteWorld(opts, sites);
    const again = siteWorld(opts, sites);
    const reversed = siteWorld(opts, [...sites].reverse());
    expect(again.fired).toEqual(one.fired);
    expect(one.fired.length).toBeGreaterThan(0);
    const on = (r: { world: World }): string[] => r.world.buggifySwitches().filter(([, v]) => v).map(([s]) => s).sort();
    expect(on(reversed)).toEqual(on(one));
    expect(on(one).length).toBeGreaterThan(0);
    expect(on(one).length).toBeLessThan(sites.length);
    const events = one.world.trace.recent().filter((e) => e.kind === 'buggify');
    expect(events).toHaveLength(one.fired.length);
    expect(one.world.stats.buggifyFired).toBe(one.fired.length);
  });

  it('enabled: a site\'s fires at a process do not hang on other processes\' or sites\' queries, and follow the ratio', () => {
    const opts = { seed: 8, buggify: { enabled: true, siteOnRatio: [1, 1] as [number, number], fireRatio: [1, 4] as [number, number] } };
    /** Process p asks site `a` at ms 0…399 (twice per ms); q asks `a` too when `busy`, and p asks `b` before `a` when `busy`. */
    const fires = (busy: boolean, from = 0): string[] => {
      const world = new World(opts);
      const fired: string[] = [];
      world.addProcess('p', (ctx: ProcessContext) => {
        for (let i = from; i < 400; i++) {
          ctx.timers.after(i, () => {
            if (busy) ctx.buggify('b');
            for (let j = 0; j < 2; j++) if (ctx.buggify('a')) fired.push(`${i}.${j}`);
          });
        }
        return { onMessage() {} };
      });
      world.addProcess('q', (ctx: ProcessContext) => {
        for (let i = 0; i < 400; i++) ctx.timers.after(i, () => { if (busy) ctx.buggify('a'); });
        return { onMessage() {} };
      });
      world.run();
      return fired;
    };
    const quiet = fires(false);
    expect(fires(true)).toEqual(quiet);
    // Not asking before ms 200 leaves the fires from 200 on as they were.
    expect(fires(false, 200)).toEqual(quiet.filter((f) => Number(f.split('.')[0]) >= 200));
    // 800 queries at 1/4: about 200 fires.
    expect(quiet.length).toBeGreaterThan(150);
    expect(quiet.length).toBeLessThan(250);
    // The two queries of one millisecond draw apart.
    expect(quiet.filter((f) => f.endsWith('.0')).join()).not.toBe(quiet.filter((f) => f.endsWith('.1')).map((f) => f.replace('.1', '.0')).join());
  });
});
