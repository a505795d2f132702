/**
 * State TTL (Flink's StateTtlConfig semantics) on a virtual clock. For every
 * state kind: a value written at t=0 with ttl=100 is visible at 99 and
 * expired at 100 (`lastAccess + ttl <= now`); `ReturnExpiredIfNotCleanedUp`
 * returns the expired value once (the read cleans it up) while
 * `NeverReturnExpired` never does; `OnReadAndWrite` moves the expiry on each
 * read and `OnCreateAndWrite` only on writes; lists and maps expire per
 * element / per user key; snapshots keep absolute timestamps. A property
 * checks the expiry boundary for random write times and TTLs.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { KeyedStateBackend } from '../../../../src/engines/flink/state/backend.ts';
import { isExpired, ttlConfig, type TtlUpdateType, type TtlVisibility } from '../../../../src/engines/flink/state/ttl.ts';

function setup(updateType: TtlUpdateType = 'OnCreateAndWrite', visibility: TtlVisibility = 'NeverReturnExpired') {
  const clock = { t: 0 };
  const b = new KeyedStateBackend(() => clock.t);
  b.setCurrentKey('k');
  const ttl = ttlConfig(100, { updateType, visibility, cleanupInBackground: false });
  return { clock, b, ttl };
}

describe('isExpired', () => {
  test('boundary and overflow', () => {
    expect(isExpired(0, 100, 99)).toBe(false);
    expect(isExpired(0, 100, 100)).toBe(true);
    expect(isExpired(Number.MAX_SAFE_INTEGER - 5, 10, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
  test.prop([fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 1, max: 1e9 })])('expired exactly from lastAccess + ttl on', (at, ttl) => {
    expect(isExpired(at, ttl, at + ttl - 1)).toBe(false);
    expect(isExpired(at, ttl, at + ttl)).toBe(true);
  });
  test('defaults are Flink\'s', () => {
    expect(ttlConfig(5)).toEqual({
      ttlMs: 5, updateType: 'OnCreateAndWrite', visibility: 'NeverReturnExpired',
      cleanup: { fullSnapshot: false, incremental: { size: 5, everyRecord: false } },
    });
    expect(ttlConfig(5, { cleanupInBackground: false }).cleanup).toEqual({ fullSnapshot: false, incremental: null });
    expect(ttlConfig(5, { cleanupInBackground: false, cleanupIncrementally: { size: 2, everyRecord: true }, cleanupFullSnapshot: true }).cleanup)
      .toEqual({ fullSnapshot: true, incremental: { size: 2, everyRecord: true } });
    expect(() => ttlConfig(0)).toThrow();
    expect(() => ttlConfig(5, { cleanupIncrementally: { size: -1, everyRecord: false } })).toThrow();
  });
});

describe('value state TTL', () => {
  test('visible one ms before expiry, gone at it (NeverReturnExpired)', () => {
    const { clock, b, ttl } = setup();
    const v = b.valueState<number>('v', ttl);
    v.update(1);
    clock.t = 99;
    expect(v.value()).toBe(1);
    clock.t = 100;
    expect(v.value()).toBeUndefined();
    expect(b.sizeEntries()).toBe(0); // cleaned up lazily on that read
  });

  test('ReturnExpiredIfNotCleanedUp returns the expired value once', () => {
    const { clock, b, ttl } = setup('OnCreateAndWrite', 'ReturnExpiredIfNotCleanedUp');
    const v = b.valueState<number>('v', ttl);
    v.update(1);
    clock.t = 100;
    expect(b.sizeEntries()).toBe(1);
    expect(v.value()).toBe(1);
    expect(b.sizeEntries()).toBe(0);
    expect(v.value()).toBeUndefined();
  });

  test('OnReadAndWrite refreshes on read; OnCreateAndWrite does not', () => {
    for (const [updateType, aliveAt149] of [['OnReadAndWrite', true], ['OnCreateAndWrite', false]] as const) {
      const { clock, b, ttl } = setup(updateType);
      const v = b.valueState<number>('v', ttl);
      v.update(1);
      clock.t = 50;
      expect(v.value()).toBe(1);
      clock.t = 149;
      expect(v.value() !== undefined).toBe(aliveAt149);
      if (aliveAt149) {
        clock.t = 248;
        expect(v.value()).toBe(1); // the read at 149 refreshed again
        clock.t = 349;
        expect(v.value()).toBeUndefined();
      }
    }
  });

  test('writes refresh under both update types', () => {
    const { clock, b, ttl } = setup();
    const v = b.valueState<number>('v', ttl);
    v.update(1);
    clock.t = 90;
    v.update(2);
    clock.t = 189;
    expect(v.value()).toBe(2);
    clock.t = 190;
    expect(v.value()).toBeUndefined();
  });

  test.prop([fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), fc.constantFrom<TtlVisibility>('NeverReturnExpired', 'ReturnExpiredIfNotCleanedUp')])(
    'boundary for random write times and TTLs',
    (writeAt, ttlMs, visibility) => {
      const clock = { t: writeAt };
      const b = new KeyedStateBackend(() => clock.t);
      const v = b.valueState<string>('v', ttlConfig(ttlMs, { visibility, cleanupInBackground: false }));
      v.update('x');
      clock.t = writeAt + ttlMs - 1;
      expect(v.value()).toBe('x');
      clock.t = writeAt + ttlMs;
      expect(v.value()).toBe(visibility === 'NeverReturnExpired' ? undefined : 'x');
      expect(v.value()).toBeUndefined();
    },
  );
});

describe('list, map and reducing TTL', () => {
  test('list elements expire one by one', () => {
    const { clock, b, ttl } = setup();
    const l = b.listState<string>('l', ttl);
    l.add('a');
    clock.t = 60;
    l.add('b');
    clock.t = 99;
    expect(l.get()).toEqual(['a', 'b']);
    clock.t = 100;
    expect(l.get()).toEqual(['b']);
    clock.t = 160;
    expect(l.get()).toEqual([]);
    expect(b.sizeEntries()).toBe(0);
  });

  test('list: expired elements returned once under ReturnExpiredIfNotCleanedUp; refreshed on read', () => {
    const a = setup('OnCreateAndWrite', 'ReturnExpiredIfNotCleanedUp');
    const l = a.b.listState<string>('l', a.ttl);
    l.addAll(['a', 'b']);
    a.clock.t = 100;
    expect(l.get()).toEqual(['a', 'b']);
    expect(l.get()).toEqual([]);

    const r = setup('OnReadAndWrite');
    const l2 = r.b.listState<string>('l', r.ttl);
    l2.add('a');
    r.clock.t = 99;
    expect(l2.get()).toEqual(['a']);
    r.clock.t = 198;
    expect(l2.get()).toEqual(['a']);
  });

  test('list: a read prunes expired elements only when it rewrites the timestamps (TtlListState)', () => {
    // One of two elements expired. OnCreateAndWrite: returned again on every read under
    // ReturnExpiredIfNotCleanedUp. OnReadAndWrite: the read keeps the unexpired one, refreshed, and drops the other.
    const secondRead = { OnCreateAndWrite: ['a', 'b'], OnReadAndWrite: ['b'] } as const;
    for (const updateType of ['OnCreateAndWrite', 'OnReadAndWrite'] as const) {
      const c = setup(updateType, 'ReturnExpiredIfNotCleanedUp');
      const l = c.b.listState<string>('l', c.ttl);
      l.add('a');
      c.clock.t = 50;
      l.add('b');
      c.clock.t = 120;
      expect(l.get(), updateType).toEqual(['a', 'b']);
      expect(l.get(), updateType).toEqual(secondRead[updateType]);
    }
  });

  test('map entries expire per user key; contains and entries honour TTL', () => {
    const { clock, b, ttl } = setup();
    const m = b.mapState<number>('m', ttl);
    m.put('x', 1);
    clock.t = 50;
    m.put('y', 2);
    clock.t = 100;
    expect(m.contains('x')).toBe(false);
    expect(m.get('y')).toBe(2);
    expect(m.entries()).toEqual([['y', 2]]);
    clock.t = 150;
    expect(m.isEmpty()).toBe(true);
    expect(b.sizeEntries()).toBe(0);
  });

  test('map: ReturnExpiredIfNotCleanedUp and OnReadAndWrite per user key', () => {
    const a = setup('OnReadAndWrite', 'ReturnExpiredIfNotCleanedUp');
    const m = a.b.mapState<number>('m', a.ttl);
    m.put('x', 1);
    m.put('y', 2);
    a.clock.t = 99;
    expect(m.get('x')).toBe(1); // refreshes x only
    a.clock.t = 100;
    expect(m.entries()).toEqual([['x', 1], ['y', 2]]); // y expired: returned this once
    expect(m.entries()).toEqual([['x', 1]]);
  });

  test('reducing: adding to an expired value starts over', () => {
    const { clock, b, ttl } = setup('OnCreateAndWrite', 'ReturnExpiredIfNotCleanedUp');
    const r = b.reducingState<number>('r', (x, y) => x + y, ttl);
    r.add(5);
    clock.t = 100;
    r.add(1);
    expect(r.get()).toBe(1);
  });

  test('snapshots keep absolute timestamps', () => {
    const { clock, b, ttl } = setup();
    b.valueState<number>('v', ttl).update(7);
    clock.t = 50;
    const snap = JSON.parse(JSON.stringify(b.snapshot()));
    const later = { t: 99 };
    const r = new KeyedStateBackend(() => later.t);
    r.restore(snap);
    r.setCurrentKey('k');
    const v = r.valueState<number>('v', ttl);
    expect(v.value()).toBe(7);
    later.t = 100;
    expect(v.value()).toBeUndefined();
  });

  test('hash ignores access timestamps', () => {
    const one = setup('OnReadAndWrite');
    const two = setup('OnReadAndWrite');
    one.b.valueState<number>('v', one.ttl).update(1);
    two.clock.t = 42;
    two.b.valueState<number>('v', two.ttl).update(1);
    expect(one.b.stateHash()).toBe(two.b.stateHash());
  });
});

describe('TTL cleanup strategies', () => {
  /** Keys k0..k{n-1}, each written at time 0 into value state 'v'. */
  function filled(n: number, ttl: ReturnType<typeof ttlConfig>) {
    const clock = { t: 0 };
    const b = new KeyedStateBackend(() => clock.t);
    const v = b.valueState<number>('v', ttl);
    for (let i = 0; i < n; i++) {
      b.setCurrentKey(`k${i}`);
      v.update(i);
    }
    return { clock, b, v };
  }

  test('incremental (the default): each access checks the next 5 entries and drops the expired ones', () => {
    const { clock, b, v } = filled(12, ttlConfig(100));
    clock.t = 100;
    expect(b.sizeEntries()).toBe(12);
    b.setCurrentKey('k0');
    v.value(); // the access checks k0..k4 first
    expect(b.sizeEntries()).toBe(7);
    v.value(); // k5..k9
    expect(b.sizeEntries()).toBe(2);
    v.value(); // k10, k11, then a new pass finds nothing
    expect(b.sizeEntries()).toBe(0);
  });

  test('incremental: a step goes on where the last one stopped, keeps what is alive, and ends with its pass', () => {
    const { clock, b } = filled(5, ttlConfig(100, { cleanupInBackground: false }));
    b.setCurrentKey('k1');
    clock.t = 50;
    b.valueState<number>('v', ttlConfig(100, { cleanupInBackground: false })).update(11);
    clock.t = 100;
    // The same state registered again with incremental cleanup, 2 entries per access.
    const v = b.valueState<number>('v', ttlConfig(100, { cleanupIncrementally: { size: 2, everyRecord: false } }));
    b.setCurrentKey('x');
    v.value(); // k0 (expired), k1 (written at 50: alive)
    expect(b.keys('v')).toEqual(['k1', 'k2', 'k3', 'k4']);
    v.value(); // k2, k3
    expect(b.keys('v')).toEqual(['k1', 'k4']);
    v.value(); // k4, and the pass ends
    expect(b.keys('v')).toEqual(['k1']);
    clock.t = 150;
    v.value(); // a new pass: k1
    expect(b.keys('v')).toEqual([]);
  });

  test('incremental: NeverReturnExpired reads never see it; ReturnExpiredIfNotCleanedUp may find its value cleaned up', () => {
    const never = filled(1, ttlConfig(100));
    never.clock.t = 100;
    never.b.setCurrentKey('k0');
    expect(never.v.value()).toBeUndefined();
    const returning = filled(1, ttlConfig(100, { visibility: 'ReturnExpiredIfNotCleanedUp' }));
    returning.clock.t = 100;
    returning.b.setCurrentKey('k0');
    expect(returning.v.value()).toBeUndefined(); // the access's cleanup step came first
  });

  test('incremental on every record: selecting a key runs a step, with no access to the state', () => {
    const { clock, b } = filled(6, ttlConfig(100, { cleanupInBackground: false, cleanupIncrementally: { size: 2, everyRecord: true } }));
    clock.t = 100;
    b.setCurrentKey('x');
    expect(b.sizeEntries()).toBe(4);
    b.setCurrentKey('y');
    b.setCurrentKey('z');
    expect(b.sizeEntries()).toBe(0);
  });

  test('incremental on lists and maps drops expired elements and user keys, and the entry once empty', () => {
    const clock = { t: 0 };
    const b = new KeyedStateBackend(() => clock.t);
    const ttl = ttlConfig(100, { cleanupIncrementally: { size: 10, everyRecord: false } });
    const l = b.listState<string>('l', ttl);
    const m = b.mapState<number>('m', ttl);
    b.setCurrentKey('a');
    l.add('old');
    m.put('old', 1);
    clock.t = 50;
    l.add('new');
    m.put('new', 2);
    clock.t = 100;
    b.setCurrentKey('b');
    l.get(); // cleans list state 'l'
    m.get('x'); // cleans map state 'm'
    expect(b.contents().map((e) => [e.name, e.key, e.value])).toEqual([['l', 'a', ['new']], ['m', 'a', [['new', 2]]]]);
    clock.t = 150;
    l.get();
    m.get('x');
    expect(b.sizeEntries()).toBe(0);
  });

  test('full snapshot: a snapshot leaves out what expired, the live state keeps it', () => {
    const ttl = ttlConfig(100, { cleanupInBackground: false, cleanupFullSnapshot: true });
    const { clock, b, v } = filled(3, ttl);
    b.setCurrentKey('k1');
    const l = b.listState<string>('l', ttl);
    clock.t = 20;
    l.add('early');
    clock.t = 30;
    v.update(11);
    l.add('late');
    clock.t = 125;
    const snap = b.snapshot();
    expect(b.sizeEntries()).toBe(4);
    const r = new KeyedStateBackend(() => clock.t);
    r.restore(snap);
    expect(r.contents().map((e) => [e.name, e.key, e.value])).toEqual([['l', 'k1', ['late']], ['v', 'k1', 11]]);
    // Without the strategy every entry goes into the snapshot.
    const plain = filled(3, ttlConfig(100, { cleanupInBackground: false }));
    plain.clock.t = 125;
    expect(plain.b.snapshot().tables[0]!.entries).toHaveLength(3);
  });

  test('planted bug ttl-returns-expired: an expired value not cleaned up yet is handed out once under NeverReturnExpired', () => {
    const clock = { t: 0 };
    const b = new KeyedStateBackend(() => clock.t, { ttlReturnsExpired: true });
    b.setCurrentKey('k');
    const v = b.valueState<number>('v', ttlConfig(100, { cleanupInBackground: false }));
    v.update(1);
    clock.t = 100;
    expect(v.value()).toBe(1);
    expect(v.value()).toBeUndefined();
  });
});
