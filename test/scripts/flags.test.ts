/**
 * What this proves: the one flag parser of weir's own scripts (benchmarks,
 * soak, instruction count) takes each kind of flag it is told of and refuses
 * everything else with a message naming what is wrong: an unknown flag (the
 * list it gives leaves hidden flags out), a missing value, a count that is
 * not a whole number in range, a word not among the choices; and a script
 * that uses it answers bad input with that one line and exit 2.
 *
 * How: parse good and bad argument lists directly, and run four scripts
 * with a bad flag in a child process.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags } from '../../scripts/flags.mjs';

const SPEC = {
  '--seeds': { kind: 'count', max: 100 },
  '--runs': { kind: 'count' },
  '--engine': { kind: 'choice', of: ['flink', 'kstreams', 'spark'] },
  '--scenario': { kind: 'text' },
  '--json': { kind: 'switch' },
  '--internal': { kind: 'count', hidden: true },
} as const;

const refusal = (argv: string[]): string => {
  try {
    parseFlags(argv, SPEC);
  } catch (e) {
    expect(e).toBeInstanceOf(FlagError);
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} was taken`);
};

describe('scripts/flags.mjs', () => {
  it('takes each kind of flag, and leaves out those not given', () => {
    expect(parseFlags(['--seeds', '100', '--engine', 'spark', '--scenario', 'bank', '--json', '--internal', '3'], SPEC))
      .toEqual({ seeds: 100, engine: 'spark', scenario: 'bank', json: true, internal: 3 });
    expect(parseFlags([], SPEC)).toEqual({});
    expect(parseFlags(['--runs', '123456'], SPEC)).toEqual({ runs: 123456 });
  });

  it.each([
    [['--bogus'], "unknown flag '--bogus' (flags: --seeds, --runs, --engine, --scenario, --json)"],
    [['bank'], "unknown flag 'bank' (flags: --seeds, --runs, --engine, --scenario, --json)"],
    [['--seeds'], '--seeds needs a value'],
    [['--scenario', '--json'], '--scenario needs a value'],
    [['--seeds', '0'], "--seeds takes a whole number from 1 to 100, got '0'"],
    [['--seeds', '101'], "--seeds takes a whole number from 1 to 100, got '101'"],
    [['--runs', '1.5'], "--runs takes a whole number ≥ 1, got '1.5'"],
    [['--runs', '1e3'], "--runs takes a whole number ≥ 1, got '1e3'"],
    [['--runs', ' 7'], "--runs takes a whole number ≥ 1, got ' 7'"],
    [['--engine', 'storm'], "--engine takes flink, kstreams or spark, got 'storm'"],
    [['--constructor', 'x'], "unknown flag '--constructor' (flags: --seeds, --runs, --engine, --scenario, --json)"],
  ])('%j is refused', (argv, message) => {
    expect(refusal(argv)).toBe(message);
  });

  it.each([
    ['test/bench/steps.ts', ['--engine', 'storm'], "bench:steps: --engine takes flink, kstreams or spark, got 'storm'"],
    ['test/bench/steps.ts', ['--keys', '10'], 'bench:steps: --keys is for --dense'],
    ['test/bench/steps.ts', ['--dense', '--scenario', 'bank'], 'bench:steps: --dense runs the dense wordcount: leave out --scenario'],
    ['test/bench/steps.ts', ['--dense', '--keys', '0'], "bench:steps: --keys takes a whole number ≥ 1, got '0'"],
    ['test/soak/run.ts', ['--seeds', 'many'], "soak: --seeds takes a whole number ≥ 1, got 'many'"],
    ['test/soak/run.ts', ['--faults', 'light'], "soak: --faults takes swarm or heavy, got 'light'"],
    ['test/bench/shrink.ts', ['--only', 'watermark-max,nope'], "bench:shrink: --only takes planted bug names (see weir bugs), got 'nope'"],
    ['test/bench/shrink.ts', ['--seeds', '3'], "bench:shrink: unknown flag '--seeds' (flags: --only, --json)"],
    ['scripts/examples.mjs', ['--rewrite'], "examples: unknown flag '--rewrite' (flags: --write, --only)"],
    ['scripts/examples.mjs', ['--only', 'docs/HISTORY.md'], "examples: --only takes README.md or a page docs/NAME.md other than docs/HISTORY.md, got 'docs/HISTORY.md'"],
  ])('%s %j: one line, exit 2', (script, args, line) => {
    const path = fileURLToPath(new URL(`../../${script}`, import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', path, ...args], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
  });
});
