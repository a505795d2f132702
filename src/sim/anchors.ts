/**
 * Anchors: logical points of a run that a fault can be planned after, instead
 * of at an absolute virtual time. An anchor names a kind of trace event and a
 * count `n`: it is reached when the nth matching event is emitted (counted
 * from the start of the run, over every job attempt). A fault planned
 * `{ after: anchor, delayMs }` then starts `delayMs` of virtual time later,
 * through the world's scheduler.
 *
 * Why: the trace of a run shifts in time when its input changes (fewer
 * records draw fewer network latencies, so every later step moves by a few
 * ms), so a crash at an absolute time lands at another point of the
 * checkpoint protocol. A crash planned "5 ms after checkpoint 3 completes"
 * stays right after checkpoint 3 however the input is cut down, which is
 * what shrinking needs.
 *
 * Firing depends only on the order of trace events, never on wall time: the
 * same run reaches the same anchors at the same steps.
 *
 * The kinds, and the trace events they count:
 * - `checkpoint.trigger`: the coordinator injects the barriers of a
 *   checkpoint (a `barrier.inject` event without a `task`);
 * - `checkpoint.complete`: a checkpoint completes (`checkpoint.complete`);
 * - `txn.precommit`: a two-phase-commit sink pre-commits its transaction
 *   (`txn.precommit`, one per sink subtask and checkpoint);
 * - `job.restore`: the job is deployed, the first time or after a failure
 *   (`job.restore`; the first deploy is n = 1);
 * - `input.offset`: a fetch of the input topic returns the record at
 *   `offset` of `partition` (a `log.fetch` with offset ≤ O < nextOffset;
 *   a rewound source reads it again, so n = 2 is the first re-read). The
 *   broker traces fetches only when the trace is detailed; `applyPlan`
 *   refuses this anchor on a world that is not. Offsets move when records
 *   are left out, so shrinking never anchors on them; the others are
 *   protocol events, always traced.
 */
import type { TraceEvent } from '../runtime/trace-event.ts';

export const ANCHOR_KINDS = ['checkpoint.trigger', 'checkpoint.complete', 'txn.precommit', 'job.restore', 'input.offset'] as const;

export type AnchorKind = (typeof ANCHOR_KINDS)[number];

export type Anchor =
  | { on: Exclude<AnchorKind, 'input.offset'>; n: number }
  | { on: 'input.offset'; n: number; partition: number; offset: number };

/** The trace event kind each anchor kind counts. */
export const ANCHOR_TRACE_KIND: Record<AnchorKind, string> = {
  'checkpoint.trigger': 'barrier.inject',
  'checkpoint.complete': 'checkpoint.complete',
  'txn.precommit': 'txn.precommit',
  'job.restore': 'job.restore',
  'input.offset': 'log.fetch',
};

export function isAnchorKind(s: unknown): s is AnchorKind {
  return typeof s === 'string' && (ANCHOR_KINDS as readonly string[]).includes(s);
}

/** Whether trace event `e` counts towards `anchor`. */
export function anchorMatches(anchor: Anchor, e: TraceEvent, inputTopic: string): boolean {
  if (anchor.on !== 'input.offset') return countsTowards(anchor.on, e);
  return e.kind === 'log.fetch' && e.topic === inputTopic && e.partition === anchor.partition &&
    typeof e.offset === 'number' && typeof e.nextOffset === 'number' && e.offset <= anchor.offset && anchor.offset < e.nextOffset;
}

/** Whether `e` is one of the protocol events an anchor kind counts. */
function countsTowards(on: Exclude<AnchorKind, 'input.offset'>, e: TraceEvent): boolean {
  // Tasks trace barrier.inject too (a source passing the barrier on); only the coordinator's starts a checkpoint.
  return e.kind === ANCHOR_TRACE_KIND[on] && (on !== 'checkpoint.trigger' || e.task === undefined);
}

/** A short text for an anchor: `checkpoint.complete #3`, `input.offset p0@41 #1`. */
export function anchorText(a: Anchor): string {
  return a.on === 'input.offset' ? `input.offset p${a.partition}@${a.offset} #${a.n}` : `${a.on} #${a.n}`;
}

export interface AnchorPoint {
  anchor: Anchor;
  t: number;
  seq: number;
}

/**
 * Records, from a run's trace, every point a fault could be anchored to
 * (all kinds but `input.offset`, whose offsets move when records are left
 * out): subscribe `onEvent`, then ask `latestBefore`.
 */
export class AnchorRecorder {
  readonly points: AnchorPoint[] = [];
  private readonly counts = new Map<AnchorKind, number>();

  constructor(private readonly kinds: readonly Exclude<AnchorKind, 'input.offset'>[] = ['checkpoint.trigger', 'checkpoint.complete', 'txn.precommit', 'job.restore']) {}

  readonly onEvent = (e: TraceEvent): void => {
    for (const on of this.kinds) {
      if (!countsTowards(on, e)) continue;
      const n = (this.counts.get(on) ?? 0) + 1;
      this.counts.set(on, n);
      this.points.push({ anchor: { on, n } as Anchor, t: e.t, seq: e.seq });
    }
  };

  /** The last recorded point strictly before virtual time `atMs` among `kinds` (all when omitted), if any. */
  latestBefore(atMs: number, kinds?: readonly AnchorKind[]): AnchorPoint | undefined {
    for (let i = this.points.length - 1; i >= 0; i--) {
      const p = this.points[i]!;
      if (p.t < atMs && (kinds === undefined || kinds.includes(p.anchor.on))) return p;
    }
    return undefined;
  }
}
