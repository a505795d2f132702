/**
 * Time to find and shrink each planted bug: `weir explore` over 16 seeds at
 * the place each bug's test sweeps, then shrinking the first failure (its
 * faults anchored first: "anchored" in the table).
 * Prints a Markdown table (the README's) and, with --json, one JSON line.
 *
 *   node --import tsx test/bench/shrink.ts [--json]
 */
import { explore } from '../../src/explore/explore.ts';
import { BUGS, type BugName } from '../../src/explore/bugs.ts';
import { BUG_PLACES, placeShape } from '../support/bug-places.ts';


const num = (n: number): string => n.toLocaleString('en-US');
const rows: string[] = ['| bug | scenario, faults | first failing seed, check | sweep | shrunk (records, faults) | shrink |', '|---|---|---|---|---|---|'];
const figures: Record<string, unknown>[] = [];
for (const bug of Object.keys(BUGS) as BugName[]) {
  const w = BUG_PLACES[bug];
  const place = `${w.scenario}${w.events ? ` ${w.events}` : ''}${w.unaligned ? ' unaligned' : ''}${w.spareTaskManagers ? ` +${w.spareTaskManagers} spare TM` : ''}, ${w.faults}`;
  const t0 = performance.now();
  const r = await explore({
    job: { ...placeShape(w), guarantee: 'exactly-once', bugs: [bug] },
    start: 1,
    count: 16,
    workers: 1,
  });
  const totalMs = performance.now() - t0;
  const f = r.firstFailure;
  if (!f || !f.shrunk) {
    rows.push(`| ${bug} | ${place} | not found in 16 seeds | | | |`);
    continue;
  }
  const s = f.shrunk;
  const sweepMs = totalMs - s.elapsedMs;
  rows.push(`| ${bug} | ${place} | ${f.seed}, ${f.check} | ${(sweepMs / 1000).toFixed(1)} s | ${num(s.before.events)} → ${num(s.after.events)}, ${s.before.faults} → ${s.after.faults}${s.anchored ? ' anchored' : ''} | ${s.runs} runs, ${(s.elapsedMs / 1000).toFixed(1)} s${s.exhausted ? ' (budget)' : ''} |`);
  figures.push({ bug, seed: f.seed, check: f.check, sweepMs: Math.round(sweepMs), events: f.events, shrunkEvents: s.after.events, faults: f.faults, shrunkFaults: s.after.faults, anchored: s.anchored, shrinkRuns: s.runs, shrinkMs: s.elapsedMs });
}
process.stdout.write(rows.join('\n') + '\n');
if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ shrink: figures }) + '\n');
