/**
 * Event-time window assigners: which windows an element with timestamp `ts`
 * belongs to. Flink's TumblingEventTimeWindows, SlidingEventTimeWindows and
 * EventTimeSessionWindows, as plain data so a job description can be
 * serialised into a repro token.
 *
 * Invariants checked at construction (as Flink's constructors do):
 * tumbling `size > 0`, `|offset| < size`; sliding `size > 0`, `|offset| <
 * slide` (which also forces `slide > 0`), `size / slide <= 10_000_000`;
 * session `gap > 0`. All values are safe integers.
 *
 * Every window returned contains `ts`. Tumbling returns exactly one window.
 * Sliding returns the windows newest first (largest start first), as Flink
 * emits them: exactly `size / slide` of them when slide divides size,
 * otherwise `floor` or `ceil` of that depending on where `ts` falls between
 * two slide boundaries. Session returns the
 * single proto-window `[ts, ts + gap)`, which the merging window set then
 * merges with the key's other sessions.
 */
import { MIN_WATERMARK } from './watermark.ts';
import { getWindowStartWithOffset, type TimeWindow } from './time-window.ts';

export type WindowAssigner =
  | { readonly kind: 'tumbling'; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: 'sliding'; readonly sizeMs: number; readonly slideMs: number; readonly offsetMs: number }
  | { readonly kind: 'session'; readonly gapMs: number };

/** Flink's bound on windows per element for sliding windows. */
const SLIDING_WINDOWS_PER_ELEMENT_MAX = 10_000_000;

function requireInteger(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new Error(`${name} must be a safe integer, got ${v}`);
}

export function tumbling(sizeMs: number, offsetMs = 0): WindowAssigner {
  requireInteger('sizeMs', sizeMs);
  requireInteger('offsetMs', offsetMs);
  if (sizeMs <= 0 || Math.abs(offsetMs) >= sizeMs) {
    throw new Error(`tumbling windows need size > 0 and |offset| < size (size=${sizeMs}, offset=${offsetMs})`);
  }
  return { kind: 'tumbling', sizeMs, offsetMs };
}

export function sliding(sizeMs: number, slideMs: number, offsetMs = 0): WindowAssigner {
  requireInteger('sizeMs', sizeMs);
  requireInteger('slideMs', slideMs);
  requireInteger('offsetMs', offsetMs);
  if (Math.abs(offsetMs) >= slideMs || sizeMs <= 0) {
    throw new Error(
      `sliding windows need size > 0 and |offset| < slide (size=${sizeMs}, slide=${slideMs}, offset=${offsetMs})`,
    );
  }
  if (sizeMs / slideMs > SLIDING_WINDOWS_PER_ELEMENT_MAX) {
    throw new Error(`sliding windows: size / slide must be <= ${SLIDING_WINDOWS_PER_ELEMENT_MAX}`);
  }
  return { kind: 'sliding', sizeMs, slideMs, offsetMs };
}

export function session(gapMs: number): WindowAssigner {
  requireInteger('gapMs', gapMs);
  if (gapMs <= 0) throw new Error(`session windows need gap > 0 (gap=${gapMs})`);
  return { kind: 'session', gapMs };
}

/** The windows `ts` belongs to; sliding windows newest first. */
export function assignWindows(a: WindowAssigner, ts: number): TimeWindow[] {
  switch (a.kind) {
    case 'tumbling': {
      const start = tumblingWindowStart(a, ts);
      return [{ start, end: start + a.sizeMs }];
    }
    case 'sliding': {
      requireTimestamp(ts);
      const out: TimeWindow[] = [];
      const lastStart = getWindowStartWithOffset(ts, a.offsetMs, a.slideMs);
      // `start > ts - size` (strict): the window starting at exactly ts - size
      // ends at ts, which it excludes.
      for (let start = lastStart; start > ts - a.sizeMs; start -= a.slideMs) {
        out.push({ start, end: start + a.sizeMs });
      }
      return out;
    }
    case 'session':
      requireTimestamp(ts);
      return [{ start: ts, end: ts + a.gapMs }];
  }
}

/** The start of the one window a tumbling assigner gives `ts` (as `assignWindows`, without building the list). */
export function tumblingWindowStart(a: WindowAssigner & { kind: 'tumbling' }, ts: number): number {
  requireTimestamp(ts);
  return getWindowStartWithOffset(ts, a.offsetMs % a.sizeMs, a.sizeMs);
}

/** What an event-time window says of a record without a timestamp (Flink's Long.MIN_VALUE marker). */
export const NO_TIMESTAMP_MESSAGE =
  'a record reached an event-time window with no timestamp (the no-timestamp marker, Flink\'s Long.MIN_VALUE): ' +
  'is the job meant to run on processing time (then use a processing-time window), or were its records never given event timestamps and watermarks? ' +
  '(in the Flink engine, DataStream.assignTimestampsAndWatermarks gives them)';

function requireTimestamp(ts: number): void {
  // Flink treats Long.MIN_VALUE as "this record has no timestamp"; so do we.
  if (ts === MIN_WATERMARK) throw new Error(NO_TIMESTAMP_MESSAGE);
  if (!Number.isSafeInteger(ts)) throw new Error(`record has no valid event timestamp (${ts}); an event timestamp is a safe integer`);
}

/** True for assigners whose windows merge (sessions). */
export function isMerging(a: WindowAssigner): boolean {
  return a.kind === 'session';
}

/** A short human-readable description, e.g. `sliding 3000ms every 1000ms`. */
export function describeAssigner(a: WindowAssigner): string {
  switch (a.kind) {
    case 'tumbling':
      return `tumbling ${a.sizeMs}ms` + (a.offsetMs !== 0 ? ` offset ${a.offsetMs}ms` : '');
    case 'sliding':
      return `sliding ${a.sizeMs}ms every ${a.slideMs}ms` + (a.offsetMs !== 0 ? ` offset ${a.offsetMs}ms` : '');
    case 'session':
      return `session gap ${a.gapMs}ms`;
  }
}
