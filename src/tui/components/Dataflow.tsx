/**
 * The dataflow at the cursor: each subtask with its watermark and status,
 * and on each input channel what it owes (see model/channels.ts): a barrier
 * that arrived and holds the channel (▮; ▯ under at-least-once, which does
 * not hold it), a barrier on the way (›), a watermark on the way (~). The task the cursor's event is about is bold.
 */
import React from 'react';
import { Box } from 'ink';
import type { Replay } from '../open.ts';
import type { ReplayState, TaskState, TaskStatus } from '../model/types.ts';
import { channelViews, type ChannelView } from '../model/channels.ts';
import { fmtWm, statusText } from '../model/format.ts';
import { Line, type Segment } from './Line.tsx';

const STATUS_COLOR: Record<TaskStatus, string | undefined> = {
  waiting: 'gray', running: 'green', aligning: 'yellow', snapshotting: 'magenta', crashed: 'red', restoring: 'yellow', finished: 'gray',
};

function channelText(v: ChannelView, wide: boolean, aligned: boolean): Segment {
  const wm = wide ? `${v.idle ? 'idle' : fmtWm(v.wm)}` : '';
  switch (v.mark) {
    case 'held':
      return { text: `${wm}${aligned ? '▮' : '▯'}${v.checkpoint} `, color: 'yellow', bold: aligned };
    case 'barrier':
      return { text: `${wm}›${v.checkpoint} `, color: 'magenta' };
    case 'watermark':
      return { text: `${wm}~ `, color: 'cyan' };
    default:
      return { text: `${wm}${wide ? '' : '·'} `, dim: !wide };
  }
}

export interface DataflowProps {
  replay: Replay;
  state: ReplayState;
  width: number;
  height: number;
  focusTask: string | undefined;
  /** Tasks the lesson's narration names: kept in view before the others. */
  mentioned?: readonly string[];
  /** Processes the narration names: the task managers' line is kept when one of them is a task manager. */
  processes?: readonly string[];
  /** A small screen: the title leaves out the legend of the channel marks. */
  compact?: boolean;
}

/** The task managers of a Flink run (every `tm-N` the trace starts), in order. */
const managersOf = new WeakMap<Replay, string[]>();
export function taskManagers(replay: Replay): string[] {
  let tms = managersOf.get(replay);
  if (!tms) {
    const names = new Set<string>();
    for (const i of replay.index.positions('proc.start')) {
      const p = replay.index.events[i]!.p;
      if (/^tm-\d+$/.test(p)) names.add(p);
    }
    tms = [...names].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
    managersOf.set(replay, tms);
  }
  return tms;
}

/** How many tasks each task manager runs now: `tasks per manager: tm-0 2 · tm-1 down · tm-2 0`. */
function managersLine(replay: Replay, state: ReplayState): Segment[] {
  const segs: Segment[] = [{ text: 'tasks per manager: ', bold: true }];
  taskManagers(replay).forEach((tm, k) => {
    const n = [...state.tasks.values()].filter((t) => t.process === tm && t.status !== 'crashed' && t.status !== 'finished').length;
    segs.push({ text: `${k > 0 ? ' · ' : ''}${tm} ` });
    segs.push(state.down.includes(tm) ? { text: 'down', color: 'red', bold: true } : { text: String(n), dim: n === 0 });
  });
  return segs;
}

const width = (segs: readonly Segment[]): number => segs.reduce((n, g) => n + g.text.length, 0);

export function Dataflow({ replay, state, width: w, height, focusTask, mentioned = [], processes = [], compact = false }: DataflowProps): React.ReactElement {
  const rows = dataflowRows(replay, state, w, height, focusTask, mentioned, processes, compact);
  return <Box flexDirection="column">{rows.map((segs, k) => <Line key={k} width={w} segments={segs} />)}</Box>;
}

/** The dataflow's lines (title, tasks, "… N more", task managers), in at most `height` lines of `w` columns. */
export function dataflowRows(replay: Replay, state: ReplayState, w: number, height: number, focusTask: string | undefined, mentioned: readonly string[] = [], processes: readonly string[] = [], compact = false): Segment[][] {
  const topo = replay.index.topology;
  const flow = topo.vertices.map((v) => `${v.name}${v.hasSink ? '+sink' : ''}`).join(' ▶ ');
  // At-least-once does not align: a barrier that arrived does not hold its channel.
  const aligned = replay.rec.meta.guarantee !== 'at-least-once';
  const legend = compact ? '' : aligned ? '  ▮ barrier in, channel held  › barrier  ~ watermark on the way' : '  ▯ barrier in (not held)  › barrier  ~ watermark on the way';
  const out: Segment[][] = [[{ text: 'dataflow ', bold: true }, { text: flow, color: 'cyan' }, { text: legend, dim: true }]];
  const tms = taskManagers(replay);
  // The task managers' line when there is room for it under every task, or when the narration names one.
  const wantManagers = tms.length > 0 && (height - 1 > topo.order.length || processes.some((p) => tms.includes(p)));
  const room = Math.max(0, height - 1 - (wantManagers ? 1 : 0));
  const shown = pickTasks(topo.order, topo.order.length <= room ? room : room - 1, focusTask, mentioned);
  const states = shown.map((name) => state.tasks.get(name));
  // Columns as wide as the widest shown value, when the usual widths would push the channels' watermarks off the line.
  const nameWidth = Math.max(4, ...topo.order.map((n) => n.length));
  const loose = { name: nameWidth, wm: 9, status: 13 };
  const tight = {
    name: Math.max(4, ...shown.map((n) => n.length)),
    wm: Math.max(1, ...states.map((t) => fmtWm(t?.watermark).length)),
    status: 1 + Math.max(7, ...states.map((t) => (t ? statusText(t).length : 7))),
  };
  const variant = (t: TaskState, pad: typeof loose, withWm: boolean, withProcess: boolean): Segment[] => [
    { text: t.name.padEnd(pad.name), bold: t.name === focusTask, inverse: t.name === focusTask },
    { text: ` ${fmtWm(t.watermark).padStart(pad.wm)} `, bold: true },
    { text: statusText(t).padEnd(pad.status), color: STATUS_COLOR[t.status] },
    ...(withProcess ? [{ text: `${t.process.padEnd(5)} `, dim: true }] : []),
    ...channelViews(topo, state, t).map((v) => channelText(v, withWm, aligned)),
    ...(t.zombie ? [{ text: ` zombie on ${t.zombie}`, color: 'red' as const }] : []),
  ];
  const fits = (segs: Segment[]): boolean => width(segs) <= w;
  const pad = states.every((t) => !t || fits(variant(t, loose, true, false))) ? loose : tight;
  // One choice for every task with input channels, so that their channels line up: per-channel
  // watermarks first (the lessons cite them), then the task manager, as the width allows.
  const withChannels = states.filter((t): t is TaskState => t !== undefined && channelViews(topo, state, t).length > 0);
  const choices: [typeof loose, boolean, boolean][] = [[pad, true, true], [pad, true, false], [loose, false, true], [pad, false, false]];
  const [cPad, cWm, cProcess] = choices.find(([p, wm, pr]) => withChannels.every((t) => fits(variant(t, p, wm, pr)))) ?? choices[3]!;
  shown.forEach((name, k) => {
    const t = states[k];
    if (!t) {
      out.push([{ text: `${name.padEnd(pad.name)} ${'—'.padStart(pad.wm)} `, dim: true }, { text: 'waiting', color: 'gray' }]);
      return;
    }
    out.push(withChannels.includes(t) ? variant(t, cPad, cWm, cProcess) : variant(t, cPad, true, true));
  });
  if (shown.length < topo.order.length) out.push([{ text: `… ${topo.order.length - shown.length} more tasks`, dim: true }]);
  if (wantManagers) out.push(managersLine(replay, state));
  return out.slice(0, Math.max(1, height));
}

/** Columns the dataflow's lines want at most (the widest task line with its channels' watermarks). */
export function dataflowWidth(replay: Replay, state: ReplayState, height: number, focusTask: string | undefined, mentioned: readonly string[] = []): number {
  return Math.max(0, ...dataflowRows(replay, state, 1_000, height, focusTask, mentioned, [], true).slice(1).map(width));
}

/**
 * The tasks that fit in `rows`, in display order. When not all fit, the
 * task the cursor's event is about and the tasks the narration names come
 * first, then the rest of the cursor task's vertex, so the tasks being
 * talked about stay in view.
 */
export function pickTasks(order: readonly string[], rows: number, focus: string | undefined, mentioned: readonly string[] = []): string[] {
  if (order.length <= rows) return [...order];
  const vertexOf = (t: string): string => t.replace(/\[\d+\]$/, '');
  const named = [...(focus !== undefined ? [focus] : []), ...mentioned].filter((t) => order.includes(t));
  const sameVertex = focus !== undefined ? order.filter((t) => vertexOf(t) === vertexOf(focus)) : [];
  const chosen = new Set([...new Set([...named, ...sameVertex, ...order])].slice(0, Math.max(0, rows)));
  return order.filter((t) => chosen.has(t));
}

/** Lines the dataflow wants: a title, one per task and (Flink runs) the task managers. */
export function dataflowLines(replay: Replay): number {
  return 1 + replay.index.topology.order.length + (taskManagers(replay).length > 0 ? 1 : 0);
}
