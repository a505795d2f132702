/**
 * The keyed process function (Flink's KeyedProcessFunction): per-record user
 * code with keyed state and event-time and processing-time timers. State and
 * timers are part of the operator's snapshot.
 */
import type { KeyedStateBackend } from '../state/backend.ts';
import { KeyedOperator } from './keyed-operator.ts';

export interface KeyedProcessContext<OUT = any> {
  readonly key: string;
  /** The record's (or the firing timer's) timestamp. */
  readonly timestamp: number;
  readonly state: KeyedStateBackend;
  currentWatermark(): number;
  currentProcessingTime(): number;
  registerEventTimeTimer(ts: number): void;
  registerProcessingTimeTimer(ts: number): void;
  collect(value: OUT, ts?: number): void;
}

export interface KeyedProcessFunction<IN = any, OUT = any> {
  processElement(value: IN, ctx: KeyedProcessContext<OUT>): void;
  onTimer?(ts: number, ctx: KeyedProcessContext<OUT>): void;
}

export class KeyedProcessOperator extends KeyedOperator {
  private processingTimer = false;

  constructor(private readonly fn: KeyedProcessFunction) {
    super();
  }

  /** One context, re-aimed at each record or timer (as Flink's is): valid only during the call. */
  private readonly fnContext = new FnContext(this);

  private context(ts: number): KeyedProcessContext {
    const c = this.fnContext;
    c.key = this.key;
    c.timestamp = ts;
    return c;
  }

  /** @internal the context's way in. */
  registerProcessingTime(key: string, t: number): void {
    this.timers.registerProcessingTimeTimer(key, '', t);
    this.armProcessingTime();
  }

  /** @internal the context's way in. */
  registerEventTime(key: string, t: number): void {
    this.timers.registerEventTimeTimer(key, '', t);
  }

  /** @internal the context's way in. */
  emit(value: unknown, ts: number): void {
    this.out.collect(value, ts);
  }

  /** @internal the context's way in. */
  get operatorContext() {
    return this.ctx;
  }

  /** @internal the context's way in. */
  get keyedState(): KeyedStateBackend {
    return this.state;
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

class FnContext implements KeyedProcessContext {
  key = '';
  timestamp = 0;

  constructor(private readonly op: KeyedProcessOperator) {}

  get state(): KeyedStateBackend {
    return this.op.keyedState;
  }

  currentWatermark(): number {
    return this.op.operatorContext.currentWatermark();
  }

  currentProcessingTime(): number {
    return this.op.operatorContext.now();
  }

  registerEventTimeTimer(t: number): void {
    this.op.registerEventTime(this.key, t);
  }

  registerProcessingTimeTimer(t: number): void {
    this.op.registerProcessingTime(this.key, t);
  }

  collect(value: unknown, ts?: number): void {
    this.op.emit(value, ts ?? this.timestamp);
  }
}
