/**
 * What `weir explore` prints: a banner with everything that decides the
 * sweep, a progress line on stderr (TTY only: runs, failures, runs/s, then
 * the shrink), and a summary — failing seeds, the edge coverage (an edge
 * never hit is said plainly), the first failure and its shrunk run with the
 * command that replays it. `resultJson` is the `--json` object.
 */
import type { ExploreRequest } from './explore.ts';
import type { ExploreResult, SweepProgress } from '../explore/explore.ts';
import type { CaseSize } from '../explore/shrink.ts';
import { EDGE_TEXT, type Edge } from '../explore/coverage.ts';
import { decodeToken } from '../explore/settings.ts';
import { faultText, shapeParts, timingParts } from './run-report.ts';

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
}

const PLAIN: Style = { ok: (s) => s, bad: (s) => s, dim: (s) => s };
const ANSI: Style = {
  ok: (s) => `\x1b[32m${s}\x1b[39m`,
  bad: (s) => `\x1b[31m${s}\x1b[39m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
};

export function styleFor(out: NodeJS.WriteStream): Style {
  return out.isTTY && !process.env.NO_COLOR ? ANSI : PLAIN;
}

const num = (n: number): string => n.toLocaleString('en-US');
const count = (n: number, one: string, many: string): string => `${num(n)} ${n === 1 ? one : many}`;
const SHOWN_SEEDS = 20;

export function bannerLine(req: ExploreRequest, workers: number): string {
  const j = req.job;
  const parts = [
    `explore scenario=${j.scenario}`,
    `seeds=${req.start}..${req.start + req.count - 1}${req.shard ? ` shard=${req.shard.index}/${req.shard.count}` : ''}`,
    `workers=${workers}`,
    `engine=${j.engine ?? 'flink'}`,
    `guarantee=${j.guarantee}`,
    `faults=${j.faults}`,
    `bugs=${j.bugs.length > 0 ? j.bugs.join(',') : 'none'}`,
  ];
  parts.push(...shapeParts(j), ...timingParts(j));
  return parts.join(' ');
}

/** The progress line on a TTY, redrawn at most ten times a second. */
export class Progress {
  private lastMs = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}

  sweep(p: SweepProgress): void {
    const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
    this.draw(`  ${num(p.done)}/${num(p.total)} runs · ${num(p.failures)} failing · ${rate.toFixed(1)} runs/s`, p.done === p.total);
  }

  shrink(runs: number, best: CaseSize): void {
    this.draw(`  shrinking: ${count(runs, 'run', 'runs')} · now ${num(best.events)} events, ${num(best.faults)} faults`, false);
  }

  clear(): void {
    this.out.write('\r\x1b[2K');
  }

  private draw(line: string, force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastMs < 100) return;
    this.lastMs = now;
    this.out.write(`\r\x1b[2K${line}`);
  }
}

export function resultLines(r: ExploreResult, style: Style): string[] {
  const lines = [
    `  sweep        ${count(r.seedsRun, 'run', 'runs')} in ${(r.sweepMs / 1000).toFixed(1)} s (${r.runsPerSecond} runs/s), ${num(r.failures)} failing`,
  ];
  if (r.failures > 0) {
    const shown = r.failingSeeds.slice(0, SHOWN_SEEDS).join(', ');
    lines.push(`  failing      seeds ${shown}${r.failures > SHOWN_SEEDS ? `, … (${num(r.failures)} in all)` : ''}`);
    const beyond = r.failingBeyondExactlyOnce;
    if (beyond !== undefined) {
      // Under at-least-once `exactly-once` fails by design (duplicates): what else failed is the news.
      lines.push(beyond.length === 0
        ? '  other checks held: only exactly-once failed, by design under at-least-once'
        : `  other checks failed on ${beyond.length === 1 ? 'seed' : 'seeds'} ${beyond.slice(0, SHOWN_SEEDS).join(', ')}${beyond.length > SHOWN_SEEDS ? `, … (${num(beyond.length)} in all)` : ''} (besides exactly-once)`);
    }
  }
  lines.push(...coverageLines(r, style));
  const f = r.firstFailure;
  if (!f) {
    lines.push('', style.ok(`✓ no check failed in ${count(r.seedsRun, 'run', 'runs')}`));
    return lines;
  }
  lines.push('', style.bad(`✗ ${f.check}`) + ` on seed ${f.seed}: ${f.detail}`);
  if (f.alsoFailed.length > 0) lines.push(style.dim(`  (that run also failed: ${f.alsoFailed.join(', ')})`));
  const s = f.shrunk;
  if (!s) {
    lines.push('', style.bad(`replay: npx weir run ${f.token}`));
    return lines;
  }
  const dims = (['events', 'faults', 'parallelism', 'keys'] as const)
    .filter((k) => k === 'events' || k === 'faults' || s.before[k] !== s.after[k])
    .map((k) => `${k} ${num(s.before[k])} → ${num(s.after[k])}`);
  lines.push(`  shrunk       ${dims.join(', ')} in ${count(s.runs, 'run', 'runs')} (${(s.elapsedMs / 1000).toFixed(1)} s)${s.exhausted ? ', budget spent: may shrink further' : ''}`);
  lines.push(`  still fails  ${s.check}: ${s.detail}`);
  const faults = decodeToken(s.token).plan?.faults ?? [];
  if (faults.length === 0) lines.push('  faults       none');
  faults.forEach((fault, i) => lines.push(`${i === 0 ? '  faults       ' : '               '}${faultText(fault)}`));
  lines.push('', style.bad(`replay: npx weir run ${s.token}`));
  return lines;
}

function coverageLines(r: ExploreResult, style: Style): string[] {
  const c = r.coverage;
  const edges = Object.keys(c.counts) as Edge[];
  const width = Math.max(0, ...edges.map((e) => EDGE_TEXT[e].length));
  const lines = [`  coverage     "sometimes" edges over ${count(r.seedsRun, 'run', 'runs')}:`];
  for (const e of edges) {
    const times = c.counts[e] ?? 0;
    const text = EDGE_TEXT[e].padEnd(width);
    lines.push(times === 0
      ? style.bad(`               ✗ ${text}  never hit`)
      : `               ${style.ok('✓')} ${text}  ${count(times, 'time', 'times')} in ${count(c.runs[e] ?? 0, 'run', 'runs')}`);
  }
  if (c.notApplicable.length > 0) {
    lines.push(style.dim(`               - not applicable to ${r.scenario}: ${c.notApplicable.join(', ')}`));
  }
  return lines;
}


/** The settings a sweep may be given beyond scenario, engine, guarantee, faults and bugs (those its banner prints). */
const SWEEP_SETTINGS = [
  'events', 'parallelism', 'spareTaskManagers', 'standbyReplicas', 'acceptableRecoveryLag', 'maxWarmupReplicas', 'unaligned',
  'checkpointIntervalMs', 'bufferTimeoutMs', 'commitIntervalMs', 'triggerIntervalMs', 'probingRebalanceIntervalMs',
] as const;

/** Those of `SWEEP_SETTINGS` the sweep was given (the others are the scenario's or the engine's defaults). */
function sweepSettings(job: ExploreRequest['job']): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const k of SWEEP_SETTINGS) {
    const v = (job as Partial<Record<(typeof SWEEP_SETTINGS)[number], number | boolean>>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The `--json` object: the contract's fields first. */
export function resultJson(req: ExploreRequest, workers: number, r: ExploreResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    scenario: r.scenario,
    seedsRun: r.seedsRun,
    failures: r.failures,
    runsPerSecond: r.runsPerSecond,
    failingSeeds: r.failingSeeds,
    ...(r.failingBeyondExactlyOnce !== undefined ? { failingBeyondExactlyOnce: r.failingBeyondExactlyOnce } : {}),
    engine: req.job.engine ?? 'flink',
    guarantee: req.job.guarantee,
    faults: req.job.faults,
    bugs: req.job.bugs,
    // The shape and the engines' knobs the sweep set, as the banner prints them (the unset ones are the defaults).
    settings: sweepSettings(req.job),
    seeds: { start: req.start, count: req.count, ...(req.shard ? { shard: `${req.shard.index}/${req.shard.count}` } : {}) },
    workers,
    sweepMs: r.sweepMs,
    coverage: r.coverage.counts,
    coverageRuns: r.coverage.runs,
    coverageNotApplicable: r.coverage.notApplicable,
  };
  const f = r.firstFailure;
  if (f) {
    const s = f.shrunk;
    out.firstFailure = {
      seed: f.seed, check: f.check, detail: f.detail, token: f.token, events: f.events, faults: f.faults, alsoFailed: f.alsoFailed,
      ...(s ? {
        shrunk: {
          events: s.after.events, faults: s.after.faults, parallelism: s.after.parallelism, keys: s.after.keys,
          token: s.token, detail: s.detail, runs: s.runs, elapsedMs: s.elapsedMs, exhausted: s.exhausted,
        },
      } : {}),
    };
  }
  return out;
}
