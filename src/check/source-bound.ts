/**
 * `watermark.source-bound`: a log source's watermark keeps the promise of
 * its bounded-out-of-orderness strategy. The other watermark judges take a
 * source's watermark as given: one that runs a millisecond ahead (a record
 * exactly `bound` behind the newest is declared late before it comes) fails
 * none of them, since a record that arrives late is then accounted for as
 * late. This judge bounds each source watermark by what the source had read.
 *
 * A source reads partitions; for each, the largest timestamp read so far
 * (`source.fetch`: the largest timestamp of one fetch's records; after a
 * restore, `source.restore` gives the checkpointed value) allows a
 * watermark of at most `maxTs - bound - 1` (Flink's
 * BoundedOutOfOrdernessWatermarks). The source's watermark is the minimum
 * of that over its partitions still active (idle and finished ones left
 * out), so it can never exceed the maximum over the partitions not yet
 * finished. Every output watermark (`watermark` with `ch: -1`, not a restored
 * one, not end of input) of a source task in an attempt is judged against
 * that maximum, as the trace had it at that moment. Partitions the source has
 * read nothing from count as nothing read. Tasks without `source.fetch` or
 * `source.restore` events (scripted sources) are not judged.
 */
import { MAX_WATERMARK } from '../stream/watermark.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult, TraceEvent } from './types.ts';

interface SourceState {
  bound: number;
  /** Per partition: the largest timestamp read, and whether it ended. */
  parts: Map<number, { maxTs: number; finished: boolean }>;
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['source.fetch', 'source.restore', 'watermark'];

export class SourceBoundTrace {
  /** Per task, per attempt: what that source had read. */
  private readonly sources = new Map<unknown, Map<unknown, SourceState>>();
  private readonly problems = new Problems();
  private judged = 0;

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'source.fetch':
      case 'source.restore': {
        let attempts = this.sources.get(e.task);
        if (attempts === undefined) this.sources.set(e.task, (attempts = new Map()));
        let s = attempts.get(e.attempt);
        if (s === undefined) attempts.set(e.attempt, (s = { bound: e.bound as number, parts: new Map() }));
        const p = e.partition as number;
        const part = s.parts.get(p) ?? { maxTs: Number.NEGATIVE_INFINITY, finished: false };
        if (typeof e.maxTs === 'number') part.maxTs = Math.max(part.maxTs, e.maxTs);
        if (e.finished === true) part.finished = true;
        s.parts.set(p, part);
        return;
      }
      case 'watermark': {
        if (e.ch !== -1 || e.restored === true || typeof e.wm !== 'number' || e.wm >= MAX_WATERMARK) return;
        const s = this.sources.get(e.task)?.get(e.attempt);
        if (s === undefined) return;
        let allowed = Number.NEGATIVE_INFINITY;
        for (const part of s.parts.values()) if (!part.finished) allowed = Math.max(allowed, part.maxTs - s.bound - 1);
        // Nothing left unfinished: the source is ending (its end-of-input watermark is the next).
        if (allowed === Number.NEGATIVE_INFINITY && [...s.parts.values()].every((x) => x.finished) && s.parts.size > 0) return;
        this.judged++;
        if (e.wm > allowed) {
          const read = [...s.parts].sort((a, b) => a[0] - b[0]).map(([p, x]) => `${p}: ${x.maxTs === Number.NEGATIVE_INFINITY ? 'nothing' : x.maxTs}${x.finished ? ' (ended)' : ''}`).join(', ');
          this.problems.add(
            `source task ${String(e.task)} (attempt ${String(e.attempt)}) emitted watermark ${e.wm} at ${formatCount(e.t as number)} ms, ` +
              `but the largest timestamps it had read (partition ${read}) allow at most ${allowed === Number.NEGATIVE_INFINITY ? 'none' : allowed} with bound ${s.bound} ms (max - bound - 1)`,
          );
        }
        return;
      }
    }
  }

  verdict(): CheckResult {
    return this.problems.verdict('watermark.source-bound', `${formatCount(this.judged)} source watermarks, each at most the largest timestamp read - bound - 1`);
  }
}
