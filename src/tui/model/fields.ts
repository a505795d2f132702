/**
 * Typed reads of trace event fields. A trace file is input from outside, so
 * a field of the wrong type reads as absent rather than throwing: the UI
 * shows less, never crashes on an odd event.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';

export function num(e: TraceEvent, key: string): number | undefined {
  const v = e[key];
  return typeof v === 'number' ? v : undefined;
}

export function str(e: TraceEvent, key: string): string | undefined {
  const v = e[key];
  return typeof v === 'string' ? v : undefined;
}

export function numOr(e: TraceEvent, key: string, fallback: number): number {
  const v = e[key];
  return typeof v === 'number' ? v : fallback;
}

const parsedNames = new Map<string, { vertex: string; subtask: number }>();
const PARSED_NAMES_MAX = 10_000;

/** `window[1]` → `{ vertex: 'window', subtask: 1 }`; other names are a vertex of their own, subtask 0. Memoized: names repeat endlessly. */
export function parseTaskName(name: string): { vertex: string; subtask: number } {
  const known = parsedNames.get(name);
  if (known) return known;
  const m = /^(.*)\[(\d+)\]$/.exec(name);
  const parsed = m ? { vertex: m[1]!, subtask: Number(m[2]) } : { vertex: name, subtask: 0 };
  if (parsedNames.size < PARSED_NAMES_MAX) parsedNames.set(name, parsed);
  return parsed;
}
