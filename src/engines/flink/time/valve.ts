/**
 * The watermark valve of a task's input: combines the watermarks and
 * idleness of its input channels into one watermark, as Flink's
 * StatusWatermarkValve does.
 *
 * Per channel it keeps the highest watermark received, whether the channel
 * is idle, and whether it is *aligned* (counted in the minimum). The
 * combined watermark is the minimum over aligned channels, emitted only when
 * it rises above the last output; so the output never goes backwards.
 *
 * Rules, each as Flink has it (StatusWatermarkValve with FLINK-7728 and
 * FLINK-40475, whose fix makes the result independent of the order in which
 * channels go idle):
 * - A watermark lower than or equal to its channel's current one is ignored
 *   (per-channel monotonicity). A watermark on an idle channel is ignored
 *   too: an upstream marks its channel active before it sends anything again.
 * - Active -> idle: the channel stops counting in the minimum, which may let
 *   the output advance. If it was the last active channel the valve itself
 *   becomes idle, and first flushes the maximum watermark over all channels:
 *   no channel will hold it back any more. `flushOnAllIdle: false` gives
 *   Flink's pre-2017 rule instead, where idleness of every channel never
 *   advances the output.
 * - Idle -> active: the channel counts again only once its watermark has
 *   caught up with the last output (>= it); until then it is active but not
 *   aligned, so a resumed slow channel can never pull the output back. When
 *   it does count again at once, the minimum is re-derived (it may be the
 *   only aligned channel, and above the last output).
 *
 * Invariant: every aligned channel's watermark is >= the last output, so the
 * output is always <= the minimum over aligned channels, and equals it
 * whenever it advances (except for the all-idle flush). When no channel ever
 * goes idle the output is exactly the minimum over all channels.
 */
import { MIN_WATERMARK } from '../../../stream/watermark.ts';

export interface ValveChannelSnapshot {
  watermark: number;
  idle: boolean;
  aligned: boolean;
}

export interface ValveSnapshot {
  lastOutput: number;
  idle: boolean;
  channels: ValveChannelSnapshot[];
}

export interface ValveOptions {
  /** Flush the max watermark when the last active channel goes idle (Flink since FLINK-7728). Default true. */
  flushOnAllIdle?: boolean;
}

export class WatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly aligned: boolean[];
  private lastOutput = MIN_WATERMARK;
  private valveIdle = false;
  private readonly flushOnAllIdle: boolean;

  constructor(readonly numChannels: number, options: ValveOptions = {}) {
    if (!Number.isSafeInteger(numChannels) || numChannels < 1) {
      throw new Error(`a valve needs at least one channel, got ${numChannels}`);
    }
    this.watermarks = new Array<number>(numChannels).fill(MIN_WATERMARK);
    this.idle = new Array<boolean>(numChannels).fill(false);
    this.aligned = new Array<boolean>(numChannels).fill(true);
    this.flushOnAllIdle = options.flushOnAllIdle ?? true;
  }

  /** Feeds a watermark from `channel`; returns the new combined watermark if it advanced. */
  inputWatermark(channel: number, wm: number): number | undefined {
    this.checkChannel(channel);
    if (this.valveIdle || this.idle[channel] || wm <= this.watermarks[channel]) return undefined;
    this.watermarks[channel] = wm;
    if (!this.aligned[channel] && wm >= this.lastOutput) this.aligned[channel] = true;
    return this.advanceToAlignedMin();
  }

  /**
   * Marks `channel` idle or active; returns the new combined watermark if
   * that advanced it. `isIdle()` tells whether the valve as a whole is idle
   * afterwards (the task then forwards IDLE downstream).
   */
  inputIdle(channel: number, idle: boolean): number | undefined {
    this.checkChannel(channel);
    if (idle === this.idle[channel]) return undefined;
    this.idle[channel] = idle;
    if (!idle) {
      this.valveIdle = false;
      if (this.watermarks[channel] >= this.lastOutput) this.aligned[channel] = true;
      return this.advanceToAlignedMin();
    }
    this.aligned[channel] = false;
    if (this.idle.includes(false)) return this.advanceToAlignedMin();
    this.valveIdle = true;
    return this.flushOnAllIdle ? this.advanceToMaxOfAll() : undefined;
  }

  /** The last combined watermark output (MIN_WATERMARK before the first). */
  current(): number {
    return this.lastOutput;
  }

  /** True when every channel is idle (the task's own output is then idle). */
  isIdle(): boolean {
    return this.valveIdle;
  }

  isChannelIdle(channel: number): boolean {
    this.checkChannel(channel);
    return this.idle[channel];
  }

  /** The highest watermark received per channel (a copy). */
  channelWatermarks(): number[] {
    return this.watermarks.slice();
  }

  snapshot(): ValveSnapshot {
    const channels: ValveChannelSnapshot[] = [];
    for (let c = 0; c < this.numChannels; c++) {
      channels.push({ watermark: this.watermarks[c], idle: this.idle[c], aligned: this.aligned[c] });
    }
    return { lastOutput: this.lastOutput, idle: this.valveIdle, channels };
  }

  /** Restores a snapshot taken from a valve with the same number of channels. */
  restore(snap: ValveSnapshot): void {
    if (snap.channels.length !== this.numChannels) {
      throw new Error(`valve snapshot has ${snap.channels.length} channels, valve has ${this.numChannels}`);
    }
    for (let c = 0; c < this.numChannels; c++) {
      this.watermarks[c] = snap.channels[c].watermark;
      this.idle[c] = snap.channels[c].idle;
      this.aligned[c] = snap.channels[c].aligned;
    }
    this.lastOutput = snap.lastOutput;
    this.valveIdle = snap.idle;
  }

  private advanceToAlignedMin(): number | undefined {
    let min = Infinity;
    for (let c = 0; c < this.numChannels; c++) {
      if (this.aligned[c] && this.watermarks[c] < min) min = this.watermarks[c];
    }
    if (min === Infinity || min <= this.lastOutput) return undefined;
    this.lastOutput = min;
    return min;
  }

  private advanceToMaxOfAll(): number | undefined {
    let max = MIN_WATERMARK;
    for (let c = 0; c < this.numChannels; c++) if (this.watermarks[c] > max) max = this.watermarks[c];
    if (max <= this.lastOutput) return undefined;
    this.lastOutput = max;
    return max;
  }

  private checkChannel(channel: number): void {
    if (!(channel >= 0 && channel < this.numChannels && Number.isInteger(channel))) {
      throw new Error(`no input channel ${channel} (valve has ${this.numChannels})`);
    }
  }
}
