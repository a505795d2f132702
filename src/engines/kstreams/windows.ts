/**
 * Kafka Streams' window definitions and their exact arithmetic (part K6 of
 * the semantics): which windows a record belongs to, and when a window is
 * closed to it by grace.
 *
 * - `TimeWindows.ofSizeAndGrace(size, grace)`, tumbling, or hopping with
 *   `.advanceBy(adv)`: windows `[start, start + size)` with starts that are
 *   multiples of the advance, never negative, in ascending start order
 *   (`TimeWindows.windowsFor`). A window is open to a record while
 *   `end > streamTime - grace`, so it is closed (the record skipped for it)
 *   iff `end + grace <= streamTime` (`KStreamWindowAggregate`).
 * - `SlidingWindows.ofTimeDifferenceAndGrace(d, grace)`: windows `[start,
 *   end]` with both ends inclusive and `end - start = d`; a record is dropped
 *   iff `ts + d < streamTime - grace` (`KStreamSlidingWindowAggregate`).
 * - `SessionWindows.ofInactivityGapAndGrace(gap, grace)`: sessions
 *   `[first, last]`, inclusive; a record merges with every stored session
 *   that ends at or after `ts - gap` and starts at or before `ts + gap`; the
 *   merged session is dropped iff `mergedEnd < streamTime - grace - gap`
 *   (`KStreamSessionWindowAggregate`).
 *
 * Stream time here is always the aggregating operator's own observed stream
 * time (the max timestamp that reached it, including the current record),
 * never the task's.
 */

export interface TimeWindowsSpec {
  readonly kind: 'time';
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
}

export interface SlidingWindowsSpec {
  readonly kind: 'sliding';
  readonly timeDifferenceMs: number;
  readonly graceMs: number;
}

export interface SessionWindowsSpec {
  readonly kind: 'session';
  readonly gapMs: number;
  readonly graceMs: number;
}

export type WindowsSpec = TimeWindowsSpec | SlidingWindowsSpec | SessionWindowsSpec;

/** A window as Kafka Streams keys its stores: `[start, end)` for time windows, `[start, end]` for sliding windows and sessions. */
export interface KWindow {
  start: number;
  end: number;
}

function requireMs(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min} ms, got ${v}`);
}

export const TimeWindows = {
  /** Tumbling windows of `sizeMs` that accept records up to `graceMs` after they end; `.advanceBy` makes them hopping. */
  ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindowsSpec & { advanceBy(advanceMs: number): TimeWindowsSpec } {
    requireMs('window size', sizeMs, 1);
    requireMs('grace', graceMs, 0);
    const spec: TimeWindowsSpec = { kind: 'time', sizeMs, advanceMs: sizeMs, graceMs };
    return {
      ...spec,
      advanceBy(advanceMs: number): TimeWindowsSpec {
        requireMs('advance', advanceMs, 1);
        if (advanceMs > sizeMs) throw new RangeError(`advance (${advanceMs} ms) must not be larger than the window size (${sizeMs} ms)`);
        return { ...spec, advanceMs };
      },
    };
  },
};

export const SlidingWindows = {
  ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindowsSpec {
    requireMs('time difference', timeDifferenceMs, 0);
    requireMs('grace', graceMs, 0);
    return { kind: 'sliding', timeDifferenceMs, graceMs };
  },
};

export const SessionWindows = {
  ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindowsSpec {
    requireMs('inactivity gap', gapMs, 1);
    requireMs('grace', graceMs, 0);
    return { kind: 'session', gapMs, graceMs };
  },
};

/** `TimeWindows.windowsFor(ts)`: the windows of a record, ascending by start. */
export function timeWindowsFor(w: TimeWindowsSpec, ts: number): KWindow[] {
  let start = Math.floor(Math.max(0, ts - w.sizeMs + w.advanceMs) / w.advanceMs) * w.advanceMs;
  const out: KWindow[] = [];
  while (start <= ts) {
    out.push({ start, end: start + w.sizeMs });
    start += w.advanceMs;
  }
  return out;
}

/** A time window is closed to new records once `end + grace <= streamTime` (the drop rule of `KStreamWindowAggregate`). */
export function timeWindowClosed(w: TimeWindowsSpec, window: KWindow, streamTime: number): boolean {
  return window.end <= streamTime - w.graceMs;
}

/** The close time of time and sliding windows: `streamTime - grace`; of sessions `streamTime - grace - gap`. */
export function closeTime(w: WindowsSpec, streamTime: number): number {
  return w.kind === 'session' ? streamTime - w.graceMs - w.gapMs : streamTime - w.graceMs;
}

/** A sliding-window record is dropped iff even the latest window that can hold it is closed: `ts + d < streamTime - grace`. */
export function slidingRecordDropped(w: SlidingWindowsSpec, ts: number, streamTime: number): boolean {
  return ts + w.timeDifferenceMs < streamTime - w.graceMs;
}

/** Whether a stored session `[start, end]` merges with a record at `ts`: `end >= ts - gap && start <= ts + gap`. */
export function sessionOverlaps(w: SessionWindowsSpec, session: KWindow, ts: number): boolean {
  return session.end >= ts - w.gapMs && session.start <= ts + w.gapMs;
}

/** A merged session is dropped iff `mergedEnd < streamTime - grace - gap`. */
export function sessionDropped(w: SessionWindowsSpec, mergedEnd: number, streamTime: number): boolean {
  return mergedEnd < closeTime(w, streamTime);
}

/**
 * `JoinWindows` of a KStream–KStream join: a record at `ts` of this (left) side joins the other
 * side's records with timestamps in `[ts - before, ts + after]`, both inclusive; the other side
 * probes `[ts - after, ts + before]`. `ofTimeDifferenceAndGrace(d, grace)` sets before = after =
 * d; `.before(ms)` and `.after(ms)` change one bound (`JoinWindows.before/after`). The window
 * stores that buffer both sides keep records for `size + grace`, with `size = before + after`
 * (`KStreamImplJoin`: retention = `windows.size() + windows.gracePeriodMs()`).
 */
export interface JoinWindowsSpec {
  readonly kind: 'join';
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
}

type JoinWindowsBuilder = JoinWindowsSpec & { before(ms: number): JoinWindowsBuilder; after(ms: number): JoinWindowsBuilder };

function joinWindows(beforeMs: number, afterMs: number, graceMs: number): JoinWindowsBuilder {
  if (!Number.isSafeInteger(beforeMs) || !Number.isSafeInteger(afterMs)) throw new RangeError('join window bounds must be integers');
  // JoinWindows' constructor: "Window interval (ie, beforeMs+afterMs) must not be negative."
  if (beforeMs + afterMs < 0) throw new RangeError(`join window interval (before ${beforeMs} + after ${afterMs}) must not be negative`);
  return {
    kind: 'join',
    beforeMs,
    afterMs,
    graceMs,
    before: (ms: number) => joinWindows(ms, afterMs, graceMs),
    after: (ms: number) => joinWindows(beforeMs, ms, graceMs),
  };
}

export const JoinWindows = {
  ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindowsBuilder {
    requireMs('time difference', timeDifferenceMs, 0);
    requireMs('grace', graceMs, 0);
    return joinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  },
};

/** The retention of a join's window stores: `before + after + grace`. */
export function joinRetentionMs(w: JoinWindowsSpec): number {
  return w.beforeMs + w.afterMs + w.graceMs;
}
