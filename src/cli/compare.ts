/**
 * `weir compare <scenario>`: the scenario on every engine it has a build
 * for, on the same workload (one seed) and the same faults stated by role,
 * as one table with an engine per column and a chart of each engine's
 * visible latency under it; `--json` prints the same figures as one object.
 * `--seeds N` runs seeds S … S+N-1 and shows each figure's median and range.
 * Exit 0 when every engine passed every check, 1 when one failed (its replay
 * token is printed), 2 on bad input.
 */
import { randomInt } from 'node:crypto';
import { parseArgs, parseChoice, parseLimitedFlag, parseLimitedFlags, valueOf, type FlagSpec } from './args.ts';
import { EXIT, quote, tokenBodyProblem, UsageError } from './usage-error.ts';
import { FAULT_PROFILES, GUARANTEES, looksLikeToken } from '../explore/settings.ts';
import type { Guarantee } from '../stream/guarantee.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { EngineName } from '../../scenarios/types.ts';
import type { Comparison, EngineColumn, EngineSeeds, Knob, Knobs, Metric, RoleFault, Spread } from '../explore/compare.ts';

export const COMPARE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  seed: { value: true },
  seeds: { value: true },
  events: { value: true },
  guarantee: { value: true },
  crash: { value: true, repeat: true },
  cut: { value: true, repeat: true },
  faults: { value: true },
  'checkpoint-interval': { value: true },
  'commit-interval': { value: true },
  'standby-replicas': { value: true },
  'trigger-interval': { value: true },
  json: {},
  replay: {},
};

export const COMPARE_HELP = `Usage: weir compare <scenario> [options]

Runs the scenario on every engine it has a build for (weir list shows them),
on the same workload and the same faults, stated by role and mapped onto each
engine's processes, and prints one table, an engine per column, and a chart
of each engine's visible latency.

Roles: worker (Flink tm-0, Kafka Streams ks-0, Spark executor-0),
coordinator (Flink's job manager, the broker that keeps Kafka Streams'
consumer group, Spark's driver), broker.

Options:
  --seed N                 root seed (default: a fresh random seed, printed);
                           with --seeds, the first seed
  --seeds N                run seeds S … S+N-1 and show each figure's median
                           and range (min–max) over them
  --events N               input records (default: the scenario's)
  --guarantee G            exactly-once | at-least-once (default: exactly-once;
                           at-most-once runs on Flink only)
  --crash ROLE@MS[+MS]     crash ROLE at virtual time MS, restart after +MS
                           (default 300); repeatable. e.g. --crash worker@4200
  --cut A-B@MS+MS          cut the network between roles A and B at MS for +MS;
                           repeatable. e.g. --cut broker-worker@3000+1500
  --faults P               none | light | heavy | swarm: also draw faults from
                           the seed, by role, as weir run --faults does
                           (default none: only --crash and --cut)
  --checkpoint-interval MS Flink's checkpoint interval (default 500)
  --commit-interval MS     Kafka Streams' commit.interval.ms (default 100 under
                           exactly-once, 30000 under at-least-once)
  --standby-replicas N     Kafka Streams' num.standby.replicas (default 0)
  --trigger-interval MS    Spark's processing-time trigger (default: the
                           scenario's, 100 for wordcount)
  --json                   print one JSON object instead of the table
  --replay                 then replay the runs side by side on one virtual-time
                           cursor (as weir replay TOKEN TOKEN TOKEN; without a
                           terminal, prints the frame at the first fault)

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
  if (extra !== undefined) throw new UsageError(`unexpected argument ${quote(extra)}: weir compare takes one scenario`);
  const { parseRoleFault } = await loadCompare();
  const parsed = [
    ...(args.values.get('crash') ?? []).map((t) => parseRoleFault('crash', t)),
    ...(args.values.get('cut') ?? []).map((t) => parseRoleFault('cut', t)),
  ];
  const bad = parsed.find((f): f is string => typeof f === 'string');
  if (bad !== undefined) throw new UsageError(bad);
  const faults = parsed.filter((f): f is RoleFault => typeof f !== 'string');
  const rawSeed = valueOf(args, 'seed');
  const seed = rawSeed === undefined ? randomInt(0, 2 ** 32) : parseLimitedFlag('seed', rawSeed);
  const rawSeeds = valueOf(args, 'seeds');
  const seeds = rawSeeds === undefined ? undefined : parseLimitedFlag('seeds', rawSeeds);
  if (seeds !== undefined && seed + seeds - 1 > 2 ** 32 - 1) throw new UsageError(`--seed ${seed} with --seeds ${seeds} runs past the last seed, 4,294,967,295`);
  const rawEvents = valueOf(args, 'events');
  const events = rawEvents === undefined ? undefined : parseLimitedFlag('events', rawEvents);
  const guarantee = parseChoice('guarantee', valueOf(args, 'guarantee') ?? 'exactly-once', GUARANTEES);
  const knobs: Knobs = parseLimitedFlags(args, ['checkpointIntervalMs', 'commitIntervalMs', 'standbyReplicas', 'triggerIntervalMs']);
  const { findScenario, fixedInputProblem } = await import('../../scenarios/index.ts');
  const scenario = findScenario(name);
  if (!scenario) {
    if (looksLikeToken(name)) throw new UsageError('compare runs a scenario by name on every engine, and a repro token is one run of one engine: use weir run <token> or weir replay <token>');
    throw new UsageError(tokenBodyProblem(name) ?? `unknown scenario ${quote(name)} (try: weir list)`);
  }
  const fixed = fixedInputProblem(scenario, events);
  if (fixed !== undefined) throw new UsageError(fixed);
  const profile = parseChoice('faults', valueOf(args, 'faults') ?? 'none', FAULT_PROFILES);
  const json = args.switches.has('json');
  const replay = args.switches.has('replay');
  if (replay && json) throw new UsageError('--replay and --json do not go together: --replay draws the runs, --json prints figures');
  if (replay && seeds !== undefined) throw new UsageError('--replay shows one seed\'s runs; drop --seeds (or replay one seed: --seed N)');
  await checkEngines(scenario, guarantee, events, replay, knobs);
  const { compareEngines, summarizeSeeds } = await loadCompare();
  const base = { scenario: name, guarantee, faults: 'none' as const, bugs: [], ...(events !== undefined ? { events } : {}), ...knobs };
  const shown = `compare scenario=${name} SEED=${seed}${seeds !== undefined ? ` seeds=${seeds}` : ''} guarantee=${guarantee}${profile !== 'none' ? ` faults=${profile}` : ''}${events !== undefined ? ` events=${events}` : ''}`;

  if (seeds === undefined) {
    if (!json) process.stdout.write(`${shown}\n`);
    const c = compareEngines({ ...base, seed }, faults, { profile });
    if (c.columns.length === 0) throw new UsageError(`no engine can run ${name} under ${guarantee}: ${c.skipped.map((s) => s.reason).join('; ')}`);
    process.stdout.write((json ? JSON.stringify(comparisonJson(c)) : `${table(c)}\n\n${chart(c.columns.map((col) => ({ engine: col.engine, counts: histogramOf(col) })))}\n\n${tokens(c)}`) + '\n');
    if (replay) await replayColumns(c);
    return c.columns.every((col) => col.report.ok) ? EXIT.ok : EXIT.checkFailed;
  }

  if (!json) process.stdout.write(`${shown}\n`);
  const progress = !json && process.stderr.isTTY ? new Bar(process.stderr, seeds * 3) : undefined;
  const runs: Comparison[] = [];
  for (let s = seed; s < seed + seeds; s++) {
    const c = compareEngines({ ...base, seed: s }, faults, { profile, onRun: () => progress?.step() });
    if (c.columns.length === 0) {
      progress?.clear();
      throw new UsageError(`no engine can run ${name} under ${guarantee}: ${c.skipped.map((x) => x.reason).join('; ')}`);
    }
    runs.push(c);
  }
  progress?.clear();
  const summary = summarizeSeeds(runs);
  if (json) process.stdout.write(JSON.stringify(seedsJson(runs, summary, seed, seeds, faults, profile)) + '\n');
  else process.stdout.write(`${seedsTable(runs[0]!, summary, seeds, faults, profile)}\n\n${chart(summary.map((e) => ({ engine: e.engine, counts: e.visibleHistogram })), `, ${seeds} seeds`)}\n${failures(summary)}\n`);
  return summary.every((e) => e.failedSeeds.length === 0) ? EXIT.ok : EXIT.checkFailed;
}

/**
 * Before the banner: some engine of the scenario can run under the
 * guarantee, and each engine's run fits in memory (the engines run one at a
 * time; with --replay, their recordings are held together). The largest
 * run's estimate decides whether V8's heap growth is bounded (memory.ts).
 */
async function checkEngines(scenario: Scenario, guarantee: Guarantee, events: number | undefined, replay: boolean, knobs: Knobs): Promise<void> {
  const { enginesOf, engineProblem } = await import('../explore/engines.ts');
  const { admitRuns } = await import('./memory.ts');
  const { unusedKnobProblem } = await loadCompare();
  const skipped: string[] = [];
  const runnable: EngineName[] = [];
  for (const engine of enginesOf(scenario)) {
    const problem = engineProblem(scenario, { engine, guarantee, bugs: [] });
    if (problem !== undefined) skipped.push(problem);
    else runnable.push(engine);
  }
  if (runnable.length === 0) throw new UsageError(`no engine can run ${scenario.name} under ${guarantee}: ${skipped.join('; ')}`);
  const unused = unusedKnobProblem(knobs, runnable, scenario.name, guarantee);
  if (unused !== undefined) throw new UsageError(unused);
  const asks = runnable.map((engine) => ({ scenario: scenario.name, engine, events: events ?? scenario.defaults.events, parallelism: scenario.defaults.parallelism, use: replay ? 'replay' as const : 'run' as const, fromToken: false, runs: replay ? runnable.length : 1 }));
  // Every engine's run must fit: the advice is the events (and the heap) that fit them all.
  const problem = admitRuns(asks);
  if (problem !== undefined) throw new UsageError(problem);
}

/** The comparison's runs side by side: each token run again (a run is deterministic) with its trace kept. */
async function replayColumns(c: Comparison): Promise<void> {
  const [{ recordRun }, { replaySideBySide }, { decodeToken }] = await Promise.all([
    import('../tui/recording.ts'), import('./replay.ts'), import('../explore/settings.ts'),
  ]);
  const recordings = [];
  for (const col of c.columns) {
    if (process.stdout.isTTY) process.stderr.write(`weir: recording the ${col.engine} run for the replay…\n`);
    recordings.push(await recordRun(decodeToken(col.report.token), col.report.token));
  }
  if (!process.stdout.isTTY) process.stdout.write('\n');
  await replaySideBySide(recordings, undefined);
}

// ---- figures ------------------------------------------------------------

const n = (x: number): string => x.toLocaleString('en-US');

export function bytes(x: number): string {
  if (x < 1_000) return `${x} B`;
  if (x < 1_000_000) return `${(x / 1_000).toFixed(x < 10_000 ? 1 : 0)} kB`;
  return `${(x / 1_000_000).toFixed(x < 10_000_000 ? 1 : 0)} MB`;
}

function knobCell(k: Knob): string {
  const what = k.flag.slice(2).replace('-interval', '');
  return `${what} ${k.ms === undefined ? 'none' : n(k.ms)}${k.set ? '*' : ''}`;
}

const NOTES = [
  'knobs: --checkpoint-interval (flink), --commit-interval (kstreams),',
  '--trigger-interval (spark). processing: input in the log → first result in',
  'the output log, committed or not; visible: → first committed result seen by',
  "a read-committed reader. state restored: flink's checkpoint files, the stores",
  'kstreams rebuilt from changelog records, the state re-run spark tasks reread.',
].map((l) => `  ${l}`).join('\n');

/** How far past the job's end a world may settle before the table says why: an hour of virtual time. */
const LONG_SETTLE_MS = 3_600_000;

/**
 * A note for Kafka Streams' "world settled at" far past its "job finished at" (`late`): what the
 * world waited for. Its compacted changelogs keep a tombstone for delete.retention.ms (a day)
 * before the log cleaner may drop it, and the world runs until its last cleaning.
 */
function settledNote(late: boolean): string[] {
  if (!late) return [];
  return ["  world settled: after the job, kstreams' log cleaner waited to drop changelog", '  tombstones, which it keeps for delete.retention.ms (a day of virtual time).'];
}

/** A metric's value as a cell (a dash where it does not apply). */
function cell(m: Metric, v: number | undefined): string {
  if (v === undefined) return '—';
  if (m.unit === 'ms') return `${n(v)} ms`;
  if (m.unit === 'bytes') return bytes(v);
  return n(v);
}

const SHORT_RULE: Record<string, string> = { flink: 'wm + lateness', kstreams: 'grace', spark: 'batch wm' };

function faultsLine(c: Comparison): string {
  return c.faults.length === 0 ? 'no faults' : c.faults.map(faultText).join(', ');
}

/** The engines that sat the comparison out, and why, as notes. */
function skippedLines(skipped: Comparison['skipped']): string[] {
  return skipped.map((x) => `  (${x.engine} skipped: ${x.reason})`);
}

/** The faults an engine's run leaves out (a cut between two roles its one process plays), as notes. */
function leftOutLines(engines: readonly EngineName[], faults: readonly RoleFault[]): string[] {
  return engines.flatMap((engine) => COMPARE_MODULE!.faultsLeftOut(engine, faults).map((x) => `  (${engine}: no ${faultText(x.fault)}: ${x.why})`));
}

/** With --seeds: the faults every seed shares (those given), and those each seed draws for itself. */
function seedsFaultsLine(explicit: readonly RoleFault[], profile: string): string {
  const given = explicit.length === 0 ? '' : explicit.map(faultText).join(', ');
  const drawn = profile === 'none' ? '' : `a ${profile} fault plan drawn from each seed`;
  return [given, drawn].filter(Boolean).join(', and ') || 'no faults';
}

function faultText(f: RoleFault): string {
  switch (f.kind) {
    case 'crash': return `crash ${f.role} at ${n(f.atMs)} ms (+${n(f.restartAfterMs)} ms)`;
    case 'cut': return `cut ${f.a}–${f.b} at ${n(f.atMs)} ms for ${n(f.durationMs)} ms`;
    case 'spike': return `latency +${n(f.extraMs)} ms at ${n(f.atMs)} ms for ${n(f.durationMs)} ms`;
    case 'slow-fsync': return `slow fsync on ${f.role} (+${n(f.extraMs)} ms) at ${n(f.atMs)} ms for ${n(f.durationMs)} ms`;
    case 'disk-corruption': return `read corruption on ${f.role} at ${n(f.atMs)} ms for ${n(f.durationMs)} ms`;
  }
}

/** Rows into aligned text; a row of one cell is a section heading. */
function layout(rows: string[][]): string[] {
  const full = rows.filter((r) => r.length > 1);
  const widths = full[0]!.map((_, i) => Math.max(...full.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => (r.length === 1 ? ` ${r[0]}` : `  ${r.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd()}`));
}

export function table(c: Comparison): string {
  const cols = c.columns;
  const { METRICS } = COMPARE_MODULE!;
  const row = (label: string, f: (col: EngineColumn) => string): string[] => [label, ...cols.map(f)];
  const metric = (key: string, label?: string): string[] => {
    const m = METRICS.find((x) => x.key === key)!;
    return row(label ?? m.label, (col) => cell(m, m.get(col)));
  };
  const rows: string[][] = [
    ['', ...cols.map((col) => col.engine)],
    row('the knob, ms (* set here)', (col) => knobCell(col.knob)),
    row('checks', (col) => (col.report.ok ? `all ${col.report.checks.length} passed` : `✗ ${col.report.checks.filter((x) => !x.ok).map((x) => x.name).join(', ')}`)),
    ['latency (virtual time)'],
    metric('processing.p50'), metric('processing.p99'), metric('processing.max'),
    metric('visible.p50'), metric('visible.p99'), metric('visible.max'),
    ['outcome'],
    metric('visible.never'), metric('output'),
    ['recovery from the first crash'],
    metric('recoveryMs'), metric('readAgain'), metric('restoredBytes'),
    row('  restored from', (col) => col.restored?.what ?? '—'),
    ['late data'],
    metric('late', 'late records'),
    row('  by the rule', (col) => SHORT_RULE[col.engine] ?? col.late.rule),
    ['cost'],
    row('checkpoints/commits/batches', (col) => `${n(col.commits.count)} ${col.commits.count === 1 ? singular(col.commits.what) : col.commits.what}`.slice(0, 15)),
    metric('txn.committed'), metric('txn.aborted'), metric('messages'), metric('diskBytes'), metric('finishedMs'), metric('virtualTimeMs'),
  ];
  const out = [`  ${n(c.events)} events, ${faultsLine(c)}`, '', ...layout(rows)];
  out.push('', NOTES);
  out.push(...settledNote(cols.some((col) => col.engine === 'kstreams' && col.report.virtualTimeMs - (col.report.finishedMs ?? col.report.virtualTimeMs) >= LONG_SETTLE_MS)));
  for (const col of cols) for (const x of col.report.checks.filter((k) => !k.ok)) out.push(`  ${col.engine} ✗ ${x.name}: ${x.detail}`);
  out.push(...skippedLines(c.skipped), ...leftOutLines(c.columns.map((col) => col.engine), c.faults));
  return out.join('\n');
}

function tokens(c: Comparison): string {
  return c.columns.map((col) => `  ${col.engine}: npx weir ${col.report.ok ? 'replay' : 'run'} ${col.report.token}`).join('\n');
}

/** A number in at most five characters or so: 2407, 15.0s (ms), 265k (bytes). */
function compact(m: Metric, x: number): string {
  if (m.unit === 'bytes') return x < 1_000 ? `${x}` : x < 10_000 ? `${(x / 1_000).toFixed(1)}k` : x < 1_000_000 ? `${Math.round(x / 1_000)}k` : `${(x / 1_000_000).toFixed(1)}M`;
  if (m.unit === 'ms' && x >= 10_000) return `${(x / 1_000).toFixed(1)}s`;
  return String(x);
}

function spreadCell(m: Metric, s: Spread | undefined): string {
  if (s === undefined) return '—';
  const bare = (x: number): string => compact(m, x).replace(/s$/, '');
  return s.min === s.max ? compact(m, s.median) : `${compact(m, s.median)} (${bare(s.min)}–${bare(s.max)})`;
}

/** Labels shortened where the seeds table needs the room. */
const SHORT_LABEL: Record<string, string> = {
  'checkpoints/commits/batches': 'ckpts/commits/batches',
  'transactions committed': 'txns committed',
  'transactions aborted': 'txns aborted',
  'crash → next visible': 'to next visible',
  'records never visible': 'never visible',
};

const UNIT_NOTE: Record<Metric['unit'], string> = { ms: ' (ms)', bytes: ' (B)', records: '', count: '' };

export function seedsTable(first: Comparison, summary: readonly EngineSeeds[], seeds: number, explicit: readonly RoleFault[], profile: string): string {
  const { METRICS } = COMPARE_MODULE!;
  const row = (label: string, f: (e: EngineSeeds) => string): string[] => [label, ...summary.map(f)];
  const rows: string[][] = [
    ['', ...summary.map((e) => e.engine)],
    row('the knob, ms (* set)', (e) => knobCell(e.knob)),
    row('seeds passing checks', (e) => `${e.runs - e.failedSeeds.length} of ${e.runs}`),
  ];
  let section = '';
  for (const m of METRICS) {
    if (m.section !== section) {
      section = m.section;
      rows.push([section === 'recovery' ? 'recovery from the first crash' : section === 'latency' ? 'latency (virtual time)' : section]);
    }
    rows.push(row(`${SHORT_LABEL[m.label] ?? m.label}${UNIT_NOTE[m.unit]}`, (e) => spreadCell(m, e.cells[m.key])));
    if (m.key === 'late') rows.push(row('  by the rule', (e) => SHORT_RULE[e.engine] ?? e.lateRule));
  }
  const settled = summary.some((e) => e.engine === 'kstreams' && (e.cells['virtualTimeMs']?.max ?? 0) - (e.cells['finishedMs']?.max ?? Infinity) >= LONG_SETTLE_MS);
  const notes = [...settledNote(settled), ...skippedLines(first.skipped), ...leftOutLines(summary.map((e) => e.engine), explicit)];
  return [`  ${n(first.events)} events, ${seedsFaultsLine(explicit, profile)}; median (min–max) over ${n(seeds)} seeds`, '', ...layout(rows), '', NOTES, ...notes].join('\n');
}

function failures(summary: readonly EngineSeeds[]): string {
  const failed = summary.filter((e) => e.failedSeeds.length > 0);
  if (failed.length === 0) return '';
  return failed.map((e) => `  ${e.engine} failed a check on seed${e.failedSeeds.length > 1 ? 's' : ''} ${e.failedSeeds.slice(0, 10).join(', ')}${e.failedSeeds.length > 10 ? ', …' : ''} (weir compare --seed N shows one)`).join('\n') + '\n';
}

// ---- the chart ----------------------------------------------------------

function histogramOf(col: EngineColumn): number[] {
  return COMPARE_MODULE!.histogram(col.visibleSamples);
}

const LEVELS = ' ▁▂▃▄▅▆▇█';
const PER_DECADE = 12;

/**
 * Each engine's visible-latency distribution as one row of bars on a shared
 * log axis (a column per histogram bucket, 12 a decade, over the decades
 * that hold data), each row scaled to its own tallest bucket. Fits 80
 * columns for up to five decades.
 */
export function chart(rows: readonly { engine: string; counts: readonly number[] }[], note = ''): string {
  const edges = COMPARE_MODULE!.HISTOGRAM_EDGES_MS;
  // Bucket i >= 1 starts at 10^((i-1)/12) ms; bucket 0 is [0, 1) ms.
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) r.counts.forEach((c, i) => {
    if (c > 0) {
      lo = Math.min(lo, i);
      hi = Math.max(hi, i);
    }
  });
  if (lo === Infinity) return '  (no record became visible)';
  const decade = (i: number): number => Math.floor(Math.max(0, i - 1) / PER_DECADE);
  const first = Math.min(decade(lo), 4);
  const last = Math.min(Math.max(decade(hi), first), first + 4);
  const from = 1 + first * PER_DECADE;
  const to = Math.min(edges.length - 1, 1 + (last + 1) * PER_DECADE - 1);
  const width = Math.max(...rows.map((r) => r.engine.length)) + 2;
  const out = [`  visible latency per input record${note} (log scale, rows scaled to peak)`];
  for (const r of rows) {
    const slice = r.counts.slice(from, to + 1);
    // Below the first decade shown (0–1 ms) joins the first column; above the last joins the last.
    slice[0]! += r.counts.slice(0, from).reduce((a, b) => a + b, 0);
    slice[slice.length - 1]! += r.counts.slice(to + 1).reduce((a, b) => a + b, 0);
    const top = Math.max(...slice);
    const bars = slice.map((c) => (c === 0 ? ' ' : LEVELS[Math.max(1, Math.round((c / top) * (LEVELS.length - 1)))]!)).join('');
    out.push(`  ${r.engine.padEnd(width)}│${bars}│`);
  }
  const axis = new Array<string>(to - from + 1).fill('─');
  const labels = new Array<string>(to - from + 2 + 8).fill(' ');
  for (let d = first; d <= last + 1; d++) {
    const col = (d - first) * PER_DECADE;
    if (col < axis.length) axis[col] = '┬';
    const text = d < 3 ? `${10 ** d} ms` : `${10 ** (d - 3)} s`;
    for (let k = 0; k < text.length && col + k < labels.length; k++) labels[col + k] = text[k]!;
  }
  out.push(`  ${' '.repeat(width)}└${axis.join('')}┘`);
  out.push(`  ${' '.repeat(width)}${labels.join('').trimEnd()}`);
  return out.join('\n');
}

// ---- JSON ---------------------------------------------------------------

function comparisonJson(c: Comparison): unknown {
  const edges = COMPARE_MODULE!.HISTOGRAM_EDGES_MS;
  return {
    scenario: c.scenario, seed: c.seed, guarantee: c.guarantee, events: c.events, faults: c.faults, skipped: c.skipped,
    histogramEdgesMs: edges,
    engines: c.columns.map((col) => ({
      engine: col.engine,
      ok: col.report.ok,
      knob: col.knob,
      faultsLeftOut: COMPARE_MODULE!.faultsLeftOut(col.engine, c.faults),
      checks: col.report.checks,
      processingLatencyMs: col.processing,
      visibleLatencyMs: { ...col.visible, histogram: histogramOf(col) },
      recoveryMs: col.recoveryMs ?? null,
      readAgain: col.readAgain ?? null,
      restored: col.restored ?? null,
      late: col.late.count,
      lateRule: col.late.rule,
      output: col.report.output,
      commits: col.commits.count,
      commitsAre: col.commits.what,
      restores: col.report.faults.restores,
      crashes: col.report.faults.crashes,
      messages: col.messages,
      diskBytesWritten: col.diskBytes,
      transactions: col.transactions,
      ...(col.report.finishedMs !== undefined ? { finishedMs: col.report.finishedMs } : {}),
      virtualTimeMs: col.report.virtualTimeMs,
      steps: col.report.steps,
      token: col.report.token,
    })),
  };
}

function seedsJson(runs: readonly Comparison[], summary: readonly EngineSeeds[], start: number, count: number, explicit: readonly RoleFault[], profile: string): unknown {
  const first = runs[0]!;
  return {
    // `faults`: those every seed shares (given on the command line); `faultProfile`: what each seed draws on top.
    scenario: first.scenario, seeds: { start, count }, guarantee: first.guarantee, events: first.events, faults: explicit, faultProfile: profile, skipped: first.skipped,
    histogramEdgesMs: COMPARE_MODULE!.HISTOGRAM_EDGES_MS,
    engines: summary.map((e) => ({
      engine: e.engine, knob: e.knob, runs: e.runs, failedSeeds: e.failedSeeds, lateRule: e.lateRule,
      figures: Object.fromEntries(Object.entries(e.cells).map(([k, v]) => [k, v ?? null])),
      visibleLatencyHistogram: e.visibleHistogram,
    })),
  };
}

// ---- progress -----------------------------------------------------------

/** A progress bar on stderr (a terminal only), redrawn in place. */
class Bar {
  private done = 0;
  constructor(private readonly out: NodeJS.WriteStream, private readonly total: number) {
    this.draw();
  }
  step(): void {
    this.done = Math.min(this.total, this.done + 1);
    this.draw();
  }
  private draw(): void {
    const w = 30;
    const filled = Math.round((this.done / this.total) * w);
    this.out.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${this.done}/${this.total} runs`);
  }
  clear(): void {
    this.out.write('\r\x1b[K');
  }
}

/** One of what an engine commits by ("checkpoints", "commits", "batches"). */
function singular(what: string): string {
  return what.endsWith('ches') ? what.slice(0, -2) : what.replace(/s$/, '');
}

type CompareModule = typeof import('../explore/compare.ts');
let COMPARE_MODULE: CompareModule | undefined;
/** The table and chart need the compare module's figures; the command loads it lazily (start-up stays cheap). */
export async function loadCompare(): Promise<CompareModule> {
  return (COMPARE_MODULE ??= await import('../explore/compare.ts'));
}
