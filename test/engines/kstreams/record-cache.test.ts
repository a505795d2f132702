/**
 * What this proves: a cached key-value store flushes as Kafka's
 * CachingKeyValueStore and NamedCache do.
 * - With a flush listener (a table's store, which forwards its changes), a
 *   key that was in neither the store nor the cache and is deleted again is
 *   neither written nor forwarded; without one (a `process` store), the
 *   delete goes to the store underneath and its changelog logs the
 *   tombstone (`putAndMaybeForward`'s two branches).
 * - The listener is handed every entry while all of them are in place: a
 *   read during the flush of one key sees the new value of every other key
 *   the flush writes (NamedCache marks entries clean and keeps them).
 *
 * How: a StateStore with caching on, writes, then a flush, with a changelog
 * writer and a listener that record what they see.
 */
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../../src/engines/kstreams/stores.ts';

function store(listening: boolean) {
  const logged: string[] = [];
  const s = new StateStore('s', 'kv', (_store, key, value) => logged.push(`${key}=${String(value)}`), true);
  const seen: string[] = [];
  if (listening) {
    s.onFlush = (key, now) => {
      const other = key === 'a' ? 'b' : 'a';
      seen.push(`${key}=${String(now?.value ?? null)} while ${other}=${String(s.get(other)?.value ?? null)}`);
    };
  }
  return { s, logged, seen };
}

describe('the record cache\'s flush', () => {
  it('logs the tombstone of a never-present key without a listener, and skips it with one', () => {
    const plain = store(false);
    plain.s.put('x', null, 1);
    plain.s.flush();
    expect(plain.logged).toEqual(['x=null']);
    const table = store(true);
    table.s.put('x', null, 1);
    table.s.flush();
    expect(table.logged).toEqual([]);
    expect(table.seen).toEqual([]);
  });

  it('hands the listener each entry while every new value is in place', () => {
    const t = store(true);
    t.s.put('a', 1, 1);
    t.s.put('b', 1, 1);
    t.s.flush();
    t.s.put('a', 2, 2);
    t.s.put('b', 2, 2);
    t.s.flush();
    // The second flush forwards a, then b: while a is forwarded, b already reads its new value 2.
    expect(t.seen).toEqual(['a=1 while b=1', 'b=1 while a=1', 'a=2 while b=2', 'b=2 while a=2']);
    expect(t.logged).toEqual(['a=1', 'b=1', 'a=2', 'b=2']);
  });
});
