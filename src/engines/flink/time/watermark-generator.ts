/**
 * Flink's BoundedOutOfOrdernessWatermarks: a source's watermark trails the
 * largest timestamp seen so far by the out-of-orderness bound B.
 *
 * "Bound B" means: once an event with timestamp T was seen, no event older
 * than T - B will follow. So T - B itself may still come, and the watermark,
 * which promises "no more elements with timestamp <= W", is
 * `maxTs - B - 1`. The `- 1` is the whole point of this file: without it an
 * event exactly B behind the maximum would be declared late.
 *
 * Before any event the watermark is MIN_WATERMARK. As in Flink, that falls
 * out of the arithmetic: `maxTs` starts at `MIN_WATERMARK + B + 1`. The
 * watermark never decreases, because `maxTs` never does.
 */
import { MIN_WATERMARK } from '../../../stream/watermark.ts';

export interface BoundedOutOfOrdernessSnapshot {
  maxTs: number;
}

export class BoundedOutOfOrdernessWatermarks {
  private maxTs: number;

  constructor(readonly boundMs: number) {
    if (!Number.isSafeInteger(boundMs) || boundMs < 0) {
      throw new Error(`out-of-orderness bound must be a safe integer >= 0, got ${boundMs}`);
    }
    this.maxTs = MIN_WATERMARK + boundMs + 1;
  }

  /** Flink's `WatermarkStrategy.forMonotonousTimestamps()`: bound 0, watermark = maxTs - 1. */
  static forMonotonousTimestamps(): BoundedOutOfOrdernessWatermarks {
    return new BoundedOutOfOrdernessWatermarks(0);
  }

  static restore(boundMs: number, snap: BoundedOutOfOrdernessSnapshot): BoundedOutOfOrdernessWatermarks {
    const g = new BoundedOutOfOrdernessWatermarks(boundMs);
    if (!Number.isSafeInteger(snap.maxTs)) throw new Error(`bad watermark generator snapshot: ${snap.maxTs}`);
    g.maxTs = Math.max(g.maxTs, snap.maxTs);
    return g;
  }

  onEvent(ts: number): void {
    if (ts > this.maxTs) this.maxTs = ts;
  }

  /** What Flink's `onPeriodicEmit` would emit now: `maxTs - bound - 1`. */
  currentWatermark(): number {
    return this.maxTs - this.boundMs - 1;
  }

  snapshot(): BoundedOutOfOrdernessSnapshot {
    return { maxTs: this.maxTs };
  }
}
