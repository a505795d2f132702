/**
 * What this proves: a Spark driver restarted after a committed batch runs no
 * no-data batch until new data arrives (Spark asks for one only from the
 * previous batch of the same driver, `MicroBatchExecution.constructNextBatch`),
 * and the judges count what then waits for the watermark as pending, never
 * as lost or missing. Only that restart excuses it: a run that ends without
 * the batch its watermark asked for in any other way is judged as before
 * (lost records, missing rows with nulls).
 *
 * How: for append-mode windows (modes-append, sessions, file-sink) and the
 * full outer join (outer-join), a run without faults gives the time the last
 * data batch committed, just before the no-data batch its watermark asks
 * for; the same run with the driver crashed one millisecond after that
 * commit must run no batch after the restart, pass every check, and report
 * pending records (or a last watermark below the final one). The
 * `SparkBatchTrace` rule is then fed hand-made traces:
 * only a restart that found its batch committed, with no batch after it,
 * stops the results; `recordsAwaitingWatermark` gets small inputs whose
 * waiting records are known.
 */
import { describe, expect, it } from 'vitest';
import { SparkBatchTrace } from '../../src/check/spark-watermark.ts';
import { recordsAwaitingWatermark } from '../../src/check/reference.ts';
import type { WindowAssigner } from '../../src/stream/assigners.ts';
import { session, sliding, tumbling } from '../../src/stream/assigners.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { failed, run } from './helpers.ts';

/** The time the last data batch committed, when the no-data batch after it is the run's last batch. */
function lastDataCommit(scenario: string, seed: number): number {
  const events: TraceEvent[] = [];
  run({ scenario, engine: 'spark', seed }, { subscribers: [(e) => { if (e.kind === 'spark.offsets' || e.kind === 'spark.commit') events.push(e); }] });
  const last = events.at(-1)!;
  expect(last.kind).toBe('spark.commit');
  const noData = [...events].reverse().find((e) => e.kind === 'spark.offsets')!;
  expect(noData.noData, `${scenario}: the last batch is a no-data batch`).toBe(true);
  const commit = events.find((e) => e.kind === 'spark.commit' && e.batch === (noData.batch as number) - 1)!;
  return commit.t;
}

describe.each(['modes-append', 'sessions', 'file-sink', 'outer-join'])('Spark %s: the driver crashes between the last data batch\'s commit and its no-data batch', (scenario) => {
  const at = lastDataCommit(scenario, 1) + 1;
  const after: TraceEvent[] = [];
  let restarted = false;
  const r = run({ scenario, engine: 'spark', seed: 1, plan: { faults: [{ kind: 'crash', atMs: at, process: 'driver', restartAfterMs: 100 }] } }, {
    subscribers: [(e) => {
      if (e.kind === 'spark.restart' && e.latestOffsets !== -1) restarted = true;
      else if (restarted && e.kind === 'spark.batch') after.push(e);
    }],
  });

  it('the restarted driver runs no batch, and every check passes', () => {
    expect(restarted).toBe(true);
    expect(after).toEqual([]);
    expect(failed(r), r.token).toEqual([]);
  });

  it('what waited for the watermark is pending, not lost', () => {
    if (scenario === 'outer-join') {
      const outer = r.checks.find((c) => c.name === 'join.outer')!;
      const last = Number(/last watermark (\d+)/.exec(outer.detail)![1]);
      expect(last).toBeLessThan(20_000);
    } else {
      const once = r.checks.find((c) => c.name === 'exactly-once')!;
      expect(Number(/([\d,]+) pending/.exec(once.detail)![1]!.replace(/,/g, ''))).toBeGreaterThan(0);
    }
  });
});

let seq = 0;
const ev = (kind: string, fields: Record<string, unknown>): TraceEvent => ({ seq: seq++, t: seq, p: 'driver', kind, ...fields });
const batch = (n: number, wmEvict: number) => ev('spark.batch', { batch: n, wmLate: 0, wmEvict, timestampMs: 0, offsets: ['0:0-1'] });
const stuck = (events: TraceEvent[]): number | undefined => {
  const t = new SparkBatchTrace();
  for (const e of events) t.onEvent(e);
  return t.stuckWatermark();
};

describe('SparkBatchTrace.stuckWatermark', () => {
  it('is the last batch\'s eviction watermark only when the latest start found its batch committed and ran none after', () => {
    const first = ev('spark.restart', { latestOffsets: -1, latestCommit: -1, rerun: false });
    const committed = ev('spark.restart', { latestOffsets: 4, latestCommit: 4, rerun: false, watermark: 900 });
    const rerun = ev('spark.restart', { latestOffsets: 4, latestCommit: 3, rerun: true, watermark: 900 });
    expect(stuck([first, batch(0, 0), batch(1, 300)])).toBeUndefined();
    expect(stuck([first, batch(0, 0), batch(1, 300), committed])).toBe(300);
    expect(stuck([first, batch(0, 0), batch(1, 300), committed, batch(2, 900)])).toBeUndefined();
    expect(stuck([first, batch(0, 0), batch(1, 300), rerun])).toBeUndefined();
    expect(stuck([first, batch(0, 0), batch(1, 300), committed, rerun])).toBeUndefined();
  });
});

describe('recordsAwaitingWatermark', () => {
  const r = (id: number, key: string, ts: number) => ({ id, key, ts, value: 1 });
  const count = (assigner: WindowAssigner) => ({ assigner, aggregate: 'count' as const, allowedLatenessMs: 0 });
  it('fixed windows: a record with a window ending after the watermark', () => {
    expect([...recordsAwaitingWatermark([r(0, 'a', 999), r(1, 'a', 1_000), r(2, 'a', 1_999)], count(tumbling(1_000)), 1_000, new Set())]).toEqual([1, 2]);
    // Sliding 2 s every 500 ms: 1,499's last window is [1,000, 3,000).
    expect([...recordsAwaitingWatermark([r(0, 'a', 400), r(1, 'a', 1_499)], count(sliding(2_000, 500)), 2_500, new Set())]).toEqual([1]);
    expect([...recordsAwaitingWatermark([r(1, 'a', 1_499)], count(sliding(2_000, 500)), 2_500, new Set([1]))]).toEqual([]);
  });

  it('sessions: every record of a session that ends after the watermark, chained through touching gaps', () => {
    // Gap 100: a's 0, 100 and 200 touch in turn and end at 300; b's 0 ends at 100; c's 150 alone ends at 250.
    const ids = recordsAwaitingWatermark([r(0, 'a', 0), r(1, 'a', 100), r(2, 'a', 200), r(3, 'b', 0), r(4, 'c', 150), r(5, 'c', 20)], count(session(100)), 260, new Set());
    expect([...ids].sort()).toEqual([0, 1, 2]);
    // Dropping a's 100 as late breaks the chain: 0 ends at 100.
    expect([...recordsAwaitingWatermark([r(0, 'a', 0), r(1, 'a', 100), r(2, 'a', 200)], count(session(100)), 260, new Set([1]))]).toEqual([2]);
  });
});
