/**
 * Shared fixtures of the TUI tests: small fixed runs recorded once per test
 * file, a canonical form of the replay state for comparisons, and a pause
 * that lets Ink re-render after a key press.
 */
import { recordRun, type Recording } from '../../src/tui/recording.ts';
import { openReplay, type Replay } from '../../src/tui/open.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import type { ReplayState } from '../../src/tui/model/types.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

/** wordcount, 300 words, light faults (a broker crash), exactly-once: passes. */
export const WORDCOUNT: RunSettings = { scenario: 'wordcount', seed: 1, events: 300, guarantee: 'exactly-once', faults: 'light', bugs: [] };

/** The same run with late records dropped silently: exactly-once fails. */
export const DROPPING: RunSettings = { ...WORDCOUNT, bugs: ['drop-late-silently'] };

/** tm-1 crashes before checkpoint 3 completes; at-least-once writes replayed windows twice. */
export const CRASH_ALO: RunSettings = {
  scenario: 'wordcount', seed: 1, events: 200, guarantee: 'at-least-once', faults: 'none', bugs: [],
  plan: { faults: [{ kind: 'crash', atMs: 1618, process: 'tm-1', restartAfterMs: 200 }] },
};

const recordings = new Map<string, Promise<Recording>>();

export function recording(s: RunSettings): Promise<Recording> {
  const key = JSON.stringify(s);
  let r = recordings.get(key);
  if (!r) recordings.set(key, (r = recordRun(s)));
  return r;
}

export async function replayOf(s: RunSettings): Promise<Replay> {
  return openReplay(await recording(s));
}

/** The state as plain JSON (maps as entry lists), for deep equality. */
export function canonical(s: ReplayState): unknown {
  return JSON.parse(JSON.stringify(s, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v)));
}

export const tick = (ms = 25): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `ok` holds (a frame can take tens of ms to draw); returns the last value read. */
export async function waitFor<T>(read: () => T, ok: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  let v = read();
  for (let waited = 0; !ok(v) && waited < timeoutMs; waited += 10) {
    await tick(10);
    v = read();
  }
  return v;
}

/**
 * The step of the first event of `kind` by `p` after step `from` that `match` takes: tests find the
 * steps they look at by what happens there, not by a step number, which any timing change moves.
 * Throws when there is none (the run changed).
 */
export function stepOf(r: Replay, kind: string, p: string, match: (e: TraceEvent) => boolean = () => true, from = -1): number {
  const step = r.index.positions(kind).find((i) => i > from && r.index.events[i]!.p === p && match(r.index.events[i]!));
  if (step === undefined) throw new Error(`no ${kind} by ${p} after step ${from}`);
  return step;
}

export const KEYS = { right: '\x1b[C', left: '\x1b[D', up: '\x1b[A', down: '\x1b[B', enter: '\r', escape: '\x1b' } as const;

/**
 * Kafka Streams, exactly_once_v2 (the kstreams lesson's first run): ks-0 cut off from the broker from
 * 1.3 s to 5.2 s (a zombie, then fenced and its transaction aborted), ks-1 crashing at 2.6 s.
 */
export const KS_FAULTS: RunSettings = {
  scenario: 'wordcount', engine: 'kstreams', seed: 9, events: 600, guarantee: 'exactly-once', faults: 'none', bugs: [],
  plan: {
    faults: [
      { kind: 'partition', atMs: 1_300, a: 'ks-0', b: 'broker', durationMs: 3_900 },
      { kind: 'crash', atMs: 2_600, process: 'ks-1', restartAfterMs: 300 },
    ],
  },
};

/**
 * Spark, exactly-once: the driver crashes at 1,668 ms between offsets/14 and commits/14, after the sink
 * wrote both partitions (so batch 14 re-runs and its sink skips the partitions already written),
 * executor-1 at 2,910 ms, two ms into its reduce of batch 22 (that reduce task sent again, to
 * executor-0). (1,700 and 2,924 ms before fsync delays were drawn per disk and millisecond; a crash
 * from 1,669 ms now finds commits/14 written.)
 */
export const SPARK_CRASHES: RunSettings = {
  scenario: 'wordcount', engine: 'spark', seed: 1, events: 400, guarantee: 'exactly-once', faults: 'none', bugs: [],
  plan: {
    faults: [
      { kind: 'crash', atMs: 1_668, process: 'driver', restartAfterMs: 300 },
      { kind: 'crash', atMs: 2_910, process: 'executor-1', restartAfterMs: 300 },
    ],
  },
};
