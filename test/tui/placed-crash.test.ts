/**
 * What this proves: a lesson that places its crash by the events of its run
 * (`faultsFrom`) gets a crash inside the window it teaches, and keeps it
 * when the run's timing changes. Three parts:
 * - the premise: a planned crash changes nothing before it fires, so the
 *   run with it is, event for event, the run without it up to the crash
 *   (each placed run of the `spark` and `txn-timeout` lessons, compared
 *   with its probe; the `fault.planned` line and sequence numbers aside);
 * - `crashBetween` refuses a window that is missing or has no millisecond
 *   strictly between its two events, and otherwise crashes 1 ms after the
 *   first;
 * - robustness: the same lessons on other seeds, whose runs are timed
 *   differently (every network and disk delay drawn anew), still tell
 *   their story. The seeds are ones on which the fixed times these lessons
 *   used before (the driver at 1,884 ms, ks-0 at 3,020 ms) missed the
 *   window: spark seeds 2, 6 and 7 (the sink wrote after the crash, or the
 *   commit came before it), txn-timeout seeds 2 and 5 (no transaction of
 *   ks-0 was open at 3,020 ms).
 *
 * How: load the lessons (small fixed runs) with the seed replaced, and read
 * their traces and verdicts.
 */
import { describe, expect, it } from 'vitest';
import { findLesson } from '../../src/tui/lessons/catalogue.ts';
import { lessonRunSettings, loadLesson } from '../../src/tui/lessons/resolve.ts';
import { crashBetween, type Lesson } from '../../src/tui/lessons/types.ts';
import { recordRun } from '../../src/tui/recording.ts';
import { openReplay, type Replay } from '../../src/tui/open.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

const withSeed = (lesson: Lesson, seed: number): Lesson => ({ ...lesson, runs: lesson.runs.map((r) => ({ ...r, settings: { ...r.settings, seed } })) });
const events = (r: Replay, kind: string): TraceEvent[] => Array.from(r.index.positions(kind), (i) => r.index.events[i]!);
/** An event without its place in the sequence, which a planned fault's own line shifts by one. */
const bare = (e: TraceEvent): string => { const { seq, ...rest } = e; void seq; return JSON.stringify(rest); };

describe('crashes a lesson places by its events', () => {
  for (const name of ['spark', 'txn-timeout']) {
    it(`${name}: each run with its crash is the run without it, event for event, up to the crash`, async () => {
      const lesson = findLesson(name)!;
      for (const run of lesson.runs) {
        expect(run.faultsFrom, run.key).toBeDefined();
        const probe = openReplay(await recordRun({ ...run.settings, plan: { faults: [] } }));
        const settings = await lessonRunSettings(run);
        const crash = settings.plan!.faults[0]!;
        expect(crash.kind).toBe('crash');
        const crashed = openReplay(await recordRun(settings));
        const before = (r: Replay) => r.index.events.filter((e) => e.t < crash.atMs! && e.kind !== 'fault.planned').map(bare);
        const a = before(probe);
        expect(a.length, run.key).toBeGreaterThan(100);
        expect(before(crashed), run.key).toEqual(a);
        expect(events(crashed, 'proc.crash').map((e) => e.t), run.key).toEqual([crash.atMs]);
      }
    });
  }

  it('crashBetween crashes inside its window, and refuses one that is missing or has no millisecond in it', async () => {
    const probe = openReplay(await recordRun({ ...findLesson('spark')!.runs[0]!.settings, plan: { faults: [] } }));
    const es = probe.index.events;
    const i = es.findIndex((e) => e.t >= 1_000);
    const j = es.findIndex((e) => e.t >= 1_050);
    const crash = { process: 'driver', restartAfterMs: 300 };
    expect(crashBetween(probe, i, j, crash, 'w')).toEqual({ kind: 'crash', atMs: es[i]!.t + 1, process: 'driver', restartAfterMs: 300 });
    expect(() => crashBetween(probe, undefined, j, crash, 'the driver\'s crash')).toThrow(/the driver's crash: the run without faults has no such window/);
    expect(() => crashBetween(probe, j, i, crash, 'w')).toThrow(/no such window/);
    const k = es.findIndex((e, n) => n > 0 && e.t === es[n - 1]!.t);
    expect(k).toBeGreaterThan(0);
    expect(() => crashBetween(probe, k - 1, k, crash, 'w')).toThrow(/no millisecond between/);
    const next = es.findIndex((e, n) => n > 0 && e.t === es[n - 1]!.t + 1);
    expect(() => crashBetween(probe, next - 1, next, crash, 'w')).toThrow(/no millisecond between/);
  });

  for (const seed of [2, 6, 7]) {
    it(`spark on seed ${seed}: the driver crashes between batch 16's sink and its commit; the re-run is skipped, and at-least-once writes it twice`, async () => {
      const lr = await loadLesson(withSeed(findLesson('spark')!, seed));
      expect(lr.steps.every((s) => s.found)).toBe(true);
      const eo = lr.replays.get('eo')!;
      expect(eo.rec.meta.checks!.every((c) => c.ok)).toBe(true);
      const restart = events(eo, 'spark.restart').find((e) => e.rerun === true)!;
      expect([restart.latestOffsets, restart.latestCommit]).toEqual([16, 15]);
      expect(events(eo, 'spark.sink.skip').length).toBeGreaterThan(0);
      const dup = lr.replays.get('alo')!.rec.meta.checks!.find((c) => c.name === 'exactly-once')!;
      expect(dup.ok).toBe(false);
      expect(dup.detail).toMatch(/twice/);
    });
  }

  for (const seed of [2, 5]) {
    it(`txn-timeout on seed ${seed}: ks-0 crashes inside a transaction, which only the broker's timeout ends`, async () => {
      const lr = await loadLesson(withSeed(findLesson('txn-timeout')!, seed));
      expect(lr.steps.every((s) => s.found)).toBe(true);
      const timedOut = lr.replays.get('timeout')!;
      expect(timedOut.rec.meta.checks!.filter((c) => !c.ok)).toEqual([]);
      expect(events(timedOut, 'txn.timeout').map((e) => String(e.txnId))).toEqual([expect.stringContaining('-ks-0.0-')]);
      const ignored = lr.replays.get('ignored')!;
      expect(ignored.rec.meta.checks!.filter((c) => !c.ok).map((c) => c.name)).toContain('txn.timeout');
    });
  }
});
