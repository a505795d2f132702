/**
 * The settings soak: seeds of `weir explore` command lines drawn at random
 * (settings-draw.ts) — scenarios on each engine with sizes, fault profiles
 * and engine knobs the soak proper leaves at their defaults. Every check
 * must pass on every seed. Long: run it by hand, not in `npm test`.
 *
 *   npm run soak:settings                        40 draws from draw seed 1, seeds 1–100 of each
 *   npm run soak:settings -- --draw-seed 7       another 40 draws
 *   npm run soak:settings -- --draws 10 --seeds 500 --from 1001
 *   npm run soak:settings -- --engine kstreams   only Kafka Streams' commands
 *   npm run soak:settings -- --bug NAME          the bug planted in every draw: the sweep must
 *                                                catch it (shows the soak can fail)
 *   npm run soak:settings -- --at-least-once     every draw under at-least-once (the scenarios whose
 *                                                judges but exactly-once hold under replays), where
 *                                                exactly-once failing is no violation
 *   npm run soak:settings -- --workers 2 --json  last line: one JSON object with the figures
 *
 * Each row is printed as the command that runs it again (`weir explore …`).
 * Exit code 1 when a seed failed; its token is printed.
 */
import type { SeedResult } from '../../src/explore/sweep.ts';
import { builtIsFresh } from '../../scripts/stamp.mjs';
import { refuse, scriptFlags } from '../../scripts/flags.mjs';
import { BUGS, isBugName } from '../../src/explore/bugs.ts';
import { isEngineName } from '../../src/explore/engines.ts';
import { EXPLORE_FLAGS, exploreRequest } from '../../src/cli/explore.ts';
import { parseArgs } from '../../src/cli/args.ts';
import { drawSettings, violates } from './settings-draw.ts';

type Pool = typeof import('../../src/explore/pool.ts');
type Sweep = typeof import('../../src/explore/sweep.ts');
const built = builtIsFresh();
const { runSeeds, SweepThreads } = (await import(built ? '../../dist/src/explore/pool.js' : '../../src/explore/pool.ts')) as Pool;
const { seedsOf } = (await import(built ? '../../dist/src/explore/sweep.js' : '../../src/explore/sweep.ts')) as Sweep;

const flags = scriptFlags('soak:settings', process.argv.slice(2), {
  '--draws': { kind: 'count', max: 10_000 },
  '--draw-seed': { kind: 'count', min: 0, max: 2 ** 32 - 1 },
  '--seeds': { kind: 'count', max: 1_000_000 },
  '--from': { kind: 'count', max: 2 ** 32 - 1 },
  '--workers': { kind: 'count', max: 64 },
  '--engine': { kind: 'choice', of: ['flink', 'kstreams', 'spark'] },
  '--bug': { kind: 'text' },
  '--at-least-once': { kind: 'switch' },
  '--json': { kind: 'switch' },
});
const bug = flags.bug;
if (bug !== undefined && !isBugName(bug)) refuse('soak:settings', `unknown planted bug '${bug}' (weir bugs lists them: ${Object.keys(BUGS).slice(0, 4).join(', ')}, …)`);
const engine = flags.engine !== undefined && isEngineName(flags.engine) ? flags.engine : undefined;
const DRAWS = flags.draws ?? 40;
const DRAW_SEED = flags['draw-seed'] ?? 1;
const SEEDS = flags.seeds ?? 100;
const FROM = flags.from ?? 1;
const WORKERS = flags.workers ?? 2;
const JSON_OUT = flags.json === true;
/** `--at-least-once`: every draw under at-least-once, where `exactly-once` failing is no violation. */
const AT_LEAST_ONCE = flags['at-least-once'] === true;
const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

let draws: string[][];
try {
  draws = drawSettings(DRAW_SEED, DRAWS, { ...(engine ? { engine } : {}), ...(bug !== undefined && isBugName(bug) ? { bug } : {}), ...(AT_LEAST_ONCE ? { atLeastOnce: true } : {}) });
} catch (e) {
  refuse('soak:settings', (e as Error).message);
}

interface DrawRow {
  command: string;
  seeds: number;
  violations: number;
  crashes: number;
  runsPerSec: number;
  failingTokens: string[];
}

async function main(): Promise<number> {
  say(built ? 'running the build in dist/' : 'dist/ is missing or stale: running the sources through tsx (slower; npm run build)');
  const threads = new SweepThreads();
  const rows: DrawRow[] = [];
  try {
    for (const args of draws) {
      // The command line parsed as `weir explore` parses it: the row runs exactly what it prints.
      const { job } = exploreRequest(parseArgs('explore', args, EXPLORE_FLAGS));
      const t0 = performance.now();
      const results: SeedResult[] = await runSeeds(job, seedsOf(FROM, SEEDS), { workers: WORKERS, threads });
      const secs = (performance.now() - t0) / 1000;
      const failing = results.filter((r) => violates(r.failed.map((f) => f.name), AT_LEAST_ONCE));
      const row: DrawRow = {
        command: `weir explore ${args.join(' ')} --seeds ${SEEDS}${FROM === 1 ? '' : ` --start ${FROM}`}`,
        seeds: results.length,
        violations: failing.length,
        crashes: results.reduce((a, r) => a + (r.exercised?.crashes ?? 0), 0),
        runsPerSec: Number((results.length / secs).toFixed(1)),
        failingTokens: failing.slice(0, 3).map((r) => `${r.failed.find((f) => violates([f.name], AT_LEAST_ONCE))?.name}: ${r.token}`),
      };
      rows.push(row);
      say(`${row.command}: ${row.violations} violations in ${row.seeds} seeds, ${row.crashes} crashes (${row.runsPerSec} runs/s)`);
      for (const t of row.failingTokens) say(`  failing: ${t}`);
    }
  } finally {
    threads.close();
  }
  const violations = rows.reduce((a, r) => a + r.violations, 0);
  const seeds = rows.reduce((a, r) => a + r.seeds, 0);
  say(`${rows.length} drawn settings (draw seed ${DRAW_SEED}), ${seeds} seeds, ${violations} violations${bug ? ` with ${bug} planted` : ''}`);
  const ok = violations === 0;
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ drawSeed: DRAW_SEED, draws: DRAWS, firstSeed: FROM, seedsPerDraw: SEEDS, workers: WORKERS, ...(engine ? { engine } : {}), ...(bug ? { bug } : {}), ...(AT_LEAST_ONCE ? { atLeastOnce: true } : {}), rows, ok })}\n`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
