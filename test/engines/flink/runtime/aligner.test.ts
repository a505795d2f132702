/**
 * The barrier aligner's three modes, step by step on three channels:
 * aligned blocks each channel whose barrier came until all came; none
 * blocks nothing and reports the checkpoint when the last barrier is in;
 * unaligned blocks nothing, reports the checkpoint as started at its first
 * barrier (snapshot now) and as aligned at its last (in-flight records
 * complete), and says which channels still owe their barrier. A newer
 * barrier abandons an older checkpoint in every mode; an ended channel
 * counts as having delivered every barrier.
 *
 * Then Flink's rules for what comes out of order (SingleCheckpointBarrierHandler
 * and, without alignment, CheckpointBarrierTracker), as its barrier handler
 * tests exercise them: obsolete barriers start and block nothing; a newer
 * barrier mid-alignment aborts the older checkpoint (announced when aligned
 * or unaligned, silent without alignment), unblocks its channels and starts
 * the newer one; cancellation markers abort the current or a newer
 * checkpoint and make its barriers obsolete, and are ignored for older ones.
 * The planted bug `newer-barrier-keeps-blocked` keeps the older checkpoint's
 * channels as delivered, so the newer one aligns too early.
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

  it('a newer barrier abandons the older checkpoint in every mode (silently without alignment)', () => {
    for (const mode of ['aligned', 'unaligned', 'none'] as const) {
      const a = new BarrierAligner(2, mode);
      a.onBarrier(0, 1);
      expect(a.onBarrier(1, 2), mode).toEqual({ started: 2, abandoned: 1, ...(mode === 'none' ? { silent: true } : {}) });
      expect(a.onBarrier(0, 2), mode).toEqual({ aligned: 2 });
    }
  });
});

describe('BarrierAligner: barriers out of order (Flink\'s rules)', () => {
  it('an obsolete barrier (older than the current checkpoint, or of one already aligned) starts and blocks nothing', () => {
    const a = new BarrierAligner(2, 'aligned');
    a.onBarrier(0, 3);
    a.onBarrier(1, 3);
    expect(a.onBarrier(0, 3)).toEqual({});
    expect(a.onBarrier(1, 2)).toEqual({});
    expect([a.isBlocked(0), a.isBlocked(1), a.checkpoint]).toEqual([false, false, -1]);
    // Mid-alignment too: an older barrier on the channel still owing the current one changes nothing.
    a.onBarrier(0, 4);
    expect(a.onBarrier(1, 3)).toEqual({});
    expect([a.isBlocked(0), a.isBlocked(1), a.checkpoint]).toEqual([true, false, 4]);
  });

  it('a newer barrier mid-alignment unblocks the channels the older checkpoint held and blocks only its own', () => {
    const a = new BarrierAligner(3, 'aligned');
    a.onBarrier(0, 1);
    a.onBarrier(1, 1);
    expect([0, 1, 2].map((c) => a.isBlocked(c))).toEqual([true, true, false]);
    expect(a.onBarrier(2, 2)).toEqual({ started: 2, abandoned: 1 });
    expect([0, 1, 2].map((c) => a.isBlocked(c))).toEqual([false, false, true]);
    expect(a.checkpoint).toBe(2);
    // The older barrier, still due on channel 2's upstream, is obsolete now.
    expect(a.onBarrier(2, 1)).toEqual({});
    expect(a.onBarrier(0, 2)).toEqual({});
    expect(a.onBarrier(1, 2)).toEqual({ aligned: 2 });
  });

  it('skipping checkpoints: each newer barrier aborts the one before, down to the one that completes', () => {
    const a = new BarrierAligner(2, 'aligned');
    expect(a.onBarrier(0, 1)).toEqual({ started: 1 });
    expect(a.onBarrier(1, 2)).toEqual({ started: 2, abandoned: 1 });
    expect(a.onBarrier(0, 3)).toEqual({ started: 3, abandoned: 2 });
    expect(a.onBarrier(1, 3)).toEqual({ aligned: 3 });
  });

  it('a cancellation marker of the pending checkpoint aborts it and unblocks; its later barriers are obsolete', () => {
    const a = new BarrierAligner(3, 'aligned');
    a.onBarrier(0, 5);
    expect(a.onCancel(1, 5)).toEqual({ cancelled: 5 });
    expect([0, 1, 2].map((c) => a.isBlocked(c))).toEqual([false, false, false]);
    expect(a.checkpoint).toBe(-1);
    expect(a.onBarrier(2, 5)).toEqual({});
    expect(a.onBarrier(0, 6)).toEqual({ started: 6 });
  });

  it('a cancellation marker of a newer checkpoint aborts that one ahead of its barriers, dropping the pending older one silently', () => {
    const a = new BarrierAligner(2, 'aligned');
    expect(a.onCancel(0, 2)).toEqual({ cancelled: 2 });
    expect(a.onBarrier(1, 2)).toEqual({});
    a.onBarrier(0, 3);
    expect(a.onCancel(1, 4)).toEqual({ cancelled: 4, abandoned: 3, silent: true });
    expect([a.isBlocked(0), a.isBlocked(1), a.checkpoint]).toEqual([false, false, -1]);
    // Without alignment (the tracker) the dropped older checkpoint is announced too.
    const t = new BarrierAligner(2, 'none');
    t.onBarrier(0, 3);
    expect(t.onCancel(1, 4)).toEqual({ cancelled: 4, abandoned: 3 });
  });

  it('a cancellation marker of an older or already finished checkpoint is ignored', () => {
    const a = new BarrierAligner(2, 'aligned');
    a.onBarrier(0, 1);
    a.onBarrier(1, 1);
    expect(a.onCancel(0, 1)).toEqual({});
    a.onBarrier(0, 2);
    expect(a.onCancel(1, 1)).toEqual({});
    expect(a.isBlocked(0)).toBe(true);
  });

  it('unaligned: a newer barrier aborts the older checkpoint, whose snapshot was already taken, and starts the newer one', () => {
    const a = new BarrierAligner(2, 'unaligned');
    expect(a.onBarrier(0, 1)).toEqual({ started: 1 });
    expect(a.onBarrier(1, 2)).toEqual({ started: 2, abandoned: 1 });
    expect([a.isAwaiting(0), a.isAwaiting(1)]).toEqual([true, false]);
    expect(a.onBarrier(0, 2)).toEqual({ aligned: 2 });
  });

  it('an ended channel owes no barrier: the newer checkpoint aligns on the channels still open', () => {
    const a = new BarrierAligner(3, 'aligned');
    a.onBarrier(0, 1);
    expect(a.onEnd(2)).toEqual({});
    expect(a.onBarrier(1, 2)).toEqual({ started: 2, abandoned: 1 });
    expect(a.onBarrier(0, 2)).toEqual({ aligned: 2 });
  });

  it('planted bug newer-barrier-keeps-blocked: the older checkpoint\'s channels count for the newer one, which aligns at once', () => {
    const a = new BarrierAligner(2, 'aligned', { keepBlockedOnNewer: true });
    a.onBarrier(0, 1);
    expect(a.onBarrier(1, 2)).toEqual({ started: 2, abandoned: 1, aligned: 2 });
  });
});
