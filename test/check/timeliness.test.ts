/**
 * The timeliness judge. Proves, on hand-made inputs: a window is ready once
 * every partition's watermark passed its end - 1 (maxTs - bound - 1), or the
 * partition went idle (silent for the idle timeout), or its input ended; a
 * firing within the slack of that passes, a later one fails naming the
 * window and how long it was held back; windows ready only after the first
 * fault are not judged. End to end, sessions passes it, and the planted bug
 * `idle-not-chained` (idleness stopping at an operator chained to an idle
 * source) fails it.
 */
import { describe, expect, it } from 'vitest';
import { checkTimeliness, type TimelinessInput } from '../../src/check/timeliness.ts';
import { runScenario } from '../../src/explore/run.ts';

const spec = { boundMs: 100, idleTimeoutMs: 1_000, slackMs: 200 };
// Partition 0 reaches ts 2,100 at 500 ms; partition 1 has one record at 10 ms and then nothing.
const base: Omit<TimelinessInput, 'fires'> = {
  partitions: [[{ atMs: 100, maxTs: 500 }, { atMs: 500, maxTs: 2_100 }], [{ atMs: 10, maxTs: 50 }]],
  startMs: 0,
  endOfInputMs: 10_000,
  firstFaultMs: Number.POSITIVE_INFINITY,
};
const fire = (t: number) => ({ t, key: 'k', start: 1_000, end: 2_000 });

describe('checkTimeliness', () => {
  it('a window is ready when the last holding partition goes idle: 1,010 ms here', () => {
    expect(checkTimeliness(spec, { ...base, fires: [fire(1_200)] }).ok).toBe(true);
    const late = checkTimeliness(spec, { ...base, fires: [fire(1_300)] });
    expect(late.ok).toBe(false);
    expect(late.detail).toContain('key k window [1000,2000) fired on time at 1,300 ms, but the input let every partition\'s watermark pass 1999 by 1,010 ms');
  });

  it('without idleness the silent partition holds it until the input ends', () => {
    const noIdle = { ...spec, idleTimeoutMs: 0 };
    expect(checkTimeliness(noIdle, { ...base, fires: [fire(9_000)] }).ok).toBe(true);
    expect(checkTimeliness(noIdle, { ...base, endOfInputMs: 5_000, fires: [fire(9_000)] }).ok).toBe(false);
  });

  it('a record that passes the bound makes a partition ready at once', () => {
    const busy = { ...base, partitions: [base.partitions[0]!, [{ atMs: 10, maxTs: 50 }, { atMs: 300, maxTs: 2_100 }]] };
    expect(checkTimeliness(spec, { ...busy, fires: [fire(650)] }).ok).toBe(true);
    expect(checkTimeliness(spec, { ...busy, fires: [fire(800)] }).ok).toBe(false);
  });

  it('does not judge windows ready only after the first fault', () => {
    const r = checkTimeliness(spec, { ...base, firstFaultMs: 1_100, fires: [fire(5_000)] });
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/^0 on-time firings judged/);
  });

  it('end to end: sessions passes; with idle-not-chained the idle source holds the sessions back', () => {
    const settings = { scenario: 'sessions', seed: 1, events: 400, guarantee: 'exactly-once' as const, faults: 'none' as const };
    const good = runScenario({ ...settings, bugs: [] }).checks.find((c) => c.name === 'watermark.timeliness')!;
    expect(good.ok).toBe(true);
    expect(good.detail).toMatch(/^[1-9][\d,]* on-time firings judged/);
    const bad = runScenario({ ...settings, bugs: ['idle-not-chained'] }).checks.find((c) => c.name === 'watermark.timeliness')!;
    expect(bad.ok).toBe(false);
    expect(bad.detail).toMatch(/held back [\d,]+ ms/);
  });
});
