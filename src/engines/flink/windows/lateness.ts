/**
 * Lateness decisions of the event-time window operator, as Flink's
 * WindowOperator makes them. W is the operator's current watermark, L the
 * allowed lateness (>= 0), `[s, e)` a window.
 *
 * A watermark W promises "no more elements with timestamp <= W", so every
 * comparison here is `<=` against W:
 * - `cleanupTime(w, L) = e - 1 + L` (clamped to MAX_WATERMARK on overflow,
 *   meaning "never clean up"); the window's state is dropped when the
 *   watermark reaches it (`isCleanupTime`: the timer at exactly that time).
 * - `isWindowLate(w, W, L) = cleanupTime <= W`: the element is not added to
 *   that window (the window is gone or going).
 * - `isElementLate(ts, W, L) = ts + L <= W`. It is only consulted for an
 *   element that every one of its windows skipped; such an element goes to
 *   the late side output (or is counted as dropped). Since `ts <= e - 1` for
 *   every window containing `ts`, a window that is late for `ts` always
 *   implies the element is late too.
 *
 * The four outcomes of an element in window `[s, e)` (see `windowTimeStatus`):
 * `W < e-1` on time; `e-1 <= W < e-1+L` accepted and fires again at once
 * (EventTimeTrigger returns FIRE when `maxTimestamp <= W`); `W >= e-1+L`
 * skipped for that window. With L = 0 the middle band is empty.
 *
 * Only event time is modelled here; Flink's processing-time cleanup time
 * (`e - 1`, lateness ignored) is not needed by weir's windows.
 */
import { MAX_WATERMARK } from '../../../stream/watermark.ts';
import { maxTimestamp, type TimeWindow } from '../../../stream/time-window.ts';

/** `maxTimestamp(w) + allowedLatenessMs`, or MAX_WATERMARK when that would overflow. */
export function cleanupTime(w: TimeWindow, allowedLatenessMs: number): number {
  const maxTs = maxTimestamp(w);
  return allowedLatenessMs > MAX_WATERMARK - maxTs ? MAX_WATERMARK : maxTs + allowedLatenessMs;
}

/** True when a timer at `timerTs` is the window's cleanup timer. */
export function isCleanupTime(w: TimeWindow, timerTs: number, allowedLatenessMs: number): boolean {
  return timerTs === cleanupTime(w, allowedLatenessMs);
}

/** Flink's `isWindowLate` for event time: `cleanupTime(w) <= watermark`. */
export function isWindowLate(w: TimeWindow, watermark: number, allowedLatenessMs: number): boolean {
  return cleanupTime(w, allowedLatenessMs) <= watermark;
}

/** Flink's `isElementLate` for event time: `ts + allowedLateness <= watermark` (overflow means not late). */
export function isElementLate(ts: number, watermark: number, allowedLatenessMs = 0): boolean {
  if (allowedLatenessMs > MAX_WATERMARK - ts) return false;
  return ts + allowedLatenessMs <= watermark;
}

export type WindowTimeStatus = 'on-time' | 'late-firing' | 'too-late';

/**
 * Where a window stands against the watermark when an element arrives for
 * it: `on-time` (`W < e-1`), `late-firing` (`e-1 <= W < cleanupTime`: the
 * element is added and the window fires again immediately) or `too-late`
 * (`W >= cleanupTime`: the element is skipped for this window).
 */
export function windowTimeStatus(w: TimeWindow, watermark: number, allowedLatenessMs: number): WindowTimeStatus {
  if (isWindowLate(w, watermark, allowedLatenessMs)) return 'too-late';
  return maxTimestamp(w) <= watermark ? 'late-firing' : 'on-time';
}
