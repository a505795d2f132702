/**
 * `weir run --trace FILE`: streams every trace event of a run to FILE as
 * canonical JSON lines (the lines `weir trace --format jsonl` writes; they
 * hash to the run's traceHash, see src/sim/trace.ts). `-` streams them to
 * stdout.
 *
 * FILE is checked before the run starts and written whole or not at all
 * (output-file.ts): only a run that reached its verdict (passed or failed)
 * makes it final, and an old FILE is only replaced by a complete one.
 */
import { eventLine, type TraceSubscriber } from '../runtime/trace-event.ts';
import { openOutput } from './output-file.ts';

export interface TraceOut {
  subscriber: TraceSubscriber;
  /** True when the trace goes to stdout (the report then goes to stderr). */
  readonly toStdout: boolean;
  /** Flushes and makes FILE final. */
  commit(): void;
  /** Throws the trace away. */
  discard(): void;
}

const BUFFER_LINES = 4096;

/** Opens the trace output or throws a UsageError saying why `path` cannot be written. */
export function openTraceOut(path: string): TraceOut {
  const out = openOutput(path, 'trace file');
  let buffer: string[] = [];
  const flush = (): void => {
    if (buffer.length === 0) return;
    out.write(buffer.join(''));
    buffer = [];
  };
  return {
    toStdout: out.toStdout,
    subscriber: (e) => {
      buffer.push(eventLine(e) + '\n');
      if (buffer.length >= BUFFER_LINES) flush();
    },
    commit: () => {
      flush();
      out.commit();
    },
    discard: () => {
      buffer = [];
      out.discard();
    },
  };
}
