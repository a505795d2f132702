/**
 * Where a run's scheduler steps go: for a scenario with swarm faults
 * (default `bank` on Flink), each kind of step (a message by the kind it
 * carries and the role that receives it, a timer by the role that armed it,
 * a world event such as a disk's fsync completion or a fault), how many a
 * run takes and how long one takes, timed one step at a time over warm runs
 * (run as explore runs its seeds, without the trace hash).
 * The counts are the run's own (the same on every machine); the times are
 * this machine's, and the timing adds a little to each step. Stale steps (a
 * cancelled timer, an event of a crashed process) are one row.
 *
 *   node --max-semi-space-size=32 --import tsx test/bench/steps.ts [--scenario S] [--engine E] [--runs N] [--json]
 */
import { runScenario } from '../../src/explore/run.ts';
import { enginesOf } from '../../src/explore/engines.ts';
import { refuse, scriptFlags } from '../../scripts/flags.mjs';
import { findScenario } from '../../scenarios/index.ts';
import { World } from '../../src/sim/world.ts';
import { MESSAGE, TIMER, START, type SimEvent } from '../../src/sim/sim-event.ts';
import type { EngineName } from '../../scenarios/types.ts';

const WARM_RUNS = 60;

function parseArgs(argv: readonly string[]): { scenario: string; engine: EngineName | undefined; runs: number; json: boolean } {
  const f = scriptFlags('bench:steps', argv, {
    '--scenario': { kind: 'text' },
    '--engine': { kind: 'choice', of: ['flink', 'kstreams', 'spark'] },
    '--runs': { kind: 'count' },
    '--json': { kind: 'switch' },
  });
  const scenario = f.scenario ?? 'bank';
  const engine = f.engine as EngineName | undefined;
  const found = findScenario(scenario);
  if (found === undefined) refuse('bench:steps', `unknown scenario '${scenario}' (see weir list)`);
  if (engine !== undefined && !enginesOf(found).includes(engine)) refuse('bench:steps', `scenario '${scenario}' does not run on ${engine} (it runs on ${enginesOf(found).join(', ')})`);
  return { scenario, engine, runs: f.runs ?? 150, json: f.json === true };
}

const { scenario, engine, runs, json } = parseArgs(process.argv.slice(2));

/** A process id with its numbers folded (tm-3 → tm-N), so a role's steps share a row. */
const role = (id: string): string => id.replace(/[0-9]+/g, 'N');

function kindOf(ev: SimEvent): string {
  if (ev.type === MESSAGE) {
    const kind = (ev.msg as { kind?: unknown } | null)?.kind;
    return `message ${typeof kind === 'string' ? kind : typeof ev.msg} → ${role(ev.proc!.id)}`;
  }
  if (ev.type === TIMER) return `timer at ${role(ev.proc!.id)}`;
  if (ev.type === START) return `start ${role(ev.proc!.id)}`;
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

const settings = (seed: number) => ({ scenario, seed, guarantee: 'exactly-once' as const, faults: 'swarm' as const, bugs: [], ...(engine ? { engine } : {}) });
// As explore runs seeds: no trace hash (nothing reads it).
for (let seed = 1; seed <= WARM_RUNS; seed++) runScenario(settings(100_000 + seed), { hashTrace: false });
timing = true;
let steps = 0;
for (let seed = 1; seed <= runs; seed++) steps += runScenario(settings(seed), { hashTrace: false }).steps;
timing = false;

const sorted = [...rows].sort((a, b) => b[1].ms - a[1].ms);
let totalMs = 0;
for (const [, r] of sorted) totalMs += r.ms;
const fmt = (n: number, d: number): string => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
process.stdout.write(`${scenario}${engine ? ` on ${engine}` : ''}, swarm faults, seeds 1–${runs} after ${WARM_RUNS} warm-up runs: ${fmt(steps / runs, 0)} steps a run, ${fmt(totalMs / runs, 2)} ms a run in steps\n\n`);
process.stdout.write('| step | per run | µs each | ms per run |\n|---|---|---|---|\n');
for (const [key, r] of sorted) process.stdout.write(`| ${key} | ${fmt(r.count / runs, 0)} | ${fmt((r.ms * 1000) / r.count, 2)} | ${fmt(r.ms / runs, 3)} |\n`);
if (json) {
  const out = sorted.map(([step, r]) => ({ step, perRun: Math.round((r.count / runs) * 10) / 10, usEach: Math.round((r.ms * 100_000) / r.count) / 100 }));
  process.stdout.write(JSON.stringify({ scenario, engine: engine ?? null, runs, stepsPerRun: Math.round(steps / runs), msPerRunInSteps: Math.round((totalMs / runs) * 100) / 100, steps: out }) + '\n');
}
