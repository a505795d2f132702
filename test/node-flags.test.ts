/**
 * What this proves: the npm scripts that run many seeds or time runs
 * (`soak`, `bench:shrink`, `bench:density`, `bench:steps`) start Node with
 * the flags `weir` starts with, the words after `node` in bin/weir.js's
 * shebang, so their figures are those of a user's `weir`; and
 * weirNodeFlags reads those flags from the shebang.
 *
 * How: the shebang's words are read here independently and compared with
 * weirNodeFlags; each script's words between `node` and its first
 * non-flag word (`--import tsx` excluded) must be exactly those flags.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/stamp.mjs';
import { weirNodeFlags } from '../scripts/node-flags.mjs';

const SCRIPTS = ['soak', 'bench:shrink', 'bench:density', 'bench:steps'];

/** The Node flags of an npm script's command `node [flags] [--import tsx] file …`. */
function scriptNodeFlags(command: string): string[] {
  const words = command.trim().split(/\s+/);
  expect(words[0]).toBe('node');
  const flags: string[] = [];
  for (let i = 1; i < words.length && words[i]!.startsWith('--'); i++) {
    if (words[i] === '--import') { i++; continue; }
    flags.push(words[i]!);
  }
  return flags;
}

describe("weir's Node flags", () => {
  it('are read from the shebang of bin/weir.js', () => {
    const shebang = readFileSync(join(ROOT, 'bin', 'weir.js'), 'utf8').split('\n', 1)[0]!;
    expect(shebang.startsWith('#!/usr/bin/env -S node')).toBe(true);
    expect(weirNodeFlags()).toEqual(shebang.replace('#!/usr/bin/env -S node', '').trim().split(/\s+/).filter((w) => w !== ''));
    expect(weirNodeFlags().length).toBeGreaterThan(0);
  });

  it('are what the seed-running and timing npm scripts start Node with', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of SCRIPTS) {
      expect(scripts[name], name).toBeDefined();
      expect(scriptNodeFlags(scripts[name]!), name).toEqual(weirNodeFlags());
    }
    expect(scriptNodeFlags('node --max-semi-space-size=16 --import tsx x.ts')).not.toEqual(weirNodeFlags());
  });
});
