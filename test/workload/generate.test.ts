/**
 * Properties of the workload generator, over random seeds and knobs drawn by
 * fast-check:
 * - deterministic: the same seed and options give the same workload;
 * - records are in id order with ids 0..n-1, never a negative timestamp;
 * - arrivals are sorted by (atMs, partition), hold every record exactly
 *   once, and a batch's records share its partition;
 * - honesty of `canBeLate: false`: replaying the arrivals and tracking the
 *   max timestamp per partition, every record has
 *   `ts > maxBefore - bound - 1` (the generator promises one ms more:
 *   `ts >= maxBefore - bound + 1`);
 * - idle partitions get at most one record, early, the first none; active
 *   partitions are never silent longer than two deals of the deck;
 * - stragglers make `canBeLate` true and do produce records behind the
 *   partition watermark; key skew makes the first key the most common.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { rootRng } from '../../src/sim/rng.ts';
import { generateWorkload, type Workload, type WorkloadOptions } from '../../src/workload/index.ts';

const options = fc.record({
  events: fc.integer({ min: 0, max: 400 }),
  keys: fc.integer({ min: 1, max: 10 }),
  partitions: fc.integer({ min: 1, max: 5 }),
  eventRateMsPerRecord: fc.integer({ min: 0, max: 20 }),
  disorderBoundMs: fc.integer({ min: 0, max: 100 }),
  keySkew: fc.boolean(),
  bursts: fc.boolean(),
  idleShare: fc.integer({ min: 0, max: 4 }),
  streams: fc.option(fc.constant(['orders', 'payments']), { nil: undefined }),
}).map(({ idleShare, ...o }): WorkloadOptions => ({ ...o, idlePartitions: Math.min(idleShare, o.partitions - 1) }));

/** For each record, in arrival order: its ts and the max ts seen before on its partition. */
function replay(w: Workload): { id: number; ts: number; maxBefore: number | undefined }[] {
  const max = new Map<number, number>();
  const out: { id: number; ts: number; maxBefore: number | undefined }[] = [];
  for (const a of w.arrivals) {
    for (const r of a.records) {
      out.push({ id: r.id, ts: r.ts, maxBefore: max.get(a.partition) });
      max.set(a.partition, Math.max(max.get(a.partition) ?? r.ts, r.ts));
    }
  }
  return out;
}

describe('generateWorkload', () => {
  test.prop([fc.integer({ min: 0, max: 2 ** 31 }), options])('is deterministic and schedules every record once', (seed, o) => {
    const w = generateWorkload(rootRng(seed), o);
    expect(generateWorkload(rootRng(seed), o)).toEqual(w);
    expect(w.records.map((r) => r.id)).toEqual([...Array(o.events).keys()]);
    expect(w.records.every((r) => r.ts >= 0 && Number.isSafeInteger(r.ts) && r.value >= 1)).toBe(true);
    const seen = w.arrivals.flatMap((a) => a.records.map((r) => r.id)).sort((x, y) => x - y);
    expect(seen).toEqual(w.records.map((r) => r.id));
    for (let i = 1; i < w.arrivals.length; i++) {
      const [p, q] = [w.arrivals[i - 1]!, w.arrivals[i]!];
      expect(p.atMs < q.atMs || (p.atMs === q.atMs && p.partition < q.partition)).toBe(true);
    }
    for (const a of w.arrivals) expect(a.records.length).toBeGreaterThan(0);
    if (o.streams) expect(w.records.every((r) => r.stream === 'orders' || r.stream === 'payments')).toBe(true);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 31 }), options])('without stragglers, nothing arrives behind the watermark', (seed, o) => {
    const w = generateWorkload(rootRng(seed), o);
    expect(w.canBeLate).toBe(false);
    for (const { id, ts, maxBefore } of replay(w)) {
      if (maxBefore === undefined) continue;
      expect(ts, `record ${id}`).toBeGreaterThan(maxBefore - o.disorderBoundMs - 1);
      expect(ts, `record ${id}`).toBeGreaterThanOrEqual(maxBefore - o.disorderBoundMs + 1);
    }
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 31 }), options])('idle partitions go quiet; active ones keep receiving', (seed, o) => {
    const w = generateWorkload(rootRng(seed), o);
    const idle = o.idlePartitions ?? 0;
    const active = o.partitions - idle;
    expect(w.idlePartitions).toEqual([...Array(idle).keys()].map((i) => active + i));
    for (const p of w.idlePartitions) {
      const ids = w.arrivals.filter((a) => a.partition === p).flatMap((a) => a.records.map((r) => r.id));
      expect(ids.length).toBeLessThanOrEqual(p === active ? 0 : 1);
      for (const id of ids) expect(id).toBeLessThan(o.partitions);
    }
    // At most 2 * active records between two records of an active partition, each gap <= max(2 * rate, 1 in a burst).
    expect(w.activeArrivalGapMsMax).toBeLessThanOrEqual(2 * (active + idle) * Math.max(2 * (o.eventRateMsPerRecord ?? 10), 1));
  });

  it('makes stragglers late at the source and says so', () => {
    const w = generateWorkload(rootRng(1), { events: 3000, keys: 4, partitions: 3, disorderBoundMs: 50, stragglerRatio: [1, 20], stragglerExtraMs: 300 });
    expect(w.canBeLate).toBe(true);
    const behind = replay(w).filter((x) => x.maxBefore !== undefined && x.ts <= x.maxBefore - 50 - 1);
    expect(behind.length).toBeGreaterThan(3000 / 20 / 2);
    expect(behind.length).toBeLessThan(3000 / 20 * 2);
  });

  it('aims edge timestamps at window ends and the watermark', () => {
    const w = generateWorkload(rootRng(2), { events: 3000, keys: 4, partitions: 2, disorderBoundMs: 30, edgeTimestamps: { windowSizeMs: 100, allowedLatenessMs: 20 } });
    expect(w.canBeLate).toBe(true);
    const r = replay(w);
    expect(w.records.filter((x) => x.ts % 100 === 99).length).toBeGreaterThan(3000 / 100 * 2);
    expect(r.filter((x) => x.maxBefore !== undefined && x.ts === x.maxBefore - 30 - 1).length).toBeGreaterThan(10);
    expect(r.filter((x) => x.maxBefore !== undefined && x.ts === x.maxBefore - 30).length).toBeGreaterThan(10);
  });

  it('skews keys towards a few hot ones', () => {
    const w = generateWorkload(rootRng(4), { events: 5000, keys: 20, partitions: 2, disorderBoundMs: 10, keySkew: true });
    const count = (k: string): number => w.records.filter((r) => r.key === k).length;
    expect(count('k0')).toBeGreaterThan(3 * count('k9'));
    expect(count('k0')).toBeGreaterThan(5000 / 20 * 3);
  });

  it('rejects options it cannot honour', () => {
    expect(() => generateWorkload(rootRng(1), { events: 10, keys: 1, partitions: 2, idlePartitions: 2, disorderBoundMs: 0 })).toThrow(/idlePartitions/);
    expect(() => generateWorkload(rootRng(1), { events: 10, keys: 0, partitions: 1, disorderBoundMs: 0 })).toThrow(/keys/);
  });
});
