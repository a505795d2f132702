/**
 * One lesson: the replay screen of the step's run with the narration box
 * above the key line. Enter or → goes to the next narration step, ← back;
 * each step moves the replay cursor to its event and sets the event log's
 * filter. The other replay keys (play, ] [, c, f, w, v, /) still work, so a
 * learner can look around and come back with ← →.
 */
import React, { useRef, useState } from 'react';
import { Box, Text, useInput, type Key } from 'ink';
import type { LessonReplays } from '../lessons/resolve.ts';
import { keyAction, splitKeys } from '../controller.ts';
import { useReplay } from '../use-replay.ts';
import type { Size } from '../use-terminal-size.ts';
import { ReplayView, type LessonRunLine } from './ReplayView.tsx';
import { Line } from './Line.tsx';
import { HEADER_LINES } from './Header.tsx';
import { mentions as mentionsOf, wrapText, type Mentions } from '../model/narration.ts';

const LESSON_KEYS = 'Enter/→ next  ← back  space play  ][ step  c f w v jump  / filter  m menu  q quit';

export interface LessonViewProps {
  loaded: LessonReplays;
  size: Size;
  onMenu: () => void;
  onQuit: () => void;
}

/** Lines a lesson screen leaves to its panels (dataflow or instances, and the event log) however long the narration. */
const MIN_PANEL_LINES = 8;

/**
 * How a narration fits the screen: its lines wrapped to the width, the text
 * lines of the narration box (at least 3, or 5 on a tall screen, at most
 * what leaves MIN_PANEL_LINES to the panels) and, when the text needs more,
 * its pages (each but the last ends with a line saying there is more).
 */
export function narrationFit(text: string, size: Size): { lines: string[]; box: number; pages: string[][] } {
  const lines = wrapText(text, size.cols);
  const base = size.rows >= 28 ? 5 : 3;
  const most = Math.max(2, size.rows - HEADER_LINES - 1 - 2 - MIN_PANEL_LINES);
  if (lines.length <= most) return { lines, box: Math.min(most, Math.max(base, lines.length)), pages: [lines] };
  const per = most - 1;
  const pages: string[][] = [];
  for (let k = 0; k < lines.length; k += per) pages.push(lines.slice(k, k + per));
  return { lines, box: most, pages };
}

export function LessonView({ loaded, size, onMenu, onQuit }: LessonViewProps): React.ReactElement {
  const [at, setAt] = useState({ step: 0, page: 0 });
  // Keys may arrive faster than frames: the step and page they move from are kept here, not read from a render.
  const atRef = useRef({ step: 0, page: 0 });
  const go = (step: number, page = 0): void => {
    atRef.current = { step, page };
    setAt({ step, page });
  };
  const run = loaded.steps[at.step]!.run;
  return <LessonStage key={run} loaded={loaded} size={size} step={at.step} page={at.page} atRef={atRef} go={go} onMenu={onMenu} onQuit={onQuit} />;
}

interface StageProps extends LessonViewProps {
  step: number;
  page: number;
  atRef: React.MutableRefObject<{ step: number; page: number }>;
  go: (step: number, page?: number) => void;
}

function LessonStage({ loaded, size, step, page, atRef, go, onMenu, onQuit }: StageProps): React.ReactElement {
  const s = loaded.steps[step]!;
  const replay = loaded.replays.get(s.run)!;
  const [ui, dispatch, latest] = useReplay({ index: replay.index, violations: replay.violations }, { cursor: s.index, filter: s.step.filter ?? '' });
  const last = loaded.steps.length - 1;
  const move = (to: number): void => {
    const next = loaded.steps[to]!;
    // Staying on the step (← on the first, Enter on the last) keeps its page and puts the cursor back on its event.
    go(to, to === atRef.current.step ? atRef.current.page : 0);
    // A step in another run remounts the stage (keyed by run) at that step; in this run, move the cursor now.
    if (next.run === s.run) {
      dispatch({ type: 'goto', index: next.index });
      dispatch({ type: 'set-filter', filter: next.step.filter ?? '' });
    }
  };
  /** Handles one key; false when the lesson is left (the remaining keys are dropped). */
  const onKey = (input: string, key: Partial<Key>): boolean => {
    const editing = latest.current.editing !== undefined;
    const now = atRef.current;
    // A narration longer than its box is paged: Enter shows the rest before it moves on, ← goes back a page first.
    const pages = narrationFit(loaded.steps[now.step]!.text, size).pages.length;
    if (!editing && (key.return || key.rightArrow || input === 'n')) {
      if (now.page + 1 < pages) go(now.step, now.page + 1);
      else move(Math.min(last, now.step + 1));
    } else if (!editing && (key.leftArrow || input === 'p' || input === 'b')) {
      if (now.page > 0) go(now.step, now.page - 1);
      else move(Math.max(0, now.step - 1));
    }
    else if (!editing && input === 'm') {
      onMenu();
      return false;
    } else {
      const a = keyAction(input, key, latest.current);
      if (a === 'quit') {
        onQuit();
        return false;
      }
      if (a) dispatch(a);
    }
    return true;
  };
  useInput((raw, rawKey) => {
    for (const [input, key] of splitKeys(raw, rawKey)) if (!onKey(input, key)) return;
  });
  const fit = narrationFit(s.text, size);
  const shownPage = Math.min(page, fit.pages.length - 1);
  const paged = fit.pages.length > 1;
  const more = shownPage + 1 < fit.pages.length;
  const narrationLines = 2 + fit.box;
  const runLabel = loaded.lesson.runs.length > 1 ? ` · run: ${loaded.lesson.runs.find((r) => r.key === s.run)?.label ?? s.run}` : '';
  const narration = (
    <Box flexDirection="column" width={size.cols} height={narrationLines} overflow="hidden" borderStyle="single" borderLeft={false} borderRight={false} borderBottom={false} borderColor="cyan">
      {/* The title line never shrinks: a long narration is cut at its end, not at the lesson's name and step. */}
      <Box flexShrink={0}>
        <Line
          width={size.cols}
          segments={[
            { text: `${loaded.lesson.title} — ${step + 1}/${loaded.steps.length}: `, color: 'cyan', bold: true },
            { text: s.step.title, bold: true },
            { text: runLabel, dim: true },
            { text: paged ? `  (page ${shownPage + 1}/${fit.pages.length})` : '', dim: true },
            { text: step === last && !more ? '  (last step: m menu, q quit)' : '', dim: true },
          ]}
        />
      </Box>
      {fit.pages[shownPage]!.map((line, k) => <Text key={k} wrap="truncate">{line || ' '}</Text>)}
      {more ? <Text dimColor wrap="truncate">{`▼ more: Enter (page ${shownPage + 1}/${fit.pages.length})`}</Text> : null}
    </Box>
  );
  const m = mentionsOf(s.text);
  return <ReplayView replay={replay} ui={ui} cols={size.cols} rows={size.rows} narration={narration} narrationLines={narrationLines} keys={LESSON_KEYS} mentions={m} runs={comparedRuns(loaded, s.run, m)} />;
}

/**
 * The lesson's runs, when the step's narration names what another run's
 * label names (a process that crashes there, say): the step compares the
 * runs, so the screen lists them, this one marked.
 */
export function comparedRuns(loaded: LessonReplays, run: string, m: Mentions): LessonRunLine[] {
  const runs = loaded.lesson.runs;
  const named = [...m.processes, ...m.tasks, ...m.txns];
  const compares = runs.some((r) => r.key !== run && named.some((n) => r.label.includes(n)));
  return runs.length > 1 && compares ? runs.map((r) => ({ label: r.label, current: r.key === run })) : [];
}
