/**
 * The storage of one named keyed state: `namespace -> key -> stored value`,
 * as nested Maps (Flink's heap StateTable, without copy-on-write: snapshots
 * deep-copy instead). Namespace first because a window operator's namespaces
 * (windows) are few and shared by many keys, and dropping a namespace's
 * entries then touches one inner map.
 *
 * What is stored depends on the kind and on whether TTL is on:
 * value / reducing: `T` or `TtlValue<T>`; list: `T[]` or `TtlValue<T>[]`;
 * map: `Map<string, V>` or `Map<string, TtlValue<V>>`. An absent entry means
 * empty state; empty inner maps are removed, so `size` counts live entries.
 *
 * With incremental TTL cleanup the table keeps a cursor over its entries
 * (Flink's global state iterator): each cleanup step checks the next few
 * entries after it, starting a new pass when one ends.
 */
import { unexpired, type TtlConfig } from './ttl.ts';

export type StateKind = 'value' | 'list' | 'map' | 'reducing';

export class StateTable {
  readonly data = new Map<string, Map<string, unknown>>();
  private cursor: Iterator<[string, string]> | undefined;
  /** The cursor's next entry, once looked at. */
  private ahead: IteratorResult<[string, string]> | undefined;

  constructor(
    readonly name: string,
    readonly kind: StateKind,
    public ttl: TtlConfig | undefined,
  ) {}

  get(namespace: string, key: string): unknown {
    return this.data.get(namespace)?.get(key);
  }

  set(namespace: string, key: string, stored: unknown): void {
    let byKey = this.data.get(namespace);
    if (byKey === undefined) {
      byKey = new Map();
      this.data.set(namespace, byKey);
    }
    byKey.set(key, stored);
  }

  delete(namespace: string, key: string): void {
    const byKey = this.data.get(namespace);
    if (byKey === undefined) return;
    byKey.delete(key);
    if (byKey.size === 0) this.data.delete(namespace);
  }

  /** Every access to the state: with incremental TTL cleanup, a cleanup step first (Flink's access callback). */
  accessed(scope: StateScope): void {
    const inc = this.ttl?.cleanup?.incremental;
    if (inc) this.cleanupStep(inc.size, scope.now());
  }

  /**
   * Checks up to `size` entries after the cursor and drops what expired by
   * `now`. A step that finds the last pass ended starts a new one; a step
   * stops at the end of its pass (as Flink's TtlIncrementalCleanup).
   */
  cleanupStep(size: number, now: number): void {
    const ttl = this.ttl;
    if (ttl === undefined) return;
    if (this.cursor === undefined || this.peek().done === true) {
      this.cursor = this.entries();
      this.ahead = undefined;
    }
    for (let i = 0; i < size; i++) {
      const next = this.peek();
      if (next.done === true) return;
      this.ahead = undefined;
      const [ns, key] = next.value;
      const stored = this.get(ns, key);
      if (stored === undefined) continue;
      const left = unexpired(this.kind, stored, ttl.ttlMs, now);
      if (left === undefined) this.delete(ns, key);
      else if (left !== stored) this.set(ns, key, left);
    }
  }

  /** Forgets the cleanup cursor (the data was replaced wholesale). */
  resetCursor(): void {
    this.cursor = undefined;
    this.ahead = undefined;
  }

  private peek(): IteratorResult<[string, string]> {
    this.ahead ??= this.cursor!.next();
    return this.ahead;
  }

  private *entries(): Generator<[string, string]> {
    for (const [ns, byKey] of this.data) for (const key of byKey.keys()) yield [ns, key];
  }

  /** Number of (namespace, key) entries. */
  get size(): number {
    let n = 0;
    for (const byKey of this.data.values()) n += byKey.size;
    return n;
  }
}

/** What a state handle needs from its backend: the current key and namespace, and the time. */
export interface StateScope {
  /** The key every handle reads and writes (Flink's current key). */
  readonly key: string;
  /** The namespace (a window's key, or '' outside windows). */
  readonly namespace: string;
  /** Processing time for TTL. */
  now(): number;
  /** Planted bug `ttl-returns-expired`: reads hand out expired values under `NeverReturnExpired` too. */
  readonly ttlReturnsExpired?: boolean;
}
