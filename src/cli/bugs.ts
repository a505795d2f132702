/**
 * `weir bugs [--json]`: the planted bugs, one line each with the engine it
 * lives in and the checker that catches it, or a JSON array of
 * `{name, engine, description, caughtBy}`.
 */
import { noPositionals, parseArgs, type FlagSpec } from './args.ts';
import { BUGS_HELP } from './help.ts';
import { EXIT } from './usage-error.ts';

export const BUGS_FLAGS: Readonly<Record<string, FlagSpec>> = { json: {} };

export async function bugsCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('bugs', argv, BUGS_FLAGS);
  if (args.switches.has('help')) {
    process.stdout.write(BUGS_HELP);
    return EXIT.ok;
  }
  noPositionals('bugs', args);
  const { BUGS } = await import('../explore/bugs.ts');
  const rows = Object.entries(BUGS).map(([name, b]) => ({ name, engine: b.engine, description: b.description, caughtBy: b.caughtBy }));
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return EXIT.ok;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  const caughtWidth = Math.max(...rows.map((r) => r.caughtBy.length));
  const engineWidth = Math.max(...rows.map((r) => r.engine.length));
  for (const r of rows) process.stdout.write(`${r.name.padEnd(width)}  ${r.engine.padEnd(engineWidth)}  ${r.caughtBy.padEnd(caughtWidth)}  ${r.description}\n`);
  return EXIT.ok;
}
