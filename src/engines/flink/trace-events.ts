/**
 * The Flink engine's documented trace events about records and time, as
 * types: what a subscriber (`RunOptions.subscribers`, a harness's `trace`)
 * may rely on. Every event also has `seq`, `t` (virtual processing time,
 * ms) and `p` (the process; `local` in a test harness); `task` is
 * `operatorChain[subtask]` and `attempt` the job attempt (0, then one more
 * per restart). Other kinds and fields exist; these are the ones that stay.
 *
 * - `watermark`: a task's watermark moved. `ch` -1 is the task's own
 *   (combined) watermark `wm`; `ch` ≥ 0 an input channel's watermark `wm`,
 *   or its idleness (`idle`). After a restore the restored values are
 *   traced once with `restored: true`.
 * - `task.idle`: a task's output became idle or active.
 * - `source.read`: a scripted source played a records step (`records`
 *   records); `source.end`: a source read all its input.
 * - `source.fetch`: a log source read records of `partition`, the largest
 *   timestamp among them `maxTs` (absent when it read none), under its
 *   out-of-orderness `bound`; `finished: true` when the partition ended.
 *   `source.restore`: the same for each partition after a restore, `maxTs`
 *   the largest timestamp the checkpoint had seen there.
 * - `window.fire`: a window fired for `key`: pane `firing` (0, 1, …) of
 *   `[start, end)` holding `count` records, at watermark `wm`; `timing`
 *   (EARLY, ON_TIME, LATE) for windows with a trigger; `last: true` on
 *   the window's final pane, fired as it is cleaned up.
 * - `window.late`: record `id` joined `[start, end)` after the watermark had
 *   passed its end (a late firing follows).
 * - `window.skip`: record `id` was too late for `[start, end)` but joined
 *   another of its windows (sliding windows).
 * - `window.closed-drop`: record `id` (timestamp `ts`) came for `[start,
 *   end)` after the window's trigger had finished (a Beam-style trigger,
 *   such as `AfterWatermark` without late firings after its on-time pane):
 *   the closed window did not take it (Beam's droppedDueToClosedWindow).
 *   When no window took the record, `dropped: true` says it was dropped
 *   and counted with the late drops (no late side output), `sideOutput:
 *   true` that it went to the late side output.
 * - `session.add`: record `id` joined the session `[start, end)` of `key`.
 * - `record.late`: record `id` of `key`, timestamp `ts`, was too late for
 *   every window it belongs to, at watermark `wm`; `dropped: true` when it
 *   was dropped (and counted as Flink's numLateRecordsDropped) because the
 *   window has no late side output; otherwise it went to the side output.
 *   An interval join traces the records it drops as late this way too
 *   (without `dropped`).
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';

interface TaskEventBase {
  seq: number;
  t: number;
  p: string;
  task: string;
  attempt: number;
}

export interface WatermarkEvent extends TaskEventBase {
  kind: 'watermark';
  ch: number;
  /** A two-input task's channel: which input (0 or 1) it feeds; absent for a one-input task and for ch -1. */
  input?: number;
  wm?: number;
  idle?: boolean;
  restored?: boolean;
  restoredIdle?: boolean;
}

export interface TaskIdleEvent extends TaskEventBase {
  kind: 'task.idle';
  idle: boolean;
}

export interface SourceReadEvent extends TaskEventBase {
  kind: 'source.read';
  step: number;
  records: number;
}

export interface SourceFetchEvent extends TaskEventBase {
  kind: 'source.fetch' | 'source.restore';
  partition: number;
  bound: number;
  maxTs?: number;
  finished?: boolean;
}

export interface SourceEndEvent extends TaskEventBase {
  kind: 'source.end';
}

export interface WindowFireEvent extends TaskEventBase {
  kind: 'window.fire';
  key: string;
  start: number;
  end: number;
  wm: number;
  firing: number;
  count: number;
  timing?: 'EARLY' | 'ON_TIME' | 'LATE';
  /** Set on a window's final pane (fired when it was cleaned up). */
  last?: true;
}

interface RecordInWindow extends TaskEventBase {
  id: number | undefined;
  key: string;
  start: number;
  end: number;
  wm: number;
}

export interface WindowLateEvent extends RecordInWindow {
  kind: 'window.late';
}

export interface WindowSkipEvent extends RecordInWindow {
  kind: 'window.skip';
}

export interface WindowClosedDropEvent extends RecordInWindow {
  kind: 'window.closed-drop';
  ts: number;
  dropped?: true;
  sideOutput?: true;
}

export interface SessionAddEvent extends RecordInWindow {
  kind: 'session.add';
}

export interface RecordLateEvent extends TaskEventBase {
  kind: 'record.late';
  id: number | undefined;
  key: string;
  ts: number;
  wm: number;
  dropped?: true;
}

/** The documented Flink events about records and time. */
export type FlinkRecordEvent =
  | WatermarkEvent | TaskIdleEvent | SourceReadEvent | SourceFetchEvent | SourceEndEvent
  | WindowFireEvent | WindowLateEvent | WindowSkipEvent | WindowClosedDropEvent | SessionAddEvent | RecordLateEvent;

export type FlinkRecordEventKind = FlinkRecordEvent['kind'];

/** Narrows a trace event to the documented shape of `kind`. */
export function isEventOf<K extends FlinkRecordEventKind>(e: TraceEvent, kind: K): e is TraceEvent & Extract<FlinkRecordEvent, { kind: K }> {
  return e.kind === kind;
}
