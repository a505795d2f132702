/**
 * What this proves: several runs replay side by side on one virtual-time
 * cursor. The cursor maps to each run's last event at or before it (the
 * step and the state after it, concrete values for the three engines'
 * wordcount with the worker crashing at 1,500 ms); → ← move to the next /
 * previous event time of any run, ] [ by 100 ms, f F to the next /
 * previous fault in any run. Space plays (each tick moves the cursor on
 * by the speed's virtual ms, + and - change it), / filters each run's
 * events by kind, v jumps to the next failed check of any run. The screen
 * fits 80×24 (stacked rows) and 120×40 (columns), names each engine and
 * shows the crash in each.
 *
 * How: the three runs of the three-engines lesson, recorded once; the model
 * functions directly, the screen through ink-testing-library.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { planFor } from '../../src/explore/compare.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import { SideBySideApp } from '../../src/tui/components/SideBySideApp.tsx';
import {
  frameText, nextEventTime, openSideBySide, prevEventTime, reduceSideBySide, sideBySideFrame, sideBySideKey, stepAtTime, type SideBySide, type SideBySideUi,
} from '../../src/tui/side-by-side.ts';
import { KEYS, replayOf, waitFor } from './helpers.ts';

const ENGINES = ['flink', 'kstreams', 'spark'] as const;
const settingsFor = (engine: (typeof ENGINES)[number]): RunSettings => ({
  scenario: 'wordcount', engine, seed: 1, events: 400, guarantee: 'exactly-once', faults: 'none', bugs: [],
  plan: planFor(engine, [{ kind: 'crash', role: 'worker', atMs: 1_500, restartAfterMs: 300 }]),
});

// eslint-disable-next-line no-control-regex
const plain = (s: string | undefined): string => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
const cursorOf = (frame: string): number => Number(/^weir replay t ([\d,]+) ms/m.exec(frame)?.[1]?.replace(/,/g, '') ?? NaN);

let sbs: SideBySide;

beforeAll(async () => {
  sbs = openSideBySide(await Promise.all(ENGINES.map((e) => replayOf(settingsFor(e)))));
});

describe('the virtual-time cursor', () => {
  it('maps a time to each run\'s last event at or before it', () => {
    const steps = (t: number): number[] => sbs.runs.map((r) => stepAtTime(r.index, t));
    // Each run's crash, found by its event: at 1,499 ms each run is at the event before it.
    const [flink, kstreams, spark] = sbs.runs.map((r) => r.index.positions('proc.crash')[0]!);
    expect([flink, kstreams, spark]).toEqual([759, 794, 479]);
    expect(steps(1_499)).toEqual([flink - 1, kstreams - 1, spark - 1]);
    // In Kafka Streams' run the broker appends a write of ks-1's at 1,496 ms, before ks-0's crash, and
    // another in the millisecond after it.
    expect(sbs.runs[1]!.index.events[kstreams - 1]).toMatchObject({ t: 1_496, p: 'broker', kind: 'log.append', txn: 'weir-app-ks-1-0' });
    expect(sbs.runs[1]!.index.events[kstreams + 1]).toMatchObject({ t: 1_501, p: 'broker', kind: 'log.append', txn: 'weir-app-ks-1-0' });
    expect(steps(1_500)).toEqual([flink, kstreams, spark]);
    expect(steps(1_501)).toEqual([flink, kstreams + 1, spark]);
    // No run has another event after the crashes until 1,503 ms.
    expect(steps(1_502)).toEqual(steps(1_501));
    expect(steps(1_503)).not.toEqual(steps(1_501));
    expect(steps(-1)).toEqual([-1, -1, -1]);
    for (const r of sbs.runs) {
      const at = stepAtTime(r.index, 1_500);
      expect(r.index.events[at]!.t).toBeLessThanOrEqual(1_500);
      expect(r.index.events[at + 1]!.t).toBeGreaterThan(1_500);
    }
    // The crash is each run's event at 1,500 ms: down just after, not just before.
    const down = (t: number): string[][] => sbs.runs.map((r) => r.index.stateAt(stepAtTime(r.index, t)).down);
    expect(down(1_499)).toEqual([[], [], []]);
    expect(down(1_500)).toEqual([['tm-0'], ['ks-0'], ['executor-0']]);
  });

  it('→ ← go to the next / previous event time of any run, ] [ by 100 ms, f F by fault', () => {
    expect(nextEventTime(sbs, 1_500)).toBe(1_501);
    expect(prevEventTime(sbs, 1_500)).toBe(1_496);
    const ui = { t: 1_500, note: undefined };
    expect(reduceSideBySide(sbs, ui, 'next').t).toBe(1_501);
    expect(reduceSideBySide(sbs, ui, 'prev').t).toBe(1_496);
    expect(reduceSideBySide(sbs, ui, 'forward').t).toBe(1_600);
    expect(reduceSideBySide(sbs, ui, 'back').t).toBe(1_400);
    expect(reduceSideBySide(sbs, { t: 50, note: undefined }, 'back').t).toBe(0);
    const first = reduceSideBySide(sbs, { t: 0, note: undefined }, 'fault');
    expect(first.t).toBe(1_500);
    expect(first.note).toBe('flink: tm-0 crashed at 1,500 ms');
    // Three runs crash at 1,500 ms; the next fault of any run is the restarts at 1,800 ms.
    expect(reduceSideBySide(sbs, first, 'fault').t).toBe(1_800);
    expect(reduceSideBySide(sbs, { t: 1_800, note: undefined }, 'fault-back').t).toBe(1_500);
    expect(reduceSideBySide(sbs, { t: 1_000, note: undefined }, 'fault-back').note).toBe('no previous fault in any run');
    expect(reduceSideBySide(sbs, ui, 'last').t).toBe(sbs.endMs);
  });
});

describe('playing, filtering and failed checks', () => {
  it('space plays and each tick moves the cursor on by the speed; a move by hand stops it', () => {
    let ui: SideBySideUi = reduceSideBySide(sbs, { t: 1_000, note: undefined }, 'play');
    expect(ui.playing).toBe(true);
    ui = reduceSideBySide(sbs, ui, 'tick');
    expect(ui.t).toBe(1_020);
    ui = reduceSideBySide(sbs, reduceSideBySide(sbs, ui, 'faster'), 'tick');
    expect(ui.t).toBe(1_120);
    // The header reads "t … of … ms ▶ speed · runs": the speed does not split the time from its total.
    expect(frameText(sideBySideFrame(sbs, ui, 120, 40)).split('\n')[0]).toMatch(/^weir replay t 1,120 ms of [\d,]+ ms ▶ 100 ms\/tick · 3 runs/);
    expect(reduceSideBySide(sbs, ui, 'next').playing).toBe(false);
    // At the end it stops by itself.
    const end = reduceSideBySide(sbs, { t: sbs.endMs - 1, note: undefined, playing: true, speed: 6 }, 'tick');
    expect([end.t, end.playing]).toEqual([sbs.endMs, false]);
    expect(sideBySideKey(' ', {})).toBe('play');
  });

  it('/ filters every run\'s events by kind; in the prompt keys type the filter', () => {
    let ui: SideBySideUi = reduceSideBySide(sbs, { t: 1_500, note: undefined }, 'filter-open');
    for (const ch of 'crash') {
      const a = sideBySideKey(ch, {}, true);
      ui = reduceSideBySide(sbs, ui, a as never);
    }
    expect(sideBySideFrame(sbs, ui, 120, 40).at(-1)!.map((x) => x.text).join('')).toContain('filter (kinds');
    ui = reduceSideBySide(sbs, ui, sideBySideKey('', { return: true }, true) as never);
    expect(ui.filter).toBe('crash');
    const frame = frameText(sideBySideFrame(sbs, ui, 120, 40));
    expect(frame).toContain('filter: crash');
    // Every event row left is a crash, and each run shows its own.
    const rows = frame.split('\n').flatMap((l) => l.split('│')).filter((c) => /^\s?▶?\s*[\d,]+ \S+ /.test(c.trimEnd()) && /\d ms|crash|restart/.test(c));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const r of rows) expect(r).toMatch(/crash/);
    const none = frameText(sideBySideFrame(sbs, { ...ui, filter: 'no-such-kind' }, 120, 40));
    expect(none).toContain('no event matches "no-such-kind"');
  });

  it('v jumps to the step of a failed check in any run, and says which', async () => {
    const failing = openSideBySide([await replayOf({ ...settingsFor('flink'), bugs: ['watermark-max'] }), sbs.runs[2]!]);
    expect(failing.violations.length).toBeGreaterThan(0);
    const ui = reduceSideBySide(failing, { t: 0, note: undefined }, 'violation');
    const v = failing.violations[0]!;
    expect(ui.t).toBe(v.t);
    expect(ui.note).toMatch(/^flink: ✗ watermark\.min-of-inputs at [\d,]+ ms, step [\d,]+: /);
    // The failing run shows the check's own step, as v in a single replay does, not the last event of its millisecond.
    expect(ui.pin).toEqual({ run: v.run, step: v.index });
    expect(frameText(sideBySideFrame(failing, ui, 120, 40))).toMatch(new RegExp(`step ${v.index.toLocaleString('en-US')}/`));
    // Any other key lets go of the pin.
    expect(reduceSideBySide(failing, ui, 'next').pin).toBeUndefined();
    expect(reduceSideBySide(sbs, { t: 0, note: undefined }, 'violation').note).toBe('no check failed in any run');
  });
});

describe('the side-by-side screen', () => {
  for (const size of [{ cols: 80, rows: 24 }, { cols: 120, rows: 40 }]) {
    it(`${size.cols}×${size.rows}: each engine's name and its crash at 1,500 ms, within the screen`, async () => {
      const app = render(<SideBySideApp sbs={sbs} size={size} startMs={1_500} />);
      const f = await waitFor(() => plain(app.lastFrame()), (x) => x.includes('spark'));
      app.unmount();
      const lines = f.split('\n');
      expect(lines.length).toBeLessThanOrEqual(size.rows);
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(size.cols);
      expect(cursorOf(f)).toBe(1_500);
      expect(f).toMatch(/^flink {2}✓ \d+ {2}faults 1 {2}down: tm-0/m);
      expect(f).toMatch(/kstreams {2}✓ \d+ {2}faults 1 {2}down: ks-0/);
      expect(f).toMatch(/spark {2}✓ \d+ {2}faults 1 {2}down: executor-0/);
      expect(f).toMatch(/▶ {2}1,500 tm-0 tm-0 crashed/);
      // Kafka Streams' run has the broker's append of a write of ks-1's in the millisecond after the crash:
      // the cursor (the run's last event at or before 1,500 ms) is on the crash, that append the row below,
      // the append of 1,496 ms the row above.
      expect(f).toMatch(/ {3}1,496 broker weir-app-counts-change[^\n]*\n([^\n]*│)?▶ {2}1,500 ks-0 ks-0 crashed[^\n]*\n([^\n]*│)? {3}1,501 broker weir-app-counts-repart/);
      expect(f).toMatch(/▶ {2}1,500 executor-0 executor-0 crashed/);
      expect(f).toContain('tasks 2 running, 2 crashed (tm-0)');
      expect(f).toContain('ks-0 crashed, ks-1 running');
      expect(f).toContain('executor-0 down, executor-1 up');
    });
  }

  it('120×40 puts the runs in columns, 80×24 in stacked rows', () => {
    const wide = frameText(sideBySideFrame(sbs, { t: 1_500, note: undefined }, 120, 40)).split('\n');
    expect(wide[1]).toMatch(/^flink .*│kstreams .*│spark /);
    const narrow = frameText(sideBySideFrame(sbs, { t: 1_500, note: undefined }, 80, 24)).split('\n');
    expect(narrow.findIndex((l) => l.startsWith('flink '))).toBe(1);
    expect(narrow.findIndex((l) => l.startsWith('kstreams '))).toBe(8);
    expect(narrow.findIndex((l) => l.startsWith('spark '))).toBe(15);
    expect(narrow).toHaveLength(24);
  });

  it('keys move the cursor: f to the crash, → to the next event, ] by 100 ms, F back', async () => {
    const app = render(<SideBySideApp sbs={sbs} size={{ cols: 80, rows: 24 }} />);
    await waitFor(() => plain(app.lastFrame()), (x) => x.includes('spark'));
    const press = async (k: string, t: number): Promise<string> => {
      app.stdin.write(k);
      const f = await waitFor(() => plain(app.lastFrame()), (x) => cursorOf(x) === t);
      expect(cursorOf(f), k).toBe(t);
      return f;
    };
    expect(await press('f', 1_500)).toContain('flink: tm-0 crashed at 1,500 ms');
    await press(KEYS.right, 1_501);
    await press(']', 1_601);
    await press('F', 1_500);
    await press(KEYS.left, 1_496);
    app.unmount();
  });
});
