/**
 * What this proves: three stores write their changelog as Kafka's do.
 * - The suppression buffer (`InMemoryTimeOrderedKeyValueChangeBuffer`) logs
 *   nothing per write: each key written since the last flush is logged once,
 *   at the flush before a commit, with its state then (its value, or a
 *   tombstone when the window was released meanwhile), in the order of
 *   Kafka's `HashSet` of the serialized keys.
 * - A caching window or session store reads an update's old value from the
 *   store below at the flush (`CachingSessionStore.putAndMaybeForward`,
 *   `fetchSession`), and that read passes over an entry past the store's
 *   retention, so such an update carries no old value. (A delete of such an
 *   entry is still logged and forwarded: weir's choice, docs/FIDELITY.md.)
 * - A stream–stream join store's change-logging layer
 *   (`ChangeLoggingWindowBytesStore.put`) logs every put, an expired one and
 *   a null value included, each with the next sequence number; the null value
 *   moves the store's stream time (`InMemoryWindowStore.put`), after a restore too.
 * - Its sequence numbers are Kafka's: the change-logging layer and the store
 *   each count from 0 with the store object (first number 1), and a restore
 *   is a put per record, numbered afresh; so after a restart the changelog's
 *   keys repeat and a restore still holds every record (the changelog is not
 *   compacted). A record a restore reads again, which the state directory's
 *   file already gave the store, is not held twice.
 *
 * How: stores and a DSL task are driven directly; what reaches the changelog
 * writer and the flush listener is compared with the rules above. Each case
 * fails on the rule it replaced (logging at every write; the old value taken
 * when the cache first took the key; expired and null puts unlogged), but
 * the delete of a session, which pins what did not change.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/engines/kstreams/dsl.ts';
import { driver } from './driver.ts';
import { StateStore, sessionStoreKey, windowStoreKey } from '../../../src/engines/kstreams/stores.ts';
import { TimeWindows } from '../../../src/engines/kstreams/windows.ts';
import { JoinWindowStore } from '../../../src/engines/kstreams/join.ts';

type Logged = { store: string; key: string; value: unknown };

describe('the suppression buffer logs at the flush', () => {
  function suppressed(cachedCount = false) {
    const b = new StreamsBuilder();
    b.stream('in').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).count({ caching: cachedCount }).suppressUntilWindowCloses().toStream().to('out');
    const d = driver(b, { caching: true, commitEach: false });
    const buffer = [...d.topology.stores.keys()].find((s) => s.includes('SUPPRESS'))!;
    const topic = `app-${buffer}-changelog`;
    const logged: Logged[] = [];
    /** The buffer's changelog records written so far. */
    const bufferLog = (): Logged[] => {
      for (const w of d.take(topic)) {
        const c = w.value as { key: string; value: unknown };
        logged.push({ store: topic, key: c.key, value: c.value });
      }
      return logged;
    };
    return { feed: (key: string, ts: number) => d.pipe('in', key, 1, ts), flush: () => d.commit(), bufferLog };
  }

  it('logs nothing per write, then each dirty key once, a released window as a tombstone', () => {
    const { feed, flush, bufferLog } = suppressed();
    feed('a', 1);
    feed('a', 2);
    feed('b', 3);
    expect(bufferLog()).toEqual([]);
    // Stream time 12 closes [0,10): both windows are released before the flush.
    feed('c', 12);
    expect(bufferLog()).toEqual([]);
    flush();
    const log = bufferLog();
    expect(log.map((l) => [l.key, l.value === null])).toEqual([
      [sessionStoreKey('a', 0, 10), true],
      [sessionStoreKey('b', 0, 10), true],
      [sessionStoreKey('c', 10, 20), false],
    ]);
    // A second flush with nothing written since logs nothing more.
    flush();
    expect(bufferLog()).toHaveLength(3);
  });

  it("logs the dirty keys in the order of Kafka's HashSet of the serialized windowed keys, not the order first written", () => {
    const { feed, flush, bufferLog } = suppressed();
    // Written c, a, b at [0,10) and d at [10,20) (the window of c, a and b stays open: grace 0, stream time 10).
    feed('c', 1);
    feed('a', 2);
    feed('b', 3);
    feed('d', 10);
    flush();
    // OpenJDK 17's HashSet<Bytes> of (UTF-8 key, 8-byte start) iterates c@0, a@0, d@10, b@0 (java-hash-set.test.ts).
    expect(bufferLog().map((l) => l.key)).toEqual([sessionStoreKey('c', 0, 10), sessionStoreKey('a', 0, 10), sessionStoreKey('d', 10, 20), sessionStoreKey('b', 0, 10)]);
  });

  it('behind a cached aggregate, logs in the same flush what the aggregate\'s cache flushed into it (the buffer is flushed after the stores before it, as Kafka registers them)', () => {
    const { feed, flush, bufferLog } = suppressed(true);
    feed('a', 1);
    feed('b', 2);
    expect(bufferLog()).toEqual([]);
    flush();
    expect(bufferLog().map((l) => l.key)).toEqual([sessionStoreKey('a', 0, 10), sessionStoreKey('b', 0, 10)]);
  });

  it('logs a held window with its latest value only', () => {
    const { feed, flush, bufferLog } = suppressed();
    feed('a', 1);
    feed('a', 4);
    feed('a', 7);
    flush();
    const log = bufferLog();
    expect(log).toHaveLength(1);
    expect(log[0]!.key).toBe(sessionStoreKey('a', 0, 10));
    const held = log[0]!.value as { value: { value: number } };
    expect(held.value.value).toBe(3);
  });
});

describe('a caching store reads the old value from the store below at the flush', () => {
  const SESSION_RETENTION = { ms: 500, timeOrdered: false };

  function sessions() {
    const logged: Logged[] = [];
    const s = new StateStore('sessions', 'session', (store, key, value) => logged.push({ store, key, value }), true, SESSION_RETENTION);
    const forwarded: string[] = [];
    s.onFlush = (k, now, old) => forwarded.push(`${k} ${String(now?.value ?? null)} (was ${String(old?.value ?? null)})`);
    return { s, logged, forwarded };
  }

  it('an update of a session past retention below carries no old value', () => {
    const { s, forwarded } = sessions();
    const a = sessionStoreKey('k', 0, 100);
    s.put(a, 1, 100);
    s.flush();
    s.put(sessionStoreKey('j', 1900, 2000), 1, 2000);
    s.flush();
    forwarded.length = 0;
    // Observed 2000, retention 500: a session ending at 100 is past it in the store below.
    s.put(a, 5, 2001);
    s.flush();
    expect(forwarded).toEqual([`${a} 5 (was null)`]);
  });

  it('moves the store\'s stream time entry by entry: an entry flushed earlier hides a later one\'s old value', () => {
    const { s, forwarded } = sessions();
    const a = sessionStoreKey('k', 0, 100);
    s.put(a, 1, 100);
    s.flush();
    forwarded.length = 0;
    // In one flush: j's session (ending 2000) first, then a's update. Kafka puts j before it reads
    // a's old value, so a is past retention by then.
    s.put(sessionStoreKey('j', 1900, 2000), 1, 2000);
    s.put(a, 7, 2001);
    s.flush();
    expect(forwarded).toEqual([`${sessionStoreKey('j', 1900, 2000)} 1 (was null)`, `${a} 7 (was null)`]);
  });

  it('logs and forwards the delete of a session, past retention below too (weir\'s choice: docs/FIDELITY.md)', () => {
    for (const [start, end] of [[1500, 1600], [0, 100]] as const) {
      const { s, logged, forwarded } = sessions();
      const a = sessionStoreKey('k', start, end);
      s.put(a, 1, end);
      s.put(sessionStoreKey('j', 1900, 2000), 1, 2000);
      s.flush();
      logged.length = 0;
      s.put(a, null, 2001);
      s.flush();
      expect(logged).toEqual([{ store: 'sessions', key: a, value: null }]);
      expect(forwarded.at(-1)).toBe(`${a} null (was 1)`);
      expect(s.findSessions('k', 0, 3000)).toEqual([]);
    }
  });

  it('an update of a window past retention below carries no old value', () => {
    const old: unknown[] = [];
    const s = new StateStore('w', 'window', () => {}, true, { ms: 100, timeOrdered: false });
    s.onFlush = (_k, _now, was) => old.push(was?.value ?? null);
    s.put(windowStoreKey('k', 0), 1, 5);
    s.flush();
    s.put(windowStoreKey('j', 1000), 1, 1005);
    s.flush();
    s.put(windowStoreKey('k', 0), 2, 1006);
    s.flush();
    expect(old).toEqual([null, null, null]);
  });
});

describe('a join store logs every put through its change-logging layer', () => {
  const k = (ts: number, seq: number) => `k@${String(ts).padStart(16, '0')}@${String(seq).padStart(16, '0')}`;
  function joinStore() {
    const logged: Logged[] = [];
    const s = new StateStore('join', 'window', (store, key, value) => logged.push({ store, key, value }), false, undefined, false, true);
    return { s, logged, js: new JoinWindowStore(s, 100) };
  }
  const v = (n: number) => ({ value: n, ids: [n] });

  it('logs an expired put with the next sequence number, and keeps it out of the store', () => {
    const { logged, js } = joinStore();
    expect(js.put('k', v(1), 1000)).toBe(true);
    expect(js.put('k', v(2), 10)).toBe(false);
    expect(js.put('k', v(3), 1001)).toBe(true);
    // Kafka's counters start at 0 and are raised before each use: the first number is 1.
    expect(logged.map((l) => l.key)).toEqual([k(1000, 1), k(10, 2), k(1001, 3)]);
    expect(js.fetch('k', 0, 2000).records.map((r) => r.record.value)).toEqual([1, 3]);
    // The state directory keeps it as the changelog does, as it keeps what retention forgot.
    expect(js.store.persistedSnapshot().map(([key]) => key)).toContain(k(10, 2));
  });

  it('logs a null value as a tombstone; it joins nothing but moves the stream time', () => {
    const { logged, js } = joinStore();
    js.put('k', v(1), 1000);
    expect(js.put('k', null, 1200)).toBe(true);
    expect(logged.at(-1)).toEqual({ store: 'join', key: k(1200, 2), value: null });
    expect(js.observedStreamTime).toBe(1200);
    // 1000 is now below 1200 - 100 + 1: gone.
    expect(js.fetch('k', 0, 2000).records).toEqual([]);
  });

  it('a restored tombstone moves the restored store\'s stream time too', () => {
    const s = new StateStore('join', 'window', () => {}, false, undefined, false, true);
    s.restore(k(1000, 1), v(1), 1000, 0);
    s.restore(k(1200, 2), null, 1200, 1);
    const js = new JoinWindowStore(s, 100);
    expect(js.observedStreamTime).toBe(1200);
    expect(js.fetch('k', 0, 2000).records).toEqual([]);
  });
});

describe('a join store numbers its keys as Kafka\'s in-memory store does', () => {
  const k = (ts: number, seq: number) => `k@${String(ts).padStart(16, '0')}@${String(seq).padStart(16, '0')}`;
  const v = (n: number) => ({ value: n, ids: [n] });
  function store(logged: Logged[] = []) {
    return new StateStore('join', 'window', (st, key, value) => logged.push({ store: st, key, value }), false, undefined, false, true);
  }

  it('a new store object logs from 1 again, so a record with the key and timestamp of a restored one repeats its changelog key; the store keeps both, in changelog order', () => {
    const logged: Logged[] = [];
    const s = store(logged);
    // What an earlier incarnation logged: two records of k at 1000.
    s.restore(k(1000, 1), v(1), 1000, 0);
    s.restore(k(1000, 2), v(2), 1000, 1);
    const js = new JoinWindowStore(s, 5_000);
    js.put('k', v(3), 1000);
    expect(logged.map((l) => l.key)).toEqual([k(1000, 1)]);
    expect(js.fetch('k', 0, 2000).records.map((r) => r.record.value)).toEqual([1, 2, 3]);
  });

  it('a restore gives each record a key of its own: two records under one changelog key are both held', () => {
    const s = store();
    s.restore(k(1000, 1), v(1), 1000, 0);
    s.restore(k(1000, 1), v(2), 1000, 5);
    const js = new JoinWindowStore(s, 5_000);
    expect(js.fetch('k', 0, 2000).records.map((r) => r.record.value)).toEqual([1, 2]);
    expect(s.restoredEntries().map(([key, offset]) => [key, offset])).toEqual([[k(1000, 1), 0], [k(1000, 2), 5]]);
  });

  it('a record the state directory already gave the store is not put in again by a restore from an older checkpoint', () => {
    const s = store();
    s.load([[k(1000, 1), v(1), 1000, 0], [k(1000, 2), v(2), 1000, 1]]);
    // The checkpoint said offset 0: the restore reads offset 1 again, then a record the file lacked.
    s.restore(k(1000, 2), v(2), 1000, 1);
    s.restore(k(1000, 1), v(3), 1000, 2);
    const js = new JoinWindowStore(s, 5_000);
    expect(js.fetch('k', 0, 2000).records.map((r) => r.record.value)).toEqual([1, 2, 3]);
    expect(s.restoredEntries().map(([key, offset]) => [key, offset])).toEqual([[k(1000, 1), 0], [k(1000, 2), 1], [k(1000, 3), 2]]);
  });
});
