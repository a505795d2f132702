/**
 * Memory of a run by size: `node --import tsx test/bench/memory.ts [--quick]
 * [--modes=run,determinism,perfetto,replay] [--scenario=NAME | --scenarios=A,B] [--engine=E] [--sizes=A,B,C] [--parallelism=P]`.
 *
 * Each point is one run in a fresh child process (`node --expose-gc`, the
 * build in dist/, light faults, seed 1), measured two ways:
 * - live: the largest heap in use right after a full garbage collection,
 *   sampled every 20,000 trace events (replay: every 20,480) and once the
 *   run is judged — what
 *   the run needs, since V8 runs out of memory only when the live heap
 *   reaches its limit;
 * - rss: the peak resident set (`process.resourceUsage().maxRSS`) with the
 *   default heap limit, which also counts garbage V8 had not yet collected.
 * For each mode and engine it prints the points, the least-squares line
 * through each scenario's points (MiB + bytes per input event), and the
 * worst line of the engine. src/cli/memory.ts holds the figures this
 * printed, as the estimate weir checks a run against before it starts.
 *
 * Modes: `run` (what weir run, weir trace --format jsonl and weir explore
 * hold per run), `determinism` (weir run --check-determinism: every trace
 * event of both runs kept), `perfetto` (weir trace --format perfetto: the
 * run with I/O traced, every event kept and exported), `replay` (weir replay
 * TOKEN: the run recorded, then its replay index built).
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ROOT } from '../../scripts/stamp.mjs';

interface Job { mode: string; engine: string; scenario: string; events: number; parallelism?: number }
interface Sample { liveMiB: number; rssMiB: number; seconds: number; traceEvents: number }

async function child(job: Job): Promise<void> {
  const dist = (p: string): Promise<any> => import(pathToFileURL(join(ROOT, 'dist', p)).href);
  const [{ runScenario }, { recordRun }, { openReplay }, v8] = await Promise.all([
    dist('src/explore/run.js'), dist('src/tui/recording.js'), dist('src/tui/open.js'), import('node:v8'),
  ]);
  const gc = (globalThis as { gc?: () => void }).gc!;
  let live = 0;
  let seen = 0;
  const sample = (): void => {
    gc();
    live = Math.max(live, v8.getHeapStatistics().used_heap_size);
  };
  const every = (): void => {
    if (++seen % 20_000 === 0) sample();
  };
  const settings = { scenario: job.scenario, engine: job.engine, seed: 1, guarantee: 'exactly-once', faults: 'light', bugs: [], events: job.events, ...(job.parallelism ? { parallelism: job.parallelism } : {}) };
  const start = performance.now();
  let keep: unknown;
  if (job.mode === 'run') keep = runScenario(settings, { subscribers: [every] });
  else if (job.mode === 'determinism') {
    const a: unknown[] = [];
    const b: unknown[] = [];
    const r = runScenario(settings, { subscribers: [(e: unknown) => void a.push(e), every] });
    seen = 0;
    runScenario(settings, { subscribers: [(e: unknown) => void b.push(e), every] });
    sample();
    keep = [r, a, b];
  } else if (job.mode === 'perfetto') {
    const { PerfettoExport } = await dist('src/explore/perfetto.js');
    const exp = new PerfettoExport();
    runScenario(settings, { subscribers: [(e: unknown) => exp.add(e), every], traceIo: true });
    sample();
    keep = exp.json();
  } else if (job.mode === 'replay') {
    const rec = await recordRun(settings, 'token', () => {
      if (++seen % 20 === 0) sample();
    });
    sample();
    keep = openReplay(rec);
  } else throw new Error(`unknown mode ${job.mode}`);
  sample();
  const out: Sample = { liveMiB: live / 2 ** 20, rssMiB: process.resourceUsage().maxRSS / 1024, seconds: (performance.now() - start) / 1000, traceEvents: seen };
  process.stdout.write(JSON.stringify(out) + '\n');
  void keep;
}

function measure(job: Job): Sample {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/bench/memory.ts', '--child', JSON.stringify(job)], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${JSON.stringify(job)}: exit ${r.status}: ${r.stderr.slice(-600)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Sample;
}

/** Least squares: y = a + b·x. */
function fit(xs: readonly number[], ys: readonly number[]): { fixedMiB: number; bytesPerEvent: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const b = sxx === 0 ? 0 : sxy / sxx;
  return { fixedMiB: Math.round((my - b * mx) / 2 ** 20), bytesPerEvent: Math.round(b) };
}

async function parent(): Promise<void> {
  const { SCENARIOS } = await import('../../scenarios/index.ts');
  const { ENGINE_NAMES } = await import('../../scenarios/types.ts');
  const argv = process.argv.slice(2);
  const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const modes = (opt('modes') ?? 'run').split(',');
  const sizes = (opt('sizes') ?? (argv.includes('--quick') ? '2000,8000' : '10000,40000,120000')).split(',').map(Number);
  const engines = opt('engine') ? [opt('engine')!] : [...ENGINE_NAMES];
  const parallelism = opt('parallelism') ? Number(opt('parallelism')) : undefined;
  for (const mode of modes) {
    for (const engine of engines) {
      const worst = { fixedMiB: 0, bytesPerEvent: 0, scenario: '' };
      for (const s of SCENARIOS) {
        if ((opt('scenario') !== undefined && s.name !== opt('scenario')) || !(engine in s.engines) || s.name === 'triggers-panes') continue;
        if (opt('scenarios') !== undefined && !opt('scenarios')!.split(',').includes(s.name)) continue;
        const pts = sizes.map((events) => ({ events, ...measure({ mode, engine, scenario: s.name, events, ...(parallelism ? { parallelism } : {}) }) }));
        for (const p of pts) {
          process.stdout.write(`${mode}\t${engine}\t${s.name}\t${p.events}\tlive ${p.liveMiB.toFixed(0)} MiB\trss ${p.rssMiB.toFixed(0)} MiB\t${p.seconds.toFixed(1)} s\t${p.traceEvents} trace events\n`);
        }
        const f = fit(pts.map((p) => p.events), pts.map((p) => p.liveMiB * 2 ** 20));
        const r = fit(pts.map((p) => p.events), pts.map((p) => p.rssMiB * 2 ** 20));
        process.stdout.write(`${mode}\t${engine}\t${s.name}\tfit\tlive ${f.fixedMiB} MiB + ${f.bytesPerEvent} B/event\trss ${r.fixedMiB} MiB + ${r.bytesPerEvent} B/event\n`);
        if (f.bytesPerEvent > worst.bytesPerEvent) Object.assign(worst, { bytesPerEvent: f.bytesPerEvent, scenario: s.name });
        worst.fixedMiB = Math.max(worst.fixedMiB, f.fixedMiB);
      }
      process.stdout.write(`${mode}\t${engine}\tWORST\tlive ${worst.fixedMiB} MiB + ${worst.bytesPerEvent} B/event (${worst.scenario})\n`);
    }
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(JSON.parse(process.argv[at + 1]!) as Job);
else await parent();
