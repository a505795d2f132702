/**
 * `weir replay <token | trace-file>`: the terminal UI over one recorded run.
 *
 * A repro token is run again (runs are deterministic: this is the run, with
 * its checkers' verdicts and its input records); a trace file written by
 * `weir run --trace` is read as it is (no verdicts). On a terminal the UI
 * takes the screen until q; when stdout is not a terminal, a plain-text
 * summary is printed instead. Exit 0 either way — the replay shows a failed
 * check, it does not judge again. Bad input (no such file, a file that is
 * not a trace, a malformed token) is one line on stderr and exit 2.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from './args.ts';
import { REPLAY_HELP } from './help.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { decodeToken, looksLikeToken, TokenError, type RunSettings } from '../explore/settings.ts';
import type { Recording } from '../tui/recording.ts';

export async function replayCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('replay', argv, {});
  if (args.switches.has('help')) {
    process.stdout.write(REPLAY_HELP);
    return EXIT.ok;
  }
  const [target, extra] = args.positionals;
  if (target === undefined) throw new UsageError('replay needs a repro token or a trace file (weir run prints the token; weir run … --trace FILE writes the file)');
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}": weir replay takes one token or trace file`);
  const rec = await load(target);
  const { openReplay } = await import('../tui/open.ts');
  const replay = openReplay(rec);
  if (!process.stdout.isTTY) {
    const { replaySummary } = await import('../tui/summary.ts');
    process.stdout.write(replaySummary(replay));
    return EXIT.ok;
  }
  // React's development build checks every render and halves the frame rate; this is a user's screen.
  process.env.NODE_ENV ??= 'production';
  const { showReplay } = await import('../tui/screen.tsx');
  await showReplay(replay);
  return EXIT.ok;
}

async function load(target: string): Promise<Recording> {
  const { readRecording, recordRun, RecordingError } = await import('../tui/recording.ts');
  try {
    // A file wins over a name that merely looks like a token (w2.jsonl).
    if (!existsSync(target) && looksLikeToken(target)) {
      const settings = settingsOf(target);
      if (process.stdout.isTTY) process.stderr.write(`weir: running ${settings.scenario} seed ${settings.seed} from the token…\n`);
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
