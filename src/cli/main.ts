/**
 * The `weir` command: dispatches to one subcommand and turns its outcome
 * into an exit code. Names, flags, outputs and exit codes are a contract
 * (DESIGN.md, "The command line"):
 *
 *   0  every applicable check passed (or the command just printed something)
 *   1  a check failed; the output names it and prints the repro token
 *   2  bad input: exactly one line on stderr saying what is wrong and what to
 *      do, never a stack trace
 *   3  weir itself failed unexpectedly (a bug in weir, not in the run);
 *      one line on stderr, the stack with WEIR_DEBUG=1
 *
 * Subcommands are imported lazily, and each imports the engine only when it
 * needs it, so `weir --help` and `weir --version` load almost nothing.
 */
import { createRequire } from 'node:module';
import { MAIN_HELP } from './help.ts';
import { escapeControls, EXIT, quote, tokenBodyProblem, UsageError } from './usage-error.ts';

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  list: async () => (await import('./list.ts')).listCommand,
  run: async () => (await import('./run.ts')).runCommand,
  bugs: async () => (await import('./bugs.ts')).bugsCommand,
  explore: async () => (await import('./explore.ts')).exploreCommand,
  replay: async () => (await import('./replay.ts')).replayCommand,
  walkthrough: async () => (await import('./walkthrough.ts')).walkthroughCommand,
  trace: async () => (await import('./trace.ts')).traceCommand,
  compare: async () => (await import('./compare.ts')).compareCommand,
};

const INTERNAL_ERROR = 3;

let stdoutHooked = false;

export async function main(argv: string[]): Promise<number> {
  // `weir list | head` closes the pipe early: that is the reader's choice, not an error.
  if (!stdoutHooked) {
    stdoutHooked = true;
    // Any other failure to write stdout (a full disk, /dev/full) is an output weir cannot use: one line, exit 2.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(EXIT.ok);
      process.stderr.write(`weir: cannot write to standard output: ${oneLine(e.message)}; free some space or send the output elsewhere\n`);
      process.exit(EXIT.badInput);
    });
  }
  try {
    return await dispatch(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`weir: ${oneLine(e.message)}\n`);
      return EXIT.badInput;
    }
    const err = e as Error;
    if (process.env.WEIR_DEBUG) process.stderr.write(`${err.stack ?? String(err)}\n`);
    process.stderr.write(`weir: internal error: ${oneLine(err.message ?? String(err))} (set WEIR_DEBUG=1 for the stack)\n`);
    return INTERNAL_ERROR;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(MAIN_HELP);
    return EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    if (rest.length > 0) throw new UsageError(`${command} takes nothing after it; got ${quote(rest[0]!)} (try: weir --version)`);
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  if (command === 'help') return help(rest);
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (load !== undefined) return (await load())(rest);
  if (command.startsWith('-')) throw new UsageError(`unknown flag ${quote(command)} (try: weir --help)`);
  throw new UsageError(tokenBodyProblem(command) ?? `unknown command ${quote(command)} (try: weir --help)`);
}

/** `weir help [command]` is `weir [command] --help`. */
async function help(rest: readonly string[]): Promise<number> {
  const [command] = rest;
  if (command === undefined) {
    process.stdout.write(MAIN_HELP);
    return EXIT.ok;
  }
  return dispatch([command, '--help']);
}

/** weir's own package.json, by self-reference: the same file from src/ and from the build in dist/. */
function version(): string {
  return (createRequire(import.meta.url)('weir/package.json') as { version: string }).version;
}

/** One line, whatever the message holds: line breaks become spaces, other control characters escapes. */
function oneLine(s: string): string {
  return escapeControls(s.replace(/\s*[\n\r]\s*/g, ' ').trim());
}
