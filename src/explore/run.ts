/**
 * One run: build the world for a scenario (the log broker, the workload
 * producer, and the engine's own processes, which its deployment adds),
 * apply the fault plan, run
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
import { KafkaStreamsQueries } from '../engines/kstreams/queries.ts';
import { rootRng, type Rng } from '../sim/rng.ts';
import { applyPlan, generatePlan, profileFor, type FaultPlan } from '../sim/faults.ts';
import { readerSubscriber, type TraceEvent, type TraceReader, type TraceSubscriber } from '../runtime/trace-event.ts';
import { brokerProcess } from '../log/broker.ts';
import { workloadProducer } from '../log/producer-process.ts';
import { OfflineLog } from '../log/reader.ts';
import { committedReader, valuesDigest } from '../log/committed-reader.ts';
import { txnAuditor } from '../log/txn-auditor.ts';
import { checkReadCommitted, type ReaderFetch } from '../check/read-committed.ts';
import { TxnTimeoutTrace } from '../check/txn-timeout.ts';
import { SinkTwoPhaseTrace } from '../check/sink-two-phase.ts';
import { checkTimeliness, TimelinessTrace } from '../check/timeliness.ts';
import { SourceBoundTrace } from '../check/source-bound.ts';
import { checkSessionStructure, SessionTrace } from '../check/sessions.ts';
import { checkSparkOuterJoin, checkSparkWatermarks, SparkBatchTrace } from '../check/spark-watermark.ts';
import { checkSparkOutputMode } from '../check/spark-output-mode.ts';
import { checkGrace, checkRestores, checkRetention, checkSuppress, checkZombies, KStreamsTrace, type ChangelogRecord } from '../check/kstreams.ts';
import type { InputRecord, LateRecord, OutputRecord, WindowResult } from '../stream/records.ts';
import { findScenario, judgedOn, type CheckInput, type Scenario, type ScenarioSizes } from '../../scenarios/index.ts';
import { checkConsistentCuts } from '../check/checkpoint-cut.ts';
import { readFileSink } from '../check/file-sink.ts';
import { checkSparkMemorySink, SparkMemoryTrace } from '../check/spark-memory-sink.ts';
import type { SimDisk } from '../sim/disk.ts';
import type { DurableView, Host } from '../runtime/deployment.ts';
import type { Disk } from '../runtime/types.ts';
import { flatMapped } from '../runtime/arrays.ts';
import type { Workload } from '../workload/generate.ts';
import { TOPICS } from '../../scenarios/types.ts';
import { checkExactlyOnceWindows, type WindowReset } from '../check/exactly-once.ts';
import { recordsAwaitingWatermark } from '../check/reference.ts';
import { checkWindowPanes } from '../check/panes.ts';
import { WatermarkChecker } from '../check/watermarks.ts';
import { checkRestoreHashes, checkRestoresCompleted } from '../check/checkpoints.ts';
import type { CheckResult, WindowSpec } from '../check/types.ts';
import { windowsOf } from '../check/window-math.ts';
import { encodeToken, FAULT_PROFILES, GUARANTEES, optionalSettingProblem, SETTINGS_KEYS, type RunSettings } from './settings.ts';
import { isBugList } from './bugs.ts';
import { BROKER_ID, deployEngine, engineOf, engineProcesses, engineTopics, PRODUCER_ID, runProcessesOf, type DeployedEngine } from './engines.ts';

export interface RunReport {
  scenario: string;
  engine: string;
  seed: number;
  guarantee: string;
  bugs: string[];
  /** The input's size as asked (`--events`, or the scenario's default). */
  events: number;
  /** A shrunk run (a token that keeps some input records, `keepIds`): how many of the input records drawn it kept. */
  keptRecords?: number;
  parallelism: number;
  /** When the simulated world had nothing left to do (background work included: a log cleaner's backoff, a tombstone's horizon, a transaction timeout). */
  virtualTimeMs: number;
  /** When the job finished, as its engine said (absent when it never did). */
  finishedMs?: number;
  steps: number;
  checkpoints: { completed: number; aborted: number; savepoints: number };
  faults: { planned: number; crashes: number; restarts: number; partitions: number; restores: number };
  /**
   * Committed output records, window results among them, late side-output records among them, and
   * `lateDropped`: input records a Flink window operator dropped as late for lack of a late side
   * output (traced `record.late`, or `window.closed-drop` for a window whose trigger had finished, with
   * `dropped: true`; each record once, however many attempts dropped it).
   */
  output: { committed: number; results: number; late: number; lateDropped: number };
  checks: CheckResult[];
  ok: boolean;
  /** 16 hex digits; '' for a run made with `hashTrace: false`. */
  traceHash: string;
  traceEvents: number;
  token: string;
  plan: FaultPlan;
  /** Only when `RunOptions.now` was given. */
  phaseMs?: { simulate: number; judge: number };
  /** Only with `RunOptions.visibility`: per input record (by id), its arrival and when a result holding it was first visible. */
  visibility?: { id: number; arrivalMs: number; visibleMs: number | undefined }[];
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
  /**
   * Hash the trace (default true). A sweep's seeds and a shrink's candidates report no hash, and
   * pass false: hashing every event is about 7% of a bank run. The run is the same run, event
   * for event; only `traceHash` is left empty.
   */
  hashTrace?: boolean;
  /**
   * Hands every trace event to every judge, as if none had named the kinds it reads: for the test
   * that proves each judge's kinds are all it reads (the report is the same either way).
   */
  everyKind?: boolean;
  traceRing?: number;
  maxSteps?: number;
  /**
   * Adds a read-committed reader of the output (as scenarios that read their output during the run
   * have) and reports, per input record, when a result holding it first became visible to it
   * (`RunReport.visibility`), for `weir compare`.
   */
  visibility?: boolean;
  /**
   * Called once the world exists, with a read-only view of it: a process's disk as it would
   * survive a crash (read during the run, e.g. from a trace subscriber, or after it), how much
   * each process wrote to its disk, and the log's topics read offline from the broker's disk.
   * For measurements beside the checks (`weir compare`); it changes nothing in the run.
   */
  observe?: (view: WorldView) => void;
  /**
   * Pauses the run at these points, in order, and calls `onPause` there: after virtual time
   * `atMs` (before any later event), after the world step that emitted trace event `atEvent`
   * (a `seq`), or `'finished'`, when the job has processed all of its input (before it is asked to
   * shut down). A point the run never reaches is not called. The hook may read (Kafka Streams:
   * query the instances' stores with `pause.kstreams`) but must change nothing; a run with
   * pauses has the same trace as one without.
   */
  pauses?: { at: readonly PausePoint[]; onPause: (pause: RunPause) => void };
}

/** Where `RunOptions.pauses` stops a run. */
export type PausePoint = { atMs: number } | { atEvent: number } | 'finished';

/** What `RunOptions.pauses.onPause` sees. */
export interface RunPause {
  at: PausePoint;
  /** Virtual time now. */
  nowMs: number;
  /** World steps run so far. */
  steps: number;
  /** The `seq` of the last trace event emitted (-1: none yet). */
  lastEvent: number;
  /** Kafka Streams runs: interactive queries on the application's instances, as they stand now. */
  kstreams: KafkaStreamsQueries | undefined;
}

/** What `RunOptions.observe` sees of a run's world. */
export interface WorldView {
  processes(): string[];
  durable(id: string): DurableView;
  /** Characters the process has written to its disk so far (`write` and `append`). */
  bytesWritten(id: string): number;
  /** A topic as a consumer with this isolation would read it now, per partition (offsets and values). */
  readTopic(topic: string, isolation: 'read_committed' | 'read_uncommitted'): { offset: number; value: unknown }[][];
}

export class UnknownScenarioError extends Error {}

/** The scenario cannot be built at these sizes (its workload generator or pipeline refused them): bad input, not a finding. */
export class ScenarioSizeError extends Error {}

/**
 * Settings a caller of the library left out or misspelt — the guarantee, the fault profile, the
 * planted bugs' names, the seed (the command line and tokens never do): a run without its guarantee
 * would run one (Kafka Streams without exactly-once, say) while the judges judge it as if it had
 * another, so it is refused rather than given a default. A setting of another name (a misspelt
 * optional one, which would run with its default) is refused too, and so is an optional value a
 * token could not carry (a size outside the command line's bounds, a malformed plan).
 */
export class InvalidSettingsError extends Error {}

function checkSettings(s: RunSettings): void {
  const bad = (what: string): never => {
    throw new InvalidSettingsError(`runScenario: ${what}`);
  };
  const named = (v: unknown, list: readonly string[], what: string): void => {
    if (!list.includes(v as string)) bad(`${what} must be one of ${list.join(', ')} (got ${JSON.stringify(v) ?? 'nothing'})`);
  };
  for (const key of Object.keys(s)) if (!SETTINGS_KEYS.has(key)) bad(`unknown setting '${key}' (settings: ${[...SETTINGS_KEYS].join(', ')})`);
  named(s.guarantee, GUARANTEES, 'settings.guarantee');
  named(s.faults, FAULT_PROFILES, 'settings.faults');
  if (!isBugList(s.bugs)) {
    bad(`settings.bugs must be a list of planted bugs' names (weir bugs lists them), [] for none (got ${JSON.stringify(s.bugs) ?? 'nothing'})`);
  }
  if (!Number.isSafeInteger(s.seed)) bad(`settings.seed must be an integer (got ${JSON.stringify(s.seed) ?? 'nothing'})`);
  const optional = optionalSettingProblem(s as unknown as Record<string, unknown>);
  if (optional !== undefined) bad(`settings: ${optional}`);
}

const BROKER = BROKER_ID;
/** The downstream read-committed consumer of scenarios that read their output during the run. */
const READER = 'reader';
/** Asks the live broker for open transactions once the world settled. */
const AUDITOR = 'auditor';
/** How long the reader keeps reading after the job finished when visibility is measured (final commits land in that time). */
const VISIBILITY_GRACE_MS = 2_000;
/** At most this long while a transaction still holds the output back (past Kafka's default 60 s timeout and a sweep). */
const VISIBILITY_WAIT_MS = 75_000;

/** Whether a transaction is open on the output topic, as the broker's disk holds it (durable content only). */
function outputHeldOpen(disk: SimDisk): boolean {
  return new OfflineLog(readOnlyDurable(disk), [TOPICS.output]).inspect(TOPICS.output).some((p) => p.openTxns.length > 0);
}

/**
 * The simulated processes of a run, and those a fault plan may crash: the engine's (Flink by
 * default: job manager, task managers, checkpoint store), the log broker and the workload producer.
 */
export function runProcesses(taskManagers = 2, spareTaskManagers = 0, engine: string = 'flink', parallelism = 2): { processes: string[]; crashable: string[] } {
  return runProcessesOf(engine, { taskManagers, spareTaskManagers, parallelism });
}

export function sizesOf(scenario: Scenario, s: RunSettings): ScenarioSizes {
  return {
    ...scenario.defaults,
    ...(s.events !== undefined ? { events: s.events } : {}),
    ...(s.parallelism !== undefined ? { parallelism: s.parallelism } : {}),
    ...(s.keys !== undefined ? { keys: s.keys } : {}),
  };
}

/** How `runToFinish` follows the trace for pauses at an event. */
interface EventWatch {
  lastEvent(): number;
  waitForEvent(seq: number | undefined): void;
  eventReached(): boolean;
}

/**
 * Runs the world until the job finished (or the steps run out), stopping at each pause point on
 * the way. Stopping only splits the run into pieces: the same events run in the same order.
 */
function runToFinish(world: World, deployment: DeployedEngine, maxSteps: number, untilMs: number, pauses: RunOptions['pauses'], watch: EventWatch): void {
  if (pauses === undefined || pauses.at.length === 0) {
    world.run({ stopWhen: () => deployment.finished, maxSteps, untilMs });
    return;
  }
  const kstreams = (deployment as { queries?: unknown }).queries instanceof KafkaStreamsQueries ? (deployment as unknown as { queries: KafkaStreamsQueries }).queries : undefined;
  const pause = (at: PausePoint): void => pauses.onPause({ at, nowMs: world.now(), steps: world.stats.steps, lastEvent: watch.lastEvent(), kstreams });
  const times = pauses.at.filter((p): p is { atMs: number } => typeof p === 'object' && 'atMs' in p).sort((a, b) => a.atMs - b.atMs);
  const events = pauses.at.filter((p): p is { atEvent: number } => typeof p === 'object' && 'atEvent' in p).sort((a, b) => a.atEvent - b.atEvent);
  for (;;) {
    // Points already passed (an event seen, a time reached) pause now, in order.
    while (events.length > 0 && watch.lastEvent() >= events[0]!.atEvent) pause(events.shift()!);
    while (times.length > 0 && world.now() >= times[0]!.atMs && world.stats.steps > 0 && !deployment.finished) pause(times.shift()!);
    if (deployment.finished) break;
    const left = maxSteps - world.stats.steps;
    if (left <= 0 || world.now() >= untilMs) return;
    watch.waitForEvent(events[0]?.atEvent);
    const r = world.run({ stopWhen: () => deployment.finished || watch.eventReached(), maxSteps: left, untilMs: Math.min(untilMs, times[0]?.atMs ?? untilMs) });
    watch.waitForEvent(undefined);
    if (r.reason === 'time' && world.now() >= untilMs && (times[0]?.atMs ?? Infinity) > untilMs) return;
    if (r.reason === 'time') {
      pause(times.shift()!);
      continue;
    }
    if (r.reason !== 'stopped') {
      // Idle or out of steps: whatever was not reached is not called.
      if (!deployment.finished) return;
    }
  }
  if (pauses.at.includes('finished')) pause('finished');
}

export function runScenario(settings: RunSettings, opts: RunOptions = {}): RunReport {
  checkSettings(settings);
  const named = opts.scenario ?? findScenario(settings.scenario);
  if (!named) throw new UnknownScenarioError(`unknown scenario "${settings.scenario}"`);
  const scenario = judgedOn(named, engineOf(named, settings));
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
  const engine = engineOf(scenario, settings);
  const processes = engineProcesses(engine, { taskManagers: settings.taskManagers ?? 2, spareTaskManagers: settings.spareTaskManagers ?? 0, parallelism: sizes.parallelism }, BROKER);

  // Flink's own judges read its watermarks, snapshots and session merges from the trace.
  const flink = engine === 'flink';
  const wmChecker = scenario.window && flink ? new WatermarkChecker() : undefined;
  /** Kafka Streams: per record, the windows (by start) a windowed aggregate skipped it for, and the highest operator stream time then. */
  const dropped = new Map<number, { windows: Set<number>; streamTime: number }>();
  /** Spark: per record, the windows (by start) a stateful operator filtered it from as late, at the late watermark + 1 + the lateness. */
  const sparkDropped = new Map<number, { windows: Set<number>; streamTime: number }>();
  const sparkBatches = engine === 'spark' ? new SparkBatchTrace() : undefined;
  /** Spark's memory sink: the batches each driver incarnation added to its table or skipped. */
  const sparkMemory = engine === 'spark' ? new SparkMemoryTrace() : undefined;
  const recorded: TraceEvent[] = [];
  const readerFetches: ReaderFetch[] = [];
  const droppedLate = new Set<number>();
  /** Records a window operator dropped as late without a side output (by id; an event without one counts alone). */
  const lateDropped = new Set<number | string>();
  /** Transactions the live broker reported open once the world settled (undefined: never asked). */
  let liveOpen: string[] | undefined;
  // A slow or corrupt disk off the data path (Flink's job manager and checkpoint store) delays no record.
  const timeliness = scenario.timeliness && flink
    ? new TimelinessTrace(TOPICS.input, sizes.partitions, new Set(processes.offDataPath), scenario.window?.assigner.kind === 'session')
    : undefined;
  // Each log source's watermark against the largest timestamps it had read, for `watermark.source-bound`.
  const sourceBound = flink ? new SourceBoundTrace() : undefined;
  // Session windows: when each record joined its session, for `session.structure`.
  const sessionTrace = scenario.window?.assigner.kind === 'session' && flink ? new SessionTrace() : undefined;
  // Kafka Streams' own judges: grace, suppress, restores from the changelog, zombies.
  const ksTrace = engine === 'kstreams' ? new KStreamsTrace({ atLeastOnce: settings.guarantee === 'at-least-once' }) : undefined;
  // The broker's transaction timeouts, for `txn.timeout` and (Flink, Spark) liveness.
  const txnTimeouts = new TxnTimeoutTrace(BROKER);
  // Flink's two-phase-commit sinks: what a restored sink aborts, for `sink.two-phase`.
  const sinkTwoPhase = flink ? new SinkTwoPhaseTrace(BROKER) : undefined;
  /** The seq a pause waits for (the run stops once the trace has emitted it). */
  let eventPause: number | undefined;
  // Each judge reads only the kinds it names; the run's own notes read the kinds of this switch.
  const readers: (TraceReader | undefined)[] = [wmChecker, timeliness, sourceBound, sessionTrace, ksTrace, sparkBatches, sparkMemory, txnTimeouts, sinkTwoPhase];
  const runNotes: TraceReader = {
    kinds: ['record.late', 'window.closed-drop', 'join.at-watermark', 'spark.late', 'record.dropped', 'reader.fetch', 'audit.txns', 'task.deploy', 'snapshot', 'job.restore', 'checkpoint.complete', 'checkpoint.metadata'],
    onEvent: (e) => {
      switch (e.kind) {
        case 'record.late':
          droppedLate.add(e.id as number);
          if (e.dropped === true) lateDropped.add(typeof e.id === 'number' ? e.id : `#${e.seq}`);
          break;
        case 'window.closed-drop':
          // A window whose trigger had finished did not take it, nor did any other of its windows.
          if (e.dropped === true || e.sideOutput === true) droppedLate.add(e.id as number);
          if (e.dropped === true) lateDropped.add(typeof e.id === 'number' ? e.id : `#${e.seq}`);
          break;
        case 'join.at-watermark':
          // An interval join took it exactly at the watermark: partners whose cleanup time that watermark reached were gone.
          droppedLate.add(e.id as number);
          break;
        case 'spark.late':
          if (e.op === 'join' || e.op === 'dedup' || e.op === 'groups') {
            for (const id of idsOf(e)) droppedLate.add(id);
            break;
          }
          // As a watermark: late iff end <= wmLate, Flink's end - 1 + lateness <= W at W = wmLate - 1 + lateness.
          noteWindowDrop(sparkDropped, e, (e.wmLate as number) + (scenario.window?.allowedLatenessMs ?? 0));
          break;
        case 'record.dropped':
          if (e.reason === 'expired-window') {
            noteWindowDrop(dropped, e, e.streamTime as number);
          } else if (e.reason === 'expired-join-window' || e.reason === 'join-window-closed') {
            // A KStream–KStream join record that expired from its window store, or whose probe the other
            // store's retention cut short: a pair it belongs to may be missing (judged by `join`).
            for (const id of idsOf(e)) droppedLate.add(id);
          }
          break;
        case 'reader.fetch':
          readerFetches.push(e as unknown as ReaderFetch);
          break;
        case 'audit.txns':
          liveOpen = Array.isArray(e.open) ? (e.open as string[]) : [`(the broker did not answer: ${String(e.failed)})`];
          break;
        case 'task.deploy':
        case 'snapshot':
        case 'job.restore':
        case 'checkpoint.complete':
        case 'checkpoint.metadata':
          recorded.push(e);
          break;
      }
    },
  };
  const subscribers: TraceSubscriber[] = [];
  for (const r of readers) if (r !== undefined) subscribers.push(readerSubscriber(r));
  subscribers.push(readerSubscriber(runNotes));
  const world = new World({
    seed: settings.seed,
    traceRing: opts.traceRing ?? 0,
    traceIo: opts.traceIo ?? false,
    // Named fault sites (slow snapshot upload, lost completion notice, slow commit) join the faulty profiles.
    buggify: { enabled: settings.faults === 'heavy' || settings.faults === 'swarm' },
    // A log's frames are measured only for those who read disk bytes (the I/O trace, an observer).
    disk: { measureFrames: opts.traceIo === true || opts.observe !== undefined },
    subscribers: [...subscribers, ...(opts.subscribers ?? [])],
    ...(opts.everyKind ? { traceEveryKind: true } : {}),
    ...(opts.hashTrace === false ? { hashTrace: false } : {}),
  });
  opts.observe?.({
    processes: () => world.processIds(),
    durable: (id) => durableView(world.disk(id)),
    bytesWritten: (id) => world.disk(id).bytesWritten,
    readTopic: (topic, isolation) => new OfflineLog(world.disk(BROKER), [topic]).read(topic, isolation),
  });
  const host: Host = {
    addProcess: (id, factory) => world.addProcess(id, factory),
    durableView: (id) => durableView(world.disk(id)),
    deliver: (id, msg) => world.deliverFromOutside(id, msg),
    isUp: (id) => world.isUp(id),
  };

  const worldTopics = { [TOPICS.input]: sizes.partitions, [TOPICS.output]: sizes.parallelism };
  const internal = engineTopics(engine, scenario, sizes, worldTopics);
  world.addProcess(BROKER, brokerProcess({
    topics: { ...worldTopics, ...internal.topics },
    ...(internal.compacted.length > 0 ? { topicConfigs: Object.fromEntries(internal.compacted.map((t) => [t, { cleanupPolicy: 'compact' as const }])) } : {}),
    ...(settings.bugs.includes('lso-ignores-open-transactions') ? { lsoIgnoresOpenTxns: true } : {}),
    ...(settings.bugs.includes('read-committed-shows-aborted') ? { showsAborted: true } : {}),
    ...(settings.bugs.includes('txn-timeout-ignored') ? { ignoreTxnTimeouts: true } : {}),
  }));
  world.addProcess(PRODUCER_ID, workloadProducer({
    brokerId: BROKER, topic: TOPICS.input, partitions: sizes.partitions, schedule: workload.arrivals,
    ...(scenario.transactionalInput ? { transactional: { transactionalId: (p: number) => `upstream-${p}` } } : {}),
  }));
  const reading = scenario.readOutputDuringRun || opts.visibility === true;
  if (reading) world.addProcess(READER, committedReader({ brokerId: BROKER, topic: TOPICS.output, partitions: sizes.parallelism }));
  const deployment = deployEngine(engine, host, scenario, sizes, settings, BROKER, worldTopics);
  world.trace.subscribe(readerSubscriber(deployment));

  const lastArrivalMs = workload.arrivals.length > 0 ? workload.arrivals[workload.arrivals.length - 1]!.atMs : 0;
  const faultPlan =
    settings.plan ??
    generatePlan(rng.fork('faults'), profileFor(settings.faults, rng.fork('swarm')), {
      ...runProcesses(settings.taskManagers ?? 2, settings.spareTaskManagers ?? 0, engine, sizes.parallelism),
      horizonMs: Math.max(1, scenario.faultHorizonMs ?? lastArrivalMs),
    });
  applyPlan(world, faultPlan, { inputTopic: TOPICS.input });

  const maxSteps = opts.maxSteps ?? 2_000_000 + sizes.events * 200;
  const finishByMs = finishDeadlineMs(settings, faultPlan, Math.max(1, scenario.faultHorizonMs ?? lastArrivalMs, lastArrivalMs));
  // An exception out of the world is an engine assertion firing (or a bug in user code): a
  // finding of this run like a failed check, reported with its token, not a crash of weir.
  let thrown: string | undefined;
  let endReason = 'threw';
  /** Kafka Streams: the changelogs as they stand when the job finishes (see `kstreamsChecks`). */
  let changelogs: OfflineLog | undefined;
  const simulateStart = opts.now?.() ?? 0;
  /** When the job finished (the deployment said so). */
  let finishedMs = Number.POSITIVE_INFINITY;
  try {
    runToFinish(world, deployment, maxSteps, finishByMs, opts.pauses, {
      lastEvent: () => world.trace.count - 1,
      waitForEvent: (seq) => {
        eventPause = seq;
      },
      eventReached: () => eventPause !== undefined && world.trace.count - 1 >= eventPause,
    });
    finishedMs = world.now();
    // Durable content only: reading must neither see a read fault nor draw from the disk's randomness.
    if (ksTrace && internal.changelogs.length > 0) changelogs = new OfflineLog(readOnlyDurable(world.disk(BROKER)), internal.changelogs);
    // The downstream reader stops with the job, and so does an engine that never ends by itself, so the world can settle.
    if (deployment.finished) deployment.stop?.();
    // Measuring visibility, the reader stays a while longer, to see the last commits land, and on
    // while a transaction holds the output's last stable offset back (a stateless Kafka Streams
    // instance's, until the broker's timeout ends it): what it hides becomes visible only then.
    if (opts.visibility) {
      const limit = world.now() + VISIBILITY_WAIT_MS;
      do world.run({ untilMs: world.now() + VISIBILITY_GRACE_MS, maxSteps: Math.max(0, maxSteps - world.stats.steps) });
      while (world.now() < limit && world.stats.steps < maxSteps && outputHeldOpen(world.disk(BROKER)));
    }
    if (reading) world.deliverFromOutside(READER, { kind: 'reader.stop' });
    // Liveness phase: let the final commits land; the job manager stops its timers after the job finished.
    // A job that did not finish in time is judged as it stands: nothing would end it.
    if (deployment.finished) endReason = world.run({ maxSteps: Math.max(0, maxSteps - world.stats.steps) }).reason;
    else endReason = world.stats.steps >= maxSteps ? 'steps' : 'deadline';
    // Then ask the live broker which transactions it still holds open.
    if (endReason === 'idle' && deployment.finished) {
      world.addProcess(AUDITOR, txnAuditor(BROKER));
      endReason = world.run({ maxSteps: Math.max(0, maxSteps - world.stats.steps) }).reason;
    }
  } catch (e) {
    thrown = (e as Error).message.replace(/\s*\n\s*/g, ' ').trim();
  }
  world.finish();
  const judgeStart = opts.now?.() ?? 0;

  const log = new OfflineLog(world.disk(BROKER), [TOPICS.output, ...internal.changelogs, ...(sparkBatches ? [TOPICS.input] : [])]);
  const committed = log.read(TOPICS.output, 'read_committed');
  // A file sink's output is what a reader of its directory sees (through `_spark_metadata` when it exists);
  // a memory sink's is its table as the live driver answers for it once the run settled (none while the driver is down).
  const memoryTable = deployment.memoryTable ? (deployment.memoryTable.rows() as OutputRecord[] | undefined) : undefined;
  const output = deployment.fileOutput ? readFileSink(durableView(world.disk(deployment.fileOutput.process)), deployment.fileOutput.path)
    : deployment.memoryTable ? (memoryTable ?? [])
      : flatMapped(committed, (records) => records.map((r) => r.value as OutputRecord));
  opts.onOutput?.(output);
  const inputByPartition = splitByPartition(workload.arrivals, sizes.partitions);
  // Spark: a driver that restarted after a committed batch, and then had no new data, ran no batch:
  // results stopped at the last batch's eviction watermark.
  const stuck = sparkBatches?.stuckWatermark();
  const checkInput: CheckInput = {
    input: workload.records,
    inputByPartition,
    output,
    // A workload's promise that nothing comes late (its disorder within the bound) is about event
    // time. Kafka Streams judges lateness against a task's stream time, the largest timestamp it has
    // processed, in the order records reach it: behind a repartition topic that is the order the
    // upstream tasks' writes reached the log, and records an upstream task held back (a producer
    // batch waiting out its linger, a thread blocked in its commit, a task moved by a rebalance) arrive after
    // its peers' newer ones, possibly older than the grace those already passed. So Kafka Streams
    // may drop a record the workload kept within the bound; ks.grace judges each drop.
    canBeLate: workload.canBeLate || engine === 'kstreams',
    droppedLate,
    guarantee: settings.guarantee,
    ...(stuck !== undefined ? { stuckWatermark: stuck } : {}),
  };
  const openTxns = flatMapped(log.inspect(TOPICS.output), (p) => p.openTxns.map((t) => t.transactionalId));
  // A record Kafka Streams skipped for every window it belongs to counts as late, at its operator's
  // stream time - 1: late iff end + grace <= stream time is Flink's rule end - 1 + lateness <= watermark.
  // Spark drops a (row, window) iff end <= the late watermark: as Flink's rule at watermark wmLate - 1 + lateness.
  const lateByGrace = !scenario.window || flink ? []
    : engine === 'spark' ? droppedByGrace(workload.records, sparkDropped, scenario.window, output, { kafkaWindows: false, sessionOffset: 1 })
      : droppedByGrace(workload.records, dropped, scenario.window, output);
  // Kafka Streams: records in a window suppress still held when the job ended (verified by ks.suppress) are pending, not lost.
  // Spark in append mode: so are records in windows that end past the watermark its results stopped at.
  const pending = ksTrace?.pending().ids
    ?? (stuck !== undefined && scenario.window && sparkBatches?.outputMode === 'append' ? recordsAwaitingWatermark(workload.records, scenario.window, stuck, droppedLate) : undefined);
  // Kafka Streams: windows started afresh over a value the store's retention hid (verified by ks.retention).
  const resets = ksTrace?.windowResets();
  // Flink's and Spark's sinks end or fence every transaction they open, also a failed attempt's: one the
  // broker's timeout had to end after the job finished was left hanging. (A stateless Kafka Streams
  // application relies on that timeout after a crash; txn.timeout judges it.)
  const lingered = engine === 'kstreams' ? [] : txnTimeouts.timeouts.filter((t) => t.atMs > finishedMs);
  const checks = judge(scenario, checkInput, wmChecker, recorded, deployment.finished, endReason, finishByMs, openTxns, liveOpen, lateByGrace, flink, pending, resets, lingered);
  // Shown when the broker timed out or recovered a transaction, or when the judge found fault.
  const timeoutVerdict = txnTimeouts.verdict(world.now(), endReason === 'idle');
  if (txnTimeouts.eventful || !timeoutVerdict.ok) checks.push(timeoutVerdict);
  // Shown when a restored sink aborted what failed attempts left or the broker aborted a pre-committed transaction, or on fault.
  const twoPhaseVerdict = sinkTwoPhase?.verdict();
  if (twoPhaseVerdict && (sinkTwoPhase!.eventful || !twoPhaseVerdict.ok)) checks.push(twoPhaseVerdict);
  if (scenario.cut && deployment.cuts) checks.push(checkConsistentCuts(deployment.cuts, inputByPartition, scenario.cut.reference, scenario.cut.show));
  if (scenario.timeliness && timeliness) checks.push(checkTimeliness(scenario.timeliness, timeliness.input(workload.arrivals)));
  if (sourceBound) checks.push(sourceBound.verdict());
  if (scenario.window && sessionTrace && settings.guarantee !== 'at-least-once') {
    // Not under at-least-once: there a failed attempt's sessions stay committed beside the replay's,
    // which merges its records anew, so the committed sessions are no one merging's (`at-least-once`
    // judges that no record is lost).
    const results = output.filter((o): o is WindowResult => o.type === 'window');
    checks.push(checkSessionStructure(workload.records, results, scenario.window, sessionTrace.arrivals()));
  } else if (scenario.window?.assigner.kind === 'session' && engine === 'kstreams' && settings.guarantee === 'exactly-once') {
    // Kafka Streams restores exactly the committed sessions under exactly-once: a record within the
    // gap of a stored session merges with it, and one whose merged session is expired is dropped,
    // never stored apart, unless the store's retention hid the session from its lookup after a
    // restore (ks.retention judges each). Only those splits are excused.
    const results = output.filter((o): o is WindowResult => o.type === 'window');
    checks.push(checkSessionStructure(workload.records, results, scenario.window, new Map(), ksTrace?.sessionsHiddenFrom()));
  }
  if (scenario.readOutputDuringRun) checks.push(checkReadCommitted(readerFetches, committed, valuesDigest));
  // Spark's own judge: the watermark each batch ran with, from the input the query read.
  if (sparkBatches) {
    const sparkInput = log.read(TOPICS.input, 'read_committed');
    checks.push(checkSparkWatermarks(sparkBatches, sparkInput));
    // An outer join's rows emitted with nulls: each in a batch whose watermark had passed its range.
    if (sparkBatches.join?.type.endsWith('_outer')) checks.push(checkSparkOuterJoin(sparkBatches, sparkInput));
    // A windowed count whose results say which batch wrote them: each batch's results as its output mode asks.
    const modes = scenario.window ? checkSparkOutputMode(sparkBatches, sparkInput, output, scenario.window) : undefined;
    if (modes) checks.push(modes);
    // A memory sink's table: batches added once each in order, replaced or appended as the mode says, complete at the end.
    const memory = sparkMemory ? checkSparkMemorySink(sparkMemory, memoryTable, workload.records, scenario.window) : undefined;
    if (memory) checks.push(memory);
  }
  if (ksTrace) checks.push(...kstreamsChecks(ksTrace, changelogs ?? log, output, settings.guarantee, scenario.window !== undefined));
  checks.unshift({ name: 'run.completes', ok: thrown === undefined, detail: thrown === undefined ? 'no assertion fired' : `the run threw: ${thrown}` });

  const stats = deployment.stats();
  const report: RunReport = {
    engine,
    scenario: scenario.name,
    seed: settings.seed,
    guarantee: settings.guarantee,
    bugs: settings.bugs,
    events: sizes.events,
    ...(settings.keepIds !== undefined ? { keptRecords: workload.records.length } : {}),
    parallelism: sizes.parallelism,
    virtualTimeMs: world.now(),
    ...(Number.isFinite(finishedMs) && deployment.finished ? { finishedMs } : {}),
    steps: world.stats.steps,
    checkpoints: stats.checkpoints,
    faults: {
      planned: faultPlan.faults.length,
      crashes: world.stats.crashes,
      restarts: world.stats.restarts,
      partitions: faultPlan.faults.filter((f) => f.kind === 'partition').length,
      restores: stats.restores,
    },
    output: {
      committed: output.length, results: output.filter((o) => o.type !== 'late').length, late: output.filter((o) => o.type === 'late').length, lateDropped: lateDropped.size,
    },
    checks,
    ok: checks.every((c) => c.ok),
    traceHash: world.trace.hash(),
    traceEvents: world.trace.count,
    token: encodeToken({ ...settings, plan: faultPlan }),
    plan: faultPlan,
  };
  if (opts.now) report.phaseMs = { simulate: judgeStart - simulateStart, judge: opts.now() - judgeStart };
  if (opts.visibility) report.visibility = visibilityOf(workload, committed, readerFetches);
  return report;
}

/**
 * How long a job has to finish once its input has arrived and its planned faults are over:
 * ten minutes of virtual time (a run's job finishes within about a minute of it), or twenty
 * periods of its slowest periodic knob when that is longer. A job not finished by then is judged
 * as not finishing: nothing in the world would end it. Before this bound only the step limit
 * ended such a run, hours of virtual time later.
 */
export const FINISH_WINDOW_MS = 600_000;

/** The virtual time by which the job must have finished (see FINISH_WINDOW_MS). */
export function finishDeadlineMs(settings: RunSettings, plan: FaultPlan, horizonMs: number): number {
  let end = horizonMs;
  // An anchored fault starts after a point of the run, at most once the job is done: count its delay and length on top.
  let anchored = 0;
  for (const f of plan.faults) {
    const length = f.kind === 'crash' ? f.restartAfterMs : f.durationMs;
    if (f.atMs !== undefined) end = Math.max(end, f.atMs + length);
    else anchored += f.delayMs + length;
  }
  const knobs = [settings.checkpointIntervalMs, settings.bufferTimeoutMs, settings.commitIntervalMs, settings.triggerIntervalMs, settings.probingRebalanceIntervalMs];
  const slowest = Math.max(0, ...knobs.filter((x): x is number => x !== undefined));
  return end + anchored + Math.max(FINISH_WINDOW_MS, 20 * slowest) + (settings.savepointAtMs ?? 0);
}

/** A transaction the broker's timeout ended after the job finished. */
type Lingered = { txnId: string; atMs: number; startMs: number; timeoutMs: number };

/**
 * Liveness: the job finished, the world settled, and no transaction was left open (blocking
 * read-committed readers) — neither on the live broker at the end (`liveOpen`, asked through the
 * protocol) nor on the output topic as a restarted broker recovers it (`openTxns`), nor left for
 * the broker's transaction timeout to end after the job finished (`lingered`; the world runs on
 * until the broker's sweep ends it, an hour of virtual time for Flink's sink).
 */
function livenessCheck(finished: boolean, endReason: string, finishByMs: number, openTxns: string[], liveOpen: string[] | undefined, lingered: readonly Lingered[]): CheckResult {
  const name = 'liveness';
  // The output checks then see what the job had written when it stopped: what it never reached counts there as lost.
  const lost = '(the output checks count what it had not written yet as lost: start from here)';
  if (!finished && endReason === 'deadline') {
    return { name, ok: false, detail: `the job never finished: not by ${finishByMs.toLocaleString('en-US')} ms of virtual time, long after its input and faults ended ${lost}` };
  }
  if (!finished) return { name, ok: false, detail: `the job never finished within the step limit ${lost}` };
  if (endReason !== 'idle') return { name, ok: false, detail: `the job finished but the world did not settle (${endReason})` };
  const more = (xs: string[]): string => (xs.length > 1 ? ` (and ${xs.length - 1} more)` : '');
  if (liveOpen !== undefined && liveOpen.length > 0) {
    return { name, ok: false, detail: `transaction ${liveOpen[0]} was left open on the live broker when the run ended${more(liveOpen)}: read-committed readers wait behind it forever` };
  }
  if (openTxns.length > 0) {
    return { name, ok: false, detail: `transaction ${openTxns[0]} was left open on the output topic, even after a broker restart${more(openTxns)}: read-committed readers wait behind it forever` };
  }
  if (lingered.length > 0) {
    const l = lingered[0]!;
    const s = (ms: number): string => `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} s`;
    return {
      name, ok: false,
      detail: `transaction ${l.txnId} was left open after the job finished, until the broker's transaction timeout (${s(l.timeoutMs)}) aborted it at ${s(l.atMs)}${more(lingered.map((x) => x.txnId))}: read-committed readers waited behind it for ${s(l.atMs - l.startMs)}`,
    };
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

/** The input record ids a drop event names (`ids`: comma-separated). */
function idsOf(e: TraceEvent): number[] {
  return String(e.ids).split(',').map(Number);
}

/** Notes that the records of drop event `e` were skipped for the window starting at `e.start`, at `time` (the highest kept). */
function noteWindowDrop(dropped: Map<number, { windows: Set<number>; streamTime: number }>, e: TraceEvent, time: number): void {
  for (const id of idsOf(e)) {
    const d = dropped.get(id) ?? { windows: new Set<number>(), streamTime: Number.MIN_SAFE_INTEGER };
    d.windows.add(e.start as number);
    d.streamTime = Math.max(d.streamTime, time);
    dropped.set(id, d);
  }
}

/** A process's disk as it would survive a crash, as a read-only Disk (an offline reader's view, with no effect on the run). */
function readOnlyDurable(disk: SimDisk): Disk {
  const refuse = (): never => {
    throw new Error('a durable view of a disk is read-only');
  };
  return {
    read: (path) => disk.durableContent(path),
    readFrames: (path) => disk.durableFrameContent(path),
    list: (prefix) => disk.durablePaths().filter((p) => p.startsWith(prefix)),
    write: refuse, append: refuse, fsync: refuse, rename: refuse, delete: refuse, appendFrame: refuse, writeFrames: refuse,
  };
}

/** A process's disk as it would survive a crash, read without side effects. */
function durableView(disk: SimDisk): DurableView {
  return {
    read: (path) => disk.durableContent(path),
    readFrames: (path) => disk.durableFrameContent(path),
    list: (prefix) => disk.durablePaths().filter((p) => p.startsWith(prefix)),
  };
}

/**
 * The input records of each partition, in the order they arrived. A function of its own, so that
 * `runScenario` has no loop: with this one inside, V8 compiled the whole long function (about
 * 150 ms of compiler time per worker, docs/HISTORY.md).
 */
function splitByPartition(arrivals: Workload['arrivals'], partitions: number): InputRecord[][] {
  const out: InputRecord[][] = Array.from({ length: partitions }, () => []);
  for (const a of arrivals) {
    const into = out[a.partition]!;
    const records = a.records as InputRecord[];
    for (let i = 0; i < records.length; i++) into.push(records[i]!);
  }
  return out;
}

function judge(
  scenario: Scenario, ci: CheckInput, wm: WatermarkChecker | undefined, recorded: TraceEvent[], finished: boolean, endReason: string, finishByMs: number, openTxns: string[],
  liveOpen: string[] | undefined, lateByGrace: LateRecord[], flink: boolean, pending: ReadonlySet<number> | undefined,
  resets: readonly WindowReset[] | undefined, lingered: readonly Lingered[],
): CheckResult[] {
  const { input, output, canBeLate } = ci;
  const checks: CheckResult[] = [];
  checks.push(livenessCheck(finished, endReason, finishByMs, openTxns, liveOpen, lingered));
  if (scenario.window) {
    const results = output.filter((o): o is WindowResult => o.type === 'window');
    const late = [...output.filter((o): o is LateRecord => o.type === 'late'), ...lateByGrace];
    const account = { canBeLate, ...(pending ? { pending } : {}), ...(resets?.length ? { resets } : {}) };
    checks.push(checkExactlyOnceWindows(input, results, late, scenario.window, account));
    // Under at-least-once the duplicates above are what was asked for; what must still hold is that nothing was lost.
    if (ci.guarantee === 'at-least-once') checks.push(checkExactlyOnceWindows(input, results, late, scenario.window, { ...account, atLeastOnce: true }));
    // Flink's results carry their pane; under exactly-once each is committed once, numbered in order.
    if (flink && ci.guarantee === 'exactly-once') checks.push(checkWindowPanes(results, scenario.window));
    if (wm) checks.push(...wm.finish(input, results, scenario.window));
  }
  if (scenario.check) checks.push(...scenario.check(ci));
  if (flink) checks.push(checkRestoreHashes(recorded), checkRestoresCompleted(recorded));
  return checks;
}

/**
 * Kafka Streams' own checks: grace decisions (window scenarios), suppress (when the topology
 * suppresses), restored stores against the committed changelogs, and (under exactly-once)
 * zombies. The changelogs are read offline as they stood when the job finished: the world then
 * runs on until it is idle, and that includes the log cleaner's wait for the tombstones'
 * delete horizon (delete.retention.ms, a day of virtual time), after which they are gone.
 */
function kstreamsChecks(t: KStreamsTrace, log: OfflineLog, output: readonly OutputRecord[], guarantee: string, windowed: boolean): CheckResult[] {
  const topics = new Map<string, ChangelogRecord[][]>();
  const changelog = (topic: string, partition: number): readonly ChangelogRecord[] => {
    let parts = topics.get(topic);
    if (parts === undefined) {
      parts = log.read(topic, 'read_committed').map((p) => p.map((r) => {
        const c = r.value as { key: string; value: unknown; ts: number };
        return { offset: r.offset, key: c.key, value: c.value, ts: c.ts };
      }));
      topics.set(topic, parts);
    }
    return parts[partition] ?? [];
  };
  const checks: CheckResult[] = windowed ? [checkGrace(t)] : [];
  if (t.resetCount > 0 || t.hiddenSessionCount > 0) checks.push(checkRetention(t));
  if (t.suppressEmits > 0) checks.push(checkSuppress(t, output.filter((o): o is WindowResult => o.type === 'window')));
  checks.push(checkRestores(t, changelog));
  if (guarantee === 'exactly-once') checks.push(checkZombies(t));
  return checks;
}

/**
 * The records a Kafka Streams windowed aggregate skipped for every one of their windows, as late
 * records with the watermark that makes Flink's lateness rule the same decision as Kafka's grace:
 * - time windows: dropped iff `end + grace <= streamTime`, Flink's `end - 1 + lateness <= W` with
 *   W = streamTime - 1; a record's windows are Kafka's (no negative starts, so the first records of
 *   a run have fewer than Flink's);
 * - sessions: dropped iff `mergedEnd < streamTime - grace - gap`. In Flink's terms the merged
 *   window ends at `mergedEnd + gap` and is late iff `mergedEnd + gap - 1 + lateness <= W`, the same
 *   decision exactly when W = streamTime - 2 (with streamTime - 1 a record dropped at equality
 *   would look on time by a millisecond to Flink).
 * A record counts only when no committed result holds it: after a crash the operator's stream time
 * starts again from nothing (it is not restored, KAFKA-7895), so a record an aborted attempt dropped
 * can be taken by the attempt that commits.
 * Spark's drops come in the same form, at the late watermark + the lateness, judged at W = that − 1
 * for windows and sessions alike (its windows may start below 0: `kafkaWindows` false): a window is
 * dropped iff `end <= wmLate`, Flink's `end - 1 + lateness <= W`; a session row iff `ts + gap <=
 * wmLate`, Flink's rule for its proto-window `[ts, ts + gap)` at the same W (`sessionOffset` 1).
 */
function droppedByGrace(
  input: readonly InputRecord[], dropped: ReadonlyMap<number, { windows: ReadonlySet<number>; streamTime: number }>, spec: WindowSpec, output: readonly OutputRecord[],
  opts: { kafkaWindows: boolean; sessionOffset: number } = { kafkaWindows: true, sessionOffset: 2 },
): LateRecord[] {
  const { kafkaWindows, sessionOffset } = opts;
  const out: LateRecord[] = [];
  if (dropped.size === 0) return out;
  const inResults = new Set<number>();
  for (const o of output) if (o.type === 'window') for (const id of o.ids) if (dropped.has(id)) inResults.add(id);
  const session = spec.assigner.kind === 'session';
  for (const r of input) {
    const d = dropped.get(r.id);
    if (d === undefined || inResults.has(r.id)) continue;
    const all = session ? 1 : windowsOf(spec.assigner, r.ts).filter((w) => !kafkaWindows || w.start >= 0).length;
    if (d.windows.size >= all) out.push({ type: 'late', id: r.id, key: r.key, ts: r.ts, watermark: d.streamTime - (session ? sessionOffset : 1), record: r });
  }
  return out;
}

/**
 * When each input record first became visible downstream: the time of the first reader fetch that
 * returned a committed result holding its id (in its lineage, or as the record a keyed update or a
 * join pair names).
 */
function visibilityOf(workload: Workload, committed: readonly (readonly { offset: number; value: unknown }[])[], fetches: readonly ReaderFetch[]): NonNullable<RunReport['visibility']> {
  const seenAt = new Map<string, number>();
  for (const f of fetches) {
    for (const o of f.offsets) {
      const k = `${f.partition}:${o}`;
      if (!seenAt.has(k)) seenAt.set(k, (f as unknown as { t: number }).t);
    }
  }
  const visible = new Map<number, number>();
  const note = (id: number, t: number): void => {
    const v = visible.get(id);
    if (v === undefined || t < v) visible.set(id, t);
  };
  committed.forEach((records, p) => {
    for (const r of records) {
      const t = seenAt.get(`${p}:${r.offset}`);
      if (t === undefined) continue;
      const o = r.value as OutputRecord;
      if (o.type === 'window' || o.type === 'table') for (const id of o.ids) note(id, t);
      else if (o.type === 'update' || o.type === 'mapped') note(o.id, t);
      else if (o.type === 'join') { note(o.leftId, t); note(o.rightId, t); }
      else if (o.type === 'unmatched') note(o.id, t);
    }
  });
  const out: NonNullable<RunReport['visibility']> = [];
  for (const a of workload.arrivals) for (const r of a.records as InputRecord[]) out.push({ id: r.id, arrivalMs: a.atMs, visibleMs: visible.get(r.id) });
  return out;
}
