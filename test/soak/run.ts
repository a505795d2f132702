/**
 * The soak: many swarm seeds per scenario in exactly-once mode (every check
 * must pass on every seed), then each planted bug swept until it is caught.
 * Long: run it by hand or in a nightly job (`npm run soak`), not in
 * `npm test`.
 *
 *   npm run soak                       1,000 seeds per scenario, bugs within 1,000 seeds
 *   npm run soak -- --seeds 200        fewer
 *   npm run soak -- --from 2001        seeds 2,001 … 3,000: a longer soak in slices that add up
 *   npm run soak -- --workers 2 --json last line: one JSON object with the figures
 *   npm run soak -- --only bank,join   just these rows (by label), no planted-bug sweep
 *   npm run soak -- --faults heavy     the rows under heavy faults instead of swarm (the
 *                                      planted bugs are swept where each is caught, as always)
 *
 * Exit code 1 when an exactly-once seed failed or a planted bug was never
 * caught; the failing tokens are printed.
 */
import type { SeedResult, SweepJob } from '../../src/explore/sweep.ts';
import type { SliceRow } from './sum.ts';
import { builtIsFresh } from '../../scripts/stamp.mjs';
import { refuse, scriptFlags } from '../../scripts/flags.mjs';
import { BUGS, type BugName } from '../../src/explore/bugs.ts';
import { BUG_PLACES, placeShape } from '../support/bug-places.ts';
import { findScenario, SCENARIOS } from '../../scenarios/index.ts';
import { enginesOf, lostOnCrash, scenarioGuarantee, type EngineName } from '../../src/explore/engines.ts';

// Seeds run on the build in dist/ when it is fresh (workers start fast and run plain JavaScript), else on the sources.
type Pool = typeof import('../../src/explore/pool.ts');
type Sweep = typeof import('../../src/explore/sweep.ts');
const built = builtIsFresh();
const { runSeeds, SweepThreads } = (await import(built ? '../../dist/src/explore/pool.js' : '../../src/explore/pool.ts')) as Pool;
/** One set of worker threads for the whole soak: each row and each bug's chunk of seeds runs on threads already warm. */
const THREADS = new SweepThreads();
const { seedsOf } = (await import(built ? '../../dist/src/explore/sweep.js' : '../../src/explore/sweep.ts')) as Sweep;

const usage = (problem: string): never => refuse('soak', problem);
const flags = scriptFlags('soak', process.argv.slice(2), {
  '--seeds': { kind: 'count' },
  '--from': { kind: 'count' },
  '--workers': { kind: 'count' },
  '--only': { kind: 'text' },
  '--faults': { kind: 'choice', of: ['swarm', 'heavy'] },
  '--json': { kind: 'switch' },
});
const SEEDS = flags.seeds ?? 1_000;
/** `--from N`: the first seed of every row (1 by default), so slices of seeds add up to a longer soak. */
const FROM = flags.from ?? 1;
/** `--only a,b`: just these soak rows (by label) and no planted-bug sweep. Labels hold ", " (`bank, unaligned checkpoints`), so only a comma with no space after it separates. */
const ONLY = flags.only !== undefined ? new Set(flags.only.split(/,(?!\s)/)) : undefined;
const WORKERS = flags.workers ?? 2;
/** `--faults heavy`: the rows' fault profile (swarm by default). */
const FAULTS: 'swarm' | 'heavy' = flags.faults === 'heavy' ? 'heavy' : 'swarm';
const JSON_OUT = flags.json === true;
const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};


type ScenarioFigure = SliceRow & { runsPerSec: number };

type SoakRow = { label: string; scenario: string; engine?: EngineName; spareTaskManagers?: number; unaligned?: boolean };

/**
 * Every scenario as shipped on every engine it has a build for (Flink rows are labelled by the
 * scenario alone, the others `scenario on engine`), and on Flink bank again with a spare task
 * manager (restarts elsewhere, zombies) and with unaligned checkpoints. A row whose output no
 * guarantee keeps across a crash (`lostOnCrash`: Spark's memory sink in append or update mode) is
 * left out, with the reason: swarm faults crash its driver in about one seed in eight, and each such
 * seed fails, as it should (its own tests show that).
 */
const ROWS: SoakRow[] = [
  ...SCENARIOS.flatMap((s) => enginesOf(s).map((engine) => (engine === 'flink' ? { label: s.name, scenario: s.name } : { label: `${s.name} on ${engine}`, scenario: s.name, engine }))),
  { label: 'bank, 1 spare task manager', scenario: 'bank', spareTaskManagers: 1 },
  { label: 'bank, unaligned checkpoints', scenario: 'bank', unaligned: true },
  { label: 'sessions, unaligned checkpoints', scenario: 'sessions', unaligned: true },
];
const judged = ROWS.map((r) => ({ ...r, why: lostOnCrash(findScenario(r.scenario)!, r.engine ?? 'flink') }));
const SOAKS: SoakRow[] = judged.filter((r) => r.why === undefined).map(({ why: _why, ...row }) => row);
const LEFT_OUT = judged.filter((r): r is SoakRow & { why: string } => r.why !== undefined);

async function soakScenario(soak: SoakRow): Promise<ScenarioFigure> {
  const { label, ...shape } = soak;
  // A scenario that offers at-least-once only (Spark's continuous processing) soaks under it.
  const guarantee = scenarioGuarantee(findScenario(shape.scenario)!, shape.engine ?? 'flink');
  const job: SweepJob = { ...shape, guarantee, faults: FAULTS, bugs: [] };
  const t0 = performance.now();
  const results = await runSeeds(job, seedsOf(FROM, SEEDS), { workers: WORKERS, threads: THREADS });
  const secs = (performance.now() - t0) / 1000;
  const sum = (f: (r: SeedResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const failing = results.filter((r) => !r.ok);
  return {
    scenario: label,
    seeds: results.length,
    violations: failing.length,
    crashes: sum((r) => r.exercised?.crashes ?? 0),
    restores: sum((r) => r.exercised?.restores ?? 0),
    checkpoints: sum((r) => r.exercised?.checkpoints ?? 0),
    runsPerSec: Number((results.length / secs).toFixed(1)),
    failingTokens: failing.slice(0, 5).map((r) => `${r.failed[0]?.name}: ${r.token}`),
  };
}

/** Sweeps a bug's seeds in chunks and stops at the first chunk with a failure. */
async function firstCatch(bug: BugName): Promise<{ bug: BugName; seed: number | null; check: string | null }> {
  const where = BUG_PLACES[bug];
  const job: SweepJob = { guarantee: 'exactly-once', ...placeShape(where), bugs: [bug] };
  const chunk = 50;
  for (let start = 1; start <= SEEDS; start += chunk) {
    const results = await runSeeds(job, seedsOf(start, Math.min(chunk, SEEDS - start + 1)), { workers: WORKERS, threads: THREADS });
    const hit = results.find((r) => !r.ok);
    if (hit) return { bug, seed: hit.seed, check: hit.failed[0]?.name ?? null };
  }
  return { bug, seed: null, check: null };
}

async function main(): Promise<number> {
  const unknown = [...(ONLY ?? [])].filter((label) => !ROWS.some((s) => s.label === label));
  if (unknown.length > 0) usage(`no soak row named ${unknown.map((l) => `"${l}"`).join(', ')}; rows: ${ROWS.map((s) => s.label).join(', ')}`);
  say(built ? 'running the build in dist/' : 'dist/ is missing or stale: running the sources through tsx (slower; npm run build)');
  const scenarios: ScenarioFigure[] = [];
  for (const s of SOAKS.filter((x) => ONLY === undefined || ONLY.has(x.label))) {
    const f = await soakScenario(s);
    scenarios.push(f);
    say(`${f.scenario}: ${f.seeds} ${FAULTS} seeds${FROM === 1 ? '' : ` from ${FROM}`}, ${f.violations} violations; exercised ${f.crashes} crashes, ${f.restores} restores, ${f.checkpoints} completed checkpoints (${f.runsPerSec} runs/s)`);
    for (const t of f.failingTokens) say(`  failing: ${t}`);
  }
  for (const s of LEFT_OUT.filter((x) => ONLY === undefined || ONLY.has(x.label))) say(`${s.label}: left out, ${s.why}`);
  const bugs = [];
  for (const bug of ONLY === undefined ? (Object.keys(BUGS) as BugName[]) : []) {
    const b = await firstCatch(bug);
    bugs.push(b);
    say(`${bug}: ${b.seed === null ? `NOT caught within ${SEEDS} seeds` : `caught at seed ${b.seed} by ${b.check}`}`);
  }
  const ok = scenarios.every((s) => s.violations === 0) && bugs.every((b) => b.seed !== null);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ seedsPerScenario: SEEDS, firstSeed: FROM, workers: WORKERS, faults: FAULTS, scenarios, leftOut: LEFT_OUT.map(({ label, why }) => ({ label, why })), bugs, ok })}\n`);
  return ok ? 0 : 1;
}

try {
  process.exitCode = await main();
} finally {
  THREADS.close();
}
