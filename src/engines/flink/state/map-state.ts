/**
 * Keyed map state (Flink's MapState with string user keys), bound to the
 * backend's current key and namespace. An empty map is stored as no entry.
 *
 * With TTL every user key has its own timestamp (as Flink's TtlMapState):
 * `get` and `contains` apply the single-value rules of `ttl.ts` per user
 * key (clean up when expired, return once more under
 * `ReturnExpiredIfNotCleanedUp`, refresh under `OnReadAndWrite`); `entries`
 * does the same for every user key. Iteration follows insertion order.
 * Every call first gives incremental cleanup its step
 * (`StateTable.accessed`).
 */
import type { StateScope, StateTable } from './table.ts';
import { isExpired, returnsExpired, type TtlValue } from './ttl.ts';

export interface MapState<V> {
  get(userKey: string): V | undefined;
  put(userKey: string, value: V): void;
  putAll(entries: Iterable<readonly [string, V]>): void;
  remove(userKey: string): void;
  contains(userKey: string): boolean;
  entries(): [string, V][];
  keys(): string[];
  values(): V[];
  isEmpty(): boolean;
  clear(): void;
}

export class HeapMapState<V> implements MapState<V> {
  constructor(
    private readonly table: StateTable,
    private readonly scope: StateScope,
  ) {}

  get(userKey: string): V | undefined {
    this.table.accessed(this.scope);
    return this.read(userKey);
  }

  private read(userKey: string): V | undefined {
    const m = this.current();
    if (m === undefined) return undefined;
    const stored = m.get(userKey);
    if (stored === undefined || this.table.ttl === undefined) return stored as V | undefined;
    return this.readTtlEntry(m, userKey, stored as TtlValue<V>);
  }

  put(userKey: string, value: V): void {
    this.table.accessed(this.scope);
    this.write(userKey, value);
  }

  private write(userKey: string, value: V): void {
    let m = this.current();
    if (m === undefined) {
      m = new Map();
      this.table.set(this.scope.namespace, this.scope.key, m);
    }
    m.set(userKey, this.table.ttl === undefined ? value : ({ v: value, ts: this.scope.now() } satisfies TtlValue<V>));
  }

  putAll(entries: Iterable<readonly [string, V]>): void {
    this.table.accessed(this.scope);
    for (const [k, v] of entries) this.write(k, v);
  }

  remove(userKey: string): void {
    this.table.accessed(this.scope);
    const m = this.current();
    if (m === undefined) return;
    m.delete(userKey);
    if (m.size === 0) this.drop();
  }

  contains(userKey: string): boolean {
    this.table.accessed(this.scope);
    return this.read(userKey) !== undefined;
  }

  entries(): [string, V][] {
    this.table.accessed(this.scope);
    return this.readAll();
  }

  private readAll(): [string, V][] {
    const m = this.current();
    if (m === undefined) return [];
    const out: [string, V][] = [];
    if (this.table.ttl === undefined) {
      for (const [k, v] of m) out.push([k, v as V]);
      return out;
    }
    for (const [k, stored] of Array.from(m)) {
      const v = this.readTtlEntry(m, k, stored as TtlValue<V>);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }

  keys(): string[] {
    return this.entries().map((e) => e[0]);
  }

  values(): V[] {
    return this.entries().map((e) => e[1]);
  }

  isEmpty(): boolean {
    return this.entries().length === 0;
  }

  clear(): void {
    this.table.accessed(this.scope);
    this.drop();
  }

  private drop(): void {
    this.table.delete(this.scope.namespace, this.scope.key);
  }

  private current(): Map<string, unknown> | undefined {
    return this.table.get(this.scope.namespace, this.scope.key) as Map<string, unknown> | undefined;
  }

  private readTtlEntry(m: Map<string, unknown>, userKey: string, tv: TtlValue<V>): V | undefined {
    const ttl = this.table.ttl!;
    const now = this.scope.now();
    if (isExpired(tv.ts, ttl.ttlMs, now)) {
      m.delete(userKey);
      if (m.size === 0) this.drop();
      return returnsExpired(ttl, this.scope) ? tv.v : undefined;
    }
    if (ttl.updateType === 'OnReadAndWrite') tv.ts = now;
    return tv.v;
  }
}
