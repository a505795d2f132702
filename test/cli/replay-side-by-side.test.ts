/**
 * `weir replay` with several runs: without a terminal it prints the
 * side-by-side frame (80×24) at the first fault or at --at; bad input — one
 * run too many, a bad token or a missing file among several, a bad --at —
 * is one line on stderr and exit 2. `weir compare … --replay` prints the
 * table, then the same frame; with --json or --seeds it is bad input.
 */
import { describe, expect, it } from 'vitest';
import { encodeToken, type RunSettings } from '../../src/explore/settings.ts';
import { planFor } from '../../src/explore/compare.ts';
import { weir } from './helpers.ts';

const tokenFor = (engine: 'flink' | 'kstreams' | 'spark'): string => encodeToken({
  scenario: 'wordcount', engine, seed: 2, events: 150, guarantee: 'exactly-once', faults: 'none', bugs: [],
  plan: planFor(engine, [{ kind: 'crash', role: 'worker', atMs: 900, restartAfterMs: 300 }]),
} satisfies RunSettings);

describe('weir replay A B C', () => {
  it('without a terminal prints the frame at the first fault: each engine and its crash, in 80×24', async () => {
    const r = await weir(['replay', tokenFor('flink'), tokenFor('kstreams'), tokenFor('spark')]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^weir replay t 900 ms of [\d,]+ ms · 3 runs/);
    expect(r.stdout).toMatch(/^flink {2}✓ \d+ {2}faults 1 {2}down: tm-0/m);
    expect(r.stdout).toMatch(/^kstreams {2}✓ \d+ {2}faults 1 {2}down: ks-0/m);
    expect(r.stdout).toMatch(/^spark {2}✓ \d+ {2}faults 1 {2}down: executor-0/m);
  });

  it('--at starts the cursor at a virtual time', async () => {
    const r = await weir(['replay', tokenFor('flink'), tokenFor('spark'), '--at', '300']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^weir replay t 300 ms .* 2 runs/);
    expect(r.stdout).toMatch(/^flink {2}✓ \d+ {2}faults 0 /m);
  });

  it('refuses bad input with one line and exit 2', async () => {
    const t = tokenFor('flink');
    for (const args of [['replay', t, t, t, t], ['replay', t, 'w2.garbage'], ['replay', t, 'no-such-file.jsonl'], ['replay', t, t, '--at', 'soon'], ['replay', t, t, '--at']]) {
      const r = await weir(args);
      const shown = args.map((a) => a.slice(0, 12)).join(' ');
      expect(r.status, shown).toBe(2);
      expect(r.stderr.trim().split('\n'), shown).toHaveLength(1);
      expect(r.stdout, shown).toBe('');
    }
  });
});

describe('weir compare … --replay', () => {
  it('prints the table, then the runs side by side at the first crash', async () => {
    const r = await weir(['compare', 'wordcount', '--seed', '2', '--events', '150', '--crash', 'worker@900', '--replay']);
    expect(r.status, r.stderr).toBe(0);
    const at = r.stdout.indexOf('weir replay t 900 ms');
    expect(at).toBeGreaterThan(r.stdout.indexOf('visible latency per input record'));
    const frame = r.stdout.slice(at);
    expect(frame).toMatch(/^flink {2}✓ \d+ {2}faults 1 {2}down: tm-0/m);
    expect(frame).toMatch(/^kstreams {2}✓ \d+ {2}faults 1 {2}down: ks-0/m);
    expect(frame).toMatch(/^spark {2}✓ \d+ {2}faults 1 {2}down: executor-0/m);
  });

  it('refuses --replay with --json or --seeds: one line, exit 2', async () => {
    for (const args of [['compare', 'wordcount', '--replay', '--json'], ['compare', 'wordcount', '--replay', '--seeds', '2'], ['compare', 'wordcount', '--replay=1']]) {
      const r = await weir(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});
