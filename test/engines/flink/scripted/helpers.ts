/**
 * Runs a pipeline fed by a scripted source through the whole simulated world
 * (`runScenario` with a custom scenario), and hands back the committed
 * output, sorted, so a test can compare it with an example's published
 * result. The scenario's workload carries the script's records (none go
 * through the input topic), so the standard checkers judge the run too.
 */
import { runScenario, type RunOptions, type RunReport } from '../../../../src/explore/run.ts';
import type { RunSettings } from '../../../../src/explore/settings.ts';
import type { DataStream, StreamEnvironment } from '../../../../src/engines/flink/api/environment.ts';
import type { ScriptedSourceOptions } from '../../../../src/engines/flink/operators/scripted-source.ts';
import type { LateRecord, OutputRecord, WindowResult } from '../../../../src/stream/records.ts';
import { script, scriptRecords, type Script } from '../../../../src/engines/flink/script.ts';
import { union } from '../../../../src/engines/flink/api/environment.ts';
import { tumbling } from '../../../../src/stream/assigners.ts';
import { countAggregate } from '../../../../src/engines/flink/operators/aggregates.ts';
import { sinkWindowResults } from '../../../../scenarios/types.ts';
import type { WindowSpec } from '../../../../src/check/types.ts';
import type { Scenario, ScenarioSizes } from '../../../../scenarios/types.ts';

export interface ScriptedPipeline {
  name: string;
  script: Script;
  /** The window the standard window checks judge (omit for pipelines without one). */
  window?: WindowSpec;
  /** Parallelism of everything downstream of the source (the source itself is always 1). */
  parallelism?: number;
  source?: ScriptedSourceOptions;
  /** Scripts of further scripted sources that `build` adds itself: their records join the checked input. */
  moreScripts?: Script[];
  build(source: DataStream, env: StreamEnvironment, sizes: ScenarioSizes): void;
}

export function scriptedScenario(p: ScriptedPipeline): Scenario {
  const records = [p.script, ...(p.moreScripts ?? [])].flatMap(scriptRecords).sort((a, b) => a.id - b.id);
  return {
    name: p.name,
    summary: `scripted: ${p.name}`,
    defaults: { events: records.length, parallelism: p.parallelism ?? 2, partitions: 1, keys: 1 },
    ...(p.window ? { window: p.window } : {}),
    workload: () => ({ records, arrivals: [], canBeLate: true, idlePartitions: [], activeArrivalGapMsMax: 0 }),
    engines: {
      flink: {
        build(env, sizes) {
          p.build(env.fromScript('script', p.script, p.source ?? {}), env, sizes);
        },
      },
    },
  };
}

export interface ScriptedRun {
  report: RunReport;
  output: OutputRecord[];
  /** Window results as `{ key, start, end, value, firing, ids }`, sorted by key, start, end, firing. */
  results: Pick<WindowResult, 'key' | 'start' | 'end' | 'value' | 'firing' | 'ids'>[];
  /** Late side output as `{ id, key, ts, watermark }`, sorted by id. */
  late: Omit<LateRecord, 'type' | 'record'>[];
  /** Names of the checks that failed, with their detail. */
  failed: string[];
}

export function runScripted(p: ScriptedPipeline, settings: Partial<RunSettings> = {}, opts: Pick<RunOptions, 'subscribers'> = {}): ScriptedRun {
  let output: OutputRecord[] = [];
  const report = runScenario(
    { scenario: p.name, seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], ...settings },
    { ...opts, scenario: scriptedScenario(p), onOutput: (o) => (output = o) },
  );
  const results = output
    .filter((o): o is WindowResult => o.type === 'window')
    .map(({ key, start, end, value, firing, ids }) => ({ key, start, end, value, firing, ids }))
    .sort((a, b) => cmp(a.key, b.key) || a.start - b.start || a.end - b.end || a.firing - b.firing);
  const late = output
    .filter((o): o is LateRecord => o.type === 'late')
    .map(({ id, key, ts, watermark }) => ({ id, key, ts, watermark }))
    .sort((a, b) => a.id - b.id);
  const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  return { report, output, results, late, failed };
}

/** Results without lineage, for comparing with an example that publishes only values. */
export function values(r: ScriptedRun): { key: string; start: number; end: number; value: number; firing: number }[] {
  return r.results.map(({ key, start, end, value, firing }) => ({ key, start, end, value, firing }));
}

/** The last firing of each window: what a reader of an upsert table would finally see. */
export function finals(r: ScriptedRun): { key: string; start: number; end: number; value: number }[] {
  const last = new Map<string, { key: string; start: number; end: number; value: number }>();
  for (const x of r.results) last.set(`${x.key}|${x.start}|${x.end}`, { key: x.key, start: x.start, end: x.end, value: x.value });
  return [...last.values()];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Two scripted sources into one tumbling one-second count with 1 s allowed lateness: a fast one
 * (watermark 1,500 at once) and a slow one (watermark 500, then a 3 s wait, then a record at ts
 * 300), through `between` (nothing by default), with the slow source's idle timeout.
 */
export function fastAndSlow(name: string, idleTimeoutMs: number, between: (s: DataStream) => DataStream = (s) => s): ScriptedPipeline {
  const fast = script().add({ id: 0, key: 'k', ts: 100 }).advanceWatermarkTo(1_500).advanceProcessingTime(5_000).advanceWatermarkToInfinity();
  const slow = script().add({ id: 10, key: 'k', ts: 200 }).advanceWatermarkTo(500).advanceProcessingTime(3_000).add({ id: 11, key: 'k', ts: 300 }).advanceWatermarkToInfinity();
  return {
    name,
    script: fast,
    moreScripts: [slow],
    window: { assigner: tumbling(1_000), aggregate: 'count', allowedLatenessMs: 1_000 },
    build(a, env, sizes) {
      const b = between(env.fromScript('slow', slow, { idleTimeoutMs }));
      const counts = union(a, b).keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(1_000).sideOutputLateData('late').aggregate(countAggregate, 'window', sizes.parallelism);
      sinkWindowResults(counts, sizes.parallelism);
    },
  };
}
