/**
 * The replay screen for a given cursor and settings: header, dataflow with
 * checkpoints and transactions beside the plot, the event log, an optional
 * narration box (walkthroughs) and one line of keys or feedback. It draws
 * exactly `rows` lines of at most `cols` characters, so it fits an 80×24
 * terminal and spreads out in a bigger one.
 */
import React from 'react';
import { Box } from 'ink';
import type { Replay } from '../open.ts';
import { HELP_LINES, type ReplayUi } from '../controller.ts';

/** In a lesson the arrows page through the narration, not the events (help says so). */
const LESSON_HELP = 'in a lesson: Enter → n  next narration step, ← p  back, m  the menu';
const LESSON_ARROWS = 'l h        one step forward / back (→ ← page the narration in a lesson)';
import { str } from '../model/fields.ts';
import { Header, HEADER_LINES } from './Header.tsx';
import { Dataflow, dataflowLines } from './Dataflow.tsx';
import { Checkpoints } from './Checkpoints.tsx';
import { Plot } from './Plot.tsx';
import { EventLog } from './EventLog.tsx';
import { Line, Plain } from './Line.tsx';

export const REPLAY_KEYS = 'space play  ←→ step  ][ ×10  c/C checkpoint  f/F fault  w/W watermark  v violation  / filter  ? help  q quit';

export interface ReplayViewProps {
  replay: Replay;
  ui: ReplayUi;
  cols: number;
  rows: number;
  /** Narration lines drawn above the footer (walkthroughs). */
  narration?: React.ReactElement;
  narrationLines?: number;
  /** The footer's key hints. */
  keys?: string;
}

export interface Layout {
  top: number;
  log: number;
  left: number;
  right: number;
  flow: number;
}

/** How the screen is split; every part at least a few lines, the top area about two thirds. */
export function layout(cols: number, rows: number, narrationLines: number, wantFlow: number): Layout {
  const body = Math.max(6, rows - HEADER_LINES - 1 - narrationLines);
  const log = Math.max(3, Math.floor(body * 0.35));
  const top = body - log;
  const left = Math.min(Math.max(40, Math.floor(cols * 0.55)), cols - 20);
  const flow = Math.min(wantFlow, Math.max(2, top - 4));
  return { top, log, left, right: Math.max(10, cols - left - 1), flow };
}

export function ReplayView({ replay, ui, cols, rows, narration, narrationLines = 0, keys = REPLAY_KEYS }: ReplayViewProps): React.ReactElement {
  const state = replay.index.stateAt(ui.cursor);
  const L = layout(cols, rows, narration ? narrationLines : 0, dataflowLines(replay));
  const focus = str(replay.index.events[ui.cursor] ?? { seq: 0, t: 0, p: '', kind: '' }, 'task');
  return (
    <Box flexDirection="column" width={cols} height={rows}>
      <Header replay={replay} state={state} ui={ui} width={cols} />
      {ui.help ? (
        <Box flexDirection="column" height={L.top + L.log}>
          <Plain text="keys" bold width={cols} />
          {narration ? <Plain text={`  ${LESSON_HELP}`} color="cyan" width={cols} /> : null}
          {HELP_LINES.map((h) => <Plain key={h} text={`  ${narration && h.startsWith('→ ←') ? LESSON_ARROWS : h}`} width={cols} />)}
        </Box>
      ) : (
        <>
          <Box flexDirection="row" height={L.top}>
            <Box flexDirection="column" width={L.left}>
              <Dataflow replay={replay} state={state} width={L.left - 1} height={L.flow} focusTask={focus} />
              <Checkpoints state={state} width={L.left - 1} height={L.top - L.flow} />
            </Box>
            <Box flexDirection="column" width={L.right}>
              <Plot replay={replay} cursor={ui.cursor} width={L.right} height={L.top} zoom={ui.zoom} />
            </Box>
          </Box>
          <Box height={L.log}>
            <EventLog replay={replay} cursor={ui.cursor} filter={ui.filter} width={cols} height={L.log} />
          </Box>
        </>
      )}
      {narration ? <Box height={narrationLines} flexDirection="column">{narration}</Box> : null}
      <Footer ui={ui} width={cols} keys={keys} />
    </Box>
  );
}

function Footer({ ui, width, keys }: { ui: ReplayUi; width: number; keys: string }): React.ReactElement {
  if (ui.editing !== undefined) {
    return <Line width={width} segments={[{ text: 'filter: ', bold: true }, { text: `${ui.editing}█`, color: 'cyan' }, { text: '  Enter apply · Esc cancel · e.g. barrier,txn', dim: true }]} />;
  }
  if (ui.note) return <Line width={width} segments={[{ text: ui.note, color: 'yellow' }]} />;
  return <Plain text={keys} width={width} dim />;
}
