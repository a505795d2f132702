/**
 * The interval join (Flink's IntervalJoinOperator): a left record `l` and a
 * right record `r` of the same key join when
 * `l.ts + lower <= r.ts <= l.ts + upper`. Both bounds are inclusive unless
 * made exclusive; an exclusive bound is the inclusive one moved inwards by
 * 1 ms (`lower + 1`, `upper - 1`), as Flink does in its constructor, so
 * `lower <= upper` must hold for the bounds given. A joined pair carries the
 * timestamp `max(l.ts, r.ts)`.
 *
 * Late records: a record behind the operator's watermark (`ts < watermark`)
 * is not buffered and joins nothing; it goes to the side output of its side
 * when one is set (Flink's sideOutputLeftLateData / sideOutputRightLateData)
 * and is traced as `record.late` either way. A record exactly at the
 * watermark is not late, but a partner whose cleanup time that watermark
 * reached is already gone, so it may miss pairs; it is traced as
 * `join.at-watermark`.
 *
 * State cleanup, exactly Flink's: each buffered record registers a timer at
 * its cleanup time — for a left record `ts + upper`, for a right one
 * `ts - lower`, or `ts` itself when that offset is not positive — and is
 * dropped when the watermark reaches that time (`wm >= cleanup time`).
 */
import { KeyedOperator } from './keyed-operator.ts';
import { NO_TIMESTAMP } from '../../../stream/watermark.ts';

export type JoinFunction = (left: any, right: any) => unknown;

export interface IntervalJoinOptions {
  lowerMs: number;
  upperMs: number;
  join: JoinFunction;
  lowerBoundExclusive?: boolean;
  upperBoundExclusive?: boolean;
  /** Side output tags for late left and right records. */
  leftLateTag?: string;
  rightLateTag?: string;
}

interface Buffered {
  ts: number;
  value: unknown;
}

const SIDES = ['left', 'right'] as const;

/** The bounds as Flink keeps them: inclusive, exclusive ones moved inwards by 1 ms; throws unless the given lower <= upper. */
export function effectiveBounds(o: Pick<IntervalJoinOptions, 'lowerMs' | 'upperMs' | 'lowerBoundExclusive' | 'upperBoundExclusive'>): { lower: number; upper: number } {
  if (!Number.isSafeInteger(o.lowerMs) || !Number.isSafeInteger(o.upperMs)) throw new Error(`interval join bounds must be integers of ms, got ${o.lowerMs} and ${o.upperMs}`);
  if (o.lowerMs > o.upperMs) throw new Error(`interval join: the lower bound ${o.lowerMs} must not exceed the upper bound ${o.upperMs}`);
  return { lower: o.lowerBoundExclusive ? o.lowerMs + 1 : o.lowerMs, upper: o.upperBoundExclusive ? o.upperMs - 1 : o.upperMs };
}

export class IntervalJoinOperator extends KeyedOperator {
  private readonly lower: number;
  private readonly upper: number;

  constructor(private readonly opts: IntervalJoinOptions) {
    super();
    ({ lower: this.lower, upper: this.upper } = effectiveBounds(opts));
  }

  /** When a record at `ts` on `side` leaves the buffer: once the watermark reaches this. */
  private cleanupTime(side: string, ts: number): number {
    const reach = side === 'left' ? this.upper : -this.lower;
    return reach > 0 ? ts + reach : ts;
  }

  processElement(value: unknown, ts: number, input: number): void {
    if (ts === NO_TIMESTAMP) {
      throw new Error('a record reached an interval join with no timestamp (the no-timestamp marker, Flink\'s Long.MIN_VALUE): an interval join needs meaningful event timestamps on both sides');
    }
    const wm = this.ctx.currentWatermark();
    const side = SIDES[input]!;
    const id = (value as { id?: number }).id ?? -1;
    if (ts < wm) {
      this.ctx.trace.emit('record.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, ts, wm });
      const tag = input === 0 ? this.opts.leftLateTag : this.opts.rightLateTag;
      if (tag !== undefined) this.out.side(tag, value, ts);
      return;
    }
    if (ts === wm) this.ctx.trace.emit('join.at-watermark', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, ts, side });
    const mine = this.state.listState<Buffered>(side);
    const other = this.state.listState<Buffered>(SIDES[1 - input]!);
    mine.add({ ts, value });
    for (const o of other.get()) {
      const [l, r] = input === 0 ? [{ ts, value }, o] : [o, { ts, value }];
      if (l.ts + this.lower <= r.ts && r.ts <= l.ts + this.upper) {
        this.out.collect(this.opts.join(l.value, r.value), Math.max(l.ts, r.ts));
      }
    }
    this.timers.registerEventTimeTimer(this.key, side, this.cleanupTime(side, ts));
  }

  protected onEventTime(side: string, at: number): void {
    const list = this.state.listState<Buffered>(side);
    list.update(list.get().filter((b) => this.cleanupTime(side, b.ts) > at));
  }
}
