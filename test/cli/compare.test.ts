/**
 * `weir compare` as a command: one JSON object with a column per engine and
 * each engine's replay token, processing and visible latency and the
 * visible-latency histogram; the table with its chart under it (the chart
 * fits 80 columns); `--seeds N` as medians and ranges; bad input (an unknown
 * scenario, a malformed role fault, a bad flag or knob) is one line on
 * stderr and exit 2.
 */
import { describe, expect, it } from 'vitest';
import { json, weir } from './helpers.ts';

interface CompareJson {
  scenario: string;
  seed: number;
  histogramEdgesMs: number[];
  engines: {
    engine: string; ok: boolean; token: string; crashes: number; knob: { flag: string; ms: number; set: boolean };
    visibleLatencyMs: { p50: number; count: number; histogram: number[] }; processingLatencyMs: { p50: number };
    readAgain: number | null; restored: { bytes: number } | null; diskBytesWritten: number;
  }[];
}

interface SeedsJson {
  seeds: { start: number; count: number };
  engines: { engine: string; runs: number; failedSeeds: number[]; figures: Record<string, { median: number; min: number; max: number } | null> }[];
}

describe('weir compare', () => {
  it('prints one object with an engine per column, each with its token, latencies and histogram', async () => {
    const r = await weir(['compare', 'wordcount', '--seed', '3', '--events', '200', '--crash', 'worker@1000', '--commit-interval', '50', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const c = json<CompareJson>(r);
    expect(c.scenario).toBe('wordcount');
    expect(c.engines.map((e) => e.engine)).toEqual(['flink', 'kstreams', 'spark']);
    for (const e of c.engines) {
      expect(e.ok).toBe(true);
      expect(e.crashes).toBe(1);
      expect(e.token).toMatch(/^w2\./);
      expect(e.visibleLatencyMs.histogram).toHaveLength(c.histogramEdgesMs.length);
      expect(e.visibleLatencyMs.histogram.reduce((a, b) => a + b, 0)).toBe(e.visibleLatencyMs.count);
      expect(e.processingLatencyMs.p50).toBeLessThanOrEqual(e.visibleLatencyMs.p50);
      expect(e.readAgain).not.toBeNull();
      expect(e.diskBytesWritten).toBeGreaterThan(0);
    }
    expect(c.engines.map((e) => [e.knob.flag, e.knob.ms, e.knob.set])).toEqual([
      ['--checkpoint-interval', 500, false], ['--commit-interval', 50, true], ['--trigger-interval', 100, false],
    ]);
  });

  it('prints the table and, under it, a chart of each engine\'s visible latency that fits 80 columns', async () => {
    const r = await weir(['compare', 'wordcount', '--seed', '3', '--events', '200', '--crash', 'worker@1000']);
    expect(r.status, r.stderr).toBe(0);
    for (const row of ['processing p50', 'visible p99', 'records read again', 'state restored', 'late records', 'disk written', 'checkpoint 500', 'commit 100', 'trigger 100']) expect(r.stdout).toContain(row);
    const lines = r.stdout.split('\n');
    const top = lines.findIndex((l) => l.includes('visible latency per input record ('));
    expect(top).toBeGreaterThan(0);
    const bars = lines.slice(top + 1, top + 4);
    expect(bars.map((l) => l.trim().split(/\s+/)[0])).toEqual(['flink', 'kstreams', 'spark']);
    for (const l of lines.slice(top, top + 6)) expect([...l].length).toBeLessThanOrEqual(80);
    for (const l of bars) expect(l).toMatch(/│.*[▁▂▃▄▅▆▇█].*│/);
    expect(lines[top + 5]).toMatch(/ms/);
  });

  it('says why Kafka Streams\' world settles a day after a job whose changelogs hold tombstones, and only then', async () => {
    const note = "kstreams' log cleaner waited to drop changelog";
    const late = await weir(['compare', 'wordcount-final', '--seed', '1', '--events', '300']);
    expect(late.status, late.stderr).toBe(0);
    expect(late.stdout).toMatch(/world settled at .*86,4\d\d,\d{3} ms/);
    expect(late.stdout).toContain(note);
    const soon = await weir(['compare', 'wordcount', '--seed', '3', '--events', '200']);
    expect(soon.stdout).not.toContain(note);
  });

  it('--seeds N gives each figure\'s median and range over N seeds, and no progress bar without a terminal', async () => {
    const r = await weir(['compare', 'wordcount', '--seed', '5', '--seeds', '2', '--events', '150', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const c = json<SeedsJson>(r);
    expect(c.seeds).toEqual({ start: 5, count: 2 });
    for (const e of c.engines) {
      expect(e.runs).toBe(2);
      expect(e.failedSeeds).toEqual([]);
      const p50 = e.figures['visible.p50']!;
      expect(p50.min <= p50.median && p50.median <= p50.max).toBe(true);
      expect(e.figures.recoveryMs).toBeNull();
    }
  });

  it('says which fault an engine\'s run left out, and with --seeds which faults every seed shares and which it draws, and which engines sat out', async () => {
    const cut = await weir(['compare', 'wordcount', '--seed', '1', '--events', '150', '--cut', 'coordinator-broker@1000+500', '--json']);
    const byEngine = Object.fromEntries(json<{ engines: { engine: string; faultsLeftOut: unknown[] }[] }>(cut).engines.map((e) => [e.engine, e.faultsLeftOut.length]));
    expect(byEngine).toEqual({ flink: 0, kstreams: 1, spark: 0 });
    const text = await weir(['compare', 'wordcount', '--seed', '1', '--events', '150', '--cut', 'coordinator-broker@1000+500']);
    expect(text.stdout).toContain('  (kstreams: no cut coordinator–broker at 1,000 ms for 500 ms: its coordinator and broker are one process, broker)');
    const seeds = await weir(['compare', 'wordcount', '--seed', '1', '--seeds', '2', '--events', '150', '--faults', 'light', '--crash', 'worker@900', '--guarantee', 'at-most-once']);
    expect(seeds.stdout).toContain('150 events, crash worker at 900 ms (+300 ms), and a light fault plan drawn from each seed; median (min–max) over 2 seeds');
    expect(seeds.stdout).toMatch(/\(kstreams skipped: Kafka Streams offers exactly-once/);
    const seedsJson = json<{ faults: unknown[]; faultProfile: string; skipped: { engine: string }[] }>(await weir(['compare', 'wordcount', '--seed', '1', '--seeds', '2', '--events', '150', '--faults', 'light', '--guarantee', 'at-most-once', '--json']));
    expect(seedsJson).toMatchObject({ faults: [], faultProfile: 'light' });
    expect(seedsJson.skipped.map((x) => x.engine)).toEqual(['kstreams', 'spark']);
  });

  it('refuses bad input with one line and exit 2', async () => {
    for (const args of [['compare', 'nope'], ['compare', 'wordcount', '--crash', 'tm-0@5'], ['compare', 'wordcount', '--cut', 'worker@5'], ['compare', 'wordcount', '--seed', 'x'], ['compare'],
      ['compare', 'wordcount', '--commit-interval', '0'], ['compare', 'wordcount', '--seeds', '0'], ['compare', 'wordcount', '--seed', '4294967295', '--seeds', '2'], ['compare', 'wordcount', '--faults', 'wild']]) {
      const r = await weir(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});
