/**
 * Replay figures on a large trace (printed, never asserted):
 *   node --import tsx test/tui/bench.ts [--events N]   (default 100 000 input events)
 *
 * Records one wordcount run (parallelism 4, light faults) — about 13 trace
 * events per input event — writes its trace as a JSON-lines file, then
 * measures: opening the recording (trace index, plot data, violation sites),
 * opening the trace file (read + parse + the same), one step forward and back
 * (the replay state at the cursor), and drawing one full 100×30 frame.
 * Ends with one JSON line of the figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.NODE_ENV ??= 'production';

// `--open-file PATH`: the child that times opening a trace file in a fresh process (one copy of the trace in memory, as in use).
const openFileArg = process.argv.indexOf('--open-file');
if (openFileArg > 0) {
  const { openReplay } = await import('../../src/tui/open.ts');
  const { readRecording } = await import('../../src/tui/recording.ts');
  const t0 = performance.now();
  const r = openReplay(readRecording(process.argv[openFileArg + 1]!));
  console.log(JSON.stringify({ ms: performance.now() - t0, events: r.index.length, rssMb: Math.round(process.memoryUsage().rss / 1e6) }));
  process.exit(0);
}

const { runScenario } = await import('../../src/explore/run.ts');
const { eventLine } = await import('../../src/runtime/trace-event.ts');
const { openReplay } = await import('../../src/tui/open.ts');
type TraceEvent = import('../../src/runtime/trace-event.ts').TraceEvent;

const arg = process.argv.indexOf('--events');
const inputEvents = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
const ms = (t0: number): number => performance.now() - t0;
const mb = (): number => Math.round(process.memoryUsage().rss / 1e6);

let t0 = performance.now();
const events: TraceEvent[] = [];
const report = runScenario({ scenario: 'wordcount', seed: 1, events: inputEvents, parallelism: 4, guarantee: 'exactly-once', faults: 'light', bugs: [] }, { subscribers: [(e) => events.push(e)] });
const runMs = ms(t0);

const dir = mkdtempSync(join(tmpdir(), 'weir-bench-'));
const path = join(dir, 'trace.jsonl');
writeFileSync(path, '');
for (let i = 0; i < events.length; i += 50_000) appendFileSync(path, events.slice(i, i + 50_000).map((e) => eventLine(e) + '\n').join(''));
const fileMb = Math.round(statSync(path).size / 1e6);

t0 = performance.now();
const replay = openReplay({ events, records: undefined, meta: { title: 'bench', scenario: 'wordcount', seed: 1, guarantee: 'exactly-once', bugs: [], token: report.token, path: undefined, checks: report.checks } });
const openMs = ms(t0);
const rssAfterOpen = mb();

const child = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--open-file', path], { encoding: 'utf8' }).trim().split('\n').pop()!) as { ms: number; events: number; rssMb: number };
const openFileMs = child.ms;
rmSync(dir, { recursive: true, force: true });

// Steps: the cursor at random places, then one step forward and one back from each.
const n = replay.index.length;
let seed = 12345;
const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
const stepTimes: number[] = [];
for (let k = 0; k < 2000; k++) {
  const i = rand();
  t0 = performance.now();
  replay.index.stateAt(i + 1);
  replay.index.stateAt(i);
  stepTimes.push(ms(t0) / 2);
}
stepTimes.sort((a, b) => a - b);
const stepMean = stepTimes.reduce((a, b) => a + b, 0) / stepTimes.length;
const stepMax = stepTimes[stepTimes.length - 1]!;

// One frame: the whole replay screen at 100×30, drawn by Ink (production React).
const React = (await import('react')).default;
const { render } = await import('ink-testing-library');
const { ReplayView } = await import('../../src/tui/components/ReplayView.tsx');
const { initialUi } = await import('../../src/tui/controller.ts');
const view = (i: number) => React.createElement(ReplayView, { replay, ui: initialUi(i), cols: 100, rows: 29 });
const app = render(view(rand()));
const frameTimes: number[] = [];
for (let k = 0; k < 40; k++) {
  t0 = performance.now();
  app.rerender(view(rand()));
  frameTimes.push(ms(t0));
}
app.unmount();
frameTimes.sort((a, b) => a - b);
const frameMedian = frameTimes[frameTimes.length >> 1]!;

const figures = {
  inputEvents,
  traceEvents: n,
  runMs: Math.round(runMs),
  traceFileMb: fileMb,
  openRecordingMs: Math.round(openMs),
  openTraceFileMs: Math.round(openFileMs),
  fileMatches: child.events === n,
  rssMbFileOpen: child.rssMb,
  snapshotEvery: replay.index.every,
  stepMeanMs: Number(stepMean.toFixed(3)),
  stepMaxMs: Number(stepMax.toFixed(3)),
  frameMedianMs: Number(frameMedian.toFixed(1)),
  rssMbAfterOpen: rssAfterOpen,
};
console.log(`trace: ${n.toLocaleString('en-US')} events from ${inputEvents.toLocaleString('en-US')} input events (run ${figures.runMs.toLocaleString('en-US')} ms), file ${fileMb} MB`);
console.log(`open recording (index every ${figures.snapshotEvery}, plot, violations): ${figures.openRecordingMs.toLocaleString('en-US')} ms`);
console.log(`open trace file in a fresh process (read, parse, index): ${figures.openTraceFileMs.toLocaleString('en-US')} ms, rss ${child.rssMb} MB`);
console.log(`step forward/back (replay state at the cursor): mean ${figures.stepMeanMs} ms, max ${figures.stepMaxMs} ms`);
console.log(`full 100x30 frame drawn by Ink: median ${figures.frameMedianMs} ms`);
console.log(`rss after opening: ${rssAfterOpen} MB`);
console.log(JSON.stringify(figures));
