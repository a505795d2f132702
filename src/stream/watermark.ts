/**
 * Watermark bounds. Flink uses `Long.MIN_VALUE` for "no watermark yet" and
 * `Long.MAX_VALUE` for "end of input: every window may fire". JavaScript
 * numbers are exact integers only within ±(2^53 - 1), so weir uses the safe
 * integer bounds in their place; every event timestamp must lie strictly
 * between them. A watermark W means "no more elements with timestamp <= W".
 */

/** Stands in for Flink's `Long.MIN_VALUE` watermark: nothing is known yet. */
export const MIN_WATERMARK = Number.MIN_SAFE_INTEGER;

/**
 * The timestamp of a record that has none (Flink's `Long.MIN_VALUE`, its
 * "no timestamp" marker; the same value as MIN_WATERMARK). Processing-time
 * windows and the global window take such records; event-time windows and
 * interval joins refuse them.
 */
export const NO_TIMESTAMP = MIN_WATERMARK;

/** Stands in for Flink's `Long.MAX_VALUE` watermark: the input is over. */
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;

/** Watermark as text for traces and the TUI: `-inf` / `+inf` for the bounds. */
export function formatWatermark(wm: number): string {
  if (wm <= MIN_WATERMARK) return '-inf';
  if (wm >= MAX_WATERMARK) return '+inf';
  return String(wm);
}
