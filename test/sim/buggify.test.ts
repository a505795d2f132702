/**
 * Buggify sites. Proves: disabled, a site never fires and draws nothing (the
 * trace equals a run that never asks); enabled, which sites are on depends
 * only on the seed and the site's name (not on query order), firing is
 * deterministic per seed and recorded as a `buggify` event.
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
});
