/**
 * Coverage of "sometimes" edges: rare situations a sweep should reach at
 * least once, or its seeds prove little (the "sometimes" assertions of
 * Antithesis and TigerBeetle). Each edge is counted from one run's trace
 * events (and, for the input-record edge, its workload), so the counts are
 * as deterministic as the run; a sweep sums them over its runs.
 *
 * Edges, precisely:
 * - `record.at-window-end`: an input record whose timestamp is the last
 *   millisecond (`end - 1`) of a window it belongs to (tumbling, sliding).
 * - `record.late-by-1ms`: a record dropped as late (`record.late`) that one
 *   millisecond less of watermark would have let in: for windows, the
 *   watermark equals the cleanup time (`end - 1 + allowed lateness`) of the
 *   record's last window (for sessions, its own proto-session); for an
 *   interval join (late when `ts < wm`), `ts == wm - 1`.
 * - `record.within-lateness`: a record joining a window the watermark had
 *   already passed, within allowed lateness (`window.late`, a late firing).
 * - `record.at-lateness-bound`: such a record at the very last watermark the
 *   lateness still allows (`wm == end - 1 + lateness - 1`).
 * - `crash.precommit-before-commit`: a task manager crashes while a sink
 *   transaction of one of its tasks is pre-committed and not yet committed
 *   or aborted.
 * - `barrier.mid-alignment`: a task receives a barrier after another of its
 *   channels delivered the same checkpoint's barrier at an earlier virtual
 *   time, while it is still aligning.
 * - `barrier.newer-mid-alignment`: a task that is aligning checkpoint `n`
 *   (its barrier came on some channel, and the task has neither aligned nor
 *   aborted `n` since) receives a barrier of a newer checkpoint: Flink's
 *   barrier handler then aborts `n` (declined as subsumed). A barrier no
 *   newer than one the task already aligned or aborted is obsolete and
 *   starts nothing.
 * - `checkpoint.skipped-after-abort`: a task reaches a checkpoint (its
 *   barriers are in, or its trigger comes) that the coordinator had
 *   already aborted and told it of (`notifyCheckpointAborted`), and skips
 *   it: no snapshot, a cancellation marker instead of the barrier.
 * - `txn.fenced`: the log fences a zombie producer's transaction.
 * - `corrupt.snapshot-read`: the checkpoint store finds a snapshot it reads
 *   for a restoring task failing its checksum (and refuses to hand it out).
 * - `corrupt.log-read`: the log broker's recovery finds a segment, the
 *   transaction log or the topics file failing its checksum on a read (any
 *   engine: every engine's input, output and internal topics are there).
 *
 * Not an edge: a restore from a checkpoint older than the newest completed
 * one. A sweep once reached it (regression 12 in
 * test/explore/regressions.test.ts, a window's result lost), and since the
 * store fences commits of attempts older than the newest recovery no run
 * can: the store keeps only the newest completed checkpoint and answers a
 * recovery with it or with a retry. A restore that went back would replay
 * committed transactions, which the exactly-once checks catch; as an edge it
 * only printed "never hit" under every Flink sweep.
 *
 * Kafka Streams' edges:
 * - `ks.crash-mid-commit`: an instance crashes after its thread's offsets
 *   joined the open transaction and before the transaction ended.
 * - `ks.rebalance-during-restore`: an instance's tasks are revoked while one
 *   of them is still restoring its stores.
 * - `ks.zombie-fenced-by-generation`: the group refuses a transactional
 *   offset commit of a member from an older generation (or one it removed).
 * - `ks.grace-by-1ms`: a record skipped for a window whose `end + grace` is
 *   exactly the aggregate's stream time.
 * - `ks.state-dir-corrupt`: an instance finds a task's state directory (its
 *   `.checkpoint` or a store file) failing its checksum at task init, wipes
 *   it and restores the stores from their changelogs.
 * - `ks.window-restarted`: after a restore, a time window's aggregate finds
 *   nothing where its store holds a value the store's retention hides, and
 *   starts the window afresh (`ks.window.expired`).
 * - `ks.session-hidden`: after a restore, a session aggregate's lookup
 *   passes over a restored session within the record's gap that the store's
 *   retention hides, and the record does not merge with it
 *   (`ks.session.expired`).
 *
 * Spark's edges:
 * - `spark.batch-rerun`: a restarted driver re-runs a batch that had an
 *   offset log entry and no commit.
 * - `spark.sink-skip`: a sink skips a batch its marker shows committed.
 * - `spark.task-retry`: a task goes to another executor after no answer.
 * - `spark.late-at-watermark`: a row dropped with `window.end` exactly at the
 *   late watermark.
 * - `spark.store-corrupt`: the checkpoint location finds a file it reads —
 *   an offset or commit log entry, a state delta or snapshot — failing its
 *   checksum, answers "corrupt" and the reader asks again, never trusting it.
 *
 * The record-at-window-end edge is a property of the input and applies to
 * every engine; the others to their own engine only.
 */
import { subscriberFor, type TraceEvent, type TraceSubscriber } from '../runtime/trace-event.ts';
import type { InputRecord } from '../stream/records.ts';
import { assignWindows } from '../stream/assigners.ts';
import { StreamEnvironment } from '../engines/flink/api/environment.ts';
import { WindowOperator } from '../engines/flink/operators/window.ts';
import { IntervalJoinOperator } from '../engines/flink/operators/interval-join.ts';
import { SKIPPED_ABORTED } from '../engines/flink/runtime/task.ts';
import { kstreamsTopics } from '../engines/kstreams/deployment.ts';
import { spark } from '../engines/spark/dsl.ts';
import { judgedOn, type EngineName, type Scenario } from '../../scenarios/types.ts';

export const EDGES = [
  'record.at-window-end',
  'record.late-by-1ms',
  'record.within-lateness',
  'record.at-lateness-bound',
  'crash.precommit-before-commit',
  'barrier.mid-alignment',
  'barrier.newer-mid-alignment',
  'checkpoint.skipped-after-abort',
  'txn.fenced',
  'corrupt.snapshot-read',
  'corrupt.log-read',
  'ks.crash-mid-commit',
  'ks.rebalance-during-restore',
  'ks.zombie-fenced-by-generation',
  'ks.grace-by-1ms',
  'ks.state-dir-corrupt',
  'ks.window-restarted',
  'ks.session-hidden',
  'ks.txn-timeout',
  'spark.batch-rerun',
  'spark.sink-skip',
  'spark.task-retry',
  'spark.late-at-watermark',
  'spark.store-corrupt',
] as const;

export type Edge = (typeof EDGES)[number];
export type EdgeCounts = Record<Edge, number>;

export const EDGE_TEXT: Readonly<Record<Edge, string>> = {
  'record.at-window-end': "a record at a window's last millisecond",
  'record.late-by-1ms': 'a record dropped as late by exactly 1 ms',
  'record.within-lateness': 'a record inside allowed lateness (late firing)',
  'record.at-lateness-bound': 'a record at the last millisecond of allowed lateness',
  'crash.precommit-before-commit': 'a crash between pre-commit and commit',
  'barrier.mid-alignment': 'a barrier arriving mid-alignment',
  'barrier.newer-mid-alignment': "a newer checkpoint's barrier mid-alignment",
  'checkpoint.skipped-after-abort': 'a task skipping an aborted checkpoint',
  'txn.fenced': 'a fenced zombie transaction',
  'corrupt.snapshot-read': 'a corrupt snapshot read detected',
  'corrupt.log-read': 'a corrupt log read detected',
  'ks.crash-mid-commit': 'a crash mid-commit (offsets in the open transaction)',
  'ks.rebalance-during-restore': 'a rebalance while a task restores',
  'ks.zombie-fenced-by-generation': 'a zombie fenced by the group generation',
  'ks.grace-by-1ms': 'a record dropped by exactly 1 ms of grace',
  'ks.state-dir-corrupt': 'a corrupt state directory found and restored',
  'ks.window-restarted': "a window restarted over a value its store's retention hid",
  'ks.session-hidden': "a session its store's retention hid from a record in its gap",
  'ks.txn-timeout': "a transaction left open by a crash, ended by the broker's timeout",
  'spark.batch-rerun': 'a batch re-run after a driver restart',
  'spark.sink-skip': 'a sink skipping a batch it had committed',
  'spark.task-retry': 'a task sent to another executor',
  'spark.late-at-watermark': 'a row dropped exactly at the late watermark',
  'spark.store-corrupt': 'a corrupt checkpoint-location read detected',
};

/** The engine an edge belongs to (undefined: every engine). */
function edgeEngine(edge: Edge): string | undefined {
  if (edge === 'record.at-window-end' || edge === 'corrupt.log-read') return undefined;
  if (edge.startsWith('ks.')) return 'kstreams';
  if (edge.startsWith('spark.')) return 'spark';
  return 'flink';
}

export function zeroCounts(): EdgeCounts {
  return Object.fromEntries(EDGES.map((e) => [e, 0])) as EdgeCounts;
}

/**
 * The edges a scenario can reach at all: record edges need windows (or, for
 * the late-by-1ms edge, some operator that drops late records); a session
 * window has no fixed last millisecond a record could sit on.
 */
export function applicableEdges(named: Scenario, engine = 'flink'): Edge[] {
  const scenario = judgedOn(named, engine as EngineName);
  const assigner = scenario.window?.assigner;
  const dropsLate = scenario.window !== undefined || hasLateDroppingOperator(scenario);
  return edgesOf(engine).filter((edge) => {
    switch (edge) {
      case 'ks.grace-by-1ms':
      case 'spark.late-at-watermark':
        return scenario.window !== undefined;
      case 'ks.state-dir-corrupt':
        return hasKStreamsStores(scenario);
      case 'ks.txn-timeout':
        // With stores, a restart initialises the same transactional id again as its first task starts, aborting
        // the transaction then (a restarted instance given no active task leaves it to the timeout; not counted).
        return !hasKStreamsStores(scenario);
      case 'ks.window-restarted':
        return assigner !== undefined && assigner.kind !== 'session';
      case 'ks.session-hidden':
        return assigner?.kind === 'session';
      case 'spark.sink-skip':
        // A memory sink's table never sees a batch twice: a batch runs again only after a driver restart, which starts a new table.
        return scenario.engines.spark?.build(spark, scenario.defaults, { guarantee: 'exactly-once' }).plan.sink.format !== 'memory';
      case 'record.at-window-end':
        return assigner !== undefined && assigner.kind !== 'session';
      case 'record.late-by-1ms':
        return dropsLate;
      case 'record.within-lateness':
      case 'record.at-lateness-bound':
        return scenario.window !== undefined && scenario.window.allowedLatenessMs > 0;
      default:
        return true;
    }
  });
}

/** The edges of an engine (and those of every engine). */
export function edgesOf(engine: string): Edge[] {
  return EDGES.filter((e) => edgeEngine(e) === undefined || edgeEngine(e) === engine);
}

/** Whether the scenario's Kafka Streams topology has a state store (a stateless one keeps no state directory). */
function hasKStreamsStores(scenario: Scenario): boolean {
  const build = scenario.engines.kstreams;
  if (build === undefined) return false;
  return kstreamsTopics({ build, sizes: scenario.defaults, topics: {} }).changelogs.length > 0;
}

function hasLateDroppingOperator(scenario: Scenario): boolean {
  const build = scenario.engines.flink;
  if (build === undefined) return false;
  const env = new StreamEnvironment({ parallelism: 1 });
  build.build(env, { ...scenario.defaults, parallelism: 1 });
  return env.graph.nodes.some((n) => {
    const op = n.create();
    return op instanceof WindowOperator || op instanceof IntervalJoinOperator;
  });
}

/** Counts the edges of one run: pass `scenario` and `subscriber` to `runScenario`, then call `finish`. */
export class CoverageProbe {
  readonly scenario: Scenario;
  readonly subscriber: TraceSubscriber;
  private readonly counts = zeroCounts();
  private records: readonly InputRecord[] = [];
  /** Pre-committed, not yet settled sink transactions by process. */
  private readonly open = new Map<string, Set<string>>();
  /** Per task attempt: the checkpoint it is aligning, when its first barrier came, which channels delivered it. */
  private readonly aligning = new Map<string, { checkpoint: number; sinceMs: number; channels: Set<number> }>();
  /** Per task attempt: the checkpoint it is aligning (-1: none), and the newest one it aligned, aborted or started. */
  private readonly pendingAlign = new Map<string, { pending: number; newest: number }>();
  /** Kafka Streams: transactional ids whose offsets joined their open transaction. */
  private readonly offsetsInTxn = new Set<string>();
  /** Kafka Streams: transactional id → the instance whose producer holds it (from `ks.producer`). */
  private readonly txnOwner = new Map<string, string>();
  /** Kafka Streams: per instance, its tasks not yet running (restoring). */
  private readonly restoring = new Map<string, Set<string>>();

  constructor(private readonly base: Scenario) {
    // The workload is captured as the run draws it: the input-record edge is a property of the input.
    this.scenario = {
      ...base,
      workload: (rng, sizes) => {
        const w = base.workload(rng, sizes);
        this.records = w.records;
        return w;
      },
    };
    this.subscriber = subscriberFor(CoverageProbe.KINDS, (e) => this.onEvent(e));
  }

  finish(): EdgeCounts {
    const assigner = this.base.window?.assigner;
    if (assigner && assigner.kind !== 'session') {
      for (const r of this.records) {
        if (assignWindows(assigner, r.ts).some((w) => w.end - 1 === r.ts)) this.counts['record.at-window-end']++;
      }
    }
    return { ...this.counts };
  }

  /** The kinds `onEvent` reads. */
  private static readonly KINDS: readonly string[] = ['record.late', 'window.late', 'txn.precommit', 'txn.commit', 'txn.abort', 'proc.crash', 'barrier.receive', 'barrier.align', 'checkpoint.abort', 'txn.fenced', 'disk.corrupt', 'group.txnOffsets', 'ks.assigned', 'ks.running', 'ks.revoked', 'ks.lost', 'group.fenced', 'record.dropped', 'ks.window.expired', 'ks.session.expired', 'ks.producer', 'txn.timeout', 'spark.restart', 'spark.sink.skip', 'spark.task.retry', 'spark.late'];

  private onEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'record.late':
        if (this.lateByOneMs(e.ts as number, e.wm as number)) this.counts['record.late-by-1ms']++;
        break;
      case 'window.late': {
        this.counts['record.within-lateness']++;
        const lateness = this.base.window?.allowedLatenessMs ?? 0;
        if ((e.wm as number) === (e.end as number) - 1 + lateness - 1) this.counts['record.at-lateness-bound']++;
        break;
      }
      case 'txn.precommit':
        if (typeof e.task === 'string') this.openTxns(e.p).add(e.txn as string);
        break;
      case 'txn.commit':
      case 'txn.abort':
        if (typeof e.task === 'string') this.open.get(e.p)?.delete(e.txn as string);
        break;
      case 'proc.crash':
        if ((this.open.get(e.p)?.size ?? 0) > 0) this.counts['crash.precommit-before-commit']++;
        this.open.delete(e.p);
        break;
      case 'barrier.receive':
        this.onBarrier(e);
        break;
      case 'barrier.align':
        this.aligning.delete(`${e.task as string}#${e.attempt as number}`);
        this.alignmentEnded(e);
        break;
      case 'checkpoint.abort':
        if (typeof e.task === 'string') this.alignmentEnded(e);
        if (e.reason === SKIPPED_ABORTED) this.counts['checkpoint.skipped-after-abort']++;
        break;
      case 'txn.fenced':
        this.counts['txn.fenced']++;
        break;
      case 'disk.corrupt':
        if (e.detectedBy === 'checkpoint.store') this.counts['corrupt.snapshot-read']++;
        else if (e.detectedBy === 'log.recovery') this.counts['corrupt.log-read']++;
        else if (e.detectedBy === 'ks.state-dir') this.counts['ks.state-dir-corrupt']++;
        else if (e.detectedBy === 'spark.store') this.counts['spark.store-corrupt']++;
        break;
      case 'group.txnOffsets':
        this.offsetsInTxn.add(e.txnId as string);
        break;
      case 'ks.assigned':
        this.restoring.set(e.p, new Set(e.tasks as string[]));
        break;
      case 'ks.running':
        this.restoring.get(e.p)?.delete(e.task as string);
        break;
      case 'ks.revoked':
      case 'ks.lost':
        if ((this.restoring.get(e.p)?.size ?? 0) > 0) this.counts['ks.rebalance-during-restore']++;
        this.restoring.delete(e.p);
        break;
      case 'group.fenced':
        if (e.txn === true) this.counts['ks.zombie-fenced-by-generation']++;
        break;
      case 'record.dropped':
        // A time window closes at end + grace; a session once the stream time passes end + grace + gap.
        if (e.reason === 'expired-window' && typeof e.end === 'number' && (e.end as number) + (e.grace as number) + (e.gap === undefined ? 0 : (e.gap as number) + 1) === (e.streamTime as number)) this.counts['ks.grace-by-1ms']++;
        break;
      case 'ks.window.expired':
        this.counts['ks.window-restarted']++;
        break;
      case 'ks.session.expired':
        this.counts['ks.session-hidden']++;
        break;
      case 'ks.producer':
        this.txnOwner.set(e.transactionalId as string, e.p);
        break;
      case 'txn.timeout':
        if (this.txnOwner.has(e.txnId as string)) this.counts['ks.txn-timeout']++;
        break;
      case 'spark.restart':
        if (e.rerun === true) this.counts['spark.batch-rerun']++;
        break;
      case 'spark.sink.skip':
        this.counts['spark.sink-skip']++;
        break;
      case 'spark.task.retry':
        this.counts['spark.task-retry']++;
        break;
      case 'spark.late':
        if (e.end === e.wmLate) this.counts['spark.late-at-watermark']++;
        break;
    }
    // Kafka Streams: a crash between the offsets joining the transaction and its end.
    if (e.kind === 'txn.commit' || e.kind === 'txn.abort') this.offsetsInTxn.delete((e.txnId ?? e.txn) as string);
    if (e.kind === 'proc.crash' && e.p.startsWith('ks-') && [...this.offsetsInTxn].some((id) => this.txnOwner.get(id) === e.p)) this.counts['ks.crash-mid-commit']++;
    if (e.kind === 'proc.crash' && e.p.startsWith('ks-')) this.restoring.delete(e.p);
  }

  /** A task aligned or aborted a checkpoint: it aligns nothing up to that one any more. */
  private alignmentEnded(e: TraceEvent): void {
    const key = `${e.task as string}#${e.attempt as number}`;
    const checkpoint = e.checkpoint as number;
    const p = this.pendingAlign.get(key);
    if (p === undefined) this.pendingAlign.set(key, { pending: -1, newest: checkpoint });
    else {
      if (checkpoint >= p.pending) p.pending = -1;
      p.newest = Math.max(p.newest, checkpoint);
    }
  }

  private lateByOneMs(ts: number, wm: number): boolean {
    const spec = this.base.window;
    if (!spec) return ts === wm - 1;
    const lastMaxTs = Math.max(...assignWindows(spec.assigner, ts).map((w) => w.end - 1));
    return lastMaxTs + spec.allowedLatenessMs === wm;
  }

  private openTxns(process: string): Set<string> {
    let set = this.open.get(process);
    if (!set) this.open.set(process, (set = new Set()));
    return set;
  }

  private onBarrier(e: TraceEvent): void {
    const key = `${e.task as string}#${e.attempt as number}`;
    const checkpoint = e.checkpoint as number;
    const ch = e.ch as number;
    const p = this.pendingAlign.get(key);
    if (p === undefined) this.pendingAlign.set(key, { pending: checkpoint, newest: checkpoint });
    else if (checkpoint > p.newest) {
      if (p.pending >= 0) this.counts['barrier.newer-mid-alignment']++;
      p.pending = checkpoint;
      p.newest = checkpoint;
    }
    const st = this.aligning.get(key);
    if (!st || st.checkpoint !== checkpoint) {
      this.aligning.set(key, { checkpoint, sinceMs: e.t, channels: new Set([ch]) });
      return;
    }
    if (!st.channels.has(ch) && e.t > st.sinceMs) this.counts['barrier.mid-alignment']++;
    st.channels.add(ch);
  }
}

/** Adds `b` into `a`. */
export function addCounts(a: EdgeCounts, b: EdgeCounts): void {
  for (const edge of EDGES) a[edge] += b[edge];
}
