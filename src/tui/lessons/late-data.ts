/**
 * Lesson `late-data`: allowed lateness, late firings and the late side
 * output, on a word count with 1 s tumbling windows, 100 ms of allowed
 * disorder and 200 ms of allowed lateness.
 */
import { fmtWm } from '../model/format.ts';
import { num, str } from '../model/fields.ts';
import type { Lesson, StepContext } from './types.ts';

const task = (c: StepContext): string => str(c.event, 'task') ?? '?';
const wm = (c: StepContext): string => fmtWm(num(c.event, 'wm'));
const win = (c: StepContext): string => `[${num(c.event, 'start')},${num(c.event, 'end')})`;

export const lateDataLesson: Lesson = {
  name: 'late-data',
  title: 'Late data',
  summary: 'allowed lateness, late firings, the late side output',
  runs: [{ key: 'main', label: 'wordcount, 300 words', settings: { scenario: 'wordcount', seed: 1, events: 300, guarantee: 'exactly-once', faults: 'none', bugs: [] } }],
  steps: [
    {
      title: 'The pipeline',
      at: 'start',
      text: 'Words are counted per key in tumbling windows of 1 s. Sources allow 100 ms of disorder; windows keep their state 200 ms past their end (allowed lateness); records too late for every window go to a late side output. In the plot, x marks a record sent there and + one that joined a window late.',
    },
    {
      title: 'An on-time firing',
      at: { kind: 'window.fire', match: (c: StepContext) => num(c.event, 'firing') === 0 },
      filter: 'window,record.late',
      text: (c) => `${task(c)} fires ${str(c.event, 'key')} ${win(c)} at watermark ${wm(c)} ≥ end − 1: the on-time result, ${num(c.event, 'count')} words. The window's state is kept until the watermark passes end − 1 + 200 ms.`,
    },
    {
      title: 'Late, but within the lateness',
      at: { kind: 'window.late' },
      filter: 'window,record.late',
      text: (c) => `Record ${num(c.event, 'id')} arrives for ${str(c.event, 'key')} ${win(c)}, which already fired; the watermark ${wm(c)} is still below end − 1 + 200, so the record is added to the kept state.`,
    },
    {
      title: 'A late firing',
      at: { kind: 'window.fire', match: (c: StepContext) => (num(c.event, 'firing') ?? 0) > 0 },
      filter: 'window,record.late',
      text: (c) => `The window fires again (firing ${num(c.event, 'firing')}) with ${num(c.event, 'count')} words: an updated result. Downstream sees both; the last firing of a window is its final result.`,
    },
    {
      title: 'Too late for every window',
      at: { kind: 'record.late' },
      filter: 'window,record.late',
      text: (c) => `Record ${num(c.event, 'id')} has timestamp ${fmtWm(num(c.event, 'ts'))}, but the watermark is ${wm(c)}: its window's state is gone (end − 1 + 200 ≤ watermark). It is not dropped silently: it goes to the late side output.`,
    },
    {
      title: 'The late output is committed too',
      at: { kind: 'txn.commit', match: (c: StepContext) => (str(c.event, 'txn') ?? '').startsWith('late-') && c.state.committedOutput > 0 },
      filter: 'record.late,txn',
      text: (c) => `The late side output has its own sink transaction (${str(c.event, 'txn')}), committed with the checkpoint like the results. Committed output so far: ${c.state.committedOutput} records.`,
    },
    {
      title: 'What the checkers say',
      at: 'end',
      filter: 'record.late,window.late',
      text: (c) => `At the end ${c.state.lateRecords} records went to the late output and ${c.state.lateJoins} joined a window late. The watermark.lateness check verified every such decision against the watermark at that moment; exactly-once checked each record is counted once — in a result or in the late output.`,
    },
  ],
};
