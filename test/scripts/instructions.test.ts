/**
 * `npm run bench:instructions` (scripts/instructions.mjs): bad input gets one
 * line and exit 2, and the runner it starts under valgrind runs the same
 * swarm runs as `runScenario` does in this process (equal trace digests).
 * The valgrind count itself is a benchmark and is not run here.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/explore/run.ts';
import { CoverageProbe } from '../../src/explore/coverage.ts';
import { findScenario } from '../../scenarios/index.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/instructions.mjs', import.meta.url));

function script(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/instructions.mjs', () => {
  it.each([
    [['--seeds', 'x'], "instructions: --seeds takes a whole number from 1 to 10000, got 'x'"],
    [['--seeds'], 'instructions: --seeds needs a value'],
    [['--bogus'], "instructions: unknown flag '--bogus' (flags: --scenario, --engine, --seeds, --root)"],
    [['--engine', 'storm'], "instructions: --engine takes flink, kstreams or spark, got 'storm'"],
    [['--root', '/nonexistent-weir'], 'instructions: /nonexistent-weir has no built dist/ (run npm run build there first)'],
    [['--run', '1', '--scenario', 'nope'], "instructions: no scenario 'nope' (see weir list)"],
  ])('%j: one line, exit 2', (args, line) => {
    const r = script(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
  });

  it('runs the seeds explore runs: the same trace digest as runScenario here', () => {
    const r = script('--run', '2', '--scenario', 'bank');
    expect(r.status).toBe(0);
    const scenario = findScenario('bank')!;
    const hash = createHash('sha256');
    for (let seed = 1; seed <= 2; seed++) {
      const probe = new CoverageProbe(scenario);
      const report = runScenario({ scenario: 'bank', seed, guarantee: 'exactly-once', faults: 'swarm', bugs: [] }, { scenario: probe.scenario, subscribers: [probe.subscriber] });
      hash.update(report.traceHash);
    }
    expect(r.stdout).toBe(`digest ${hash.digest('hex').slice(0, 12)}\n`);
  });
});
