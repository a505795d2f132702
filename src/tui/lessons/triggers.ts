/**
 * Lesson `triggers`: triggers and panes, on the running example of
 * *Streaming Systems* (ch. 2) in its shape — a team's scores summed in
 * 2-minute windows (here 2 s), one score arriving long after the others —
 * run by the teaching scenario `triggers-panes`: the same eight scores
 * through four branches (a perfect watermark; a heuristic one; early, on-time
 * and late panes, accumulating; the same, discarding).
 *
 * The trace's `window.fire` says which window fired, its pane's timing and
 * how many scores it holds, not their sum; the narration adds the sum from
 * the scenario's scores (they reach each window in script order, so a pane
 * holds the window's first scores, or for a discarding pane those after the
 * previous panes'). The lesson's test checks those sums against the output.
 */
import { num, str } from '../model/fields.ts';
import {
  TRIGGERS_EARLY_MS, TRIGGERS_ID_BASE, TRIGGERS_LATENESS_MS, TRIGGERS_SCORES, TRIGGERS_WINDOW_MS, branchOfId, type TriggersBranch,
} from '../../../scenarios/triggers-panes.ts';
import { checkText, type EventPick, type Lesson, type StepContext } from './types.ts';

const FILTER = 'window,record.late';
const fmt = (n: number): string => n.toLocaleString('en-US');
const task = (c: StepContext): string => str(c.event, 'task') ?? '?';
const win = (c: StepContext): string => `[${fmt(num(c.event, 'start') ?? 0)}, ${fmt(num(c.event, 'end') ?? 0)})`;
const at = (c: StepContext): string => `${fmt(c.event.t)} ms`;
const wm = (c: StepContext): string => fmt(num(c.event, 'wm') ?? 0);

/** The scores a pane holds (see the module comment). */
export function paneScores(c: StepContext): number[] {
  const start = num(c.event, 'start');
  const branch = task(c).replace(/\[\d+\]$/, '') as TriggersBranch;
  const inWindow = TRIGGERS_SCORES.filter((r) => Math.floor(r.ts / TRIGGERS_WINDOW_MS) * TRIGGERS_WINDOW_MS === start).map((r) => r.value);
  const count = num(c.event, 'count') ?? 0;
  if (branch !== 'discarding') return inWindow.slice(0, count);
  let before = 0;
  for (const i of c.replay.index.positions('window.fire')) {
    if (i >= c.index) break;
    const e = c.replay.index.events[i]!;
    if (e.task === c.event.task && e.start === start && e.attempt === c.event.attempt) before += num(e, 'count') ?? 0;
  }
  return inWindow.slice(before, before + count);
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const scores = (c: StepContext): string => {
  const xs = paneScores(c);
  return xs.length === 0 ? 'nothing (a sum of 0)' : xs.length === 1 ? `${xs[0]}` : `${xs.join(' + ')} = ${sum(xs)}`;
};

/** The same task's ON_TIME pane of the same window, earlier in the trace: when it fired and how many scores it held. */
function onTimeBefore(c: StepContext): { t: number; count: number } | undefined {
  for (const i of c.replay.index.positions('window.fire')) {
    if (i >= c.index) break;
    const e = c.replay.index.events[i]!;
    if (e.task === c.event.task && e.start === c.event.start && e.attempt === c.event.attempt && e.timing === 'ON_TIME') return { t: e.t, count: num(e, 'count') ?? 0 };
  }
  return undefined;
}

const fire = (branch: TriggersBranch, start: number, timing: string, from?: 'start'): EventPick => ({
  kind: 'window.fire',
  ...(from ? { from } : {}),
  match: (c: StepContext) => task(c).startsWith(`${branch}[`) && num(c.event, 'start') === start && str(c.event, 'timing') === timing,
});
const W2 = TRIGGERS_WINDOW_MS;
const straggler = TRIGGERS_SCORES.find((r) => r.value === 9)!;

export const triggersLesson: Lesson = {
  name: 'triggers',
  title: 'Triggers and panes',
  summary: 'perfect and heuristic watermarks, early, on-time and late panes, accumulating and discarding',
  runs: [{ key: 'main', label: 'triggers-panes (scripted)', settings: { scenario: 'triggers-panes', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] } }],
  steps: [
    {
      title: 'A team\'s scores',
      at: 'start',
      text: `The running example of Streaming Systems, shrunk so that one of its minutes is a second: eight scores of team blue (${TRIGGERS_SCORES.map((r) => r.value).join(', ')}) are summed per ${fmt(W2)} ms window of event time. They arrive out of order over 4.4 s of processing time; the ${straggler.value}, scored at ${fmt(straggler.ts)} ms, arrives last, ${fmt(straggler.atMs - TRIGGERS_SCORES[0]!.atMs)} ms after the first. Four scripted sources feed the same scores to four windowed sums: perfect, heuristic, accumulating and discarding. A trigger decides when a window emits; each emission is a pane, EARLY, ON_TIME or LATE. The trigger and pane names below are Beam's, as the book uses them; the run is on weir's Flink engine, whose triggers build the same behaviour from Flink's trigger primitives.`,
    },
    {
      title: 'A perfect watermark',
      at: fire('perfect', 0, 'ON_TIME', 'start'),
      filter: FILTER,
      text: (c) => `perfect: the watermark knows every score to come, so it stays at 1,199 (just below the 9) until the ${straggler.value} (ts ${fmt(straggler.ts)}) arrives, then jumps to ${wm(c)}. Only now, at ${at(c)}, does AfterWatermark fire ${win(c)}: one ON_TIME pane, ${scores(c)} — complete and correct, but every window waited for the slowest score.`,
    },
    {
      title: 'A heuristic watermark',
      at: fire('heuristic', 0, 'ON_TIME', 'start'),
      filter: FILTER,
      text: (c) => `heuristic: real sources cannot know what is still on its way, so their watermark is a guess. This one reaches ${wm(c)} at ${at(c)}, and ${win(c)} fires on time with ${scores(c)} — three seconds sooner than the perfect watermark, and wrong: the ${straggler.value} is still to come.`,
    },
    {
      title: 'What the heuristic watermark drops',
      at: { kind: 'record.late', match: (c: StepContext) => branchOfId(num(c.event, 'id') ?? -1) === 'heuristic' },
      filter: FILTER,
      text: (c) => `The score ${straggler.value} (record ${num(c.event, 'id')}) at ts ${fmt(num(c.event, 'ts') ?? 0)}, arrives at ${at(c)} behind the watermark (${wm(c)}). Its window fired and, with no allowed lateness, is gone: the record goes to the late side output and [0, 2,000) stays at 5. A too-fast heuristic watermark loses data; a too-slow one delays every result.`,
    },
    {
      title: 'Early panes',
      at: fire('accumulating', W2, 'EARLY', 'start'),
      filter: FILTER,
      text: (c) => `accumulating: AfterWatermark.pastEndOfWindow().withEarlyFirings(${fmt(TRIGGERS_EARLY_MS)}).withLateFirings(). No one has to wait for the watermark: ${fmt(TRIGGERS_EARLY_MS)} ms of processing time after the first score of a pane, the window emits what it has. At ${at(c)}, with the watermark at ${wm(c)}, ${win(c)} emits an EARLY pane: ${scores(c)}.`,
    },
    {
      title: 'Another early pane',
      at: fire('accumulating', W2, 'EARLY'),
      filter: FILTER,
      text: (c) => `Another score arrived, so another early pane, ${fmt(TRIGGERS_EARLY_MS)} ms of processing time after that score, the first of the new pane (pane ${num(c.event, 'firing')}): ${scores(c)}. In accumulating mode each pane holds everything the window has seen, so it replaces the one before.`,
    },
    {
      title: 'The on-time pane',
      at: fire('accumulating', W2, 'ON_TIME'),
      filter: FILTER,
      text: (c) => `The heuristic watermark reaches ${wm(c)} ≥ end − 1 at ${at(c)}: ${win(c)} fires its ON_TIME pane, ${scores(c)}. Early panes gave a speculative answer sooner; the on-time pane is the answer as complete as the watermark believes.`,
    },
    {
      title: 'A late pane, accumulating',
      at: fire('accumulating', 0, 'LATE', 'start'),
      filter: FILTER,
      text: (c) => `Here the ${straggler.value} is not lost: this branch keeps each window until the watermark is ${fmt(TRIGGERS_LATENESS_MS)} ms past the window's end (allowed lateness), and withLateFirings() fires a LATE pane for each late score. At ${at(c)}, ${win(c)} emits ${scores(c)}: the corrected sum, which replaces the on-time 5.`,
    },
    {
      title: 'Discarding panes',
      at: fire('discarding', W2, 'ON_TIME', 'start'),
      filter: FILTER,
      text: (c) => `discarding: the same trigger with discardingFiredPanes(). A pane holds only what arrived since the previous pane, so ${win(c)} emits early 7 + 4 = 11, early 3, then at ${at(c)} the ON_TIME pane ${scores(c)}. The reader adds the panes up (11 + 3 + 8 = 22) instead of replacing them.`,
    },
    {
      title: 'A late pane, discarding',
      at: fire('discarding', 0, 'LATE', 'start'),
      filter: FILTER,
      text: (c) => {
        const onTime = onTimeBefore(c);
        const empty = onTime !== undefined && onTime.count === 0
          ? `Its on-time pane, at ${fmt(onTime.t)} ms, was empty: the early pane had already taken the 5, yet the window emitted it, a sum of 0, as Beam does by default (OnTimeBehavior FIRE_ALWAYS): the reader learns the watermark has passed the window. onTimeBehavior('FIRE_IF_NON_EMPTY') leaves such a pane out. 5 + 0 + ${straggler.value} = 14`
          : `5 + ${straggler.value} = 14`;
        return `In discarding mode the late pane of ${win(c)} holds just ${scores(c)}. ${empty}, as the perfect watermark said — without waiting for it.`;
      },
    },
    {
      title: 'Verdict',
      at: 'end',
      filter: FILTER,
      text: (c) => `${checkText(c, 'triggers.panes')}. The ids tell the branches apart: perfect from ${TRIGGERS_ID_BASE.perfect}, heuristic from ${TRIGGERS_ID_BASE.heuristic}, accumulating from ${TRIGGERS_ID_BASE.accumulating}, discarding from ${TRIGGERS_ID_BASE.discarding}.`,
    },
  ],
};
