/**
 * A sweep's warm-up and steady state, for the bench runner: one thread runs
 * `bank` seeds 1..first+steady one after another through `runSeed`, the
 * function a sweep worker calls for each seed (swarm faults, exactly-once,
 * the coverage probe), and times each. The first `first` seeds carry V8's
 * warm-up (compiling the hot paths); the rest show the steady state. Prints
 * one JSON line: the wall ms of each seed, in order, and whether every seed
 * passed.
 *
 * The bench runner starts it with the Node flags of `bin/weir.js`'s shebang,
 * on the build in dist/ when it is fresh (`--built`), otherwise on the
 * TypeScript sources through tsx.
 *
 *   node [flags] test/bench/warm-sweep.mjs --first N --steady N [--built]
 */
import { refuse, scriptFlags } from '../../scripts/flags.mjs';

const flags = scriptFlags('warm-sweep', process.argv.slice(2), { '--first': { kind: 'count' }, '--steady': { kind: 'count' }, '--built': { kind: 'switch' } });
if (flags.first === undefined || flags.steady === undefined) refuse('warm-sweep', 'needs --first N and --steady N');
const { first, steady } = flags;
const { runSeed } = await import(flags.built ? '../../dist/src/explore/sweep.js' : '../../src/explore/sweep.ts');

const job = { scenario: 'bank', guarantee: 'exactly-once', faults: 'swarm', bugs: [] };
const ms = [];
let failures = 0;
for (let seed = 1; seed <= first + steady; seed++) {
  const t0 = performance.now();
  const r = runSeed(job, seed);
  ms.push(performance.now() - t0);
  if (!r.ok) failures++;
}
process.stdout.write(JSON.stringify({ ms, failures }) + '\n');
