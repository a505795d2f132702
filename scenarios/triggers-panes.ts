/**
 * triggers-panes: a teaching scenario (the `triggers` walkthrough), Flink
 * only, driven by scripted sources — not a workload drawn from the seed.
 *
 * The running example of *Streaming Systems* (Akidau, Chernyak, Lax, ch. 2),
 * in its shape: one team's scores summed in 2-minute event-time windows,
 * eight scores arriving out of order, one of them (the 9) long after the
 * others. The clock is shrunk: one minute of the book is one second here,
 * so the windows are 2,000 ms and the whole input arrives within 4.4 s of
 * processing time. The values are weir's own.
 *
 * The same eight scores feed four branches, each from its own scripted
 * source (ids 0…, 10…, 20…, 30…, so every id says its branch):
 *
 * - `perfect`: a perfect watermark (it never passes a score still to come,
 *   so it waits at 1,199 for the 9), AfterWatermark: one on-time pane per
 *   window, all correct, all at the end;
 * - `heuristic`: a heuristic watermark that passes the first window before
 *   the 9 arrives, AfterWatermark, no allowed lateness: the first window's
 *   on-time pane misses the 9, which goes to the late side output;
 * - `accumulating`: the heuristic watermark, AfterWatermark with early
 *   firings every second of processing time and late firings, 3 s of
 *   allowed lateness, accumulating: early, on-time and late panes, each
 *   holding everything so far;
 * - `discarding`: the same trigger in discarding mode: each pane holds only
 *   what arrived since the previous one; an on-time pane with nothing new
 *   is emitted all the same, empty (Beam's default OnTimeBehavior,
 *   FIRE_ALWAYS).
 *
 * The standard window checks judge EventTimeTrigger's rules, so there is no
 * `window` spec; the check `triggers.panes` judges what must hold whatever
 * the faults (a crash may move an early pane, never a result): each branch's
 * panes come in order (EARLY…, one ON_TIME, LATE…), the perfect watermark's
 * panes are on time and complete, the heuristic one loses exactly the 9, an
 * accumulating window's last pane is its full sum, a discarding window's
 * panes add up to it, and a pane with no records (it names no branch) is an
 * empty ON_TIME one, a sum of 0.
 */
import { tumbling } from '../src/stream/assigners.ts';
import { sumAggregate } from '../src/engines/flink/operators/aggregates.ts';
import { AfterWatermark, type Trigger } from '../src/engines/flink/windows/triggers.ts';
import { script, scriptRecords, type Script, type ScriptBuilder } from '../src/engines/flink/script.ts';
import type { InputRecord, LateRecord, WindowResult } from '../src/stream/records.ts';
import type { CheckResult } from '../src/check/types.ts';
import { TOPICS, type Scenario } from './types.ts';

export const TRIGGERS_WINDOW_MS = 2_000;
export const TRIGGERS_EARLY_MS = 1_000;
export const TRIGGERS_LATENESS_MS = 3_000;
export const TRIGGERS_TEAM = 'blue';

/** The scores: value, event time, and when the script emits it (ms of processing time after the start). */
export const TRIGGERS_SCORES: readonly { value: number; ts: number; atMs: number }[] = [
  { value: 5, ts: 400, atMs: 0 },
  { value: 7, ts: 2_300, atMs: 700 },
  { value: 4, ts: 2_700, atMs: 1_300 },
  { value: 3, ts: 3_100, atMs: 1_900 },
  { value: 3, ts: 4_600, atMs: 2_500 },
  { value: 8, ts: 3_500, atMs: 3_000 },
  { value: 3, ts: 6_900, atMs: 3_600 },
  { value: 9, ts: 1_200, atMs: 4_200 },
];

/** The heuristic watermark: (value, when). It passes the first window at 1,300 ms, before the 9 arrives. */
const HEURISTIC_WATERMARKS: readonly { wm: number; atMs: number }[] = [
  { wm: 1_999, atMs: 1_300 },
  { wm: 3_999, atMs: 3_100 },
  { wm: 7_999, atMs: 4_400 },
];
/** The perfect watermark: held below the 9 (ts 1,200) until it arrives. */
const PERFECT_WATERMARKS: readonly { wm: number; atMs: number }[] = [
  { wm: 1_199, atMs: 0 },
  { wm: 7_999, atMs: 4_400 },
];

export type TriggersBranch = 'perfect' | 'heuristic' | 'accumulating' | 'discarding';
export const TRIGGERS_BRANCHES: readonly TriggersBranch[] = ['perfect', 'heuristic', 'accumulating', 'discarding'];
/** Each branch's ids start here: the score at position i has id base + i. */
export const TRIGGERS_ID_BASE: Readonly<Record<TriggersBranch, number>> = { perfect: 0, heuristic: 10, accumulating: 20, discarding: 30 };

export function branchOfId(id: number): TriggersBranch | undefined {
  return TRIGGERS_BRANCHES.find((b) => id >= TRIGGERS_ID_BASE[b] && id < TRIGGERS_ID_BASE[b] + TRIGGERS_SCORES.length);
}

/**
 * Each source's watermarks are a few ms apart from the others' (no score and no window end − 1 lies
 * in between, so no decision changes): the replay tells which source a watermark came from by its value.
 */
const WATERMARK_OFFSET: Readonly<Record<TriggersBranch, number>> = { perfect: 3, heuristic: 0, accumulating: 1, discarding: 2 };

/** The script of one branch: the scores at their times, with the perfect or the heuristic watermark. */
export function triggersScript(branch: TriggersBranch): Script {
  const marks = (branch === 'perfect' ? PERFECT_WATERMARKS : HEURISTIC_WATERMARKS)
    .map((m, i) => ({ atMs: m.atMs, wm: branch === 'perfect' && i === 0 ? m.wm : m.wm + WATERMARK_OFFSET[branch] }));
  const steps: ({ atMs: number; order: number; apply: (s: ScriptBuilder) => void })[] = [
    ...marks.map((m) => ({ atMs: m.atMs, order: 0, apply: (s: ScriptBuilder) => void s.advanceWatermarkTo(m.wm) })),
    ...TRIGGERS_SCORES.map((r, i) => ({ atMs: r.atMs, order: 1, apply: (s: ScriptBuilder) => void s.add({ id: TRIGGERS_ID_BASE[branch] + i, key: TRIGGERS_TEAM, value: r.value, ts: r.ts }) })),
  ];
  // At one instant the watermark goes first (the perfect watermark is set before the first score);
  // the sort is stable, so scores keep their order.
  steps.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
  const s = script();
  let now = 0;
  for (const step of steps) {
    if (step.atMs > now) s.advanceProcessingTime(step.atMs - now);
    now = step.atMs;
    step.apply(s);
  }
  return s.advanceWatermarkToInfinity();
}

function triggerOf(branch: TriggersBranch): Trigger {
  if (branch === 'perfect' || branch === 'heuristic') return AfterWatermark.pastEndOfWindow();
  const t = AfterWatermark.pastEndOfWindow().withEarlyFirings(TRIGGERS_EARLY_MS).withLateFirings();
  return branch === 'discarding' ? t.discardingFiredPanes() : t;
}

/** Each window's full sum, from the scores. */
export function triggersTotals(): Map<number, number> {
  const totals = new Map<number, number>();
  for (const r of TRIGGERS_SCORES) {
    const start = Math.floor(r.ts / TRIGGERS_WINDOW_MS) * TRIGGERS_WINDOW_MS;
    totals.set(start, (totals.get(start) ?? 0) + r.value);
  }
  return totals;
}

const TIMING_ORDER = { EARLY: 0, ON_TIME: 1, LATE: 2 } as const;

/** The check `triggers.panes` (see the module comment). */
export function checkTriggersPanes(input: readonly InputRecord[], output: readonly (WindowResult | LateRecord | { type: string })[]): CheckResult {
  const problems: string[] = [];
  const totals = triggersTotals();
  const straggler = TRIGGERS_SCORES.findIndex((r) => r.value === 9);
  const lateIds = output.filter((o): o is LateRecord => o.type === 'late').map((o) => o.id).sort((a, b) => a - b);
  const expectLate = [TRIGGERS_ID_BASE.heuristic + straggler];
  if (lateIds.join() !== expectLate.join()) problems.push(`late side output holds ids [${lateIds.join(', ')}], expected [${expectLate.join(', ')}] (the heuristic watermark's 9)`);
  if (input.length !== TRIGGERS_SCORES.length * TRIGGERS_BRANCHES.length) problems.push(`${input.length} input records, expected ${TRIGGERS_SCORES.length * TRIGGERS_BRANCHES.length}`);
  const results = output.filter((o): o is WindowResult => o.type === 'window');
  for (const r of results) {
    if (r.ids.length === 0 && (r.pane?.timing !== 'ON_TIME' || r.value !== 0)) {
      problems.push(`[${r.start},${r.end}) pane ${r.firing}: ${r.pane?.timing ?? '?'} with no records and value ${String(r.value)}, expected only empty ON_TIME panes (a sum of 0)`);
    }
  }
  for (const branch of TRIGGERS_BRANCHES) {
    for (const [start, total] of totals) {
      const panes = results
        .filter((r) => r.start === start && r.ids.length > 0 && branchOfId(r.ids[0]!) === branch)
        .sort((a, b) => a.firing - b.firing);
      const where = `${branch} [${start},${start + TRIGGERS_WINDOW_MS})`;
      if (panes.length === 0) {
        problems.push(`${where}: no pane`);
        continue;
      }
      const timings = panes.map((p) => p.pane?.timing ?? '?');
      const ordered = timings.every((t, i) => t !== '?' && (i === 0 || TIMING_ORDER[t as keyof typeof TIMING_ORDER] >= TIMING_ORDER[timings[i - 1] as keyof typeof TIMING_ORDER]));
      if (!ordered || timings.filter((t) => t === 'ON_TIME').length > 1) problems.push(`${where}: panes ${timings.join(', ')} are not EARLY…, one ON_TIME, LATE…`);
      const values = panes.map((p) => p.value);
      const heuristicFirst = branch === 'heuristic' && start === 0;
      const want = heuristicFirst ? total - TRIGGERS_SCORES[straggler]!.value : total;
      if (branch === 'perfect' || branch === 'heuristic') {
        if (timings.join() !== 'ON_TIME' || values[0] !== want) problems.push(`${where}: panes ${timings.join(', ')} with ${values.join(', ')}, expected one ON_TIME pane of ${want}`);
      } else if (branch === 'accumulating') {
        if (values.some((v, i) => i > 0 && v < values[i - 1]!) || values.at(-1) !== total) problems.push(`${where}: accumulating panes ${values.join(', ')} should grow to ${total}`);
      } else if (values.reduce((a, b) => a + b, 0) !== total) problems.push(`${where}: discarding panes ${values.join(', ')} should add up to ${total}`);
    }
  }
  return {
    name: 'triggers.panes',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${results.length} panes over ${TRIGGERS_BRANCHES.length} branches; on time and complete under the perfect watermark, the 9 lost to the heuristic one, accumulating and discarding panes adding up` : problems.slice(0, 3).join('; '),
  };
}

const SCRIPTS: Readonly<Record<TriggersBranch, Script>> = {
  perfect: triggersScript('perfect'),
  heuristic: triggersScript('heuristic'),
  accumulating: triggersScript('accumulating'),
  discarding: triggersScript('discarding'),
};

export const triggersPanes: Scenario = {
  name: 'triggers-panes',
  summary: 'teaching (walkthrough triggers): a team\'s scores in 2 s windows, scripted; perfect vs heuristic watermark, early/on-time/late panes, accumulating vs discarding',
  defaults: { events: TRIGGERS_SCORES.length * TRIGGERS_BRANCHES.length, parallelism: 1, partitions: 1, keys: 1 },
  fixedInput: true,
  workload: () => ({
    records: TRIGGERS_BRANCHES.flatMap((b) => scriptRecords(SCRIPTS[b])),
    arrivals: [],
    canBeLate: true,
    idlePartitions: [],
    activeArrivalGapMsMax: 0,
  }),
  faultHorizonMs: 4_400,
  check: (ci) => [checkTriggersPanes(ci.input, ci.output)],
  engines: {
    flink: {
      build(env, sizes) {
        for (const branch of TRIGGERS_BRANCHES) {
          const sums = env.fromScript(`${branch}-source`, SCRIPTS[branch])
            .keyBy((r) => r.key)
            .window(tumbling(TRIGGERS_WINDOW_MS))
            .allowedLateness(branch === 'accumulating' || branch === 'discarding' ? TRIGGERS_LATENESS_MS : 0)
            .sideOutputLateData('late')
            .trigger(triggerOf(branch))
            .aggregate(sumAggregate, branch, sizes.parallelism);
          sums.sinkTo({ topic: TOPICS.output, partitions: sizes.parallelism, name: `${branch}-sink` });
          sums.getSideOutput('late').sinkTo({ topic: TOPICS.output, partitions: sizes.parallelism, name: `${branch}-late-sink` });
        }
      },
    },
  },
};
