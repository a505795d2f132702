/**
 * The keyed process function (Flink's KeyedProcessFunction): per-record user
 * code with keyed state and event-time and processing-time timers. State and
 * timers are part of the operator's snapshot.
 */
import type { Output, OperatorContext, StreamOperator } from './operator.ts';
import { KeyedStateBackend, type StateSnapshot } from '../state/backend.ts';
import { TimerService } from '../time/timers.ts';

export interface KeyedProcessContext {
  readonly key: string;
  /** The record's (or the firing timer's) timestamp. */
  readonly timestamp: number;
  readonly state: KeyedStateBackend;
  currentWatermark(): number;
  currentProcessingTime(): number;
  registerEventTimeTimer(ts: number): void;
  registerProcessingTimeTimer(ts: number): void;
  collect(value: unknown, ts?: number): void;
}

export interface KeyedProcessFunction {
  processElement(value: any, ctx: KeyedProcessContext): void;
  onTimer?(ts: number, ctx: KeyedProcessContext): void;
}

interface ProcessSnapshot {
  state: StateSnapshot;
  timers: unknown;
}

export class KeyedProcessOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private out!: Output;
  private state!: KeyedStateBackend;
  private timers = new TimerService<string>();
  private key = '';
  private processingTimer = false;

  constructor(private readonly fn: KeyedProcessFunction) {}

  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
    this.state = ctx.state ?? new KeyedStateBackend(ctx.now);
  }

  setCurrentKey(key: string): void {
    this.key = key;
    this.state.setCurrentKey(key);
  }

  private context(ts: number): KeyedProcessContext {
    const op = this;
    const key = this.key;
    return {
      key,
      timestamp: ts,
      state: this.state,
      currentWatermark: () => this.ctx.currentWatermark(),
      currentProcessingTime: () => this.ctx.now(),
      registerEventTimeTimer: (t) => this.timers.registerEventTimeTimer(key, '', t),
      registerProcessingTimeTimer(t) {
        op.timers.registerProcessingTimeTimer(key, '', t);
        op.armProcessingTime();
      },
      collect: (value, t) => this.out.collect(value, t ?? ts),
    };
  }

  processElement(value: unknown, ts: number): void {
    this.fn.processElement(value, this.context(ts));
  }

  processWatermark(wm: number): void {
    // A restored timer service may already be ahead of a watermark that was not restored.
    if (wm > this.timers.currentWatermark()) this.timers.advanceWatermark(wm, (key, _ns, ts) => this.fire(key, ts));
    this.out.emitWatermark(wm);
  }

  private fire(key: string, ts: number): void {
    this.setCurrentKey(key);
    this.fn.onTimer?.(ts, this.context(ts));
  }

  private armProcessingTime(): void {
    const next = this.timers.nextProcessingTime();
    if (next === undefined || this.processingTimer) return;
    this.processingTimer = true;
    this.ctx.after(Math.max(0, next - this.ctx.now()), () => {
      this.processingTimer = false;
      this.timers.advanceProcessingTime(this.ctx.now(), (key, _ns, ts) => this.fire(key, ts));
      this.armProcessingTime();
    });
  }

  snapshotState(): ProcessSnapshot {
    return { state: this.state.snapshot(), timers: this.timers.snapshot() };
  }

  restoreState(snap: unknown): void {
    const s = snap as ProcessSnapshot;
    this.state.restore(s.state);
    this.timers = new TimerService<string>();
    this.timers.restore(s.timers as never);
    this.armProcessingTime();
  }
}
