/**
 * The read-committed judge. Proves: it passes what a correct reader sees
 * (every committed record once, in order, with markers and aborted records
 * skipped), and fails — naming the offset — a reader shown a record that
 * never committed, a reader that moved past a record that committed later,
 * values that differ from the committed ones, and a reader that fetched from
 * somewhere else than where its last answer ended. End to end, the `chained`
 * scenario passes it, and the planted bug `lso-ignores-open-transactions`
 * (read_committed served up to the high watermark) fails it.
 */
import { describe, expect, it } from 'vitest';
import { checkReadCommitted, type ReaderFetch } from '../../src/check/read-committed.ts';
import { valuesDigest } from '../../src/log/committed-reader.ts';
import { runScenario } from '../../src/explore/run.ts';

// Committed at the end: offsets 0, 1 (a marker at 2), 4 (3 was aborted), 5.
const final = [[{ offset: 0, value: 'a' }, { offset: 1, value: 'b' }, { offset: 4, value: 'e' }, { offset: 5, value: 'f' }]];
const fetch = (offset: number, next: number, offsets: number[], values: unknown[]): ReaderFetch => ({ partition: 0, incarnation: 0, offset, next, offsets, digest: valuesDigest(values) });
const judge = (fetches: ReaderFetch[]) => checkReadCommitted(fetches, final, valuesDigest);

describe('checkReadCommitted', () => {
  it('passes every committed record once, in order, past markers and aborted records', () => {
    const r = judge([fetch(0, 2, [0, 1], ['a', 'b']), fetch(2, 4, [], []), fetch(4, 6, [4, 5], ['e', 'f'])]);
    expect(r).toMatchObject({ ok: true });
    expect(r.detail).toContain('saw 4 of 4');
  });

  it('fails a record that never committed', () => {
    const r = judge([fetch(0, 4, [0, 1, 3], ['a', 'b', 'd'])]);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('offset 3, which never committed');
  });

  it('fails moving past a record that committed later', () => {
    const r = judge([fetch(0, 2, [0, 1], ['a', 'b']), fetch(2, 6, [5], ['f'])]);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('moved past offset 4');
  });

  it('fails values that differ from the committed ones', () => {
    const r = judge([fetch(0, 2, [0, 1], ['a', 'B'])]);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('differ from the committed ones');
  });

  it('fails a fetch that does not start where the last answer ended', () => {
    const r = judge([fetch(0, 2, [0, 1], ['a', 'b']), fetch(4, 6, [4, 5], ['e', 'f'])]);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('fetched from offset 4, but its last answer ended at 2');
  });

  it('end to end: chained passes; with lso-ignores-open-transactions the reader is caught skipping', () => {
    const settings = { scenario: 'chained', seed: 4, events: 300, guarantee: 'exactly-once' as const, faults: 'light' as const };
    const good = runScenario({ ...settings, bugs: [] });
    expect(good.checks.filter((c) => !c.ok)).toEqual([]);
    const rc = good.checks.find((c) => c.name === 'read-committed');
    expect(rc?.detail).toMatch(/saw [1-9][\d,]* of/);
    const bad = runScenario({ ...settings, bugs: ['lso-ignores-open-transactions'] });
    const failedRc = bad.checks.find((c) => c.name === 'read-committed');
    expect(failedRc?.ok).toBe(false);
    expect(failedRc?.detail).toContain('the last stable offset ran ahead of an open transaction');
  });
});
