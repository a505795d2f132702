/**
 * `weir compare`: one scenario, one workload, one crash, every engine that
 * has a build for it. Faults are stated by role and mapped onto each
 * engine's processes, so "a worker crashes at 4.2 s" is the same fault for
 * Flink (a task manager), Kafka Streams (an application instance) and Spark
 * (an executor), and "the coordinator" is the job manager, the broker that
 * keeps the consumer group, or the driver.
 *
 * Everything in a column is measured from the run itself — trace events, the
 * log as the broker's disk holds it, the processes' disks — never from the
 * engine's internals, and measured the same way for every engine:
 *
 * - an input record's time is when the broker appended it to the input log
 *   (`log.append` of the input topic);
 * - processing latency: from there to the first result holding the record
 *   appended to the output log, committed or not (the result has left the
 *   engine; Kafka Streams' record cache holds it until the commit flushes it);
 * - visible latency: from there to the first reader fetch that returned a
 *   committed result holding it (the run's read-committed reader);
 * - recovery: from the first crash to the first result visible after it;
 *   records read again after it (records of the input, and of Kafka Streams'
 *   repartition topics, below the furthest offset fetched before the crash,
 *   fetched again after it: Flink's sources replaying from the checkpoint's
 *   offsets, Kafka Streams' tasks from their committed offsets, Spark's
 *   re-run batch and retried tasks);
 *   and the state restored after it (Flink: the snapshot files of the
 *   checkpoint restored, on the checkpoint store's disk; Kafka Streams: the
 *   stores as restored from their changelogs, `ks.restored`; Spark: the state
 *   versions that re-run reduce tasks opened again, on the checkpoint
 *   location's disk);
 * - cost: messages sent on the network, characters written to every
 *   process's disk, commits (Flink's completed checkpoints, Kafka Streams'
 *   commits, Spark's committed batches) and transactions.
 */
import { generatePlan, profileFor, type FaultPlan, type Fault, type ProfileName } from '../sim/faults.ts';
import { rootRng } from '../sim/rng.ts';
import { FAULT_MS_MAX } from '../sim/fault-json.ts';
import { runScenario, sizesOf, type RunReport, type WorldView } from './run.ts';
import { ENGINE_ONLY, engineProblem, enginesOf, type EngineName } from './engines.ts';
import { findScenario, type Scenario } from '../../scenarios/index.ts';
import { TOPICS } from '../../scenarios/types.ts';
import type { RunSettings } from './settings.ts';
import type { OutputRecord } from '../stream/records.ts';
import { DEFAULT_SETTINGS as FLINK_DEFAULTS } from '../engines/flink/runtime/task-env.ts';
import { snapshotFileBytes } from '../engines/flink/checkpoint/store.ts';
import { defaultCommitIntervalMs } from '../engines/kstreams/deployment.ts';
import { spark } from '../engines/spark/dsl.ts';

export type Role = 'worker' | 'coordinator' | 'broker';
export const ROLES: readonly Role[] = ['worker', 'coordinator', 'broker'];

export type RoleFault =
  | { kind: 'crash'; role: Role; atMs: number; restartAfterMs: number }
  | { kind: 'cut'; a: Role; b: Role; atMs: number; durationMs: number }
  | { kind: 'spike'; atMs: number; durationMs: number; extraMs: number }
  | { kind: 'slow-fsync'; role: Role; atMs: number; durationMs: number; extraMs: number }
  | { kind: 'disk-corruption'; role: Role; atMs: number; durationMs: number };

/** The process that plays `role` in an engine's deployment. */
export function processOf(engine: EngineName, role: Role): string {
  if (role === 'broker') return 'broker';
  const map: Record<EngineName, Record<'worker' | 'coordinator', string>> = {
    flink: { worker: 'tm-0', coordinator: 'jm' },
    // Kafka Streams has no coordinator of its own: the group coordinator lives in the broker.
    kstreams: { worker: 'ks-0', coordinator: 'broker' },
    spark: { worker: 'executor-0', coordinator: 'driver' },
  };
  return map[engine][role];
}

/** A cut between two roles that one process of `engine` plays both of (Kafka Streams' coordinator is the broker): nothing to cut. */
function cutWithin(engine: EngineName, f: Extract<RoleFault, { kind: 'cut' }>): boolean {
  return processOf(engine, f.a) === processOf(engine, f.b);
}

/** The faults of a comparison that `engine`'s plan leaves out, each with why (see `planFor`). */
export function faultsLeftOut(engine: EngineName, faults: readonly RoleFault[]): { fault: RoleFault; why: string }[] {
  return faults.flatMap((f) => (f.kind === 'cut' && cutWithin(engine, f) ? [{ fault: f, why: `its ${f.a} and ${f.b} are one process, ${processOf(engine, f.a)}` }] : []));
}

export function planFor(engine: EngineName, faults: readonly RoleFault[]): FaultPlan {
  const out: Fault[] = [];
  for (const f of faults) {
    switch (f.kind) {
      case 'crash':
        out.push({ kind: 'crash', atMs: f.atMs, process: processOf(engine, f.role), restartAfterMs: f.restartAfterMs });
        break;
      case 'cut':
        if (!cutWithin(engine, f)) out.push({ kind: 'partition', atMs: f.atMs, a: processOf(engine, f.a), b: processOf(engine, f.b), durationMs: f.durationMs });
        break;
      case 'spike':
        out.push({ kind: 'latency-spike', atMs: f.atMs, durationMs: f.durationMs, extraMs: f.extraMs });
        break;
      case 'slow-fsync':
        out.push({ kind: 'slow-fsync', atMs: f.atMs, process: processOf(engine, f.role), durationMs: f.durationMs, extraMs: f.extraMs });
        break;
      case 'disk-corruption':
        out.push({ kind: 'disk-corruption', atMs: f.atMs, process: processOf(engine, f.role), durationMs: f.durationMs });
        break;
    }
  }
  return { faults: out };
}

/**
 * A fault plan drawn from the seed and a profile (as `weir run --faults` draws one), stated by
 * role so that every engine gets the same faults: the plan is drawn over the three roles
 * (worker, coordinator, broker) instead of an engine's processes, up to the scenario's fault
 * horizon (its last input arrival, unless the scenario sets one).
 */
export function drawRoleFaults(scenario: Scenario, settings: Pick<RunSettings, 'seed' | 'events' | 'parallelism' | 'keys'> & { engine?: EngineName }, profile: ProfileName): RoleFault[] {
  if (profile === 'none') return [];
  const rng = rootRng(settings.seed).fork('compare');
  const sizes = sizesOf(scenario, { ...settings, scenario: scenario.name, guarantee: 'exactly-once', faults: 'none', bugs: [] });
  const arrivals = scenario.workload(rootRng(settings.seed).fork('workload'), sizes).arrivals;
  const horizonMs = Math.max(1, scenario.faultHorizonMs ?? arrivals[arrivals.length - 1]?.atMs ?? 0);
  const roles = [...ROLES];
  const plan = generatePlan(rng.fork('faults'), profileFor(profile, rng.fork('swarm')), { processes: roles, crashable: roles, horizonMs });
  return plan.faults.map((f): RoleFault => {
    switch (f.kind) {
      case 'crash': return { kind: 'crash', role: f.process as Role, atMs: f.atMs, restartAfterMs: f.restartAfterMs };
      case 'partition': return { kind: 'cut', a: f.a as Role, b: f.b as Role, atMs: f.atMs, durationMs: f.durationMs };
      case 'latency-spike': return { kind: 'spike', atMs: f.atMs, durationMs: f.durationMs, extraMs: f.extraMs };
      case 'slow-fsync': return { kind: 'slow-fsync', role: f.process as Role, atMs: f.atMs, durationMs: f.durationMs, extraMs: f.extraMs };
      case 'disk-corruption': return { kind: 'disk-corruption', role: f.process as Role, atMs: f.atMs, durationMs: f.durationMs };
    }
  });
}

/** The knob behind each engine's latency: its flag, and the value the run used. */
export interface Knob {
  flag: '--checkpoint-interval' | '--commit-interval' | '--trigger-interval';
  /** What it is, in the engine's words. */
  name: string;
  /** The interval in ms; undefined when the trigger is not periodic (Spark's once / availableNow). */
  ms: number | undefined;
  /** True when the comparison set it; false when it is the engine's or the scenario's default. */
  set: boolean;
}

export interface Knobs {
  checkpointIntervalMs?: number;
  commitIntervalMs?: number;
  triggerIntervalMs?: number;
  /** Kafka Streams' num.standby.replicas (its run only: no other engine has standbys). */
  standbyReplicas?: number;
}

/** The settings field each engine's knob sets. */
const KNOB_FIELD: Record<EngineName, keyof Knobs> = { flink: 'checkpointIntervalMs', kstreams: 'commitIntervalMs', spark: 'triggerIntervalMs' };

/**
 * A knob given for an engine that is not in the comparison (the scenario has no build for it,
 * or it cannot run under the guarantee) would change nothing: the first such knob, as one line
 * of bad input, or undefined.
 */
export function unusedKnobProblem(knobs: Knobs, runnable: readonly EngineName[], scenario: string, guarantee: string): string | undefined {
  for (const k of ENGINE_ONLY) {
    if ((knobs as Partial<RunSettings>)[k.field] !== undefined && !runnable.includes(k.engine)) {
      return `${k.flag} is a setting of the ${k.engine} engine, which is not in this comparison of ${scenario} under ${guarantee} (the engines in it: ${runnable.join(', ')}); drop it`;
    }
  }
  return undefined;
}

export function knobOf(engine: EngineName, scenario: Scenario, settings: Omit<RunSettings, 'engine' | 'plan'> & Knobs): Knob {
  const set = settings[KNOB_FIELD[engine]];
  if (engine === 'flink') return { flag: '--checkpoint-interval', name: 'checkpoint interval', ms: set ?? FLINK_DEFAULTS.checkpointIntervalMs, set: set !== undefined };
  if (engine === 'kstreams') return { flag: '--commit-interval', name: 'commit interval', ms: set ?? defaultCommitIntervalMs(settings.guarantee), set: set !== undefined };
  let ms = set;
  if (ms === undefined && scenario.engines.spark) {
    const trigger = scenario.engines.spark.build(spark, sizesOf(scenario, { ...settings, engine }), { guarantee: settings.guarantee }).plan.sink.trigger;
    ms = typeof trigger === 'object' ? ('processingTimeMs' in trigger ? trigger.processingTimeMs : trigger.continuousMs) : undefined;
  }
  return { flag: '--trigger-interval', name: 'trigger interval', ms, set: set !== undefined };
}

export interface Latency {
  /** Input records with a result. */
  count: number;
  /** Input records with no result (late, dropped, or lost). */
  never: number;
  p50: number;
  p99: number;
  max: number;
}

/** Bucket edges of the visible-latency histograms (ms, log-spaced): bucket i holds latencies in [edges[i], edges[i+1]). */
export const HISTOGRAM_EDGES_MS: readonly number[] = [0, ...Array.from({ length: 61 }, (_, i) => Number((10 ** (i / 12)).toPrecision(3)))];

export interface EngineColumn {
  engine: EngineName;
  report: RunReport;
  knob: Knob;
  /** Input log → first result in the output log (committed or not), in virtual ms. */
  processing: Latency;
  /** Input log → first committed result a read-committed reader saw, in virtual ms. */
  visible: Latency;
  /** The visible latencies, ascending (for the chart and for pooling seeds). */
  visibleSamples: number[];
  /** From the first crash to the first result visible after it (undefined: no crash, or nothing after). */
  recoveryMs: number | undefined;
  /** Records of the input (and of repartition topics) read again after the first crash (undefined: no crash). */
  readAgain: number | undefined;
  /**
   * State restored after the first crash, in characters, and from what (undefined: no crash):
   * Flink's checkpoint, the changelog records Kafka Streams replayed, the reduce tasks Spark re-ran.
   */
  restored: { bytes: number; what: string } | undefined;
  /** Records judged late by the engine's rule (dropped or sent aside), and the rule. */
  late: { count: number; rule: string };
  commits: { count: number; what: string };
  messages: number;
  /** Characters written to disk by every process of the run (engine, broker, producer). */
  diskBytes: number;
  transactions: { committed: number; aborted: number };
}

export interface Comparison {
  scenario: string;
  seed: number;
  guarantee: string;
  events: number;
  faults: RoleFault[];
  columns: EngineColumn[];
  /** Engines with a build that could not run this comparison, and why. */
  skipped: { engine: EngineName; reason: string }[];
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function latency(samples: readonly number[], total: number): Latency {
  return { count: samples.length, never: total - samples.length, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), max: samples[samples.length - 1] ?? 0 };
}

const LATE_RULE: Record<EngineName, string> = {
  flink: 'watermark + allowed lateness: sent to the late side output',
  kstreams: 'grace: dropped',
  spark: 'batch watermark: dropped',
};
const COMMITS: Record<EngineName, string> = { flink: 'checkpoints', kstreams: 'commits', spark: 'batches' };

/** Per partition, which offset of a topic each `log.append` put there when (the last append wins: a broker crash can lose an append, and the offset is written again). */
class Appends {
  private readonly parts: { base: number; count: number; t: number }[][] = [];
  add(partition: number, base: number, count: number, t: number): void {
    (this.parts[partition] ??= []).push({ base, count, t });
  }
  times(partition: number): Map<number, number> {
    const out = new Map<number, number>();
    for (const a of this.parts[partition] ?? []) for (let o = a.base; o < a.base + a.count; o++) out.set(o, a.t);
    return out;
  }
}

function idsOf(o: OutputRecord): readonly number[] {
  switch (o.type) {
    case 'window': return o.ids;
    case 'update':
    case 'mapped': return [o.id];
    case 'join': return [o.leftId, o.rightId];
    case 'unmatched': return [o.id];
    case 'table': return o.ids;
    default: return [];
  }
}

/** What one engine's run is watched for, beside its report. */
class Watch {
  firstCrash: number | undefined;
  firstAfterCrash: number | undefined;
  messages = 0;
  diskBytes = 0;
  readonly txns = { committed: 0, aborted: 0 };
  readonly input = new Appends();
  readonly output = new Appends();
  /** Per topic partition read by the engine, the offset after the last record fetched before the first crash. */
  private readonly reached = new Map<string, number>();
  /** Per topic partition, fetches after the crash that started below `reached`: start offset → records below it. */
  private readonly again = new Map<string, Map<number, number>>();
  private view: WorldView | undefined;
  private restoredBytes = 0;
  private readonly restoredFrom: string[] = [];
  private changelogRecords = 0;
  private readonly reduced = new Set<string>();
  private rerunTasks = 0;

  constructor(private readonly engine: EngineName) {}

  observe = (v: WorldView): void => {
    this.view = v;
  };

  onEvent = (e: { kind: string; t: number; p: string; [k: string]: unknown }): void => {
    switch (e.kind) {
      case 'proc.crash':
        this.firstCrash ??= e.t;
        break;
      case 'reader.fetch':
        if (this.firstCrash !== undefined && this.firstAfterCrash === undefined && (e.offsets as number[]).length > 0) this.firstAfterCrash = e.t;
        break;
      case 'txn.commit':
        this.txns.committed++;
        break;
      case 'txn.abort':
        this.txns.aborted++;
        break;
      case 'log.append':
        if (e.topic === TOPICS.input) this.input.add(e.partition as number, e.baseOffset as number, e.count as number, e.t);
        else if (e.topic === TOPICS.output) this.output.add(e.partition as number, e.baseOffset as number, e.count as number, e.t);
        break;
      case 'log.fetch': {
        // What the engine processes: the input, and Kafka Streams' repartition topics between its sub-topologies.
        const topic = e.topic as string;
        if (topic !== TOPICS.input && !topic.endsWith('-repartition')) break;
        const tp = `${topic}/${e.partition as number}`;
        const from = e.offset as number;
        if (this.firstCrash === undefined) this.reached.set(tp, Math.max(this.reached.get(tp) ?? 0, e.nextOffset as number));
        else {
          const below = Math.min(e.count as number, (this.reached.get(tp) ?? 0) - from);
          // A fetch retried from the same offset reads the same records: counted once.
          const starts = this.again.get(tp) ?? new Map<number, number>();
          if (below > 0) starts.set(from, Math.max(starts.get(from) ?? 0, below));
          this.again.set(tp, starts);
        }
        break;
      }
      case 'job.restore':
        // Flink: the whole job restarts from one checkpoint; its snapshot files are read back.
        if (this.firstCrash !== undefined && (e.checkpoint as number) >= 0 && this.view) {
          const store = this.view.durable('store');
          const cp = `/cp-${e.checkpoint as number}/`;
          for (const path of store.list('snap/')) if (path.includes(cp)) this.restoredBytes += snapshotFileBytes(store.readFrames(path));
          this.restoredFrom.push(`checkpoint ${e.checkpoint as number}`);
        }
        break;
      case 'ks.restored':
        if (this.firstCrash !== undefined) {
          // A promoted standby's restoration read only the tail past its position: only the entries it restored count.
          const from = (e.from as number | undefined) ?? 0;
          if (from > 0) {
            for (const entry of JSON.parse(String(e.entries ?? '[]')) as [string, number, string][]) if (entry[1] >= from) this.restoredBytes += JSON.stringify(entry).length;
          } else this.restoredBytes += String(e.entries ?? '').length;
          this.changelogRecords += (e.records as number) ?? 0;
        }
        break;
      case 'spark.state.load': {
        // A reduce task of a batch that runs again reads its state version again (snapshot and deltas).
        const key = `${e.batch as number}/${e.partition as number}`;
        if (this.reduced.has(key) && this.firstCrash !== undefined) {
          this.rerunTasks++;
          this.restoredBytes += (e.bytes as number | undefined) ?? 0;
        }
        this.reduced.add(key);
        break;
      }
      case 'world.end':
        this.messages = (e.messagesSent as number) ?? 0;
        if (this.view) for (const id of this.view.processes()) this.diskBytes += this.view.bytesWritten(id);
        break;
    }
  };

  readAgain(): number | undefined {
    if (this.firstCrash === undefined) return undefined;
    let n = 0;
    for (const starts of this.again.values()) for (const c of starts.values()) n += c;
    return n;
  }

  restored(): EngineColumn['restored'] {
    if (this.firstCrash === undefined) return undefined;
    const what = this.engine === 'flink' ? (this.restoredFrom.length > 0 ? this.restoredFrom.join(', ') : 'no checkpoint')
      : this.engine === 'kstreams' ? `${this.changelogRecords.toLocaleString('en-US')} records`
        : `${this.rerunTasks} task${this.rerunTasks === 1 ? '' : 's'} re-run`;
    return { bytes: this.restoredBytes, what };
  }

  /** Per input record id: when it reached the input log, and when a result holding it first reached the output log. */
  times(v: WorldView): { inLog: Map<number, number>; processed: Map<number, number> } {
    const inLog = new Map<number, number>();
    v.readTopic(TOPICS.input, 'read_committed').forEach((records, p) => {
      const at = this.input.times(p);
      for (const r of records) {
        const id = (r.value as { id?: unknown }).id;
        const t = at.get(r.offset);
        if (typeof id === 'number' && t !== undefined && !inLog.has(id)) inLog.set(id, t);
      }
    });
    const processed = new Map<number, number>();
    v.readTopic(TOPICS.output, 'read_uncommitted').forEach((records, p) => {
      const at = this.output.times(p);
      for (const r of records) {
        const t = at.get(r.offset);
        if (t === undefined) continue;
        for (const id of idsOf(r.value as OutputRecord)) if (t < (processed.get(id) ?? Infinity)) processed.set(id, t);
      }
    });
    return { inLog, processed };
  }
}

export function compareEngines(
  base: Omit<RunSettings, 'engine' | 'plan'> & Knobs, explicit: readonly RoleFault[],
  opts: { onRun?: (engine: EngineName) => void; profile?: ProfileName } = {},
): Comparison {
  const scenario = findScenario(base.scenario);
  if (!scenario) throw new Error(`unknown scenario "${base.scenario}"`);
  // The faults stated on the command line, then those drawn from the seed and the profile.
  const faults = [...explicit, ...drawRoleFaults(scenario, base, opts.profile ?? 'none')].sort((x, y) => x.atMs - y.atMs);
  const columns: EngineColumn[] = [];
  const skipped: Comparison['skipped'] = [];
  const { checkpointIntervalMs: _c, commitIntervalMs: _k, triggerIntervalMs: _t, standbyReplicas, ...common } = base;
  for (const engine of enginesOf(scenario)) {
    const problem = engineProblem(scenario, { ...common, engine });
    if (problem !== undefined) {
      skipped.push({ engine, reason: problem });
      continue;
    }
    // Each engine gets only its own knob, so its token holds nothing another engine would refuse.
    const own = base[KNOB_FIELD[engine]];
    const settings: RunSettings = {
      ...common, engine, plan: planFor(engine, faults), ...(own !== undefined ? { [KNOB_FIELD[engine]]: own } : {}),
      ...(engine === 'kstreams' && standbyReplicas !== undefined ? { standbyReplicas } : {}),
    };
    const watch = new Watch(engine);
    let view: WorldView | undefined;
    const report = runScenario(settings, {
      visibility: true,
      observe: (v) => {
        view = v;
        watch.observe(v);
      },
      subscribers: [watch.onEvent as never],
    });
    const { inLog, processed } = watch.times(view!);
    const vis = report.visibility ?? [];
    const visible: number[] = [];
    const proc: number[] = [];
    for (const v of vis) {
      const t0 = inLog.get(v.id) ?? v.arrivalMs;
      if (v.visibleMs !== undefined) visible.push(Math.max(0, v.visibleMs - t0));
      const p = processed.get(v.id);
      if (p !== undefined) proc.push(Math.max(0, p - t0));
    }
    visible.sort((a, b) => a - b);
    proc.sort((a, b) => a - b);
    const lateCheck = report.checks.find((c) => c.name === 'exactly-once');
    const late = Number(/([\d,]+) late$/.exec(lateCheck?.detail ?? '')?.[1]?.replace(/,/g, '') ?? report.output.late);
    columns.push({
      engine,
      report,
      knob: knobOf(engine, scenario, base),
      processing: latency(proc, vis.length),
      visible: latency(visible, vis.length),
      visibleSamples: visible,
      recoveryMs: watch.firstCrash !== undefined && watch.firstAfterCrash !== undefined ? watch.firstAfterCrash - watch.firstCrash : undefined,
      readAgain: watch.readAgain(),
      restored: watch.restored(),
      late: { count: late, rule: LATE_RULE[engine] },
      commits: { count: report.checkpoints.completed, what: COMMITS[engine] },
      messages: watch.messages,
      diskBytes: watch.diskBytes,
      transactions: watch.txns,
    });
    opts.onRun?.(engine);
  }
  return { scenario: scenario.name, seed: base.seed, guarantee: base.guarantee, events: columns[0]?.report.events ?? 0, faults: [...faults], columns, skipped };
}

/** How many of `sorted` fall in each bucket of `HISTOGRAM_EDGES_MS` (the last bucket is open). */
export function histogram(sorted: readonly number[]): number[] {
  const edges = HISTOGRAM_EDGES_MS;
  const out = new Array<number>(edges.length).fill(0);
  let b = 0;
  for (const x of sorted) {
    while (b + 1 < edges.length && x >= edges[b + 1]!) b++;
    out[b]!++;
  }
  return out;
}

/** `ROLE@MS[+RESTART]` (a crash) or `ROLE-ROLE@MS+DURATION` (a cut between two roles); undefined when malformed. */
export function parseRoleFault(kind: 'crash' | 'cut', text: string): RoleFault | string {
  const role = (r: string): Role | undefined => (ROLES as readonly string[]).includes(r) ? (r as Role) : undefined;
  if (kind === 'crash') {
    const m = /^([a-z]+)@(\d+)(?:\+(\d+))?$/.exec(text);
    const r = m ? role(m[1]!) : undefined;
    if (!m || !r) return `--crash takes ROLE@MS[+RESTART_MS] with ROLE one of ${ROLES.join(', ')} (e.g. worker@4200+300), got "${text.slice(0, 40)}"`;
    return withinHour('--crash', text, { kind: 'crash', role: r, atMs: Number(m[2]), restartAfterMs: Number(m[3] ?? 300) });
  }
  const m = /^([a-z]+)-([a-z]+)@(\d+)\+(\d+)$/.exec(text);
  const a = m ? role(m[1]!) : undefined;
  const b = m ? role(m[2]!) : undefined;
  if (!m || !a || !b || a === b) return `--cut takes ROLE-ROLE@MS+DURATION_MS with two different roles of ${ROLES.join(', ')} (e.g. broker-worker@3000+1500), got "${text.slice(0, 40)}"`;
  return withinHour('--cut', text, { kind: 'cut', a, b, atMs: Number(m[3]), durationMs: Number(m[4]) });
}

/** The fault, or why one of its times is beyond what a fault plan takes (a token would refuse it). */
function withinHour(flag: string, text: string, f: RoleFault): RoleFault | string {
  const times = f.kind === 'crash' ? [f.atMs, f.restartAfterMs] : [f.atMs, f.durationMs];
  if (times.every((ms) => ms <= FAULT_MS_MAX)) return f;
  return `${flag} times must be at most ${FAULT_MS_MAX.toLocaleString('en-US')} ms (an hour of virtual time, far beyond any run), got "${text.slice(0, 40)}"`;
}

/** A figure of a column, as the table and the JSON show it; `seeds` runs summarise each over the seeds. */
export interface Metric {
  key: string;
  section: 'latency' | 'outcome' | 'recovery' | 'late data' | 'cost';
  label: string;
  unit: 'ms' | 'records' | 'bytes' | 'count';
  get(col: EngineColumn): number | undefined;
}

export const METRICS: readonly Metric[] = [
  { key: 'processing.p50', section: 'latency', label: 'processing p50', unit: 'ms', get: (c) => c.processing.p50 },
  { key: 'processing.p99', section: 'latency', label: 'processing p99', unit: 'ms', get: (c) => c.processing.p99 },
  { key: 'processing.max', section: 'latency', label: 'processing max', unit: 'ms', get: (c) => c.processing.max },
  { key: 'visible.p50', section: 'latency', label: 'visible p50', unit: 'ms', get: (c) => c.visible.p50 },
  { key: 'visible.p99', section: 'latency', label: 'visible p99', unit: 'ms', get: (c) => c.visible.p99 },
  { key: 'visible.max', section: 'latency', label: 'visible max', unit: 'ms', get: (c) => c.visible.max },
  { key: 'visible.never', section: 'outcome', label: 'records never visible', unit: 'records', get: (c) => c.visible.never },
  { key: 'output', section: 'outcome', label: 'output records', unit: 'records', get: (c) => c.report.output.committed },
  { key: 'recoveryMs', section: 'recovery', label: 'crash → next visible', unit: 'ms', get: (c) => c.recoveryMs },
  { key: 'readAgain', section: 'recovery', label: 'records read again', unit: 'records', get: (c) => c.readAgain },
  { key: 'restoredBytes', section: 'recovery', label: 'state restored', unit: 'bytes', get: (c) => c.restored?.bytes },
  { key: 'late', section: 'late data', label: 'late records', unit: 'records', get: (c) => c.late.count },
  { key: 'commits', section: 'cost', label: 'checkpoints/commits/batches', unit: 'count', get: (c) => c.commits.count },
  { key: 'txn.committed', section: 'cost', label: 'transactions committed', unit: 'count', get: (c) => c.transactions.committed },
  { key: 'txn.aborted', section: 'cost', label: 'transactions aborted', unit: 'count', get: (c) => c.transactions.aborted },
  { key: 'messages', section: 'cost', label: 'messages', unit: 'count', get: (c) => c.messages },
  { key: 'diskBytes', section: 'cost', label: 'disk written', unit: 'bytes', get: (c) => c.diskBytes },
  { key: 'finishedMs', section: 'cost', label: 'job finished at', unit: 'ms', get: (c) => c.report.finishedMs },
  { key: 'virtualTimeMs', section: 'cost', label: 'world settled at', unit: 'ms', get: (c) => c.report.virtualTimeMs },
];

/** One figure over many seeds: its median and spread (seeds where it is undefined are left out). */
export interface Spread {
  n: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

export function spreadOf(values: readonly (number | undefined)[]): Spread | undefined {
  const xs = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const median = xs.length % 2 === 1 ? xs[(xs.length - 1) / 2]! : Math.round((xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2);
  return { n: xs.length, median, p10: percentile(xs, 0.1), p90: percentile(xs, 0.9), min: xs[0]!, max: xs[xs.length - 1]! };
}

/** Per engine over many seeds' comparisons: each metric's spread, the seeds that failed a check, and the visible latencies pooled. */
export interface EngineSeeds {
  engine: EngineName;
  knob: Knob;
  runs: number;
  failedSeeds: number[];
  cells: Record<string, Spread | undefined>;
  visibleHistogram: number[];
  lateRule: string;
}

export function summarizeSeeds(comparisons: readonly Comparison[]): EngineSeeds[] {
  const engines = new Map<EngineName, EngineColumn[]>();
  const seedsOf = new Map<EngineColumn, number>();
  for (const c of comparisons) for (const col of c.columns) {
    engines.set(col.engine, [...(engines.get(col.engine) ?? []), col]);
    seedsOf.set(col, c.seed);
  }
  return [...engines].map(([engine, cols]) => {
    const hist = new Array<number>(HISTOGRAM_EDGES_MS.length).fill(0);
    for (const col of cols) histogram(col.visibleSamples).forEach((n, i) => (hist[i]! += n));
    return {
      engine,
      knob: cols[0]!.knob,
      runs: cols.length,
      failedSeeds: cols.filter((c) => !c.report.ok).map((c) => seedsOf.get(c)!),
      cells: Object.fromEntries(METRICS.map((m) => [m.key, spreadOf(cols.map((c) => m.get(c)))])),
      visibleHistogram: hist,
      lateRule: cols[0]!.late.rule,
    };
  });
}
