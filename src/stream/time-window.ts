/**
 * The time window: a half-open interval `[start, end)` of event time in
 * integer milliseconds, as Flink's `TimeWindow`.
 *
 * Invariants: `start < end`; both are safe integers. The largest timestamp
 * that still belongs to a window is `end - 1` (`maxTimestamp`), and that is
 * both the watermark at which the window fires on time and the timestamp its
 * result carries.
 *
 * `intersects` is deliberately inclusive at both ends (`a.start <= b.end &&
 * a.end >= b.start`), exactly as Flink's: two windows that merely touch,
 * `[0,3000)` and `[3000,6000)`, intersect and therefore merge into one
 * session. Using `<` here would split a session whose events are exactly one
 * gap apart.
 */

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export function timeWindow(start: number, end: number): TimeWindow {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || !(start < end)) {
    throw new Error(`invalid window [${start},${end}): need safe integers with start < end`);
  }
  return { start, end };
}

/** The largest timestamp that still belongs to `w`: `end - 1`. */
export function maxTimestamp(w: TimeWindow): number {
  return w.end - 1;
}

/** True when `ts` lies in `[w.start, w.end)`. */
export function contains(w: TimeWindow, ts: number): boolean {
  return w.start <= ts && ts < w.end;
}

/** Flink's `TimeWindow.intersects`: touching windows intersect. */
export function intersects(a: TimeWindow, b: TimeWindow): boolean {
  return a.start <= b.end && a.end >= b.start;
}

/** The smallest window that covers both `a` and `b`. */
export function cover(a: TimeWindow, b: TimeWindow): TimeWindow {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

export function windowEquals(a: TimeWindow, b: TimeWindow): boolean {
  return a.start === b.start && a.end === b.end;
}

/** Orders windows by start, then end. */
export function compareWindows(a: TimeWindow, b: TimeWindow): number {
  return a.start !== b.start ? a.start - b.start : a.end - b.end;
}

/** A stable string identity for a window, used as its state namespace: `start:end`. */
export function windowKey(w: TimeWindow): string {
  return `${w.start}:${w.end}`;
}

/** Inverse of `windowKey`. */
export function parseWindowKey(key: string): TimeWindow {
  const i = key.indexOf(':', 1); // from 1: a negative start begins with '-', never ':'
  if (i < 0) throw new Error(`not a window key: ${key}`);
  return timeWindow(Number(key.slice(0, i)), Number(key.slice(i + 1)));
}

/**
 * The start of the window of length `sizeMs` (shifted by `offsetMs`) that
 * contains `ts`. JavaScript's `%`, like Java's, takes the sign of the
 * dividend, so a negative `ts - offset` gives a negative remainder; it is
 * then moved up by one `size`, so that `ts = -1` falls into `[-size, 0)` and
 * not into `[0, size)`.
 */
export function getWindowStartWithOffset(ts: number, offsetMs: number, sizeMs: number): number {
  const remainder = (ts - offsetMs) % sizeMs;
  // `+ 0` turns a -0 remainder into 0 so that no window ever starts at -0.
  return remainder < 0 ? ts - (remainder + sizeMs) : ts - remainder + 0;
}
