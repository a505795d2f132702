/**
 * `weir list [--json]`: the scenarios weir ships, one line each (name,
 * summary, default sizes), or a JSON array of `{name, summary, defaults}`.
 */
import { noPositionals, parseArgs } from './args.ts';
import { LIST_HELP } from './help.ts';
import { EXIT } from './usage-error.ts';

export async function listCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('list', argv, { json: {} });
  if (args.switches.has('help')) {
    process.stdout.write(LIST_HELP);
    return EXIT.ok;
  }
  noPositionals('list', args);
  const { SCENARIOS } = await import('../../scenarios/index.ts');
  const rows = SCENARIOS.map((s) => ({ name: s.name, summary: s.summary, defaults: s.defaults }));
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return EXIT.ok;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const d = r.defaults;
    const sizes = `events=${d.events} parallelism=${d.parallelism} partitions=${d.partitions} keys=${d.keys}`;
    process.stdout.write(`${r.name.padEnd(width)}  ${r.summary}  [${sizes}]\n`);
  }
  return EXIT.ok;
}
