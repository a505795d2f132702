/**
 * Reading a trace file for replay. Proves: a whole weir trace reads back
 * event for event (lazily read lines included, via `fullEvent`); and a trace
 * whose lines were reordered, duplicated or dropped, or whose time goes
 * back, is refused naming the line — never replayed as a run that did not
 * happen. Every single-line deletion, duplication and swap of a real trace
 * is tried.
 */
import { describe, expect, it } from 'vitest';
import { eventLine, type TraceEvent } from '../../../src/runtime/trace-event.ts';
import { fullEvent, parseTraceText } from '../../../src/tui/model/trace-text.ts';
import { runScenario } from '../../../src/explore/run.ts';

const events: TraceEvent[] = [];
runScenario({ scenario: 'bank', seed: 2, events: 40, guarantee: 'exactly-once', faults: 'none', bugs: [] }, { subscribers: [(e) => void events.push(e)], traceIo: true });
const lines = events.map(eventLine);
const text = (ls: string[]): string => ls.join('\n') + '\n';

describe('parseTraceText', () => {
  it('reads a whole trace back', () => {
    const back = parseTraceText(text(lines));
    expect(back.map((e) => eventLine(fullEvent(e)))).toEqual(lines);
  });

  it('refuses every dropped, duplicated or swapped line', () => {
    for (let i = 1; i < lines.length - 1; i += 7) {
      expect(() => parseTraceText(text([...lines.slice(0, i), ...lines.slice(i + 1)])), `drop ${i}`).toThrow(/missing events/);
      expect(() => parseTraceText(text([...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)])), `duplicate ${i}`).toThrow(/a duplicated event/);
      const swapped = lines.slice();
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      expect(() => parseTraceText(text(swapped)), `swap ${i}`).toThrow(/trace line \d+: event seq/);
    }
  });

  it('refuses time going back', () => {
    const e1 = JSON.parse(lines[1]!) as TraceEvent;
    const late = lines.findIndex((l) => (JSON.parse(l) as TraceEvent).t > e1.t);
    const moved = lines.slice(0, late + 1);
    moved.push(eventLine({ ...(JSON.parse(lines[late + 1]!) as TraceEvent), t: e1.t - 1 }));
    expect(() => parseTraceText(text(moved))).toThrow(/virtual time goes back/);
  });
});
