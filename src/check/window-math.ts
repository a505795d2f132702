/**
 * Window arithmetic for the oracles, written from the Flink formulas in
 * SEMANTICS.md A1 rather than imported from the engine, so that a mistake in
 * the engine's assigners shows up as a disagreement instead of being shared
 * by the checker.
 *
 * Windows are half-open `[start, end)`; `end - 1` is the window's
 * `maxTimestamp()`. `windowsOf` lists a timestamp's windows in closing order
 * (ascending `end`), the order in which they fire and in which they pass
 * allowed lateness. Session windows are the record's own proto-window
 * `[ts, ts + gap)`; merging happens in the reference model.
 */
import type { WindowAssigner } from '../stream/assigners.ts';

export interface Span {
  start: number;
  end: number;
}

/** Flink's `TimeWindow.getWindowStartWithOffset`: Java `%` keeps the dividend's sign. */
export function windowStart(ts: number, offsetMs: number, sizeMs: number): number {
  const remainder = (ts - offsetMs) % sizeMs;
  return remainder < 0 ? ts - (remainder + sizeMs) : ts - remainder;
}

/** The windows `ts` belongs to, ascending by `end`. */
export function windowsOf(assigner: WindowAssigner, ts: number): Span[] {
  switch (assigner.kind) {
    case 'tumbling': {
      const start = windowStart(ts, assigner.offsetMs % assigner.sizeMs, assigner.sizeMs);
      return [{ start, end: start + assigner.sizeMs }];
    }
    case 'sliding': {
      const out: Span[] = [];
      const lastStart = windowStart(ts, assigner.offsetMs, assigner.slideMs);
      // Flink's loop runs newest-first while `start > ts - size`; collect and reverse to closing order.
      for (let start = lastStart; start > ts - assigner.sizeMs; start -= assigner.slideMs) {
        out.push({ start, end: start + assigner.sizeMs });
      }
      return out.reverse();
    }
    case 'session':
      return [{ start: ts, end: ts + assigner.gapMs }];
  }
}

/**
 * The start of the last-closing window of `ts` for tumbling and sliding
 * windows (the last entry of `windowsOf`), when `ts` has any window; the
 * others start `slide` apart below it. Sessions: `ts`.
 */
export function lastWindowStart(assigner: WindowAssigner, ts: number): number {
  switch (assigner.kind) {
    case 'tumbling':
      return windowStart(ts, assigner.offsetMs % assigner.sizeMs, assigner.sizeMs);
    case 'sliding':
      return windowStart(ts, assigner.offsetMs, assigner.slideMs);
    case 'session':
      return ts;
  }
}

/** `windowsOf(assigner, ts).length`, without building the list. */
export function windowCount(assigner: WindowAssigner, ts: number): number {
  if (assigner.kind !== 'sliding') return 1;
  let n = 0;
  for (let start = windowStart(ts, assigner.offsetMs, assigner.slideMs); start > ts - assigner.sizeMs; start -= assigner.slideMs) n++;
  return n;
}

/** The distance between the starts of neighbouring windows of one timestamp (sessions: none, 0). */
export function windowStep(assigner: WindowAssigner): number {
  switch (assigner.kind) {
    case 'tumbling':
      return assigner.sizeMs;
    case 'sliding':
      return assigner.slideMs;
    case 'session':
      return 0;
  }
}

/** The most windows one timestamp can belong to. */
export function maxWindowsPerRecord(assigner: WindowAssigner): number {
  return assigner.kind === 'sliding' ? Math.ceil(assigner.sizeMs / assigner.slideMs) : 1;
}

/**
 * True when `[start, end)` is one of the windows `windowsOf(assigner, ts)`
 * returns, in O(1): the window has the assigner's size, its start is on the
 * assigner's grid, and it contains `ts`. Sessions: the proto-window.
 */
export function belongsTo(assigner: WindowAssigner, ts: number, start: number, end: number): boolean {
  if (!(start <= ts && ts < end)) return false;
  switch (assigner.kind) {
    case 'tumbling':
      return end - start === assigner.sizeMs && windowStart(start, assigner.offsetMs % assigner.sizeMs, assigner.sizeMs) === start;
    case 'sliding':
      return end - start === assigner.sizeMs && windowStart(start, assigner.offsetMs, assigner.slideMs) === start;
    case 'session':
      return start === ts && end === ts + assigner.gapMs;
  }
}

/** Flink's `TimeWindow.intersects`: touching windows intersect, so touching sessions merge. */
export function spansIntersect(a: Span, b: Span): boolean {
  return a.start <= b.end && a.end >= b.start;
}

/** True when `outer` covers `inner` and is a different window. */
export function strictlyCovers(outer: Span, inner: Span): boolean {
  return outer.start <= inner.start && outer.end >= inner.end &&
    (outer.start !== inner.start || outer.end !== inner.end);
}

/** Flink's `windowCleanupTime`: the last watermark at which the window still accepts records is one below this. */
export function windowCleanupTime(w: Span, allowedLatenessMs: number): number {
  return w.end - 1 + allowedLatenessMs;
}

/**
 * The map key of one (key, window): `start:end:key`. The two numbers come
 * first and never contain ':', so a key with separators in it stays
 * unambiguous.
 */
export function keyedWindowId(key: string, start: number, end: number): string {
  return `${start}:${end}:${key}`;
}

/** The aggregate of a window's contents; `avg` is the integer `Math.floor(sum / count)`. */
export function aggregateOf(kind: 'count' | 'sum' | 'avg', values: readonly number[]): number {
  if (kind === 'count') return values.length;
  let sum = 0;
  for (const v of values) sum += v;
  if (kind === 'sum') return sum;
  return values.length === 0 ? 0 : Math.floor(sum / values.length);
}
