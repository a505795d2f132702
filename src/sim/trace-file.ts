/**
 * Writing and reading a trace as a JSON-lines file: one canonical event line
 * per line (see `eventLine`). Lines are buffered and appended synchronously;
 * call the returned close function in a `finally`, so that a run that throws
 * still leaves every event up to the failure on disk.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { JsonlTraceWriter, parseJsonl, type Trace } from './trace.ts';
import type { TraceEvent } from '../runtime/trace-event.ts';

/** Streams `trace` to `path` (truncated first), buffering up to `bufferLines` lines; returns a function that flushes and detaches. */
export function writeTraceFile(trace: Trace, path: string, bufferLines = 1024): () => void {
  writeFileSync(path, '');
  let buffer: string[] = [];
  const flush = (): void => {
    if (buffer.length === 0) return;
    appendFileSync(path, buffer.join(''));
    buffer = [];
  };
  const detach = new JsonlTraceWriter((line) => {
    buffer.push(line);
    if (buffer.length >= bufferLines) flush();
  }).attach(trace);
  return () => {
    detach();
    flush();
  };
}

export function readTraceFile(path: string): TraceEvent[] {
  return parseJsonl(readFileSync(path, 'utf8'));
}
