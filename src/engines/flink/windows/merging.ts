/**
 * The set of session windows of one key, merged eagerly as Flink's
 * MergingWindowSet does: adding a window merges it with every window it
 * intersects (touching counts, see `intersects`), so the set always holds
 * pairwise non-intersecting windows, kept sorted by start.
 *
 * Because the existing windows never intersect one another, the windows a
 * new window merges with form one contiguous run of the sorted array; it is
 * found by binary search, so `addWindow` is O(log n + merged) plus the array
 * splice, and the result equals Flink's sort-and-sweep `mergeWindows` over
 * the same windows.
 *
 * What was chosen against Flink: Flink keeps a "state window" per window so
 * that merging never moves state (a merged window keeps the namespace of one
 * of the windows it absorbed). weir drops that indirection: the state of a
 * window always lives under `windowKey(window)`, and `onMerge(merged,
 * mergedFrom)` tells the operator to move the state of every window in
 * `mergedFrom` into `merged` (the state backend's `mergeNamespaces` moves a
 * lone source without copying) and to delete their timers. `mergedFrom`
 * lists only windows that were in the set before the call: the new window
 * itself never has state yet. `merged` is never one of `mergedFrom`. When
 * the new window lies inside an existing one, that window is returned and
 * `onMerge` is not called (Flink skips the callback in the same case).
 *
 * `touchingMerges: false` is the planted bug `session-merge-off-by-one`: the
 * merge decision uses a strict overlap (`<` for Flink's `<=`), so windows
 * that merely touch stay apart (and may then sit side by side in the set).
 */
import { compareWindows, type TimeWindow } from '../../../stream/time-window.ts';

export type MergeCallback = (merged: TimeWindow, mergedFrom: TimeWindow[]) => void;

export interface MergingWindowSetOptions {
  /** Flink's rule (default true): windows that touch intersect and merge. False is a planted bug. */
  touchingMerges?: boolean;
}

export class MergingWindowSet {
  /** Sorted by start; pairwise non-intersecting (so also non-touching, unless touching windows do not merge). */
  private readonly sorted: TimeWindow[];
  private readonly touching: boolean;

  constructor(windows: readonly TimeWindow[] = [], opts: MergingWindowSetOptions = {}) {
    this.touching = opts.touchingMerges ?? true;
    this.sorted = windows.map((w) => ({ start: w.start, end: w.end })).sort(compareWindows);
    for (let i = 1; i < this.sorted.length; i++) {
      if (this.touching ? this.sorted[i].start <= this.sorted[i - 1].end : this.sorted[i].start < this.sorted[i - 1].end) {
        throw new Error('MergingWindowSet: restored windows intersect; the set must hold merged windows only');
      }
    }
  }

  get size(): number {
    return this.sorted.length;
  }

  /**
   * Adds `w`, merging it with every window it intersects. Returns the window
   * `w` now belongs to: `w` itself, the existing window containing it, or
   * the newly merged window (after `onMerge` was called for it).
   */
  addWindow(w: TimeWindow, onMerge: MergeCallback): TimeWindow {
    const ws = this.sorted;
    // The planted bug (`touching` off) merges only windows that overlap by at least a millisecond.
    const lo = this.touching ? this.firstEndingAtOrAfter(w.start) : this.firstEndingAfter(w.start);
    let hi = lo;
    while (hi < ws.length && (this.touching ? ws[hi].start <= w.end : ws[hi].start < w.end)) hi++;
    if (hi === lo) {
      const added = { start: w.start, end: w.end };
      ws.splice(lo, 0, added);
      return added;
    }
    const first = ws[lo];
    if (hi - lo === 1 && first.start <= w.start && first.end >= w.end) return first;
    const merged: TimeWindow = {
      start: Math.min(w.start, first.start),
      end: Math.max(w.end, ws[hi - 1].end),
    };
    const mergedFrom = ws.splice(lo, hi - lo, merged);
    onMerge(merged, mergedFrom);
    return merged;
  }

  /** Removes exactly `w` (e.g. when its state is purged). Returns false if it was not in the set. */
  remove(w: TimeWindow): boolean {
    const i = this.firstEndingAfter(w.start);
    if (i < this.sorted.length && this.sorted[i].start === w.start && this.sorted[i].end === w.end) {
      this.sorted.splice(i, 1);
      return true;
    }
    return false;
  }

  has(w: TimeWindow): boolean {
    const i = this.firstEndingAfter(w.start);
    return i < this.sorted.length && this.sorted[i].start === w.start && this.sorted[i].end === w.end;
  }

  /** The windows, sorted by start (a copy). */
  windows(): TimeWindow[] {
    return this.sorted.slice();
  }

  /** Plain JSON-able copy; `new MergingWindowSet(snapshot)` restores it. */
  snapshot(): TimeWindow[] {
    return this.sorted.map((w) => ({ start: w.start, end: w.end }));
  }

  /**
   * Index of the first window whose end is >= `t`. Ends increase with starts
   * because the windows are disjoint, so a binary search over ends is valid.
   */
  private firstEndingAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid].end < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Index of the first window whose end is > `t`. A window `w` in the set is
   * the first ending after `w.start`: every window before it ends at or
   * before its start (touching ones too, when touching windows do not merge).
   */
  private firstEndingAfter(t: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid].end <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
