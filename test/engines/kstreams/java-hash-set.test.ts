/**
 * What this proves: `JavaHashMap` iterates as `java.util.HashSet<Bytes>` does
 * over Kafka's serialized windowed keys, so the suppression buffer logs its
 * dirty keys in Kafka's order.
 *
 * How: the expected orders were printed by a `HashSet` of byte arrays (with
 * `Arrays.hashCode` and `Arrays.equals`, as Kafka's `Bytes`) on OpenJDK 17,
 * fed the same adds: keys in a first-written order the set does not keep,
 * ten keys in one bin of sixteen (the ninth makes the table grow, Java's
 * `treeifyBin` below 64 bins), three more after that, and a `clear()` that
 * keeps the grown table. A first-written order, a table that never grows or
 * one that shrinks at `clear()` each fails one case.
 */
import { describe, expect, it } from 'vitest';
import { bytesHashCode, JavaHashMap, keyWithLongs } from '../../../src/engines/kstreams/java-hash-set.ts';

/** The hash code of `key long…`, the key's bytes then each long (a test's key). */
function spacedHash(a: string): number {
  const [key, ...longs] = a.split(' ');
  return bytesHashCode(keyWithLongs(key!, longs.map(Number)));
}

function fill(set: JavaHashMap<boolean>, adds: string[]): void {
  for (const a of adds) set.set(a, true);
}

describe("java.util.HashSet's order", () => {
  it('is not the order first written', () => {
    const set = new JavaHashMap<boolean>(spacedHash);
    fill(set, ['c 0', 'a 0', 'b 0', 'd 10', 'a 0']);
    expect(set.keys()).toEqual(['c 0', 'a 0', 'd 10', 'b 0']);
    set.clear();
    fill(set, ['zebra 20', 'apple 20', 'mango 20', 'kiwi 20']);
    expect(set.keys()).toEqual(['kiwi 20', 'mango 20', 'apple 20', 'zebra 20']);
    // A session key: the key, the end, then the start.
    set.clear();
    fill(set, ['s 50 0', 's 0 0', 't 50 0']);
    expect(set.keys()).toEqual(['s 0 0', 's 50 0', 't 50 0']);
  });

  it('grows a table of 16 bins when one bin reaches nine keys, and keeps the grown table after clear()', () => {
    const set = new JavaHashMap<boolean>(spacedHash);
    const one = ['k33', 'k39', 'k40', 'k46', 'k53', 'k94', 'k118', 'k122', 'k125', 'k132'].map((k) => `${k} 1000`);
    fill(set, one);
    expect(set.keys()).toEqual(['k33', 'k40', 'k94', 'k118', 'k125', 'k132', 'k39', 'k46', 'k53', 'k122'].map((k) => `${k} 1000`));
    fill(set, ['k10 1000', 'k35 1000', 'k47 1000']);
    expect(set.keys()).toEqual(['k33', 'k40', 'k94', 'k118', 'k125', 'k132', 'k10', 'k35', 'k39', 'k46', 'k53', 'k122', 'k47'].map((k) => `${k} 1000`));
    set.clear();
    expect(set.size).toBe(0);
    fill(set, ['k40 1000', 'k39 1000', 'k33 1000']);
    expect(set.keys()).toEqual(['k40 1000', 'k33 1000', 'k39 1000']);
  });

  it('hashes the signed bytes: UTF-8 keys and negative longs', () => {
    // Arrays.hashCode(new byte[]{}) is 1; {(byte) 0xC3, (byte) 0xA9} ("é") is 31 * (31 + -61) + -87.
    expect(bytesHashCode(new Uint8Array([]))).toBe(1);
    expect(bytesHashCode(keyWithLongs('é', []))).toBe(31 * (31 - 61) - 87);
    expect([...keyWithLongs('', [-1])]).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    expect([...keyWithLongs('', [2 ** 32 + 5])]).toEqual([0, 0, 0, 1, 0, 0, 0, 5]);
  });
});
