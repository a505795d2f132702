/**
 * `weir run --trace FILE`: streams every trace event of a run to FILE as
 * canonical JSON lines (the same lines the trace hash is computed over, so
 * the file's hash equals the run's traceHash).
 *
 * Lines go to `FILE.tmp`, buffered and appended synchronously; only a run
 * that reached its verdict (passed or failed) renames it to FILE. A run that
 * throws removes the temporary file, so FILE is never left half-written and
 * an old FILE is only replaced by a complete one.
 */
import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { eventLine, type TraceSubscriber } from '../sim/trace.ts';
import { UsageError } from './usage-error.ts';

export interface TraceOut {
  subscriber: TraceSubscriber;
  /** Flushes and renames FILE.tmp to FILE. */
  commit(): void;
  /** Removes FILE.tmp. */
  discard(): void;
}

const BUFFER_LINES = 4096;

/** Opens `path + '.tmp'` (truncated) or throws a UsageError saying why it cannot be written. */
export function openTraceOut(path: string): TraceOut {
  const tmp = `${path}.tmp`;
  try {
    writeFileSync(tmp, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot write trace file "${path}" (${code}); check the folder exists and is writable`);
  }
  let buffer: string[] = [];
  const flush = (): void => {
    if (buffer.length === 0) return;
    appendFileSync(tmp, buffer.join(''));
    buffer = [];
  };
  return {
    subscriber: (e) => {
      buffer.push(eventLine(e) + '\n');
      if (buffer.length >= BUFFER_LINES) flush();
    },
    commit: () => {
      flush();
      renameSync(tmp, path);
    },
    discard: () => {
      buffer = [];
      rmSync(tmp, { force: true });
    },
  };
}
