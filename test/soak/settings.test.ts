/**
 * What this proves: the settings soak (`npm run soak:settings`) draws the
 * same `weir explore` command lines from the same draw seed and others from
 * another; every command it draws is one `weir explore` takes (parsed by the
 * command's own parser, no refusal: bounds, combinations, engine, fixed
 * scripts) and runs what it says (engine, faults, knobs, the planted bug);
 * over many draws every knob of every engine is drawn, so none is dead; and
 * the soak can fail: with a planted bug its sweep reports the violation
 * with a token and exits 1, while the same command without the bug exits 0.
 * Under `--at-least-once` it draws only the scenarios whose judges other
 * than exactly-once hold under replays, counts exactly-once failing as no
 * violation, and still fails a run that loses records.
 *
 * How: call `drawSettings` directly for the draws, and run the script in a
 * child process on one small draw, with and without the bug.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AT_LEAST_ONCE, drawSettings, violates } from './settings-draw.ts';
import { EXPLORE_FLAGS, exploreRequest } from '../../src/cli/explore.ts';
import { parseArgs } from '../../src/cli/args.ts';
import { findScenario, fixedInputProblem } from '../../scenarios/index.ts';
import { engineProblem, lostOnCrash } from '../../src/explore/engines.ts';

const SCRIPT = fileURLToPath(new URL('./settings.ts', import.meta.url));

const parsed = (args: string[]) => exploreRequest(parseArgs('explore', args, EXPLORE_FLAGS)).job;
const flagValue = (args: readonly string[], flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

describe('the settings soak', () => {
  it('draws the same commands from the same seed, others from another', () => {
    expect(drawSettings(5, 30)).toEqual(drawSettings(5, 30));
    expect(drawSettings(6, 30)).not.toEqual(drawSettings(5, 30));
    // A longer draw begins with the shorter one.
    expect(drawSettings(5, 40).slice(0, 30)).toEqual(drawSettings(5, 30));
  });

  it('draws only commands weir explore takes, and they run what they say', () => {
    for (const seed of [1, 2, 3]) {
      for (const args of drawSettings(seed, 60)) {
        const job = parsed(args);
        const scenario = findScenario(job.scenario)!;
        expect(scenario, args.join(' ')).toBeDefined();
        expect(engineProblem(scenario, job) ?? fixedInputProblem(scenario, job.events), args.join(' ')).toBeUndefined();
        expect(lostOnCrash(scenario, job.engine!), args.join(' ')).toBeUndefined();
        expect(job.engine).toBe(flagValue(args, '--engine'));
        expect(job.faults).toBe(flagValue(args, '--faults'));
        expect(job.standbyReplicas).toBe(args.includes('--standby-replicas') ? Number(flagValue(args, '--standby-replicas')) : undefined);
        expect(job.triggerIntervalMs).toBe(args.includes('--trigger-interval') ? Number(flagValue(args, '--trigger-interval')) : undefined);
        expect(job.unaligned === true).toBe(args.includes('--unaligned'));
      }
    }
  });

  it('draws every knob of every engine, and only its own engine\'s', () => {
    const own: Record<string, string[]> = {
      flink: ['--spare-tms', '--unaligned', '--checkpoint-interval', '--buffer-timeout'],
      kstreams: ['--standby-replicas', '--acceptable-recovery-lag', '--max-warmup-replicas', '--probing-rebalance-interval', '--commit-interval'],
      spark: ['--trigger-interval'],
    };
    const seen = new Set<string>();
    for (const args of drawSettings(11, 400)) {
      const engine = flagValue(args, '--engine')!;
      for (const a of args.filter((x) => x.startsWith('--'))) {
        seen.add(a);
        for (const [other, knobs] of Object.entries(own)) if (other !== engine) expect(knobs, args.join(' ')).not.toContain(a);
      }
      if (args.includes('--guarantee')) seen.add(`${args[0]} under ${flagValue(args, '--guarantee')}`);
    }
    for (const knob of [...Object.values(own).flat(), '--events', '--parallelism']) expect(seen, knob).toContain(knob);
    // Spark's continuous query offers at-least-once only, and is drawn under it.
    expect(seen).toContain('etl-continuous under at-least-once');
  });

  it('keeps to one engine, or to where a planted bug can run', () => {
    for (const args of drawSettings(4, 40, { engine: 'spark' })) expect(flagValue(args, '--engine')).toBe('spark');
    for (const args of drawSettings(4, 40, { bug: 'restore-read-uncommitted' })) {
      expect(flagValue(args, '--engine')).toBe('kstreams');
      expect(parsed(args).bugs).toEqual(['restore-read-uncommitted']);
    }
    // A bug that needs a setting gets it: each such draw is drawn again until it has one.
    for (const args of drawSettings(4, 20, { bug: 'unaligned-drops-in-flight' })) expect(args).toContain('--unaligned');
    for (const args of drawSettings(4, 20, { bug: 'standby-read-uncommitted' })) expect(Number(flagValue(args, '--standby-replicas'))).toBeGreaterThan(0);
    expect(() => drawSettings(1, 1, { engine: 'spark', bug: 'no-alignment' })).toThrow(/no scenario runs on spark with the planted bug no-alignment/);
  });

  it('fails on a planted bug with its token, and passes the same command without it', () => {
    const run = (extra: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '--draws', '1', '--seeds', '4', '--workers', '1', '--engine', 'flink', '--draw-seed', '18', ...extra], { encoding: 'utf8' });
    // Draw seed 18's first Flink command: wordcount under heavy faults with unaligned checkpoints.
    const [drawn] = drawSettings(18, 1, { engine: 'flink', bug: 'source-not-rewound' });
    expect(drawn).toContain('wordcount');
    const buggy = run(['--bug', 'source-not-rewound', '--json']);
    expect(buggy.status, buggy.stderr).toBe(1);
    expect(buggy.stderr).toMatch(/failing: [\w.-]+: w2\./);
    const report = JSON.parse(buggy.stdout.trim().split('\n').pop()!);
    expect(report.ok).toBe(false);
    expect(report.rows[0].command).toBe(`weir explore ${drawn!.join(' ')} --seeds 4`);
    expect(report.rows[0].violations).toBeGreaterThan(0);
    const clean = run([]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stderr).toContain(`weir explore ${drawn!.filter((a, i, all) => a !== '--bug' && all[i - 1] !== '--bug').join(' ')} --seeds 4: 0 violations in 4 seeds`);
  }, 60_000);

  it('draws under at-least-once only where the judges but exactly-once hold under replays, and counts exactly-once failing as no violation', () => {
    const seen = new Set<string>();
    for (const args of drawSettings(3, 200, { atLeastOnce: true })) {
      const job = parsed(args);
      expect(job.guarantee, args.join(' ')).toBe('at-least-once');
      expect(AT_LEAST_ONCE[job.scenario], args.join(' ')).toContain(job.engine);
      seen.add(`${job.scenario} on ${job.engine}`);
    }
    // Every pair the list names is drawn, and none of the exact-result scenarios.
    expect([...seen].sort()).toEqual(Object.entries(AT_LEAST_ONCE).flatMap(([sc, engines]) => engines.map((e) => `${sc} on ${e}`)).sort());
    // The draws without --at-least-once are those of before: a stream of their own.
    expect(drawSettings(3, 5)).toEqual(drawSettings(3, 5, {}));
    expect(violates([], false)).toBe(false);
    expect(violates(['exactly-once'], false)).toBe(true);
    expect(violates(['exactly-once'], true)).toBe(false);
    expect(violates(['exactly-once', 'at-least-once'], true)).toBe(true);
    expect(violates(['watermark.lateness'], true)).toBe(true);
  });

  it('under at-least-once, fails a run that loses records', () => {
    // Draw seed 5's first Flink command under at-least-once: wordcount-final with a spare task manager.
    const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '--at-least-once', '--engine', 'flink', '--bug', 'drop-late-silently', '--draw-seed', '5', '--draws', '1', '--seeds', '3', '--workers', '1'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/--guarantee at-least-once/);
    expect(r.stderr).toMatch(/failing: at-least-once: w2\./);
  }, 60_000);

  // The flags themselves are the shared parser's (test/scripts/flags.test.ts); these two are the script's own.
  it('answers a bug it does not know, or one no draw can run, with one line and exit 2', () => {
    for (const [args, said] of [
      [['--bug', 'nope'], /unknown planted bug 'nope'/],
      [['--engine', 'spark', '--bug', 'no-alignment'], /no scenario runs on spark with the planted bug no-alignment/],
    ] as const) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(said);
    }
  });
});
