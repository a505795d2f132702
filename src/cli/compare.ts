/**
 * `weir compare <scenario>`: the scenario on every engine it has a build
 * for, on the same workload (one seed) and the same faults stated by role,
 * as one table with an engine per column; `--json` prints the same figures
 * as one object. Exit 0 when every engine passed every check, 1 when one
 * failed (its replay token is printed), 2 on bad input.
 */
import { randomInt } from 'node:crypto';
import { parseArgs, parseChoice, parseLimitedFlag, valueOf, type FlagSpec } from './args.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { GUARANTEES } from '../explore/settings.ts';

const COMPARE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  seed: { value: true },
  events: { value: true },
  guarantee: { value: true },
  crash: { value: true, repeat: true },
  cut: { value: true, repeat: true },
  json: {},
};

export const COMPARE_HELP = `Usage: weir compare <scenario> [options]

Runs the scenario on every engine it has a build for (weir list shows them),
on the same workload and the same faults, stated by role and mapped onto each
engine's processes, and prints one table, an engine per column.

Roles: worker (Flink tm-0, Kafka Streams ks-0, Spark executor-0),
coordinator (Flink's job manager, the broker that keeps Kafka Streams'
consumer group, Spark's driver), broker.

Options:
  --seed N                 root seed (default: a fresh random seed, printed)
  --events N               input records (default: the scenario's)
  --guarantee G            exactly-once | at-least-once (default: exactly-once;
                           at-most-once runs on Flink only)
  --crash ROLE@MS[+MS]     crash ROLE at virtual time MS, restart after +MS
                           (default 300); repeatable. e.g. --crash worker@4200
  --cut A-B@MS+MS          cut the network between roles A and B at MS for +MS;
                           repeatable. e.g. --cut broker-worker@3000+1500
  --json                   print one JSON object instead of the table

Exit codes: 0 every engine passed every check, 1 a check failed, 2 bad input.
`;

export async function compareCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('compare', argv, COMPARE_FLAGS);
  if (args.switches.has('help')) {
    process.stdout.write(COMPARE_HELP);
    return EXIT.ok;
  }
  const [name, extra] = args.positionals;
  if (name === undefined) throw new UsageError('compare needs a scenario name (try: weir list)');
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}": weir compare takes one scenario`);
  const { parseRoleFault, compareEngines } = await import('../explore/compare.ts');
  const faults = [
    ...(args.values.get('crash') ?? []).map((t) => parseRoleFault('crash', t)),
    ...(args.values.get('cut') ?? []).map((t) => parseRoleFault('cut', t)),
  ];
  const bad = faults.find((f): f is string => typeof f === 'string');
  if (bad !== undefined) throw new UsageError(bad);
  const rawSeed = valueOf(args, 'seed');
  const seed = rawSeed === undefined ? randomInt(0, 2 ** 32) : parseLimitedFlag('seed', rawSeed);
  const rawEvents = valueOf(args, 'events');
  const guarantee = parseChoice('guarantee', valueOf(args, 'guarantee') ?? 'exactly-once', GUARANTEES);
  const { findScenario } = await import('../../scenarios/index.ts');
  if (!findScenario(name)) throw new UsageError(`unknown scenario "${name}" (try: weir list)`);
  const json = args.switches.has('json');
  if (!json) process.stdout.write(`compare scenario=${name} SEED=${seed} guarantee=${guarantee}${rawEvents ? ` events=${rawEvents}` : ''}\n`);
  const c = compareEngines({
    scenario: name, seed, guarantee, faults: 'none', bugs: [],
    ...(rawEvents !== undefined ? { events: parseLimitedFlag('events', rawEvents) } : {}),
  }, faults.filter((f): f is Exclude<typeof f, string> => typeof f !== 'string'));
  if (c.columns.length === 0) throw new UsageError(`no engine can run ${name} under ${guarantee}: ${c.skipped.map((s) => s.reason).join('; ')}`);
  const ok = c.columns.every((col) => col.report.ok);
  if (json) {
    process.stdout.write(JSON.stringify({
      scenario: c.scenario, seed: c.seed, guarantee: c.guarantee, events: c.events, faults: c.faults, skipped: c.skipped,
      engines: c.columns.map((col) => ({
        engine: col.engine,
        ok: col.report.ok,
        checks: col.report.checks,
        visibleLatencyMs: col.visible,
        recoveryMs: col.recoveryMs ?? null,
        late: col.late,
        output: col.report.output,
        commits: col.report.checkpoints.completed,
        restores: col.report.faults.restores,
        crashes: col.report.faults.crashes,
        messages: col.messages,
        transactions: col.transactions,
        virtualTimeMs: col.report.virtualTimeMs,
        steps: col.report.steps,
        token: col.report.token,
      })),
    }) + '\n');
  } else {
    process.stdout.write(table(c) + '\n');
  }
  return ok ? EXIT.ok : EXIT.checkFailed;
}

const n = (x: number): string => x.toLocaleString('en-US');

function table(c: import('../explore/compare.ts').Comparison): string {
  const cols = c.columns;
  const rows: [string, ...string[]][] = [
    ['', ...cols.map((col) => col.engine)],
    ['checks', ...cols.map((col) => (col.report.ok ? `all ${col.report.checks.length} passed` : `✗ ${col.report.checks.filter((x) => !x.ok).map((x) => x.name).join(', ')}`))],
    ['visible latency p50', ...cols.map((col) => `${n(col.visible.p50)} ms`)],
    ['visible latency p99', ...cols.map((col) => `${n(col.visible.p99)} ms`)],
    ['visible latency max', ...cols.map((col) => `${n(col.visible.max)} ms`)],
    ['records never visible', ...cols.map((col) => n(col.visible.never))],
    ['late (dropped by the rule)', ...cols.map((col) => n(col.late))],
    ['crash → next visible', ...cols.map((col) => (col.recoveryMs === undefined ? '—' : `${n(col.recoveryMs)} ms`))],
    ['restores', ...cols.map((col) => n(col.report.faults.restores))],
    ['checkpoints/commits/batches', ...cols.map((col) => n(col.report.checkpoints.completed))],
    ['transactions committed', ...cols.map((col) => n(col.transactions.committed))],
    ['transactions aborted', ...cols.map((col) => n(col.transactions.aborted))],
    ['output records', ...cols.map((col) => n(col.report.output.committed))],
    ['messages', ...cols.map((col) => n(col.messages))],
    ['virtual time', ...cols.map((col) => `${n(col.report.virtualTimeMs)} ms`)],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  const faults = c.faults.length === 0 ? 'no faults' : c.faults.map((f) => (f.kind === 'crash' ? `crash ${f.role} at ${n(f.atMs)} ms (+${n(f.restartAfterMs)} ms)` : `cut ${f.a}–${f.b} at ${n(f.atMs)} ms for ${n(f.durationMs)} ms`)).join(', ');
  const out = [`  ${n(c.events)} events, ${faults}`, '', ...lines.map((l) => `  ${l}`), ''];
  for (const s of c.skipped) out.push(`  (${s.engine} skipped: ${s.reason})`);
  for (const col of cols) out.push(`  ${col.engine}: npx weir ${col.report.ok ? 'replay' : 'run'} ${col.report.token}`);
  return out.join('\n');
}
