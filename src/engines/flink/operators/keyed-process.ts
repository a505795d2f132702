/**
 * The keyed process function (Flink's KeyedProcessFunction): per-record user
 * code with keyed state and event-time and processing-time timers. State and
 * timers are part of the operator's snapshot.
 */
import type { KeyedStateBackend } from '../state/backend.ts';
import { KeyedOperator } from './keyed-operator.ts';
import { NO_TIMESTAMP } from '../../../stream/watermark.ts';

export interface KeyedProcessContext<OUT = any> {
  readonly key: string;
  /** The record's (or the firing timer's) timestamp. */
  readonly timestamp: number;
  readonly state: KeyedStateBackend;
  currentWatermark(): number;
  currentProcessingTime(): number;
  registerEventTimeTimer(ts: number): void;
  registerProcessingTimeTimer(ts: number): void;
  /** Emits `value` with timestamp `ts`; by default the record's or the event-time timer's, none (`NO_TIMESTAMP`) from a processing-time timer. */
  collect(value: OUT, ts?: number): void;
}

export interface KeyedProcessFunction<IN = any, OUT = any> {
  processElement(value: IN, ctx: KeyedProcessContext<OUT>): void;
  onTimer?(ts: number, ctx: KeyedProcessContext<OUT>): void;
}

export class KeyedProcessOperator extends KeyedOperator {
  /** When the scheduled processing-time wake-up is due (undefined: none scheduled). */
  private armedAt: number | undefined;

  constructor(private readonly fn: KeyedProcessFunction) {
    super();
  }

  /** One context, re-aimed at each record or timer (as Flink's is): valid only during the call. */
  private readonly fnContext = new FnContext(this);

  /**
   * The function's context: `ts` is what `timestamp` says (the element's, or the timer's); `outputTs` what
   * `collect` stamps by default — Flink's KeyedProcessOperator erases the timestamp of what a
   * processing-time timer emits (`collector.eraseTimestamp()`), so such output has none.
   */
  private context(ts: number, outputTs = ts): KeyedProcessContext {
    const c = this.fnContext;
    c.key = this.key;
    c.timestamp = ts;
    c.outputTimestamp = outputTs;
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
    // A timer earlier than the scheduled wake-up gets its own (InternalTimerServiceImpl reschedules
    // when the new head is earlier); the later wake-up then finds nothing due.
    if (next === undefined || (this.armedAt !== undefined && this.armedAt <= next)) return;
    this.armedAt = next;
    this.ctx.after(Math.max(0, next - this.ctx.now()), () => {
      if (this.armedAt === next) this.armedAt = undefined;
      this.timers.advanceProcessingTime(this.ctx.now(), (key, _ns, ts) => {
        this.setCurrentKey(key);
        this.fn.onTimer?.(ts, this.context(ts, NO_TIMESTAMP));
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
  /** What `collect` stamps when given no timestamp. */
  outputTimestamp = 0;

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
    this.op.emit(value, ts ?? this.outputTimestamp);
  }
}
