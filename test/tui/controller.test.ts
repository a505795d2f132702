/**
 * What this proves: the replay keys do what the help says — each key maps
 * to its action, steps and jumps land on the right events and stay inside
 * the trace, a filter makes steps walk matching events only, playback
 * advances by virtual time and stops at the end, and the filter prompt
 * edits text instead of moving the cursor.
 *
 * How: pure calls of keyAction and reduceUi over a recorded run; the oracle
 * is the trace (kinds and positions of the events landed on).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { helpLines, initialUi, nameLines, keyAction, splitKeys, reduceUi, stepTarget, type Action, type ReplayUi, type UiContext } from '../../src/tui/controller.ts';
import { DROPPING, KS_FAULTS, replayOf } from './helpers.ts';

let ctx: UiContext;

beforeAll(async () => {
  const replay = await replayOf(DROPPING);
  ctx = { index: replay.index, violations: replay.violations };
});

const run = (ui: ReplayUi, ...actions: Action[]): ReplayUi => actions.reduce((u, a) => reduceUi(u, a, ctx), ui);

describe('keyAction', () => {
  it('maps the documented keys', () => {
    const ui = initialUi();
    expect(keyAction(' ', {}, ui)).toEqual({ type: 'play' });
    expect(keyAction('', { rightArrow: true }, ui)).toEqual({ type: 'step', by: 1 });
    expect(keyAction('', { leftArrow: true }, ui)).toEqual({ type: 'step', by: -1 });
    expect(keyAction(']', {}, ui)).toEqual({ type: 'step', by: 10 });
    expect(keyAction('[', {}, ui)).toEqual({ type: 'step', by: -10 });
    expect(keyAction('c', {}, ui)).toEqual({ type: 'jump', kind: 'checkpoint', dir: 1 });
    expect(keyAction('C', {}, ui)).toEqual({ type: 'jump', kind: 'checkpoint', dir: -1 });
    expect(keyAction('f', {}, ui)).toEqual({ type: 'jump', kind: 'fault', dir: 1 });
    expect(keyAction('W', {}, ui)).toEqual({ type: 'jump', kind: 'watermark', dir: -1 });
    expect(keyAction('v', {}, ui)).toEqual({ type: 'violation' });
    expect(keyAction('/', {}, ui)).toEqual({ type: 'filter-open' });
    expect(keyAction('?', {}, ui)).toEqual({ type: 'help' });
    expect(keyAction('q', {}, ui)).toBe('quit');
    expect(keyAction('c', { ctrl: true }, ui)).toBe('quit');
    expect(keyAction('x', {}, ui)).toBeUndefined();
  });

  it('types into the filter prompt instead of acting', () => {
    const ui = { ...initialUi(), editing: 'bar' };
    expect(keyAction('q', {}, ui)).toEqual({ type: 'filter-type', text: 'q' });
    expect(keyAction('', { return: true }, ui)).toEqual({ type: 'filter-done' });
    expect(keyAction('', { escape: true }, ui)).toEqual({ type: 'filter-cancel' });
    expect(keyAction('', { backspace: true }, ui)).toEqual({ type: 'filter-back' });
    expect(keyAction('h', { ctrl: true }, ui)).toEqual({ type: 'filter-back' });
  });

  it('splits keys that arrive together, erase keys among them, and leaves escape sequences whole', () => {
    const actions = (raw: string) => splitKeys(raw, {}).map(([input, key]) => keyAction(input, key, { ...initialUi(), editing: 'barrier' }));
    // Two Backspaces in one read (a held key, fast typing): two deletions, not invisible text.
    expect(actions('\x7f\x7f')).toEqual([{ type: 'filter-back' }, { type: 'filter-back' }]);
    expect(actions('\b')).toEqual([{ type: 'filter-back' }]);
    expect(actions('x\x7fy\r')).toEqual([{ type: 'filter-type', text: 'x' }, { type: 'filter-back' }, { type: 'filter-type', text: 'y' }, { type: 'filter-done' }]);
    expect(splitKeys('\x1b[A', { upArrow: true })).toEqual([['\x1b[A', { upArrow: true }]]);
  });
});

describe('reduceUi', () => {
  it('steps and clamps at both ends', () => {
    expect(run(initialUi(), { type: 'step', by: -1 }).cursor).toBe(0);
    expect(run(initialUi(), { type: 'step', by: 10 }, { type: 'step', by: 1 }).cursor).toBe(11);
    expect(run(initialUi(), { type: 'goto', index: Number.MAX_SAFE_INTEGER }).cursor).toBe(ctx.index.length - 1);
  });

  it('jumps to checkpoint steps and faults, and says when there is none', () => {
    const c = run(initialUi(), { type: 'jump', kind: 'checkpoint', dir: 1 });
    expect(ctx.index.events[c.cursor]).toMatchObject({ kind: 'barrier.inject', checkpoint: 1 });
    const f = run(initialUi(), { type: 'jump', kind: 'fault', dir: 1 });
    expect(ctx.index.events[f.cursor]!.kind).toBe('proc.crash');
    const none = run(initialUi(), { type: 'jump', kind: 'fault', dir: -1 });
    expect(none.cursor).toBe(0);
    expect(none.note).toMatch(/no previous fault/);
  });

  it('jumps to the failed check and explains it', () => {
    const v = run(initialUi(), { type: 'violation' });
    expect(ctx.violations.length).toBeGreaterThan(0);
    expect(v.cursor).toBe(ctx.violations[0]!.index);
    expect(v.note).toContain('exactly-once');
    // It lands where the lost record's fate was decided: the late decision that dropped it.
    const e = ctx.index.events[v.cursor]!;
    expect(e.kind).toBe('record.late');
    expect(e.dropped).toBe(true);
    expect(ctx.violations[0]!.detail).toContain(`record ${e.id} `);
  });

  it('with a filter, steps walk the matching events only', () => {
    const ui = run(initialUi(), { type: 'filter-open' }, { type: 'filter-type', text: 'barrier.a' }, { type: 'filter-done' });
    expect(ui.filter).toBe('barrier.a');
    const aligns = ctx.index.positions('barrier.align');
    const one = run(ui, { type: 'step', by: 1 });
    expect(one.cursor).toBe(aligns[0]);
    expect(run(one, { type: 'step', by: 10 }).cursor).toBe(aligns[10]);
    expect(stepTarget(ctx.index, aligns[3]!, -2, 'barrier.a')).toBe(aligns[1]);
  });

  it('plays by virtual time and stops at the end', () => {
    let ui = run({ ...initialUi(), speed: 6 }, { type: 'play' });
    expect(ui.playing).toBe(true);
    const t0 = ctx.index.events[ui.cursor]!.t;
    ui = run(ui, { type: 'tick' });
    expect(ctx.index.events[ui.cursor]!.t).toBeGreaterThan(t0);
    for (let k = 0; k < 100 && ui.playing; k++) ui = run(ui, { type: 'tick' });
    expect(ui.playing).toBe(false);
    expect(ui.cursor).toBe(ctx.index.length - 1);
  });

  it('the help screen says what c C steps through on each engine', () => {
    expect(helpLines('flink')).toContain('c C        next / previous checkpoint step (inject, complete, abort)');
    expect(helpLines('kstreams')).toContain('c C        next / previous commit step');
    expect(helpLines('spark')).toContain('c C        next / previous micro-batch step (started, committed)');
    expect(helpLines('spark').filter((l) => l.includes('checkpoint'))).toEqual([]);
  });

  it('the help screen names each engine\'s tasks and transactions in its own terms, within 80 columns', () => {
    expect(nameLines('kstreams').join(' ')).toMatch(/1_2 +a task: sub-topology 1 on partition 2/);
    expect(nameLines('kstreams').join(' ')).toContain('weir-app-counts-repartition');
    expect(nameLines('spark').join(' ')).toContain('offsets/14 plans it, commits/14 ends it');
    expect(nameLines('flink').join(' ')).toContain('committed once checkpoint 3 completes');
    for (const engine of ['flink', 'kstreams', 'spark']) {
      expect(nameLines(engine).every((l) => l.length + 2 <= 78), engine).toBe(true);
      expect(nameLines(engine).some((l) => /barrier|checkpoint/.test(l)), engine).toBe(engine === 'flink');
    }
  });

  it('plays at the speed it says: the virtual time after n ticks is n times the speed, also where events are dense', () => {
    // Slowest speed (1 ms a tick) on a run whose events come many to a millisecond: the cursor must not run ahead of the clock.
    let ui = run({ ...initialUi(), speed: 0 }, { type: 'play' });
    const t0 = ctx.index.events[ui.cursor]!.t;
    for (let k = 0; k < 200 && ui.playing; k++) ui = run(ui, { type: 'tick' });
    expect(ui.playMs).toBe(t0 + 200);
    expect(ctx.index.events[ui.cursor]!.t).toBeLessThanOrEqual(t0 + 200);
    expect(ctx.index.events[ui.cursor + 1]!.t).toBeGreaterThan(t0 + 200);
  });

  it('s opens the store view on a Kafka Streams run only; in it i I pick the instance, ↓ ↑ page, Esc closes, the arrows still step', async () => {
    const ks = await replayOf(KS_FAULTS);
    const kctx: UiContext = { index: ks.index, violations: ks.violations };
    const go = (ui: ReplayUi, ...keys: [string, Record<string, boolean>][]): ReplayUi =>
      keys.reduce((u, [input, key]) => {
        const a = keyAction(input, key, u);
        return a === undefined || a === 'quit' ? u : reduceUi(u, a, kctx);
      }, ui);
    // Outside the view, ↓ and i do nothing; a Flink run says the view is Kafka Streams'.
    expect(keyAction('', { downArrow: true }, initialUi())).toBeUndefined();
    expect(keyAction('i', {}, initialUi())).toBeUndefined();
    const flink = run(initialUi(), { type: 'stores' });
    expect(flink.stores).toBeUndefined();
    expect(flink.note).toMatch(/not on Kafka Streams/);
    let ui = go(initialUi(40), ['s', {}]);
    expect(ui.stores).toEqual({ instance: 0, page: 0 });
    ui = go(ui, ['', { downArrow: true }], ['', { downArrow: true }], ['', { upArrow: true }]);
    expect(ui.stores).toEqual({ instance: 0, page: 1 });
    ui = go(ui, ['i', {}], ['i', {}], ['I', {}]);
    expect(ui.stores).toEqual({ instance: 1, page: 0 });
    ui = go(ui, ['', { rightArrow: true }]);
    expect([ui.cursor, ui.stores?.instance]).toEqual([41, 1]);
    expect(go(ui, ['', { escape: true }]).stores).toBeUndefined();
    expect(go(ui, ['s', {}]).stores).toBeUndefined();
    // Help over the view: Esc closes the help first.
    const help = go(ui, ['?', {}], ['', { escape: true }]);
    expect([help.help, help.stores]).toEqual([false, { instance: 1, page: 0 }]);
  });
});
