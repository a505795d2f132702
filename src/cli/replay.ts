/**
 * `weir replay <token | trace-file> …`: the terminal UI over recorded runs.
 *
 * One run: step by step (src/tui/components/ReplayApp.tsx). Two or three
 * runs — e.g. the tokens `weir compare` prints — play side by side on one
 * virtual-time cursor (src/tui/side-by-side.ts), so the same crash can be
 * watched in each. `--at MS` starts the cursor at a virtual time.
 *
 * A repro token is run again (runs are deterministic: this is the run, with
 * its checkers' verdicts and its input records); a trace file written by
 * `weir run --trace` is read as it is (no verdicts). On a terminal the UI
 * takes the screen until q; when stdout is not a terminal, a plain-text
 * summary (one run) or the side-by-side frame at `--at` or else the first
 * fault (several runs, 80×24) is printed instead. Exit 0 either way — the
 * replay shows a failed check, it does not judge again. Bad input (no such
 * file, a file that is not a trace, a malformed token, more than three runs,
 * a bad --at) is one line on stderr and exit 2.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { parseArgs, parseIntFlag, valueOf, type FlagSpec } from './args.ts';
import { REPLAY_HELP } from './help.ts';
import { formatBytes, memoryLimit } from './memory.ts';
import { preflight } from './preflight.ts';
import { EXIT, quote, tokenBodyProblem, UsageError } from './usage-error.ts';
import { decodeToken, looksLikeToken, TokenError, type RunSettings } from '../explore/settings.ts';
import type { RecordProgress, Recording } from '../tui/recording.ts';

export const REPLAY_FLAGS: Readonly<Record<string, FlagSpec>> = { at: { value: true } };

/** Runs shown side by side at most (one per engine). */
export const MAX_SIDE_BY_SIDE = 3;

const SIDE_BY_SIDE_HELP = `
Several runs side by side: weir replay <token|trace-file> <token|trace-file> [<token|trace-file>]
(up to ${MAX_SIDE_BY_SIDE}; e.g. the tokens weir compare prints, or weir compare … --replay).
The cursor is a virtual time: each run shows its state after its last event
at or before it. Keys: → ← next / previous event of any run, ] [ 100 ms,
f F next / previous fault in any run, g G start / end, q quit.

Options:
  --at MS   start the cursor at virtual time MS (one run: at its last event
            at or before MS)
`;

export async function replayCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('replay', argv, REPLAY_FLAGS);
  if (args.switches.has('help')) {
    process.stdout.write(REPLAY_HELP + SIDE_BY_SIDE_HELP);
    return EXIT.ok;
  }
  const targets = args.positionals;
  if (targets.length === 0) throw new UsageError('replay needs a repro token or a trace file (weir run prints the token; weir run … --trace FILE writes the file)');
  if (targets.length > MAX_SIDE_BY_SIDE) throw new UsageError(`weir replay shows one run, or up to ${MAX_SIDE_BY_SIDE} side by side; got ${targets.length} (${quote(targets[MAX_SIDE_BY_SIDE]!)} is one too many)`);
  const rawAt = valueOf(args, 'at');
  const atMs = rawAt === undefined ? undefined : parseIntFlag('at', rawAt);
  // Every target is checked (and its memory counted) before the first is loaded.
  const sources = await resolveTargets(targets);
  // Trace files first: a file that is not a trace is refused before any token's run is run.
  const loaded = new Map<Source, Recording>();
  for (const source of sources) if (source.kind === 'file') loaded.set(source, await loadSource(source));
  for (const source of sources) if (source.kind === 'token') loaded.set(source, await loadSource(source));
  const recordings = sources.map((s) => loaded.get(s)!);
  if (recordings.length > 1) {
    await replaySideBySide(recordings, atMs);
    return EXIT.ok;
  }
  const { openReplay } = await import('../tui/open.ts');
  const replay = indexing(recordings, () => openReplay(recordings[0]!));
  if (!process.stdout.isTTY) {
    const { replaySummary } = await import('../tui/summary.ts');
    process.stdout.write(replaySummary(replay, atMs === undefined ? undefined : replay.index.stepAtTime(atMs)));
    return EXIT.ok;
  }
  // React's development build checks every render and halves the frame rate; this is a user's screen.
  process.env.NODE_ENV ??= 'production';
  const { showReplay } = await import('../tui/screen.tsx');
  await showReplay(replay, atMs === undefined ? undefined : { cursor: replay.index.stepAtTime(atMs) });
  return EXIT.ok;
}

/**
 * Several recorded runs on one virtual-time cursor: the terminal UI, or
 * without a terminal the frame at `atMs` (default: the first fault in any
 * run) as plain text at 80×24.
 */
export async function replaySideBySide(recordings: readonly Recording[], atMs: number | undefined): Promise<void> {
  const [{ openReplay }, { openSideBySide, sideBySideFrame, frameText }] = await Promise.all([import('../tui/open.ts'), import('../tui/side-by-side.ts')]);
  const sbs = indexing(recordings, () => openSideBySide(recordings.map((r) => openReplay(r))));
  const start = Math.min(sbs.endMs, atMs ?? sbs.faults[0]?.t ?? 0);
  if (!process.stdout.isTTY) {
    process.stdout.write(`${frameText(sideBySideFrame(sbs, { t: start, note: undefined }, 80, 24))}\n`);
    return;
  }
  process.env.NODE_ENV ??= 'production';
  const { showSideBySide } = await import('../tui/screen.tsx');
  await showSideBySide(sbs, start);
}

/** A target resolved and checked: a token's run, or a trace file. */
export type Source =
  | { kind: 'token'; token: string; settings: RunSettings }
  | { kind: 'file'; path: string; bytes: number };

/**
 * Reads memory per byte of a trace file while it is opened: the file's text
 * (one byte per character), the events parsed from it (about twice the
 * text: a 10 MB file of 86,834 events held 20 MB once parsed), the index.
 */
const FILE_BYTES_FACTOR = 3;
/** The longest string V8 can hold (0x1fffffe8 characters): a trace file is read as one. */
const MAX_TRACE_FILE_BYTES = 0x1fffffe8;

/**
 * Checks every target before anything is loaded: a token decodes, names a
 * scenario this weir has, can run on its engine at its sizes; a file is a
 * readable regular file; and all of them together fit in memory. Bad input
 * is a UsageError.
 */
export async function resolveTargets(targets: readonly string[]): Promise<Source[]> {
  const sources: Source[] = [];
  for (const target of targets) {
    // A file wins over a name that merely looks like a token (w2.jsonl).
    if (!existsSync(target) && looksLikeToken(target)) sources.push({ kind: 'token', token: target, settings: settingsOf(target) });
    else sources.push({ kind: 'file', path: target, bytes: traceFileBytes(target) });
  }
  const tokens = sources.filter((s): s is Extract<Source, { kind: 'token' }> => s.kind === 'token');
  if (tokens.length > 0) {
    const { findScenario } = await import('../../scenarios/index.ts');
    const { tokenEngineProblem } = await import('../explore/engines.ts');
    for (const t of tokens) {
      const scenario = findScenario(t.settings.scenario);
      if (!scenario) throw new UsageError(`the repro token names scenario ${quote(t.settings.scenario)}, which this weir does not have (try: weir list)`);
      const problem = tokenEngineProblem(scenario, t.settings);
      if (problem !== undefined) throw new UsageError(problem);
      // Runs replayed side by side are all held at once: each is checked as one of that many.
      await preflight(scenario, t.settings, { use: 'replay', fromToken: true, runs: sources.length });
    }
  }
  const files = sources.filter((s) => s.kind === 'file').length;
  const fileBytes = sources.reduce((sum, s) => sum + (s.kind === 'file' ? s.bytes * FILE_BYTES_FACTOR : 0), 0);
  const limit = memoryLimit();
  // Each token's run was checked against its share of the limit (preflight's runs); the files share the rest.
  const forFiles = (bytes: number): number => (bytes * files) / sources.length;
  if (files > 0 && fileBytes > forFiles(limit.bytes)) {
    const share = files < sources.length ? ` (with ${sources.length - files} run${sources.length - files === 1 ? '' : 's'} from tokens beside them, ${formatBytes(forFiles(limit.bytes))} of it)` : '';
    throw new UsageError(`reading ${files > 1 ? 'these trace files' : 'this trace file'} needs about ${formatBytes(fileBytes)} of memory (${FILE_BYTES_FACTOR} bytes per byte of file), more than ${limit.what === 'heap' ? "Node's heap limit here" : "this machine's memory"}, ${formatBytes(limit.bytes)}${share}; replay the run from its token instead, or raise the limit: NODE_OPTIONS=--max-old-space-size=${Math.ceil((fileBytes * sources.length) / files / 2 ** 20 / 100) * 100}`);
  }
  return sources;
}

/** The size of a trace file that can be replayed; a UsageError saying why not. */
function traceFileBytes(path: string): number {
  const shown = quote(path, 60);
  const hint = 'give a trace file (weir run … --trace FILE) or a repro token';
  if (path === '') throw new UsageError(`an empty file name; ${hint}`);
  const fromBody = tokenBodyProblem(path);
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (fromBody !== undefined && code === 'ENOENT') throw new UsageError(fromBody);
    const why = code === 'ENOENT' ? 'no such file' : code === 'ELOOP' ? 'a loop of symbolic links' : code === 'ENAMETOOLONG' ? 'the name is too long' : code === 'ENOTDIR' ? 'a part of the path is not a folder' : `it cannot be read (${code})`;
    throw new UsageError(`cannot read trace file ${shown}: ${why}; ${hint}`);
  }
  if (st.isDirectory()) throw new UsageError(`${shown} is a folder; ${hint}`);
  if (!st.isFile()) throw new UsageError(`${shown} is not a regular file (a device, FIFO or socket); ${hint}`);
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    throw new UsageError(`cannot read trace file ${shown} (${(e as NodeJS.ErrnoException).code}); ${hint}`);
  }
  if (st.size > MAX_TRACE_FILE_BYTES) {
    throw new UsageError(`trace file ${shown} is ${formatBytes(st.size)}; weir replay reads trace files up to ${formatBytes(MAX_TRACE_FILE_BYTES)} (replay the run from its token instead)`);
  }
  return st.size;
}

/** Loads a checked target: a token's run recorded again, or a trace file read. */
async function loadSource(source: Source): Promise<Recording> {
  const { readRecording, recordRun, RecordingError } = await import('../tui/recording.ts');
  const { ScenarioSizeError } = await import('../explore/run.ts');
  const progress = LoadProgress.forTerminal();
  try {
    if (source.kind === 'token') {
      const { settings } = source;
      const what = `running ${settings.scenario} seed ${settings.seed} on ${settings.engine ?? 'flink'} from the token`;
      progress?.show(`${what}…`, true);
      return await recordRun(settings, source.token, progress && ((p) => progress.show(`${what}: ${runProgressText(p)}`)));
    }
    progress?.show(`reading ${source.path} (${formatBytes(source.bytes)})…`, true);
    return readRecording(source.path, progress && ((done, total) => progress.show(`reading ${source.path}: ${Math.floor((100 * done) / Math.max(1, total))}%`)));
  } catch (e) {
    if (e instanceof RecordingError) throw new UsageError(source.kind === 'file' ? e.message.replaceAll(`"${source.path}"`, quote(source.path, 60)) : e.message);
    if (e instanceof ScenarioSizeError) throw new UsageError(`the repro token cannot run here: ${e.message}`);
    throw e;
  } finally {
    progress?.clear();
  }
}

const num = (n: number): string => n.toLocaleString('en-US');

/** `open()` (building the replay index over the recordings' events), said on the terminal while it runs. */
function indexing<T>(recordings: readonly Recording[], open: () => T): T {
  const progress = LoadProgress.forTerminal();
  progress?.show(`indexing ${num(recordings.reduce((n, r) => n + r.events.length, 0))} trace events…`, true);
  try {
    return open();
  } finally {
    progress?.clear();
  }
}

/** How far a run is, by virtual time against its workload's last arrival (the run settles a little beyond it). */
export function runProgressText(p: RecordProgress): string {
  const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const detail = `virtual time ${secs(p.t)}${p.lastArrivalMs > 0 ? ` of about ${secs(p.lastArrivalMs)}` : ''}, ${num(p.events)} trace events`;
  return p.lastArrivalMs > 0 ? `${Math.min(99, Math.floor((100 * p.t) / p.lastArrivalMs))}% (${detail})` : detail;
}

/**
 * A one-line progress report on stderr while a replay loads, only when the
 * replay is drawn on a terminal: redrawn in place at most ten times a
 * second, cut to the terminal's width, erased once the load is done.
 */
export class LoadProgress {
  private lastMs = 0;
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream, private readonly now: () => number = Date.now) {}

  /** A progress line for this process's terminal, or undefined when stdout or stderr is not one. */
  static forTerminal(): LoadProgress | undefined {
    return process.stdout.isTTY && process.stderr.isTTY ? new LoadProgress(process.stderr) : undefined;
  }

  show(text: string, force = false): void {
    const t = this.now();
    if (!force && t - this.lastMs < 100) return;
    this.lastMs = t;
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const line = `weir: ${text}`;
    this.out.write(`\r\x1b[K${[...line].length > width ? `${[...line].slice(0, width - 1).join('')}…` : line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}

function settingsOf(token: string): RunSettings {
  try {
    return decodeToken(token);
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(e.message.startsWith('repro token is malformed') ? `${e.message}; copy the whole token from a replay: line` : e.message);
    throw e;
  }
}
