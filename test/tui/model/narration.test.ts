/**
 * What this proves: a narration wraps to the width without losing or
 * reordering a word (a word longer than a line is cut across lines); what
 * it names — tasks, processes, transactions, the plot — is found the way
 * the lessons write them; the dataflow keeps the cursor's task and the
 * named tasks when not all fit, and the transactions panel keeps the named
 * transactions among the most recent ones.
 *
 * How: plain inputs with known answers, and every narration of every lesson
 * wrapped at a few widths.
 */
import { describe, expect, it } from 'vitest';
import { mentions, wrapText } from '../../../src/tui/model/narration.ts';
import { pickTasks } from '../../../src/tui/components/Dataflow.tsx';
import { recentKeeping } from '../../../src/tui/components/Checkpoints.tsx';
import { narrationFit } from '../../../src/tui/components/LessonView.tsx';
import { LESSONS } from '../../../src/tui/lessons/catalogue.ts';
import { loadLesson } from '../../../src/tui/lessons/resolve.ts';

describe('wrapText', () => {
  it('breaks between words, within the width', () => {
    expect(wrapText('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrapText('abcdefghij kl', 4)).toEqual(['abcd', 'efgh', 'ij', 'kl']);
    expect(wrapText('one\ntwo', 80)).toEqual(['one', 'two']);
  });

  it('keeps every word of every lesson narration, in order, at 80, 100 and 200 columns', async () => {
    for (const lesson of LESSONS) {
      const lr = await loadLesson(lesson);
      for (const s of lr.steps) {
        for (const cols of [80, 100, 200]) {
          const lines = wrapText(s.text, cols);
          for (const l of lines) expect(l.length).toBeLessThanOrEqual(cols);
          expect(lines.join(' ').split(' ')).toEqual(s.text.split(/\s+/));
        }
      }
    }
  });
});

describe('narrationFit', () => {
  // Nine words of 39 letters: a line each at 40 columns.
  const text = Array.from({ length: 9 }, (_, k) => String(k).repeat(39)).join(' ');

  it('gives a short narration the box it had (3 lines, 5 on a tall screen)', () => {
    expect(narrationFit('short', { cols: 80, rows: 24 })).toMatchObject({ box: 3, pages: [['short']] });
    expect(narrationFit('short', { cols: 200, rows: 50 })).toMatchObject({ box: 5, pages: [['short']] });
  });

  it('grows the box to the narration, then pages it, leaving the panels their lines', () => {
    const lines = wrapText(text, 40);
    expect(lines.length).toBe(9);
    expect(narrationFit(text, { cols: 40, rows: 24 })).toMatchObject({ box: 9, pages: [lines] });
    // 20 rows: 3 header, 1 footer, 2 for the rule and title, 8 for the panels leave 6, one of them for "▼ more".
    const fit = narrationFit(text, { cols: 40, rows: 20 });
    expect(fit.box).toBe(6);
    expect(fit.pages).toEqual([lines.slice(0, 5), lines.slice(5)]);
  });
});

describe('mentions', () => {
  it('finds the names the lessons write', () => {
    const m = mentions('sessions[1] now has ch0 86 (from clicks[3]); tm-0,tm-2 and ks-0 run; window[0] aborts late-sink-0-a0-c1 and weir-app-ks-0-0 commits; In the plot on the right');
    expect(m.tasks).toEqual(['sessions[1]', 'clicks[3]', 'window[0]']);
    expect(m.processes).toEqual(['tm-0', 'tm-2', 'ks-0']);
    expect(m.txns).toEqual(['late-sink-0-a0-c1', 'weir-app-ks-0-0']);
    expect(m.plot).toBe(true);
    expect(mentions('the dataflow').plot).toBe(false);
  });
});

describe('pickTasks', () => {
  const order = ['a[0]', 'a[1]', 'a[2]', 'b[0]', 'b[1]', 'b[2]'];

  it('shows every task when all fit', () => {
    expect(pickTasks(order, 6, 'b[1]', ['a[0]'])).toEqual(order);
  });

  it('keeps the cursor\'s task, then the named ones, then its vertex, in display order', () => {
    expect(pickTasks(order, 3, 'b[1]', ['a[2]'])).toEqual(['a[2]', 'b[0]', 'b[1]']);
    expect(pickTasks(order, 2, 'b[1]', ['a[2]'])).toEqual(['a[2]', 'b[1]']);
    expect(pickTasks(order, 4, undefined, ['b[2]'])).toEqual(['a[0]', 'a[1]', 'a[2]', 'b[2]']);
  });
});

describe('recentKeeping', () => {
  it('keeps the named items and fills up with the most recent, in their order', () => {
    const all = ['t1', 't2', 't3', 't4', 't5'];
    expect(recentKeeping(all, 2, (x) => x, [])).toEqual(['t4', 't5']);
    expect(recentKeeping(all, 2, (x) => x, ['t1'])).toEqual(['t1', 't5']);
    expect(recentKeeping(all, 3, (x) => x, ['t2', 'nope'])).toEqual(['t2', 't4', 't5']);
    expect(recentKeeping(all, 0, (x) => x, ['t2'])).toEqual([]);
  });
});
