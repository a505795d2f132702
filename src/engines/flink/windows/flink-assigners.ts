/**
 * The window assigners only the Flink engine has, beside the shared
 * event-time ones of `stream/assigners.ts` (which every engine and checker
 * reads, so they stay as they are):
 *
 * - `globalWindows()` (Flink's GlobalWindows): every element of a key in
 *   one window, `GLOBAL_WINDOW`, whose maxTimestamp is the end of time
 *   (MAX_WATERMARK; its results are stamped with it). Its default trigger
 *   never fires, so it needs `.trigger(...)`. As in Flink it is not an
 *   event-time assigner: no lateness, no cleanup.
 * - `tumblingProcessingTime`, `slidingProcessingTime`,
 *   `processingTimeSession` (Flink's Tumbling/Sliding
 *   ProcessingTimeWindows, ProcessingTimeSessionWindows): the same window
 *   arithmetic as the event-time ones, applied to the operator's processing
 *   time when the element arrives (the element's own timestamp is ignored).
 *   Default trigger: ProcessingTimeTrigger; a window is cleaned up when
 *   processing time reaches its maxTimestamp; nothing is ever late.
 */
import { assignWindows, session, sliding, tumbling, type WindowAssigner } from '../../../stream/assigners.ts';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../../stream/watermark.ts';
import type { TimeWindow } from '../../../stream/time-window.ts';

export type ProcessingTimeAssigner =
  | { readonly kind: 'processing-tumbling'; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: 'processing-sliding'; readonly sizeMs: number; readonly slideMs: number; readonly offsetMs: number }
  | { readonly kind: 'processing-session'; readonly gapMs: number };

export type FlinkWindowAssigner = WindowAssigner | ProcessingTimeAssigner | { readonly kind: 'global' };

/**
 * Flink's GlobalWindow: `[MIN, MAX + 1)`, so that its maxTimestamp (`end - 1`) is the end of time.
 * Built apart from the `{ start, end }` literal: its bounds are not small integers, and a literal
 * holding them would make V8 box `start` and `end` in every window of every run.
 */
export const GLOBAL_WINDOW: TimeWindow = Object.freeze(
  Object.create(Object.prototype, {
    start: { value: MIN_WATERMARK, enumerable: true },
    end: { value: MAX_WATERMARK + 1, enumerable: true },
  }) as TimeWindow,
);

export function globalWindows(): FlinkWindowAssigner {
  return { kind: 'global' };
}

export function tumblingProcessingTime(sizeMs: number, offsetMs = 0): ProcessingTimeAssigner {
  tumbling(sizeMs, offsetMs);
  return { kind: 'processing-tumbling', sizeMs, offsetMs };
}

export function slidingProcessingTime(sizeMs: number, slideMs: number, offsetMs = 0): ProcessingTimeAssigner {
  sliding(sizeMs, slideMs, offsetMs);
  return { kind: 'processing-sliding', sizeMs, slideMs, offsetMs };
}

export function processingTimeSession(gapMs: number): ProcessingTimeAssigner {
  session(gapMs);
  return { kind: 'processing-session', gapMs };
}

/** Event-time assigners decide lateness and clean up by the watermark. */
export function isEventTimeAssigner(a: FlinkWindowAssigner): a is WindowAssigner {
  return a.kind === 'tumbling' || a.kind === 'sliding' || a.kind === 'session';
}

export function isMergingAssigner(a: FlinkWindowAssigner): boolean {
  return a.kind === 'session' || a.kind === 'processing-session';
}

/** The windows an element belongs to: by its timestamp `ts` for event time, by `now` for processing time. */
export function assignFlinkWindows(a: FlinkWindowAssigner, ts: number, now: number): readonly TimeWindow[] {
  switch (a.kind) {
    case 'global':
      return [GLOBAL_WINDOW];
    case 'processing-tumbling':
      return assignWindows({ kind: 'tumbling', sizeMs: a.sizeMs, offsetMs: a.offsetMs }, now);
    case 'processing-sliding':
      return assignWindows({ kind: 'sliding', sizeMs: a.sizeMs, slideMs: a.slideMs, offsetMs: a.offsetMs }, now);
    case 'processing-session':
      return assignWindows({ kind: 'session', gapMs: a.gapMs }, now);
    default:
      return assignWindows(a, ts);
  }
}
