/**
 * The TTL oracle (`ttl.expiry`) on hand-built reads. Proves: a value read
 * one millisecond before `written + ttl` is expected, at exactly that time
 * it is expected gone (and a write then starts from nothing); under
 * OnReadAndWrite a read moves the expiry on, under OnCreateAndWrite it does
 * not, and a read of an expired value does not; read-only records write
 * nothing. It fails on an expired value handed out, on a refresh by a read
 * where only writes refresh, on a record read twice or never, on a key whose
 * processing order has a gap, and on a record that wrote against its input.
 */
import { describe, expect, it } from 'vitest';
import { checkTtl, type TtlSpec } from '../../src/check/ttl.ts';
import type { InputRecord, StateRead } from '../../src/stream/records.ts';

/** One state `s`, ttl 100; a record writes unless its value is 0. */
const spec = (updateType: 'OnCreateAndWrite' | 'OnReadAndWrite'): TtlSpec => ({
  states: [{ name: 's', ttlMs: 100, updateType }],
  isWrite: (r) => r.value !== 0,
});

/** Records of key k: [atMs, write, what the read returned]. */
function reads(steps: [number, boolean, number | null][]): { input: InputRecord[]; out: StateRead[] } {
  const input = steps.map(([, write], i): InputRecord => ({ id: i, ts: i, key: 'k', value: write ? 1 : 0 }));
  const out = steps.map(([atMs, write, got], i): StateRead => ({ type: 'state', key: 'k', id: i, seq: i + 1, atMs, write, read: { s: got }, ts: i }));
  return { input, out };
}

const verdict = (steps: [number, boolean, number | null][], updateType: 'OnCreateAndWrite' | 'OnReadAndWrite' = 'OnCreateAndWrite') => {
  const { input, out } = reads(steps);
  return checkTtl(input, out, spec(updateType));
};

describe('ttl.expiry', () => {
  it('passes reads that follow the expiry rule exactly, both sides of the boundary', () => {
    const v = verdict([[0, true, null], [99, true, 1], [198, true, 2], [298, true, null], [300, false, 1], [397, false, 1], [398, false, null]]);
    expect(v).toEqual({ name: 'ttl.expiry', ok: true, detail: '7 reads of 1 states with a TTL replayed, 2 of them after their value expired' });
  });

  it('OnReadAndWrite: a read moves the expiry on; OnCreateAndWrite: it does not', () => {
    const steps: [number, boolean, number | null][] = [[0, true, null], [90, false, 1], [150, false, 1]];
    expect(verdict(steps, 'OnReadAndWrite').ok).toBe(true);
    const v = verdict(steps, 'OnCreateAndWrite');
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('key k: record 2 (seq 3) read s = 1 at 150 ms, expected nothing: the value 1 written at 0 ms expired at 100 ms (ttl 100 ms, OnCreateAndWrite)');
  });

  it('fails an expired value handed out, and a value lost before it expired', () => {
    expect(verdict([[0, true, null], [100, true, 1]]).detail).toMatch(/read s = 1 at 100 ms, expected nothing: the value 1 written at 0 ms expired at 100 ms/);
    expect(verdict([[0, true, null], [99, true, null]]).detail).toBe('key k: record 1 (seq 2) read s = nothing at 99 ms, expected 1 (written at 0 ms, alive until 99 ms)');
  });

  it('reports one wrong read per key: the replay goes on with its own values', () => {
    const v = verdict([[0, true, null], [100, true, 1], [150, true, 2], [200, true, 3]]);
    expect(v.ok).toBe(false);
    expect(v.detail).not.toMatch(/more problem/);
  });

  it('fails a record read twice or never, a gap in a key\'s order, reads going back in time, and a write against the input', () => {
    const { input, out } = reads([[0, true, null], [10, true, 1], [20, true, 2]]);
    expect(checkTtl(input, [out[0]!, out[1]!, { ...out[1]!, seq: 3 }], spec('OnCreateAndWrite')).detail).toMatch(/^record 1 \(key k\) was read twice: at seq 2 and at seq 3/);
    expect(checkTtl(input, [out[0]!, out[2]!], spec('OnCreateAndWrite')).detail).toMatch(/^record 1 \(key k\) was never read/);
    expect(checkTtl([input[0]!, input[2]!], [out[0]!, out[2]!], spec('OnCreateAndWrite')).detail).toMatch(/^key k: its reads are not numbered 1\.\.2/);
    expect(checkTtl(input, [out[0]!, out[1]!, { ...out[2]!, atMs: 5 }], spec('OnCreateAndWrite')).detail).toBe('key k: seq 3 was read at 5 ms, before seq 2 at 10 ms');
    expect(checkTtl(input, [out[0]!, { ...out[1]!, write: false }, out[2]!], spec('OnCreateAndWrite')).detail).toMatch(/^record 1 \(key k, seq 2\) only read but its input makes it a write/);
  });
});
