/**
 * TimerService (Flink's InternalTimerService). Unit tests: firing at
 * `ts <= watermark` in (ts, registration) order, de-duplication, deletion,
 * timers registered while firing, processing time, the watermark assertion.
 *
 * Property: against a naive model (an array of timers scanned for the
 * smallest (ts, seq) each time), random sequences of register / delete /
 * advance-watermark / advance-processing-time / snapshot-and-restore give
 * the same firings in the same order and the same sizes. During a firing
 * the callback sometimes registers a new timer near the fired time, so the
 * "registered while firing also fires if <= watermark" rule is exercised;
 * restore goes through JSON, so the snapshot is plain data.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { TimerService } from '../../../../src/engines/flink/time/timers.ts';
import { MIN_WATERMARK } from '../../../../src/stream/watermark.ts';

type Fired = [string | number, string, number];

describe('TimerService', () => {
  test('fires event-time timers with ts <= watermark in (ts, registration) order', () => {
    const t = new TimerService<string>();
    t.registerEventTimeTimer('b', 'w', 20);
    t.registerEventTimeTimer('a', 'w', 10);
    t.registerEventTimeTimer('c', 'w', 20);
    t.registerEventTimeTimer('a', 'w', 21);
    const fired: Fired[] = [];
    expect(t.advanceWatermark(19, (...f) => fired.push(f))).toBe(1);
    expect(t.advanceWatermark(20, (...f) => fired.push(f))).toBe(2);
    expect(fired).toEqual([['a', 'w', 10], ['b', 'w', 20], ['c', 'w', 20]]);
    expect(t.size).toBe(1);
    expect(t.nextEventTime()).toBe(21);
    expect(t.currentWatermark()).toBe(20);
  });

  test('de-duplicates per (key, namespace, ts); delete removes exactly one', () => {
    const t = new TimerService<number>();
    t.registerEventTimeTimer(1, 'x', 5);
    t.registerEventTimeTimer(1, 'x', 5);
    t.registerEventTimeTimer(1, 'y', 5);
    t.registerEventTimeTimer(2, 'x', 5);
    expect(t.numEventTimeTimers).toBe(3);
    t.deleteEventTimeTimer(1, 'x', 5);
    t.deleteEventTimeTimer(1, 'x', 5);
    t.deleteEventTimeTimer(9, 'x', 5);
    expect(t.hasEventTimeTimer(1, 'x', 5)).toBe(false);
    expect(t.hasEventTimeTimer(1, 'y', 5)).toBe(true);
    expect(t.numEventTimeTimers).toBe(2);
  });

  test('a timer registered while firing fires in the same advance if due', () => {
    const t = new TimerService<string>();
    t.registerEventTimeTimer('k', 'a', 10);
    t.registerEventTimeTimer('k', 'b', 30);
    const fired: Fired[] = [];
    t.advanceWatermark(25, (k, ns, ts) => {
      fired.push([k, ns, ts]);
      if (ns === 'a') {
        t.registerEventTimeTimer('k', 'c', 5); // already due: fires next
        t.registerEventTimeTimer('k', 'd', 25); // due at exactly the watermark
        t.registerEventTimeTimer('k', 'e', 26); // not yet
        expect(t.currentWatermark()).toBe(25); // the watermark is set before firing
      }
    });
    expect(fired).toEqual([['k', 'a', 10], ['k', 'c', 5], ['k', 'd', 25]]);
    expect(t.numEventTimeTimers).toBe(2);
  });

  test('processing-time timers are separate and fire at ts <= now', () => {
    const t = new TimerService<string>();
    t.registerProcessingTimeTimer('k', '', 100);
    t.registerEventTimeTimer('k', '', 100);
    expect(t.nextProcessingTime()).toBe(100);
    const fired: Fired[] = [];
    expect(t.advanceProcessingTime(99, (...f) => fired.push(f))).toBe(0);
    expect(t.advanceProcessingTime(100, (...f) => fired.push(f))).toBe(1);
    expect(t.nextProcessingTime()).toBeUndefined();
    expect(t.numEventTimeTimers).toBe(1);
    t.registerProcessingTimeTimer('k', '', 7);
    expect(t.hasProcessingTimeTimer('k', '', 7)).toBe(true);
    t.deleteProcessingTimeTimer('k', '', 7);
    expect(t.size).toBe(1);
  });

  test('the watermark may not go backwards; it is restored from the snapshot', () => {
    const t = new TimerService<string>();
    expect(t.currentWatermark()).toBe(MIN_WATERMARK);
    t.advanceWatermark(50, () => {});
    t.advanceWatermark(50, () => {});
    expect(() => t.advanceWatermark(49, () => {})).toThrow(/backwards/);
    const r = new TimerService<string>();
    r.restore(JSON.parse(JSON.stringify(t.snapshot())));
    expect(r.currentWatermark()).toBe(50);
  });
});

// ---------------------------------------------------------------- model test

type ModelTimer = { key: number; ns: string; ts: number; seq: number };

class NaiveTimers {
  ev: ModelTimer[] = [];
  pt: ModelTimer[] = [];
  seq = 0;
  reg(list: ModelTimer[], key: number, ns: string, ts: number): void {
    if (!list.some((t) => t.key === key && t.ns === ns && t.ts === ts)) list.push({ key, ns, ts, seq: this.seq++ });
  }
  del(list: ModelTimer[], key: number, ns: string, ts: number): void {
    const i = list.findIndex((t) => t.key === key && t.ns === ns && t.ts === ts);
    if (i >= 0) list.splice(i, 1);
  }
  drain(list: ModelTimer[], upTo: number, fire: (t: ModelTimer) => void): void {
    for (;;) {
      let best = -1;
      list.forEach((t, i) => {
        if (t.ts <= upTo && (best < 0 || t.ts < list[best].ts || (t.ts === list[best].ts && t.seq < list[best].seq))) best = i;
      });
      if (best < 0) return;
      const [t] = list.splice(best, 1);
      fire(t);
    }
  }
  /** Restore re-registers in firing order, so relative order is kept. */
  restore(): void {
    const order = (a: ModelTimer, b: ModelTimer) => a.ts - b.ts || a.seq - b.seq;
    this.seq = 0;
    this.ev = this.ev.sort(order).map((t) => ({ ...t, seq: this.seq++ }));
    this.pt = this.pt.sort(order).map((t) => ({ ...t, seq: this.seq++ }));
  }
}

type TOp =
  | { t: 'reg' | 'del' | 'preg' | 'pdel'; key: number; ns: string; ts: number }
  | { t: 'adv' | 'padv'; by: number }
  | { t: 'snap' };

const timerOp: fc.Arbitrary<TOp> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constantFrom('reg' as const, 'preg' as const), key: fc.integer({ min: 0, max: 3 }), ns: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('del' as const, 'pdel' as const), key: fc.integer({ min: 0, max: 3 }), ns: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('adv' as const, 'padv' as const), by: fc.integer({ min: 0, max: 15 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'snap' as const }) },
);

describe('TimerService vs a naive model', () => {
  test.prop([fc.array(timerOp, { maxLength: 120, size: 'max' })])('same firings, same order, same sizes', (ops) => {
    let real = new TimerService<number>();
    const model = new NaiveTimers();
    let wm = 0;
    let now = 0;
    const realFired: Fired[] = [];
    const modelFired: Fired[] = [];
    // While firing, a timer of namespace 'a' or 'b' registers a follow-up in
    // namespace 'x' (which registers nothing), 2 ms before or after it.
    const follow = (key: number, ns: string, ts: number) => (ns === 'x' ? undefined : ts + ((key + ts) % 2 === 0 ? -2 : 2));
    for (const op of ops) {
      switch (op.t) {
        case 'reg': real.registerEventTimeTimer(op.key, op.ns, op.ts); model.reg(model.ev, op.key, op.ns, op.ts); break;
        case 'del': real.deleteEventTimeTimer(op.key, op.ns, op.ts); model.del(model.ev, op.key, op.ns, op.ts); break;
        case 'preg': real.registerProcessingTimeTimer(op.key, op.ns, op.ts); model.reg(model.pt, op.key, op.ns, op.ts); break;
        case 'pdel': real.deleteProcessingTimeTimer(op.key, op.ns, op.ts); model.del(model.pt, op.key, op.ns, op.ts); break;
        case 'adv': {
          wm += op.by;
          const r = real;
          r.advanceWatermark(wm, (k, ns, ts) => {
            realFired.push(['e', ns, ts * 10 + k]);
            const f = follow(k, ns, ts);
            if (f !== undefined) r.registerEventTimeTimer(k, 'x', f);
          });
          model.drain(model.ev, wm, (t) => {
            modelFired.push(['e', t.ns, t.ts * 10 + t.key]);
            const f = follow(t.key, t.ns, t.ts);
            if (f !== undefined) model.reg(model.ev, t.key, 'x', f);
          });
          break;
        }
        case 'padv':
          now += op.by;
          real.advanceProcessingTime(now, (k, ns, ts) => realFired.push(['p', ns, ts * 10 + k]));
          model.drain(model.pt, now, (t) => modelFired.push(['p', t.ns, t.ts * 10 + t.key]));
          break;
        case 'snap': {
          const restored = new TimerService<number>();
          restored.restore(JSON.parse(JSON.stringify(real.snapshot())));
          real = restored;
          model.restore();
          break;
        }
      }
      expect(real.numEventTimeTimers).toBe(model.ev.length);
      expect(real.numProcessingTimeTimers).toBe(model.pt.length);
      expect(real.nextProcessingTime()).toBe(model.pt.length ? Math.min(...model.pt.map((t) => t.ts)) : undefined);
    }
    expect(realFired).toEqual(modelFired);
  });
});
