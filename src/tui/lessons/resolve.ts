/**
 * Turns a lesson into concrete stops: runs each of its runs once (recorded
 * for replay) and finds the event each narration step points at.
 */
import { recordRun } from '../recording.ts';
import { openReplay, type Replay } from '../open.ts';
import { num, str } from '../model/fields.ts';
import type { RunSettings } from '../../explore/settings.ts';
import type { EventPick, Lesson, LessonRun, LessonStep, StepContext } from './types.ts';

export interface ResolvedStep {
  step: LessonStep;
  run: string;
  /** The step the cursor goes to. */
  index: number;
  /** False when the step's event is not in this run (the cursor stays at the previous stop). */
  found: boolean;
  /** The narration, written for the event it points at. */
  text: string;
}

export interface LessonReplays {
  lesson: Lesson;
  replays: Map<string, Replay>;
  steps: ResolvedStep[];
}

export async function loadLesson(lesson: Lesson): Promise<LessonReplays> {
  const replays = new Map<string, Replay>();
  for (const r of lesson.runs) replays.set(r.key, openReplay(await recordRun(await lessonRunSettings(r))));
  return { lesson, replays, steps: resolveSteps(lesson, replays) };
}

/** The settings a lesson's run runs with: its own, or with the faults `faultsFrom` places from the run without them. */
export async function lessonRunSettings(r: LessonRun): Promise<RunSettings> {
  if (!r.faultsFrom) return r.settings;
  const probe = openReplay(await recordRun({ ...r.settings, plan: { faults: [] } }));
  return { ...r.settings, plan: r.faultsFrom(probe) };
}

export function resolveSteps(lesson: Lesson, replays: Map<string, Replay>): ResolvedStep[] {
  const lastByRun = new Map<string, number>();
  const first = lesson.runs[0]!.key;
  return lesson.steps.map((step) => {
    const run = step.run ?? first;
    const replay = replays.get(run)!;
    const prev = lastByRun.get(run) ?? -1;
    const hit = find(step.at, replay, prev);
    const index = hit ?? Math.max(0, prev);
    lastByRun.set(run, index);
    const event = replay.index.events[index]!;
    const ctx: StepContext = { replay, event, index, state: replay.index.stateAt(index) };
    const body = typeof step.text === 'string' ? step.text : step.text(ctx);
    const text = hit === undefined ? `${body}\n(This run has no such event; the cursor stays where it was.)` : body;
    return { step, run, index, found: hit !== undefined, text };
  });
}

function find(at: LessonStep['at'], replay: Replay, prev: number): number | undefined {
  if (at === 'start') return 0;
  if (at === 'end') return replay.index.length - 1;
  if (at === 'violation') return replay.violations[0]?.index;
  return findPick(at, replay, prev);
}

function findPick(pick: EventPick, replay: Replay, prev: number): number | undefined {
  const from = pick.from === 'start' ? -1 : prev;
  for (const i of replay.index.positions(pick.kind)) {
    if (i <= from) continue;
    if (!pick.match) return i;
    const event = replay.index.events[i]!;
    if (pick.match({ replay, event, index: i, state: replay.index.stateAt(i) })) return i;
  }
  return undefined;
}

/** Predicates lessons share. */
export const is = {
  task: (vertexPrefix: string) => (c: StepContext): boolean => (str(c.event, 'task') ?? '').startsWith(vertexPrefix),
  ownWatermark: (c: StepContext): boolean => num(c.event, 'ch') === -1 && num(c.event, 'wm') !== undefined,
  channelWatermark: (c: StepContext): boolean => (num(c.event, 'ch') ?? -1) >= 0 && num(c.event, 'wm') !== undefined,
  coordinator: (c: StepContext): boolean => str(c.event, 'task') === undefined,
  sink: (c: StepContext): boolean => str(c.event, 'task') !== undefined,
  /** An event of a job attempt after the first: one that a restart began. */
  restarted: (c: StepContext): boolean => (num(c.event, 'attempt') ?? 0) > 0,
};
