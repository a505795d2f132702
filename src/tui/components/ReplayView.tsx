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
import { helpLines, nameLines, type ReplayUi } from '../controller.ts';

/** In a lesson the arrows page through the narration, not the events (help says so). */
const LESSON_HELP = 'in a lesson: Enter → n  next narration step (a long one shows its next page first), ← p  back, m  the menu';
const LESSON_ARROWS = 'l h        one step forward / back (→ ← page the narration in a lesson)';
import { str } from '../model/fields.ts';
import { Header, HEADER_LINES } from './Header.tsx';
import { Dataflow, dataflowLines, dataflowWidth } from './Dataflow.tsx';
import { Checkpoints } from './Checkpoints.tsx';
import { Plot } from './Plot.tsx';
import { EventLog } from './EventLog.tsx';
import { Line, Plain } from './Line.tsx';
import { KsGroupPanel, ksGroupLines, KsInstances } from './KStreamsPanels.tsx';
import { StoreView } from './StoreView.tsx';
import { SparkBatches, SparkExecutorsPanel, sparkExecutorLines } from './SparkPanels.tsx';
import type { ReplayState } from '../model/types.ts';
import { NO_MENTIONS, type Mentions } from '../model/narration.ts';

export const REPLAY_KEYS = 'space play  ←→ step  ][ ×10  c/C checkpoint  f/F fault  w/W watermark  v violation  / filter  ? help  q quit';
/** Kafka Streams' footer: commits for checkpoints, and the store view. */
const KSTREAMS_KEYS = 'space play  ←→ step  ][ ×10  c/C commit  f/F fault  s stores  v violation  / filter  ? help  q quit';

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
  /** What the narration talks about: kept in view on a small screen. */
  mentions?: Mentions;
  /** A lesson's runs, listed above the event log when the narration compares them. */
  runs?: readonly LessonRunLine[];
}

export interface LessonRunLine {
  label: string;
  current: boolean;
}

export interface Layout {
  top: number;
  log: number;
  left: number;
  right: number;
  flow: number;
}

/**
 * How the screen is split; every part at least a few lines, the top area
 * about two thirds. On a compact screen (a lesson in a short terminal, whose
 * narration comes first) the event log keeps fewer lines.
 */
export function layout(cols: number, rows: number, narrationLines: number, wantFlow: number, compact = false): Layout {
  const body = Math.max(compact ? 4 : 6, rows - HEADER_LINES - 1 - narrationLines);
  const log = compact ? Math.max(2, Math.round(body * 0.3)) : Math.max(3, Math.floor(body * 0.35));
  const top = body - log;
  const left = Math.min(Math.max(40, Math.floor(cols * 0.55)), cols - 20);
  const flow = Math.min(wantFlow, Math.max(2, top - 4));
  return { top, log, left, right: Math.max(10, cols - left - 1), flow };
}

/** Below this many rows a lesson's screen is compact: the narration first, the panels it does not talk about folded away. */
export const COMPACT_ROWS = 30;

export function ReplayView({ replay, ui, cols, rows, narration, narrationLines = 0, keys = REPLAY_KEYS, mentions = NO_MENTIONS, runs = [] }: ReplayViewProps): React.ReactElement {
  const state = replay.index.stateAt(ui.cursor);
  const compact = narration !== undefined && rows < COMPACT_ROWS;
  const full = layout(cols, rows, narration ? narrationLines : 0, dataflowLines(replay), compact);
  // The runs' lines come out of the top panels, which keep at least two lines.
  const runLines = Math.min(runs.length, Math.max(0, full.top - 2));
  const L = { ...full, top: full.top - runLines, flow: Math.min(full.flow, Math.max(2, full.top - runLines - 4)) };
  const atCursor = replay.index.events[ui.cursor] ?? { seq: 0, t: 0, p: '', kind: '' };
  const focus = str(atCursor, 'task');
  // The transaction the cursor's event names stays in view, as the narration's do.
  const cursorTxn = str(atCursor, 'txn');
  const txns = cursorTxn !== undefined && !mentions.txns.includes(cursorTxn) ? [...mentions.txns, cursorTxn] : mentions.txns;
  return (
    <Box flexDirection="column" width={cols} height={rows}>
      <Header replay={replay} state={state} ui={ui} width={cols} />
      {ui.help ? (
        <Box flexDirection="column" height={L.top + L.log}>
          <Plain text="keys" bold width={cols} />
          {narration ? <Plain text={`  ${LESSON_HELP}`} color="cyan" width={cols} /> : null}
          {helpLines(replay.engine).map((h) => <Plain key={h} text={`  ${narration && h.startsWith('→ ←') ? LESSON_ARROWS : h}`} width={cols} />)}
          {/* Below the keys, cut first where the screen is short: how the engine names what the panels show. */}
          <Plain text="names" bold width={cols} />
          {nameLines(replay.engine).map((h) => <Plain key={`n${h}`} text={`  ${h}`} width={cols} />)}
        </Box>
      ) : ui.stores !== undefined && replay.engine === 'kstreams' ? (
        <>
          <StoreView source={replay.stores} seq={ui.cursor} playing={ui.playing} view={ui.stores} width={cols} height={L.top + L.log - storeLog(L.log)} />
          <Box height={storeLog(L.log)}>
            <EventLog replay={replay} cursor={ui.cursor} filter={ui.filter} width={cols} height={storeLog(L.log)} />
          </Box>
        </>
      ) : (
        <>
          {replay.engine !== 'flink' ? (
            <EnginePanels replay={replay} state={state} cursor={ui.cursor} zoom={ui.zoom} cols={cols} height={L.top} plot={!compact || mentions.plot} />
          ) : compact && !mentions.plot ? (
            <FlinkCompact replay={replay} state={state} cols={cols} height={L.top} focus={focus} mentions={{ ...mentions, txns }} />
          ) : (
          <Box flexDirection="row" height={L.top}>
            <Box flexDirection="column" width={L.left}>
              <Dataflow replay={replay} state={state} width={L.left - 1} height={L.flow} focusTask={focus} mentioned={mentions.tasks} processes={mentions.processes} compact={compact} />
              <Checkpoints state={state} width={L.left - 1} height={L.top - L.flow} mentioned={txns} />
            </Box>
            <Box flexDirection="column" width={L.right}>
              <Plot replay={replay} cursor={ui.cursor} width={L.right} height={L.top} zoom={ui.zoom} />
            </Box>
          </Box>
          )}
          {runLines > 0 ? <LessonRuns runs={runs.slice(0, runLines)} width={cols} /> : null}
          <Box height={L.log}>
            <EventLog replay={replay} cursor={ui.cursor} filter={ui.filter} width={cols} height={L.log} />
          </Box>
        </>
      )}
      {narration ? <Box height={narrationLines} flexDirection="column">{narration}</Box> : null}
      <Footer ui={ui} width={cols} keys={keys === REPLAY_KEYS ? engineKeys(replay) : keys} />
    </Box>
  );
}

/** The event log's lines under the store view: the cursor's event and a few around it. */
function storeLog(log: number): number {
  return Math.min(log, 5);
}

/** A lesson's runs, the one on screen marked ▶. */
function LessonRuns({ runs, width }: { runs: readonly LessonRunLine[]; width: number }): React.ReactElement {
  return (
    <Box flexDirection="column">
      {runs.map((r, k) => (
        <Line key={k} width={width} segments={[{ text: k === 0 ? 'lesson runs ' : ' '.repeat(12), bold: true }, { text: r.current ? '▶ ' : '  ', color: 'cyan' }, { text: r.label, bold: r.current, dim: !r.current }]} />
      ))}
    </Box>
  );
}

/** On Kafka Streams c/C step through commits, on Spark through batches (see TraceIndex). */
function engineKeys(replay: Replay): string {
  if (replay.engine === 'kstreams') return KSTREAMS_KEYS;
  if (replay.engine === 'spark') return REPLAY_KEYS.replace('c/C checkpoint', 'c/C batch');
  return REPLAY_KEYS;
}

/** The least the checkpoints and transactions get beside the dataflow on a compact screen. */
const MIN_CHECKPOINTS = 26;

/**
 * A Flink run on a compact screen, when the narration is not about the
 * plot: the dataflow as wide as its lines with the channels' watermarks
 * want, the checkpoints and transactions beside it, no plot.
 */
function FlinkCompact({ replay, state, cols, height, focus, mentions }: { replay: Replay; state: ReplayState; cols: number; height: number; focus: string | undefined; mentions: Mentions }): React.ReactElement {
  const left = Math.min(cols - MIN_CHECKPOINTS, Math.max(40, dataflowWidth(replay, state, height, focus, mentions.tasks) + 1));
  return (
    <Box flexDirection="row" height={height}>
      <Box flexDirection="column" width={left}>
        <Dataflow replay={replay} state={state} width={left - 1} height={height} focusTask={focus} mentioned={mentions.tasks} processes={mentions.processes} compact />
      </Box>
      <Box flexDirection="column" width={cols - left}>
        <Checkpoints state={state} width={cols - left} height={height} mentioned={mentions.txns} />
      </Box>
    </Box>
  );
}

/** The smallest plot worth drawing beside an engine's panels (title, axis and a few rows). */
const MIN_PLOT = 6;

/**
 * Kafka Streams and Spark runs: the engine's main panel on the left
 * (instances, tasks and stores; the driver, logs and batches), its second
 * panel at the top right (group and transactions; executors and sink) and
 * the event-time plot below that when there is room.
 */
function EnginePanels({ replay, state, cursor, zoom, cols, height, plot: withPlot }: { replay: Replay; state: ReplayState; cursor: number; zoom: number; cols: number; height: number; plot: boolean }): React.ReactElement {
  const left = Math.min(Math.max(40, Math.floor(cols * 0.55)), cols - 20);
  const right = Math.max(10, cols - left - 1);
  const focus = replay.index.events[cursor]?.p;
  const guarantee = replay.rec.meta.guarantee;
  const wanted = replay.engine === 'kstreams' ? ksGroupLines(state.ks) : sparkExecutorLines(state.spark);
  const side = withPlot && height - wanted >= MIN_PLOT ? wanted : height;
  const plot = height - side;
  return (
    <Box flexDirection="row" height={height}>
      <Box flexDirection="column" width={left}>
        {replay.engine === 'kstreams'
          ? <KsInstances ks={state.ks} width={left - 1} height={height} focus={focus} />
          : <SparkBatches spark={state.spark} width={left - 1} height={height} focus={focus} />}
      </Box>
      <Box flexDirection="column" width={right}>
        <Box flexDirection="column" height={side}>
          {replay.engine === 'kstreams'
            ? <KsGroupPanel ks={state.ks} width={right} height={side} focus={focus} guarantee={guarantee} />
            : <SparkExecutorsPanel spark={state.spark} width={right} height={side} focus={focus} guarantee={guarantee} />}
        </Box>
        {plot >= MIN_PLOT ? <Plot replay={replay} cursor={cursor} width={right} height={plot} zoom={zoom} /> : null}
      </Box>
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
