/**
 * The pane judge (`window.panes`) can pass and can fail. A hand-made
 * committed output with an on-time pane, late panes and a window first
 * fired by a late element passes; then one mistake is planted at a time —
 * a pane missing (a gap), a pane committed twice (a replay), panes out of
 * order, a pane index that disagrees with `firing`, a wrong `isFirst`, an
 * ON_TIME pane after pane 0, an EARLY pane, `isLast` before the window's
 * last pane, a second pane with no allowed lateness, a result without a
 * pane — and the verdict fails naming the key, the window and the pane.
 */
import { describe, expect, it } from 'vitest';
import { checkWindowPanes, type WindowSpec } from '../../src/check/index.ts';
import type { PaneInfo, WindowResult } from '../../src/stream/records.ts';
import { tumbling } from '../../src/stream/assigners.ts';
import { result } from './helpers.ts';

const LATENESS: WindowSpec = { assigner: tumbling(1000), aggregate: 'sum', allowedLatenessMs: 500 };
const NO_LATENESS: WindowSpec = { ...LATENESS, allowedLatenessMs: 0 };

function paned(key: string, start: number, ids: number[], firing: number, timing: PaneInfo['timing'], extra: Partial<PaneInfo> = {}): WindowResult {
  return { ...result(key, start, start + 1000, ids, ids.length, firing), pane: { timing, index: firing, isFirst: firing === 0, isLast: false, ...extra } };
}

/** a [0,1000): ON_TIME 0, LATE 1, LATE 2; b [0,1000): ON_TIME 0; a [1000,2000): first fired by a late element, LATE 0, LATE 1. */
const good = (): WindowResult[] => [
  paned('a', 0, [0], 0, 'ON_TIME'),
  paned('b', 0, [1], 0, 'ON_TIME'),
  paned('a', 0, [0, 2], 1, 'LATE'),
  paned('a', 1000, [3], 0, 'LATE'),
  paned('a', 0, [0, 2, 4], 2, 'LATE'),
  paned('a', 1000, [3, 5], 1, 'LATE'),
];

describe('checkWindowPanes', () => {
  it('passes panes numbered from 0 in order, with a one-line summary', () => {
    expect(checkWindowPanes(good(), LATENESS)).toEqual({
      name: 'window.panes', ok: true, detail: '6 panes of 3 windows (2 on time, 4 late), numbered from 0 in order',
    });
  });

  it('passes one ON_TIME pane, first and last, per window with no allowed lateness', () => {
    const rs = [paned('a', 0, [0], 0, 'ON_TIME', { isLast: true }), paned('b', 0, [1], 0, 'ON_TIME', { isLast: true })];
    expect(checkWindowPanes(rs, NO_LATENESS).ok).toBe(true);
  });

  const planted: [string, (rs: WindowResult[]) => WindowResult[], RegExp, WindowSpec?][] = [
    ['a missing pane (a gap)', (rs) => rs.filter((_, i) => i !== 2), /key a window \[0,1000\) firing 2 \(pane LATE 2\) comes where pane 1 should: pane 1 is missing/],
    ['a pane committed twice', (rs) => [...rs.slice(0, 3), rs[2]!, ...rs.slice(3)], /key a window \[0,1000\) firing 1 \(pane LATE 1\) repeats pane 1: the window's panes committed before it are 0, 1/],
    ['a restarted pane count (late pane 0 after the on-time pane 0)', (rs) => [...rs, paned('b', 0, [1, 6], 0, 'LATE')], /key b window \[0,1000\) firing 0 \(pane LATE 0 first\) repeats pane 0/],
    ['panes out of order', (rs) => [rs[0]!, rs[1]!, rs[4]!, rs[3]!, rs[2]!, rs[5]!], /key a window \[0,1000\) firing 2 \(pane LATE 2\) comes where pane 1 should/],
    ['a pane index that disagrees with firing', (rs) => rs.map((r, i) => (i === 2 ? { ...r, firing: 5 } : r)), /firing 5 \(pane LATE 1\) has pane index 1 but firing 5/],
    ['a late pane marked first', (rs) => rs.map((r, i) => (i === 2 ? { ...r, pane: { ...r.pane!, isFirst: true } } : r)), /firing 1 \(pane LATE 1 first\) is marked first/],
    ['pane 0 not marked first', (rs) => rs.map((r, i) => (i === 1 ? { ...r, pane: { ...r.pane!, isFirst: false } } : r)), /key b window \[0,1000\) firing 0 \(pane ON_TIME 0\) is not marked first/],
    ['an ON_TIME pane after pane 0', (rs) => rs.map((r, i) => (i === 2 ? { ...r, pane: { ...r.pane!, timing: 'ON_TIME' as const } } : r)), /firing 1 \(pane ON_TIME 1\): under EventTimeTrigger pane 0 is ON_TIME or LATE/],
    ['an EARLY pane', (rs) => rs.map((r, i) => (i === 0 ? { ...r, pane: { ...r.pane!, timing: 'EARLY' as const } } : r)), /firing 0 \(pane EARLY 0 first\): under EventTimeTrigger/],
    ['a pane marked last before the window\'s last pane', (rs) => rs.map((r, i) => (i === 0 ? { ...r, pane: { ...r.pane!, isLast: true } } : r)), /firing 0 \(pane ON_TIME 0 first last\) is marked last, but pane 1 follows it/],
    ['a late pane with no allowed lateness', (rs) => rs, /key a window \[0,1000\) firing 0 \(pane ON_TIME 0 first\): with no allowed lateness a window's one pane is ON_TIME, first and last/, NO_LATENESS],
    ['a result without a pane', (rs) => rs.map((r, i) => (i === 3 ? { ...r, pane: undefined } : r)), /key a window \[1000,2000\) firing 0 carries no pane/],
  ];

  it.each(planted)('fails on %s, naming the window and the pane', (_what, plant, message, spec = LATENESS) => {
    const v = checkWindowPanes(plant(good()), spec);
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(message);
  });
});
