/**
 * Lesson `watermarks`: event time vs processing time, bounded
 * out-of-orderness, the minimum over inputs, and an idle input — on a
 * session-window run with four sources, one of which gets no data.
 */
import { MAX_WATERMARK } from '../../stream/watermark.ts';
import { fmtWm } from '../model/format.ts';
import { prevBefore } from '../model/int-list.ts';
import { num, str } from '../model/fields.ts';
import { is } from './resolve.ts';
import type { Lesson, StepContext } from './types.ts';

const task = (c: StepContext): string => str(c.event, 'task') ?? '?';
const wm = (c: StepContext): string => fmtWm(num(c.event, 'wm'));

function channels(c: StepContext): string {
  const t = c.state.tasks.get(task(c));
  if (!t) return '';
  return t.channels.map((ch, i) => `ch${i} ${ch.idle ? 'idle' : fmtWm(ch.wm)}`).join(', ');
}

/** When the idle source found its partition idle (its `task.idle`, before this step), as ", at N ms". */
function idleSince(c: StepContext): string {
  const i = prevBefore(c.replay.index.positions('task.idle'), c.index);
  return i === undefined ? '' : `, at ${c.replay.index.events[i]!.t} ms`;
}

export const watermarksLesson: Lesson = {
  name: 'watermarks',
  title: 'Watermarks',
  summary: 'event time vs processing time, bounded out-of-orderness, the minimum over inputs, idle inputs',
  runs: [{ key: 'main', label: 'sessions, 4 sources, one idle', settings: { scenario: 'sessions', seed: 1, events: 150, parallelism: 4, guarantee: 'exactly-once', faults: 'none', bugs: [] } }],
  steps: [
    {
      title: 'Two clocks',
      at: 'start',
      text: 'Every click has an event time (when it happened) and reaches the log at some processing time. In the plot on the right, event time runs across and processing time down; each dot is a click. The dots do not form a clean diagonal: clicks arrive out of order. Press Enter to go on.',
    },
    {
      title: 'A source promises',
      at: { kind: 'watermark', match: (c: StepContext) => is.ownWatermark(c) && is.task('clicks')(c) },
      filter: 'watermark',
      text: (c) => `${task(c)} emits watermark ${wm(c)}: the largest timestamp it has read, minus the 50 ms of disorder it allows, minus 1. It promises that no click with a timestamp at or before ${wm(c)} will come (bounded out-of-orderness).`,
    },
    {
      title: 'Watermarks travel with the data',
      at: { kind: 'watermark', match: (c: StepContext) => is.channelWatermark(c) && is.task('sessions')(c) },
      filter: 'watermark',
      text: (c) => `${task(c)} receives ${wm(c)} on channel ${num(c.event, 'ch')}. A watermark is sent down every channel in order with the records, so everything before it on that channel has already arrived.`,
    },
    {
      title: 'The minimum over inputs',
      at: { kind: 'watermark', match: (c: StepContext) => is.channelWatermark(c) && is.task('sessions')(c) && (c.state.tasks.get(task(c))?.channels.filter((ch) => ch.wm !== undefined).length ?? 0) >= 3 },
      filter: 'watermark',
      text: (c) => `${task(c)} now has ${channels(c)}. Its own watermark is the minimum over its input channels, and channel 3 (from clicks[3]) has said nothing yet: the task has no watermark (—) and cannot fire any window.`,
    },
    {
      title: 'An idle input',
      at: { kind: 'watermark', match: (c: StepContext) => c.event.idle === true },
      filter: 'watermark',
      text: (c) => `clicks[3]'s partition got no data. At each periodic watermark emission the source asks whether it read anything since the last one; the first that found nothing started a countdown, and one more than its idle timeout (400 ms) later found the partition idle (Flink's IdlenessTimer)${idleSince(c)}. The source marked its output idle; now ${task(c)} has heard it and stops waiting for channel ${num(c.event, 'ch')}: the minimum is now taken over the active channels only.`,
    },
    {
      title: 'The watermark moves',
      at: { kind: 'watermark', match: (c: StepContext) => is.ownWatermark(c) && is.task('sessions')(c) },
      filter: 'watermark',
      text: (c) => `${task(c)}'s own watermark advances to ${wm(c)} — the minimum of ${channels(c)}. Press w and W to step from one watermark change to the next.`,
    },
    {
      title: 'Held back by the slowest input',
      at: {
        kind: 'watermark',
        match: (c: StepContext) => is.channelWatermark(c) && is.task('sessions')(c) && (c.state.tasks.get(task(c))?.watermark ?? Infinity) < (num(c.event, 'wm') ?? 0),
      },
      filter: 'watermark',
      text: (c) => `Channel ${num(c.event, 'ch')} of ${task(c)} moved to ${wm(c)}, but the task stays at ${fmtWm(c.state.tasks.get(task(c))?.watermark)}: another channel is behind (${channels(c)}). One slow input holds the whole task back — that is what keeps results correct.`,
    },
    {
      title: 'A window fires',
      at: { kind: 'window.fire', from: 'start' },
      filter: 'watermark,window',
      text: (c) => `${task(c)} fires session [${num(c.event, 'start')},${num(c.event, 'end')}) of ${str(c.event, 'key')} at watermark ${wm(c)}: a window fires once the watermark reaches its end − 1, because then no record for it can still be on time. Not the last word, though: sessions allows 300 ms of lateness, so a late click can still join this session (or merge it with another) and make it fire again with the new count.`,
    },
    {
      title: 'End of input',
      at: { kind: 'watermark', match: (c: StepContext) => is.ownWatermark(c) && is.task('clicks')(c) && num(c.event, 'wm') === MAX_WATERMARK },
      filter: 'watermark,window,source',
      text: (c) => `${task(c)} read all of its input and emits watermark +inf: nothing more will come, so every window still open can fire. Step on (→ is the lesson, ] steps the replay) or press q to leave.`,
    },
  ],
};
