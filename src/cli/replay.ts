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
import { existsSync } from 'node:fs';
import { parseArgs, parseIntFlag, valueOf } from './args.ts';
import { REPLAY_HELP } from './help.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { decodeToken, looksLikeToken, TokenError, type RunSettings } from '../explore/settings.ts';
import type { Recording } from '../tui/recording.ts';

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
  const args = parseArgs('replay', argv, { at: { value: true } });
  if (args.switches.has('help')) {
    process.stdout.write(REPLAY_HELP + SIDE_BY_SIDE_HELP);
    return EXIT.ok;
  }
  const targets = args.positionals;
  if (targets.length === 0) throw new UsageError('replay needs a repro token or a trace file (weir run prints the token; weir run … --trace FILE writes the file)');
  if (targets.length > MAX_SIDE_BY_SIDE) throw new UsageError(`weir replay shows one run, or up to ${MAX_SIDE_BY_SIDE} side by side; got ${targets.length} ("${targets[MAX_SIDE_BY_SIDE]!.slice(0, 40)}" is one too many)`);
  const rawAt = valueOf(args, 'at');
  const atMs = rawAt === undefined ? undefined : parseIntFlag('at', rawAt);
  const recordings: Recording[] = [];
  for (const target of targets) recordings.push(await load(target));
  if (recordings.length > 1) {
    await replaySideBySide(recordings, atMs);
    return EXIT.ok;
  }
  const { openReplay } = await import('../tui/open.ts');
  const replay = openReplay(recordings[0]!);
  if (!process.stdout.isTTY) {
    const { replaySummary } = await import('../tui/summary.ts');
    process.stdout.write(replaySummary(replay));
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
  const sbs = openSideBySide(recordings.map((r) => openReplay(r)));
  const start = Math.min(sbs.endMs, atMs ?? sbs.faults[0]?.t ?? 0);
  if (!process.stdout.isTTY) {
    process.stdout.write(`${frameText(sideBySideFrame(sbs, { t: start, note: undefined }, 80, 24))}\n`);
    return;
  }
  process.env.NODE_ENV ??= 'production';
  const { showSideBySide } = await import('../tui/screen.tsx');
  await showSideBySide(sbs, start);
}

/** A token (run again) or a trace file (read); bad input is a UsageError. */
export async function load(target: string): Promise<Recording> {
  const { readRecording, recordRun, RecordingError } = await import('../tui/recording.ts');
  try {
    // A file wins over a name that merely looks like a token (w2.jsonl).
    if (!existsSync(target) && looksLikeToken(target)) {
      const settings = settingsOf(target);
      if (process.stdout.isTTY) process.stderr.write(`weir: running ${settings.scenario} seed ${settings.seed}${settings.engine ? ` on ${settings.engine}` : ''} from the token…\n`);
      return await recordRun(settings, target);
    }
    return readRecording(target);
  } catch (e) {
    if (e instanceof RecordingError) throw new UsageError(e.message);
    throw e;
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
