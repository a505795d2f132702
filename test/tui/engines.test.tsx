/**
 * What this proves: `weir replay` draws a Kafka Streams run and a Spark run
 * with panels of their own — at 80×24 and 100×30, without a line over the
 * width or the height — and the frames show the key facts the trace holds
 * at that step: an instance crashed, a zombie cut off from the broker, a
 * thread's tasks lost with the reason, its transaction aborted, the group's
 * generation; a batch re-run, the offset and commit logs, sink skips, an
 * executor down, a task retried. The header's second line carries the
 * engine's counters instead of Flink's job attempt, and `c` steps to the
 * next commit (Kafka Streams) or batch step (Spark).
 *
 * How: ink-testing-library renders ReplayApp for the fixed runs of
 * helpers.ts (KS_FAULTS, SPARK_CRASHES) at steps whose events the model
 * test (model/engines.test.ts) pins down — the Kafka Streams ones found by
 * their event (helpers.ts stepOf), as the model test finds them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { ReplayApp } from '../../src/tui/components/ReplayApp.tsx';
import type { Replay } from '../../src/tui/open.ts';
import { KS_FAULTS, replayOf, SPARK_CRASHES, stepOf, waitFor } from './helpers.ts';

// eslint-disable-next-line no-control-regex
const plain = (s: string | undefined): string => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
const frameStep = (frame: string): number => Number(/step ([\d,]+)\//.exec(frame)?.[1]?.replace(/,/g, '') ?? NaN);

let ks: Replay;
let spark: Replay;

beforeAll(async () => {
  [ks, spark] = await Promise.all([replayOf(KS_FAULTS), replayOf(SPARK_CRASHES)]);
});

const SIZES = [{ cols: 80, rows: 24 }, { cols: 100, rows: 30 }] as const;

/** The frame at `cursor`, checked to fit the screen. */
async function frameAt(replay: Replay, cursor: number, size: { cols: number; rows: number }): Promise<string> {
  const app = render(<ReplayApp replay={replay} size={size} start={{ cursor }} />);
  const frame = await waitFor(() => plain(app.lastFrame()), (f) => f.includes('events'));
  app.unmount();
  const lines = frame.split('\n');
  expect(lines.length, `${size.cols}×${size.rows} height`).toBeLessThanOrEqual(size.rows);
  for (const l of lines) expect(l.length, `${size.cols}×${size.rows}: ${l}`).toBeLessThanOrEqual(size.cols);
  return frame;
}

const lineOf = (frame: string, start: RegExp): string => frame.split('\n').find((l) => start.test(l)) ?? '';

describe('Kafka Streams replay', () => {
  for (const size of SIZES) {
    it(`${size.cols}×${size.rows}: ks-1 crashed, ks-0 a zombie cut off from the broker, the group at generation 2`, async () => {
      const f = await frameAt(ks, stepOf(ks, 'proc.crash', 'ks-1'), size);
      expect(f).toMatch(/wordcount seed 9 · kstream/);
      expect(lineOf(f, /^ks-1 /)).toMatch(/^ks-1\s+crashed\s+gen 2 {4}/);
      expect(lineOf(f, /^ks-0 /)).toMatch(/^ks-0\s+running\s+gen 1 {2}zombie \(group at 2\)/);
      expect(f).toMatch(/^ {2}1_2 running {3}st 1,102/m);
      expect(f).toMatch(/^generation 2 {2}commits \d+ {2}rebalances 2 {2}restores 8 {2}faults 2 {2}down: ks-1/m);
      // Flink's panels and counters are not drawn for this run.
      expect(f).not.toContain('job attempt');
      expect(f).not.toContain('dataflow');
      expect(f).toContain('c/C commit');
    });

    it(`${size.cols}×${size.rows}: the zombie told by its heartbeat, its tasks lost, its transaction #10 still open`, async () => {
      const f = await frameAt(ks, stepOf(ks, 'ks.lost', 'ks-0'), size);
      expect(lineOf(f, /^ks-0 /)).toMatch(/^ks-0\s+lost\s+gen 1 {2}heartbeat/);
      expect(f).toMatch(/group gen 3 (stable|rebalancing)/);
      expect(f).toMatch(/ks-0 #10 open/);
    });
  }

  it('100×30: tasks with stream time per task and per store, the stores restored, the transaction aborted', async () => {
    // While ks-0 is cut off: the broker writes the offsets of ks-1's transaction #29.
    const offsets = stepOf(ks, 'group.txnOffsets', 'broker', (e) => e.txnId === 'weir-app-ks-1-0' && e.n === 29);
    const tasks = await frameAt(ks, stepOf(ks, 'log.append', 'broker', (e) => e.topic === '__consumer_offsets' && e.txn === 'weir-app-ks-1-0', offsets), { cols: 100, rows: 30 });
    expect(lineOf(tasks, /^ {2}1_0 running {3}st 4,309/)).toContain('counts 4,309  dropped 1');
    expect(tasks).toMatch(/^ {2}0_0 running {3}st 2,447\s/m);
    expect(tasks).toMatch(/stores 12 restored \(\d+ records\)/);
    // The zombie's store, restored empty at its first assignment, far behind its changelog's end.
    expect(tasks).toMatch(/counts 1_0 ks-0 restored 0 rec @0 {2}changelog end 44/);
    expect(tasks).toMatch(/last commit g3: input 0@103 1@103 2@104/);
    const abortStep = stepOf(ks, 'txn.abort', 'broker', (e) => String(e.txnId).includes('ks-0'));
    const aborted = await frameAt(ks, abortStep, { cols: 100, rows: 30 });
    expect(aborted).toMatch(/ks-0 #10 aborted/);
    // The run's only abort: ks-1 crashed between two transactions, so its restart had none to abort.
    expect(aborted).toMatch(/transactions \d+ committed, 1 aborted/);
  });

  it('c goes to the next commit', async () => {
    const app = render(<ReplayApp replay={ks} size={{ cols: 100, rows: 30 }} start={{ cursor: 0 }} />);
    await waitFor(() => plain(app.lastFrame()), (f) => f.includes('events'));
    const first = ks.index.positions('ks.commit')[0]!;
    app.stdin.write('c');
    const f = await waitFor(() => plain(app.lastFrame()), (x) => frameStep(x) === first);
    expect(frameStep(f)).toBe(first);
    expect(f).toMatch(/▶\s+[\d,]+\s+[\d,]+ms ks-\d\s+ks\.commit\s+commit in generation \d+: input\/1@/);
    app.unmount();
  });
});

describe('Spark replay', () => {
  for (const size of SIZES) {
    it(`${size.cols}×${size.rows}: batch 14 re-run after the driver's restart, its sink skipping both partitions`, async () => {
      const f = await frameAt(spark, 583, size);
      expect(f).toMatch(/wordcount seed 1 · spark · e/);
      expect(f).toMatch(/^batch 14 \(run 2\) {2}watermark 1,101 {2}re-runs 1/m);
      expect(f).toMatch(/^driver running \(incarnation 1\)/m);
      expect(f).toContain('logs offsets/0–14  commits/0–13');
      expect(lineOf(f, /^ b14 /)).toMatch(/^ b14 running\s+wm 972\/1,101 {2}run 2 {2}skips 2/);
      expect(lineOf(f, /^ b13 /)).toMatch(/^ b13 committed wm 891\/972/);
      expect(f).not.toContain('job attempt');
      expect(f).toContain('c/C batch');
    });

    it(`${size.cols}×${size.rows}: executor-1 down while batch 22 waits`, async () => {
      const f = await frameAt(spark, 829, size);
      expect(f).toMatch(/executor-1 down/);
      expect(f).toMatch(/executor-0 up/);
      expect(f).toMatch(/^batch 22 {2}watermark 2,439 {2}re-runs 1 {2}faults 4 {2}down: executor-1/m);
    });
  }

  it('100×30: the retried reduce task, the sink\'s transactions and skips, the offset ranges', async () => {
    const f = await frameAt(spark, 926, { cols: 100, rows: 30 });
    expect(lineOf(f, /^ b22 /)).toMatch(/retry reduce-1×1/);
    expect(f).toContain('offsets 0:69-72 1:70-72 2:70-72 3:69-72');
    expect(f).toMatch(/sink \d+ txns committed, 0 aborted {2}skips 2/);
    expect(f).toMatch(/spark-sink-0 e\d+ #\d+ committed/);
    expect(f).toMatch(/task retries 1 · re-run batches 1/);
  });

  it('c goes to the next batch step', async () => {
    const app = render(<ReplayApp replay={spark} size={{ cols: 80, rows: 24 }} start={{ cursor: 0 }} />);
    await waitFor(() => plain(app.lastFrame()), (f) => f.includes('events'));
    app.stdin.write('c');
    const f = await waitFor(() => plain(app.lastFrame()), (x) => frameStep(x) === 17);
    expect(frameStep(f)).toBe(17);
    expect(f).toMatch(/▶\s+17\s.*spark\.batch\s+batch 0 runs: 0:0-1/);
    app.unmount();
  });
});
