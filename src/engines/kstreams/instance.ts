/**
 * A Kafka Streams application instance as a simulated process, with one
 * stream thread (parts K2, K10–K13 of the semantics).
 *
 * The thread's life: join the consumer group of the application at once.
 * Under exactly-once its transactional producer, whose transactional id is
 * `<app>-<process id>-<thread index>` with `transaction.timeout.ms` 10 s
 * (StreamsConfig's exactly-once override), initialises only when its first
 * task is initialised (`StreamTask.initializeIfNeeded` →
 * `RecordCollectorImpl.initialize` → `StreamsProducer.initTransaction`). An
 * application with stores keeps its process id in its state directory
 * (Kafka's `StateDirectory.initializeProcessId`; weir names it after the
 * instance, `ks-0`), so a restarted instance initialises the same id again
 * as its first task starts and fences its own zombie (one given no active
 * task leaves its predecessor's transaction to the broker's timeout). A
 * stateless application has no state directory and takes a fresh process
 * id at every start (weir: `ks-0.<start number>`), so
 * its restart does not fence the transaction its predecessor left open: that
 * one blocks read-committed readers, and the offsets it carried block the
 * next owner's offset fetch (UNSTABLE_OFFSET_COMMIT), until the broker's
 * transaction timeout aborts it. On each assignment: build the tasks
 * (the producer initialised first if it is not yet), load their stores from
 * the state directory (state-dir.ts) and restore each from its changelog
 * (read committed under exactly-once) after the offset the directory
 * vouched for, or from the beginning, fetch the committed offsets with their
 * partition time, then poll → process → punctuate → commit every
 * `commitIntervalMs`.
 *
 * A commit (K11) flushes every task's caches, then, under exactly-once v2,
 * sends the offsets to the thread's one open transaction with the group
 * metadata (so a stale generation is fenced) and commits it: output,
 * changelog and repartition records and the offsets become visible
 * together. Under at-least-once the producer is flushed and the offsets
 * committed after it. After the commit each task may checkpoint (K10): the
 * stores flushed to their files and `.checkpoint` written, by Kafka's
 * offset-delta rule (state-dir.ts); standbys likewise. A fenced or failed commit is Kafka's TaskMigrated:
 * every task is closed dirty (its state dropped), the transaction aborted,
 * the producer reset and the group joined again (a new epoch at the next task).
 * After an interval commit, at most every `repartitionPurgeIntervalMs`, the
 * records of repartition topics below the running tasks' consumed offsets
 * (what the commit committed) are deleted (K9: `StreamThread.maybeCommit`,
 * `TaskManager.maybePurgeCommittedRecords`), one delete-records request set
 * at a time.
 *
 * Tasks follow the assignment: each join carries the instance's
 * subscription (process id, sub-topologies, task offset sums), the group's
 * task assignor (src/log/task-assignor.ts, Kafka's
 * HighAvailabilityTaskAssignor) answers with this member's active and
 * standby tasks, and the instance runs those. Rebalances are eager: every
 * task is committed and suspended on revocation, resumed if it is given
 * back, and otherwise closed and restored again wherever it lands.
 *
 * A Streams application never ends by itself. The instance reports `ks.quiet`
 * once it has nothing buffered, nothing uncommitted, and every input it
 * reads is sealed and consumed (repartition inputs: fetched to the end),
 * for `quietMs`; the deployment ends the run when every instance is quiet in
 * one generation, and then asks each to close (`ks.shutdown`).
 */
import { ThreadLoop, type LoopPhases } from './thread-loop.ts';
import type { ProcessContext, ProcessFactory, ProcessLogic, TimerHandle } from '../../runtime/types.ts';
import { flatMapped } from '../../runtime/arrays.ts';
import { LogClient, partitionLag, type Cancel, type FetchResult } from '../../log/client.ts';
import { GroupMember } from '../../log/group-member.ts';
import { DEFAULT_MAX_WARMUP_REPLICAS, LATEST_OFFSET, type OffsetAndMetadata, type StreamsSubscription, type StreamsTasks, type TopicPartition } from '../../log/protocol.ts';
import { partitionForKey } from '../../stream/partition.ts';
import { StreamTask, type CommittableOffset } from './task.ts';
import type { PersistedEntry, StateStore } from './stores.ts';
import { NO_BUGS, type KStreamsBugs } from './bugs.ts';
import { changelogTopic, type SubTopology, type Topology } from './topology.ts';
import type { KafkaStreamsState, LocalStore, QueryableThread, QueryRegistry } from './queries.ts';
import {
  changelogOffsets, checkpointNeeded, deleteCheckpoint, dirNonEmpty, persistStore, readCheckpoint, readStore, rewriteStore, taskDir, wipeDir, writeCheckpoint,
  type CheckpointEntry,
} from './state-dir.ts';

export interface KStreamsSettings {
  applicationId: string;
  guarantee: 'exactly-once' | 'at-least-once';
  /** `commit.interval.ms`: Kafka's default is 100 under exactly-once and 30,000 under at-least-once. */
  commitIntervalMs: number;
  pollMs: number;
  sessionTimeoutMs: number;
  /**
   * `max.poll.interval.ms`, which the consumer sends as its rebalance timeout: how long a rebalance
   * waits for this member to join again (it heartbeats meanwhile, so its session does not end).
   */
  maxPollIntervalMs: number;
  heartbeatIntervalMs: number;
  maxTaskIdleMs: number;
  caching: boolean;
  fetchMaxWaitMs: number;
  /** `max.poll.records`: records a fetch of one partition returns at most (Kafka Streams sets 1,000). */
  maxPollRecords: number;
  /** Records per produce batch. */
  batchRecords: number;
  /**
   * The producer's `linger.ms`: a batch that is not full goes out this long after its first record
   * (Kafka Streams sets 100 for its producers), or earlier, with a commit's flush or the ack of the
   * batch before it.
   */
  lingerMs: number;
  quietMs: number;
  /** `num.standby.replicas`: standby copies of each task's stores, on other instances (default 0). */
  standbyReplicas: number;
  /**
   * `acceptable.recovery.lag`: a client whose copy of a task's state is at most this many changelog
   * records behind counts as caught up on it for the task assignor (Kafka's 10,000, not scaled: it
   * counts records).
   */
  acceptableRecoveryLag: number;
  /**
   * `max.warmup.replicas`: how many warm-up replicas (standbys left on the client a moved task was
   * dealt to) one assignment may hand out (Kafka's 2).
   */
  maxWarmupReplicas: number;
  /**
   * `probing.rebalance.interval.ms`: how long after an assignment that moved tasks the group
   * rebalances again, to give warmed-up instances their tasks back.
   */
  probingRebalanceIntervalMs: number;
  /** `repartition.purge.interval.ms`: Kafka's default is 30,000; scaled down here as the other periodic timings are. */
  repartitionPurgeIntervalMs: number;
}

export const DEFAULT_KSTREAMS_SETTINGS: Omit<KStreamsSettings, 'applicationId' | 'guarantee'> = {
  commitIntervalMs: 100,
  pollMs: 100,
  sessionTimeoutMs: 1_000,
  // Kafka's 300 s against its 45 s session, scaled as the session is (45 s here is 1 s).
  maxPollIntervalMs: 6_667,
  heartbeatIntervalMs: 300,
  maxTaskIdleMs: 0,
  caching: true,
  fetchMaxWaitMs: 100,
  maxPollRecords: 1_000,
  batchRecords: 256,
  lingerMs: 100,
  quietMs: 500,
  standbyReplicas: 0,
  acceptableRecoveryLag: 10_000,
  maxWarmupReplicas: DEFAULT_MAX_WARMUP_REPLICAS,
  // Kafka's 600 s (10 minutes) against its 45 s session, scaled as the session is.
  probingRebalanceIntervalMs: 13_333,
  repartitionPurgeIntervalMs: 1_000,
};

/** What every instance of an application knows of it. */
export interface KStreamsApp {
  topology: Topology;
  /** Partitions of every topic the application reads or writes (inputs, outputs, repartition and changelog topics). */
  partitions: Record<string, number>;
  settings: KStreamsSettings;
  brokerId: string;
  /** The run's planted bugs. */
  bugs?: KStreamsBugs;
  /** Where each instance's stream thread registers for interactive queries (none: not queryable). */
  queries?: QueryRegistry;
}

/** After an offset fetch that stayed unstable through the client's retries, the next try (the consumer's retry.backoff.ms). */
const UNSTABLE_RETRY_MS = 100;

/**
 * `buffered.records.per.partition`: a source partition's fetching pauses once more than this many
 * of its records are buffered in the task, and resumes once processing brings the queue back to it
 * (`StreamTask.addRecords` pauses when the new size is above it; `StreamTask.process` resumes when
 * the size equals it).
 */
const MAX_BUFFERED_PER_PARTITION = 1_000;

interface RunningTask {
  task: StreamTask;
  /** `created`: assigned, not initialised yet (under exactly-once its producer's transactions come first). */
  state: 'created' | 'restoring' | 'running' | 'closed';
  /** Next offset to fetch, per source topic. */
  positions: Map<string, number>;
  /** Whether a fetch of the topic is in flight. */
  fetching: Set<string>;
  /** Source topics whose fetching is paused: more than `MAX_BUFFERED_PER_PARTITION` records buffered. */
  paused: Set<string>;
  /** While restoring: the stores whose restoration from the changelog has not finished yet. */
  storesLeft: number;
  /** The last fetch found the topic sealed and fully read (inputs) or returned nothing (repartition topics). */
  caughtUp: Map<string, boolean>;
  /** When a fetch last found the topic caught up (an unsealed repartition topic's answer goes stale). */
  caughtUpAt: Map<string, number>;
  lag: Map<string, number | undefined>;
  /** Planted bug `no-wipe-on-dirty-close`: the task runs on stores kept from a dirty close, and skips restoration. */
  kept: boolean;
  /** A task suspended by the last revocation and given back: its processors and open stores go on (`resume`). */
  resumed: boolean;
  /** A promoted standby's stores, or stores loaded from the state directory: per store, the changelog offset its restoration starts at. */
  from: Map<string, number>;
  /** The task's state directory (`state/<app>/<task>/`). */
  dir: string;
  /** The stores' changelog offsets at the last checkpoint (Kafka's `offsetSnapshotSinceLastFlush`); undefined until they are registered. */
  snapshot: Map<string, number> | undefined;
}

/** A task newly assigned or resumed, as the consumer sees it afresh: no positions, fetches, lags or caught-up topics yet. */
function createdTask(task: StreamTask, how: Pick<RunningTask, 'kept' | 'resumed' | 'from' | 'dir' | 'snapshot'>): RunningTask {
  return {
    task, state: 'created', positions: new Map(), fetching: new Set(), paused: new Set(), storesLeft: 0, caughtUp: new Map(), caughtUpAt: new Map(), lag: new Map(),
    ...how,
  };
}

/**
 * A standby task (K13): the task's stores, kept up to date from their changelog partitions by the
 * thread's restore consumer; its processors never run and it reads no input.
 */
interface StandbyTask {
  task: StreamTask;
  /** The task's state directory, as an active task's (a promoted standby's stores go on with it). */
  dir: string;
  /** As an active task's: the changelog offsets at the last checkpoint. */
  snapshot: Map<string, number> | undefined;
  /** Per store: the next changelog offset to fetch. */
  next: Map<string, number>;
  /** Stores whose last fetch reached the readable end of their changelog. */
  atEnd: Set<string>;
  /** Every store has reached the readable end once since the standby was assigned (its lag was then 0). */
  caughtUp: boolean;
  closed: boolean;
}

/** An active task suspended by a revocation: what a `resume` takes back. */
interface SuspendedTask {
  task: StreamTask;
  dir: string;
  snapshot: Map<string, number> | undefined;
}

interface Outgoing {
  topic: string;
  partition: number;
  batches: unknown[][];
  /** Per batch, per record: called with the record's offset once the batch is acknowledged (changelog records). */
  acks: (((offset: number) => void) | undefined)[][];
  inFlight: boolean;
  /** The linger timer of the batch being filled, while one is armed. */
  linger: TimerHandle | undefined;
}

/** Kafka Streams' `transaction.timeout.ms` under exactly-once (StreamsConfig's producer override; the producer's own default is 60 s). */
export const KS_TXN_TIMEOUT_MS = 10_000;

export function instanceProcess(app: KStreamsApp): ProcessFactory {
  return (ctx) => new StreamThread(ctx, app);
}

class StreamThread implements ProcessLogic, QueryableThread {
  private readonly client: LogClient;
  private readonly eos: boolean;
  private readonly txnId: string;
  private epoch = -1;
  /**
   * Kafka's `StreamsProducer.transactionInitialized`: the producer's transactions were initialised
   * (under exactly-once, at its first task's initialisation; a reset after lost tasks clears it).
   */
  private producerReady = false;
  /** Who waits for the InitProducerId in flight (none: no InitProducerId is in flight). */
  private initWaiters: (() => void)[] = [];
  /** Bumped by every producer reset, so the old producer's InitProducerId is not tried again after a failed answer (its request in flight is cancelled, `initCancel`). */
  private producerGen = 0;
  /** Forgets the InitProducerId in flight; a reset closes the old producer, which then sends nothing more. */
  private initCancel: Cancel | undefined;
  private member: GroupMember | undefined;
  private joins = 0;
  private generation = -1;
  private readonly tasks = new Map<string, RunningTask>();
  /** The record collector's partitions, in the order they were first written to. */
  private readonly out: Outgoing[] = [];
  /** The same, by topic and partition. */
  private readonly outByTopic = new Map<string, (Outgoing | undefined)[]>();
  private readonly seqs = new Map<string, number>();
  private flushWaiters: (() => void)[] = [];
  /**
   * A commit's transactional requests not answered yet (its offsets sent into the transaction, its
   * EndTxn), and who waits for them: an abort does not go out before them, as Kafka's producer has
   * one transactional request in flight at a time (`Sender` waits while the `TransactionManager`
   * has one).
   */
  private txnRequestsInFlight = 0;
  private txnRequestWaiters: (() => void)[] = [];
  private txnOpen = false;
  /**
   * The commit's offsets or its EndTxn came back PRODUCER_FENCED: Kafka's `TransactionManager` is
   * then in a fatal state, its `beginAbort` sends nothing (`StreamsProducer.abortTransaction`
   * swallows the error), and the producer is closed and made again. Cleared by the reset.
   */
  private producerFenced = false;
  private committing = false;
  /** Between a loss of the tasks and their dirty close: their flush is in flight, and nothing else runs. */
  private closingDirty = false;
  /** A commit or a dirty close is in flight: the thread processes, punctuates and commits nothing else. */
  private get busy(): boolean {
    return this.committing || this.closingDirty;
  }
  /** What waits for the dirty close: commits begun before the loss, their callers. */
  private afterDirtyClose: (() => void)[] = [];
  /** Commits asked for while one was in flight: run after it, in order. */
  private commitQueue: { force: boolean; then: () => void }[] = [];
  /** When the last interval commit ended (Kafka's `lastCommitMs`, 0 at start so the first loop commits). */
  private lastCommitMs = 0;
  /** When repartition records were last purged (Kafka's `lastPurgeMs`, 0 at start). */
  private lastPurgeMs = 0;
  /** Delete-records requests of the last purge not answered yet: a purge waits for them (Kafka's `deleteRecordsResult`). */
  private purgesInFlight = 0;
  private loopScheduled = false;
  /** The processing loop, whose round size (`numIterations`) adapts as Kafka's thread's does. */
  private readonly loop = new ThreadLoop();
  private readonly phases: LoopPhases = {
    process: (max) => this.processRound(max),
    punctuate: () => this.punctuate(),
    maybeCommit: () => this.maybeCommit(),
  };
  private tick: TimerHandle | undefined;
  /** The probing rebalance this instance was told to ask for (Kafka's `nextProbingRebalanceMs`); reset by every assignment. */
  private probe: TimerHandle | undefined;
  private quietSince: number | undefined;
  private reportedQuiet = false;
  private closed = false;
  /** Bumped whenever the tasks are dropped, so answers for the old ones are ignored. */
  private era = 0;
  private readonly bugs: KStreamsBugs;
  /** Planted bug `no-wipe-on-dirty-close`: the stores of tasks closed dirty, by task id, kept for their next assignment. */
  private readonly keptStores = new Map<string, ReadonlyMap<string, StateStore>>();
  /**
   * Tasks suspended by the last revocation (Kafka's SUSPENDED): committed, checkpointed, processors
   * closed, buffers cleared, stores open. The next assignment resumes the ones it gives back and
   * closes the rest; losing the tasks closes them dirty like running ones.
   */
  private readonly suspended = new Map<string, SuspendedTask>();
  /** Standby tasks by task id; they survive revocations and TaskMigrated (Kafka's handleLostAll keeps them). */
  private readonly standbys = new Map<string, StandbyTask>();
  /**
   * The restore consumer's standby changelogs are paused while an active task is restoring
   * (`StoreChangelogReader`: ACTIVE_RESTORING pauses them, `enforceRestoreActive`; STANDBY_UPDATING
   * resumes them once every active changelog has restored). Meanwhile each standby store's update
   * loop waits here, a fetch's reply that came in included.
   */
  private standbysPaused = false;
  /** The pause was traced (`ks.standbys-paused`, naming the standbys it holds); its end is traced too. */
  private standbyPauseTraced = false;
  private standbyWaiting: (() => void)[] = [];
  /** Per task directory: bumped when it is wiped or loaded, so a checkpoint still being written for older contents is dropped. */
  private readonly dirGen = new Map<string, number>();

  constructor(private readonly ctx: ProcessContext, private readonly app: KStreamsApp) {
    this.client = new LogClient(ctx, app.brokerId);
    this.eos = app.settings.guarantee === 'exactly-once';
    this.bugs = app.bugs ?? NO_BUGS;
    // Kafka's StateDirectory: a process id kept in the state directory when the topology has stores, else a fresh one.
    const processId = app.topology.stores.size > 0 ? ctx.id : `${ctx.id}.${ctx.incarnation}`;
    this.txnId = `${app.settings.applicationId}-${processId}-0`;
    ctx.trace.emit('ks.start', { incarnation: ctx.incarnation, guarantee: app.settings.guarantee });
    app.queries?.register(ctx.id, this);
    this.joinGroup();
    this.scheduleTick();
  }

  // ---- interactive queries (read only; see queries.ts) ------------------------------------------

  state(): KafkaStreamsState {
    if (this.closed) return 'NOT_RUNNING';
    if (this.member?.state !== 'stable') return 'REBALANCING';
    return [...this.tasks.values()].every((rt) => rt.state === 'running') ? 'RUNNING' : 'REBALANCING';
  }

  localStores(storeName: string): LocalStore[] {
    const out: LocalStore[] = [];
    for (const rt of this.tasks.values()) {
      const store = rt.task.stores.get(storeName);
      if (store !== undefined && rt.state !== 'closed') out.push({ task: rt.task.id, partition: rt.task.partition, active: true, running: rt.state === 'running', store });
    }
    for (const st of this.standbys.values()) {
      const store = st.task.stores.get(storeName);
      if (store !== undefined && !st.closed) out.push({ task: st.task.id, partition: st.task.partition, active: false, running: false, store });
    }
    return out;
  }

  onMessage(from: string, msg: unknown): void {
    if (this.client.handle(from, msg)) return;
    if ((msg as { kind?: string }).kind === 'ks.shutdown') this.shutdown();
  }

  // ---- producer -------------------------------------------------------------------------------

  /**
   * `StreamsProducer.initTransaction`, which `RecordCollectorImpl.initialize` calls as a task is
   * initialised (`StreamTask.initializeIfNeeded`): under exactly-once the producer initialises its
   * transactions once (InitProducerId: a new epoch, which fences the id's earlier holders and
   * aborts what they left open), then `then`. A failed try is tried again a little later (Kafka:
   * the task stays CREATED and the next loop tries again). After lost tasks the producer is reset
   * (`resetProducer`) and initialises again at its next task, after the rejoin.
   */
  private initProducer(then: () => void): void {
    if (!this.eos || this.producerReady) return then();
    this.initWaiters.push(then);
    if (this.initWaiters.length > 1) return; // one is in flight already
    const gen = this.producerGen;
    const attempt = (): void => {
      this.initCancel = this.client.initTxn(this.txnId, (r) => {
        this.initCancel = undefined;
        if (this.closed || gen !== this.producerGen) return;
        if (!r.ok) {
          this.ctx.timers.after(100, () => {
            if (!this.closed && gen === this.producerGen) attempt();
          });
          return;
        }
        this.producerReady = true;
        this.epoch = r.epoch;
        this.txnOpen = false;
        this.ctx.trace.emit('ks.producer', { transactionalId: this.txnId, epoch: r.epoch });
        const waiting = this.initWaiters;
        this.initWaiters = [];
        for (const w of waiting) w();
      }, KS_TXN_TIMEOUT_MS);
    };
    attempt();
  }

  /** The producer's epoch for a transactional request; only a running task's work sends one, and its producer is initialised. */
  private readyEpoch(): number {
    if (!this.producerReady) throw new Error(`kstreams: ${this.ctx.id} sends under ${this.txnId} before its producer initialised its transactions`);
    return this.epoch;
  }

  /**
   * `StreamsProducer.resetProducer` (`handleLostAll` under exactly-once): the old producer is
   * closed and a new one made, with the same transactional id, not initialised until its next task.
   */
  private resetProducer(): void {
    if (!this.eos) return;
    this.producerGen++;
    this.producerReady = false;
    this.forgetInit();
    this.epoch = -1;
    this.txnOpen = false;
    this.producerFenced = false;
  }

  /** The producer is closed (reset or shut down): an InitProducerId it still has in flight is not sent again, and nobody waits for it. */
  private forgetInit(): void {
    this.initCancel?.();
    this.initCancel = undefined;
    this.initWaiters = [];
  }

  /** The record collector: buffers per partition, one batch in flight per partition. */
  private send(topic: string, partition: number | undefined, key: string | null, value: unknown, onOffset?: (offset: number) => void): void {
    const n = this.app.partitions[topic];
    if (n === undefined) throw new Error(`kstreams: the application writes to ${topic}, which it has no partition count for`);
    const p = partition ?? partitionForKey(key ?? '', n);
    let byPartition = this.outByTopic.get(topic);
    if (byPartition === undefined) this.outByTopic.set(topic, (byPartition = []));
    let o = byPartition[p];
    if (o === undefined) {
      o = byPartition[p] = { topic, partition: p, batches: [[]], acks: [[]], inFlight: false, linger: undefined };
      this.out.push(o);
    }
    const last = o.batches[o.batches.length - 1]!;
    if (last.length >= this.app.settings.batchRecords) {
      o.batches.push([value]);
      o.acks.push([onOffset]);
    } else {
      last.push(value);
      o.acks[o.acks.length - 1]!.push(onOffset);
    }
    if (o.batches.length > 1) this.sendNext(o);
    else if (!o.inFlight && o.linger === undefined) {
      // A batch not yet full waits `linger.ms` for more records (the ack of a batch in flight sends it sooner).
      const era = this.era;
      o.linger = this.ctx.timers.after(this.app.settings.lingerMs, () => {
        o.linger = undefined;
        if (era === this.era) this.sendNext(o);
      });
    }
  }

  private sendNext(o: Outgoing): void {
    const { topic, partition } = o;
    if (o.inFlight || o.batches.length === 0 || o.batches[0]!.length === 0) {
      if (!o.inFlight) this.maybeFlushed();
      return;
    }
    if (o.linger !== undefined) {
      o.linger.cancel();
      o.linger = undefined;
    }
    const records = o.batches.shift()!;
    const acks = o.acks.shift()!;
    if (o.batches.length === 0) {
      o.batches.push([]);
      o.acks.push([]);
    }
    o.inFlight = true;
    const era = this.era;
    const seqKey = `${topic}\u0000${partition}`;
    const seq = this.seqs.get(seqKey) ?? 0;
    this.seqs.set(seqKey, seq + 1);
    if (this.eos) this.txnOpen = true;
    // Kafka's producers are idempotent by default (enable.idempotence, which Kafka Streams leaves on
    // under at-least-once too): a retried batch is not appended twice. A non-transactional producer
    // gets a new producer id when it starts, so this incarnation's is its own.
    const opts = this.eos
      ? { txn: { id: this.txnId, epoch: this.readyEpoch() }, producer: { id: `${this.txnId}-e${this.epoch}`, seq } }
      : { producer: { id: `${this.ctx.id}#${this.ctx.incarnation}`, seq } };
    this.client.produce(topic, partition, records, opts, (r) => {
      if (era !== this.era) return;
      o.inFlight = false;
      if (!r.ok && this.closingDirty) {
        // The dirty close's flush swallows a failed send (`closeTaskDirty`): the batch is given up.
        this.sendNext(o);
        return;
      }
      if (!r.ok) {
        // Fenced (Kafka's TaskMigrated), or the client gave up after its resends (about 200 s): weir
        // takes both as lost tasks. Kafka makes a timed-out send TaskCorrupted, closing only that
        // task dirty and rejoining with the same member id (docs/FIDELITY.md); no run gets there.
        this.lostAll(`produce to ${topic}/${partition} failed: ${r.code}`);
        return;
      }
      for (let i = 0; i < acks.length; i++) acks[i]?.(r.baseOffset + i);
      this.sendNext(o);
    });
  }

  private txnRequestAnswered(): void {
    if (--this.txnRequestsInFlight > 0) return;
    const waiters = this.txnRequestWaiters;
    this.txnRequestWaiters = [];
    for (const w of waiters) w();
  }

  /** Sends every buffered batch; `done` once all are acknowledged. */
  private flushProducer(done: () => void): void {
    this.flushWaiters.push(done);
    for (const o of this.out) this.sendNext(o);
    this.maybeFlushed();
  }

  private maybeFlushed(): void {
    if (this.flushWaiters.length === 0) return;
    for (const o of this.out) if (o.inFlight || o.batches.some((b) => b.length > 0)) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w();
  }

  // ---- group and tasks ------------------------------------------------------------------------

  private joinGroup(): void {
    // A shutdown that ended while the tasks were being lost (its commit queued behind the failed one) has closed the instance.
    if (this.closed) return;
    const topics = [...new Set(this.app.topology.subTopologies().flatMap((s) => s.sourceTopics))].sort();
    this.member = new GroupMember(this.ctx.timers, this.client, {
      groupId: this.app.settings.applicationId,
      memberId: this.nextMemberId(),
      newMemberId: () => this.nextMemberId(),
      topics,
      sessionTimeoutMs: this.app.settings.sessionTimeoutMs,
      rebalanceTimeoutMs: this.app.settings.maxPollIntervalMs,
      heartbeatIntervalMs: this.app.settings.heartbeatIntervalMs,
      onAssigned: (generation, _assignment, _all, tasks, nextRebalanceMs) => {
        this.scheduleProbe(nextRebalanceMs);
        this.assigned(generation, tasks ?? { active: [], standby: [] });
      },
      onRevoked: (_revoked, done) => this.revoked(done),
      onLost: (_lost, done, code) => this.lost(code, done),
      // Kafka Streams' subscription: the topology and the offset sums of the task state held here.
      streams: () => this.subscription(),
    });
  }

  /**
   * Kafka's `StreamsPartitionAssignor.onAssignment` sets the follow-up rebalance the assignment
   * asks for, or clears it; the stream thread then calls `enforceRebalance` once that time has
   * come (`StreamThread.runOnce`), which revokes every task and joins again.
   */
  private scheduleProbe(atMs: number | undefined): void {
    this.probe?.cancel();
    this.probe = undefined;
    if (atMs === undefined) return;
    this.probe = this.ctx.timers.after(Math.max(0, atMs - this.ctx.clock.now()), () => {
      this.probe = undefined;
      if (!this.closed) this.member?.enforceRebalance('probing');
    });
  }

  /** A fresh member id (Kafka's coordinator hands out a new one to every member that joins without one). */
  private nextMemberId(): string {
    return `${this.ctx.id}-${this.ctx.incarnation}-${this.joins++}`;
  }

  private newTask(sub: SubTopology, partition: number, kept?: ReadonlyMap<string, StateStore>): StreamTask {
    return new StreamTask(this.app.topology, sub, partition, {
      applicationId: this.app.settings.applicationId,
      send: (topic, p, key, value, onOffset) => this.send(topic, p, key, value, onOffset),
      nowMs: () => this.ctx.clock.now(),
      trace: (kind, fields) => this.ctx.trace.emit(kind, fields as never),
      detailedTrace: this.ctx.trace.detailed,
      maxTaskIdleMs: this.app.settings.maxTaskIdleMs,
      caching: this.app.settings.caching,
      bugs: this.bugs,
    }, kept);
  }

  private assigned(generation: number, tasks: StreamsTasks): void {
    if (this.closed) return;
    this.generation = generation;
    const mine: string[] = [];
    for (const id of tasks.active) {
      const at = this.taskOf(id);
      if (at === undefined) continue;
      const { sub, partition } = at;
      // A task suspended here and given back resumes: the same object, its stores as they are.
      const suspended = this.suspended.get(id);
      if (suspended !== undefined) {
        this.suspended.delete(id);
        const rt = this.resumeTask(suspended);
        this.tasks.set(id, rt);
        mine.push(id);
        continue;
      }
      const kept = this.keptStores.get(id);
      this.keptStores.delete(id);
      // A standby of the task becomes the active task: its stores and their positions carry over (Kafka recycles the task).
      const standby = kept === undefined ? this.standbys.get(id) : undefined;
      const from = new Map<string, number>();
      if (standby !== undefined) {
        // Recycling a standby checkpoints it first (TaskManager: postCommit(true) for the tasks to recycle).
        this.maybeCheckpoint(standby, true);
        standby.closed = true;
        this.standbys.delete(id);
        for (const store of standby.task.stores.values()) {
          const topic = changelogTopic(this.app.settings.applicationId, store.name);
          const offset = standby.next.get(store.name) ?? 0;
          from.set(store.name, offset);
          // What the standby's store holds at promotion, so a checker can compare it with the committed changelog below `offset`.
          this.ctx.trace.emit('ks.standby', {
            action: 'promoted', task: id, store: store.name, topic, partition, offset, caughtUp: standby.caughtUp,
            ...(store.duplicates ? { duplicates: true } : {}),
            entries: JSON.stringify(store.restoredEntries()),
          });
        }
      }
      const task = this.newTask(sub, partition, kept ?? standby?.task.stores);
      const dir = taskDir(this.app.settings.applicationId, task.id);
      this.tasks.set(task.id, createdTask(task, { kept: kept !== undefined, resumed: false, from, dir, snapshot: undefined }));
      mine.push(task.id);
    }
    // Suspended tasks not given back are closed; the revocation committed and checkpointed them already.
    this.suspended.clear();
    // The new active tasks will restore first: the standbys' changelogs wait (kept ones pause too).
    this.pauseOrResumeStandbys();
    const standbys = this.assignStandbys(tasks.standby, new Set(mine));
    this.tracePause();
    this.ctx.trace.emit('ks.assigned', { generation, member: this.member?.metadata().memberId ?? '', tasks: mine, standbys });
    this.initializeTasks();
  }

  /**
   * `StreamTask.initializeIfNeeded` of the created tasks: the record collector first (under
   * exactly-once the producer's transactions, once per producer), then the state stores and
   * restoration. A resumed task was initialised before (its producer is ready: a loss, which resets
   * the producer, closes the suspended tasks) and only restores.
   */
  private initializeTasks(): void {
    if (![...this.tasks.values()].some((rt) => rt.state === 'created')) return;
    const era = this.era;
    this.initProducer(() => {
      if (era !== this.era || this.closed) return;
      for (const rt of this.tasks.values()) {
        if (rt.state !== 'created') continue;
        rt.state = 'restoring';
        this.restore(rt);
      }
      this.pauseOrResumeStandbys();
    });
  }

  /** The sub-topology and partition of a task id (`<sub-topology>_<partition>`), if the topology has it. */
  private taskOf(id: string): { sub: SubTopology; partition: number } | undefined {
    const [subId, p] = id.split('_');
    const sub = this.app.topology.subTopologies().find((s) => String(s.id) === subId);
    return sub === undefined ? undefined : { sub, partition: Number(p) };
  }

  /**
   * `StreamTask.resume`: a suspended task given back goes to restoring again on the same object.
   * Its stores restore only what their changelogs hold past their own offsets (normally nothing),
   * then the committed offsets give its positions and partition times as for any task, and its
   * processors are initialised again.
   */
  private resumeTask(s: SuspendedTask): RunningTask {
    const from = new Map<string, number>();
    for (const store of s.task.stores.values()) from.set(store.name, store.changelogOffset + 1);
    return createdTask(s.task, { kept: false, resumed: true, from, dir: s.dir, snapshot: s.snapshot });
  }

  // ---- standby tasks --------------------------------------------------------------------------

  /** Follows the generation's standby placement: keeps the standbys still placed here, starts new ones, closes the rest. */
  private assignStandbys(standby: readonly string[], active: ReadonlySet<string>): string[] {
    const wanted = new Set(standby);
    for (const [id, st] of [...this.standbys]) {
      if (wanted.has(id) && !active.has(id)) continue;
      // A standby closed cleanly checkpoints first (postCommit(true)); one that becomes active here was recycled already.
      if (!active.has(id)) this.maybeCheckpoint(st, true);
      st.closed = true;
      this.standbys.delete(id);
      this.ctx.trace.emit('ks.standby', { action: 'closed', task: id });
    }
    for (const id of [...wanted].sort()) {
      if (this.standbys.has(id) || active.has(id)) continue;
      const at = this.taskOf(id);
      if (at === undefined) continue;
      const task = this.newTask(at.sub, at.partition);
      const st: StandbyTask = {
        task, dir: taskDir(this.app.settings.applicationId, task.id), snapshot: undefined, next: new Map(), atEnd: new Set(), caughtUp: false, closed: false,
      };
      this.standbys.set(id, st);
      this.ctx.trace.emit('ks.standby', { action: 'assigned', task: id, stores: [...st.task.stores.keys()] });
      // Its stores start from the state directory as an active task's do, then follow their changelogs.
      if (st.task.stores.size > 0) {
        st.snapshot = new Map();
        this.bumpDir(st.dir);
        for (const [name, offset] of this.loadStateDir(st, true)) st.next.set(name, offset + 1);
      }
      for (const store of st.task.stores.values()) this.updateStandby(st, store);
    }
    return [...this.standbys.keys()].sort();
  }

  /**
   * The standby's update loop for one store: fetch its changelog partition from the store's
   * position (read committed under exactly-once: a standby's store never holds uncommitted
   * writes), apply what comes, fetch again at once while records come, else after poll.ms.
   */
  private updateStandby(st: StandbyTask, store: StateStore): void {
    if (st.closed || this.closed) return;
    if (this.standbysPaused) {
      this.standbyWaiting.push(() => this.updateStandby(st, store));
      return;
    }
    const topic = changelogTopic(this.app.settings.applicationId, store.name);
    // The planted bug `standby-read-uncommitted`: the standby reads writes of open and aborted transactions too.
    const isolation = this.eos && !this.bugs.has('standby-read-uncommitted') ? 'read_committed' : 'read_uncommitted';
    const max = 1_000;
    const applied = (r: FetchResult): void => {
      if (st.closed || this.closed) return;
      // Paused meanwhile: what came is handed over once the standbys resume (the consumer keeps a paused partition's fetched records).
      if (this.standbysPaused) {
        this.standbyWaiting.push(() => applied(r));
        return;
      }
      if (!r.ok) {
        this.ctx.timers.after(this.app.settings.pollMs, () => this.updateStandby(st, store));
        return;
      }
      for (const rec of r.records) {
        const c = rec.value as { key: string; value: unknown; ts: number };
        store.restore(c.key, c.value, c.ts, rec.offset);
      }
      st.next.set(store.name, r.nextOffset);
      if (r.records.length < max) st.atEnd.add(store.name);
      else st.atEnd.delete(store.name);
      if (!st.caughtUp && st.atEnd.size === st.task.stores.size) {
        st.caughtUp = true;
        this.ctx.trace.emit('ks.standby', { action: 'caught-up', task: st.task.id, offsets: [...st.next].map(([name, o]) => `${name}@${o}`) });
      }
      if (r.records.length > 0) this.ctx.timers.after(0, () => this.updateStandby(st, store));
      else this.ctx.timers.after(this.app.settings.pollMs, () => this.updateStandby(st, store));
    };
    this.client.fetch(topic, st.task.partition, st.next.get(store.name) ?? 0, max, isolation, applied, this.app.settings.fetchMaxWaitMs);
  }

  /**
   * Whether an active task's changelogs are restoring: a task waiting for its producer (Kafka's
   * thread is inside `initTransactions` and polls no changelog) or one whose stores are restoring.
   */
  private activesRestoring(): boolean {
    for (const rt of this.tasks.values()) if (rt.state === 'created' || (rt.state === 'restoring' && rt.storesLeft > 0)) return true;
    return false;
  }

  /** Traces a pause once it holds a standby back (an assignment pauses before it places its standbys). */
  private tracePause(): void {
    if (!this.standbysPaused || this.standbyPauseTraced || this.standbys.size === 0) return;
    this.standbyPauseTraced = true;
    this.ctx.trace.emit('ks.standbys-paused', { tasks: [...this.standbys.keys()].sort() });
  }

  /** `StoreChangelogReader.transitToRestoreActive` / `transitToUpdateStandby`: pauses or resumes the standbys' changelogs as the active tasks' restoration asks. */
  private pauseOrResumeStandbys(): void {
    const restoring = this.activesRestoring();
    if (restoring === this.standbysPaused) return this.tracePause();
    this.standbysPaused = restoring;
    if (restoring) return this.tracePause();
    if (this.standbyPauseTraced) this.ctx.trace.emit('ks.standbys-resumed', { tasks: [...this.standbys.keys()].sort() });
    this.standbyPauseTraced = false;
    const waiting = this.standbyWaiting;
    this.standbyWaiting = [];
    for (const w of waiting) w();
  }

  /**
   * Kafka Streams' subscription (`StreamsPartitionAssignor.subscriptionUserData`): the process id,
   * the sub-topologies (source and changelog topics) and `TaskManager.taskOffsetSums`: per task
   * whose state this instance holds, the sum of its stores' next changelog offsets — for the tasks
   * in memory (running: -2, Kafka's LATEST_OFFSET; suspended or standby: their stores' offsets),
   * then for any other task directory with a readable checkpoint, the offsets it names. A directory
   * without a checkpoint (an exactly-once task deletes it as it loads it) reports nothing.
   */
  private subscription(): StreamsSubscription {
    const appId = this.app.settings.applicationId;
    const sums: Record<string, number> = {};
    const held = (task: StreamTask): number => [...changelogOffsets(task.stores.values()).values()].reduce((a, b) => a + b, 0);
    for (const rt of this.tasks.values()) if (rt.task.stores.size > 0) sums[rt.task.id] = rt.state === 'running' ? LATEST_OFFSET : held(rt.task);
    for (const s of this.suspended.values()) if (s.task.stores.size > 0) sums[s.task.id] = held(s.task);
    for (const st of this.standbys.values()) if (st.task.stores.size > 0 && !st.closed) sums[st.task.id] = held(st.task);
    const subtopologies = this.app.topology.subTopologies().map((sub) => ({
      id: sub.id,
      sourceTopics: [...sub.sourceTopics],
      changelogTopics: sub.stores.filter((name) => this.app.topology.stores.get(name)?.logged === true).map((name) => changelogTopic(appId, name)),
    }));
    for (const sub of subtopologies) {
      if (sub.changelogTopics.length === 0) continue;
      for (let p = 0; p < (this.app.partitions[sub.sourceTopics[0]!] ?? 0); p++) {
        const id = `${sub.id}_${p}`;
        if (id in sums) continue;
        const cp = readCheckpoint(this.ctx.disk, taskDir(appId, id));
        if (cp.kind === 'ok' && cp.entries.length > 0) sums[id] = cp.entries.reduce((a, e) => a + e.offset + 1, 0);
      }
    }
    return {
      processId: this.ctx.id,
      subtopologies,
      taskOffsetSums: sums,
      standbyReplicas: this.app.settings.standbyReplicas,
      acceptableRecoveryLag: this.app.settings.acceptableRecoveryLag,
      maxWarmupReplicas: this.app.settings.maxWarmupReplicas,
      probingRebalanceIntervalMs: this.app.settings.probingRebalanceIntervalMs,
    };
  }

  // ---- the state directory (K10) --------------------------------------------------------------

  private bumpDir(dir: string): number {
    const g = (this.dirGen.get(dir) ?? 0) + 1;
    this.dirGen.set(dir, g);
    return g;
  }

  /**
   * Task init (`registerStateStores`): decides where each store's restoration starts. A promoted
   * standby's stores go on from where the standby was, in the standby's directory (Kafka recycles
   * its state manager); any other task reads its directory (`loadStateDir`). From here the task
   * may checkpoint (its offset snapshot starts empty, as Kafka's). Traced as `ks.state`.
   */
  private initStateDir(rt: RunningTask): void {
    if (rt.task.stores.size === 0) return; // a stateless task has no directory
    if (rt.resumed) {
      // Its stores stay open; under exactly-once the checkpoint its suspension wrote is deleted (KAFKA-10362).
      this.bumpDir(rt.dir);
      if (this.eos && !this.bugs.has('checkpoint-file-under-eos')) deleteCheckpoint(this.ctx.disk, rt.dir);
      return this.emitState(rt, false, 'memory', 'resumed', { offsets: [...rt.task.stores.values()].map((st) => `${st.name}@${st.changelogOffset}`) });
    }
    rt.snapshot = new Map();
    // The planted bug `no-wipe-on-dirty-close`: the stores kept in memory are used as they are.
    if (rt.kept) return this.emitState(rt, false, 'memory', 'kept-after-dirty-close');
    this.bumpDir(rt.dir);
    if (rt.from.size > 0) {
      // The checkpoint the standby wrote as it was recycled is deleted like a loaded one under exactly-once.
      if (this.eos && !this.bugs.has('checkpoint-file-under-eos')) deleteCheckpoint(this.ctx.disk, rt.dir);
      return this.emitState(rt, false, 'standby', 'promoted-standby');
    }
    for (const [name, offset] of this.loadStateDir(rt, false)) rt.from.set(name, offset + 1);
  }

  private emitState(t: { task: StreamTask; dir: string }, standby: boolean, source: string, reason: string, fields: Record<string, unknown> = {}): void {
    this.ctx.trace.emit('ks.state', { task: t.task.id, ...(standby ? { standby } : {}), source, reason, dir: t.dir, ...fields } as never);
  }

  /**
   * `initializeStoreOffsetsFromCheckpoint`, for an active or a standby task: a checkpoint whose
   * stores read back whole gives the loaded stores, each with the changelog offset it reached
   * (returned; restoration goes on after it); no checkpoint (under exactly-once with a non-empty
   * directory: Kafka's TaskCorrupted), a checkpoint or store file failing its checksum, or a store
   * missing, wipes the directory and returns nothing (every store restores from the beginning).
   * Under exactly-once the checkpoint is deleted once loaded.
   */
  private loadStateDir(t: { task: StreamTask; dir: string }, standby: boolean): Map<string, number> {
    const disk = this.ctx.disk;
    const dir = t.dir;
    const task = t.task.id;
    const none = new Map<string, number>();
    const emit = (source: string, reason: string, fields: Record<string, unknown> = {}): void => this.emitState(t, standby, source, reason, fields);
    const full = (reason: string, fields: Record<string, unknown> = {}): Map<string, number> => {
      const wiped = wipeDir(disk, dir);
      emit('changelog', reason, { wiped, ...fields });
      return none;
    };
    const cp = readCheckpoint(disk, dir);
    if (cp.kind === 'missing') {
      if (!dirNonEmpty(disk, dir)) {
        emit('changelog', 'empty');
        return none;
      }
      return full(this.eos ? 'eos-no-checkpoint' : 'no-checkpoint');
    }
    if (cp.kind === 'corrupt') {
      this.ctx.trace.emit('disk.corrupt', { path: cp.path, detectedBy: 'ks.state-dir', task });
      return full('checkpoint-corrupt');
    }
    const loaded: { store: StateStore; entries: PersistedEntry[]; offset: number; rewrite: boolean }[] = [];
    for (const store of t.task.stores.values()) {
      // An in-memory store is in neither the checkpoint nor a file: it restores from the changelog's start.
      if (!store.persistent) continue;
      const topic = changelogTopic(this.app.settings.applicationId, store.name);
      const entry = cp.entries.find((e) => e.topic === topic && e.partition === t.task.partition);
      if (entry === undefined) return full('checkpoint-incomplete', { store: store.name });
      const r = readStore(disk, dir, store.name);
      if (r.kind === 'corrupt') {
        this.ctx.trace.emit('disk.corrupt', { path: r.path, frame: r.frame, detectedBy: 'ks.state-dir', task });
        return full('store-corrupt', { store: store.name });
      }
      if (r.kind === 'missing') {
        if (entry.offset >= 0) return full('store-missing', { store: store.name });
        loaded.push({ store, entries: [], offset: entry.offset, rewrite: false });
        continue;
      }
      loaded.push({ store, entries: r.entries, offset: entry.offset, rewrite: r.torn || r.frames > 4 });
    }
    // Under exactly-once a crash from here on must find no checkpoint (the planted bug keeps it).
    if (this.eos && !this.bugs.has('checkpoint-file-under-eos')) deleteCheckpoint(disk, dir);
    let entries = 0;
    const out = new Map<string, number>();
    for (const l of loaded) {
      l.store.load(l.entries);
      l.store.changelogOffset = l.offset;
      out.set(l.store.name, l.offset);
      // A torn tail or a long file is compacted into one frame (later appends must follow whole frames).
      if (l.rewrite) rewriteStore(disk, dir, l.store.name, l.store.persistedSnapshot());
      entries += l.store.persistedSnapshot().length;
    }
    emit('checkpoint', 'checkpoint', { offsets: loaded.map((l) => `${l.store.name}@${l.offset}`), entries });
    return out;
  }

  /**
   * `AbstractTask.maybeCheckpoint`: when enforced, or when the stores' changelog offsets advanced
   * by more than the threshold since the last checkpoint, flushes the stores (their changes since
   * the last flush reach their files, every changelog record of them acknowledged, so each entry
   * knows its offset) and then writes `.checkpoint` naming their offsets.
   */
  private maybeCheckpoint(t: { task: StreamTask; dir: string; snapshot: Map<string, number> | undefined }, enforce: boolean): void {
    if (t.task.stores.size === 0) return;
    const now = changelogOffsets(t.task.stores.values());
    if (!checkpointNeeded(enforce, t.snapshot, now)) return;
    const disk = this.ctx.disk;
    // `ProcessorStateManager.checkpoint`: only persistent stores are flushed to files and named; with
    // none, `OffsetCheckpoint.write` deletes the file instead of writing an empty one.
    const persistent = [...t.task.stores.values()].filter((s) => s.persistent);
    for (const store of persistent) persistStore(disk, t.dir, store.name, store.takeChanges());
    const entries: CheckpointEntry[] = persistent.map((s) => ({
      topic: changelogTopic(this.app.settings.applicationId, s.name), partition: t.task.partition, offset: s.changelogOffset,
    }));
    const gen = this.dirGen.get(t.dir) ?? 0;
    if (entries.length === 0) deleteCheckpoint(disk, t.dir);
    else writeCheckpoint(disk, t.dir, entries, () => (this.dirGen.get(t.dir) ?? 0) === gen);
    t.snapshot = now;
    if (this.ctx.trace.detailed) this.ctx.trace.emit('ks.checkpoint', { task: t.task.id, offsets: entries.map((e) => `${e.topic}/${e.partition}@${e.offset}`) });
  }

  /**
   * `StreamTask.postCommit`: under at-least-once a checkpoint is considered after every commit;
   * an exactly-once task writes none while running unless enforced (the planted bug
   * `checkpoint-file-under-eos` checkpoints as under at-least-once).
   */
  private postCommit(rt: RunningTask, enforce: boolean): void {
    if (enforce || this.checkpointsWhileRunning()) this.maybeCheckpoint(rt, enforce);
  }

  private checkpointsWhileRunning(): boolean {
    return !this.eos || this.bugs.has('checkpoint-file-under-eos');
  }

  /** A standby's commit is its checkpoint (`StandbyTask.postCommit`), by the threshold, under both guarantees. */
  private commitStandbys(): void {
    for (const st of this.standbys.values()) if (!st.closed) this.maybeCheckpoint(st, false);
  }

  /** Restores every store of the task from its changelog partition, then reads the committed offsets. */
  private restore(rt: RunningTask): void {
    this.initStateDir(rt);
    const era = this.era;
    const stores = [...rt.task.stores.values()];
    // Under exactly-once the restore consumer reads committed data only; the planted bug reads everything.
    const isolation = this.eos && !this.bugs.has('restore-read-uncommitted') ? 'read_committed' : 'read_uncommitted';
    rt.storesLeft = stores.length;
    const storeDone = (): void => {
      if (--rt.storesLeft > 0) return;
      this.pauseOrResumeStandbys();
      this.fetchCommitted(rt);
    };
    if (stores.length === 0) return this.fetchCommitted(rt);
    for (const store of stores) {
      const topic = changelogTopic(this.app.settings.applicationId, store.name);
      this.client.endOffsets(topic, (end) => {
        if (era !== this.era) return;
        if (!end.ok) return this.lostAll(`changelog ${topic}: ${end.code}`);
        const target = end.offsets[rt.task.partition] ?? 0;
        // A promoted standby restores only the tail past its position; any other store from the beginning.
        const start = rt.from.get(store.name) ?? 0;
        let restored = 0;
        const step = (offset: number): void => {
          // The planted bug: a store kept from a dirty close counts as restored already.
          if (offset >= target || rt.kept) {
            // What the store holds now, entry by entry, so a checker can compare it with the committed changelog.
            // `offset`: where restoration stopped (a last fetch may read committed records past the target).
            this.ctx.trace.emit('ks.restored', {
              source: rt.kept ? 'memory' : rt.resumed ? 'resumed' : rt.from.size > 0 ? 'tail' : 'full',
              task: rt.task.id, store: store.name, topic, partition: rt.task.partition, records: restored, from: start, offset: Math.max(offset, target), target,
              ...(store.duplicates ? { duplicates: true } : {}),
              entries: JSON.stringify(store.restoredEntries()),
            });
            return storeDone();
          }
          this.client.fetch(topic, rt.task.partition, offset, 1_000, isolation, (r) => {
            if (era !== this.era) return;
            if (!r.ok) return this.lostAll(`restore of ${store.name}: ${r.code}`);
            for (const rec of r.records) {
              const c = rec.value as { key: string; value: unknown; ts: number };
              store.restore(c.key, c.value, c.ts, rec.offset);
              restored++;
            }
            step(r.nextOffset);
          }, this.app.settings.fetchMaxWaitMs);
        };
        step(start);
      });
    }
  }

  private fetchCommitted(rt: RunningTask): void {
    const era = this.era;
    const partitions = rt.task.sourceTopics.map((topic) => ({ topic, partition: rt.task.partition }));
    this.client.fetchOffsets(this.app.settings.applicationId, partitions, { requireStable: true }, (r) => {
      if (era !== this.era) return;
      if (!r.ok) return this.lostAll(`offset fetch: ${r.code}`);
      // Offsets still pending in another producer's open transaction (UNSTABLE_OFFSET_COMMIT) after
      // the client's retries: Kafka Streams never reads that as "nothing committed"; the task stays
      // where it is and asks again on a later loop (StreamTask's TimeoutException path).
      if (r.offsets.some((o) => o.error !== undefined)) {
        this.ctx.trace.emit('ks.offsets-unstable', { task: rt.task.id, partitions: r.offsets.filter((o) => o.error !== undefined).map((o) => `${o.topic}/${o.partition}`) });
        this.ctx.timers.after(UNSTABLE_RETRY_MS, () => {
          if (era === this.era && rt.state === 'restoring' && !this.closed) this.fetchCommitted(rt);
        });
        return;
      }
      for (const o of r.offsets) rt.positions.set(o.topic, Math.max(0, o.offset));
      rt.task.initializeTaskTime(r.offsets.filter((o) => o.offset >= 0));
      rt.task.initProcessors();
      rt.state = 'running';
      // completeRestoration: under at-least-once the restored stores are checkpointed at once (enforced).
      if (this.checkpointsWhileRunning()) this.maybeCheckpoint(rt, true);
      this.ctx.trace.emit('ks.running', {
        task: rt.task.id, offsets: r.offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`), streamTime: rt.task.streamTime, ...(rt.resumed ? { resumed: true } : {}),
      });
      for (const topic of rt.task.sourceTopics) this.fetch(rt, topic);
    });
  }

  /**
   * A fetch below the partition's log start offset (records deleted past the position by the
   * partition's other owner: a zombie's successor's purge, or under the planted bug
   * `offsets-without-generation` a zombie's): the consumer's OFFSET_OUT_OF_RANGE, answered by the
   * reset policy, Kafka Streams' default `auto.offset.reset=earliest` (`StreamThread.resetOffsets`
   * where a topic sets its own): the position moves to the log start offset (ListOffsets
   * EARLIEST), and fetching goes on from there.
   */
  private resetToEarliest(rt: RunningTask, topic: string, again: (delayMs: number) => void): void {
    const era = this.era;
    this.client.startOffsets(topic, (s) => {
      if (era !== this.era || rt.state !== 'running') return;
      const start = s.ok ? s.offsets[rt.task.partition] : undefined;
      const from = rt.positions.get(topic) ?? 0;
      if (start !== undefined && start > from) {
        this.ctx.trace.emit('ks.offset-reset', { task: rt.task.id, topic, partition: rt.task.partition, from, to: start });
        rt.positions.set(topic, start);
      }
      again(s.ok ? 0 : this.app.settings.pollMs);
    });
  }

  /** Starts the fetch loop of a source partition unless it runs (a fetch in flight or waiting for its next poll). */
  private fetch(rt: RunningTask, topic: string): void {
    if (rt.state !== 'running' || rt.fetching.has(topic) || this.closed) return;
    const buffered = rt.task.group.buffered(topic, rt.task.partition);
    if (buffered > MAX_BUFFERED_PER_PARTITION) return;
    if (rt.paused.delete(topic) && this.ctx.trace.detailed) this.ctx.trace.emit('ks.fetch-resumed', { task: rt.task.id, topic, partition: rt.task.partition, buffered });
    rt.fetching.add(topic);
    this.fetchOnce(rt, topic);
  }

  private fetchOnce(rt: RunningTask, topic: string): void {
    const era = this.era;
    const isolation = this.eos ? 'read_committed' : 'read_uncommitted';
    const max = this.app.settings.maxPollRecords;
    this.client.fetch(topic, rt.task.partition, rt.positions.get(topic) ?? 0, max, isolation, (r) => {
      if (era !== this.era || rt.state !== 'running') return;
      const again = (delayMs: number): void => {
        this.ctx.timers.after(delayMs, () => {
          if (era !== this.era || rt.state !== 'running') return;
          const buffered = rt.task.group.buffered(topic, rt.task.partition);
          if (buffered <= MAX_BUFFERED_PER_PARTITION) return this.fetchOnce(rt, topic);
          rt.fetching.delete(topic);
          rt.paused.add(topic);
          if (this.ctx.trace.detailed) this.ctx.trace.emit('ks.fetch-paused', { task: rt.task.id, topic, partition: rt.task.partition, buffered });
        });
      };
      if (!r.ok && r.code === 'offset-out-of-range') return this.resetToEarliest(rt, topic, again);
      if (!r.ok) return again(this.app.settings.pollMs);
      rt.positions.set(topic, r.nextOffset);
      // Known from the reply even when it filled max.poll.records (Kafka's consumer keeps the high
      // watermark and last stable offset of each fetch response).
      rt.lag.set(topic, partitionLag(r, isolation));
      rt.caughtUp.set(topic, r.records.length === 0 && (r.endOfPartition || topic.endsWith('-repartition')));
      if (rt.caughtUp.get(topic)) rt.caughtUpAt.set(topic, this.ctx.clock.now());
      if (r.records.length > 0) {
        rt.task.addRecords(topic, r.records);
        this.scheduleLoop();
      }
      if (r.endOfPartition && r.records.length === 0) {
        rt.fetching.delete(topic); // sealed and read: nothing more will come
        return;
      }
      // Records: fetch on at once; nothing yet: the long poll already waited, poll again after poll.ms.
      again(r.records.length > 0 ? 0 : this.app.settings.pollMs);
    }, this.app.settings.fetchMaxWaitMs);
  }

  private revoked(done: () => void): void {
    this.ctx.trace.emit('ks.revoked', { generation: this.generation, tasks: [...this.tasks.keys()] });
    const era = this.era;
    // Suspends the revoked tasks, unless they were lost meanwhile (then newer tasks may exist already).
    const suspend = (): void => {
      if (era === this.era) {
        this.suspendClean();
        for (const rt of this.tasks.values()) {
          // A task not initialised yet (its producer still initialising) is not suspended: Kafka
          // closes its tasks pending initialisation at the next assignment.
          if (rt.state === 'created') {
            this.closePending(rt);
            continue;
          }
          this.suspended.set(rt.task.id, { task: rt.task, dir: rt.dir, snapshot: rt.snapshot });
        }
        // After the commit: a task still restoring at the revocation may have finished meanwhile.
        this.ctx.trace.emit('ks.suspended', { generation: this.generation, tasks: [...this.suspended.keys()] });
        this.dropTasks();
      }
      done();
    };
    if (this.member === undefined) return suspend();
    this.commit(true, suspend);
  }

  // ---- the loop -------------------------------------------------------------------------------

  private scheduleLoop(): void {
    if (this.loopScheduled || this.closed) return;
    this.loopScheduled = true;
    this.ctx.timers.after(0, () => {
      this.loopScheduled = false;
      this.runOnce();
    });
  }

  /**
   * One pass of the thread loop (thread-loop.ts): rounds of processing, punctuation and a
   * maybe-commit. A pass runs until the buffered records are processed or a commit is in flight
   * (weir's commit waits for its requests; no task processes meanwhile, and the commit's end
   * schedules the loop again).
   */
  private runOnce(): void {
    if (this.closed) return;
    this.pauseOrResumeStandbys();
    if (this.loop.pass(this.phases) > 0) this.quietSince = undefined;
  }

  /** `TaskExecutor.process`: up to `max` records of each running task (none while a commit is in flight). */
  private processRound(max: number): number {
    let processed = 0;
    for (const rt of this.tasks.values()) {
      if (rt.state !== 'running' || this.busy) continue;
      let n = 0;
      while (n < max && rt.task.process((topic) => rt.lag.get(topic))) n++;
      processed += n;
      for (const topic of rt.task.sourceTopics) this.fetch(rt, topic);
    }
    return processed;
  }

  /** `TaskExecutor.punctuate`: every running task on stream time, then on the wall clock, whether or not it processed anything. */
  private punctuate(): number {
    let punctuated = 0;
    for (const rt of this.tasks.values()) {
      if (rt.state !== 'running' || this.busy) continue;
      punctuated += rt.task.maybePunctuateStreamTime();
      punctuated += rt.task.maybePunctuateSystemTime();
    }
    return punctuated;
  }

  private scheduleTick(): void {
    this.tick = this.ctx.timers.after(this.app.settings.pollMs, () => {
      this.runOnce();
      this.checkQuiet();
      if (!this.closed) this.scheduleTick();
    });
  }

  /** `StreamTask.commitNeeded()` at the task's consumer positions (it may set the flag to step over transaction markers). */
  private commitNeeded(rt: RunningTask): boolean {
    return rt.task.commitNeededAt((topic) => rt.positions.get(topic));
  }

  /** Starts a commit when one is due or asked for; returns how many tasks it commits (0: none started, or nothing to commit). */
  private maybeCommit(): number {
    // Kafka's thread commits synchronously inside its loop, so an interval commit never waits behind
    // another: while one is in flight the loop does not ask again (queued interval commits piled up
    // behind a slow commit and held a revocation's commit back past the rebalance timeout).
    if (this.busy) return 0;
    // A processor's `context.commit()` starts a commit only for a task that also needs one
    // (`TaskManager.maybeCommitActiveTasksPerUserRequested`: `commitRequested() && commitNeeded()`).
    const requested = [...this.tasks.values()].some((rt) => rt.state === 'running' && rt.task.commitRequested && this.commitNeeded(rt));
    const now = this.ctx.clock.now();
    const due = now - this.lastCommitMs > this.app.settings.commitIntervalMs;
    if (!requested && !due) return 0;
    // An interval commit (not one only a processor asked for) may purge repartition records after it.
    return this.commit(false, () => {}, due ? now : undefined);
  }

  /**
   * Kafka's commit (K11); `force` commits on revocation even before the interval. `intervalAt`: an
   * interval commit begun then; once it succeeds, repartition records are purged when a purge is due,
   * and the interval starts again from when it ended (`StreamThread.maybeCommit` sets `lastCommitMs`
   * after an interval commit returns, and only then: a commit a processor asked for, or one on
   * revocation, leaves the interval as it was).
   */
  private commit(force: boolean, then: () => void, intervalAt?: number): number {
    // The tasks are being closed dirty: nothing to commit; the caller goes on once they are gone.
    if (this.closingDirty) {
      this.afterDirtyClose.push(then);
      return 0;
    }
    if (this.committing) {
      this.commitQueue.push({ force, then });
      return 0;
    }
    // Between losing the group and joining it again there is nothing to commit with (the tasks are gone too).
    if (this.member === undefined) {
      then();
      return 0;
    }
    // An interval or requested commit asks each running task whether it needs one (`commitNeeded()`,
    // which may set the flag to step over transaction markers its fetches skipped). A forced commit
    // (revocation, which is eager: every task revoked; shutdown) takes every running task, and only
    // the flag decides (Kafka's `prepareCommit` on a revoked or closing task).
    const running = [...this.tasks.values()].filter((rt) => rt.state === 'running' && (force || this.commitNeeded(rt)));
    // What Kafka's commit counts (`commitTasksAndMaybeUpdateCommittableOffsets`): the tasks that needed one.
    let committed = 0;
    for (const rt of running) if (rt.task.commitNeeded) committed++;
    // StreamTask.prepareCommit: a task with nothing new to commit names no offsets (a forced commit on
    // revocation then opens no offsets-only transaction for it).
    const offsets: CommittableOffset[] = flatMapped(running, (rt) => (rt.task.commitNeeded ? rt.task.prepareCommit((topic) => rt.positions.get(topic)) : []));
    // Whether an interval commit purges once it succeeds (Kafka purges after every interval commit, one
    // with nothing to commit too, when a purge is due): the running tasks' committed repartition
    // offsets then, this commit's included.
    const purgeAt = intervalAt !== undefined && intervalAt - this.lastPurgeMs > this.app.settings.repartitionPurgeIntervalMs ? intervalAt : undefined;
    const intervalDone = (): void => {
      if (intervalAt !== undefined) this.lastCommitMs = this.ctx.clock.now();
    };
    // No task needed a commit and none named offsets, with no transaction open: nothing to flush
    // or commit (a forced commit on revocation reaches here too).
    if (offsets.length === 0 && !this.txnOpen && committed === 0) {
      intervalDone();
      this.commitStandbys();
      if (purgeAt !== undefined) this.purge(purgeAt);
      then();
      return committed;
    }
    this.committing = true;
    const era = this.era;
    const group = this.member!.metadata();
    // Planted bug `offsets-without-generation`: the transactional offset commit names no member and no generation.
    const txnGroup = this.bugs.has('offsets-without-generation') ? { groupId: group.groupId, memberId: '', generation: -1 } : group;
    const list: OffsetAndMetadata[] = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata }));
    const finish = (ok: boolean, why?: string): void => {
      if (era !== this.era || this.closingDirty) return this.staleCommitDone(then);
      this.committing = false;
      if (!ok) {
        this.lostAll(why!);
        return this.commitDone(then);
      }
      intervalDone();
      // Partitions this commit names only to step over transaction markers (`commitNeeded()`'s position check).
      const overMarkers = flatMapped(running, (rt) => rt.task.steppingOver.map((topic) => `${topic}/${rt.task.partition}`));
      for (const rt of running) {
        rt.task.noteCommitted(list);
        rt.task.postCommit();
        this.postCommit(rt, false);
      }
      this.commitStandbys();
      // `forced`: on revocation or at shutdown (an interval commit begun before a revocation may end after `ks.revoked`).
      this.ctx.trace.emit('ks.commit', { generation: group.generation, offsets: list.map((o) => `${o.topic}/${o.partition}@${o.offset}`), ...(overMarkers.length > 0 ? { overMarkers } : {}), ...(force ? { forced: true } : {}) });
      if (purgeAt !== undefined) this.purge(purgeAt);
      this.commitDone(then);
      this.scheduleLoop();
    };
    this.flushProducer(() => {
      if (era !== this.era || this.closingDirty) return this.staleCommitDone(then);
      // Tasks that needed a commit named no offsets (they punctuated, or a processor set its
      // metadata, before they consumed anything) and no transaction is open: flushed, they are
      // committed with no request to the broker, as Kafka's TaskExecutor sends nothing for no
      // offsets and then runs postCommit.
      if (list.length === 0 && !this.txnOpen) return finish(true);
      if (!this.eos) {
        this.client.commitOffsets(group, list, (r) => finish(r.ok, r.ok ? undefined : `offset commit: ${r.code}`));
        return;
      }
      const txn = { id: this.txnId, epoch: this.readyEpoch() };
      const endNow = (): void => {
        if (era !== this.era || this.closingDirty) return this.staleCommitDone(then);
        this.txnRequestsInFlight++;
        this.client.endTxn(this.txnId, this.readyEpoch(), true, (r) => {
          // Committed: nothing left for an abort waiting behind it.
          if (r.ok) this.txnOpen = false;
          else if (r.code === 'fenced') this.producerFenced = true;
          this.txnRequestAnswered();
          finish(r.ok, r.ok ? undefined : `commitTransaction: ${r.code}`);
        });
      };
      // A fault site: the thread stalls between sending its offsets and committing the transaction.
      const end = (): void => {
        if (this.ctx.buggify('ks.commit.slow')) this.ctx.timers.after(300, endNow);
        else endNow();
      };
      if (list.length === 0) return end();
      this.txnOpen = true;
      if (this.bugs.has('offsets-outside-transaction')) {
        // The planted bug: the offsets are committed on their own, before the transaction they belong to.
        this.client.commitOffsets(group, list, (r) => (r.ok ? end() : finish(false, `offset commit: ${r.code}`)));
        return;
      }
      this.txnRequestsInFlight++;
      this.client.sendOffsetsToTransaction(txn, txnGroup, list, (r) => {
        if (!r.ok && r.code === 'fenced') this.producerFenced = true;
        this.txnRequestAnswered();
        if (r.ok) end();
        else finish(false, `sendOffsetsToTransaction: ${r.code}`);
      });
    });
    return committed;
  }

  /**
   * `StreamThread.maybeCommit`'s purge after a successful interval commit begun at `at`, once more
   * than `repartitionPurgeIntervalMs` passed since the last (the commit checked): unless the last
   * purge's requests are still unanswered (`deleteRecordsResult.all().isDone()`), the records below
   * each running task's committed repartition offsets are deleted
   * (`TaskManager.maybePurgeCommittedRecords`). Failures are not fatal: the next purge asks again
   * with newer offsets.
   */
  private purge(at: number): void {
    this.lastPurgeMs = at;
    if (this.purgesInFlight > 0) return;
    const offsets = flatMapped([...this.tasks.values()], (rt) => (rt.state === 'running' ? rt.task.purgeableOffsets() : []));
    if (offsets.length === 0) return;
    this.ctx.trace.emit('ks.purge', { commitAt: at, offsets: offsets.map((d) => `${d.topic}/${d.partition}@${d.offset}`) });
    for (const d of offsets) {
      this.purgesInFlight++;
      this.client.deleteRecords(d.topic, d.partition, d.offset, () => {
        this.purgesInFlight--;
      });
    }
  }

  /**
   * A commit begun before its tasks were lost answered (a request of the old producer, resent or
   * held by a cut, can answer long after `loseTasks`): only its caller goes on. `loseTasks` already
   * ended it and let the queued commits go, so a commit of the new tasks may be in flight, and
   * clearing `committing` or starting the next queued commit would run two at once.
   */
  private staleCommitDone(then: () => void): void {
    // While the lost tasks' flush is in flight, the caller goes on once they are closed, as it would have.
    if (this.closingDirty) this.afterDirtyClose.push(then);
    else then();
  }

  /** After a commit ended: its caller goes on, then the next queued commit runs. */
  private commitDone(then: () => void): void {
    this.committing = false;
    then();
    const next = this.commitQueue.shift();
    if (next) this.commit(next.force, next.then);
  }

  /**
   * Kafka's TaskMigrated (a commit or a send fenced, `handleLostAll`, then `unsubscribe`): every
   * task closed dirty (`loseTasks`), and the group left and joined again with a new member id.
   */
  private lostAll(why: string): void {
    if (this.closed) return;
    // The member leaves first: a revocation waiting on the failed commit goes on below (its caller
    // is told the tasks are gone), and must not rejoin under the member id that is being given up.
    const old = this.member;
    this.member = undefined;
    this.loseTasks(why, () => this.joinGroup(), () => old?.leave());
  }

  /**
   * The group member's heartbeat found its generation or membership gone (Kafka's
   * `onPartitionsLost` → `handleLostAll`): the tasks are closed dirty with nothing committed
   * (`loseTasks`), then the member joins again; it does not leave, the group has let it go.
   */
  private lost(code: string, done: () => void): void {
    // A closed instance is out of the group, or stops its member as its shutdown ends: it does not join again.
    if (this.closed) return;
    const member = this.member;
    // Nothing is committed until the member has joined again (`commit` skips while it is unset).
    this.member = undefined;
    this.loseTasks(`heartbeat: ${code}`, () => {
      if (this.closed) {
        // Shut down meanwhile: the member stops without leaving, as a closing instance's does.
        member?.stop();
        return;
      }
      if (this.member !== undefined) {
        // Lost again meanwhile and a new member joined: this one stays out.
        member?.leave();
        return;
      }
      this.member = member;
      done();
    });
  }

  /**
   * `handleLostAll`: every task closed dirty, its state dropped; the open transaction aborted; the
   * producer reset (it initialises again, a new epoch fencing anything still in flight, when its
   * next task starts); then `rejoin`.
   */
  private loseTasks(why: string, rejoin: () => void, beforeClose: () => void = () => {}): void {
    // Suspended tasks are active tasks too: they are closed dirty with the others.
    const all: { task: StreamTask; dir: string }[] = [...this.tasks.values(), ...this.suspended.values()];
    this.ctx.trace.emit('ks.lost', { reason: why, generation: this.generation, tasks: all.map((t) => t.task.id) });
    beforeClose();
    // `TaskManager.closeTaskDirty` prepares a commit first: a running task that needs one flushes its
    // caches (forwarding and logging what they hold), then the producer is flushed, its errors
    // swallowed. The thread does nothing else meanwhile. Then the tasks are closed dirty.
    this.closingDirty = true;
    this.committing = false;
    // A commit waiting for the producer goes on after the close (it then sees its tasks gone).
    this.afterDirtyClose.push(...this.flushWaiters);
    this.flushWaiters = [];
    for (const rt of this.tasks.values()) if (rt.state === 'running' && rt.task.commitNeeded) rt.task.flushCaches();
    const era = this.era;
    this.flushProducer(() => {
      // Lost again meanwhile: that loss closes the tasks.
      if (era !== this.era) return;
      this.closingDirty = false;
      this.closeDirty(all, rejoin);
    });
  }

  /**
   * Closes a task still waiting for its producer (Kafka's tasks pending initialisation, closed
   * clean by a revocation's next assignment and by `handleLostAll` alike): it registered no store
   * and touched no directory, so nothing is committed, checkpointed or wiped. Stores a dirty close
   * left it under the planted bug go back to wait for its next assignment.
   */
  private closePending(rt: RunningTask): void {
    if (rt.kept) this.keptStores.set(rt.task.id, rt.task.stores);
  }

  /**
   * The rest of `handleLostAll`, once the dirty tasks' flush is answered: close them (those still
   * waiting for their producer clean), abort, reset the producer, `rejoin`.
   */
  private closeDirty(lost: readonly { task: StreamTask; dir: string }[], rejoin: () => void): void {
    const pending = [...this.tasks.values()].filter((rt) => rt.state === 'created');
    for (const rt of pending) this.closePending(rt);
    const all = lost.filter((t) => !pending.some((rt) => rt.task === t.task));
    // A dirty close under exactly-once wipes each task's state directory too (StateManagerUtil.closeStateManager).
    if (this.eos && this.bugs.has('checkpoint-file-under-eos')) {
      // The planted bug: the dirty close flushes the stores and checkpoints, as a clean one would, and wipes nothing.
      for (const rt of this.tasks.values()) if (rt.state === 'running') this.maybeCheckpoint(rt, true);
    } else if (this.eos && !this.bugs.has('no-wipe-on-dirty-close')) {
      for (const t of all) {
        this.bumpDir(t.dir);
        wipeDir(this.ctx.disk, t.dir);
      }
    }
    // A dirty close under exactly-once wipes every store; the planted bug keeps them for the next assignment.
    if (this.eos && this.bugs.has('no-wipe-on-dirty-close')) {
      for (const t of all) {
        for (const store of t.task.stores.values()) store.discardCache();
        this.keptStores.set(t.task.id, t.task.stores);
      }
    }
    this.suspended.clear();
    this.dropTasks();
    this.committing = false;
    const waiting = this.afterDirtyClose;
    this.afterDirtyClose = [];
    for (const w of waiting) w();
    // Commits waiting behind the failed one have nothing left to commit; their callers go on.
    const queued = this.commitQueue;
    this.commitQueue = [];
    for (const c of queued) c.then();
    // The flush above had every batch sent and answered (no produce of this thread is in flight once
    // it completes), so the abort comes after them all, as Kafka's producer holds EndTxn back while a
    // batch is incomplete (`TransactionManager.nextRequest`); and after the transactional requests
    // of a commit the loss interrupted (its offsets, its EndTxn), as Kafka's producer has one
    // transactional request in flight at a time (a resend of the offsets reaching the broker after
    // the abort would open a transaction again under the aborted epoch; a commit answered first
    // leaves nothing to abort).
    const abort = (then: () => void): void => {
      // A fenced producer sends no abort: the broker's fence already aborted the transaction.
      if (!this.eos || !this.txnOpen || this.producerFenced) return then();
      if (this.txnRequestsInFlight > 0) {
        this.txnRequestWaiters.push(() => abort(then));
        return;
      }
      this.client.endTxn(this.txnId, this.epoch, false, () => then());
    };
    abort(() => {
      this.resetProducer();
      rejoin();
    });
  }

  /**
   * Suspends the tasks cleanly (after the commit that flushed them), each checkpointing first
   * (`postCommit(true)`, under both guarantees): a restoring one keeps what it restored so far;
   * only running ones have processors to close and buffers to clear. A revocation keeps them for
   * the next assignment; a shutdown closes them.
   */
  private suspendClean(): void {
    for (const rt of this.tasks.values()) {
      if (rt.state === 'closed') continue;
      this.postCommit(rt, true);
      if (rt.state === 'running') rt.task.suspend();
    }
  }

  private dropTasks(): void {
    this.era++;
    for (const rt of this.tasks.values()) rt.state = 'closed';
    this.tasks.clear();
    this.pauseOrResumeStandbys();
    this.out.length = 0;
    this.outByTopic.clear();
    // The next quiet report is for the next tasks.
    this.quietSince = undefined;
    this.reportedQuiet = false;
    // A commit waiting for the producer goes on: it sees the tasks gone and lets its caller (a
    // revocation, which the group waits for) continue.
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w();
  }

  private checkQuiet(): void {
    const now = this.ctx.clock.now();
    const quiet =
      this.member?.state === 'stable' &&
      !this.committing &&
      !this.txnOpen &&
      [...this.tasks.values()].every((rt) =>
        rt.state === 'running' && !rt.task.wouldNeedCommit((topic) => rt.positions.get(topic)) && rt.task.group.totalBuffered === 0 && rt.task.sourceTopics.every((t) => this.caughtUp(rt, t, now)));
    if (!quiet) {
      this.quietSince = undefined;
      if (this.reportedQuiet) this.ctx.trace.emit('ks.busy', { generation: this.generation });
      this.reportedQuiet = false;
      return;
    }
    this.quietSince ??= now;
    if (!this.reportedQuiet && now - this.quietSince >= this.app.settings.quietMs) {
      this.reportedQuiet = true;
      this.ctx.trace.emit('ks.quiet', { generation: this.generation, tasks: [...this.tasks.keys()] });
    }
  }

  /**
   * Whether the task has read all of `topic`: a sealed input once read to its end stays read; an
   * internal (repartition) topic is never sealed, so its last empty answer counts only while it is
   * recent — an instance cut off from the broker hears no answers and must not stay quiet on an old
   * one while its upstream commits records it will never fetch.
   */
  private caughtUp(rt: RunningTask, topic: string, now: number): boolean {
    if (rt.caughtUp.get(topic) !== true) return false;
    if (!topic.endsWith('-repartition')) return true;
    const s = this.app.settings;
    return now - (rt.caughtUpAt.get(topic) ?? -Infinity) <= 2 * (s.pollMs + s.fetchMaxWaitMs);
  }

  /**
   * `KafkaStreams.close()`: a last commit, then stop. The member does not leave the group: Kafka
   * Streams closes its consumer with `internal.leave.group.on.close` false (StreamsConfig), so the
   * coordinator lets it go when its session expires.
   */
  private shutdown(): void {
    if (this.closed) return;
    this.commit(true, () => {
      this.closed = true;
      this.tick?.cancel();
      this.probe?.cancel();
      // Closing closes the producer (`StreamsProducer.close`).
      this.forgetInit();
      // Standbys close cleanly too, each checkpointing first.
      for (const st of this.standbys.values()) {
        this.maybeCheckpoint(st, true);
        st.closed = true;
      }
      this.standbys.clear();
      this.suspendClean();
      // Suspended tasks were checkpointed as they were suspended: they close as they are.
      this.suspended.clear();
      this.dropTasks();
      const m = this.member;
      this.member = undefined;
      this.ctx.trace.emit('ks.closed', {});
      m?.stop();
    });
  }
}
