/**
 * Time to find and shrink each planted bug: `weir explore` over 16 seeds at
 * the place each bug's test sweeps (`test/support/bug-places.ts`), and 16
 * more at a time up to 128 for a rare bug no earlier seed shows, then
 * shrinking the first failure (its faults anchored first: "anchored" in the
 * table). Every bug of the catalogue (`weir bugs`), in catalogue order.
 * Prints a Markdown table (docs/EXPLORING.md's), each row as its bug finishes, and
 * with --json one JSON line at the end.
 *
 *   node --import tsx test/bench/shrink.ts [--json] [--only bug-a,bug-b]
 */
import { explore } from '../../src/explore/explore.ts';
import { BUGS, isBugName, type BugName } from '../../src/explore/bugs.ts';
import { BUG_PLACES, placeShape } from '../support/bug-places.ts';
import { refuse, scriptFlags } from '../../scripts/flags.mjs';

const SEEDS = 16;
/** A bug no seed of the first SEEDS shows is swept on, SEEDS at a time, up to this many seeds. */
const MOST_SEEDS = 128;

const flags = scriptFlags('bench:shrink', process.argv.slice(2), { '--only': { kind: 'text' }, '--json': { kind: 'switch' } });

/** `--only a,b`: these planted bugs only; a name not in the catalogue is refused. */
function onlyArg(): BugName[] | undefined {
  if (flags.only === undefined) return undefined;
  const names = flags.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !isBugName(n));
  if (unknown.length > 0 || names.length === 0) refuse('bench:shrink', `--only takes planted bug names (see weir bugs), got '${unknown.join(',') || flags.only}'`);
  return names as BugName[];
}

const only = onlyArg();
const bugs = (Object.keys(BUGS) as BugName[]).filter((b) => only === undefined || only.includes(b));
const num = (n: number): string => n.toLocaleString('en-US');
process.stdout.write('| bug | engine | scenario, faults | first failing seed, check | sweep | shrunk (records, faults) | shrink |\n|---|---|---|---|---|---|---|\n');
const figures: Record<string, unknown>[] = [];
for (const bug of bugs) {
  const w = BUG_PLACES[bug];
  const engine = w.engine ?? 'flink';
  const place = `${w.scenario}${w.events ? ` ${w.events}` : ''}${w.unaligned ? ' unaligned' : ''}${w.spareTaskManagers ? ` +${w.spareTaskManagers} spare TM` : ''}${w.standbyReplicas ? ` +${w.standbyReplicas} standby` : ''}, ${w.faults}`;
  const t0 = performance.now();
  let start = 1;
  let r = await sweep(bug, w, start);
  while (!r.firstFailure && start + SEEDS <= MOST_SEEDS) {
    start += SEEDS;
    r = await sweep(bug, w, start);
  }
  const totalMs = performance.now() - t0;
  const f = r.firstFailure;
  if (!f || !f.shrunk) {
    process.stdout.write(`| ${bug} | ${engine} | ${place} | not found in ${MOST_SEEDS} seeds | ${(totalMs / 1000).toFixed(1)} s | | |\n`);
    figures.push({ bug, engine, found: false, sweepMs: Math.round(totalMs) });
    continue;
  }
  const s = f.shrunk;
  const sweepMs = totalMs - s.elapsedMs;
  process.stdout.write(`| ${bug} | ${engine} | ${place} | ${f.seed}, ${f.check} | ${(sweepMs / 1000).toFixed(1)} s | ${num(s.before.events)} → ${num(s.after.events)}, ${s.before.faults} → ${s.after.faults}${s.anchored ? ' anchored' : ''} | ${s.runs} runs, ${(s.elapsedMs / 1000).toFixed(1)} s${s.exhausted ? ' (budget)' : ''} |\n`);
  figures.push({ bug, engine, found: true, seed: f.seed, check: f.check, sweepMs: Math.round(sweepMs), events: f.events, shrunkEvents: s.after.events, faults: f.faults, shrunkFaults: s.after.faults, anchored: s.anchored, shrinkRuns: s.runs, shrinkMs: s.elapsedMs, exhausted: s.exhausted, token: s.token });
}
/** Seeds start … start + SEEDS - 1 of the bug's place, the first failure shrunk. */
function sweep(bug: BugName, w: (typeof BUG_PLACES)[BugName], start: number): ReturnType<typeof explore> {
  return explore({ job: { guarantee: 'exactly-once', ...placeShape(w), bugs: [bug] }, start, count: SEEDS, workers: 1 });
}

if (flags.json === true) process.stdout.write(JSON.stringify({ shrink: figures }) + '\n');
