/**
 * The argument parser and the run-settings rules, in process (no child
 * processes, so these are quick): flag syntaxes, repeats, strict integers,
 * the documented bounds on every flag that sizes a run (a property: any
 * value in, a parsed number or one UsageError naming the bound out), and the
 * rule that a repro token fixes every setting of a run.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { parseArgs, parseIntFlag, parseLimitedFlag, valueOf } from '../../src/cli/args.ts';
import { LIMITS, type LimitName } from '../../src/explore/limits.ts';
import { checkScenario, runRequest, RUN_FLAGS } from '../../src/cli/run-settings.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { decodeToken, encodeToken } from '../../src/explore/settings.ts';
import { bugEngineProblem } from '../../src/explore/bugs.ts';
import { findScenario, type Scenario } from '../../scenarios/index.ts';

const run = (...argv: string[]) => runRequest(parseArgs('run', argv, RUN_FLAGS));

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, switches, repeats and --', () => {
    const a = parseArgs('run', ['wordcount', '--seed=7', '--bug', 'a', '--json', '--bug=b', '--', '--not-a-flag'], RUN_FLAGS);
    expect(a.positionals).toEqual(['wordcount', '--not-a-flag']);
    expect(valueOf(a, 'seed')).toBe('7');
    expect(a.values.get('bug')).toEqual(['a', 'b']);
    expect([...a.switches]).toEqual(['json']);
  });

  it('rejects unknown flags, missing values, values on switches and repeats of single flags', () => {
    expect(() => parseArgs('run', ['--nope'], RUN_FLAGS)).toThrow(/unknown flag "--nope" for "weir run"/);
    expect(() => parseArgs('run', ['-x'], RUN_FLAGS)).toThrow(UsageError);
    expect(() => parseArgs('run', ['--seed'], RUN_FLAGS)).toThrow(/--seed needs a value/);
    expect(() => parseArgs('run', ['--json=yes'], RUN_FLAGS)).toThrow(/--json takes no value/);
    expect(() => parseArgs('run', ['--seed', '1', '--seed', '2'], RUN_FLAGS)).toThrow(/given twice/);
  });

  it('does not take the next flag as a forgotten value; --flag=value still may start with --', () => {
    expect(() => parseArgs('run', ['wordcount', '--trace', '--json'], RUN_FLAGS)).toThrow(/--trace needs a value, and "--json" is a flag/);
    expect(() => parseArgs('run', ['--trace', '--'], RUN_FLAGS)).toThrow(/--trace needs a value/);
    expect(valueOf(parseArgs('run', ['--trace=--json'], RUN_FLAGS), 'trace')).toBe('--json');
    expect(valueOf(parseArgs('run', ['--trace', '-'], RUN_FLAGS), 'trace')).toBe('-');
  });

  it('accepts only whole decimal integers at or above the minimum', () => {
    expect(parseIntFlag('seed', '0')).toBe(0);
    expect(parseIntFlag('seed', '4294967295')).toBe(4294967295);
    for (const bad of ['', 'abc', '1.5', '-1', '1e3', '0x10', ' 1', '99999999999999999999']) {
      expect(() => parseIntFlag('seed', bad), bad).toThrow(UsageError);
    }
    expect(() => parseIntFlag('events', '0', 1)).toThrow(/integer ≥ 1/);
  });
});

describe('bounded flags', () => {
  /**
   * Every flag that sizes a run has a documented bound (explore/limits.ts): a value inside it
   * parses to itself; any other text, number or huge value is one UsageError naming the flag
   * and both ends of the bound.
   */
  test.prop([fc.constantFrom(...(Object.keys(LIMITS) as LimitName[])), fc.oneof(fc.nat(), fc.string(), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), fc.integer({ min: -1000, max: -1 }).map(String))])(
    'inside the bound parses, outside is one UsageError naming it',
    (name, raw) => {
      const l = LIMITS[name];
      const text = String(raw);
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      if (Number.isSafeInteger(n) && n >= l.min && n <= l.max) expect(parseLimitedFlag(name, text)).toBe(n);
      else {
        expect(() => parseLimitedFlag(name, text)).toThrow(UsageError);
        expect(() => parseLimitedFlag(name, text)).toThrow(`--${l.flag} must be an integer from ${l.min.toLocaleString('en-US')} to ${l.max.toLocaleString('en-US')}`);
      }
    },
  );

  it('holds the sizes that once ran for minutes or exhausted the heap', () => {
    for (const [flag, value] of [['events', '99999999999999'], ['parallelism', '100000'], ['spare-tms', '1000000'], ['seed', '4294967296']]) {
      expect(() => run('wordcount', `--${flag}`, value), flag).toThrow(UsageError);
    }
    expect(run('wordcount', '--events', '2000000', '--parallelism', '64', '--spare-tms', '8', '--seed', '4294967295').settings).toMatchObject({ events: 2_000_000, parallelism: 64, spareTaskManagers: 8, seed: 4294967295 });
  });
});

describe('combinations that cannot happen', () => {
  it('are refused with the reason, by flag and by token', () => {
    const cases: [string[], RegExp][] = [
      [['--unaligned', '--guarantee', 'at-least-once'], /unaligned checkpoints are an exactly-once mode/],
      [['--bug', 'unaligned-drops-in-flight'], /add --unaligned/],
      [['--bug', 'zombie-not-fenced'], /add --spare-tms 1/],
      [['--savepoint-at', '500', '--guarantee', 'at-most-once'], /at-most-once never replays/],
    ];
    for (const [flags, why] of cases) {
      expect(() => run('bank', ...flags), flags.join(' ')).toThrow(why);
    }
    const token = encodeToken({ scenario: 'bank', seed: 1, guarantee: 'at-most-once', faults: 'none', bugs: [], unaligned: true });
    expect(() => run(token)).toThrow(/repro token asks for something that cannot happen: unaligned checkpoints are an exactly-once mode/);
    expect(run('bank', '--bug', 'zombie-not-fenced', '--spare-tms', '1').settings.bugs).toEqual(['zombie-not-fenced']);
  });
});

describe('runRequest', () => {
  it('fills defaults: exactly-once, light faults, no bugs, a drawn seed', () => {
    const r = run('wordcount');
    expect(r.settings).toMatchObject({ scenario: 'wordcount', guarantee: 'exactly-once', faults: 'light', bugs: [] });
    expect(Number.isSafeInteger(r.settings.seed)).toBe(true);
    expect(r.seedDrawn).toBe(true);
    expect(r.settings.events).toBeUndefined();
  });

  it('takes every flag, and names each planted bug once', () => {
    const r = run('wordcount', '--seed', '9', '--events', '50', '--parallelism', '3', '--guarantee', 'at-most-once', '--faults', 'none',
      '--bug', 'watermark-max', '--bug', 'watermark-max', '--bug', 'fire-at-end');
    expect(r.settings).toEqual({
      scenario: 'wordcount', engine: 'flink', seed: 9, events: 50, parallelism: 3, guarantee: 'at-most-once', faults: 'none', bugs: ['watermark-max', 'fire-at-end'],
    });
    expect(r.seedDrawn).toBe(false);
  });

  it('uses a token as it is, and refuses flags that would change the run', () => {
    const settings = { scenario: 'wordcount', seed: 5, guarantee: 'at-least-once' as const, faults: 'heavy' as const, bugs: [] };
    const token = encodeToken(settings);
    const r = run(token, '--json');
    expect(r.settings).toEqual(settings);
    expect(r.fromToken).toBe(true);
    for (const flag of [['--seed', '1'], ['--events', '9'], ['--faults', 'none'], ['--bug', 'watermark-max']]) {
      expect(() => run(token, ...flag)).toThrow(/a repro token fixes every setting/);
    }
  });

  it('reports unknown scenarios by name, and a token naming one this weir lacks', () => {
    expect(() => checkScenario(run('nope'), () => undefined)).toThrow('unknown scenario "nope" (try: weir list)');
    const token = encodeToken({ scenario: 'gone', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] });
    expect(() => checkScenario(run(token), () => undefined)).toThrow(/token names scenario "gone"/);
    expect(() => checkScenario(run('wordcount'), findScenario)).not.toThrow();
  });

  it('refuses an engine the scenario has no build for, and a planted bug of another engine', () => {
    expect(() => run('wordcount', '--engine', 'storm')).toThrow(/--engine/);
    const flinkOnly0: Scenario = { ...findScenario('wordcount')!, engines: { flink: findScenario('wordcount')!.engines.flink! } };
    expect(() => checkScenario(run('wordcount', '--engine', 'spark'), () => flinkOnly0)).toThrow('scenario wordcount has no spark build (it runs on: flink); choose one of those with --engine');
    expect(() => checkScenario(run('enrich', '--engine', 'flink'), findScenario)).toThrow('scenario enrich has no flink build (it runs on: kstreams); choose one of those with --engine');
    const flinkOnly: Scenario = { ...findScenario('wordcount')!, engines: {} };
    expect(() => checkScenario(run('wordcount', '--engine', 'flink'), () => flinkOnly)).toThrow(/has no flink build \(it runs on: no engine\)/);
    // A log bug runs on any engine; a Flink bug only on Flink (checked by the same rule for every engine).
    expect(bugEngineProblem('read-committed-shows-aborted', 'kstreams')).toBeUndefined();
    expect(bugEngineProblem('watermark-max', 'kstreams')).toBe('planted bug watermark-max is a flink bug; it cannot run on the kstreams engine');
    expect(bugEngineProblem('watermark-max', 'flink')).toBeUndefined();
    // And a Kafka Streams bug only on Kafka Streams.
    expect(bugEngineProblem('offsets-without-generation', 'flink')).toBe('planted bug offsets-without-generation is a kstreams bug; it cannot run on the flink engine');
    expect(bugEngineProblem('offsets-without-generation', 'kstreams')).toBeUndefined();
    expect(() => checkScenario(run('wordcount', '--bug', 'grace-uses-task-stream-time'), findScenario)).toThrow(/is a kstreams bug/);
  });

  it('refuses a knob of another engine instead of ignoring it', () => {
    expect(() => checkScenario(run('wordcount', '--engine', 'kstreams', '--unaligned'), findScenario)).toThrow('--unaligned is a setting of the flink engine; it does nothing on kstreams (drop it, or run with --engine flink)');
    expect(() => checkScenario(run('wordcount', '--engine', 'spark', '--commit-interval', '50'), findScenario)).toThrow(/--commit-interval is a setting of the kstreams engine/);
    expect(() => checkScenario(run('wordcount', '--engine', 'flink', '--trigger-interval', '50'), findScenario)).toThrow(/--trigger-interval is a setting of the spark engine/);
    expect(() => checkScenario(run('wordcount', '--engine', 'kstreams', '--commit-interval', '50'), findScenario)).not.toThrow();
    expect(() => checkScenario(run('wordcount', '--checkpoint-interval', '50'), findScenario)).not.toThrow();
    expect(() => checkScenario(run('wordcount', '--engine', 'spark', '--buffer-timeout', '5'), findScenario)).toThrow(/--buffer-timeout is a setting of the flink engine/);
    expect(run('wordcount', '--buffer-timeout', '0').settings.bufferTimeoutMs).toBe(0);
    expect(() => run('wordcount', '--buffer-timeout', '60001')).toThrow(/buffer-timeout/);
  });

  it('takes the task assignor\'s warm-up knobs for Kafka Streams only, within their bounds, into the token', () => {
    const r = run('wordcount', '--engine', 'kstreams', '--max-warmup-replicas', '1', '--probing-rebalance-interval', '3000');
    expect(r.settings).toMatchObject({ maxWarmupReplicas: 1, probingRebalanceIntervalMs: 3000 });
    expect(() => checkScenario(r, findScenario)).not.toThrow();
    expect(decodeToken(encodeToken(r.settings))).toMatchObject({ maxWarmupReplicas: 1, probingRebalanceIntervalMs: 3000 });
    expect(() => checkScenario(run('wordcount', '--max-warmup-replicas', '1'), findScenario)).toThrow('--max-warmup-replicas is a setting of the kstreams engine; it does nothing on flink (drop it, or run with --engine kstreams)');
    expect(() => checkScenario(run('wordcount', '--engine', 'spark', '--probing-rebalance-interval', '3000'), findScenario)).toThrow(/--probing-rebalance-interval is a setting of the kstreams engine/);
    // Kafka Streams needs at least one warm-up replica (max.warmup.replicas is atLeast(1)).
    expect(() => run('wordcount', '--engine', 'kstreams', '--max-warmup-replicas', '0')).toThrow(/--max-warmup-replicas must be an integer from 1 to 1,000/);
    expect(() => run('wordcount', '--engine', 'kstreams', '--probing-rebalance-interval', '0')).toThrow(/--probing-rebalance-interval must be an integer from 1 to 3,600,000/);
    expect(() => decodeToken(encodeToken({ ...r.settings, maxWarmupReplicas: 0 }))).toThrow(/maxWarmupReplicas must be an integer from 1/);
    // A token fixes them like every other setting.
    expect(() => run(encodeToken(r.settings), '--probing-rebalance-interval', '5000')).toThrow(/drop --probing-rebalance-interval/);
  });

  it('puts the engine into the token, and reads a token without one as Flink', () => {
    const r = run('wordcount', '--seed', '3');
    expect(r.settings.engine).toBe('flink');
    expect(decodeToken(encodeToken(r.settings)).engine).toBe('flink');
    const old = encodeToken({ scenario: 'wordcount', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] });
    expect(decodeToken(old).engine).toBeUndefined();
    expect(() => decodeToken(encodeToken({ ...r.settings, engine: 'storm' as never }))).toThrow(/unknown engine \(weir has flink, kstreams, spark\)/);
  });
});
