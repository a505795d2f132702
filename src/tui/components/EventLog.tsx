/**
 * The trace around the cursor, one event a line (seq, virtual time,
 * process, kind, what it says); the cursor's event is marked ▶. A filter
 * keeps the kinds that contain one of its comma-separated pieces, and the
 * cursor's own event (dim when its kind does not match).
 */
import React from 'react';
import { Box } from 'ink';
import type { Replay } from '../open.ts';
import { logWindow } from '../model/log-window.ts';
import { eventRow } from '../model/format.ts';
import { Line } from './Line.tsx';

export interface EventLogProps {
  replay: Replay;
  cursor: number;
  filter: string;
  width: number;
  height: number;
}

export function EventLog({ replay, cursor, filter, width, height }: EventLogProps): React.ReactElement {
  const rowsHeight = Math.max(1, height - 1);
  let w = logWindow(replay.index, cursor, filter, rowsHeight);
  // The cursor's event is always a row, marked ▶ (dim when the filter would hide it): it is what the screen is about.
  const hidden = !w.rows.includes(cursor);
  if (hidden) {
    const around = rowsHeight > 1 ? logWindow(replay.index, cursor, filter, rowsHeight - 1) : { rows: [], kinds: w.kinds };
    w = { rows: [...around.rows, cursor].sort((a, b) => a - b), kinds: w.kinds };
  }
  const title = filter
    ? `events matching "${filter}" (${w.kinds.length} kinds${w.kinds.length > 0 && w.kinds.length <= 4 ? `: ${w.kinds.join(', ')}` : ''})`
    : 'events (all kinds; / filters)';
  const lines: React.ReactElement[] = [
    <Line key="title" width={width} segments={[{ text: title, bold: true }, { text: '   seq  time  process  kind  what', dim: true }]} />,
  ];
  // One width for the process column over the rows shown (an `executor-0` among `broker`s keeps the kinds aligned).
  const processWidth = Math.max(8, ...w.rows.map((i) => replay.index.events[i]!.p.length));
  for (const i of w.rows) {
    const e = replay.index.events[i]!;
    const at = i === cursor;
    lines.push(<Line key={i} width={width} segments={[{ text: `${at ? '▶' : ' '}${eventRow(e, processWidth)}`, inverse: at, bold: at && !hidden, dim: at && hidden }]} />);
  }
  return <Box flexDirection="column">{lines.slice(0, Math.max(1, height))}</Box>;
}
