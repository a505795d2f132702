/**
 * The settings soak's draws (`npm run soak:settings`, settings.ts): the soak
 * proper runs every scenario at its shipped settings, so a fault that only a
 * longer commit interval, a standby replica, a trigger of 0 ms or an
 * unaligned checkpoint every 40 ms brings out would never be met there.
 * Each draw is one `weir explore` command line — an engine (each as often
 * as the others), one of its scenarios, a fault profile, maybe a size, and some of that
 * engine's own knobs — drawn from the draw seed alone, so the same seed
 * draws the same commands on every machine, and a row of the report can be
 * pasted into a shell to run again.
 *
 * A draw never asks for what the command line refuses: sizes and knobs stay
 * inside their bounds (src/explore/limits.ts), a fixed-script scenario keeps
 * its size, a scenario that offers one guarantee only runs under it, and a
 * row no guarantee holds across a crash (`lostOnCrash`: Spark's memory sink
 * in append mode) is never drawn. With a planted bug, only engines the bug
 * lives in are drawn, and a draw the bug cannot run in
 * (`combinationProblem`: an unaligned-only bug without --unaligned) is drawn
 * again. Under `atLeastOnce` every draw runs at-least-once, from the scenarios
 * whose judges other than `exactly-once` hold under replays (`AT_LEAST_ONCE`);
 * `violates` says which failed checks count.
 */
import { rootRng, type Rng } from '../../src/sim/rng.ts';
import { SCENARIOS } from '../../scenarios/index.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { bugEngineProblem, type BugName } from '../../src/explore/bugs.ts';
import { enginesOf, lostOnCrash, scenarioGuarantee, type EngineName } from '../../src/explore/engines.ts';
import { combinationProblem } from '../../src/explore/limits.ts';

export interface DrawOptions {
  /** Draw only this engine's commands. */
  engine?: EngineName;
  /** Plant this bug in every draw. */
  bug?: BugName;
  /** Draw under at-least-once, from the scenarios `AT_LEAST_ONCE` names only. */
  atLeastOnce?: boolean;
}

/**
 * The scenarios drawn under at-least-once (`atLeastOnce`): those whose every judge but
 * `exactly-once` holds when records are replayed — the windowed ones (judged by `at-least-once`),
 * the joins (a pair committed again counted), etl and chained. Left out: the judges of exact
 * results (bank balances, tables, enrich, ttl expiry), as sweeps under at-least-once showed
 * (docs/SOAK.md), and Kafka Streams' wordcount-final: there at-least-once itself can lose a final
 * result (a crash mid-commit after the suppression buffer's tombstone landed and before the
 * release did; docs/KAFKA-STREAMS.md), which the `at-least-once` check rightly fails. Kafka
 * Streams' `ks.restore` and `ks.suppress` know what at-least-once allows: a zombie's changelog
 * writes a store that goes on from its own offset never reads, and a window released or held
 * again.
 */
export const AT_LEAST_ONCE: Readonly<Record<string, readonly EngineName[]>> = {
  wordcount: ['flink', 'kstreams', 'spark'],
  'sliding-average': ['flink', 'kstreams', 'spark'],
  sessions: ['flink', 'kstreams', 'spark'],
  'wordcount-final': ['flink', 'spark'],
  chained: ['flink', 'kstreams', 'spark'],
  etl: ['flink', 'kstreams', 'spark'],
  join: ['flink', 'kstreams', 'spark'],
  'outer-join': ['spark'],
};

/** A knob's flag, how often a draw sets it, and the values it picks from. */
interface Knob {
  flag: string;
  odds: number;
  values: readonly (number | true)[];
}

const SHARED: readonly Knob[] = [
  { flag: '--events', odds: 0.5, values: [100, 300, 600, 1500, 3000] },
  { flag: '--parallelism', odds: 0.5, values: [1, 2, 3, 4] },
];

/** Each engine's own knobs, with values from the edges (0, a few ms) to well past the defaults. */
const KNOBS: Record<EngineName, readonly Knob[]> = {
  flink: [
    { flag: '--spare-tms', odds: 0.3, values: [1, 2] },
    { flag: '--unaligned', odds: 0.25, values: [true] },
    { flag: '--checkpoint-interval', odds: 0.5, values: [0, 40, 130, 250, 1000] },
    { flag: '--buffer-timeout', odds: 0.4, values: [0, 7, 30, 300] },
  ],
  kstreams: [
    { flag: '--standby-replicas', odds: 0.5, values: [1, 2] },
    { flag: '--acceptable-recovery-lag', odds: 0.3, values: [0, 50, 1000] },
    { flag: '--max-warmup-replicas', odds: 0.3, values: [1, 3] },
    { flag: '--probing-rebalance-interval', odds: 0.3, values: [1000, 3000, 60000] },
    { flag: '--commit-interval', odds: 0.4, values: [10, 37, 250, 1000, 5000] },
  ],
  spark: [{ flag: '--trigger-interval', odds: 0.6, values: [0, 10, 50, 200, 700, 2000] }],
};

/** Swarm twice as often as the others: its faults vary most from seed to seed. */
const FAULTS = ['swarm', 'swarm', 'heavy', 'light'] as const;

/** How many times a draw the planted bug cannot run in is drawn again before giving up. */
const REDRAWS = 100;

/** The scenario–engine pairs a draw picks from. */
function pairs(opts: DrawOptions): { scenario: Scenario; engine: EngineName }[] {
  return SCENARIOS.flatMap((scenario) =>
    enginesOf(scenario)
      .filter((engine) => (opts.engine === undefined || engine === opts.engine) && (opts.bug === undefined || bugEngineProblem(opts.bug, engine) === undefined))
      .filter((engine) => lostOnCrash(scenario, engine) === undefined)
      .filter((engine) => !opts.atLeastOnce || AT_LEAST_ONCE[scenario.name]?.includes(engine) === true)
      .map((engine) => ({ scenario, engine })),
  );
}

/** The arguments of one `weir explore` command (after `explore`), without seeds or workers. */
function drawOne(rng: Rng, choices: { scenario: Scenario; engine: EngineName }[], bug: BugName | undefined, atLeastOnce: boolean): string[] {
  // The engine first, then one of its scenarios: Spark has more scenarios than the others, and
  // its engine would otherwise have most of the draws.
  const engine = rng.pick([...new Set(choices.map((c) => c.engine))]);
  const { scenario } = rng.pick(choices.filter((c) => c.engine === engine));
  const args = [scenario.name, '--engine', engine, '--faults', rng.pick(FAULTS)];
  const guarantee = atLeastOnce ? 'at-least-once' : scenarioGuarantee(scenario, engine);
  if (guarantee !== 'exactly-once') args.push('--guarantee', guarantee);
  for (const knob of [...SHARED, ...KNOBS[engine]]) {
    if (!rng.chance(Math.round(knob.odds * 1000), 1000)) continue;
    if (knob.flag === '--events' && scenario.fixedInput) continue;
    const v = rng.pick(knob.values);
    if (v === true) args.push(knob.flag);
    else args.push(knob.flag, String(v));
  }
  if (bug !== undefined) args.push('--bug', bug);
  return args;
}

/** Whether the drawn arguments ask for a combination the command line refuses. */
function refused(args: readonly string[], bug: BugName | undefined): boolean {
  const has = (flag: string): boolean => args.includes(flag);
  const num = (flag: string): number | undefined => (has(flag) ? Number(args[args.indexOf(flag) + 1]) : undefined);
  const guarantee = has('--guarantee') ? args[args.indexOf('--guarantee') + 1]! : 'exactly-once';
  return combinationProblem({ guarantee, bugs: bug ? [bug] : [], unaligned: has('--unaligned'), spareTaskManagers: num('--spare-tms'), standbyReplicas: num('--standby-replicas') }) !== undefined;
}

/**
 * `count` command lines drawn from `seed` (each the arguments after `weir explore`, without
 * `--seeds`, `--start` or `--workers`); throws when the options leave nothing to draw.
 */
export function drawSettings(seed: number, count: number, opts: DrawOptions = {}): string[][] {
  const choices = pairs(opts);
  if (choices.length === 0) throw new Error(`no scenario runs on ${opts.engine ?? 'any engine'}${opts.bug ? ` with the planted bug ${opts.bug}` : ''}${opts.atLeastOnce ? ' under at-least-once' : ''}`);
  const rng = rootRng(seed).fork(opts.atLeastOnce ? 'settings-soak-at-least-once' : 'settings-soak');
  const out: string[][] = [];
  for (let i = 0; i < count; i++) {
    let args = drawOne(rng, choices, opts.bug, opts.atLeastOnce === true);
    for (let tries = 1; refused(args, opts.bug); tries++) {
      if (tries >= REDRAWS) throw new Error(`the planted bug ${opts.bug} needs settings no draw gave in ${REDRAWS} tries`);
      args = drawOne(rng, choices, opts.bug, opts.atLeastOnce === true);
    }
    out.push(args);
  }
  return out;
}

/**
 * Whether a seed's failed checks are a violation: any, under exactly-once; under at-least-once
 * any but `exactly-once`, which fails a replay by design (`at-least-once` judges those runs).
 */
export function violates(failed: readonly string[], atLeastOnce: boolean): boolean {
  return failed.some((name) => !atLeastOnce || name !== 'exactly-once');
}
