/**
 * `npm run bench:instructions` (scripts/instructions.mjs): bad input gets one
 * line and exit 2; the runner it starts under valgrind runs the seeds as
 * explore's `runSeed` does in this process (equal digests of the results),
 * and the trace digest it prints is that of `runScenario` here.
 * The valgrind count itself is a benchmark and is not run here.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/explore/run.ts';
import { runSeed, type SweepJob } from '../../src/explore/sweep.ts';

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

  it('counts the seeds as explore runs them: the same results as runSeed here', () => {
    const r = script('--run', '2', '--scenario', 'bank');
    expect(r.status).toBe(0);
    const job: SweepJob = { scenario: 'bank', guarantee: 'exactly-once', faults: 'swarm', bugs: [] };
    const hash = createHash('sha256');
    for (let seed = 1; seed <= 2; seed++) hash.update(JSON.stringify(runSeed(job, seed)));
    expect(r.stdout).toBe(`results ${hash.digest('hex').slice(0, 12)}\n`);
  });

  it('digests the same seeds\' trace hashes as runScenario gives them here', () => {
    const r = script('--digest', '2', '--scenario', 'bank');
    expect(r.status).toBe(0);
    const hash = createHash('sha256');
    for (let seed = 1; seed <= 2; seed++) {
      const report = runScenario({ scenario: 'bank', seed, guarantee: 'exactly-once', faults: 'swarm', bugs: [] });
      expect(report.traceHash).toMatch(/^[0-9a-f]{16}$/);
      hash.update(report.traceHash);
    }
    expect(r.stdout).toBe(`digest ${hash.digest('hex').slice(0, 12)}\n`);
  });
});
