/**
 * The options, limits, results and statistics of a `World`.
 */
import type { BuggifyOptions } from './buggify.ts';
import type { DiskOptions } from './disk.ts';
import type { NetworkOptions } from './network.ts';
import type { TraceSubscriber } from '../runtime/trace-event.ts';

export interface WorldOptions {
  seed: number | string;
  network?: NetworkOptions;
  disk?: DiskOptions;
  /** How many recent trace events to keep in memory (default 10 000). */
  traceRing?: number;
  /** What processes see as `ctx.trace.detailed` (default true). */
  detailedTrace?: boolean;
  /**
   * Whether to trace every I/O step: net.send / net.deliver / net.drop and disk.write / disk.fsync
   * (default true). Faults on a disk (disk.torn, disk.lost, disk.corrupt) are traced either way.
   */
  traceIo?: boolean;
  buggify?: BuggifyOptions;
  /** Trace subscribers attached before the first event (`world.start`). */
  subscribers?: TraceSubscriber[];
  /** Hands every trace event to every subscriber, whatever kinds it names (see `TraceOptions.everyKind`). */
  traceEveryKind?: boolean;
  /** Whether to keep the trace hash (default true; see `TraceOptions.hash`). */
  hashTrace?: boolean;
}

export interface RunLimits {
  /** Process events due at or before this time, then stop with the clock at `untilMs`. */
  untilMs?: number;
  maxSteps?: number;
  /** Checked before every step. */
  stopWhen?: () => boolean;
}

export interface RunResult {
  reason: 'idle' | 'time' | 'steps' | 'stopped';
  steps: number;
  nowMs: number;
}

export interface WorldStats {
  steps: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  timersFired: number;
  crashes: number;
  restarts: number;
  partitions: number;
  latencySpikes: number;
  buggifyFired: number;
}
