/**
 * What this proves: a stream–stream join's window stores are in-memory
 * stores, as Kafka's `persistent()` false stores are kept: nothing of them
 * reaches the state directory (no store file; `ProcessorStateManager.checkpoint`
 * names persistent stores only, and `OffsetCheckpoint.write` deletes the
 * file rather than write an empty one), and a new store object restores its
 * changelog from the start (`initializeStoreOffsetsFromCheckpoint`), while a
 * resumed task keeps its store and goes on from its offset.
 *
 * How: `join` on Kafka Streams under at-least-once (whose tasks checkpoint
 * while running) with I/O traced: no disk write under a join task's
 * directory, and every restoration of a join store that is not a resumed
 * task's starts at offset 0. Then heavy seed 79, where a zombie's changelog
 * writes fell between a task's checkpoint and its next start there: the
 * store that restored from its own checkpoint missed them and `ks.restore`
 * failed; restored from the start, it holds them. Both fail on the code that
 * kept join stores in the state directory.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/explore/run.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';

describe('a join store is an in-memory store', () => {
  it('writes nothing to the state directory, and restores from the changelog start unless its task resumed', () => {
    const writes: TraceEvent[] = [];
    const restores: TraceEvent[] = [];
    const report = runScenario(
      {
        scenario: 'join', engine: 'kstreams', seed: 3, faults: 'none', guarantee: 'at-least-once', bugs: [],
        plan: { faults: [{ kind: 'crash', atMs: 2_500, process: 'ks-0', restartAfterMs: 1_000 }] },
      },
      { traceIo: true, subscribers: [(e) => {
        if (e.kind === 'disk.write' && String(e.path).startsWith('state/')) writes.push({ ...e });
        if (e.kind === 'ks.restored' && String(e.store).includes('-join-store')) restores.push({ ...e });
      }] },
    );
    expect(report.checks.filter((c) => !c.ok && c.name !== 'join')).toEqual([]);
    // The join's stores live in sub-topology 1; sub-topology 0 (the re-keying) has no store at all.
    expect(writes.map((e) => e.path)).toEqual([]);
    expect(restores.length).toBeGreaterThan(4);
    const afresh = restores.filter((e) => e.source !== 'resumed');
    expect(afresh.every((e) => e.from === 0), JSON.stringify(afresh.map((e) => [e.p, e.task, e.from]))).toBe(true);
    expect(afresh.some((e) => (e.records as number) > 0), 'a restart restored records from the start').toBe(true);
  });

  it('a zombie\'s changelog writes after a task\'s last start are read by its next fresh start (heavy seed 79, at-least-once)', () => {
    const report = runScenario({ scenario: 'join', engine: 'kstreams', seed: 79, faults: 'heavy', guarantee: 'at-least-once', bugs: [] });
    const restore = report.checks.find((c) => c.name === 'ks.restore')!;
    expect(restore.ok, restore.detail).toBe(true);
  });
});
