/**
 * Where a run's scheduler steps go: for a scenario with swarm faults
 * (default `bank` on Flink), each kind of step (a message by the kind it
 * carries and the role that receives it, a timer by the role that armed it,
 * a world event such as a disk's fsync completion or a fault), how many a
 * run takes and how long one takes, timed one step at a time over warm runs
 * (run as explore runs its seeds, without the trace hash).
 * With `--dense`: the bench's dense wordcount instead (`dense.mjs`, 100,000
 * events, no faults; `--keys N` for another number of keys than its 1,000,
 * so fewer or more records share a window), 3 runs after 3 warm-up runs by
 * default; a connection's delivery (data between task managers) is a row of
 * its own.
 * The counts are the run's own (the same on every machine); the times are
 * this machine's, and the timing adds a little to each step. Stale steps (a
 * cancelled timer, an event of a crashed process) are one row.
 *
 *   node --max-semi-space-size=32 --import tsx test/bench/steps.ts [--scenario S | --dense [--keys N]] [--engine E] [--runs N] [--json]
 */
import { runScenario } from '../../src/explore/run.ts';
import { enginesOf } from '../../src/explore/engines.ts';
import { refuse, scriptFlags } from '../../scripts/flags.mjs';
import { findScenario } from '../../scenarios/index.ts';
import { World } from '../../src/sim/world.ts';
import { MESSAGE, TIMER, START, RELIABLE, type SimEvent } from '../../src/sim/sim-event.ts';
import type { EngineName } from '../../scenarios/types.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import { generateWorkload } from '../../src/workload/generate.ts';
import { DENSE_KEYS, denseSettings, denseWordcount } from './dense.mjs';

const DENSE_EVENTS = 100_000;

function parseArgs(argv: readonly string[]): { scenario: string; engine: EngineName | undefined; runs: number; json: boolean; dense: boolean; keys: number } {
  const f = scriptFlags('bench:steps', argv, {
    '--scenario': { kind: 'text' },
    '--dense': { kind: 'switch' },
    '--keys': { kind: 'count' },
    '--engine': { kind: 'choice', of: ['flink', 'kstreams', 'spark'] },
    '--runs': { kind: 'count' },
    '--json': { kind: 'switch' },
  });
  const dense = f.dense === true;
  if (dense && f.scenario !== undefined) refuse('bench:steps', '--dense runs the dense wordcount: leave out --scenario');
  if (!dense && f.keys !== undefined) refuse('bench:steps', '--keys is for --dense');
  const scenario = dense ? 'wordcount' : f.scenario ?? 'bank';
  const engine = f.engine as EngineName | undefined;
  const found = findScenario(scenario);
  if (found === undefined) refuse('bench:steps', `unknown scenario '${scenario}' (see weir list)`);
  if (engine !== undefined && !enginesOf(found).includes(engine)) refuse('bench:steps', `scenario '${scenario}' does not run on ${engine} (it runs on ${enginesOf(found).join(', ')})`);
  return { scenario, engine, runs: f.runs ?? (dense ? 3 : 150), json: f.json === true, dense, keys: f.keys ?? DENSE_KEYS };
}

const { scenario, engine, runs, json, dense, keys } = parseArgs(process.argv.slice(2));
const WARM_RUNS = dense ? 3 : 60;

/** A process id with its numbers folded (tm-3 → tm-N), so a role's steps share a row. */
const role = (id: string): string => id.replace(/[0-9]+/g, 'N');

function kindOf(ev: SimEvent): string {
  if (ev.type === MESSAGE) {
    const kind = (ev.msg as { kind?: unknown } | null)?.kind;
    return `message ${typeof kind === 'string' ? kind : typeof ev.msg} → ${role(ev.proc!.id)}`;
  }
  if (ev.type === TIMER) return `timer at ${role(ev.proc!.id)}`;
  if (ev.type === START) return `start ${role(ev.proc!.id)}`;
  if (ev.type === RELIABLE) {
    const kind = (ev.msg as { kind?: unknown } | null)?.kind;
    return `connection ${typeof kind === 'string' ? kind : typeof ev.msg} → ${role(ev.proc!.id)}`;
  }
  return 'world event (fsync completions, faults)';
}

interface Row {
  count: number;
  ms: number;
}
const rows = new Map<string, Row>();
let timing = false;
// The world's dispatch, wrapped: the bench times each step; the world itself never reads a clock.
const proto = World.prototype as unknown as { dispatch(t: number, ev: SimEvent): boolean };
const dispatch = proto.dispatch;
if (typeof dispatch !== 'function') throw new Error('bench:steps: World has no dispatch method to time; update this bench with the world');
proto.dispatch = function (this: World, t: number, ev: SimEvent): boolean {
  if (!timing) return dispatch.call(this, t, ev);
  const t0 = performance.now();
  const live = dispatch.call(this, t, ev);
  const ms = performance.now() - t0;
  const key = live ? kindOf(ev) : 'stale (cancelled timer, crashed process)';
  const row = rows.get(key) ?? { count: 0, ms: 0 };
  row.count++;
  row.ms += ms;
  rows.set(key, row);
  return live;
};

const settings = (seed: number): RunSettings => ({ scenario, seed, guarantee: 'exactly-once' as const, faults: 'swarm' as const, bugs: [], ...(engine ? { engine } : {}) });
const denseScenario = dense ? denseWordcount(findScenario('wordcount'), generateWorkload) : undefined;
/** One run: a seed of the scenario, or the dense wordcount (the same run each time). */
const runOnce = (seed: number): number => dense
  ? runScenario(denseSettings(DENSE_EVENTS, { keys, ...(engine ? { engine } : {}) }), { hashTrace: false, scenario: denseScenario }).steps
  : runScenario(settings(seed), { hashTrace: false }).steps;
// As explore runs seeds: no trace hash (nothing reads it).
for (let seed = 1; seed <= WARM_RUNS; seed++) runOnce(100_000 + seed);
timing = true;
let steps = 0;
for (let seed = 1; seed <= runs; seed++) steps += runOnce(seed);
timing = false;

const sorted = [...rows].sort((a, b) => b[1].ms - a[1].ms);
let totalMs = 0;
for (const [, r] of sorted) totalMs += r.ms;
const fmt = (n: number, d: number): string => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const what = dense ? `dense wordcount, ${fmt(DENSE_EVENTS, 0)} events, ${fmt(keys, 0)} keys, no faults, ${runs} run${runs === 1 ? '' : 's'}` : `swarm faults, seeds 1–${runs}`;
process.stdout.write(`${scenario}${engine ? ` on ${engine}` : ''}, ${what} after ${WARM_RUNS} warm-up runs: ${fmt(steps / runs, 0)} steps a run, ${fmt(totalMs / runs, 2)} ms a run in steps\n\n`);
process.stdout.write('| step | per run | µs each | ms per run |\n|---|---|---|---|\n');
for (const [key, r] of sorted) process.stdout.write(`| ${key} | ${fmt(r.count / runs, 0)} | ${fmt((r.ms * 1000) / r.count, 2)} | ${fmt(r.ms / runs, 3)} |\n`);
if (json) {
  const out = sorted.map(([step, r]) => ({ step, perRun: Math.round((r.count / runs) * 10) / 10, usEach: Math.round((r.ms * 100_000) / r.count) / 100 }));
  process.stdout.write(JSON.stringify({ scenario, ...(dense ? { dense: true, keys } : {}), engine: engine ?? null, runs, stepsPerRun: Math.round(steps / runs), msPerRunInSteps: Math.round((totalMs / runs) * 100) / 100, steps: out }) + '\n');
}
