/**
 * The barrier aligner's three modes, step by step on three channels:
 * aligned blocks each channel whose barrier came until all came; none
 * blocks nothing and reports the checkpoint when the last barrier is in;
 * unaligned blocks nothing, reports the checkpoint as started at its first
 * barrier (snapshot now) and as aligned at its last (in-flight records
 * complete), and says which channels still owe their barrier. A newer
 * barrier abandons an older checkpoint in every mode; an ended channel
 * counts as having delivered every barrier.
 */
import { describe, expect, it } from 'vitest';
import { BarrierAligner } from '../../../../src/engines/flink/runtime/aligner.ts';

describe('BarrierAligner', () => {
  it('aligned: blocks a channel from its barrier until every channel delivered it', () => {
    const a = new BarrierAligner(3, 'aligned');
    expect(a.onBarrier(0, 1)).toEqual({ started: 1 });
    expect(a.isBlocked(0)).toBe(true);
    expect(a.isBlocked(1)).toBe(false);
    expect(a.onBarrier(1, 1)).toEqual({});
    expect(a.onBarrier(2, 1)).toEqual({ aligned: 1 });
    expect(a.isBlocked(0)).toBe(false);
  });

  it('unaligned: never blocks, starts at the first barrier, and tracks the channels that still owe theirs', () => {
    const a = new BarrierAligner(3, 'unaligned');
    expect(a.isAwaiting(1)).toBe(false);
    expect(a.onBarrier(1, 4)).toEqual({ started: 4 });
    expect([0, 1, 2].map((c) => a.isBlocked(c))).toEqual([false, false, false]);
    expect([0, 1, 2].map((c) => a.isAwaiting(c))).toEqual([true, false, true]);
    expect(a.onEnd(0)).toEqual({});
    expect(a.isAwaiting(0)).toBe(false);
    expect(a.onBarrier(2, 4)).toEqual({ aligned: 4 });
    expect(a.isAwaiting(2)).toBe(false);
    // A stale barrier of a done checkpoint changes nothing.
    expect(a.onBarrier(1, 4)).toEqual({});
  });

  it('unaligned with one live channel: starts and completes on the same barrier', () => {
    const a = new BarrierAligner(1, 'unaligned');
    expect(a.onBarrier(0, 2)).toEqual({ started: 2, aligned: 2 });
  });

  it('a newer barrier abandons the older checkpoint in every mode', () => {
    for (const mode of ['aligned', 'unaligned', 'none'] as const) {
      const a = new BarrierAligner(2, mode);
      a.onBarrier(0, 1);
      expect(a.onBarrier(1, 2), mode).toEqual({ started: 2, abandoned: 1 });
      expect(a.onBarrier(0, 2), mode).toEqual({ aligned: 2 });
    }
  });
});
