/**
 * `watermark.source-bound`. On hand-made traces: a source watermark of
 * maxTs - bound - 1 over the largest timestamp read passes, one millisecond
 * more fails naming the task and what it had read; the largest over the
 * partitions counts (the source takes the minimum over the active ones, so
 * idleness never makes a right watermark fail); an ended partition no longer
 * allows anything; a restore brings back the checkpointed maximum; restored
 * and end-of-input watermarks and sources without fetch events are not
 * judged. End to end, wordcount's source watermarks pass it on a real run,
 * and the same trace with every source watermark one millisecond ahead (the
 * strategy's `- 1` forgotten) fails it.
 */
import { describe, expect, it } from 'vitest';
import { SourceBoundTrace } from '../../src/check/source-bound.ts';
import { runScenario } from '../../src/explore/run.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { MAX_WATERMARK } from '../../src/stream/watermark.ts';

let seq = 0;
const ev = (kind: string, fields: Record<string, unknown>, t = 100): TraceEvent => ({ seq: seq++, t, p: 'tm-0', kind, ...fields });
const fetch = (partition: number, maxTs: number | undefined, extra: Record<string, unknown> = {}) =>
  ev('source.fetch', { task: 'source[0]', attempt: 0, partition, bound: 100, maxTs, ...extra });
const wm = (w: number, extra: Record<string, unknown> = {}) => ev('watermark', { task: 'source[0]', attempt: 0, ch: -1, wm: w, ...extra });

function judge(events: TraceEvent[]) {
  const t = new SourceBoundTrace();
  for (const e of events) t.onEvent(e);
  return t.verdict();
}

describe('SourceBoundTrace', () => {
  it('allows maxTs - bound - 1 and fails one millisecond more', () => {
    expect(judge([fetch(0, 1_000), wm(899)]).ok).toBe(true);
    const bad = judge([fetch(0, 1_000), wm(900)]);
    expect(bad.ok).toBe(false);
    expect(bad.detail).toContain('source task source[0] (attempt 0) emitted watermark 900');
    expect(bad.detail).toContain('partition 0: 1000');
    expect(bad.detail).toContain('allow at most 899 with bound 100 ms');
  });

  it('takes the largest over the partitions, and a partition read later raises it', () => {
    expect(judge([fetch(0, 1_000), fetch(1, 500), wm(899)]).ok).toBe(true);
    expect(judge([fetch(0, 1_000), fetch(0, 700), wm(899)]).ok).toBe(true);
    expect(judge([fetch(1, 500), wm(450)]).ok).toBe(false);
  });

  it('leaves out a partition that ended', () => {
    expect(judge([fetch(0, 1_000, { finished: true }), fetch(1, 500), wm(899)]).ok).toBe(false);
    expect(judge([fetch(0, 1_000, { finished: true }), fetch(1, 500), wm(399)]).ok).toBe(true);
  });

  it('a restore brings back the checkpointed maximum, per attempt', () => {
    const restore = ev('source.restore', { task: 'source[0]', attempt: 1, partition: 0, bound: 100, maxTs: 2_000 });
    expect(judge([restore, ev('watermark', { task: 'source[0]', attempt: 1, ch: -1, wm: 1_899 })]).ok).toBe(true);
    expect(judge([fetch(0, 5_000), ev('watermark', { task: 'source[0]', attempt: 1, ch: -1, wm: 1_899 })]).ok).toBe(true);
    expect(judge([fetch(0, 5_000), restore, ev('watermark', { task: 'source[0]', attempt: 1, ch: -1, wm: 1_900 })]).ok).toBe(false);
  });

  it('does not judge restored or end-of-input watermarks, input channels, or tasks with no fetch', () => {
    const r = judge([fetch(0, 1_000), wm(5_000, { restored: true }), wm(MAX_WATERMARK), ev('watermark', { task: 'source[0]', attempt: 0, ch: 0, wm: 5_000 }), ev('watermark', { task: 'window[0]', attempt: 0, ch: -1, wm: 5_000 })]);
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/^0 source watermarks/);
  });

  it("passes wordcount's real sources, and fails the same trace with each source watermark 1 ms ahead", () => {
    const events: TraceEvent[] = [];
    const report = runScenario({ scenario: 'wordcount', seed: 3, engine: 'flink', guarantee: 'exactly-once', faults: 'swarm', bugs: [] }, { subscribers: [(e) => events.push(e)] });
    const shipped = report.checks.find((c) => c.name === 'watermark.source-bound')!;
    expect(shipped.ok).toBe(true);
    const sources = new Set(events.filter((e) => e.kind === 'source.fetch').map((e) => String(e.task)));
    expect(sources.size).toBeGreaterThan(0);
    expect(judge(events).ok).toBe(true);
    const ahead = events.map((e) =>
      e.kind === 'watermark' && e.ch === -1 && sources.has(String(e.task)) && typeof e.wm === 'number' && e.wm < MAX_WATERMARK && e.wm > Number.MIN_SAFE_INTEGER ? { ...e, wm: e.wm + 1 } : e,
    );
    const bad = judge(ahead);
    expect(bad.ok).toBe(false);
    expect(bad.detail).toMatch(/emitted watermark \d+ at .* allow at most \d+ with bound 100 ms/);
  });
});
