/**
 * `mergeIds` (a Kafka Streams record's lineage when two records combine): for
 * any two sorted lists of distinct ids, the result is their sorted union, each
 * id once, and neither input is changed. Checked with fast-check against a
 * plain union (concatenate, sort, drop repeats), with lists shaped to reach
 * each of its paths: one list after the other, one id inserted among many
 * (new, or already there), and a general merge.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { mergeIds } from '../../../src/engines/kstreams/processor.ts';

const sortedIds = fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 40 }).map((xs) => xs.sort((x, y) => x - y));

function plainUnion(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

describe('mergeIds', () => {
  test.prop([sortedIds, sortedIds])('is the sorted union of two sorted id lists, inputs untouched', (a, b) => {
    const a0 = a.slice();
    const b0 = b.slice();
    expect(mergeIds(a, b)).toEqual(plainUnion(a, b));
    expect(a).toEqual(a0);
    expect(b).toEqual(b0);
  });

  test.prop([sortedIds, fc.integer({ min: 0, max: 200 })])('inserts one id among the others, once', (a, x) => {
    const out = mergeIds(a, [x]);
    expect(out).toEqual(plainUnion(a, [x]));
    expect(out).not.toBe(a);
  });
});
