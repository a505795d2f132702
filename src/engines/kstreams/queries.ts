/**
 * Interactive queries (Kafka's `KafkaStreams.store(StoreQueryParameters)`):
 * read the local state stores of any instance of a running application, as
 * a read-only key-value, window or session store.
 *
 * The meanings follow Kafka Streams (`QueryableStoreProvider`,
 * `StreamThreadStateStoreProvider`, `CompositeReadOnlyKeyValueStore`):
 * - an instance answers only while it runs. A crashed or closed instance is
 *   NOT_RUNNING (`StateStoreNotAvailableException`); one that is joining the
 *   group, waiting for a rebalance or restoring a task is REBALANCING, and
 *   answers only if stale stores are enabled (else
 *   `StateStoreMigratedException`: the store may be moving to another
 *   instance);
 * - by default only active tasks that are RUNNING are read; with stale stores
 *   enabled, restoring active tasks and standby tasks are read too;
 * - a query without a partition reads every local task of the store, as one
 *   store (a key lives in one partition, so at most one task holds it); a
 *   partition the instance does not host is
 *   `InvalidStateStorePartitionException`; an unknown store name is
 *   `UnknownStateStoreException`;
 * - the returned store is a live view: every call looks the stores up again
 *   and checks the instance's state again, as Kafka's composite stores do;
 * - reads see what the store holds, its record cache included, so under
 *   exactly-once they can see writes not yet committed (Kafka's
 *   interactive queries read uncommitted local state too).
 *
 * The engine registers each stream thread here (`QueryRegistry`); the host
 * that runs the world says whether an instance's process is up.
 */
import { partitionForKey } from '../../stream/partition.ts';
import { parseSessionStoreKey, parseWindowStoreKey, type StateStore, type StoredValue } from './stores.ts';
import type { Topology } from './topology.ts';

/** Kafka's `InvalidStateStoreException` and its subclasses. */
export class InvalidStateStoreException extends Error {
  override name = 'InvalidStateStoreException';
}
export class StateStoreNotAvailableException extends InvalidStateStoreException {
  override name = 'StateStoreNotAvailableException';
}
export class StateStoreMigratedException extends InvalidStateStoreException {
  override name = 'StateStoreMigratedException';
}
export class UnknownStateStoreException extends InvalidStateStoreException {
  override name = 'UnknownStateStoreException';
}
export class InvalidStateStorePartitionException extends InvalidStateStoreException {
  override name = 'InvalidStateStorePartitionException';
}

/** One local task's copy of a store. */
export interface LocalStore {
  task: string;
  partition: number;
  /** Active task (false: standby). */
  active: boolean;
  /** The active task has finished restoring and processes records. */
  running: boolean;
  store: StateStore;
}

/** What a stream thread shows of itself to queries. */
export interface QueryableThread {
  /** NOT_RUNNING once closed; REBALANCING while joining, rebalancing or restoring; else RUNNING. */
  state(): KafkaStreamsState;
  /** The local copies (active and standby) of `storeName`. */
  localStores(storeName: string): LocalStore[];
}

export type KafkaStreamsState = 'REBALANCING' | 'RUNNING' | 'NOT_RUNNING';

/** Where the engine's stream threads register (one per instance; a restarted instance replaces its entry). */
export class QueryRegistry {
  private readonly threads = new Map<string, QueryableThread>();

  register(instance: string, thread: QueryableThread): void {
    this.threads.set(instance, thread);
  }

  thread(instance: string): QueryableThread | undefined {
    return this.threads.get(instance);
  }

  instances(): string[] {
    return [...this.threads.keys()].sort();
  }
}

/** Kafka's `StoreQueryParameters`: the store, optionally one partition, optionally stale stores. */
export interface StoreQueryParameters {
  storeName: string;
  partition?: number;
  /** `enableStaleStores()`: standby and restoring copies answer too. */
  staleStores?: boolean;
}

export interface KeyValueEntry<V = unknown> {
  key: string;
  value: V;
  /** The record timestamp the value carries (Kafka's `ValueAndTimestamp`). */
  timestamp: number;
}

export interface WindowedEntry<V = unknown> extends KeyValueEntry<V> {
  /** The window's start. */
  start: number;
}

export interface SessionEntry<V = unknown> extends KeyValueEntry<V> {
  start: number;
  end: number;
}

/** Kafka's `ReadOnlyKeyValueStore`. */
export interface ReadOnlyKeyValueStore<V = unknown> {
  readonly kind: 'kv';
  get(key: string): V | undefined;
  /** Keys from `from` to `to`, both inclusive, in key order. */
  range(from: string, to: string): KeyValueEntry<V>[];
  all(): KeyValueEntry<V>[];
  approximateNumEntries(): number;
}

/** Kafka's `ReadOnlyWindowStore`. */
export interface ReadOnlyWindowStore<V = unknown> {
  readonly kind: 'window';
  /** The value of `key`'s window that starts at `windowStart`. */
  fetch(key: string, windowStart: number): V | undefined;
  /** `key`'s windows with a start in [timeFrom, timeTo], by start. */
  fetchRange(key: string, timeFrom: number, timeTo: number): WindowedEntry<V>[];
  /** Every key's windows with a start in [timeFrom, timeTo]. */
  fetchAll(timeFrom: number, timeTo: number): WindowedEntry<V>[];
  all(): WindowedEntry<V>[];
}

/** Kafka's `ReadOnlySessionStore`. */
export interface ReadOnlySessionStore<V = unknown> {
  readonly kind: 'session';
  /** Every session of `key`. */
  fetch(key: string): SessionEntry<V>[];
  /** `key`'s sessions that end at or after `earliestSessionEndTime` and start at or before `latestSessionStartTime`. */
  findSessions(key: string, earliestSessionEndTime: number, latestSessionStartTime: number): SessionEntry<V>[];
  all(): SessionEntry<V>[];
}

export type ReadOnlyStore = ReadOnlyKeyValueStore | ReadOnlyWindowStore | ReadOnlySessionStore;

/** Where a key of a store lives (Kafka's `KeyQueryMetadata`). */
export interface KeyQueryMetadata {
  partition: number;
  /** The instance whose active task holds the partition (undefined: none does now). */
  active: string | undefined;
  standbys: string[];
}

const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The interactive-query side of a Kafka Streams application's instances. */
export class KafkaStreamsQueries {
  constructor(
    private readonly registry: QueryRegistry,
    private readonly topology: Topology,
    /** Partitions per store (its changelog's, one per task of its sub-topology). */
    private readonly storePartitions: Readonly<Record<string, number>>,
    /** Whether an instance's process is up now (the host knows; a crashed instance is NOT_RUNNING). */
    private readonly isUp: (instance: string) => boolean,
  ) {}

  /** The application's instances. */
  instances(): string[] {
    return this.registry.instances();
  }

  /** The store names of the topology, with their kinds. */
  stores(): { name: string; kind: 'kv' | 'window' | 'session' }[] {
    return [...this.topology.stores.values()].map((s) => ({ name: s.name, kind: s.kind })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Kafka's `KafkaStreams.state()` for one instance. */
  state(instance: string): KafkaStreamsState {
    const t = this.registry.thread(instance);
    if (t === undefined || !this.isUp(instance)) return 'NOT_RUNNING';
    return t.state();
  }

  /** `KafkaStreams.store(StoreQueryParameters)` on `instance`: a live, read-only view. */
  store(instance: string, params: StoreQueryParameters | string): ReadOnlyStore {
    const p = typeof params === 'string' ? { storeName: params } : params;
    const spec = this.topology.stores.get(p.storeName);
    if (spec === undefined) throw new UnknownStateStoreException(`cannot get state store ${p.storeName}: it is not in the topology`);
    this.locals(instance, p); // validates now, as KafkaStreams.store does
    const get = (): StateStore[] => this.locals(instance, p).map((l) => l.store);
    switch (spec.kind) {
      case 'kv':
        return keyValueView(get);
      case 'window':
        return windowView(get, spec.duplicates === true);
      case 'session':
        return sessionView(get);
    }
  }

  keyValueStore<V = unknown>(instance: string, params: StoreQueryParameters | string): ReadOnlyKeyValueStore<V> {
    return this.typed(instance, params, 'kv') as ReadOnlyKeyValueStore<V>;
  }

  windowStore<V = unknown>(instance: string, params: StoreQueryParameters | string): ReadOnlyWindowStore<V> {
    return this.typed(instance, params, 'window') as ReadOnlyWindowStore<V>;
  }

  sessionStore<V = unknown>(instance: string, params: StoreQueryParameters | string): ReadOnlySessionStore<V> {
    return this.typed(instance, params, 'session') as ReadOnlySessionStore<V>;
  }

  /** `KafkaStreams.queryMetadataForKey`: the partition of `key` in `storeName` and who holds it now. */
  queryMetadataForKey(storeName: string, key: string): KeyQueryMetadata {
    const n = this.storePartitions[storeName];
    if (n === undefined) throw new UnknownStateStoreException(`cannot get state store ${storeName}: it is not in the topology`);
    const partition = partitionForKey(key, n);
    let active: string | undefined;
    const standbys: string[] = [];
    for (const i of this.instances()) {
      if (this.state(i) === 'NOT_RUNNING') continue;
      for (const l of this.registry.thread(i)!.localStores(storeName)) {
        if (l.partition !== partition) continue;
        if (l.active) active = i;
        else standbys.push(i);
      }
    }
    return { partition, active, standbys };
  }

  private typed(instance: string, params: StoreQueryParameters | string, kind: 'kv' | 'window' | 'session'): ReadOnlyStore {
    const s = this.store(instance, params);
    if (s.kind !== kind) {
      const name = typeof params === 'string' ? params : params.storeName;
      throw new InvalidStateStoreException(`cannot get state store ${name}: it is a ${s.kind} store, not a ${kind} store`);
    }
    return s;
  }

  private locals(instance: string, p: StoreQueryParameters): LocalStore[] {
    const state = this.state(instance);
    if (state === 'NOT_RUNNING') {
      throw new StateStoreNotAvailableException(`cannot get state store ${p.storeName} on ${instance}: the instance is NOT_RUNNING`);
    }
    if (state !== 'RUNNING' && p.staleStores !== true) {
      throw new StateStoreMigratedException(
        `cannot get state store ${p.storeName} on ${instance}: the instance is ${state}, not RUNNING; the store may have migrated to another instance (enable stale stores to read it anyway)`);
    }
    let locals = this.registry.thread(instance)!.localStores(p.storeName)
      .filter((l) => (p.staleStores === true ? true : l.active && l.running));
    if (p.partition !== undefined) {
      locals = locals.filter((l) => l.partition === p.partition);
      if (locals.length === 0) {
        throw new InvalidStateStorePartitionException(`the specified partition ${p.partition} for store ${p.storeName} does not exist on ${instance}`);
      }
    }
    return locals.sort((a, b) => a.partition - b.partition || Number(b.active) - Number(a.active));
  }
}

/**
 * The entries of `stores` that `keep` takes, the first copy's where several hold a key (active
 * copies come first). A window
 * or session store gives only what its lookups find: Kafka's queries go through the same
 * retention bound as the processors' lookups (`fetch`, `fetchAll`, `findSessions`), the record
 * cache excepted.
 */
function merged(stores: StateStore[], keep: (storeKey: string) => boolean = () => true): [string, StoredValue][] {
  const out = new Map<string, StoredValue>();
  for (const s of stores) for (const [k, v] of s.select((k) => keep(k) && s.visible(k))) if (!out.has(k)) out.set(k, v);
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function keyValueView(get: () => StateStore[]): ReadOnlyKeyValueStore {
  const entries = (keep?: (k: string) => boolean): KeyValueEntry[] =>
    merged(get(), keep).map(([key, v]) => ({ key, value: v.value, timestamp: v.ts }));
  return {
    kind: 'kv',
    get: (key) => {
      for (const s of get()) {
        const v = s.get(key);
        if (v !== undefined) return v.value;
      }
      return undefined;
    },
    range: (from, to) => entries((k) => k >= from && k <= to),
    all: () => entries(),
    approximateNumEntries: () => get().reduce((n, s) => n + s.size, 0),
  };
}

/**
 * `duplicates`: a store that keeps duplicates (a stream–stream join's), whose keys carry a sequence
 * number after the timestamp; Kafka's window key schema drops it, so each record is an entry at its
 * timestamp, duplicates one after another.
 */
function windowView(get: () => StateStore[], duplicates: boolean): ReadOnlyWindowStore {
  const parse = duplicates ? (k: string) => parseWindowStoreKey(k.slice(0, k.lastIndexOf('@'))) : parseWindowStoreKey;
  const entries = (keep: (key: string, start: number) => boolean): WindowedEntry[] =>
    merged(get())
      .map(([k, v]) => ({ p: parse(k), v }))
      .filter(({ p }) => keep(p.key, p.start))
      .map(({ p, v }) => ({ key: p.key, start: p.start, value: v.value, timestamp: v.ts }))
      .sort((a, b) => byKey(a, b) || a.start - b.start);
  return {
    kind: 'window',
    fetch: (key, windowStart) => entries((k, s) => k === key && s === windowStart)[0]?.value,
    fetchRange: (key, from, to) => entries((k, s) => k === key && s >= from && s <= to),
    fetchAll: (from, to) => entries((_k, s) => s >= from && s <= to),
    all: () => entries(() => true),
  };
}

function sessionView(get: () => StateStore[]): ReadOnlySessionStore {
  const entries = (keep: (key: string, start: number, end: number) => boolean): SessionEntry[] =>
    merged(get())
      .map(([k, v]) => ({ p: parseSessionStoreKey(k), v }))
      .filter(({ p }) => keep(p.key, p.start, p.end))
      .map(({ p, v }) => ({ key: p.key, start: p.start, end: p.end, value: v.value, timestamp: v.ts }))
      .sort((a, b) => byKey(a, b) || a.end - b.end || a.start - b.start);
  return {
    kind: 'session',
    fetch: (key) => entries((k) => k === key),
    findSessions: (key, earliestEnd, latestStart) => entries((k, s, e) => k === key && e >= earliestEnd && s <= latestStart),
    all: () => entries(() => true),
  };
}
