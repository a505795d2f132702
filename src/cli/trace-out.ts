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
import { openOutput, type OutputFile } from './output-file.ts';

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
  return traceLines(openOutput(path, 'trace file'));
}

/**
 * The trace as JSON lines into `out`, in chunks. A write that fails during
 * the run (a disk that fills up) does not reach the run: the lines after it
 * are dropped, and `commit` throws the write's one-line error instead of
 * making the file final.
 */
export function traceLines(out: OutputFile): TraceOut {
  let buffer: string[] = [];
  let failed: unknown;
  const flush = (): void => {
    if (buffer.length === 0 || failed !== undefined) return;
    try {
      out.write(buffer.join(''));
    } catch (e) {
      failed = e;
    }
    buffer = [];
  };
  return {
    toStdout: out.toStdout,
    subscriber: (e) => {
      if (failed !== undefined) return;
      buffer.push(eventLine(e) + '\n');
      if (buffer.length >= BUFFER_LINES) flush();
    },
    commit: () => {
      flush();
      if (failed !== undefined) {
        out.discard();
        throw failed;
      }
      out.commit();
    },
    discard: () => {
      buffer = [];
      out.discard();
    },
  };
}
