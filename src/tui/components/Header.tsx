/**
 * The top three lines: which run and where the cursor is (step i is trace
 * event i, so it equals the seq a checker names); the job's
 * attempt, faults and late records so far; the checkers' verdict (for a
 * failed check, its explanation and the key that jumps to it).
 */
import React from 'react';
import { Box } from 'ink';
import type { Replay } from '../open.ts';
import type { ReplayState } from '../model/types.ts';
import { fmtMs, fmtNum } from '../model/format.ts';
import { PLAY_SPEEDS_MS, type ReplayUi } from '../controller.ts';
import { Line, type Segment } from './Line.tsx';

export const HEADER_LINES = 3;

export function Header({ replay, state, ui, width }: { replay: Replay; state: ReplayState; ui: ReplayUi; width: number }): React.ReactElement {
  const m = replay.rec.meta;
  const engine = m.engine !== undefined && m.engine !== 'flink' ? m.engine : undefined;
  const run = [m.title, engine, m.guarantee, m.bugs.length > 0 ? `bug ${m.bugs.join(',')}` : undefined].filter(Boolean).join(' · ');
  const play = ui.playing ? `▶ ${fmtNum(PLAY_SPEEDS_MS[ui.speed]! * 10)} ms/s` : '❚❚ paused';
  // Where the cursor is and whether it plays come first: a narrow screen cuts the run's description instead.
  const line1: Segment[] = [
    { text: 'weir replay ', bold: true, color: 'cyan' },
    { text: `step ${fmtNum(ui.cursor)}/${fmtNum(replay.index.length - 1)}  ` },
    { text: `t ${fmtMs(state.timeMs)}  `, bold: true },
    { text: `${play}  `, dim: !ui.playing },
    { text: run },
  ];
  const job: Segment[] = [
    { text: `job attempt ${state.jobAttempt < 0 ? '—' : state.jobAttempt}${state.jobFinished ? ' finished' : ''}  ` },
    { text: `faults ${state.faults}`, color: state.faults > 0 ? 'yellow' : undefined },
    { text: state.lastFault ? ` (last: ${state.lastFault.text})  ` : '  ' },
    { text: state.down.length > 0 ? `down: ${state.down.join(', ')}  ` : '', color: 'red', bold: true },
    { text: `firings ${fmtNum(state.firings)}  late ${fmtNum(state.lateRecords)}  late joins ${fmtNum(state.lateJoins)}` },
  ];
  return (
    <Box flexDirection="column">
      <Line segments={line1} width={width} />
      <Line segments={job} width={width} />
      <Line segments={checkSegments(replay)} width={width} />
    </Box>
  );
}

function checkSegments(replay: Replay): Segment[] {
  const checks = replay.rec.meta.checks;
  if (checks === undefined) return [{ text: 'checks: a trace file does not hold verdicts (replay the run\'s token to see them)', dim: true }];
  const failed = replay.violations;
  if (failed.length === 0) return [{ text: `✓ all ${checks.length} checks passed`, color: 'green' }];
  const first = failed[0]!;
  return [
    { text: `✗ ${failed.length} of ${checks.length} checks failed  `, color: 'red', bold: true },
    { text: `${first.check}: `, color: 'red' },
    { text: `(v: step ${fmtNum(first.index)}) `, bold: true },
    { text: first.detail },
  ];
}
