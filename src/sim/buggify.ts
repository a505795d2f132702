/**
 * Named fault sites, after FoundationDB's BUGGIFY. Each site is switched on or
 * off once per run, on its first query, by a draw from a stream forked by the
 * site's name (so the order in which sites are first reached does not change
 * which are on). An enabled site then fires by an integer ratio drawn from the
 * shared `buggify` stream. With buggify disabled nothing is ever drawn.
 */
import type { Rng } from './rng.ts';

export interface BuggifyOptions {
  enabled: boolean;
  /** Chance that a site is switched on for the run (default 1/4). */
  siteOnRatio?: [number, number];
  /** Chance that an enabled site fires at each query (default 1/10). */
  fireRatio?: [number, number];
}

export class Buggify {
  readonly enabled: boolean;
  private readonly siteOnRatio: [number, number];
  private readonly fireRatio: [number, number];
  private readonly sites = new Map<string, boolean>();

  constructor(private readonly rng: Rng, opts?: BuggifyOptions) {
    this.enabled = opts?.enabled ?? false;
    this.siteOnRatio = opts?.siteOnRatio ?? [1, 4];
    this.fireRatio = opts?.fireRatio ?? [1, 10];
  }

  /** Whether `site` fires now. */
  fires(site: string): boolean {
    if (!this.enabled) return false;
    let on = this.sites.get(site);
    if (on === undefined) {
      on = this.rng.fork(`site/${site}`).chance(this.siteOnRatio[0], this.siteOnRatio[1]);
      this.sites.set(site, on);
    }
    return on && this.rng.chance(this.fireRatio[0], this.fireRatio[1]);
  }

  /** Sites queried so far with their on/off switch, in first-query order. */
  switches(): [string, boolean][] {
    return [...this.sites];
  }
}
