/**
 * `weir compare` as a command: one JSON object with a column per engine and
 * each engine's replay token; bad input (an unknown scenario, a malformed
 * role fault, a bad flag) is one line on stderr and exit 2.
 */
import { describe, expect, it } from 'vitest';
import { json, weir } from './helpers.ts';

interface CompareJson {
  scenario: string;
  seed: number;
  engines: { engine: string; ok: boolean; visibleLatencyMs: { p50: number }; token: string; crashes: number }[];
}

describe('weir compare', () => {
  it('prints one object with an engine per column, each with its token', async () => {
    const r = await weir(['compare', 'wordcount', '--seed', '3', '--events', '200', '--crash', 'worker@1000', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const c = json<CompareJson>(r);
    expect(c.scenario).toBe('wordcount');
    expect(c.engines.map((e) => e.engine)).toEqual(['flink', 'kstreams', 'spark']);
    for (const e of c.engines) {
      expect(e.ok).toBe(true);
      expect(e.crashes).toBe(1);
      expect(e.token).toMatch(/^w2\./);
    }
  });

  it('refuses bad input with one line and exit 2', async () => {
    for (const args of [['compare', 'nope'], ['compare', 'wordcount', '--crash', 'tm-0@5'], ['compare', 'wordcount', '--cut', 'worker@5'], ['compare', 'wordcount', '--seed', 'x'], ['compare']]) {
      const r = await weir(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});
