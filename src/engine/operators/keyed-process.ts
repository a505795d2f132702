/**
 * The keyed process function (Flink's KeyedProcessFunction): per-record user
 * code with keyed state and event-time and processing-time timers. State and
 * timers are part of the operator's snapshot.
 */
import type { KeyedStateBackend } from '../state/backend.ts';
import { KeyedOperator } from './keyed-operator.ts';

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

export class KeyedProcessOperator extends KeyedOperator {
  private processingTimer = false;

  constructor(private readonly fn: KeyedProcessFunction) {
    super();
  }

  private context(ts: number): KeyedProcessContext {
    const key = this.key;
    return {
      key,
      timestamp: ts,
      state: this.state,
      currentWatermark: () => this.ctx.currentWatermark(),
      currentProcessingTime: () => this.ctx.now(),
      registerEventTimeTimer: (t) => this.timers.registerEventTimeTimer(key, '', t),
      registerProcessingTimeTimer: (t) => {
        this.timers.registerProcessingTimeTimer(key, '', t);
        this.armProcessingTime();
      },
      collect: (value, t) => this.out.collect(value, t ?? ts),
    };
  }

  processElement(value: unknown, ts: number): void {
    this.fn.processElement(value, this.context(ts));
  }

  protected onEventTime(_namespace: string, ts: number): void {
    this.fn.onTimer?.(ts, this.context(ts));
  }

  private armProcessingTime(): void {
    const next = this.timers.nextProcessingTime();
    if (next === undefined || this.processingTimer) return;
    this.processingTimer = true;
    this.ctx.after(Math.max(0, next - this.ctx.now()), () => {
      this.processingTimer = false;
      this.timers.advanceProcessingTime(this.ctx.now(), (key, _ns, ts) => {
        this.setCurrentKey(key);
        this.fn.onTimer?.(ts, this.context(ts));
      });
      this.armProcessingTime();
    });
  }

  override restoreState(snap: unknown): void {
    super.restoreState(snap);
    this.armProcessingTime();
  }
}
