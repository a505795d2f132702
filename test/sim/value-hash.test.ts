/**
 * Checkpoint snapshots are stored as structured values: `valueHash`
 * (src/runtime/hash.ts) is their state hash, and a read that fails its
 * checksum returns a `CorruptFrame`, whose `damagedContent` is what a reader
 * that skips the check (the planted bug `snapshot-checksum-skipped`) would
 * restore. Proved by fast-check on random JSON-shaped values:
 * - a copy (`cloneJson`) hashes as the original, so a snapshot restored from
 *   the store carries the hash it was taken with;
 * - the damaged content differs from the frame in exactly one leaf, and its
 *   hash differs from the frame's, so the restore check sees the damage;
 * - the frame as written is never changed by decoding it damaged;
 * - values of different shapes that print alike (1 and '1', [] and {}) hash
 *   differently, and so do nestings that feed the same items in the same
 *   order ([[], []] and [[[]]]): lengths and key counts are fed too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueHash } from '../../src/runtime/hash.ts';
import { CorruptFrame, damagedContent, damagedFrame, TORN_FRAME } from '../../src/runtime/types.ts';
import { cloneJson } from '../../src/stream/plain-data.ts';

/** JSON-shaped values with at least one leaf somewhere (ids, keys, flags, as snapshots hold). */
const withLeaf = fc.jsonValue({ maxDepth: 4 }).filter((v) => leaves(v).length > 0);

function leaves(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(leaves);
  return v === null ? [] : [v];
}

describe('runtime/valueHash and damaged frames', () => {
  it('a copy hashes as the original', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
      expect(valueHash(cloneJson(v))).toBe(valueHash(v));
      expect(valueHash(v)).toMatch(/^[0-9a-f]{16}$/);
    }));
  });

  it('a damaged frame differs from the written one in exactly one leaf, hashes differently, and leaves the written frame as it was', () => {
    fc.assert(fc.property(withLeaf, fc.nat({ max: 0xffffffff }), (v, bit) => {
      const before = JSON.stringify(v);
      const frame = new CorruptFrame(v, bit);
      expect(damagedFrame(frame)).toBe(true);
      const got = damagedContent(frame);
      expect(JSON.stringify(v)).toBe(before);
      const a = leaves(v);
      const b = leaves(got);
      expect(b).toHaveLength(a.length);
      expect(a.filter((x, i) => !Object.is(x, b[i]))).toHaveLength(1);
      expect(valueHash(got)).not.toBe(valueHash(v));
    }));
  });

  it('tells apart values that print alike', () => {
    const distinct = [1, '1', true, 'true', null, 'null', [], {}, [1], { 0: 1 }, [[1]], [1, []], 1.5, '1.5', -0, 0, undefined, [[], []], [[[]]], { a: { b: 1 } }, { a: {}, b: 1 }];
    const hashes = new Set(distinct.map(valueHash));
    // -0 and 0 are different numbers to a snapshot (cloneJson keeps -0), so they hash apart as well.
    expect(hashes.size).toBe(distinct.length);
  });

  it('a torn frame is damaged too, and a frame with no leaf decodes as null', () => {
    expect(damagedFrame(TORN_FRAME)).toBe(true);
    expect(damagedFrame({ sum: 'x' })).toBe(false);
    expect(damagedContent(new CorruptFrame([[], {}], 7))).toBeNull();
  });
});
