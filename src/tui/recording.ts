/**
 * A recorded run, ready to replay: every trace event, what is known about
 * the run, and — when it came from a repro token — its input records and the
 * checkers' verdicts. Loading is separate from drawing: `recordRun` re-runs a
 * token (a run is deterministic, so this is the run), `readRecording` reads a
 * JSON-lines trace file written by `weir run --trace`.
 */
import { readFileSync, statSync } from 'node:fs';
import type { TraceEvent } from '../runtime/trace-event.ts';
import { parseTraceText } from './model/trace-text.ts';
import type { RunSettings } from '../explore/settings.ts';
import type { Scenario } from '../../scenarios/types.ts';
import type { CheckVerdict } from './model/violations.ts';
import type { InputPoint } from './model/plot.ts';
import { num } from './model/fields.ts';

export interface RecordingMeta {
  /** Where the run came from: a token's scenario and seed, or a file name. */
  title: string;
  scenario: string | undefined;
  seed: number | undefined;
  guarantee: string | undefined;
  /** The engine the run ran on (a trace file does not say). */
  engine?: string;
  bugs: string[];
  token: string | undefined;
  path: string | undefined;
  /** The checkers' verdicts; a trace file does not hold them. */
  checks: CheckVerdict[] | undefined;
}

export interface Recording {
  events: TraceEvent[];
  meta: RecordingMeta;
  /** Input records with their event time and log-append time (only for a replayed token). */
  records: InputPoint[] | undefined;
}

export class RecordingError extends Error {}

/** How far a recording run is: trace events so far, the virtual time of the last, and when the workload's last record arrives. */
export interface RecordProgress {
  events: number;
  t: number;
  lastArrivalMs: number;
}

/** Trace events between two progress calls. */
const PROGRESS_EVERY = 1024;

/**
 * Runs the token's settings, keeping every trace event, and regenerates the
 * workload for the plot (before the run, so `onProgress` can say how far the
 * run is against the workload's last arrival).
 */
export async function recordRun(settings: RunSettings, token?: string, onProgress?: (p: RecordProgress) => void): Promise<Recording> {
  const [{ runScenario, sizesOf, UnknownScenarioError, ScenarioSizeError }, { findScenario }, { rootRng }] = await Promise.all([
    import('../explore/run.ts'), import('../../scenarios/index.ts'), import('../sim/rng.ts'),
  ]);
  const scenario = findScenario(settings.scenario);
  if (!scenario) throw new RecordingError(`unknown scenario "${settings.scenario}" (try: weir list)`);
  // The workload is a pure function of the seed and sizes: the same records the run reads
  // (a shrunk token keeps only some of them, by id).
  let input: { records: InputPoint[]; lastArrivalMs: number };
  try {
    input = inputPoints(scenario.workload(rootRng(settings.seed).fork('workload'), sizesOf(scenario, settings)), settings.keepIds);
  } catch (e) {
    if (e instanceof RangeError) throw new ScenarioSizeError(`scenario ${scenario.name} cannot run with these sizes: ${e.message}`);
    throw e;
  }
  const { records, lastArrivalMs } = input;
  const events: TraceEvent[] = [];
  const keepEvent = onProgress === undefined
    ? (e: TraceEvent) => void events.push(e)
    : (e: TraceEvent) => {
        if (events.push(e) % PROGRESS_EVERY === 0) onProgress({ events: events.length, t: e.t, lastArrivalMs });
      };
  let report;
  try {
    report = runScenario(settings, { subscribers: [keepEvent] });
  } catch (e) {
    if (e instanceof UnknownScenarioError) throw new RecordingError(e.message);
    throw e;
  }
  return {
    events,
    records,
    meta: {
      title: `${settings.scenario} seed ${settings.seed}`,
      scenario: settings.scenario,
      seed: settings.seed,
      guarantee: settings.guarantee,
      engine: settings.engine ?? 'flink',
      bugs: [...settings.bugs],
      token: token ?? report.token,
      path: undefined,
      checks: report.checks,
    },
  };
}

/** The input records as the plot draws them (only those kept, when `keepIds` is given), and the last arrival. */
function inputPoints(workload: ReturnType<Scenario['workload']>, keepIds: readonly number[] | undefined): { records: InputPoint[]; lastArrivalMs: number } {
  const keep = keepIds !== undefined ? new Set(keepIds) : undefined;
  const records: InputPoint[] = [];
  for (const a of workload.arrivals) {
    for (const r of a.records) if (!keep || keep.has(r.id)) records.push({ id: r.id, ts: r.ts, atMs: a.atMs });
  }
  return { records, lastArrivalMs: workload.arrivals[workload.arrivals.length - 1]?.atMs ?? 0 };
}

/**
 * Reads a trace file; a file that is missing, empty or not a weir trace is a
 * RecordingError naming why. `onProgress` hears how far the parse is.
 */
export function readRecording(path: string, onProgress?: (doneChars: number, totalChars: number) => void): Recording {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new RecordingError(`"${path}" is not a file; give a trace file (weir run … --trace FILE) or a repro token`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof RecordingError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new RecordingError(`cannot read trace file "${path}" (${code}); give a trace file (weir run … --trace FILE) or a repro token`);
  }
  let events: TraceEvent[];
  try {
    events = parseTraceText(text, onProgress);
  } catch (e) {
    throw new RecordingError(`"${path}" is not a weir trace: ${(e as Error).message}`);
  }
  if (events.length === 0) throw new RecordingError(`trace file "${path}" holds no events`);
  // Every trace weir writes begins with world.start and ends with world.end, even a run that threw.
  const again = 'write it again (weir trace TOKEN --format jsonl -o FILE)';
  if (events[0]!.kind !== 'world.start') throw new RecordingError(`trace file "${path}" does not begin with world.start, as every weir trace does: it is not a whole trace; ${again}`);
  if (events[events.length - 1]!.kind !== 'world.end') {
    throw new RecordingError(`trace file "${path}" stops after ${events.length.toLocaleString('en-US')} events without the run's end (world.end): it was cut short; ${again}`);
  }
  const start = events.find((e) => e.kind === 'world.start');
  return {
    events,
    records: undefined,
    meta: {
      title: path,
      scenario: undefined,
      seed: start ? num(start, 'seed') : undefined,
      guarantee: undefined,
      bugs: [],
      token: undefined,
      path,
      checks: undefined,
    },
  };
}
