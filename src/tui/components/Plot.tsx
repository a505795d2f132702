/**
 * The event-time vs processing-time plot (see model/plot.ts for what each
 * mark means): event time across, processing time down, the cursor's time
 * on the bottom row, the lateness-deciding watermark as a line of `|`; its
 * key (every mark and what it stands for) after the title, or on lines of
 * its own when the title leaves no room for it.
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

/** The plot's key: each mark and what it stands for. */
export function legendItems(replay: Replay): { mark: string; text: string }[] {
  // Flink sends a late record to the side output (or a late firing joins it to its window); Kafka
  // Streams and Spark drop it, and have no late join.
  const flink = replay.engine !== 'kstreams' && replay.engine !== 'spark';
  const items = replay.plot.hasRecords
    ? [{ mark: '·', text: 'record' }, { mark: 'x', text: flink ? 'late output' : 'dropped late' }, ...(flink ? [{ mark: '+', text: 'late join' }] : []), { mark: ':', text: 'several' }]
    : [{ mark: 'o', text: 'firing' }, { mark: '+', text: 'late firing' }, { mark: 'x', text: 'late output' }, { mark: ':', text: 'several' }];
  // Kafka Streams has no watermark: grace is judged against stream time, so the plot draws no line.
  return replay.engine === 'kstreams' ? items : [...items, { mark: '|', text: 'watermark' }];
}

/** The key in lines of at most `width` columns, items kept whole (an item wider than a line is cut). */
function legendLines(items: { mark: string; text: string }[], width: number): Segment[][] {
  const lines: Segment[][] = [[]];
  let used = 0;
  for (const it of items) {
    const len = it.mark.length + 1 + it.text.length;
    if (used > 0 && used + 2 + len > width) {
      lines.push([]);
      used = 0;
    }
    const line = lines[lines.length - 1]!;
    if (used > 0) line.push({ text: '  ' });
    line.push({ text: it.mark, color: MARK_COLOR[it.mark], bold: true }, { text: ` ${it.text}`, dim: true });
    used += (used > 0 ? 2 : 0) + len;
  }
  return lines;
}

export function Plot({ replay, cursor, width, height, zoom }: PlotProps): React.ReactElement {
  const ms = PLOT_SCALES_MS[zoom] ?? 50;
  const cols = Math.max(4, width - LABEL);
  const items = legendItems(replay);
  const scale = `time ↓ ${fmtNum(ms)} ms a cell  `;
  // Kafka Streams has no watermark to show (grace is judged by stream time).
  const head = (wm: number | undefined): Segment[] => [{ text: 'event time → ', bold: true }, { text: replay.engine === 'kstreams' ? '' : `| wm ${fmtWm(wm)}  `, color: 'cyan' }];
  // The key follows the title when the line has room for all of it, else it takes lines of its own
  // (as many as it needs, when the plot keeps a few rows; else one, cut).
  const inline = legendLines(items, Number.MAX_SAFE_INTEGER)[0]!;
  const fitsInline = 'event time → | wm -9,999,999  '.length + scale.length + inline.reduce((n, g) => n + g.text.length, 0) <= width;
  const wrapped = fitsInline ? [] : legendLines(items, width);
  const own = fitsInline ? [] : height - 2 - wrapped.length >= 3 ? wrapped : height >= 6 ? [wrapped.flat()] : [];
  const rowCount = Math.max(1, height - 2 - own.length);
  const g = plotGrid(replay.plot, cursor, cols, rowCount, ms);
  const title: Segment[] = [...head(g.watermark), { text: scale, dim: true }, ...(own.length === 0 ? inline : [])];
  const left = seconds(g.eventStartMs);
  const right = seconds(g.eventEndMs);
  const axis = `${' '.repeat(LABEL)}${left}${' '.repeat(Math.max(1, cols - left.length - right.length))}${right}`;
  return (
    <Box flexDirection="column">
      <Line segments={title} width={width} />
      {own.map((segs, k) => <Line key={`key${k}`} segments={segs} width={width} />)}
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
