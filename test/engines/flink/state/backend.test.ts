/**
 * KeyedStateBackend. Unit tests: the four handle kinds bound to the current
 * key and namespace, kind and TTL-switch checks, namespace merging for list
 * and reducing state, key listings and sizes, snapshot isolation (a
 * snapshot shares nothing with live state, in either direction, and can be
 * restored twice).
 *
 * Properties: (1) against a naive model (one plain Map per state from
 * "namespace|key" to the value) random operations over value, list, map and
 * reducing states, with snapshot -> JSON -> restore into a fresh backend at
 * random points, read back identically, keys and sizes agree, and the
 * restored backend's hash equals the original's; (2) `stateHash` depends on
 * content only: the same writes in two different orders hash equally, and
 * changing one value changes the hash.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { KeyedStateBackend } from '../../../../src/engines/flink/state/backend.ts';
import { ttlConfig } from '../../../../src/engines/flink/state/ttl.ts';

const sum = (a: number, b: number) => a + b;

describe('KeyedStateBackend handles', () => {
  test('value state is per key and per namespace; update(undefined) clears', () => {
    const b = new KeyedStateBackend();
    const s = b.valueState<number>('count');
    b.setCurrentKey('a');
    s.update(1);
    b.setCurrentKey('b');
    expect(s.value()).toBeUndefined();
    s.update(2);
    b.setCurrentNamespace('0:1000');
    expect(s.value()).toBeUndefined();
    s.update(3);
    b.setCurrentNamespace('');
    b.setCurrentKey('a');
    expect(s.value()).toBe(1);
    expect(b.getCurrentKey()).toBe('a');
    expect(b.sizeEntries()).toBe(3);
    s.update(undefined);
    expect(s.value()).toBeUndefined();
    expect(b.sizeEntries()).toBe(2);
    expect(b.keys('count')).toEqual(['b']);
    expect(b.keys('count', '0:1000')).toEqual(['b']);
    expect(b.namespaces('count')).toEqual(['', '0:1000']);
    expect(b.keys('nope')).toEqual([]);
  });

  test('list state: add, addAll, update, clear; empty means no entry', () => {
    const b = new KeyedStateBackend();
    const l = b.listState<string>('l');
    b.setCurrentKey('k');
    expect(l.get()).toEqual([]);
    l.add('x');
    l.addAll(['y', 'z']);
    expect(l.get()).toEqual(['x', 'y', 'z']);
    l.update(['q']);
    expect(l.get()).toEqual(['q']);
    l.update([]);
    expect(b.sizeEntries()).toBe(0);
    l.add('r');
    l.clear();
    expect(l.get()).toEqual([]);
  });

  test('map state: put, get, contains, remove, entries in insertion order', () => {
    const b = new KeyedStateBackend();
    const m = b.mapState<number>('m');
    b.setCurrentKey('k');
    expect(m.isEmpty()).toBe(true);
    m.put('b', 2);
    m.put('a', 1);
    m.putAll([['c', 3]]);
    expect(m.get('a')).toBe(1);
    expect(m.contains('b')).toBe(true);
    expect(m.contains('z')).toBe(false);
    expect(m.entries()).toEqual([['b', 2], ['a', 1], ['c', 3]]);
    expect(m.keys()).toEqual(['b', 'a', 'c']);
    expect(m.values()).toEqual([2, 1, 3]);
    m.remove('b');
    m.remove('a');
    m.remove('c');
    expect(b.sizeEntries()).toBe(0);
  });

  test('reducing state folds with the reduce function', () => {
    const b = new KeyedStateBackend();
    const r = b.reducingState<number>('sum', sum);
    b.setCurrentKey('k');
    expect(r.get()).toBeUndefined();
    r.add(3);
    r.add(4);
    expect(r.get()).toBe(7);
    r.clear();
    expect(r.get()).toBeUndefined();
  });

  test('mergeNamespaces: lists append (moving a lone source), reducing states reduce', () => {
    const b = new KeyedStateBackend();
    const l = b.listState<number>('l');
    const r = b.reducingState<number>('r', sum);
    b.setCurrentKey('k');
    for (const [ns, v] of [['w1', 1], ['w2', 2], ['w3', 3]] as const) {
      b.setCurrentNamespace(ns);
      l.add(v);
      r.add(v);
    }
    l.mergeNamespaces('w4', ['w1']);
    l.mergeNamespaces('w4', ['w2', 'w3', 'w4']);
    r.mergeNamespaces('w2', ['w1', 'w3']);
    b.setCurrentNamespace('w4');
    expect(l.get()).toEqual([1, 2, 3]);
    b.setCurrentNamespace('w2');
    expect(r.get()).toBe(6);
    expect(b.namespaces('l')).toEqual(['w4']);
    expect(b.namespaces('r')).toEqual(['w2']);
  });

  test('a name has one kind; TTL cannot be switched on or off', () => {
    const b = new KeyedStateBackend();
    b.valueState('v');
    expect(() => b.listState('v')).toThrow(/value state/);
    expect(() => b.valueState('v', ttlConfig(10))).toThrow(/TTL/);
    b.valueState('t', ttlConfig(10));
    expect(() => b.valueState('t')).toThrow(/TTL/);
    expect(() => b.valueState('t', ttlConfig(20))).not.toThrow();
    expect(() => b.valueState('x', { ttlMs: 0, updateType: 'OnCreateAndWrite', visibility: 'NeverReturnExpired' })).toThrow();
  });
});

describe('snapshots', () => {
  function populated(): KeyedStateBackend {
    const b = new KeyedStateBackend();
    b.setCurrentKey('k');
    b.valueState<{ n: number[] }>('v').update({ n: [1, 2] });
    b.listState<number>('l').addAll([1, 2]);
    b.mapState<{ x: number }>('m').put('a', { x: 1 });
    b.reducingState<number>('r', sum).add(5);
    return b;
  }

  test('a snapshot shares nothing with live state, either way', () => {
    const b = populated();
    const before = b.stateHash();
    const snap = b.snapshot();
    const frozen = JSON.stringify(snap);
    b.valueState<{ n: number[] }>('v').value()!.n.push(3); // in-place mutation of live state
    b.listState<number>('l').add(3);
    b.mapState<{ x: number }>('m').get('a')!.x = 9;
    expect(JSON.stringify(snap)).toBe(frozen);
    const r = new KeyedStateBackend();
    r.restore(snap);
    expect(r.stateHash()).toBe(before);
    r.setCurrentKey('k');
    r.valueState<{ n: number[] }>('v').value()!.n.push(4);
    const r2 = new KeyedStateBackend();
    r2.restore(snap); // restoring did not hand the snapshot's objects to r
    expect(r2.stateHash()).toBe(before);
  });

  test('restore replaces everything; handles taken before stay valid', () => {
    const b = populated();
    const snap = JSON.parse(JSON.stringify(b.snapshot()));
    const r = new KeyedStateBackend();
    const v = r.valueState<string>('other');
    const l = r.listState<number>('l');
    r.setCurrentKey('k');
    v.update('gone after restore');
    r.restore(snap);
    expect(v.value()).toBeUndefined();
    expect(l.get()).toEqual([1, 2]);
    expect(r.mapState<{ x: number }>('m').entries()).toEqual([['a', { x: 1 }]]);
    expect(r.reducingState<number>('r', sum).get()).toBe(5);
    expect(() => r.restore({ ...snap, format: 'nope' })).toThrow();
    const wrongKind = new KeyedStateBackend();
    wrongKind.listState('v');
    expect(() => wrongKind.restore(snap)).toThrow(/value state|list state/);
  });
});

// ---------------------------------------------------------------- model test

type SOp =
  | { t: 'key'; key: string }
  | { t: 'ns'; ns: string }
  | { t: 'vset'; v: number }
  | { t: 'vclear' }
  | { t: 'ladd'; v: number }
  | { t: 'lclear' }
  | { t: 'mput'; k: string; v: number }
  | { t: 'mrem'; k: string }
  | { t: 'radd'; v: number }
  | { t: 'snap' };

const sOp: fc.Arbitrary<SOp> = fc.oneof(
  fc.record({ t: fc.constant('key' as const), key: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ t: fc.constant('ns' as const), ns: fc.constantFrom('', '0:10', '10:20') }),
  fc.record({ t: fc.constant('vset' as const), v: fc.integer({ min: -5, max: 5 }) }),
  fc.constant({ t: 'vclear' as const }),
  fc.record({ t: fc.constant('ladd' as const), v: fc.integer({ min: -5, max: 5 }) }),
  fc.constant({ t: 'lclear' as const }),
  fc.record({ t: fc.constant('mput' as const), k: fc.constantFrom('x', 'y'), v: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ t: fc.constant('mrem' as const), k: fc.constantFrom('x', 'y') }),
  fc.record({ t: fc.constant('radd' as const), v: fc.integer({ min: -5, max: 5 }) }),
  fc.constant({ t: 'snap' as const }),
);

describe('KeyedStateBackend vs a naive model', () => {
  test.prop([fc.array(sOp, { maxLength: 100, size: 'max' })])('same reads, keys and sizes; restore keeps the hash', (ops) => {
    let b = new KeyedStateBackend();
    const model = { v: new Map<string, number>(), l: new Map<string, number[]>(), m: new Map<string, Map<string, number>>(), r: new Map<string, number>() };
    let key = 'a';
    let ns = '';
    b.setCurrentKey(key);
    for (const op of ops) {
      const id = `${ns}|${key}`;
      const v = b.valueState<number>('v');
      const l = b.listState<number>('l');
      const m = b.mapState<number>('m');
      const r = b.reducingState<number>('r', sum);
      switch (op.t) {
        case 'key': key = op.key; b.setCurrentKey(key); break;
        case 'ns': ns = op.ns; b.setCurrentNamespace(ns); break;
        case 'vset': v.update(op.v); model.v.set(id, op.v); break;
        case 'vclear': v.clear(); model.v.delete(id); break;
        case 'ladd': l.add(op.v); model.l.set(id, [...(model.l.get(id) ?? []), op.v]); break;
        case 'lclear': l.clear(); model.l.delete(id); break;
        case 'mput': m.put(op.k, op.v); model.m.set(id, new Map(model.m.get(id) ?? []).set(op.k, op.v)); break;
        case 'mrem': {
          m.remove(op.k);
          const mm = new Map(model.m.get(id) ?? []);
          mm.delete(op.k);
          if (mm.size === 0) model.m.delete(id);
          else model.m.set(id, mm);
          break;
        }
        case 'radd': r.add(op.v); model.r.set(id, (model.r.get(id) ?? 0) + op.v); break;
        case 'snap': {
          const hash = b.stateHash();
          const fresh = new KeyedStateBackend();
          fresh.restore(JSON.parse(JSON.stringify(b.snapshot())));
          expect(fresh.stateHash()).toBe(hash);
          fresh.setCurrentKey(key);
          fresh.setCurrentNamespace(ns);
          b = fresh;
          break;
        }
      }
      const here = `${ns}|${key}`;
      expect(b.valueState<number>('v').value()).toBe(model.v.get(here));
      expect(b.listState<number>('l').get()).toEqual(model.l.get(here) ?? []);
      expect(b.mapState<number>('m').entries()).toEqual(Array.from(model.m.get(here) ?? []));
      expect(b.reducingState<number>('r', sum).get()).toBe(model.r.get(here));
      const size = model.v.size + model.l.size + model.m.size + model.r.size;
      expect(b.sizeEntries()).toBe(size);
      expect(b.keys('l').sort()).toEqual(Array.from(new Set(Array.from(model.l.keys(), (k) => k.split('|')[1]))).sort());
    }
  });
});

describe('stateHash', () => {
  const write = fc.record({ state: fc.constantFrom('s1', 's2'), key: fc.constantFrom('a', 'b', 'c', 'd'), ns: fc.constantFrom('', 'w'), v: fc.integer() });

  test.prop([fc.uniqueArray(write, { selector: (w) => `${w.state}|${w.key}|${w.ns}`, maxLength: 16, size: 'max' }), fc.nat()])(
    'depends on content only, not on write order nor object key order',
    (writes, rot) => {
      const apply = (ws: typeof writes, flip: boolean) => {
        const b = new KeyedStateBackend();
        for (const w of ws) {
          b.setCurrentKey(w.key);
          b.setCurrentNamespace(w.ns);
          b.valueState<{ v: number; k: string }>(w.state).update(Object.fromEntries(flip ? [['v', w.v], ['k', w.key]] : [['k', w.key], ['v', w.v]]) as never);
        }
        return b;
      };
      const k = writes.length ? rot % writes.length : 0;
      const rotated = [...writes.slice(k), ...writes.slice(0, k)].reverse();
      expect(apply(rotated, true).stateHash()).toBe(apply(writes, false).stateHash());
      if (writes.length > 0) {
        const changed = writes.map((w, i) => (i === 0 ? { ...w, v: w.v + 1 } : w));
        expect(apply(changed, false).stateHash()).not.toBe(apply(writes, false).stateHash());
      }
    },
  );

  test('empty states do not count; a different kind or key changes the hash', () => {
    const a = new KeyedStateBackend();
    const empty = a.stateHash();
    a.setCurrentKey('k');
    a.listState<number>('l').add(1);
    a.listState<number>('l').clear();
    expect(a.stateHash()).toBe(empty);
    a.valueState<number>('v').update(1);
    const h1 = a.stateHash();
    a.setCurrentKey('j');
    a.valueState<number>('v').update(1);
    expect(a.stateHash()).not.toBe(h1);
    expect(h1).toMatch(/^[0-9a-f]{16}$/);
  });
});
