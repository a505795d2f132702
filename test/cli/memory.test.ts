/**
 * What this proves: a run that would need more memory than this process may
 * use is refused before anything runs — one line naming the estimate, the
 * limit and what to do, exit 2 — by weir run (flags and tokens, with and
 * without --check-determinism), trace, replay, explore and compare alike;
 * and a run that fits is not refused; weir explore runs only as many
 * threads as fit in the machine's memory together; a large run, and only a
 * large run, gets V8's heap growth bounded, unless Node's own flag set it.
 *
 * How: the estimate's arithmetic in process (src/cli/memory.ts, with a
 * given limit); the heap growing factors V8 reports in the real command
 * (`--trace-gc-verbose`) for a large run; then the real command under NODE_OPTIONS=
 * --max-old-space-size=256, so the limit is the same on every machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, estimateBytes, formatBytes, heapGrowingPercentFor, LARGE_RUN_BYTES, LARGE_RUN_HEAP_GROWING_PERCENT, maxEvents, MEASURED, memoryProblem, type MemoryUse } from '../../src/cli/memory.ts';
import { DENSE_PARALLELISM } from '../bench/dense.mjs';
import { LIMITS } from '../../src/explore/limits.ts';
import { encodeToken, type RunSettings } from '../../src/explore/settings.ts';
import { fitWorkers } from '../../src/cli/explore.ts';
import { ROOT, weir, type WeirResult } from './helpers.ts';

const MIB = 2 ** 20;
const USES = Object.keys(MEASURED) as MemoryUse[];

describe('the estimate', () => {
  it('grows with the events and with the parallelism, and maxEvents is the most that fit', () => {
    for (const use of USES) {
      for (const engine of ['flink', 'kstreams', 'spark']) {
        expect(estimateBytes(engine, 20_000, use)).toBeGreaterThan(estimateBytes(engine, 10_000, use));
        for (const [lo, hi] of [[1, 2], [2, 3], [15, 16], [16, 17], [63, 64]] as const) {
          expect(estimateBytes(engine, 10_000, use, hi)).toBeGreaterThanOrEqual(estimateBytes(engine, 10_000, use, lo));
        }
        for (const p of [2, 8, 64]) {
          const limit = 512 * MIB;
          const n = maxEvents(engine, use, limit, p);
          expect(estimateBytes(engine, n, use, p)).toBeLessThanOrEqual(limit);
          expect(estimateBytes(engine, n + 1, use, p)).toBeGreaterThan(limit);
        }
      }
    }
    // A scenario that grows with the square of its events (Spark's complete output mode) is estimated so.
    expect(estimateBytes('spark', 20_000, 'run', 2, 'modes-complete') / estimateBytes('spark', 10_000, 'run', 2, 'modes-complete')).toBeGreaterThan(3);
    const n = maxEvents('spark', 'run', 4 * 2 ** 30, 2, 'modes-complete');
    expect(n).toBeGreaterThan(10_000);
    expect(n).toBeLessThan(60_000);
    // An engine weir does not know is estimated as Flink.
    expect(estimateBytes('other', 1_000, 'run')).toBe(estimateBytes('flink', 1_000, 'run'));
  });

  it('is one line naming the estimate, the limit and what to do, for flags and for tokens', () => {
    const heap = { bytes: 256 * MIB, what: 'heap' as const };
    const byFlag = memoryProblem({ scenario: 'wordcount', engine: 'flink', events: 1_000_000, use: 'run', fromToken: false, parallelism: 2 }, heap)!;
    expect(byFlag).toMatch(/^a run of wordcount with 1,000,000 events on flink at parallelism 2 needs about [\d.]+ GiB of memory \(estimated from measured runs\), more than Node's heap limit here, 256 MiB; give --events [\d,]+ or fewer, or raise the limit: NODE_OPTIONS=--max-old-space-size=\d+$/);
    const byToken = memoryProblem({ scenario: 'wordcount', engine: 'spark', events: 1_000_000, use: 'replay', fromToken: true, parallelism: 2 }, heap)!;
    expect(byToken).toContain('recorded for replay');
    expect(byToken).toContain('run the scenario by name with --events');
    expect(memoryProblem({ scenario: 'wordcount', engine: 'flink', events: 1_000, use: 'run', fromToken: false, parallelism: 2 }, heap)).toBeUndefined();
    // Beyond the machine's memory, raising the heap limit would not help: it is not offered.
    const machine = memoryProblem({ scenario: 'wordcount', engine: 'flink', events: LIMITS.events.max, use: 'determinism', fromToken: false, parallelism: 2 }, { bytes: 64 * MIB, what: 'machine' })!;
    expect(machine).toContain("this machine's memory, 64 MiB");
    expect(machine).not.toContain('max-old-space-size');
    // Several runs held at once (replay side by side) count together.
    const one = memoryProblem({ scenario: 'wordcount', engine: 'flink', events: 40_000, use: 'replay', fromToken: true, parallelism: 2 }, heap);
    const three = memoryProblem({ scenario: 'wordcount', engine: 'flink', events: 40_000, use: 'replay', fromToken: true, runs: 3, parallelism: 2 }, heap);
    expect(one).toBeUndefined();
    expect(three).toMatch(/^3 runs of wordcount with 40,000 events/);
    expect(formatBytes(3 * 2 ** 30)).toBe('3.0 GiB');
    // When no number of events would fit at this parallelism, the message says so.
    const tight = { bytes: estimateBytes('flink', 1, 'replay', 2), what: 'heap' as const };
    expect(memoryProblem({ scenario: 'wordcount', engine: 'flink', events: 1, use: 'replay', fromToken: false, parallelism: 64 }, tight)).toContain('give a lower --parallelism (at 2, up to 1 events fit)');
    expect(memoryProblem({ scenario: 'wordcount', engine: 'flink', events: 1, use: 'replay', fromToken: false, parallelism: 2 }, { bytes: MIB, what: 'heap' })).toContain('no run fits in it');
  });

  it('for several runs that must all fit (compare\'s engines), names the largest and gives events and a heap that fit every one', () => {
    const heap = { bytes: 256 * MIB, what: 'heap' as const };
    const asks = (['flink', 'kstreams', 'spark'] as const).map((engine) => ({ scenario: 'wordcount', engine, events: 1_000_000, use: 'run' as const, fromToken: false, parallelism: 2 }));
    const all = memoryProblem(asks, heap)!;
    const largest = asks.reduce((a, b) => (estimateBytes(b.engine, b.events, 'run', 2) > estimateBytes(a.engine, a.events, 'run', 2) ? b : a));
    expect(all).toMatch(new RegExp(`^a run of wordcount with 1,000,000 events on ${largest.engine} at parallelism 2 needs about [\\d.]+ GiB[^;]*; give --events [\\d,]+ or fewer \\(for every engine\\), or raise the limit: NODE_OPTIONS=--max-old-space-size=\\d+$`));
    const events = Number(/--events ([\d,]+)/.exec(all)![1]!.replaceAll(',', ''));
    // Each engine alone would be told its own number; the one given fits them all, and is the least of them.
    const own = asks.map((a) => Number(/--events ([\d,]+)/.exec(memoryProblem(a, heap)!)![1]!.replaceAll(',', '')));
    expect(events).toBe(Math.min(...own));
    expect(new Set(own).size).toBeGreaterThan(1);
    expect(memoryProblem(asks.map((a) => ({ ...a, events })), heap)).toBeUndefined();
    // And the heap it names holds every engine's run.
    const mib = Number(/max-old-space-size=(\d+)/.exec(all)![1]);
    expect(memoryProblem(asks, { bytes: mib * MIB, what: 'heap' })).toBeUndefined();
    expect(memoryProblem([], heap)).toBeUndefined();
  });
});

describe('the heap growth of large runs', () => {
  it('is bounded from LARGE_RUN_BYTES of estimate on, left to V8 below it, and left alone when Node was given the flag', () => {
    expect(heapGrowingPercentFor(LARGE_RUN_BYTES - 1, [])).toBe(0);
    expect(heapGrowingPercentFor(LARGE_RUN_BYTES, [])).toBe(LARGE_RUN_HEAP_GROWING_PERCENT);
    expect(LARGE_RUN_HEAP_GROWING_PERCENT).toBeGreaterThan(0);
    for (const own of ['--heap-growing-percent=30', '--heap_growing_percent=30', '--heap-growing-percent']) {
      expect(heapGrowingPercentFor(LARGE_RUN_BYTES, ['--max-semi-space-size=32', own])).toBeUndefined();
      expect(heapGrowingPercentFor(1, [own])).toBeUndefined();
    }
    expect(heapGrowingPercentFor(LARGE_RUN_BYTES, ['--heap-growing-percentage=1'])).toBe(LARGE_RUN_HEAP_GROWING_PERCENT);
  });

  it('covers the dense 1M runs of the bench on every engine, and neither a sweep\'s bank run nor the dense 100k run', () => {
    for (const engine of ['flink', 'kstreams', 'spark']) {
      expect(heapGrowingPercentFor(estimateBytes(engine, 1_000_000, 'run', DENSE_PARALLELISM, 'wordcount'), [])).toBe(LARGE_RUN_HEAP_GROWING_PERCENT);
      expect(heapGrowingPercentFor(estimateBytes(engine, 100_000, 'run', DENSE_PARALLELISM, 'wordcount'), [])).toBe(0);
      expect(heapGrowingPercentFor(estimateBytes(engine, 1_000, 'run', 2, 'bank'), [])).toBe(0);
    }
  });

  it('boundHeapGrowth returns the percent it put in force for the run (this process runs without the flag)', () => {
    expect(boundHeapGrowth(LARGE_RUN_BYTES)).toBe(LARGE_RUN_HEAP_GROWING_PERCENT);
    expect(boundHeapGrowth(1)).toBe(0);
  });
});

describe('weir explore threads', () => {
  it('are as many as asked when their runs fit together, else as many as fit, with a note when --workers asked', () => {
    const notes: string[] = [];
    const note = (s: string): void => void notes.push(s);
    expect(fitWorkers(8, 100 * MIB, true, 8 * 2 ** 30, note)).toBe(8);
    expect(fitWorkers(8, 3 * 2 ** 30, true, 8 * 2 ** 30, note)).toBe(2);
    expect(notes).toEqual(['weir: note: using 2 workers, not 8: each run needs about 3.0 GiB and this machine has 8.0 GiB\n']);
    // Without --workers (one per core) the number is lowered silently; one thread always runs.
    expect(fitWorkers(2, 16 * 2 ** 30, false, 8 * 2 ** 30, note)).toBe(1);
    expect(notes).toHaveLength(1);
  });
});

/**
 * The heap growing factors V8 applies in the real command (`--trace-gc-verbose`
 * prints each new old-generation limit with its factor), read until `enough`
 * of them are seen or the command ends; then the command is stopped.
 */
function heapFactors(nodeFlags: readonly string[], args: readonly string[], enough: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--trace-gc-verbose', ...nodeFlags, 'bin/weir.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', WEIR_DEBUG: '', NODE_OPTIONS: '' },
      // Inside the test's own 60 s: a command that never shows enough collections is stopped with what it showed.
      timeout: 45_000,
    });
    const factors: string[] = [];
    let rest = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const m = /\[HeapController\] Limit: .*\((\d+\.\d)\)$/.exec(line);
        if (m) factors.push(m[1]!);
      }
      if (factors.length >= enough) child.kill();
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve(factors));
  });
}

describe('a large run in the real command', () => {
  // About 1.9 GiB estimated on Kafka Streams: large. Stopped after a few collections.
  const large = ['wordcount', '--engine', 'kstreams', '--events', '500000', '--seed', '1'];

  it('collects with the bounded factor, in weir run and in explore\'s worker threads', async () => {
    const [run, explore] = await Promise.all([
      heapFactors([], ['run', ...large, '--json'], 3),
      heapFactors([], ['explore', ...large.filter((a) => a !== '--seed' && a !== '1'), '--seeds', '1', '--workers', '1', '--no-shrink'], 6),
    ]);
    expect(run).toContain((1 + LARGE_RUN_HEAP_GROWING_PERCENT / 100).toFixed(1));
    expect(explore).toContain((1 + LARGE_RUN_HEAP_GROWING_PERCENT / 100).toFixed(1));
  });

  it("leaves Node's own --heap-growing-percent in force", async () => {
    const factors = await heapFactors(['--heap-growing-percent=30'], ['run', ...large, '--json'], 3);
    expect(factors.length).toBeGreaterThan(0);
    expect(new Set(factors)).toEqual(new Set(['1.3']));
  });
});

/** The real command with V8's heap limited to 256 MiB. */
function weirSmallHeap(args: readonly string[]): Promise<WeirResult> {
  return weir(args, 60_000, { env: { NODE_OPTIONS: '--max-old-space-size=256' } });
}

describe('with a 256 MiB heap', () => {
  const big = 1_000_000;
  const settings: RunSettings = { scenario: 'wordcount', engine: 'flink', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], events: big };
  const token = encodeToken(settings);
  const small: RunSettings = { ...settings, events: 300 };
  const refused: string[][] = [
    ['run', 'wordcount', '--events', String(big)],
    ['run', 'wordcount', '--events', String(big), '--json'],
    ['run', token],
    ['run', token, '--check-determinism'],
    ['run', 'sessions', '--engine', 'spark', '--events', String(big), '--trace', join(tmpdir(), 'weir-never-written.jsonl')],
    ['trace', token, '--format', 'jsonl', '-o', join(tmpdir(), 'weir-never-written.jsonl')],
    ['trace', token, '--format', 'perfetto'],
    ['replay', token],
    ['explore', 'wordcount', '--events', String(big), '--seeds', '1'],
    ['compare', 'wordcount', '--events', String(big), '--seed', '1'],
  ];

  it('each too large run is refused up front: one line, the estimate and the limit, nothing on stdout', async () => {
    const results = await Promise.all(refused.map((a) => weirSmallHeap(a)));
    results.forEach((r, i) => {
      const what = `${refused[i]!.join(' ').slice(0, 80)} → ${r.stderr}`;
      expect(r.status, what).toBe(2);
      expect(r.stderr, what).toMatch(/^weir: [^\n]*needs about [\d.]+ GiB of memory[^\n]*more than Node's heap limit here, \d+ MiB[^\n]*\n$/);
      expect(r.stdout, what).toBe('');
    });
  });

  it('trace files to replay: the advice is the heap that holds them, with or without a token\'s run beside them', async () => {
    // Sparse files: their size is what the check reads; nothing is read before it.
    const dir = mkdtempSync(join(tmpdir(), 'weir-big-'));
    const files = [1, 2, 3].map((i) => join(dir, `t${i}.jsonl`));
    for (const f of files) {
      writeFileSync(f, '');
      truncateSync(f, 40 * MIB);
    }
    const [three, one, mixed] = await Promise.all([weirSmallHeap(['replay', ...files]), weirSmallHeap(['replay', files[0]!, files[1]!]), weirSmallHeap(['replay', encodeToken(small), files[0]!, files[1]!])]);
    // Three files of 40 MiB at 3 bytes per byte: 360 MiB, so a 400 MiB heap.
    expect(three.stderr).toMatch(/^weir: reading these trace files needs about 360 MiB of memory \(3 bytes per byte of file\), more than Node's heap limit here, \d+ MiB; replay the run from its token instead, or raise the limit: NODE_OPTIONS=--max-old-space-size=400\n$/);
    expect(three.status).toBe(2);
    // Two files, 240 MiB, fit in the heap together (each is not held against half of it): they are read, and refused as no trace.
    expect(one.stderr).toMatch(/is not a weir trace/);
    // With a token's run beside them, two files get two thirds of the heap: 240 MiB needs 360, so 400.
    expect(mixed.stderr).toMatch(/^weir: reading these trace files needs about 240 MiB[^\n]*\(with 1 run from tokens beside them, [\d.]+ MiB of it\)[^\n]*max-old-space-size=400\n$/);
    // Given that heap, the memory check passes, and the files are read (and refused as no trace).
    const given = await weir(['replay', ...files], 60_000, { env: { NODE_OPTIONS: '--max-old-space-size=400' } });
    expect(given.stderr).not.toContain('needs about');
    expect(given.status).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run that fits still runs', async () => {
    const r = await weirSmallHeap(['run', 'wordcount', '--events', '300', '--seed', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
  });
});
