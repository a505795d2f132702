/**
 * Named fault sites, after FoundationDB's BUGGIFY. Each site is switched on or
 * off once per run, on its first query, by a draw from a stream forked by the
 * site's name (so the order in which sites are first reached does not change
 * which are on). An enabled site then fires by an integer ratio, each query a
 * draw local to the site at the querying process (`local-draw.ts`): a hash of
 * the seed, the site, the process, the virtual millisecond and the query's
 * place among that millisecond's queries there. So whether ks-0's commit at
 * 16.9 s is slow does not hang on how many commits every other process made
 * before it, and leaving an input record out while shrinking does not move
 * every later fire. With buggify disabled nothing is ever drawn.
 */
import type { Rng } from './rng.ts';
import { below, drawAt, drawSource, DrawSources, seedKeyOf, type DrawSource } from './local-draw.ts';

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
  /** Per site, per process: the draw state of its fires. */
  private readonly sources: DrawSources<DrawSource>;

  constructor(private readonly rng: Rng, opts?: BuggifyOptions) {
    this.enabled = opts?.enabled ?? false;
    this.siteOnRatio = opts?.siteOnRatio ?? [1, 4];
    this.fireRatio = opts?.fireRatio ?? [1, 10];
    const seedKey = seedKeyOf(rng.path);
    this.sources = new DrawSources((site, process) => drawSource(seedKey, site, process));
  }

  /** Whether `site` fires now (virtual time `nowMs`) at `process`. */
  fires(site: string, process: string, nowMs: number): boolean {
    if (!this.enabled) return false;
    let on = this.sites.get(site);
    if (on === undefined) {
      on = this.rng.fork(`site/${site}`).chance(this.siteOnRatio[0], this.siteOnRatio[1]);
      this.sites.set(site, on);
    }
    if (!on) return false;
    return below(drawAt(this.sources.of(site, process), nowMs), this.fireRatio[1]) < this.fireRatio[0];
  }

  /** Sites queried so far with their on/off switch, in first-query order. */
  switches(): [string, boolean][] {
    return [...this.sites];
  }
}
