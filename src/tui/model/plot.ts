/**
 * The event-time vs processing-time picture in characters: event time runs
 * across, processing time runs down, the bottom row is the cursor's time.
 *
 * What a mark means, and how exact it is:
 * - with the run's input records (a replayed token regenerates its workload
 *   from the seed): each record is a dot at its event time and the time it
 *   was appended to the input log — exact. `x` marks a record once it has
 *   been sent to the late side output (on Kafka Streams and Spark: once it
 *   was dropped as late from a window, `record.dropped` / `spark.late`), `+`
 *   one that joined an already-fired window within the allowed lateness;
 * - from a trace file alone the records are not known, so each window firing
 *   is an `o` at its window's last millisecond (`+` for a late firing) and
 *   each record sent to the late output an `x` at its timestamp, both at the
 *   time the engine decided;
 * - `|` is the watermark of the vertex that decides lateness (the minimum
 *   over its subtasks) as it stood at the end of each row; on Spark, the
 *   late watermark each batch ran with; Kafka Streams has no watermark
 *   (grace is judged against each operator's stream time), so no line.
 * The current watermark sits about two thirds across, so the future (on the
 * right) is in view.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { num } from './fields.ts';
import { upperBound } from './int-list.ts';
import type { TraceIndex } from './trace-index.ts';

export interface InputPoint {
  id: number;
  /** Event time. */
  ts: number;
  /** When it was appended to the input log (processing time). */
  atMs: number;
}

/** Scales of a plot cell in ms, smallest first (the z and Z keys step through them). */
export const PLOT_SCALES_MS = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 60_000] as const;

/** What the plot draws from, built once per recording. */
export class PlotData {
  readonly hasRecords: boolean;
  /** The smallest record timestamp (0 without records): the plot does not scroll left of it. */
  readonly minTs: number;
  private readonly atMs: Float64Array;
  private readonly ts: Float64Array;
  private readonly ids: Int32Array;
  /** The step at which each record id was sent to the late output / joined late (absent: never). */
  private readonly lateAt = new Map<number, number>();
  private readonly joinAt = new Map<number, number>();

  constructor(readonly index: TraceIndex, records?: readonly InputPoint[]) {
    const sorted = [...(records ?? [])].sort((a, b) => a.atMs - b.atMs || a.id - b.id);
    this.hasRecords = sorted.length > 0;
    this.atMs = Float64Array.from(sorted, (r) => r.atMs);
    this.ts = Float64Array.from(sorted, (r) => r.ts);
    this.ids = Int32Array.from(sorted, (r) => r.id);
    let min = Number.POSITIVE_INFINITY;
    for (const t of this.ts) if (t < min) min = t;
    this.minTs = Number.isFinite(min) ? min : 0;
    for (const i of index.positions('record.late')) firstStep(this.lateAt, index.events[i]!, i);
    for (const i of index.positions('window.late')) firstStep(this.joinAt, index.events[i]!, i);
    // Kafka Streams and Spark drop a late record instead of sending it to a side output: `x` too.
    for (const kind of ['record.dropped', 'spark.late']) {
      for (const i of index.positions(kind)) {
        const e = index.events[i]!;
        const ids = e.ids;
        if (typeof ids !== 'string' || (kind === 'record.dropped' && e.reason !== 'expired-window')) continue;
        for (const id of ids.split(',')) if (id !== '' && !this.lateAt.has(Number(id))) this.lateAt.set(Number(id), i);
      }
    }
  }


  /** The largest timestamp among records appended in (fromMs, toMs], or undefined. */
  maxTsIn(fromMs: number, toMs: number): number | undefined {
    let max: number | undefined;
    for (let k = upperBound(this.atMs, fromMs); k < this.atMs.length && this.atMs[k]! <= toMs; k++) max = max === undefined ? this.ts[k]! : Math.max(max, this.ts[k]!);
    return max;
  }

  /** Records appended in (fromMs, toMs], with their mark at step `cursor`. */
  recordsIn(fromMs: number, toMs: number, cursor: number, visit: (ts: number, atMs: number, mark: string) => void): void {
    for (let k = upperBound(this.atMs, fromMs); k < this.atMs.length && this.atMs[k]! <= toMs; k++) {
      const id = this.ids[k]!;
      const late = this.lateAt.get(id);
      const join = this.joinAt.get(id);
      const mark = late !== undefined && late <= cursor ? 'x' : join !== undefined && join <= cursor ? '+' : '·';
      visit(this.ts[k]!, this.atMs[k]!, mark);
    }
  }
}

function firstStep(map: Map<number, number>, e: TraceEvent, i: number): void {
  const id = num(e, 'id');
  if (id !== undefined && !map.has(id)) map.set(id, i);
}

export interface PlotGrid {
  /** One string per row, `cols` characters each; the last row is the cursor's time. */
  rows: string[];
  eventStartMs: number;
  eventEndMs: number;
  timeStartMs: number;
  timeEndMs: number;
  msPerCell: number;
  /** The lateness-deciding watermark at the cursor. */
  watermark: number | undefined;
}

const MARK_RANK: Record<string, number> = { ' ': 0, '|': 1, '·': 2, ':': 3, o: 4, '+': 5, x: 6 };

export function plotGrid(data: PlotData, cursor: number, cols: number, rowCount: number, msPerCell: number): PlotGrid {
  const index = data.index;
  const nowMs = index.events[cursor]?.t ?? 0;
  const wmNow = index.timeWatermarkAt(cursor);
  const anchor = wmNow !== undefined && Math.abs(wmNow) < Number.MAX_SAFE_INTEGER ? wmNow : nowMs;
  const timeStartMs = nowMs - rowCount * msPerCell;
  // The watermark two thirds across; moved right when the newest records would fall off the right
  // edge; never left of the first record (no empty stretch of negative times).
  let eventStartMs = Math.floor((anchor - Math.floor((2 * cols) / 3) * msPerCell) / msPerCell) * msPerCell;
  const newest = data.hasRecords ? data.maxTsIn(timeStartMs, nowMs) : undefined;
  if (newest !== undefined && newest >= eventStartMs + (cols - 2) * msPerCell) eventStartMs = Math.floor((newest - (cols - 3) * msPerCell) / msPerCell) * msPerCell;
  if (data.hasRecords) eventStartMs = Math.max(eventStartMs, Math.floor(data.minTs / msPerCell) * msPerCell);
  const grid = Array.from({ length: rowCount }, () => new Array<string>(cols).fill(' '));
  const put = (ts: number, atMs: number, mark: string): void => {
    const r = Math.ceil((atMs - timeStartMs) / msPerCell) - 1;
    const col = Math.floor((ts - eventStartMs) / msPerCell);
    if (r < 0 || r >= rowCount || col < 0 || col >= cols) return;
    const row = grid[r]!;
    const prev = row[col]!;
    const next = mark === '·' && (prev === '·' || prev === ':') ? ':' : mark;
    if ((MARK_RANK[next] ?? 0) >= (MARK_RANK[prev] ?? 0)) row[col] = next;
  };
  drawWatermark(index, cursor, grid, timeStartMs, eventStartMs, msPerCell);
  if (data.hasRecords) data.recordsIn(timeStartMs, nowMs, cursor, put);
  else drawDecisions(index, cursor, timeStartMs, put);
  return {
    rows: grid.map((r) => r.join('')),
    eventStartMs,
    eventEndMs: eventStartMs + cols * msPerCell,
    timeStartMs,
    timeEndMs: nowMs,
    msPerCell,
    watermark: wmNow,
  };
}

function drawWatermark(index: TraceIndex, cursor: number, grid: string[][], timeStartMs: number, eventStartMs: number, msPerCell: number): void {
  const pts = index.timeWatermarks;
  let k = 0;
  let wm: number | undefined;
  for (let r = 0; r < grid.length; r++) {
    const rowEndMs = timeStartMs + (r + 1) * msPerCell;
    while (k < pts.length && pts[k]!.t <= rowEndMs && pts[k]!.index <= cursor) wm = pts[k++]!.wm;
    if (wm === undefined) continue;
    const col = Math.floor((wm - eventStartMs) / msPerCell);
    if (col >= 0 && col < grid[r]!.length) grid[r]![col] = '|';
  }
}

/** Without records: firings and late-output decisions, at the time the engine made them. */
function drawDecisions(index: TraceIndex, cursor: number, timeStartMs: number, put: (ts: number, atMs: number, mark: string) => void): void {
  for (const kind of ['window.fire', 'record.late']) {
    const pos = index.positions(kind);
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (index.events[pos[mid]!]!.t <= timeStartMs) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < pos.length && pos[k]! <= cursor; k++) {
      const e = index.events[pos[k]!]!;
      if (kind === 'record.late') put(num(e, 'ts') ?? 0, e.t, 'x');
      else put((num(e, 'end') ?? 1) - 1, e.t, (num(e, 'firing') ?? 0) > 0 ? '+' : 'o');
    }
  }
}
