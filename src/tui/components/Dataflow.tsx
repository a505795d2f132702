/**
 * The dataflow at the cursor: each subtask with its watermark and status,
 * and on each input channel what it owes (see model/channels.ts): a barrier
 * that arrived and holds the channel (▮; ▯ under at-least-once, which does
 * not hold it), a barrier on the way (›), a watermark on the way (~). The task the cursor's event is about is bold.
 */
import React from 'react';
import { Box } from 'ink';
import type { Replay } from '../open.ts';
import type { ReplayState, TaskStatus } from '../model/types.ts';
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
}

export function Dataflow({ replay, state, width, height, focusTask }: DataflowProps): React.ReactElement {
  const topo = replay.index.topology;
  const flow = topo.vertices.map((v) => `${v.name}${v.hasSink ? '+sink' : ''}`).join(' ▶ ');
  const nameWidth = Math.max(4, ...topo.order.map((n) => n.length));
  // At-least-once does not align: a barrier that arrived does not hold its channel.
  const aligned = replay.rec.meta.guarantee !== 'at-least-once';
  const legend = aligned ? '  ▮ barrier in, channel held  › barrier  ~ watermark on the way' : '  ▯ barrier in (not held)  › barrier  ~ watermark on the way';
  const lines: React.ReactElement[] = [
    <Line key="title" width={width} segments={[{ text: 'dataflow ', bold: true }, { text: flow, color: 'cyan' }, { text: legend, dim: true }]} />,
  ];
  const room = Math.max(0, height - 1);
  const shown = pickTasks(topo.order, topo.order.length <= room ? room : room - 1, focusTask);
  for (const name of shown) {
    const t = state.tasks.get(name);
    if (!t) {
      lines.push(<Line key={name} width={width} segments={[{ text: `${name.padEnd(nameWidth)} ${'—'.padStart(9)} `, dim: true }, { text: 'waiting', color: 'gray' }]} />);
      continue;
    }
    const views = channelViews(topo, state, t);
    // Per-channel watermarks first (the lessons cite them), then the task manager, as the width allows.
    const variant = (withWm: boolean, withProcess: boolean): Segment[] => [
      { text: name.padEnd(nameWidth), bold: name === focusTask, inverse: name === focusTask },
      { text: ` ${fmtWm(t.watermark).padStart(9)} `, bold: true },
      { text: statusText(t).padEnd(13), color: STATUS_COLOR[t.status] },
      ...(withProcess ? [{ text: `${t.process.padEnd(5)} `, dim: true }] : []),
      ...views.map((v) => channelText(v, withWm, aligned)),
      ...(t.zombie ? [{ text: ` zombie on ${t.zombie}`, color: 'red' as const }] : []),
    ];
    const fits = (segs: Segment[]): boolean => segs.reduce((n, g) => n + g.text.length, 0) <= width;
    const segs = [variant(true, true), variant(true, false), variant(false, true)].find(fits) ?? variant(false, false);
    lines.push(<Line key={name} width={width} segments={segs} />);
  }
  if (shown.length < topo.order.length) {
    lines.push(<Line key="more" width={width} segments={[{ text: `… ${topo.order.length - shown.length} more tasks`, dim: true }]} />);
  }
  return <Box flexDirection="column">{lines}</Box>;
}

/**
 * The tasks that fit in `rows`, in display order. When not all fit, the
 * vertex of the task the cursor's event is about comes first, so the task
 * being talked about stays in view.
 */
export function pickTasks(order: readonly string[], rows: number, focus: string | undefined): string[] {
  if (order.length <= rows) return [...order];
  const vertexOf = (t: string): string => t.replace(/\[\d+\]$/, '');
  const first = focus !== undefined ? order.filter((t) => vertexOf(t) === vertexOf(focus)) : [];
  const chosen = new Set([...first, ...order].slice(0, rows));
  return order.filter((t) => chosen.has(t));
}

/** Lines the dataflow wants: a title and one per task. */
export function dataflowLines(replay: Replay): number {
  return 1 + replay.index.topology.order.length;
}
