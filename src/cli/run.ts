/**
 * `weir run <scenario|token>`: one simulated run, judged by the checkers.
 *
 * Exit code 0 when every check passed, 1 when one failed (the report names
 * it and prints the replay command), 2 on bad input (raised as UsageError
 * before anything runs). A run that throws — an engine assertion firing
 * under some seed — is a finding like a failed check, not bad input: it is
 * reported as the failed check `run.completes` with the repro token, and
 * exits 1. WEIR_DEBUG=1 adds the stack to stderr.
 */
import { parseArgs, valueOf } from './args.ts';
import { RUN_HELP } from './help.ts';
import { checkScenario, runRequest, RUN_FLAGS } from './run-settings.ts';
import { ANSI, bannerLine, checkLines, PLAIN, reportLines } from './run-report.ts';
import { openTraceOut, type TraceOut } from './trace-out.ts';
import { preflight } from './preflight.ts';
import { EXIT, UsageError } from './usage-error.ts';
import type { RunReport } from '../explore/run.ts';
import type { RunSettings } from '../explore/settings.ts';
import type { TraceEvent } from '../runtime/trace-event.ts';

export async function runCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('run', argv, RUN_FLAGS);
  if (args.switches.has('help')) {
    process.stdout.write(RUN_HELP);
    return EXIT.ok;
  }
  const req = runRequest(args);
  // The engine and the scenarios load only now, so help and bad flags answer quickly.
  const { findScenario } = await import('../../scenarios/index.ts');
  const scenario = checkScenario(req, findScenario);
  const checkDeterminism = args.switches.has('check-determinism');
  // Sizes and memory are checked before the banner, so bad input prints its one line and nothing else.
  await preflight(scenario, req.settings, { use: checkDeterminism ? 'determinism' : 'run', fromToken: req.fromToken });
  const { runScenario, UnknownScenarioError, ScenarioSizeError } = await import('../explore/run.ts');
  const { encodeToken } = await import('../explore/settings.ts');
  const json = args.switches.has('json');
  const tracePath = valueOf(args, 'trace');
  const traceOut = tracePath !== undefined ? openTraceOut(tracePath) : undefined;
  // With `--trace -` the trace lines own stdout, and the report goes to stderr.
  const report$ = traceOut?.toStdout ? process.stderr : process.stdout;
  const style = !json && report$.isTTY && !process.env.NO_COLOR ? ANSI : PLAIN;

  // With the trace on stdout the banner waits for the report: a stdout that fails (a full disk)
  // must end the command with its one line, not after a banner and a report on stderr.
  const banner = json ? '' : bannerLine(req.settings, req.fromToken) + '\n';
  if (!traceOut?.toStdout) report$.write(banner);
  const firstEvents: TraceEvent[] = [];
  let report: RunReport;
  try {
    const subscribers = [...(traceOut ? [traceOut.subscriber] : []), ...(checkDeterminism ? [(e: TraceEvent) => void firstEvents.push(e)] : [])];
    report = runScenario(req.settings, { subscribers });
    if (checkDeterminism) report.checks.push(await determinismCheck(req.settings, report.traceHash, firstEvents));
    report.ok = report.checks.every((c) => c.ok);
  } catch (e) {
    traceOut?.discard();
    if (e instanceof UnknownScenarioError) throw new UsageError(`${e.message} (try: weir list)`);
    if (e instanceof ScenarioSizeError) throw new UsageError(e.message);
    if (traceOut?.toStdout) await stdoutSettled();
    return reportThrown(e as Error, req.settings, encodeToken(req.settings), json, style, report$, traceOut?.toStdout ? banner : '');
  }
  traceOut?.commit();
  if (traceOut?.toStdout) {
    await stdoutSettled();
    report$.write(banner);
  }
  // A savepoint asked for after the job's end is never taken: say so rather than pass silently.
  if (req.settings.savepointAtMs !== undefined && report.checkpoints.savepoints === 0) {
    const late = req.settings.savepointAtMs >= (report.finishedMs ?? report.virtualTimeMs);
    process.stderr.write(late
      ? `weir: note: no savepoint was taken: --savepoint-at ${req.settings.savepointAtMs} ms came after the job had finished (at ${(report.finishedMs ?? report.virtualTimeMs).toLocaleString('en-US')} ms); ask for one before the input ends\n`
      : `weir: note: no savepoint was taken: the job finished before the savepoint asked for at ${req.settings.savepointAtMs} ms could complete\n`);
  }
  if (json) report$.write(JSON.stringify(report) + '\n');
  else report$.write(reportLines(report, style).join('\n') + '\n' + traceNote(traceOut?.toStdout ? undefined : tracePath));
  return report.ok ? EXIT.ok : EXIT.checkFailed;
}

/**
 * Runs the same settings a second time and compares: the same trace hash, or
 * the first event at which the two runs part (index, and each run's event).
 * `rerun` is how the second run is made (runScenario; a test gives one that
 * parts from the first, as a nondeterministic engine would).
 */
export async function determinismCheck(
  settings: RunSettings, hash: string, first: TraceEvent[], rerun?: typeof import('../explore/run.ts').runScenario,
): Promise<{ name: string; ok: boolean; detail: string }> {
  const run = rerun ?? (await import('../explore/run.ts')).runScenario;
  const { firstDivergence } = await import('../sim/trace.ts');
  const { eventLine } = await import('../runtime/trace-event.ts');
  const second: TraceEvent[] = [];
  const again = run(settings, { subscribers: [(e) => void second.push(e)] });
  if (again.traceHash === hash) return { name: 'determinism', ok: true, detail: `two runs, the same trace hash ${hash} over ${first.length} events` };
  const d = firstDivergence(first, second);
  const show = (e: TraceEvent | undefined): string => (e ? eventLine(e) : '(the run had ended)');
  const where = d ? `first divergent event #${d.index}: first run ${show(d.a)}, second run ${show(d.b)}` : 'no divergent event found';
  return { name: 'determinism', ok: false, detail: `trace hashes differ (${hash} vs ${again.traceHash}); ${where}` };
}

/**
 * Resolves once stdout has taken what was written to it. A write that failed meanwhile has raised
 * stdout's error by then, and main's listener has ended the command with one line (exit 2).
 */
function stdoutSettled(): Promise<void> {
  return new Promise((resolve) => void process.stdout.write('', () => setImmediate(resolve)));
}

function traceNote(path: string | undefined): string {
  return path === undefined ? '' : `trace: ${path}\n`;
}

function reportThrown(e: Error, settings: RunSettings, token: string, json: boolean, style: typeof PLAIN, out: NodeJS.WriteStream, banner: string): number {
  const check = { name: 'run.completes', ok: false, detail: `the run threw: ${oneLine(e.message)}` };
  if (process.env.WEIR_DEBUG) process.stderr.write(`${e.stack ?? e.message}\n`);
  if (json) {
    out.write(JSON.stringify({ scenario: settings.scenario, engine: settings.engine ?? 'flink', seed: settings.seed, guarantee: settings.guarantee, bugs: settings.bugs, checks: [check], ok: false, token }) + '\n');
  } else {
    out.write(banner + ['', ...checkLines([check], style), '', style.bad(`replay: npx weir run ${token}`)].join('\n') + '\n');
  }
  return EXIT.checkFailed;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
