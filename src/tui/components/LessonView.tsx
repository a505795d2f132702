/**
 * One lesson: the replay screen of the step's run with the narration box
 * above the key line. Enter or → goes to the next narration step, ← back;
 * each step moves the replay cursor to its event and sets the event log's
 * filter. The other replay keys (play, ] [, c, f, w, v, /) still work, so a
 * learner can look around and come back with ← →.
 */
import React, { useEffect, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import type { LessonReplays } from '../lessons/resolve.ts';
import { keyAction } from '../controller.ts';
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
  const run = loaded.steps[step]!.run;
  return <LessonStage key={run} loaded={loaded} size={size} step={step} setStep={setStep} onMenu={onMenu} onQuit={onQuit} />;
}

interface StageProps extends LessonViewProps {
  step: number;
  setStep: (n: number) => void;
}

function LessonStage({ loaded, size, step, setStep, onMenu, onQuit }: StageProps): React.ReactElement {
  const s = loaded.steps[step]!;
  const replay = loaded.replays.get(s.run)!;
  const [ui, dispatch] = useReplay({ index: replay.index, violations: replay.violations }, { cursor: s.index, filter: s.step.filter ?? '' });
  useEffect(() => {
    dispatch({ type: 'goto', index: s.index });
    dispatch({ type: 'set-filter', filter: s.step.filter ?? '' });
  }, [step]);
  const last = loaded.steps.length - 1;
  useInput((input, key) => {
    if (ui.editing === undefined) {
      if (key.return || key.rightArrow || input === 'n') return setStep(Math.min(last, step + 1));
      if (key.leftArrow || input === 'p' || input === 'b') return setStep(Math.max(0, step - 1));
      if (input === 'm') return onMenu();
    }
    const a = keyAction(input, key, ui);
    if (a === 'quit') onQuit();
    else if (a) dispatch(a);
  });
  const narrationLines = size.rows >= 28 ? 7 : 5;
  const runLabel = loaded.lesson.runs.length > 1 ? ` · run: ${loaded.lesson.runs.find((r) => r.key === s.run)?.label ?? s.run}` : '';
  const narration = (
    <Box flexDirection="column" width={size.cols} height={narrationLines} overflow="hidden" borderStyle="single" borderLeft={false} borderRight={false} borderBottom={false} borderColor="cyan">
      <Line
        width={size.cols}
        segments={[
          { text: `${loaded.lesson.title} — ${step + 1}/${loaded.steps.length}: `, color: 'cyan', bold: true },
          { text: s.step.title, bold: true },
          { text: runLabel, dim: true },
          { text: step === last ? '  (last step: m menu, q quit)' : '', dim: true },
        ]}
      />
      <Text wrap="wrap">{s.text}</Text>
    </Box>
  );
  return <ReplayView replay={replay} ui={ui} cols={size.cols} rows={size.rows} narration={narration} narrationLines={narrationLines} keys={LESSON_KEYS} />;
}
