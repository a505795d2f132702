/**
 * The human-readable report of `weir run`: a banner with every setting that
 * decides the run (seed first, as TigerBeetle's simulator prints `SEED=`),
 * printed before the run starts so a run that hangs still shows how to get
 * it back; then a summary, one line per check, the trace hash and the one
 * command that replays the run: `weir run <token>` when a check failed,
 * `weir replay <token>` (the TUI) when all passed.
 */
import type { RunReport } from '../explore/run.ts';
import type { RunSettings } from '../explore/settings.ts';
import { faultTimeText, type Fault } from '../sim/faults.ts';

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
}

export const PLAIN: Style = { ok: (s) => s, bad: (s) => s, dim: (s) => s };
export const ANSI: Style = {
  ok: (s) => `\x1b[32m${s}\x1b[39m`,
  bad: (s) => `\x1b[31m${s}\x1b[39m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
};

const num = (n: number): string => n.toLocaleString('en-US');
const count = (n: number, one: string, many: string): string => `${num(n)} ${n === 1 ? one : many}`;

/** The banner words of the shape settings a run or sweep was given (sizes, spares, unaligned). */
export function shapeParts(s: { events?: number; parallelism?: number; spareTaskManagers?: number; standbyReplicas?: number; acceptableRecoveryLag?: number; maxWarmupReplicas?: number; unaligned?: boolean }): string[] {
  const parts: string[] = [];
  if (s.events !== undefined) parts.push(`events=${s.events}`);
  if (s.parallelism !== undefined) parts.push(`parallelism=${s.parallelism}`);
  if (s.spareTaskManagers !== undefined) parts.push(`spareTms=${s.spareTaskManagers}`);
  if (s.standbyReplicas !== undefined) parts.push(`standbyReplicas=${s.standbyReplicas}`);
  if (s.acceptableRecoveryLag !== undefined) parts.push(`acceptableRecoveryLag=${s.acceptableRecoveryLag}`);
  if (s.maxWarmupReplicas !== undefined) parts.push(`maxWarmupReplicas=${s.maxWarmupReplicas}`);
  if (s.unaligned) parts.push('unaligned');
  return parts;
}

/** The engines' periodic knobs a run or sweep set, as banner words (the unset ones are the engines' defaults). */
export function timingParts(s: { checkpointIntervalMs?: number; bufferTimeoutMs?: number; commitIntervalMs?: number; triggerIntervalMs?: number; probingRebalanceIntervalMs?: number }): string[] {
  const parts: string[] = [];
  if (s.checkpointIntervalMs !== undefined) parts.push(`checkpointIntervalMs=${s.checkpointIntervalMs}`);
  if (s.bufferTimeoutMs !== undefined) parts.push(`bufferTimeoutMs=${s.bufferTimeoutMs}`);
  if (s.commitIntervalMs !== undefined) parts.push(`commitIntervalMs=${s.commitIntervalMs}`);
  if (s.triggerIntervalMs !== undefined) parts.push(`triggerIntervalMs=${s.triggerIntervalMs}`);
  if (s.probingRebalanceIntervalMs !== undefined) parts.push(`probingRebalanceIntervalMs=${s.probingRebalanceIntervalMs}`);
  return parts;
}

/** `SEED=1 scenario=wordcount engine=flink guarantee=exactly-once faults=light bugs=none …` */
export function bannerLine(s: RunSettings, fromToken: boolean): string {
  const parts = [
    `SEED=${s.seed}`,
    `scenario=${s.scenario}`,
    `engine=${s.engine ?? 'flink'}`,
    `guarantee=${s.guarantee}`,
    `faults=${s.plan ? `${s.faults}(plan of ${s.plan.faults.length})` : s.faults}`,
    `bugs=${s.bugs.length > 0 ? s.bugs.join(',') : 'none'}`,
  ];
  parts.push(...shapeParts(s), ...timingParts(s));
  if (s.savepointAtMs !== undefined) parts.push(`savepointAtMs=${s.savepointAtMs}`);
  if (s.keepIds !== undefined) parts.push(`kept=${s.keepIds.length}`);
  if (fromToken) parts.push('(from token)');
  return parts.join(' ');
}

/** One fault of a plan, as a person reads it. */
export function faultText(f: Fault): string {
  switch (f.kind) {
    case 'crash':
      return `crash ${f.process} ${faultTimeText(f)} (restart after ${num(f.restartAfterMs)} ms)`;
    case 'partition':
      return `partition ${f.a}|${f.b} ${faultTimeText(f)} for ${num(f.durationMs)} ms`;
    case 'latency-spike':
      return `latency +${num(f.extraMs)} ms ${faultTimeText(f)} for ${num(f.durationMs)} ms`;
    case 'disk-corruption':
      return `disk corruption ${f.process} ${faultTimeText(f)} for ${num(f.durationMs)} ms`;
    case 'slow-fsync':
      return `slow fsync ${f.process} +${num(f.extraMs)} ms ${faultTimeText(f)} for ${num(f.durationMs)} ms`;
    default: {
      const never: never = f;
      return JSON.stringify(never);
    }
  }
}

const SHOWN_FAULTS = 6;

/** The summary lines, the checks, the trace hash and (on failure) the replay command. */
export function reportLines(r: RunReport, style: Style): string[] {
  const f = r.faults;
  const lines = [
    `  run          ${num(r.events)} events${r.keptRecords !== undefined ? ` drawn, ${count(r.keptRecords, 'input record', 'input records')} of them kept (a shrunk run)` : ''}, parallelism ${r.parallelism}, virtual time ${num(r.virtualTimeMs)} ms${r.finishedMs !== undefined && r.finishedMs < r.virtualTimeMs ? ` (job finished at ${num(r.finishedMs)})` : ''}, ${num(r.steps)} steps, ${num(r.traceEvents)} trace events`,
    `  checkpoints  ${num(r.checkpoints.completed)} completed, ${num(r.checkpoints.aborted)} aborted${r.checkpoints.savepoints > 0 ? `; ${num(r.checkpoints.savepoints)} savepoint (the job stopped with it and started again from it)` : ''}`,
    `  faults       ${num(f.planned)} planned; ${count(f.crashes, 'crash', 'crashes')}, ${count(f.restarts, 'restart', 'restarts')}, ${count(f.restores, 'restore', 'restores')}`,
  ];
  for (const fault of r.plan.faults.slice(0, SHOWN_FAULTS)) lines.push(style.dim(`               - ${faultText(fault)}`));
  if (r.plan.faults.length > SHOWN_FAULTS) lines.push(style.dim(`               … and ${r.plan.faults.length - SHOWN_FAULTS} more`));
  lines.push(`  output       ${num(r.output.committed)} committed records (${num(r.output.results)} results, ${num(r.output.late)} late)`, '');
  lines.push(...checkLines(r.checks, style), '');
  lines.push(`trace hash: ${r.traceHash}`);
  // Every run can be opened again: a failed one re-run exactly, a passing one in the replay TUI.
  lines.push(r.ok ? style.dim(`replay: npx weir replay ${r.token}`) : style.bad(`replay: npx weir run ${r.token}`));
  return lines;
}

export function checkLines(checks: readonly { name: string; ok: boolean; detail: string }[], style: Style): string[] {
  const width = Math.max(0, ...checks.map((c) => c.name.length));
  return checks.map((c) => (c.ok ? style.ok('✓') : style.bad('✗')) + ` ${c.name.padEnd(width)}  ${c.detail}`);
}
