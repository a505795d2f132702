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
import { ReplayView } from './ReplayView.tsx';
import { Line } from './Line.tsx';

const LESSON_KEYS = 'Enter/→ next  ← back  space play  ][ step  c f w v jump  / filter  m menu  q quit';

export interface LessonViewProps {
  loaded: LessonReplays;
  size: Size;
  onMenu: () => void;
  onQuit: () => void;
}

export function LessonView({ loaded, size, onMenu, onQuit }: LessonViewProps): React.ReactElement {
  const [step, setStep] = useState(0);
  // Keys may arrive faster than frames: the step they move from is kept here, not read from a render.
  const stepRef = useRef(0);
  const go = (to: number): void => {
    stepRef.current = to;
    setStep(to);
  };
  const run = loaded.steps[step]!.run;
  return <LessonStage key={run} loaded={loaded} size={size} step={step} stepRef={stepRef} go={go} onMenu={onMenu} onQuit={onQuit} />;
}

interface StageProps extends LessonViewProps {
  step: number;
  stepRef: React.MutableRefObject<number>;
  go: (to: number) => void;
}

function LessonStage({ loaded, size, step, stepRef, go, onMenu, onQuit }: StageProps): React.ReactElement {
  const s = loaded.steps[step]!;
  const replay = loaded.replays.get(s.run)!;
  const [ui, dispatch, latest] = useReplay({ index: replay.index, violations: replay.violations }, { cursor: s.index, filter: s.step.filter ?? '' });
  const last = loaded.steps.length - 1;
  const move = (to: number): void => {
    const next = loaded.steps[to]!;
    go(to);
    // A step in another run remounts the stage (keyed by run) at that step; in this run, move the cursor now.
    if (next.run === s.run) {
      dispatch({ type: 'goto', index: next.index });
      dispatch({ type: 'set-filter', filter: next.step.filter ?? '' });
    }
  };
  /** Handles one key; false when the lesson is left (the remaining keys are dropped). */
  const onKey = (input: string, key: Partial<Key>): boolean => {
    const editing = latest.current.editing !== undefined;
    if (!editing && (key.return || key.rightArrow || input === 'n')) move(Math.min(last, stepRef.current + 1));
    else if (!editing && (key.leftArrow || input === 'p' || input === 'b')) move(Math.max(0, stepRef.current - 1));
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
  const narrationLines = size.rows >= 28 ? 7 : 5;
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
            { text: step === last ? '  (last step: m menu, q quit)' : '', dim: true },
          ]}
        />
      </Box>
      <Text wrap="wrap">{s.text}</Text>
    </Box>
  );
  return <ReplayView replay={replay} ui={ui} cols={size.cols} rows={size.rows} narration={narration} narrationLines={narrationLines} keys={LESSON_KEYS} />;
}
