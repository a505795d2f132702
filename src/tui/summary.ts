/**
 * Plain text for when stdout is not a terminal (a pipe, a file, CI): the
 * replay's summary instead of the screen, and a lesson's narration with the
 * event each step points at. No colours, no cursor movement.
 */
import type { Replay } from './open.ts';
import type { LessonReplays } from './lessons/resolve.ts';
import type { Lesson } from './lessons/types.ts';
import { describeEvent, fmtMs, fmtNum, fmtWm, statusText } from './model/format.ts';
import type { TraceEvent } from '../runtime/trace-event.ts';
import type { ReplayState } from './model/types.ts';
import { isZombie, ksInstanceStatus } from './model/kstreams.ts';

const SHOWN_FAULTS = 10;

function at(replay: Replay, i: number): string {
  const e: TraceEvent = replay.index.events[i]!;
  const seq = e.seq === i ? '' : `seq ${e.seq}, `;
  return `step ${fmtNum(i)} (${seq}${fmtMs(e.t)}, ${e.p} ${e.kind}: ${describeEvent(e)})`;
}

/**
 * The replay as text: the run's state at its end, or, with `cursor` (a step, as `--at` sets it),
 * the state after that step and the faults up to it. The checks are the whole run's.
 */
export function replaySummary(replay: Replay, cursor?: number): string {
  const { index, rec } = replay;
  const m = rec.meta;
  const s = cursor === undefined ? index.finalState : index.stateAt(cursor);
  const topo = index.topology;
  const engine = m.engine ?? replay.engine;
  const lines = [
    `weir replay: ${[m.title, engine, m.guarantee, m.bugs.length > 0 ? `bugs ${m.bugs.join(',')}` : undefined].filter(Boolean).join(' · ')}`,
    `  trace        ${fmtNum(index.length)} events, virtual time ${fmtMs(index.finalState.timeMs)} (not a terminal: this is the replay's summary)`,
  ];
  if (cursor !== undefined) lines.push(`  cursor       ${cursor < 0 ? 'before the first event' : at(replay, cursor)}: the state below is the run's ${cursor < 0 ? 'at its start' : 'after it'}`);
  if (s.ks) lines.push(...kstreamsLines(s.ks));
  else if (s.spark) lines.push(...sparkLines(s.spark));
  else {
    lines.push(`  dataflow     ${topo.vertices.map((v) => `${v.name}${v.hasSink ? '+sink' : ''}`).join(' ▶ ')} (${topo.order.length} tasks)`);
    for (const name of topo.order) {
      const t = s.tasks.get(name);
      lines.push(`               ${name.padEnd(14)} wm ${fmtWm(t?.watermark).padStart(9)}  ${t ? statusText(t) : 'waiting'}${t ? `, attempt ${t.attempt} on ${t.process}` : ''}`);
    }
    lines.push(
      `  checkpoints  ${fmtNum(s.checkpointsCompleted)} completed, ${fmtNum(s.checkpointsAborted)} aborted${s.checkpointsLost > 0 ? `, ${fmtNum(s.checkpointsLost)} lost with the job manager` : ''}`,
      `  sink txns    ${fmtNum(s.txnsCommitted)} committed, ${fmtNum(s.txnsAborted)} aborted; ${fmtNum(s.committedOutput)} output records committed`,
      `  windows      ${fmtNum(s.firings)} firings, ${fmtNum(s.lateJoins)} late joins, ${fmtNum(s.lateRecords)} records to the late output`,
    );
  }
  const faults = faultSteps(replay).filter((i) => cursor === undefined || i <= cursor);
  lines.push(`  faults       ${faults.length === 0 ? `none happened${cursor === undefined ? '' : ' by then'}` : `${faults.length} fault and recovery steps${cursor === undefined ? '' : ' by then'}`}`);
  for (const i of faults.slice(0, SHOWN_FAULTS)) lines.push(`               - ${at(replay, i)}`);
  if (faults.length > SHOWN_FAULTS) lines.push(`               … and ${faults.length - SHOWN_FAULTS} more`);
  lines.push('', ...checkLines(replay));
  if (m.token) lines.push('', `in a terminal: npx weir replay ${m.token}`);
  return lines.join('\n') + '\n';
}

/** Kafka Streams at the end of the run: the group, each instance and its tasks, commits and the stores restored. */
function kstreamsLines(ks: NonNullable<ReplayState['ks']>): string[] {
  const out = [
    `  group        generation ${ks.group.generation < 0 ? '—' : ks.group.generation}${ks.group.rebalancing ? ' (rebalancing)' : ''}, ${fmtNum(ks.rebalances)} rebalances, ${fmtNum(ks.fenced)} fenced`,
  ];
  for (const i of ks.instances.values()) {
    out.push(`               ${i.name.padEnd(8)} ${isZombie(ks, i) ? 'zombie' : ksInstanceStatus(ks, i)}, tasks ${i.tasks.length > 0 ? i.tasks.join(' ') : '—'}`);
  }
  out.push(
    `  commits      ${fmtNum(ks.commits)}; transactions ${fmtNum(ks.txnsCommitted)} committed, ${fmtNum(ks.txnsAborted)} aborted`,
    `  stores       ${fmtNum(ks.restores)} restores from the changelog; ${fmtNum(ks.dropped)} records dropped by grace`,
  );
  return out;
}

/** Spark at the end of the run: its batches, logs, executors and sink. */
function sparkLines(sp: NonNullable<ReplayState['spark']>): string[] {
  const log = (name: string, top: number): string => (top < 0 ? `${name}/ empty` : `${name}/0–${top}`);
  return [
    sp.continuous
      ? `  epochs       ${sp.commitsLog < 0 ? 'none committed' : `0–${sp.commitsLog} committed`} (continuous processing), ${fmtNum(sp.failedRuns)} failed run${sp.failedRuns === 1 ? "" : "s"} started again`
      : `  batches      ${sp.batch < 0 ? 'none' : `0–${sp.batch}`}, ${fmtNum(sp.reruns)} re-runs, ${fmtNum(sp.retries)} task retries; watermark ${fmtWm(sp.watermark)}`,
    `  logs         ${log('offsets', sp.offsetsLog)}, ${log('commits', sp.commitsLog)}`,
    `  processes    driver ${sp.driver}; ${[...sp.executors.values()].map((e) => `${e.name} ${e.up ? 'up' : 'down'}`).join(', ') || 'no executor'}`,
    sp.memory
      ? `  sink         memory table ${sp.memory.name}: ${fmtNum(sp.memory.rows)} rows, ${fmtNum(sp.memory.added)} batches added, ${fmtNum(sp.sinkSkips)} skipped as held${sp.memory.refused ? '; a restarted driver refused to recover the query' : ''}; ${fmtNum(sp.lateRows)} late rows dropped`
      : `  sink         ${fmtNum(sp.sinkCommitted)} transactions committed, ${fmtNum(sp.sinkAborted)} aborted, ${fmtNum(sp.sinkSkips)} batches skipped as written; ${fmtNum(sp.lateRows)} late rows dropped`,
  ];
}

function faultSteps(replay: Replay): number[] {
  const out: number[] = [];
  for (let i = replay.index.jump('fault', -1, 1); i !== undefined; i = replay.index.jump('fault', i, 1)) out.push(i);
  return out;
}

function checkLines(replay: Replay): string[] {
  const checks = replay.rec.meta.checks;
  if (checks === undefined) return ['checks: a trace file does not hold verdicts (replay the run\'s token to see them)'];
  const width = Math.max(0, ...checks.map((c) => c.name.length));
  const lines = checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name.padEnd(width)}  ${c.detail}`);
  for (const v of replay.violations) lines.push(`  ✗ ${v.check} shows at ${at(replay, v.index)}: ${v.why}`);
  return lines;
}

/** Wraps `text` at `width` columns, indenting every line. */
export function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(indent + line);
  }
  return out;
}

export function lessonText(lr: LessonReplays): string {
  const l = lr.lesson;
  const lines = [`weir walkthrough ${l.name}: ${l.title} — ${l.summary}`];
  for (const r of l.runs) lines.push(`  run ${r.label}: ${lr.replays.get(r.key)!.rec.meta.token ?? ''}`);
  lr.steps.forEach((s, k) => {
    const replay = lr.replays.get(s.run)!;
    lines.push('', `${k + 1}. ${s.step.title}${l.runs.length > 1 ? ` [${s.run}]` : ''}`, `   at ${at(replay, s.index)}`, ...wrap(s.text, 78, '   '));
  });
  return lines.join('\n') + '\n';
}

export function menuText(lessons: readonly Lesson[]): string {
  const lines = ['weir walkthrough: narrated replays of real runs. Lessons:'];
  for (const l of lessons) lines.push(`  ${l.name.padEnd(14)} ${l.summary}`);
  lines.push('', 'Run `weir walkthrough <lesson>` in a terminal; piped, it prints the lesson\'s narration.');
  return lines.join('\n') + '\n';
}
