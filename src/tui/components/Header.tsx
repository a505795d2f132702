/**
 * The top three lines: which run and where the cursor is (step i is trace
 * event i, so it equals the seq a checker names); the job's
 * attempt, faults and late records so far (on Kafka Streams: the group's
 * generation, commits, rebalances, restores and dropped records; on Spark:
 * the batch, the watermark, re-runs, retries, late rows and sink skips); the checkers' verdict (for a
 * failed check, its explanation and the key that jumps to it).
 */
import React from 'react';
import { Box } from 'ink';
import type { Replay } from '../open.ts';
import type { ReplayState } from '../model/types.ts';
import { fmtMs, fmtNum, fmtWm } from '../model/format.ts';
import type { KsState } from '../model/kstreams.ts';
import type { SparkState } from '../model/spark.ts';
import { PLAY_SPEEDS_MS, type ReplayUi } from '../controller.ts';
import { Line, type Segment } from './Line.tsx';

export const HEADER_LINES = 3;

export function Header({ replay, state, ui, width }: { replay: Replay; state: ReplayState; ui: ReplayUi; width: number }): React.ReactElement {
  const m = replay.rec.meta;
  // A trace file does not say which engine ran it; its events do (replay.engine).
  const named = m.engine ?? replay.engine;
  const engine = named !== 'flink' ? named : undefined;
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
  const faults: Segment[] = [
    { text: `faults ${state.faults}`, color: state.faults > 0 ? 'yellow' : undefined },
    { text: state.lastFault ? ` (last: ${state.lastFault.text})  ` : '  ' },
    { text: state.down.length > 0 ? `down: ${state.down.join(', ')}  ` : '', color: 'red', bold: true },
  ];
  // The newer engines' lines are longer: which processes are down comes before the last fault's words.
  const engineFaults: Segment[] = [faults[0]!, { text: '  ' }, faults[2]!, { text: state.lastFault ? `(last: ${state.lastFault.text})  ` : '' }];
  const job: Segment[] = state.ks
    ? ksCounters(state.ks, engineFaults)
    : state.spark
      ? sparkCounters(state.spark, engineFaults)
      : [
          { text: `job attempt ${state.jobAttempt < 0 ? '—' : state.jobAttempt}${state.jobFinished ? ' finished' : ''}  ` },
          ...faults,
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

/** Kafka Streams: the group's generation and the counts that move in a run (the line is cut at the width, so these come first). */
function ksCounters(ks: KsState, faults: Segment[]): Segment[] {
  return [
    { text: `generation ${ks.group.generation < 0 ? '—' : ks.group.generation}`, bold: true },
    { text: ks.group.rebalancing ? ' rebalancing' : '', color: 'yellow' },
    { text: `  commits ${fmtNum(ks.commits)}  rebalances ${fmtNum(ks.rebalances)}  restores ${fmtNum(ks.restores)}  ` },
    ...faults,
    { text: `dropped ${fmtNum(ks.dropped)}`, color: ks.dropped > 0 ? 'red' : undefined },
  ];
}

/** Spark: the batch (and which run of it), the watermark, re-runs. */
function sparkCounters(sp: SparkState, faults: Segment[]): Segment[] {
  const b = sp.batches.get(sp.batch);
  return [
    { text: `batch ${sp.batch < 0 ? '—' : sp.batch}${b && b.runs > 1 ? ` (run ${b.runs})` : ''}${sp.finished ? ' finished' : ''}`, bold: true },
    { text: `  watermark ${fmtWm(sp.watermark)}  re-runs ${fmtNum(sp.reruns)}  ` },
    ...faults,
    { text: `retries ${fmtNum(sp.retries)}  late rows ${fmtNum(sp.lateRows)}  sink skips ${fmtNum(sp.sinkSkips)}` },
  ];
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
