/**
 * Reading a JSON-lines trace for replay, fast enough for million-event
 * files. Most lines of a trace are disk writes, fsyncs and log fetches,
 * whose fields the replay never folds into its state — it only shows them
 * in the event log. Those lines are not parsed up front: their seq, time,
 * process and kind are read from the canonical prefix every weir trace line
 * starts with (`{"seq":…,"t":…,"p":"…","kind":"…"`), and the line is kept
 * to be parsed when the event is shown (`fullEvent`). Every other line —
 * and any line without the canonical prefix — is parsed whole, so a trace
 * written some other way is still read correctly, only slower.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';

/** Kinds parsed only when shown. */
const LAZY_KINDS: ReadonlySet<string> = new Set(['disk.write', 'disk.fsync', 'log.fetch']);
const PREFIX = /^\{"seq":(\d+),"t":(-?\d+),"p":"([^"\\]*)","kind":"([^"\\]*)"[,}]/;

/** Lines between two calls of parseTraceText's `onProgress`. */
const PROGRESS_LINES = 8192;

/** Where a lazily read event keeps its line (a symbol: not a field, never enumerated). */
export const RAW_LINE: unique symbol = Symbol('trace line');

type LazyEvent = TraceEvent & { [RAW_LINE]?: string };

/**
 * Parses trace text; throws `trace line N: …` for a line that is not a trace
 * event, and for events out of order: a weir trace numbers its events 0, 1,
 * 2… (`seq`) and its virtual time never goes back, so a reordered,
 * duplicated or missing line would otherwise be replayed — and summarized —
 * as a run that never happened. `onProgress` hears how far the parse is, in
 * characters, every few thousand lines.
 */
export function parseTraceText(text: string, onProgress?: (doneChars: number, totalChars: number) => void): TraceEvent[] {
  const out: TraceEvent[] = [];
  let start = 0;
  for (let lineNo = 1; start < text.length; lineNo++) {
    if (onProgress !== undefined && lineNo % PROGRESS_LINES === 0) onProgress(start, text.length);
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    const e = parseLine(line, lineNo);
    const prev = out[out.length - 1];
    if (e.seq !== out.length) {
      const what = prev !== undefined && e.seq === prev.seq ? 'a duplicated event' : e.seq < out.length ? 'events out of order' : 'missing events';
      throw new Error(`trace line ${lineNo}: event seq ${e.seq} where ${out.length} was expected (${what})`);
    }
    if (prev !== undefined && e.t < prev.t) throw new Error(`trace line ${lineNo}: virtual time goes back from ${prev.t} to ${e.t} ms`);
    out.push(e);
  }
  return out;
}

function parseLine(line: string, lineNo: number): TraceEvent {
  const m = PREFIX.exec(line);
  if (m && LAZY_KINDS.has(m[4]!) && line.endsWith('}')) {
    const e: LazyEvent = { seq: Number(m[1]), t: Number(m[2]), p: m[3]!, kind: m[4]! };
    e[RAW_LINE] = line;
    return e;
  }
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`trace line ${lineNo}: not JSON`);
  }
  const e = v as TraceEvent;
  if (typeof v !== 'object' || v === null || typeof e.seq !== 'number' || typeof e.t !== 'number' || typeof e.p !== 'string' || typeof e.kind !== 'string') {
    throw new Error(`trace line ${lineNo}: not a trace event (needs seq, t, p, kind)`);
  }
  return e;
}

/** The event with all its fields (parses a lazily read line; a line that does not parse shows as its text). */
export function fullEvent(e: TraceEvent): TraceEvent {
  const raw = (e as LazyEvent)[RAW_LINE];
  if (raw === undefined) return e;
  try {
    return JSON.parse(raw) as TraceEvent;
  } catch {
    return { seq: e.seq, t: e.t, p: e.p, kind: e.kind, line: raw };
  }
}
