/**
 * What this proves: the plot puts the watermark line and the records where
 * the trace says, and marks a late record only from the step at which it
 * was sent to the late output.
 *
 * How: recompute, for one recorded run, the expected column of the
 * watermark in the bottom row and the expected cell of a late record from
 * the grid's own axes, and compare with the drawn characters.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { plotGrid } from '../../../src/tui/model/plot.ts';
import type { Replay } from '../../../src/tui/open.ts';
import { recording, replayOf, WORDCOUNT } from '../helpers.ts';
import { num } from '../../../src/tui/model/fields.ts';
import { openReplay } from '../../../src/tui/open.ts';

let replay: Replay;

beforeAll(async () => {
  replay = await replayOf(WORDCOUNT);
});

describe('plotGrid', () => {
  it('draws rows of the asked size with the watermark at its column in the cursor row', () => {
    const cursor = replay.index.positions('window.fire')[0]!;
    const g = plotGrid(replay.plot, cursor, 40, 10, 50);
    expect(g.rows).toHaveLength(10);
    for (const r of g.rows) expect(r).toHaveLength(40);
    const wm = replay.index.timeWatermarkAt(cursor)!;
    expect(g.watermark).toBe(wm);
    const col = Math.floor((wm - g.eventStartMs) / 50);
    expect(col).toBeGreaterThan(0);
    expect(col).toBeLessThan(40);
    expect(g.rows[9]![col]).toMatch(/[|·:x+]/);
    expect(g.timeEndMs).toBe(replay.index.events[cursor]!.t);
  });

  it('never scrolls left of the first record, and keeps the newest records in view', () => {
    for (const cursor of [1, 50, 200, replay.index.positions('window.fire')[0]!, replay.index.length - 1]) {
      const g = plotGrid(replay.plot, cursor, 30, 10, 50);
      expect(g.eventStartMs, `step ${cursor}`).toBeGreaterThanOrEqual(0);
      const newest = replay.plot.maxTsIn(g.timeStartMs, g.timeEndMs);
      if (newest !== undefined && newest >= g.eventStartMs) expect(newest, `step ${cursor}`).toBeLessThan(g.eventEndMs);
    }
  });

  it('marks a record x only once it went to the late output', () => {
    const lateAt = replay.index.positions('record.late')[0]!;
    const late = replay.index.events[lateAt]!;
    const id = num(late, 'id')!;
    const rec = replay.rec.records!.find((r) => r.id === id)!;
    const cellOf = (cursor: number): string | undefined => {
      const g = plotGrid(replay.plot, cursor, 200, 200, 20);
      const r = Math.ceil((rec.atMs - g.timeStartMs) / 20) - 1;
      const c = Math.floor((rec.ts - g.eventStartMs) / 20);
      return g.rows[r]?.[c];
    };
    expect(cellOf(lateAt)).toBe('x');
    expect(cellOf(lateAt - 1)).not.toBe('x');
  });

  it('draws firings and late decisions when the input records are not known (a trace file)', async () => {
    const fromFile = openReplay({ ...(await recording(WORDCOUNT)), records: undefined });
    const lateAt = fromFile.index.positions('record.late')[0]!;
    const g = plotGrid(fromFile.plot, lateAt, 120, 30, 20);
    const text = g.rows.join('\n');
    expect(text).toContain('x');
    expect(text).toContain('o');
  });
});
