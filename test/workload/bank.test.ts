/**
 * The transfer workload follows its documented encoding: one deposit per
 * account first (stream 'deposit', no key2, value = initial balance), then
 * transfers between two different accounts with amounts >= 1; deterministic
 * per seed; every record scheduled once; nothing can be late.
 */
import { describe, expect, it } from 'vitest';
import { rootRng } from '../../src/sim/rng.ts';
import { accountName, generateTransfers } from '../../src/workload/index.ts';

describe('generateTransfers', () => {
  const opts = { events: 500, accounts: 6, partitions: 3, initialBalance: 200 };
  const w = generateTransfers(rootRng(9), opts);

  it('deposits first, then transfers between distinct accounts', () => {
    expect(w.records).toHaveLength(506);
    expect(w.records.slice(0, 6)).toEqual([...Array(6).keys()].map((i) => ({
      id: i, ts: w.records[i]!.ts, key: accountName(i), value: 200, stream: 'deposit',
    })));
    for (const r of w.records.slice(6)) {
      expect(r.stream).toBe('transfer');
      expect(r.key2).toBeDefined();
      expect(r.key2).not.toBe(r.key);
      expect(r.value).toBeGreaterThanOrEqual(1);
      expect(r.value).toBeLessThanOrEqual(20);
    }
    expect(new Set(w.records.slice(6).map((r) => r.key)).size).toBe(6);
  });

  it('is deterministic, schedules every record once and never late', () => {
    expect(generateTransfers(rootRng(9), opts)).toEqual(w);
    expect(w.canBeLate).toBe(false);
    const ids = w.arrivals.flatMap((a) => a.records.map((r) => r.id)).sort((a, b) => a - b);
    expect(ids).toEqual([...Array(506).keys()]);
    const max = new Map<number, number>();
    for (const a of w.arrivals) for (const r of a.records) {
      expect(r.ts).toBeGreaterThanOrEqual(max.get(a.partition) ?? 0);
      max.set(a.partition, r.ts);
    }
  });

  it('rejects a bank with fewer than two accounts', () => {
    expect(() => generateTransfers(rootRng(1), { ...opts, accounts: 1 })).toThrow(/at least 2 accounts/);
  });
});
