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
import { KeyedOperator } from './keyed-operator.ts';

export type JoinFunction = (left: any, right: any) => unknown;

interface Buffered {
  ts: number;
  value: unknown;
}

const SIDES = ['left', 'right'] as const;

export class IntervalJoinOperator extends KeyedOperator {
  constructor(private readonly opts: { lowerMs: number; upperMs: number; join: JoinFunction }) {
    super();
  }

  /** The last event time at which a partner of a record at `ts` on `side` can still be on time. */
  private expiry(side: string, ts: number): number {
    return side === 'left' ? ts + this.opts.upperMs : ts - this.opts.lowerMs;
  }

  processElement(value: unknown, ts: number, input: number): void {
    const wm = this.ctx.currentWatermark();
    if (ts < wm) {
      const id = (value as { id?: number }).id ?? -1;
      this.ctx.trace.emit('record.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, ts, wm });
      return;
    }
    const side = SIDES[input]!;
    const mine = this.state.listState<Buffered>(side);
    const other = this.state.listState<Buffered>(SIDES[1 - input]!);
    mine.add({ ts, value });
    for (const o of other.get()) {
      const [l, r] = input === 0 ? [{ ts, value }, o] : [o, { ts, value }];
      if (l.ts + this.opts.lowerMs <= r.ts && r.ts <= l.ts + this.opts.upperMs) {
        this.out.collect(this.opts.join(l.value, r.value), Math.max(l.ts, r.ts));
      }
    }
    // One past the expiry: late means ts < watermark, so at the expiry itself a partner may still arrive.
    this.timers.registerEventTimeTimer(this.key, side, this.expiry(side, ts) + 1);
  }

  protected onEventTime(side: string, at: number): void {
    const list = this.state.listState<Buffered>(side);
    list.update(list.get().filter((b) => this.expiry(side, b.ts) + 1 > at));
  }
}
