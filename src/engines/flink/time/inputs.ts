/**
 * How a task combines the watermarks and idleness of its input channels
 * into the watermark its head operator sees.
 *
 * A one-input task (any number of channels, unions included: Flink unions
 * into one input gate) has one `WatermarkValve` over all its channels.
 *
 * A two-input task (an interval join) has, as Flink's
 * StreamTwoInputProcessor, one valve per input, and the head operator
 * combines what the two valves emit as AbstractStreamOperator does with its
 * CombinedWatermarkStatus: the combined watermark is the minimum over the
 * inputs that are not idle, emitted only when it rises; it is idle when
 * every input is. Unlike a channel inside a valve, an input that comes back
 * from idleness with a lower watermark counts at once (no catching up): it
 * holds the combined watermark where it is until it passes it. Each valve
 * emits in Flink's order: going idle, the flushed maximum before the idle
 * status; coming back, the active status before the re-derived minimum.
 */
import { MIN_WATERMARK } from '../../../stream/watermark.ts';
import { WatermarkValve, type ValveSnapshot } from './valve.ts';

/** Called with each new combined watermark, in order. */
export type Advance = (wm: number) => void;

export interface TaskInputs {
  /** A watermark from channel `ch`. */
  watermark(ch: number, wm: number, advance: Advance): void;
  /** Channel `ch` went idle or active. */
  idleness(ch: number, idle: boolean, advance: Advance): void;
  /** Every input is idle: the task's own output is idle. */
  isIdle(): boolean;
  /** Per channel, the highest watermark received. */
  channelWatermarks(): number[];
  isChannelIdle(ch: number): boolean;
  snapshot(): unknown;
  /** Restores a snapshot of inputs with the same channels; false (nothing restored) when it does not fit. */
  restore(snap: unknown): boolean;
}

/** One input gate: the valve over all channels. */
export class OneInput implements TaskInputs {
  readonly valve: WatermarkValve;

  constructor(channels: number) {
    this.valve = new WatermarkValve(channels);
  }

  watermark(ch: number, wm: number, advance: Advance): void {
    const out = this.valve.inputWatermark(ch, wm);
    if (out !== undefined) advance(out);
  }

  idleness(ch: number, idle: boolean, advance: Advance): void {
    const out = this.valve.inputIdle(ch, idle);
    if (out !== undefined) advance(out);
  }

  isIdle(): boolean {
    return this.valve.isIdle();
  }

  channelWatermarks(): number[] {
    return this.valve.channelWatermarks();
  }

  isChannelIdle(ch: number): boolean {
    return this.valve.isChannelIdle(ch);
  }

  snapshot(): ValveSnapshot {
    return this.valve.snapshot();
  }

  restore(snap: unknown): boolean {
    const s = snap as Partial<ValveSnapshot> | undefined;
    if (!Array.isArray(s?.channels) || s.channels.length !== this.valve.numChannels) return false;
    this.valve.restore(s as ValveSnapshot);
    return true;
  }
}

export interface CombinedSnapshot {
  combined: number;
  idle: boolean;
  partial: { watermark: number; idle: boolean }[];
}

/** Flink's CombinedWatermarkStatus: the minimum over the inputs that are not idle. */
export class CombinedWatermark {
  private readonly partial: number[];
  private readonly idle: boolean[];
  private combined = MIN_WATERMARK;
  private allIdle = false;

  constructor(inputs: number) {
    this.partial = new Array<number>(inputs).fill(MIN_WATERMARK);
    this.idle = new Array<boolean>(inputs).fill(false);
  }

  /** Input `i` emitted watermark `wm`; returns the combined watermark if it rose. */
  updateWatermark(i: number, wm: number): number | undefined {
    this.partial[i] = wm;
    return this.update();
  }

  /** Input `i` went idle or active; returns the combined watermark if that made it rise. */
  updateStatus(i: number, idle: boolean): number | undefined {
    this.idle[i] = idle;
    return this.update();
  }

  isIdle(): boolean {
    return this.allIdle;
  }

  current(): number {
    return this.combined;
  }

  snapshot(): CombinedSnapshot {
    return { combined: this.combined, idle: this.allIdle, partial: this.partial.map((watermark, i) => ({ watermark, idle: this.idle[i]! })) };
  }

  restore(s: CombinedSnapshot): void {
    this.combined = s.combined;
    this.allIdle = s.idle;
    s.partial.forEach((p, i) => {
      this.partial[i] = p.watermark;
      this.idle[i] = p.idle;
    });
  }

  private update(): number | undefined {
    let min = Infinity;
    let allIdle = true;
    for (let i = 0; i < this.partial.length; i++) {
      if (this.idle[i]) continue;
      allIdle = false;
      if (this.partial[i]! < min) min = this.partial[i]!;
    }
    this.allIdle = allIdle;
    if (allIdle || min <= this.combined) return undefined;
    this.combined = min;
    return min;
  }
}

export interface TwoInputsSnapshot {
  inputs: ValveSnapshot[];
  combined: CombinedSnapshot;
}

/** Two input gates (`inputOf[ch]` is channel ch's input, 0 or 1), each with its valve, combined. */
export class TwoInputs implements TaskInputs {
  private readonly valves: WatermarkValve[];
  private readonly combined: CombinedWatermark;
  /** Channel → its index within its input's valve. */
  private readonly local: number[];

  constructor(private readonly inputOf: readonly number[]) {
    const counts = [0, 0];
    this.local = inputOf.map((i) => {
      if (i !== 0 && i !== 1) throw new Error(`a two-input task's channel is of input ${i}`);
      return counts[i]!++;
    });
    if (counts[0] === 0 || counts[1] === 0) throw new Error('a two-input task needs channels on both inputs');
    this.valves = counts.map((n) => new WatermarkValve(n));
    this.combined = new CombinedWatermark(2);
  }

  watermark(ch: number, wm: number, advance: Advance): void {
    const i = this.inputOf[ch]!;
    const out = this.valves[i]!.inputWatermark(this.local[ch]!, wm);
    if (out !== undefined) this.emit(this.combined.updateWatermark(i, out), advance);
  }

  idleness(ch: number, idle: boolean, advance: Advance): void {
    const i = this.inputOf[ch]!;
    const valve = this.valves[i]!;
    const wasIdle = valve.isIdle();
    const out = valve.inputIdle(this.local[ch]!, idle);
    const statusChanged = valve.isIdle() !== wasIdle;
    if (idle) {
      if (out !== undefined) this.emit(this.combined.updateWatermark(i, out), advance);
      if (statusChanged) this.emit(this.combined.updateStatus(i, true), advance);
    } else {
      if (statusChanged) this.emit(this.combined.updateStatus(i, false), advance);
      if (out !== undefined) this.emit(this.combined.updateWatermark(i, out), advance);
    }
  }

  isIdle(): boolean {
    return this.combined.isIdle();
  }

  channelWatermarks(): number[] {
    const all = this.valves.map((v) => v.channelWatermarks());
    return this.inputOf.map((i, ch) => all[i]![this.local[ch]!]!);
  }

  isChannelIdle(ch: number): boolean {
    return this.valves[this.inputOf[ch]!]!.isChannelIdle(this.local[ch]!);
  }

  snapshot(): TwoInputsSnapshot {
    return { inputs: this.valves.map((v) => v.snapshot()), combined: this.combined.snapshot() };
  }

  restore(snap: unknown): boolean {
    const s = snap as Partial<TwoInputsSnapshot> | undefined;
    if (!Array.isArray(s?.inputs) || s.combined === undefined || s.inputs.length !== 2) return false;
    if (s.inputs.some((v, i) => v.channels.length !== this.valves[i]!.numChannels)) return false;
    s.inputs.forEach((v, i) => this.valves[i]!.restore(v));
    this.combined.restore(s.combined);
    return true;
  }

  private emit(wm: number | undefined, advance: Advance): void {
    if (wm !== undefined) advance(wm);
  }
}

/** The inputs of a task whose channels feed inputs `inputOf` (undefined for a task with no input channels). */
export function taskInputs(inputOf: readonly number[]): TaskInputs | undefined {
  if (inputOf.length === 0) return undefined;
  return inputOf.some((i) => i !== 0) ? new TwoInputs(inputOf) : new OneInput(inputOf.length);
}
