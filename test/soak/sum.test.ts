/**
 * Soak slices add up only when their seeds do. Cases: slices of two rows
 * summed field by field, with a row that only some slices ran; a gap and an
 * overlap between slices of one row, each refused with a line naming the
 * seeds; a file with npm's header lines before the JSON; a file with no
 * slice; a bug one slice did not catch, which the sum says; slices of
 * different fault profiles (`--faults heavy` beside swarm, or beside a slice
 * from before the flag, which is swarm's), refused; the command's exit codes
 * (0 clean, 1 a violation, 2 bad input) and its Markdown.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdown, parseSlice, sumSlices, SumError, type Slice, type SliceRow } from './sum.ts';

const row = (scenario: string, seeds: number, over: Partial<SliceRow> = {}): SliceRow => ({
  scenario, seeds, violations: 0, crashes: seeds, restores: 2 * seeds, checkpoints: 10 * seeds, failingTokens: [], ...over,
});
const slice = (firstSeed: number, seeds: number, rows: SliceRow[], bugs: Slice['bugs'] = []): Slice => ({ firstSeed, seedsPerScenario: seeds, scenarios: rows, bugs });

describe('summing soak slices', () => {
  it('adds each row over contiguous slices, and keeps rows only some slices ran', () => {
    const sum = sumSlices([
      { name: 'b.json', slice: slice(301, 500, [row('bank', 500, { violations: 1, failingTokens: ['x: w2.t'] }), row('join', 500)]) },
      { name: 'a.json', slice: slice(1, 300, [row('bank', 300)]) },
    ]);
    expect(sum.rows).toEqual([
      { row: 'bank', firstSeed: 1, lastSeed: 800, seeds: 800, violations: 1, crashes: 800, restores: 1600, checkpoints: 8000, failingTokens: ['x: w2.t'] },
      { row: 'join', firstSeed: 301, lastSeed: 800, seeds: 500, violations: 0, crashes: 500, restores: 1000, checkpoints: 5000, failingTokens: [] },
    ]);
    expect(markdown(sum)).toContain('| bank | 1–800 | 1 | 800 | 1,600 | 8,000 |');
  });

  it('refuses a gap and an overlap, naming the seeds', () => {
    const a = { name: 'a.json', slice: slice(1, 300, [row('bank', 300)]) };
    expect(() => sumSlices([a, { name: 'c.json', slice: slice(401, 100, [row('bank', 100)]) }])).toThrow(/row "bank": seeds 301–400 are in no slice \(between a.json and c.json\)/);
    expect(() => sumSlices([a, { name: 'd.json', slice: slice(300, 100, [row('bank', 100)]) }])).toThrow(/overlaps a.json \(seeds 1–300\)/);
    expect(() => sumSlices([])).toThrow(SumError);
  });

  it('finds the slice after npm header lines, and refuses a file with none', () => {
    const text = `\n> weir@0.1.0 soak\n> node test/soak/run.ts --json\n\n${JSON.stringify(slice(1, 5, [row('bank', 5)]))}\n`;
    expect(parseSlice(text, 'x').scenarios[0]!.scenario).toBe('bank');
    expect(() => parseSlice('{"not":"a slice"}\n', 'y.json')).toThrow(/y.json: no soak slice in it/);
    expect(() => parseSlice(JSON.stringify({ firstSeed: 1, seedsPerScenario: 1, scenarios: [{ scenario: 'bank' }] }), 'z.json')).toThrow(/z.json: a row of the slice is not a soak row/);
  });

  it('adds up slices of one fault profile only, and says which profile a heavy sum ran', () => {
    const swarm = { name: 'old.json', slice: slice(1, 300, [row('bank', 300)]) };
    const heavy = (first: number, name: string) => ({ name, slice: { ...slice(first, 300, [row('bank', 300)]), faults: 'heavy' } });
    expect(() => sumSlices([swarm, heavy(301, 'h.json')])).toThrow(/h.json ran heavy faults and old.json swarm: slices of different fault profiles do not add up/);
    expect(sumSlices([swarm, { name: 's.json', slice: { ...slice(301, 300, [row('bank', 300)]), faults: 'swarm' } }]).faults).toBe('swarm');
    const sum = sumSlices([heavy(1, 'h1.json'), heavy(301, 'h2.json')]);
    expect(sum.faults).toBe('heavy');
    expect(markdown(sum)).toMatch(/^Under heavy faults\.\n\n\| row \|/);
    expect(markdown(sumSlices([swarm]))).toMatch(/^\| row \|/);
  });

  it('says when a slice did not catch a planted bug, or the slices disagree', () => {
    const sum = sumSlices([
      { name: 'a', slice: slice(1, 10, [row('bank', 10)], [{ bug: 'b1', seed: 3, check: 'c' }, { bug: 'b2', seed: 1, check: 'c' }]) },
      { name: 'b', slice: slice(11, 10, [row('bank', 10)], [{ bug: 'b1', seed: null, check: null }, { bug: 'b2', seed: 2, check: 'c' }]) },
    ]);
    expect(sum.bugs).toEqual([
      { bug: 'b1', seed: null, check: 'c', sweeps: 2, differ: true },
      { bug: 'b2', seed: 1, check: 'c', sweeps: 2, differ: true },
    ]);
    expect(markdown(sum)).toContain('| b1 | not caught in some slice (the slices differ) | c | 2 |');
  });

  it('exits 0 when clean, 1 on a violation, 2 with one line on bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-soak-sum-'));
    const clean = join(dir, 'clean.json');
    const failed = join(dir, 'failed.json');
    writeFileSync(clean, JSON.stringify(slice(1, 5, [row('bank', 5)])) + '\n');
    writeFileSync(failed, JSON.stringify(slice(6, 5, [row('bank', 5, { violations: 1 })])) + '\n');
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'test/soak/sum.ts', ...args], { encoding: 'utf8' });
    const ok = run(clean);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('| bank | 1–5 | 0 | 5 | 10 | 50 |');
    expect(run(clean, failed).status).toBe(1);
    const missing = run(join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^soak:sum: .*nope.json: cannot read it \(ENOENT\)\n$/);
    const flag = run('--bogus', clean);
    expect(flag.status).toBe(2);
    expect(flag.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
