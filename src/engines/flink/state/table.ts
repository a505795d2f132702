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
 */
import type { TtlConfig } from './ttl.ts';

export type StateKind = 'value' | 'list' | 'map' | 'reducing';

export class StateTable {
  readonly data = new Map<string, Map<string, unknown>>();

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
}
