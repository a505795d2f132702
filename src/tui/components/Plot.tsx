/**
 * The event-time vs processing-time plot (see model/plot.ts for what each
 * mark means): event time across, processing time down, the cursor's time
 * on the bottom row, the lateness-deciding watermark as a line of `|`.
 */
import React from 'react';
import { Box, Text } from 'ink';
import type { Replay } from '../open.ts';
import { plotGrid, PLOT_SCALES_MS } from '../model/plot.ts';
import { fmtNum, fmtWm } from '../model/format.ts';
import { Line, type Segment } from './Line.tsx';

const LABEL = 8;
const MARK_COLOR: Record<string, string> = { '|': 'cyan', x: 'red', '+': 'yellow', o: 'green', '·': 'white', ':': 'white' };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(Math.abs(ms) < 100_000 ? 2 : 0)}s`;
}

function runs(row: string): Segment[] {
  const out: Segment[] = [];
  for (const ch of row) {
    const color = MARK_COLOR[ch];
    const last = out[out.length - 1];
    if (last && last.color === color) last.text += ch;
    else out.push({ text: ch, color });
  }
  return out;
}

export interface PlotProps {
  replay: Replay;
  cursor: number;
  width: number;
  height: number;
  zoom: number;
}

export function Plot({ replay, cursor, width, height, zoom }: PlotProps): React.ReactElement {
  const ms = PLOT_SCALES_MS[zoom] ?? 50;
  const cols = Math.max(4, width - LABEL);
  const what = replay.plot.hasRecords ? '· record  x late output  + late join' : 'o firing  + late firing  x late output';
  const scale = `time ↓ ${fmtNum(ms)} ms a cell  `;
  // The legend goes on a line of its own when the title would cut it.
  const head = (wm: number | undefined): Segment[] => [{ text: 'event time → ', bold: true }, { text: `| wm ${fmtWm(wm)}  `, color: 'cyan' }];
  const split = 'event time → | wm -9,999,999  '.length + scale.length + what.length > width && height >= 6;
  const rowCount = Math.max(1, height - (split ? 3 : 2));
  const g = plotGrid(replay.plot, cursor, cols, rowCount, ms);
  const title: Segment[] = [...head(g.watermark), { text: scale, dim: true }, ...(split ? [] : [{ text: what, dim: true }])];
  const legend: Segment[] = [{ text: what, dim: true }];
  const left = seconds(g.eventStartMs);
  const right = seconds(g.eventEndMs);
  const axis = `${' '.repeat(LABEL)}${left}${' '.repeat(Math.max(1, cols - left.length - right.length))}${right}`;
  return (
    <Box flexDirection="column">
      <Line segments={title} width={width} />
      {split ? <Line segments={legend} width={width} /> : null}
      {g.rows.map((row, r) => {
        const label = r === rowCount - 1 ? 'now ▸' : r === 0 ? seconds(g.timeStartMs + ms) : '';
        return (
          <Text key={r} wrap="truncate">
            <Text dimColor>{label.padStart(LABEL - 1)} </Text>
            {runs(row).map((s, i) => (
              <Text key={i} color={s.color}>
                {s.text}
              </Text>
            ))}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate">{axis.slice(0, width)}</Text>
    </Box>
  );
}
