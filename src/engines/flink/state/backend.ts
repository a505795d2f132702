/**
 * The heap keyed state backend of one operator instance (Flink's
 * HeapKeyedStateBackend): named states, each a table
 * `namespace -> key -> value`, read and written through handles bound to the
 * current key (`setCurrentKey`) and namespace (`setCurrentNamespace`, '' by
 * default; a window operator uses `windowKey(window)`).
 *
 * Invariants:
 * - A state name has one kind (value, list, map, reducing) and TTL is on or
 *   off for it for the backend's lifetime, including across restore: asking
 *   for it as another kind, or switching TTL on or off, throws (Flink refuses
 *   such a restore too). The TTL duration and rules may change.
 * - `snapshot()` is plain JSON-able data sharing nothing with the live state
 *   (one deep copy of the whole entry list, `cloneJson`; `snapshotLive()` is
 *   the same list holding the live values, for a caller that copies it);
 *   `restore()` copies again, so a snapshot may be restored many times.
 *   Entries are listed in the live Maps' insertion order, so a restored
 *   backend iterates (keys, map entries) in the same order as the one
 *   snapshotted.
 * - `stateHash()` depends only on content: entries sorted by (state name,
 *   namespace, key), values in canonical form. TTL timestamps are not part
 *   of it (they are processing time, not content); expired entries that no
 *   read or cleanup has removed yet are.
 * - TTL cleanup (see `ttl.ts`): a state with `fullSnapshot` cleanup leaves
 *   what has expired out of `snapshot()`; one with incremental cleanup on
 *   every record takes its step whenever a key is selected.
 * - Values must be JSON-able (plain objects, arrays, strings, numbers,
 *   booleans, null).
 */
import { HeapListState, type ListState } from './list-state.ts';
import { HeapMapState, type MapState } from './map-state.ts';
import { canonical, cmp, ContentHash } from '../../../stream/content-hash.ts';
import { StateTable, type StateKind, type StateScope } from './table.ts';
import { unexpired, validateTtl, type TtlConfig } from './ttl.ts';
import { HeapReducingState, HeapValueState, type ReducingState, type ValueState } from './value-state.ts';
import { cloneJson } from '../../../stream/plain-data.ts';

export type { ListState } from './list-state.ts';
export type { MapState } from './map-state.ts';
export type { ReducingState, ValueState } from './value-state.ts';

export interface TableSnapshot {
  name: string;
  kind: StateKind;
  ttl: TtlConfig | null;
  /** `[namespace, key, stored]`; a map's stored form is an array of `[userKey, stored]`. */
  entries: [string, string, unknown][];
}

export interface StateSnapshot {
  format: 'weir.keyed-state.v1';
  tables: TableSnapshot[];
}

export interface BackendOptions {
  /** Planted bug `ttl-returns-expired`: reads hand out expired values although the state never returns them. */
  ttlReturnsExpired?: boolean;
}

export class KeyedStateBackend implements StateScope {
  key = '';
  namespace = '';
  readonly ttlReturnsExpired: boolean;
  private readonly tables = new Map<string, StateTable>();
  /** The states whose incremental TTL cleanup also runs on every record (key selection). */
  private everyRecord: StateTable[] = [];

  /** `now` is the process's virtual processing time, used only for TTL. */
  constructor(readonly now: () => number = () => 0, opts: BackendOptions = {}) {
    this.ttlReturnsExpired = opts.ttlReturnsExpired ?? false;
  }

  setCurrentKey(key: string): void {
    this.key = key;
    for (const t of this.everyRecord) t.cleanupStep(t.ttl!.cleanup!.incremental!.size, this.now());
  }

  getCurrentKey(): string {
    return this.key;
  }

  setCurrentNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  getCurrentNamespace(): string {
    return this.namespace;
  }

  valueState<T>(name: string, ttl?: TtlConfig): ValueState<T> {
    return new HeapValueState<T>(this.table(name, 'value', ttl), this);
  }

  listState<T>(name: string, ttl?: TtlConfig): ListState<T> {
    return new HeapListState<T>(this.table(name, 'list', ttl), this);
  }

  mapState<V>(name: string, ttl?: TtlConfig): MapState<V> {
    return new HeapMapState<V>(this.table(name, 'map', ttl), this);
  }

  reducingState<T>(name: string, reduce: (a: T, b: T) => T, ttl?: TtlConfig): ReducingState<T> {
    return new HeapReducingState<T>(this.table(name, 'reducing', ttl), this, reduce);
  }

  /** Names of all states, registered or restored. */
  stateNames(): string[] {
    return Array.from(this.tables.keys());
  }

  /**
   * Keys with an entry in `stateName`: in `namespace` if given, else in any
   * namespace (each key once, in first-seen order).
   */
  keys(stateName: string, namespace?: string): string[] {
    const t = this.tables.get(stateName);
    if (t === undefined) return [];
    if (namespace !== undefined) return Array.from(t.data.get(namespace)?.keys() ?? []);
    const seen = new Set<string>();
    for (const byKey of t.data.values()) for (const k of byKey.keys()) seen.add(k);
    return Array.from(seen);
  }

  /** Namespaces with at least one entry in `stateName`. */
  namespaces(stateName: string): string[] {
    return Array.from(this.tables.get(stateName)?.data.keys() ?? []);
  }

  /** Number of (state, namespace, key) entries. */
  sizeEntries(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.size;
    return n;
  }

  snapshot(): StateSnapshot {
    const live = this.snapshotLive();
    return { format: live.format, tables: cloneJson(live.tables) };
  }

  /**
   * `snapshot()` without its copy: the entries' values are the live ones, for a caller that
   * copies the whole at once (a task copies each synchronous operator's part at the barrier) and
   * would otherwise copy every value twice.
   */
  snapshotLive(): StateSnapshot {
    const tables: TableSnapshot[] = [];
    for (const t of this.tables.values()) {
      const entries: [string, string, unknown][] = [];
      const dropExpired = t.ttl?.cleanup?.fullSnapshot === true ? { ttlMs: t.ttl.ttlMs, now: this.now() } : undefined;
      for (const [ns, byKey] of t.data) {
        for (const [k, live] of byKey) {
          const stored = dropExpired ? unexpired(t.kind, live, dropExpired.ttlMs, dropExpired.now) : live;
          if (stored === undefined) continue;
          entries.push([ns, k, t.kind === 'map' ? Array.from(stored as Map<string, unknown>) : stored]);
        }
      }
      tables.push({ name: t.name, kind: t.kind, ttl: t.ttl ? { ...t.ttl } : null, entries });
    }
    return { format: 'weir.keyed-state.v1', tables };
  }

  /** Replaces all state with the snapshot's. Handles obtained earlier stay valid. */
  restore(s: StateSnapshot): void {
    if (s.format !== 'weir.keyed-state.v1') throw new Error(`unknown keyed state snapshot format: ${s.format}`);
    const tables = cloneJson(s.tables);
    for (const t of this.tables.values()) {
      t.data.clear();
      t.resetCursor();
    }
    for (const ts of tables) {
      const t = this.table(ts.name, ts.kind, ts.ttl ?? undefined, true);
      for (const [ns, k, stored] of ts.entries) {
        t.set(ns, k, ts.kind === 'map' ? new Map(stored as [string, unknown][]) : stored);
      }
    }
  }

  /**
   * Every entry as its user sees it (TTL timestamps stripped; a map state as
   * `[userKey, value]` pairs sorted by key), copied: by state name, then
   * namespace, then key.
   */
  contents(): { name: string; key: string; namespace: string; value: unknown }[] {
    const out: { name: string; key: string; namespace: string; value: unknown }[] = [];
    for (const name of Array.from(this.tables.keys()).sort(cmp)) {
      const t = this.tables.get(name)!;
      for (const ns of Array.from(t.data.keys()).sort(cmp)) {
        const byKey = t.data.get(ns)!;
        for (const k of Array.from(byKey.keys()).sort(cmp)) out.push({ name, key: k, namespace: ns, value: cloneJson(contentOf(t, byKey.get(k))) });
      }
    }
    return out;
  }

  /** Content hash over all states, independent of insertion order (16 hex digits). */
  stateHash(): string {
    const h = new ContentHash();
    const names = Array.from(this.tables.keys()).sort(cmp);
    for (const name of names) {
      const t = this.tables.get(name)!;
      if (t.size === 0) continue;
      h.update(name).update(t.kind);
      for (const ns of Array.from(t.data.keys()).sort(cmp)) {
        const byKey = t.data.get(ns)!;
        for (const k of Array.from(byKey.keys()).sort(cmp)) {
          h.update(ns).update(k).update(canonical(contentOf(t, byKey.get(k))));
        }
      }
    }
    return h.digest();
  }

  /**
   * The table for `name`, created on first use. A restore keeps the TTL
   * settings of a state already registered (the running job's code wins);
   * a registration replaces them.
   */
  private table(name: string, kind: StateKind, ttl: TtlConfig | undefined, restoring = false): StateTable {
    if (ttl !== undefined) validateTtl(ttl);
    const t = this.tables.get(name);
    if (t === undefined) {
      const created = new StateTable(name, kind, copyTtl(ttl));
      this.tables.set(name, created);
      this.noteEveryRecord();
      return created;
    }
    if (t.kind !== kind) throw new Error(`state '${name}' is ${t.kind} state, not ${kind}`);
    if ((t.ttl === undefined) !== (ttl === undefined)) {
      throw new Error(`state '${name}': TTL cannot be switched ${ttl ? 'on' : 'off'} for existing state`);
    }
    // A state without TTL asked for again (a function that gets its state per record, as Flink
    // allows) is the same table with nothing to note.
    if (!restoring && ttl !== undefined) {
      t.ttl = copyTtl(ttl);
      this.noteEveryRecord();
    }
    return t;
  }

  private noteEveryRecord(): void {
    this.everyRecord = Array.from(this.tables.values()).filter((t) => t.ttl?.cleanup?.incremental?.everyRecord === true);
  }
}

function copyTtl(ttl: TtlConfig | undefined): TtlConfig | undefined {
  if (ttl === undefined) return undefined;
  const { cleanup, ...rest } = ttl;
  return cleanup === undefined ? { ...rest } : { ...rest, cleanup: { fullSnapshot: cleanup.fullSnapshot, incremental: cleanup.incremental && { ...cleanup.incremental } } };
}

/** The user-visible content of a stored entry, TTL timestamps stripped. */
function contentOf(t: StateTable, stored: unknown): unknown {
  const ttl = t.ttl !== undefined;
  switch (t.kind) {
    case 'value':
    case 'reducing':
      return ttl ? (stored as { v: unknown }).v : stored;
    case 'list':
      return ttl ? (stored as { v: unknown }[]).map((e) => e.v) : stored;
    case 'map': {
      const m = stored as Map<string, unknown>;
      const pairs = Array.from(m, ([k, v]) => [k, ttl ? (v as { v: unknown }).v : v] as const);
      return pairs.sort((a, b) => cmp(a[0], b[0]));
    }
  }
}
