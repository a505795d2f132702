/**
 * What this proves: while `weir replay` loads, the progress line says how
 * far the run or the read is, redraws in place at most ten times a second,
 * fits the terminal and is erased at the end; when stdout is not a terminal
 * nothing is written besides the summary. recordRun and readRecording
 * report progress, and what they load is the same with or without it.
 * (test/tui/tmux.test.ts watches the line in a real terminal.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadProgress, runProgressText } from '../../src/cli/replay.ts';
import { readRecording, recordRun, type RecordProgress } from '../../src/tui/recording.ts';
import { eventLine } from '../../src/runtime/trace-event.ts';
import { encodeToken, type RunSettings } from '../../src/explore/settings.ts';
import { weirIn } from './in-process.ts';

function fakeTerminal(columns: number): { out: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const out = { columns, write: (s: string) => void written.push(s) } as unknown as NodeJS.WriteStream;
  return { out, written };
}

describe('the load progress line', () => {
  it('redraws in place at most every 100 ms, cut to the terminal width, and is erased at the end', () => {
    let now = 0;
    const { out, written } = fakeTerminal(40);
    const p = new LoadProgress(out, () => now);
    p.show('running wordcount seed 1…', true);
    now = 50;
    p.show('skipped: too soon');
    now = 150;
    p.show(`a long line ${'x'.repeat(100)}`);
    p.clear();
    p.clear();
    expect(written).toEqual([
      '\r\x1b[Kweir: running wordcount seed 1…',
      `\r\x1b[Kweir: a long line ${'x'.repeat(20)}…`,
      '\r\x1b[K',
    ]);
    expect([...written[1]!.slice(4)].length).toBe(39);
  });

  it('says the share of virtual time against the last arrival, never 100% before the end', () => {
    expect(runProgressText({ events: 40_960, t: 101_400, lastArrivalMs: 200_200 })).toBe('50% (virtual time 101.4 s of about 200.2 s, 40,960 trace events)');
    expect(runProgressText({ events: 4_096, t: 250_000, lastArrivalMs: 200_000 })).toMatch(/^99% /);
    expect(runProgressText({ events: 4_096, t: 1_000, lastArrivalMs: 0 })).toBe('virtual time 1.0 s, 4,096 trace events');
  });
});

describe('progress from the loaders', () => {
  const settings: RunSettings = { scenario: 'wordcount', engine: 'flink', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], events: 3_000 };

  it('recordRun reports as the run goes, and records the same run', async () => {
    const seen: RecordProgress[] = [];
    const [withProgress, without] = [await recordRun(settings, undefined, (p) => seen.push(p)), await recordRun(settings)];
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.map((p) => p.events)).toEqual([...seen.map((p) => p.events)].sort((a, b) => a - b));
    expect(seen.every((p) => p.lastArrivalMs === seen[0]!.lastArrivalMs && p.lastArrivalMs > 0)).toBe(true);
    expect(withProgress.events.length).toBe(without.events.length);
    expect(withProgress.records).toEqual(without.records);
    expect(withProgress.meta).toEqual(without.meta);
  });

  it('readRecording reports how far the parse is', async () => {
    const rec = await recordRun(settings);
    const dir = mkdtempSync(join(tmpdir(), 'weir-progress-'));
    try {
      const path = join(dir, 'run.jsonl');
      writeFileSync(path, rec.events.map((e) => eventLine(e) + '\n').join(''));
      const seen: number[] = [];
      const read = readRecording(path, (done, total) => seen.push(done / total));
      expect(read.events.length).toBe(rec.events.length);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((f) => f > 0 && f < 1)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a terminal, weir replay writes the summary and nothing else', async () => {
    const r = await weirIn(['replay', encodeToken({ ...settings, events: 500 })]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^weir replay: wordcount seed 1/);
  });
});
