/**
 * The simulated network's state: per-channel FIFO order, partitions and
 * latency spikes. The world owns delivery; this module only decides when a
 * message sent now would arrive and whether a cut link must drop it.
 *
 * FIFO: each ordered pair (from, to) is a channel; a message's delivery time
 * is max(now + latency + spike extra, the channel's last delivery time), and
 * the scheduler pops equal times in push order, so a channel never reorders.
 * A message's latency is a hash of the seed, its channel, the millisecond it
 * is sent in and its place among that channel's sends of that millisecond —
 * not a draw from one stream shared by all traffic. So a run is local in its
 * input: leaving an input record out changes the delays of the messages that
 * record causes, not of every message sent after it, and a race the failure
 * needs survives shrinking. Different channels still interleave differently
 * per seed. `unsafeNonFifo` skips the max,
 * only to show why barrier alignment needs FIFO.
 *
 * Partitions cut both directions of a link. A message is dropped when its link
 * is cut at send, is cut at delivery, or was cut at any moment in between: a
 * link records the cut generation of its latest cut, and each message carries
 * the generation current when it was sent. (The world holds such a message
 * back instead when it travels on a connection: `World.sendReliable`.)
 */
import type { Rng } from './rng.ts';
import { drawBetween, drawSource, DrawSources, seedKeyOf, type DrawSource } from './local-draw.ts';

export interface NetworkOptions {
  latencyMsMin?: number;
  latencyMsMax?: number;
  unsafeNonFifo?: boolean;
}

interface Link {
  /** Active cuts of this link (partitions may overlap). */
  cuts: number;
  /** The generation of the latest cut of this link. */
  lastCutGen: number;
}

/** One direction of a link's traffic (a sender may keep it, `channelOf`, instead of looking it up per message); its latencies are draws local to it. */
export interface Channel extends DrawSource {
  /** The latest delivery time given on the channel (-1 before its first message). */
  lastDeliveryMs: number;
}

export interface Spike {
  extraMs: number;
  between?: readonly [string, string];
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

export class SimNetwork {
  readonly latencyMsMin: number;
  readonly latencyMsMax: number;
  readonly unsafeNonFifo: boolean;
  private readonly links = new Map<string, Link>();
  private activeCuts = 0;
  /** Bumped at every cut; messages remember the value current when sent. */
  cutGeneration = 0;
  private spikes: Spike[] = [];
  /** Per channel from → to: what its latency and FIFO order need. */
  private readonly channels: DrawSources<Channel>;

  constructor(rng: Rng, opts: NetworkOptions = {}) {
    this.latencyMsMin = opts.latencyMsMin ?? 1;
    this.latencyMsMax = opts.latencyMsMax ?? 5;
    this.unsafeNonFifo = opts.unsafeNonFifo ?? false;
    if (!Number.isInteger(this.latencyMsMin) || this.latencyMsMin < 0 || !Number.isInteger(this.latencyMsMax) || this.latencyMsMax < this.latencyMsMin) {
      throw new RangeError(`network: need integers 0 ≤ latencyMsMin ≤ latencyMsMax, got ${this.latencyMsMin}, ${this.latencyMsMax}`);
    }
    const seedKey = seedKeyOf(rng.path);
    this.channels = new DrawSources((from, to) => ({ ...drawSource(seedKey, from, to), lastDeliveryMs: -1 }));
  }

  /** The channel from → to, made on first use. */
  channelOf(from: string, to: string): Channel {
    return this.channels.of(from, to);
  }

  /** The latency of a message sent in millisecond nowMs on a channel: a draw local to the channel (`local-draw.ts`). */
  private latencyMs(nowMs: number, ch: Channel): number {
    return drawBetween(ch, nowMs, this.latencyMsMin, this.latencyMsMax);
  }

  /** Draws the delivery time of a message sent now on channel `ch` (`channelOf(from, to)`) and records it for FIFO. */
  deliveryTimeMs(ch: Channel, nowMs: number, from: string, to: string): number {
    let atMs = nowMs + this.latencyMs(nowMs, ch);
    if (this.spikes.length > 0) atMs += this.spikeExtraMs(from, to);
    if (this.unsafeNonFifo) return atMs;
    if (ch.lastDeliveryMs > atMs) atMs = ch.lastDeliveryMs;
    ch.lastDeliveryMs = atMs;
    return atMs;
  }

  private spikeExtraMs(from: string, to: string): number {
    let extra = 0;
    for (const s of this.spikes) {
      if (s.between === undefined || linkKey(s.between[0], s.between[1]) === linkKey(from, to)) extra += s.extraMs;
    }
    return extra;
  }

  addSpike(spike: Spike): void {
    this.spikes = [...this.spikes, spike];
  }

  removeSpike(spike: Spike): void {
    this.spikes = this.spikes.filter((s) => s !== spike);
  }

  cut(a: string, b: string): void {
    const key = linkKey(a, b);
    let link = this.links.get(key);
    if (link === undefined) {
      link = { cuts: 0, lastCutGen: 0 };
      this.links.set(key, link);
    }
    this.cutGeneration++;
    link.cuts++;
    link.lastCutGen = this.cutGeneration;
    this.activeCuts++;
  }

  heal(a: string, b: string): void {
    const link = this.links.get(linkKey(a, b));
    if (link === undefined || link.cuts === 0) throw new Error(`network: heal of a link that is not cut: ${a} – ${b}`);
    link.cuts--;
    this.activeCuts--;
  }

  isCut(a: string, b: string): boolean {
    if (this.activeCuts === 0) return false;
    const link = this.links.get(linkKey(a, b));
    return link !== undefined && link.cuts > 0;
  }

  /** Whether a message sent at cut generation `sentGen` must be dropped at delivery now. */
  droppedByCut(from: string, to: string, sentGen: number): boolean {
    if (sentGen === this.cutGeneration && this.activeCuts === 0) return false;
    const link = this.links.get(linkKey(from, to));
    return link !== undefined && (link.cuts > 0 || link.lastCutGen > sentGen);
  }
}
