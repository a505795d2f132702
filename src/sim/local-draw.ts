/**
 * Draws local to one source of events: a uniform 32-bit integer that is a
 * hash of the seed, the source (a network channel, a buggify site at one
 * process, a disk's fsyncs), the virtual millisecond of the draw and its
 * place among that source's draws of that millisecond — not the next value
 * of a stream that every source shares. So a run is local in its input:
 * leaving an input record out changes the draws of the events that record
 * causes, not of every event after it, and the race a failure needs
 * survives shrinking.
 * Only 32-bit integer operations, so every machine draws the same.
 */
import { fnv1a32 } from '../runtime/checksum.ts';

/** murmur3's 32-bit finalizer: an unsigned integer from an integer, every bit mixed. */
export function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** One source's draw state. */
export interface DrawSource {
  /** The seed's and the source's part of every draw. */
  readonly base: number;
  /** The millisecond of the source's latest draw, that draw's place among the draws of that millisecond, and the millisecond's part of the hash. */
  lastMs: number;
  k: number;
  msBase: number;
}

/** The part of every draw a seed (its stream's path) contributes. */
export function seedKeyOf(path: string): number {
  return fnv1a32(path);
}

/** The draw state of the source named by the pair (from, to) under `seedKey`: a network channel, a fault site at a process, a disk's fsyncs (disk, 'fsync'). */
export function drawSource(seedKey: number, from: string, to: string): DrawSource {
  const key = mix(fnv1a32(from) ^ mix(fnv1a32(to) + 0x9e3779b9));
  return { base: mix(seedKey ^ key), lastMs: -1, k: 0, msBase: 0 };
}

/** The next draw of `src` in millisecond `nowMs`, in [0, 2^32). */
export function drawAt(src: DrawSource, nowMs: number): number {
  if (src.lastMs === nowMs) src.k++;
  else {
    src.lastMs = nowMs;
    src.k = 0;
    src.msBase = mix(src.base + (nowMs >>> 0)) + ((nowMs / 4294967296) >>> 0);
  }
  // mix(mix(mix(seedKey ^ source key) + low 32 bits of nowMs) + high bits of nowMs + k * 0x85ebca6b)
  return mix(src.msBase + src.k * 0x85ebca6b);
}

/** The draw sources of one consumer, per (from, to), each made on first use by `make`. */
export class DrawSources<T extends DrawSource> {
  private readonly byFrom = new Map<string, Map<string, T>>();

  constructor(private readonly make: (from: string, to: string) => T) {}

  of(from: string, to: string): T {
    let byTo = this.byFrom.get(from);
    if (byTo === undefined) {
      byTo = new Map();
      this.byFrom.set(from, byTo);
    }
    let src = byTo.get(to);
    if (src === undefined) {
      src = this.make(from, to);
      byTo.set(to, src);
    }
    return src;
  }
}

/** The next draw of `src` in millisecond `nowMs` as an integer in [lo, hi] (a latency, a delay). */
export function drawBetween(src: DrawSource, nowMs: number, lo: number, hi: number): number {
  return lo + below(drawAt(src, nowMs), hi - lo + 1);
}

/** `draw` (uniform in [0, 2^32)) scaled to [0, n). */
export function below(draw: number, n: number): number {
  return Math.floor((draw * n) / 4294967296);
}
