/**
 * `npm run bench:instructions`: the CPU instructions one swarm run of a
 * scenario costs, counted by valgrind, so two builds can be compared on a
 * machine whose speed moves (a shared host can run the same build 30%
 * slower an hour later; instruction counts barely move).
 *
 * It runs the built JavaScript (`dist/`) of this checkout, or of `--root
 * DIR` (another checkout, built), under `valgrind --tool=cachegrind
 * --cache-sim=no`, with `node --predictable` (V8 compiles and collects
 * garbage on the main thread, at points that do not depend on the clock)
 * and fixed hash and random seeds (V8 otherwise picks new ones per process,
 * and its hash tables fill differently), and with the Node flags of that
 * build's `weir` (its shebang), so that the count repeats to
 * within about 0.1%. One process runs seeds 1..N, another
 * 1..2N, as `weir explore` does each seed (swarm faults,
 * exactly-once, the coverage probe); the difference divided by N is the
 * figure: instructions per run once start-up and warm-up are paid.
 * Instructions are not time (cache misses and garbage collection weigh
 * differently), but a change that does less work shows here first.
 *
 *   node scripts/instructions.mjs [--scenario bank] [--engine flink|kstreams|spark] [--seeds 8] [--root DIR]
 *
 * Prints the figure and the digest of the runs' trace hashes (equal digests:
 * the builds ran the same runs). A sweep keeps no trace hash, so the
 * digest comes from the same seeds run again, hashed, outside valgrind.
 * On a quiet machine the figure repeats to about 0.1%; with other work
 * running (a soak on the other core) counts of the same build moved by up
 * to ±4%, so the line says so when the load average was above 0.5 at the
 * start. Needs valgrind; exit 2 without it, or
 * on a bad flag or an unbuilt root.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { refuse, scriptFlags } from './flags.mjs';
import { weirNodeFlags } from './node-flags.mjs';

const HERE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../', import.meta.url));

const fail = (message) => refuse('instructions', message);

const FLAGS = {
  '--scenario': { kind: 'text' },
  '--engine': { kind: 'choice', of: ['flink', 'kstreams', 'spark'] },
  '--seeds': { kind: 'count', max: 10_000 },
  // Inside valgrind: run these seeds as explore does and print the digest of their results.
  '--run': { kind: 'count', max: 10_000, hidden: true },
  // The digest of these seeds' trace hashes (what the count prints beside its figure).
  '--digest': { kind: 'count', max: 10_000, hidden: true },
  '--root': { kind: 'text' },
};

function parseArgs(argv) {
  const f = scriptFlags('instructions', argv, FLAGS);
  return { scenario: f.scenario ?? 'bank', engine: f.engine, seeds: f.seeds ?? 8, root: f.root !== undefined ? resolve(f.root) : ROOT, run: f.run, digest: f.digest };
}

/**
 * Inside valgrind: seeds 1..n of the scenario, each exactly as `weir explore` runs it (`runSeed`,
 * which keeps no trace hash); prints the digest of their results.
 */
async function runSeeds(opts, n) {
  const dist = (p) => pathToFileURL(resolve(opts.root, 'dist', p)).href;
  const { runSeed } = await import(dist('src/explore/sweep.js'));
  const job = await jobOf(opts);
  const hash = createHash('sha256');
  for (let seed = 1; seed <= n; seed++) hash.update(JSON.stringify(runSeed(job, seed)));
  process.stdout.write(`results ${hash.digest('hex').slice(0, 12)}\n`);
}

/**
 * Outside valgrind: the digest of seeds 1..n's trace hashes (a sweep keeps none, so the counted
 * runs cannot give it; these are the same runs with their trace hashed).
 */
async function digestSeeds(opts, n) {
  const dist = (p) => pathToFileURL(resolve(opts.root, 'dist', p)).href;
  const { runScenario } = await import(dist('src/explore/run.js'));
  const { settingsOf } = await import(dist('src/explore/sweep.js'));
  const job = await jobOf(opts);
  const hash = createHash('sha256');
  for (let seed = 1; seed <= n; seed++) hash.update(runScenario(settingsOf(job, seed)).traceHash);
  return hash.digest('hex').slice(0, 12);
}

/** The sweep job counted: the scenario (refused when `root`'s build has no such scenario) with swarm faults, exactly-once. */
async function jobOf(opts) {
  const { findScenario } = await import(pathToFileURL(resolve(opts.root, 'dist', 'scenarios/index.js')).href);
  if (!findScenario(opts.scenario)) fail(`no scenario '${opts.scenario}' (see weir list)`);
  return { scenario: opts.scenario, guarantee: 'exactly-once', faults: 'swarm', bugs: [], ...(opts.engine ? { engine: opts.engine } : {}) };
}

/** Instructions valgrind counts for a process that runs seeds 1..n. */
function count(opts, n) {
  const args = [
    '--tool=cachegrind', '--cache-sim=no', '--smc-check=all-non-file', '--cachegrind-out-file=/dev/null',
    process.execPath, '--predictable', '--hash-seed=1', '--random-seed=1', ...weirNodeFlags(opts.root), HERE,
    '--scenario', opts.scenario, ...(opts.engine ? ['--engine', opts.engine] : []), '--root', opts.root, '--run', String(n),
  ];
  const r = spawnSync('valgrind', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(`cannot start valgrind (${r.error.message}); install it (apt-get install valgrind) and run again`);
  const refs = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  const ran = /^results \w+/m.exec(r.stdout);
  if (r.status !== 0 || !refs || !ran) fail(`the counted run failed (exit ${r.status}): ${(r.stderr.split('\n').find((l) => /Error|error:/.test(l)) ?? r.stderr.slice(-300)).trim()}`);
  return Number(refs[1].replaceAll(',', ''));
}

const opts = parseArgs(process.argv.slice(2));
if (!existsSync(resolve(opts.root, 'dist/src/explore/run.js'))) fail(`${opts.root} has no built dist/ (run npm run build there first)`);
if (!existsSync(resolve(opts.root, 'bin/weir.js'))) fail(`${opts.root} has no bin/weir.js (give the root of a weir checkout)`);
if (opts.run !== undefined) await runSeeds(opts, opts.run);
else if (opts.digest !== undefined) process.stdout.write(`digest ${await digestSeeds(opts, opts.digest)}\n`);
else {
  const load = loadavg()[0];
  const a = count(opts, opts.seeds);
  const b = count(opts, 2 * opts.seeds);
  const digest = await digestSeeds(opts, 2 * opts.seeds);
  const perRun = (b - a) / opts.seeds;
  const label = `${opts.scenario}${opts.engine ? ` on ${opts.engine}` : ''}`;
  process.stdout.write(`${label}: ${(perRun / 1e6).toFixed(1)} M instructions per swarm run (runs ${opts.seeds + 1}–${2 * opts.seeds}; ` +
    `${(a / 1e6).toFixed(0)} M for runs 1–${opts.seeds} with start-up), trace digest ${digest}, build ${opts.root}\n`);
  if (load > 0.5) process.stdout.write(`note: the load average was ${load.toFixed(2)} at the start; counts taken beside other work move by a few percent, so compare builds on a quiet machine\n`);
}
