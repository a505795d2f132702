/**
 * `weir list [--json]`: the scenarios weir ships, one line each (name, the
 * engines it has a build for, summary, default sizes), or a JSON array of
 * `{name, engines, summary, defaults}`.
 */
import { noPositionals, parseArgs, type FlagSpec } from './args.ts';
import { LIST_HELP } from './help.ts';
import { EXIT } from './usage-error.ts';

export const LIST_FLAGS: Readonly<Record<string, FlagSpec>> = { json: {} };

export async function listCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('list', argv, LIST_FLAGS);
  if (args.switches.has('help')) {
    process.stdout.write(LIST_HELP);
    return EXIT.ok;
  }
  noPositionals('list', args);
  const [{ SCENARIOS }, { enginesOf }] = await Promise.all([import('../../scenarios/index.ts'), import('../explore/engines.ts')]);
  const rows = SCENARIOS.map((s) => ({ name: s.name, engines: enginesOf(s), summary: s.summary, defaults: s.defaults }));
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return EXIT.ok;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  const engines = rows.map((r) => r.engines.join(','));
  const enginesWidth = Math.max(...engines.map((e) => e.length));
  rows.forEach((r, i) => {
    const d = r.defaults;
    const sizes = `events=${d.events} parallelism=${d.parallelism} partitions=${d.partitions} keys=${d.keys}`;
    process.stdout.write(`${r.name.padEnd(width)}  ${engines[i]!.padEnd(enginesWidth)}  ${r.summary}  [${sizes}]\n`);
  });
  return EXIT.ok;
}
