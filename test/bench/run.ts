/**
 * The benchmark runner: `npm run bench [-- --json] [-- --full | --quick]`.
 *
 * Runs the start-up benchmarks (`startup.bench.ts`: `weir list`, sweep worker
 * ready), a `weir explore bank` sweep on one worker and on two
 * (`explore.bench.ts`), the simulator benchmarks (`sim.bench.ts`, skipped with a note if that
 * file is absent) and the engine benchmarks (`engine.bench.ts`), then prints
 * a table, or with `--json` progress on stderr and, as the last line of
 * stdout, one JSON object with every figure (the contract in DESIGN.md).
 * Sizes: 10k and 100k events by default; `--full` adds 1M (minutes) and
 * runs the largest size on each engine once more in a child process of its
 * own, for its peak RSS;
 * `--quick` runs 1k and 10k only, to check the runner itself.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { benchEngine, ENGINE_ROUNDS, WARM_EVENTS, type EngineFigures } from './engine.bench.ts';
import { benchStartup, type StartupFigures } from './startup.bench.ts';
import { benchExplore, type ExploreFigures } from './explore.bench.ts';
import type { SimFigures } from './sim.bench.ts';

interface Machine {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  loadAvg1m: number;
  loadAvg1mAtEnd?: number;
}

const FLAGS = new Set(['--json', '--full', '--quick']);

async function loadSimBench(): Promise<(() => Promise<SimFigures>) | undefined> {
  try {
    const mod = (await import('./sim.bench.ts')) as { benchSim?: () => Promise<SimFigures> };
    return mod.benchSim;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

function machine(): Machine {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    loadAvg1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

const num = (n: number): string => n.toLocaleString('en-US');

function table(m: Machine, startup: StartupFigures, explore: ExploreFigures, sim: SimFigures | undefined, eng: EngineFigures): string {
  const rows: [string, string][] = [];
  const built = startup['startup.built'] ? 'built JavaScript' : 'dist/ missing or stale: TypeScript through tsx';
  rows.push(['start-up: weir list, wall', `${num(startup['startup.weirListWallMs'])} ms (${built}; median of 5)`]);
  const ready = startup['startup.workerReadyMs'];
  rows.push(['start-up: sweep worker ready (built)', ready === null ? 'no fresh build in dist/ (npm run build)' : `${num(ready)} ms (median of 3)`]);
  rows.push(['start-up: sweep worker ready (sources, tsx)', `${num(startup['startup.workerReadyFromSourcesMs'])} ms (median of 3; sweeps started under vitest)`]);
  for (const w of [1, 2] as const) {
    rows.push([`weir explore bank, ${num(explore['explore.seeds'])} seeds, ${w} worker${w > 1 ? 's' : ''}`, `${explore[`explore.bank.workers${w}.runsPerSec`]} runs/s (swarm faults, 1,000 events, start-up included)`]);
  }
  const curve = explore['explore.bank.warmup.firstRunsMs'];
  rows.push([`bank on one thread, the first ${num(curve.length * 10)} seeds`, `${curve.join(', ')} ms a run (by tens): V8's warm-up, ${num(explore['explore.bank.warmup.extraMs'])} ms beyond the steady state`]);
  rows.push([`bank on one thread, the ${num(explore['explore.bank.warm.seeds'])} seeds after`, `${explore['explore.bank.warm.runsPerSec']} runs/s (the steady state a long sweep tends to)`]);
  if (sim) {
    rows.push(['scheduler (event queue push+pop)', `${num(sim['scheduler.eventsPerSec'])} events/s`]);
    rows.push(['network (world, 4 processes, I/O traced)', `${num(sim['network.messagesPerSec'])} messages/s`]);
    rows.push(['network, the world as runs set it up (untraced I/O, no ring)', `${num(sim['network.untracedMessagesPerSec'])} messages/s`]);
    rows.push(['timers, the world as runs set it up', `${num(sim['timers.perSec'])} timers/s`]);
  } else rows.push(['simulator benchmarks', 'skipped (test/bench/sim.bench.ts not found)']);
  for (const s of eng['wordcount.sizes']) {
    rows.push([
      `wordcount p=4 dense, ${num(s.events)} events`,
      `${num(s.eventsPerSec)} events/s (${num(s.eventsPerCpuSec)} per CPU s), ${num(s.usPerEvent)} µs/event (${s.cpuUsPerEvent} CPU), ${num(s.wallMs)} ms wall (simulate ${num(s.simulateMs)}, judge ${num(s.judgeMs)}), ${num(s.cpuMs)} ms CPU`,
    ]);
  }
  rows.push(['wordcount as shipped (sparse), 10,000 events', `${num(eng['wordcountSparse.eventsPerSec'])} events/s`]);
  rows.push(['wordcount peak RSS (largest run)', `${num(eng['wordcount.peakRssMB'])} MB`]);
  const alone = eng.peakRssAloneMB;
  if (alone) {
    const spread = (v: number[]): string => `${num(v[0]!)}–${num(v[v.length - 1]!)} MB`;
    rows.push([`peak RSS of the ${num(eng['wordcount.sizes'].at(-1)!.events)}-event run alone (${alone.flink.length} child processes each, lowest–highest)`,
      `flink ${spread(alone.flink)}, kstreams ${spread(alone.kstreams)}, spark ${spread(alone.spark)} (goal: ≤ 1,000)`]);
  }
  const sizes = eng['wordcount.sizes'];
  rows.push([`wordcount CPU µs/event, ${num(sizes[sizes.length - 1]!.events)} vs ${num(sizes[0]!.events)} events`, `×${eng['wordcount.cpuPerEventGrowth']}`]);
  for (const s of eng['kstreams.wordcount.sizes']) {
    rows.push([`wordcount on kstreams dense, ${num(s.events)} events`, `${num(s.eventsPerSec)} events/s, ${s.cpuUsPerEvent} CPU µs/event, ${num(s.checkpoints)} commits`]);
  }
  rows.push(['kstreams vs flink, CPU µs/event (largest size)', `×${eng['kstreams.vsFlinkCpuPerEvent']} (goal: within ×2)`]);
  for (const s of eng['spark.wordcount.sizes']) {
    rows.push([`wordcount on spark dense, ${num(s.events)} events`, `${num(s.eventsPerSec)} events/s, ${s.cpuUsPerEvent} CPU µs/event, ${num(s.checkpoints)} batches`]);
  }
  rows.push(['spark vs flink, CPU µs/event (largest size)', `×${eng['spark.vsFlinkCpuPerEvent']} (goal: within ×2)`]);
  const il = eng['engines.interleavedCpuUsPerEvent'];
  rows.push([
    `engines side by side, ${num(WARM_EVENTS)} dense events, best of ${ENGINE_ROUNDS} interleaved rounds`,
    `CPU µs/event flink ${il.flink}, kstreams ${il.kstreams} (×${eng['kstreams.vsFlinkCpuPerEventInterleaved']}), spark ${il.spark} (×${eng['spark.vsFlinkCpuPerEventInterleaved']}); goal: within ×2`,
  ]);
  rows.push(['plain loop, same counts, same input', `${num(eng['plainLoop.eventsPerSec'])} events/s`]);
  rows.push(['wordcount vs plain loop', `${eng.wordcountVsPlainLoop} (1 : ${num(Math.round(1 / eng.wordcountVsPlainLoop))})`]);
  rows.push(['wordcount 100k dense, warm (best of the bench\'s last runs)', `${num(eng['wordcount.warm100k.eventsPerSec'])} events/s, ${eng.wordcountVsPlainLoopWarm100k} of the plain loop over the same input`]);
  rows.push([
    `checkpointing, ${num(eng['checkpointing.events'])} dense events`,
    `none ${num(eng['checkpointing.noneCpuMs'])} ms CPU; ~every 100k events ×${eng['checkpointing.every100kCostRatio']}; ~every 1k events (${num(eng['checkpointing.every1kCheckpoints'])} checkpoints) ×${eng['checkpointing.every1kCostRatio']}`,
  ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const head = `weir bench — node ${m.node}, ${m.platform}, ${m.cores} cores (${m.cpu}), load average ${m.loadAvg1m} at start, ${m.loadAvg1mAtEnd} at end`;
  return [head, '', ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)].join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.find((a) => !FLAGS.has(a));
  if (unknown !== undefined) {
    process.stderr.write(`bench: unknown flag "${unknown}" (flags: ${[...FLAGS].join(', ')})\n`);
    return 2;
  }
  const json = argv.includes('--json');
  const sizes = argv.includes('--quick') ? [1_000, 10_000] : argv.includes('--full') ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
  const progress = (line: string): void => void process.stderr.write(`  … ${line}\n`);
  const m = machine();
  const startup = await benchStartup();
  progress(`start-up: weir list ${num(startup['startup.weirListWallMs'])} ms, worker ready ${startup['startup.workerReadyMs'] ?? '–'} ms built, ${num(startup['startup.workerReadyFromSourcesMs'])} ms from sources`);
  const benchSim = await loadSimBench();
  const sim = benchSim ? await benchSim() : undefined;
  if (sim) progress(`simulator: ${num(sim['scheduler.eventsPerSec'])} events/s, ${num(sim['network.messagesPerSec'])} messages/s (${num(sim['network.untracedMessagesPerSec'])} untraced), ${num(sim['timers.perSec'])} timers/s`);
  const explore = benchExplore(argv.includes('--quick') ? 20 : argv.includes('--full') ? 1_000 : 200, progress);
  const eng = benchEngine({ sizes, alone: argv.includes('--full'), progress });
  m.loadAvg1mAtEnd = Number(loadavg()[0]!.toFixed(2));
  if (json) process.stdout.write(JSON.stringify({ machine: m, ...startup, ...explore, ...(sim ?? {}), ...eng }) + '\n');
  else process.stdout.write(table(m, startup, explore, sim, eng));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
