/**
 * What a denser `bank`, or more checkpoints, would buy: the speed of a run
 * against how often its seeds catch bank's planted bugs, for transfers
 * closer together than the shipped 10 ms, and for checkpoints closer
 * together (every 250 ms at the shipped spacing, `weir explore
 * --checkpoint-interval 250`; every 100 ms at the closest spacing, so a
 * run sees about as many as a shipped one).
 *
 * For each variant: warm runs per second on this thread (seeds 1…N of
 * `bank` with swarm faults, run as explore runs them, without the trace
 * hash, after warm-up runs of every variant, the variants taking turns a
 * quarter of the seeds at a time), scheduler
 * steps, virtual seconds and completed checkpoints per run; then, for every
 * planted bug whose place is `bank` (`test/support/bug-places.ts`), how
 * many of seeds 1…N fail. A sweep is as good as the rarest bug it finds,
 * so the last column is that bug's catches a second (warm runs a second
 * times the share of its seeds that fail). The shipped spacing is the first
 * row, so the others read against it. Nothing here is asserted: it measures
 * a choice.
 *
 *   node --max-semi-space-size=32 --import tsx test/bench/density.ts [--seeds N] [--json]
 */
import { runScenario } from '../../src/explore/run.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import { findScenario } from '../../scenarios/index.ts';
import { generateTransfers } from '../../src/workload/bank.ts';
import type { Scenario } from '../../scenarios/types.ts';
import type { BugName } from '../../src/explore/bugs.ts';
import { BUG_PLACES, placeShape } from '../support/bug-places.ts';
import { scriptFlags } from '../../scripts/flags.mjs';

interface Variant {
  /** Average spacing of transfers, ms (the shipped bank: 10). */
  spacingMs: number;
  /** Checkpoint interval, ms (absent: the job's default, 500). */
  checkpointIntervalMs?: number;
}

/** The spacing bank ships with (`generateTransfers`' default, which scenarios/bank.ts keeps). */
const SHIPPED_SPACING_MS = 10;
const VARIANTS: Variant[] = [{ spacingMs: SHIPPED_SPACING_MS }, { spacingMs: SHIPPED_SPACING_MS, checkpointIntervalMs: 250 }, { spacingMs: 5 }, { spacingMs: 2 }, { spacingMs: 2, checkpointIntervalMs: 100 }];
const WARM_RUNS = 60;

/** `--seeds N` (default 32) and `--json`; anything else is refused with one line, exit 2. */
function parseArgs(argv: readonly string[]): { seeds: number; json: boolean } {
  const f = scriptFlags('bench:density', argv, { '--seeds': { kind: 'count' }, '--json': { kind: 'switch' } });
  return { seeds: f.seeds ?? 32, json: f.json === true };
}

const { seeds, json } = parseArgs(process.argv.slice(2));
const shipped = findScenario('bank')!;
const bankBugs = (Object.keys(BUG_PLACES) as BugName[]).filter((b) => BUG_PLACES[b].scenario === 'bank');

function variantScenario(v: Variant): Scenario {
  return {
    ...shipped,
    workload: (rng, s) => generateTransfers(rng, { events: s.events, accounts: s.keys, partitions: s.partitions, initialBalance: 1_000, eventRateMsPerRecord: v.spacingMs }),
  };
}

function settingsOf(v: Variant, seed: number, extra: Partial<RunSettings> = {}): RunSettings {
  return {
    scenario: 'bank', seed, guarantee: 'exactly-once', faults: 'swarm', bugs: [],
    ...(v.checkpointIntervalMs ? { checkpointIntervalMs: v.checkpointIntervalMs } : {}),
    ...extra,
  };
}

const label = (v: Variant): string => `${v.spacingMs} ms${v.spacingMs === SHIPPED_SPACING_MS && !v.checkpointIntervalMs ? ' (shipped)' : ''}${v.checkpointIntervalMs ? `, checkpoints every ${v.checkpointIntervalMs} ms` : ''}`;
const rows: Record<string, unknown>[] = [];
process.stdout.write(`| spacing | warm runs/s | steps/run | virtual s/run | checkpoints/run | ${bankBugs.join(' | ')} | rarest, caught a second |\n`);
process.stdout.write(`|${' --- |'.repeat(6 + bankBugs.length)}\n`);
/** The timed runs of the variants take turns, a slice of the seeds at a time, so the host's drift falls on all of them alike. */
const ROUNDS = 4;
const timed = VARIANTS.map((v) => ({ v, scenario: variantScenario(v), ms: 0, steps: 0, virtualMs: 0, checkpoints: 0 }));
// As explore runs seeds: no trace hash (nothing reads it).
for (const t of timed) for (let seed = 1; seed <= WARM_RUNS; seed++) runScenario(settingsOf(t.v, 10_000 + seed), { scenario: t.scenario, hashTrace: false });
for (let round = 0; round < ROUNDS; round++) {
  const from = Math.floor((round * seeds) / ROUNDS) + 1;
  const to = Math.floor(((round + 1) * seeds) / ROUNDS);
  for (const t of timed) {
    const t0 = performance.now();
    for (let seed = from; seed <= to; seed++) {
      const r = runScenario(settingsOf(t.v, seed), { scenario: t.scenario, hashTrace: false });
      t.steps += r.steps;
      t.virtualMs += r.virtualTimeMs;
      t.checkpoints += r.checkpoints.completed;
    }
    t.ms += performance.now() - t0;
  }
}
for (const t of timed) {
  const { v, scenario } = t;
  const runsPerSec = seeds / (t.ms / 1000);
  const caught: Record<string, number> = {};
  for (const bug of bankBugs) {
    const place = placeShape(BUG_PLACES[bug]);
    let n = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const r = runScenario(settingsOf(v, seed, { ...place, bugs: [bug] }), { scenario, hashTrace: false });
      if (!r.ok) n++;
    }
    caught[bug] = n;
  }
  const perSec = (bug: string): number => (runsPerSec * caught[bug]!) / seeds;
  const rarest = bankBugs.reduce((a, b) => (perSec(b) < perSec(a) ? b : a));
  const row = {
    spacingMs: v.spacingMs, checkpointIntervalMs: v.checkpointIntervalMs ?? 500, runsPerSec: Math.round(runsPerSec * 10) / 10,
    stepsPerRun: Math.round(t.steps / seeds), virtualSecPerRun: Math.round(t.virtualMs / seeds / 100) / 10, checkpointsPerRun: Math.round((t.checkpoints / seeds) * 10) / 10,
    caught, rarest: { bug: rarest, caughtPerSec: Math.round(perSec(rarest) * 100) / 100 },
  };
  rows.push(row);
  process.stdout.write(`| ${label(v)} | ${row.runsPerSec} | ${row.stepsPerRun.toLocaleString('en-US')} | ${row.virtualSecPerRun} | ${row.checkpointsPerRun} | ${bankBugs.map((b) => `${caught[b]}/${seeds}`).join(' | ')} | ${rarest} ${row.rarest.caughtPerSec} |\n`);
}
if (json) process.stdout.write(JSON.stringify({ seeds, density: rows }) + '\n');
