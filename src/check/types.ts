/**
 * Shared shapes of the oracles: a check's verdict, the window pipeline a
 * checker judges, and the trace event as the checkers read it.
 *
 * A verdict's `detail` is written for a person holding a failing seed: on
 * failure it names the first offending record id, key or window precisely
 * (and how many more problems there were); on success it is a one-line
 * summary of what was accounted for.
 */
import type { WindowAssigner } from '../stream/assigners.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** The keyed window pipeline under test: `keyBy(key) → window(assigner) → aggregate`. */
export interface WindowSpec {
  assigner: WindowAssigner;
  /** `avg` is the integer `Math.floor(sum / count)`. */
  aggregate: 'count' | 'sum' | 'avg';
  allowedLatenessMs: number;
}

/** A trace event `{ seq, t, p, kind, ...fields }`, as the sim emits it. */
export type { TraceEvent } from '../runtime/trace-event.ts';
