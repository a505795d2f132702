/**
 * The Kafka Streams engine on a world: `instances` application instances
 * (`ks-0 …`), each one process with one stream thread, in one consumer
 * group named by the application id, reaching the log broker by id. The
 * application's internal topics — a changelog per store (compacted, but a
 * stream–stream join's) and a repartition topic per key change before a stateful operator — are
 * declared to the broker before it starts (`kstreamsTopics`), as Kafka
 * Streams creates them before it runs.
 *
 * A Streams application has no end of its own: the deployment follows the
 * instances' `ks.quiet` reports and calls the job finished once every
 * instance is quiet in the same group generation and together they run
 * every task; `stop` then closes them (`KafkaStreams.close()`), and closes
 * as well an instance that starts again after it (a crash planned past the
 * job's end restarts one that would otherwise run, and keep the world busy,
 * until the step limit).
 */
import type { EngineDeployment, EngineStats, Host } from '../../runtime/deployment.ts';
import type { TraceEvent } from '../../runtime/trace-event.ts';
import type { Guarantee } from '../../stream/guarantee.ts';
import type { JobSizes } from '../../stream/sizes.ts';
import { StreamsBuilder } from './dsl.ts';
import { KafkaStreamsQueries, QueryRegistry } from './queries.ts';
import { DEFAULT_KSTREAMS_SETTINGS, instanceProcess, type KStreamsApp, type KStreamsSettings } from './instance.ts';
import { APPLICATION_ID, changelogTopic, type Topology } from './topology.ts';
import { KStreamsBugs } from './bugs.ts';

/** A scenario's job for the Kafka Streams engine. */
export interface KStreamsBuild {
  /** Builds the topology with the DSL. */
  build(builder: StreamsBuilder, sizes: JobSizes): void;
}

export interface KStreamsJob {
  build: KStreamsBuild;
  sizes: JobSizes;
  guarantee: Guarantee;
  /** The topics the world created, with their partitions (input, output). */
  topics: Record<string, number>;
  brokerId: string;
  /** Application instances (default: the job's parallelism). */
  instances?: number;
  commitIntervalMs?: number;
  /** `num.standby.replicas` (default 0). */
  standbyReplicas?: number;
  /** Kafka Streams' `acceptable.recovery.lag` (default 10,000). */
  acceptableRecoveryLag?: number;
  /** Kafka Streams' `max.warmup.replicas` (default 2). */
  maxWarmupReplicas?: number;
  /** Kafka Streams' `probing.rebalance.interval.ms` (default 13,333: Kafka's 10 minutes scaled as the session is). */
  probingRebalanceIntervalMs?: number;
  /** Planted bugs of the run; those of other layers are ignored here. */
  bugs?: readonly string[];
}

export { APPLICATION_ID } from './topology.ts';

export class UnsupportedGuaranteeError extends Error {}

/** The instance process ids. */
export function instanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `ks-${i}`);
}

/** The instances and the broker they reach, in the order fault plans draw from; every one may crash. */
export function kstreamsProcesses(instances: number, brokerId: string): { processes: string[]; crashable: string[] } {
  const processes = [...instanceIds(instances), brokerId];
  return { processes, crashable: processes };
}

function topologyOf(job: Pick<KStreamsJob, 'build' | 'sizes'>): Topology {
  const builder = new StreamsBuilder();
  job.build.build(builder, job.sizes);
  return builder.build();
}

/**
 * The internal topics the application needs: a repartition topic with as many partitions as the
 * widest external source, and per store a changelog with one partition per task of its
 * sub-topology. Changelogs are compacted, except a stream–stream join's window stores', which
 * keep duplicates and whose changelog Kafka configures with `cleanup.policy=delete`
 * (`StreamJoinedStoreFactory`, KAFKA-13345): their keys carry a sequence number that starts again
 * with each store (see join.ts), so compaction could drop a record a restore needs. The delete
 * policy's retention (the store's plus a day) outlasts every run.
 */
export function kstreamsTopics(job: Pick<KStreamsJob, 'build' | 'sizes' | 'topics'>): { topics: Record<string, number>; changelogs: string[]; compacted: string[] } {
  const t = topologyOf(job);
  const topics: Record<string, number> = {};
  const external = Math.max(1, ...Object.values(job.topics));
  for (const r of t.repartitionTopics) topics[r] = external;
  const changelogs: string[] = [];
  const compacted: string[] = [];
  for (const sub of t.subTopologies()) {
    const tasks = Math.max(...sub.sourceTopics.map((s) => job.topics[s] ?? topics[s] ?? 0));
    for (const store of sub.stores) {
      const name = changelogTopic(APPLICATION_ID, store);
      topics[name] = tasks;
      changelogs.push(name);
      if (t.stores.get(store)?.duplicates !== true) compacted.push(name);
    }
  }
  return { topics, changelogs, compacted };
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['ks.quiet', 'ks.busy', 'ks.start', 'ks.lost', 'ks.revoked', 'proc.crash', 'ks.commit', 'ks.restored'];

export class KStreamsDeployment implements EngineDeployment {
  readonly crashable: readonly string[];
  private readonly quiet = new Map<string, { generation: number; tasks: readonly string[] }>();
  private done = false;
  /** `stop` was called: an instance that starts after it (a crash planned after the job ended) is closed too. */
  private stopped = false;
  private readonly counts = { commits: 0, lost: 0, restores: 0 };
  /** Interactive queries on the application's instances (read only; see queries.ts). */
  queries: KafkaStreamsQueries | undefined;

  constructor(readonly processes: readonly string[], private readonly allTasks: ReadonlySet<string>, private readonly host: Host) {
    this.crashable = processes;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'ks.quiet':
        this.quiet.set(e.p, { generation: e.generation as number, tasks: e.tasks as string[] });
        this.checkDone();
        break;
      case 'ks.start':
        if (this.stopped) this.host.deliver(e.p, { kind: 'ks.shutdown' });
        this.quiet.delete(e.p);
        break;
      case 'ks.busy':
      case 'ks.lost':
      case 'ks.revoked':
      case 'proc.crash':
        this.quiet.delete(e.p);
        if (e.kind === 'ks.lost') this.counts.lost++;
        break;
      case 'ks.commit':
        this.counts.commits++;
        break;
      case 'ks.restored':
        if ((e.records as number) > 0) this.counts.restores++;
        break;
    }
  }

  private checkDone(): void {
    if (this.done || this.quiet.size !== this.processes.length) return;
    const generations = new Set([...this.quiet.values()].map((q) => q.generation));
    if (generations.size !== 1) return;
    const covered = new Set([...this.quiet.values()].flatMap((q) => q.tasks));
    if (covered.size !== this.allTasks.size || [...this.allTasks].some((t) => !covered.has(t))) return;
    this.done = true;
  }

  /** Closes every instance: a last commit, then it stops its member (without leaving the group) and its timers. */
  stop(): void {
    this.stopped = true;
    for (const p of this.processes) this.host.deliver(p, { kind: 'ks.shutdown' });
  }

  stats(): EngineStats {
    return { checkpoints: { completed: this.counts.commits, aborted: this.counts.lost, savepoints: 0 }, restores: this.counts.restores };
  }
}

/** Kafka's defaults for commit.interval.ms: 100 ms under exactly-once, 30 s under at-least-once. */
export function defaultCommitIntervalMs(guarantee: string): number {
  return guarantee === 'exactly-once' ? 100 : 30_000;
}

/** Builds the topology and adds one process per application instance. */
export function deployKStreams(host: Host, job: KStreamsJob): KStreamsDeployment {
  if (job.guarantee === 'at-most-once') throw new UnsupportedGuaranteeError('Kafka Streams offers exactly-once (exactly_once_v2) and at-least-once, not at-most-once');
  const topology = topologyOf(job);
  const internal = kstreamsTopics(job);
  const settings: KStreamsSettings = {
    ...DEFAULT_KSTREAMS_SETTINGS,
    applicationId: APPLICATION_ID,
    guarantee: job.guarantee,
    commitIntervalMs: job.commitIntervalMs ?? defaultCommitIntervalMs(job.guarantee),
    standbyReplicas: job.standbyReplicas ?? 0,
    acceptableRecoveryLag: job.acceptableRecoveryLag ?? DEFAULT_KSTREAMS_SETTINGS.acceptableRecoveryLag,
    maxWarmupReplicas: job.maxWarmupReplicas ?? DEFAULT_KSTREAMS_SETTINGS.maxWarmupReplicas,
    probingRebalanceIntervalMs: job.probingRebalanceIntervalMs ?? DEFAULT_KSTREAMS_SETTINGS.probingRebalanceIntervalMs,
  };
  const registry = new QueryRegistry();
  const app: KStreamsApp = { topology, partitions: { ...job.topics, ...internal.topics }, settings, brokerId: job.brokerId, bugs: new KStreamsBugs(job.bugs ?? []), queries: registry };
  const ids = instanceIds(job.instances ?? job.sizes.parallelism);
  for (const id of ids) host.addProcess(id, instanceProcess(app));
  const allTasks = new Set<string>();
  for (const sub of topology.subTopologies()) {
    const n = Math.max(...sub.sourceTopics.map((s) => app.partitions[s] ?? 0));
    for (let p = 0; p < n; p++) allTasks.add(`${sub.id}_${p}`);
  }
  const storePartitions: Record<string, number> = {};
  for (const name of topology.stores.keys()) storePartitions[name] = app.partitions[changelogTopic(APPLICATION_ID, name)] ?? 0;
  const d = new KStreamsDeployment(ids, allTasks, host);
  d.queries = new KafkaStreamsQueries(registry, topology, storePartitions, (id) => host.isUp?.(id) ?? true);
  return d;
}
