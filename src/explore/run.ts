/**
 * One run: build the world for a scenario (log broker, checkpoint store,
 * workload producer, job manager, task managers), apply the fault plan, run
 * the simulation until the job has finished and everything has settled,
 * then read the committed output and judge it.
 *
 * Phases, as TigerBeetle's simulator has them: faults happen only before the
 * fault horizon (safety phase); after it the world is healed and the job must
 * converge on its own (liveness phase), waited for by condition — the job
 * manager reports the job finished — never by a fixed sleep. A step limit
 * bounds a run that never converges, which is itself a failed check.
 */
import { World } from '../sim/world.ts';
import { rootRng, type Rng } from '../sim/rng.ts';
import { applyPlan, generatePlan, profileFor, type FaultPlan } from '../sim/faults.ts';
import type { TraceEvent, TraceSubscriber } from '../sim/trace.ts';
import { brokerProcess } from '../log/broker.ts';
import { workloadProducer } from '../log/producer-process.ts';
import { OfflineLog } from '../log/reader.ts';
import { committedReader, valuesDigest } from '../log/committed-reader.ts';
import { txnAuditor } from '../log/txn-auditor.ts';
import { checkReadCommitted, type ReaderFetch } from '../check/read-committed.ts';
import { checkTimeliness, TimelinessTrace } from '../check/timeliness.ts';
import { checkSessionStructure, SessionTrace } from '../check/sessions.ts';
import { StreamEnvironment } from '../engine/api/environment.ts';
import { BugSwitches } from '../engine/bugs.ts';
import { JobPlan } from '../engine/runtime/plan.ts';
import { DEFAULT_SETTINGS, type JobSettings } from '../engine/runtime/task-env.ts';
import { jobManagerProcess } from '../engine/runtime/job-manager.ts';
import { taskManagerProcess, type ClusterIds } from '../engine/runtime/task-manager.ts';
import { checkpointStoreProcess } from '../engine/checkpoint/store.ts';
import type { InputRecord, LateRecord, OutputRecord, WindowResult } from '../engine/records.ts';
import { findScenario, type CheckInput, type Scenario, type ScenarioSizes } from '../../scenarios/index.ts';
import { readCheckpoint, type StoreView } from '../engine/checkpoint/inspect.ts';
import { checkConsistentCuts, type CheckpointCut } from '../check/checkpoint-cut.ts';
import type { SimDisk } from '../sim/disk.ts';
import type { Workload } from '../workload/generate.ts';
import { TOPICS } from '../../scenarios/types.ts';
import { checkExactlyOnceWindows } from '../check/exactly-once.ts';
import { WatermarkChecker } from '../check/watermarks.ts';
import { checkRestoreHashes, checkRestoresCompleted } from '../check/checkpoints.ts';
import type { CheckResult } from '../check/types.ts';
import { encodeToken, type RunSettings } from './settings.ts';

export interface RunReport {
  scenario: string;
  seed: number;
  guarantee: string;
  bugs: string[];
  events: number;
  parallelism: number;
  virtualTimeMs: number;
  steps: number;
  checkpoints: { completed: number; aborted: number; savepoints: number };
  faults: { planned: number; crashes: number; restarts: number; partitions: number; restores: number };
  output: { committed: number; results: number; late: number };
  checks: CheckResult[];
  ok: boolean;
  traceHash: string;
  traceEvents: number;
  token: string;
  plan: FaultPlan;
  /** Only when `RunOptions.now` was given. */
  phaseMs?: { simulate: number; judge: number };
}

export interface RunOptions {
  /** Run this scenario instead of the shipped one named in the settings (tests, users' own pipelines). */
  scenario?: Scenario;
  /** Trace every I/O step too: network sends, deliveries and drops, disk writes and fsyncs (for trace export; the trace hash then differs). */
  traceIo?: boolean;
  /** A wall clock (benchmarks): when given, the report carries `phaseMs`, the time spent simulating and judging. */
  now?: () => number;
  /** Receives the committed (read-committed) output records once the run is over. */
  onOutput?: (output: OutputRecord[]) => void;
  /** Extra trace subscribers (a JSON-lines file, the TUI recorder). */
  subscribers?: TraceSubscriber[];
  traceRing?: number;
  maxSteps?: number;
}

export class UnknownScenarioError extends Error {}

/** The scenario cannot be built at these sizes (its workload generator or pipeline refused them): bad input, not a finding. */
export class ScenarioSizeError extends Error {}

const IDS: ClusterIds = { jm: 'jm', broker: 'broker', store: 'store' };
/** The downstream read-committed consumer of scenarios that read their output during the run. */
const READER = 'reader';
/** Asks the live broker for open transactions once the world settled. */
const AUDITOR = 'auditor';

/** The task managers of a run: `tm-0 …` hosting slots, then the spares. */
export function taskManagerIds(count: number, spareCount: number): { tms: string[]; spares: string[] } {
  const ids = Array.from({ length: count + spareCount }, (_, i) => `tm-${i}`);
  return { tms: ids.slice(0, count), spares: ids.slice(count) };
}

/** The simulated processes of a run (as `runScenario` names them), and those a fault plan may crash. */
export function runProcesses(taskManagers = 2, spareTaskManagers = 0): { processes: string[]; crashable: string[] } {
  const { tms, spares } = taskManagerIds(taskManagers, spareTaskManagers);
  const all = [...tms, ...spares];
  return { processes: [IDS.jm, ...all, IDS.broker, IDS.store, 'producer'], crashable: [IDS.jm, ...all, IDS.broker, IDS.store] };
}

export function sizesOf(scenario: Scenario, s: RunSettings): ScenarioSizes {
  return {
    ...scenario.defaults,
    ...(s.events !== undefined ? { events: s.events } : {}),
    ...(s.parallelism !== undefined ? { parallelism: s.parallelism } : {}),
    ...(s.keys !== undefined ? { keys: s.keys } : {}),
  };
}

export function runScenario(settings: RunSettings, opts: RunOptions = {}): RunReport {
  const scenario = opts.scenario ?? findScenario(settings.scenario);
  if (!scenario) throw new UnknownScenarioError(`unknown scenario "${settings.scenario}"`);
  const sizes = sizesOf(scenario, settings);
  const rng = rootRng(settings.seed);
  let generated: Workload;
  try {
    generated = scenario.workload(rng.fork('workload'), sizes);
  } catch (e) {
    if (e instanceof RangeError) throw new ScenarioSizeError(`scenario ${scenario.name} cannot run with these sizes: ${e.message}`);
    throw e;
  }
  const workload = markAborts(keepOnly(generated, settings.keepIds), scenario, rng.fork('aborts'));
  const bugs = new BugSwitches(settings.bugs);
  const jobSettings: JobSettings = {
    ...DEFAULT_SETTINGS,
    guarantee: settings.guarantee,
    ...(settings.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: settings.checkpointIntervalMs } : {}),
    ...(settings.savepointAtMs !== undefined ? { savepointAtMs: settings.savepointAtMs } : {}),
    ...(settings.unaligned ? { unalignedCheckpoints: true } : {}),
  };

  const { tms, spares } = taskManagerIds(settings.taskManagers ?? 2, settings.spareTaskManagers ?? 0);
  const env = new StreamEnvironment({ parallelism: sizes.parallelism });
  scenario.build(env, sizes);
  const plan = new JobPlan(env.graph, tms, spares);

  const wmChecker = scenario.window ? new WatermarkChecker() : undefined;
  const recorded: TraceEvent[] = [];
  const cuts: CheckpointCut<unknown>[] = [];
  const counts = { restores: 0, finished: false, completed: 0, aborted: 0, savepoints: 0 };
  const readerFetches: ReaderFetch[] = [];
  const droppedLate = new Set<number>();
  /** Transactions the live broker reported open once the world settled (undefined: never asked). */
  let liveOpen: string[] | undefined;
  // A slow or corrupt disk of the job manager or the checkpoint store does not touch the data path.
  const timeliness = scenario.timeliness ? new TimelinessTrace(TOPICS.input, sizes.partitions, new Set([IDS.jm, IDS.store])) : undefined;
  // Session windows: when each record joined its session, for `session.structure`.
  const sessionTrace = scenario.window?.assigner.kind === 'session' ? new SessionTrace() : undefined;
  const subscriber: TraceSubscriber = (e) => {
    wmChecker?.onEvent(e);
    timeliness?.onEvent(e);
    sessionTrace?.onEvent(e);
    switch (e.kind) {
      case 'record.late':
        droppedLate.add(e.id as number);
        break;
      case 'reader.fetch':
        readerFetches.push(e as unknown as ReaderFetch);
        break;
      case 'audit.txns':
        liveOpen = Array.isArray(e.open) ? (e.open as string[]) : [`(the broker did not answer: ${String(e.failed)})`];
        break;
      case 'task.deploy':
      case 'snapshot':
        recorded.push(e);
        break;
      case 'job.finish':
        counts.finished = true;
        break;
      case 'job.restore':
        recorded.push(e);
        if ((e.checkpoint as number) >= 0) counts.restores++;
        break;
      case 'checkpoint.complete':
        recorded.push(e);
        counts.completed++;
        break;
      case 'checkpoint.metadata':
        recorded.push(e);
        // Read the checkpoint now, before a later one subsumes it; durable content only, so
        // reading has no effect on the run.
        if (scenario.cut) {
          const cp = readCheckpoint(durableView(world.disk(IDS.store)), plan, e.checkpoint as number);
          if (cp) cuts.push(scenario.cut.extract(cp));
        }
        break;
      case 'savepoint.complete':
        counts.savepoints++;
        break;
      case 'checkpoint.abort':
        if (e.task === undefined) counts.aborted++;
        break;
    }
  };
  const world = new World({
    seed: settings.seed,
    traceRing: opts.traceRing ?? 0,
    traceIo: opts.traceIo ?? false,
    // Named fault sites (slow snapshot upload, lost completion notice, slow commit) join the faulty profiles.
    buggify: { enabled: settings.faults === 'heavy' || settings.faults === 'swarm' },
    subscribers: [subscriber, ...(opts.subscribers ?? [])],
  });

  world.addProcess(IDS.broker, brokerProcess({
    topics: { [TOPICS.input]: sizes.partitions, [TOPICS.output]: sizes.parallelism },
    ...(bugs.has('lso-ignores-open-transactions') ? { lsoIgnoresOpenTxns: true } : {}),
    ...(bugs.has('read-committed-shows-aborted') ? { showsAborted: true } : {}),
  }));
  world.addProcess(IDS.store, checkpointStoreProcess(bugs));
  world.addProcess('producer', workloadProducer({
    brokerId: IDS.broker, topic: TOPICS.input, partitions: sizes.partitions, schedule: workload.arrivals,
    ...(scenario.transactionalInput ? { transactional: { transactionalId: (p: number) => `upstream-${p}` } } : {}),
  }));
  if (scenario.readOutputDuringRun) world.addProcess(READER, committedReader({ brokerId: IDS.broker, topic: TOPICS.output, partitions: sizes.parallelism }));
  for (const tm of plan.allTaskManagers) world.addProcess(tm, taskManagerProcess(plan, jobSettings, bugs, IDS));
  world.addProcess(IDS.jm, jobManagerProcess(plan, jobSettings, IDS));

  const lastArrivalMs = workload.arrivals.length > 0 ? workload.arrivals[workload.arrivals.length - 1]!.atMs : 0;
  const faultPlan =
    settings.plan ??
    generatePlan(rng.fork('faults'), profileFor(settings.faults, rng.fork('swarm')), {
      ...runProcesses(tms.length, spares.length),
      horizonMs: Math.max(1, scenario.faultHorizonMs ?? lastArrivalMs),
    });
  applyPlan(world, faultPlan, { inputTopic: TOPICS.input });

  const maxSteps = opts.maxSteps ?? 2_000_000 + sizes.events * 200;
  // An exception out of the world is an engine assertion firing (or a bug in user code): a
  // finding of this run like a failed check, reported with its token, not a crash of weir.
  let thrown: string | undefined;
  let endReason = 'threw';
  const simulateStart = opts.now?.() ?? 0;
  try {
    world.run({ stopWhen: () => counts.finished, maxSteps });
    // The downstream reader stops with the job, so the world can settle.
    if (scenario.readOutputDuringRun) world.deliverFromOutside(READER, { kind: 'reader.stop' });
    // Liveness phase: let the final commits land; the job manager stops its timers after the job finished.
    endReason = world.run({ maxSteps: Math.max(0, maxSteps - world.stats.steps) }).reason;
    // Then ask the live broker which transactions it still holds open.
    if (endReason === 'idle' && counts.finished) {
      world.addProcess(AUDITOR, txnAuditor(IDS.broker));
      endReason = world.run({ maxSteps: Math.max(0, maxSteps - world.stats.steps) }).reason;
    }
  } catch (e) {
    thrown = (e as Error).message.replace(/\s*\n\s*/g, ' ').trim();
  }
  world.finish();
  const judgeStart = opts.now?.() ?? 0;

  const log = new OfflineLog(world.disk(IDS.broker), [TOPICS.output]);
  const committed = log.read(TOPICS.output, 'read_committed');
  const output = committed.flat().map((r) => r.value as OutputRecord);
  opts.onOutput?.(output);
  const inputByPartition: InputRecord[][] = Array.from({ length: sizes.partitions }, () => []);
  for (const a of workload.arrivals) inputByPartition[a.partition]!.push(...(a.records as InputRecord[]));
  const checkInput: CheckInput = {
    input: workload.records,
    inputByPartition,
    output,
    canBeLate: workload.canBeLate,
    droppedLate,
  };
  const openTxns = log.inspect(TOPICS.output).flatMap((p) => p.openTxns.map((t) => t.transactionalId));
  const checks = judge(scenario, checkInput, wmChecker, recorded, counts.finished, endReason, openTxns, liveOpen);
  if (scenario.cut) checks.push(checkConsistentCuts(cuts, inputByPartition, scenario.cut.reference, scenario.cut.show));
  if (scenario.timeliness && timeliness) checks.push(checkTimeliness(scenario.timeliness, timeliness.input(workload.arrivals)));
  if (scenario.window && sessionTrace) {
    const results = output.filter((o): o is WindowResult => o.type === 'window');
    checks.push(checkSessionStructure(workload.records, results, scenario.window, sessionTrace.arrivals()));
  }
  if (scenario.readOutputDuringRun) checks.push(checkReadCommitted(readerFetches, committed, valuesDigest));
  checks.unshift({ name: 'run.completes', ok: thrown === undefined, detail: thrown === undefined ? 'no assertion fired' : `the run threw: ${thrown}` });

  const report: RunReport = {
    scenario: scenario.name,
    seed: settings.seed,
    guarantee: settings.guarantee,
    bugs: settings.bugs,
    events: sizes.events,
    parallelism: sizes.parallelism,
    virtualTimeMs: world.now(),
    steps: world.stats.steps,
    checkpoints: { completed: counts.completed, aborted: counts.aborted, savepoints: counts.savepoints },
    faults: {
      planned: faultPlan.faults.length,
      crashes: world.stats.crashes,
      restarts: world.stats.restarts,
      partitions: faultPlan.faults.filter((f) => f.kind === 'partition').length,
      restores: counts.restores,
    },
    output: { committed: output.length, results: output.filter((o) => o.type !== 'late').length, late: output.filter((o) => o.type === 'late').length },
    checks,
    ok: checks.every((c) => c.ok),
    traceHash: world.trace.hash(),
    traceEvents: world.trace.count,
    token: encodeToken({ ...settings, plan: faultPlan }),
    plan: faultPlan,
  };
  if (opts.now) report.phaseMs = { simulate: judgeStart - simulateStart, judge: opts.now() - judgeStart };
  return report;
}

/**
 * Liveness: the job finished, the world settled, and no transaction was left open (blocking
 * read-committed readers) — neither on the live broker at the end (`liveOpen`, asked through the
 * protocol) nor on the output topic as a restarted broker recovers it (`openTxns`).
 */
function livenessCheck(finished: boolean, endReason: string, openTxns: string[], liveOpen: string[] | undefined): CheckResult {
  const name = 'liveness';
  if (!finished) return { name, ok: false, detail: 'the job never finished within the step limit' };
  if (endReason !== 'idle') return { name, ok: false, detail: `the job finished but the world did not settle (${endReason})` };
  const more = (xs: string[]): string => (xs.length > 1 ? ` (and ${xs.length - 1} more)` : '');
  if (liveOpen !== undefined && liveOpen.length > 0) {
    return { name, ok: false, detail: `transaction ${liveOpen[0]} was left open on the live broker when the run ended${more(liveOpen)}: read-committed readers wait behind it forever` };
  }
  if (openTxns.length > 0) {
    return { name, ok: false, detail: `transaction ${openTxns[0]} was left open on the output topic, even after a broker restart${more(openTxns)}: read-committed readers wait behind it forever` };
  }
  return { name, ok: true, detail: 'the job finished and every transaction settled, on the live broker and after a restart' };
}

/** With transactional input, about one batch in `abortOneIn` is first written in a transaction that aborts. */
function markAborts(w: Workload, scenario: Scenario, rng: Rng): Workload {
  const tx = scenario.transactionalInput;
  if (tx === undefined) return w;
  return { ...w, arrivals: w.arrivals.map((a) => (rng.chance(1, tx.abortOneIn) ? { ...a, abortFirst: true } : a)) };
}

/** The workload with only the records `keep` names (all of them when undefined). */
function keepOnly(w: Workload, keep: readonly number[] | undefined): Workload {
  if (keep === undefined) return w;
  const ids = new Set(keep);
  const kept = (records: readonly InputRecord[]): InputRecord[] => records.filter((r) => ids.has(r.id));
  const arrivals = w.arrivals.map((a) => ({ ...a, records: kept(a.records as InputRecord[]) })).filter((a) => a.records.length > 0);
  return { ...w, records: kept(w.records), arrivals };
}

/** A process's disk as it would survive a crash, read without side effects. */
function durableView(disk: SimDisk): StoreView {
  return {
    read: (path) => disk.durableContent(path),
    list: (prefix) => disk.durablePaths().filter((p) => p.startsWith(prefix)),
  };
}

function judge(
  scenario: Scenario, ci: CheckInput, wm: WatermarkChecker | undefined, recorded: TraceEvent[], finished: boolean, endReason: string, openTxns: string[],
  liveOpen: string[] | undefined,
): CheckResult[] {
  const { input, output, canBeLate } = ci;
  const checks: CheckResult[] = [];
  checks.push(livenessCheck(finished, endReason, openTxns, liveOpen));
  if (scenario.window) {
    const results = output.filter((o): o is WindowResult => o.type === 'window');
    const late = output.filter((o): o is LateRecord => o.type === 'late');
    checks.push(checkExactlyOnceWindows(input, results, late, scenario.window, { canBeLate }));
    if (wm) checks.push(...wm.finish(input, results, scenario.window));
  }
  if (scenario.check) checks.push(...scenario.check(ci));
  checks.push(checkRestoreHashes(recorded), checkRestoresCompleted(recorded));
  return checks;
}
