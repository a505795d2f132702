/**
 * `weir trace <token> --format jsonl|perfetto [-o FILE]`: re-runs the run a
 * repro token describes and writes its trace — as canonical JSON lines (the
 * same lines `weir run --trace` writes; they hash to the run's trace hash),
 * or as Chrome Trace Event JSON for the Perfetto UI, with network sends and
 * deliveries traced as flow arrows and disk writes and fsyncs as instants
 * (so that export's events are a superset of the run's). Without -o, or with
 * `-o -`, the trace goes to stdout. FILE is checked before the run and
 * written whole or not at all (output-file.ts).
 */
import { openOutput } from './output-file.ts';
import { traceLines } from './trace-out.ts';
import { preflight } from './preflight.ts';
import { parseArgs, valueOf, type FlagSpec } from './args.ts';
import { EXIT, quote, tokenBodyProblem, UsageError } from './usage-error.ts';
import { decodeToken, looksLikeToken, TokenError, type RunSettings } from '../explore/settings.ts';

export const TRACE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  format: { value: true },
  output: { value: true },
};

export const TRACE_HELP = `Usage: weir trace <token> --format jsonl|perfetto [-o FILE]

Re-runs the run a repro token describes and writes its trace.
  --format jsonl      one canonical JSON line per event (hashes to the run's trace hash)
  --format perfetto   Chrome Trace Event JSON: open it in ui.perfetto.dev
  -o, --output FILE   write to FILE (default, or -: stdout). An existing FILE is
                      replaced, once the trace is complete; only a regular file
                      or a new name in an existing folder is accepted.
`;

export async function traceCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(TRACE_HELP);
    return EXIT.ok;
  }
  // `-o FILE` is the one short flag (as the contract writes it): an alias of --output.
  const args = parseArgs('trace', argv.map((a) => (a === '-o' ? '--output' : a)), TRACE_FLAGS);
  const [token, extra] = args.positionals;
  if (token === undefined) throw new UsageError('trace needs a repro token (weir run prints one)');
  if (extra !== undefined) throw new UsageError(`unexpected argument ${quote(extra)}: weir trace takes one token`);
  if (!looksLikeToken(token)) throw new UsageError(tokenBodyProblem(token) ?? `${quote(token)} is not a repro token (weir run prints one: w2.…)`);
  const format = valueOf(args, 'format');
  if (format === undefined) throw new UsageError('weir trace needs --format jsonl (JSON lines) or --format perfetto (for ui.perfetto.dev)');
  if (format !== 'jsonl' && format !== 'perfetto') throw new UsageError(`--format must be jsonl or perfetto, got ${quote(format)}`);
  let settings: RunSettings;
  try {
    settings = decodeToken(token);
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(e.message);
    throw e;
  }
  const { findScenario } = await import('../../scenarios/index.ts');
  const scenario = findScenario(settings.scenario);
  if (!scenario) throw new UsageError(`the repro token names scenario ${quote(settings.scenario)}, which this weir does not have (try: weir list)`);
  const { tokenEngineProblem } = await import('../explore/engines.ts');
  const problem = tokenEngineProblem(scenario, settings);
  if (problem !== undefined) throw new UsageError(problem);
  await preflight(scenario, settings, { use: format === 'jsonl' ? 'run' : 'perfetto', fromToken: true });
  // The target is checked before the run, so a bad -o costs nothing and writes nothing.
  const path = valueOf(args, 'output') ?? '-';
  const out = openOutput(path, 'trace file');
  const { runScenario, ScenarioSizeError } = await import('../explore/run.ts');
  try {
    if (format === 'jsonl') {
      // The trace streams to its output as the run goes, never held whole.
      const lines = traceLines(out);
      runScenario(settings, { subscribers: [lines.subscriber] });
      lines.commit();
    } else {
      out.write(await perfetto(runScenario, settings));
      out.commit();
    }
  } catch (e) {
    out.discard();
    if (e instanceof ScenarioSizeError) throw new UsageError(`the repro token cannot run here: ${e.message}`);
    throw e;
  }
  if (!out.toStdout) process.stderr.write(`trace: ${path}\n`);
  return EXIT.ok;
}

type Runner = typeof import('../explore/run.ts').runScenario;

async function perfetto(run: Runner, settings: RunSettings): Promise<string> {
  const { PerfettoExport } = await import('../explore/perfetto.ts');
  const exp = new PerfettoExport();
  run(settings, { subscribers: [(e) => exp.add(e)], traceIo: true });
  return exp.json();
}
