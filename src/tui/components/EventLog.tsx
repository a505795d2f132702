/**
 * The trace around the cursor, one event a line (seq, virtual time,
 * process, kind, what it says); the cursor's event is marked ▶. A filter
 * keeps the kinds that contain one of its comma-separated pieces.
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
  const w = logWindow(replay.index, cursor, filter, rowsHeight);
  const title = filter
    ? `events matching "${filter}" (${w.kinds.length} kinds${w.kinds.length > 0 && w.kinds.length <= 4 ? `: ${w.kinds.join(', ')}` : ''})`
    : 'events (all kinds; / filters)';
  const lines: React.ReactElement[] = [
    <Line key="title" width={width} segments={[{ text: title, bold: true }, { text: '   seq  time  process  kind  what', dim: true }]} />,
  ];
  let markedCursor = false;
  for (const i of w.rows) {
    if (!markedCursor && i > cursor) {
      markedCursor = true;
      if (filter) lines.push(<Line key="cursor" width={width} segments={[{ text: `▶ (cursor at seq ${replay.index.events[cursor]?.seq ?? cursor}, not matching)`, dim: true }]} />);
    }
    const e = replay.index.events[i]!;
    const at = i === cursor;
    if (at) markedCursor = true;
    lines.push(<Line key={i} width={width} segments={[{ text: `${at ? '▶' : ' '}${eventRow(e)}`, inverse: at, bold: at }]} />);
  }
  if (w.rows.length === 0) lines.push(<Line key="none" width={width} segments={[{ text: ' no event of a matching kind', dim: true }]} />);
  return <Box flexDirection="column">{lines.slice(0, Math.max(1, height))}</Box>;
}
