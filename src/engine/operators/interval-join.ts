/**
 * The interval join (Flink's IntervalJoinOperator): a left record `l` and a
 * right record `r` of the same key join when
 * `l.ts + lowerMs <= r.ts <= l.ts + upperMs` (both bounds inclusive).
 *
 * Each side is buffered in keyed state by timestamp until the watermark makes
 * a match impossible: a left record is kept until `watermark > l.ts +
 * upperMs`, a right one until `watermark > r.ts - lowerMs`. As in Flink, a
 * record that arrives behind the watermark (`ts < watermark`) is dropped as
 * late; the drop is traced.
 */
import type { Output, OperatorContext, StreamOperator } from './operator.ts';
import { KeyedStateBackend, type StateSnapshot } from '../state/backend.ts';
import { TimerService } from '../time/timers.ts';

export type JoinFunction = (left: any, right: any) => unknown;

interface Buffered {
  ts: number;
  value: unknown;
}

export class IntervalJoinOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private out!: Output;
  private state!: KeyedStateBackend;
  private timers = new TimerService<string>();
  private key = '';

  constructor(private readonly opts: { lowerMs: number; upperMs: number; join: JoinFunction }) {}

  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
    this.state = ctx.state ?? new KeyedStateBackend(ctx.now);
  }

  setCurrentKey(key: string): void {
    this.key = key;
    this.state.setCurrentKey(key);
  }

  processElement(value: unknown, ts: number, input: number): void {
    const wm = this.ctx.currentWatermark();
    if (ts < wm) {
      const id = (value as { id?: number }).id ?? -1;
      this.ctx.trace.emit('record.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, ts, wm });
      return;
    }
    const mine = this.state.listState<Buffered>(input === 0 ? 'left' : 'right');
    const other = this.state.listState<Buffered>(input === 0 ? 'right' : 'left');
    mine.add({ ts, value });
    for (const o of other.get()) {
      const [l, r] = input === 0 ? [{ ts, value }, o] : [o, { ts, value }];
      if (l.ts + this.opts.lowerMs <= r.ts && r.ts <= l.ts + this.opts.upperMs) {
        this.out.collect(this.opts.join(l.value, r.value), Math.max(l.ts, r.ts));
      }
    }
    // One past the last watermark at which a partner may still arrive on time (late means ts < watermark).
    const cleanupAt = (input === 0 ? ts + this.opts.upperMs : ts - this.opts.lowerMs) + 1;
    this.timers.registerEventTimeTimer(this.key, input === 0 ? 'left' : 'right', cleanupAt);
  }

  processWatermark(wm: number): void {
    // A restored timer service may already be ahead of a watermark that was not restored.
    if (wm > this.timers.currentWatermark()) this.timers.advanceWatermark(wm, (key, side, at) => {
      this.setCurrentKey(key);
      const list = this.state.listState<Buffered>(side);
      const keep = list.get().filter((b) => (side === 'left' ? b.ts + this.opts.upperMs : b.ts - this.opts.lowerMs) > at);
      list.update(keep);
    });
    this.out.emitWatermark(wm);
  }

  snapshotState(): { state: StateSnapshot; timers: unknown } {
    return { state: this.state.snapshot(), timers: this.timers.snapshot() };
  }

  restoreState(snap: unknown): void {
    const s = snap as { state: StateSnapshot; timers: unknown };
    this.state.restore(s.state);
    this.timers = new TimerService<string>();
    this.timers.restore(s.timers as never);
  }
}
