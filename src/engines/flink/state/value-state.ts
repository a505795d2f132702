/**
 * Single-value keyed state handles: `ValueState` and `ReducingState`, bound
 * to the backend's current key and namespace at each call (Flink style: one
 * handle, many keys).
 *
 * `undefined` means "no value": `update(undefined)` clears, as Flink's
 * `update(null)` does. With TTL, every read goes through `readTtl`, which
 * applies the expiry, visibility and update-on-read rules of `ttl.ts`, and
 * every call first gives incremental cleanup its step (`StateTable.accessed`).
 */
import type { StateScope, StateTable } from './table.ts';
import { isExpired, returnsExpired, type TtlValue } from './ttl.ts';

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T | undefined): void;
  clear(): void;
}

export interface ReducingState<T> {
  get(): T | undefined;
  /** Folds `value` into the state with the reduce function (or stores it when empty). */
  add(value: T): void;
  clear(): void;
  /** Reduces the state of `sources` (for the current key) into `target`, clearing the sources. */
  mergeNamespaces(target: string, sources: readonly string[]): void;
}

/** Reads the single value at (namespace, key), applying TTL rules. */
export function readTtl<T>(table: StateTable, scope: StateScope, namespace: string): T | undefined {
  const stored = table.get(namespace, scope.key);
  if (stored === undefined) return undefined;
  const ttl = table.ttl;
  if (ttl === undefined) return stored as T;
  const tv = stored as TtlValue<T>;
  const now = scope.now();
  if (isExpired(tv.ts, ttl.ttlMs, now)) {
    table.delete(namespace, scope.key);
    return returnsExpired(ttl, scope) ? tv.v : undefined;
  }
  if (ttl.updateType === 'OnReadAndWrite') tv.ts = now;
  return tv.v;
}

/** The value at (namespace, key) for a write path: expired counts as absent whatever the visibility. */
function readForWrite<T>(table: StateTable, scope: StateScope, namespace: string): T | undefined {
  const stored = table.get(namespace, scope.key);
  if (stored === undefined || table.ttl === undefined) return stored as T | undefined;
  const tv = stored as TtlValue<T>;
  return isExpired(tv.ts, table.ttl.ttlMs, scope.now()) ? undefined : tv.v;
}

export function writeValue<T>(table: StateTable, scope: StateScope, namespace: string, value: T): void {
  table.set(namespace, scope.key, table.ttl === undefined ? value : ({ v: value, ts: scope.now() } as TtlValue<T>));
}

export class HeapValueState<T> implements ValueState<T> {
  constructor(
    private readonly table: StateTable,
    private readonly scope: StateScope,
  ) {}

  value(): T | undefined {
    this.table.accessed(this.scope);
    return readTtl<T>(this.table, this.scope, this.scope.namespace);
  }

  update(value: T | undefined): void {
    this.table.accessed(this.scope);
    if (value === undefined) this.table.delete(this.scope.namespace, this.scope.key);
    else writeValue(this.table, this.scope, this.scope.namespace, value);
  }

  clear(): void {
    this.table.accessed(this.scope);
    this.table.delete(this.scope.namespace, this.scope.key);
  }
}

export class HeapReducingState<T> implements ReducingState<T> {
  constructor(
    private readonly table: StateTable,
    private readonly scope: StateScope,
    private readonly reduce: (a: T, b: T) => T,
  ) {}

  get(): T | undefined {
    this.table.accessed(this.scope);
    return readTtl<T>(this.table, this.scope, this.scope.namespace);
  }

  add(value: T): void {
    this.table.accessed(this.scope);
    const ns = this.scope.namespace;
    const current = readForWrite<T>(this.table, this.scope, ns);
    writeValue(this.table, this.scope, ns, current === undefined ? value : this.reduce(current, value));
  }

  clear(): void {
    this.table.accessed(this.scope);
    this.table.delete(this.scope.namespace, this.scope.key);
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    this.table.accessed(this.scope);
    let acc = readForWrite<T>(this.table, this.scope, target);
    let changed = false;
    for (const ns of sources) {
      if (ns === target) continue;
      const v = readForWrite<T>(this.table, this.scope, ns);
      this.table.delete(ns, this.scope.key);
      if (v === undefined) continue;
      acc = acc === undefined ? v : this.reduce(acc, v);
      changed = true;
    }
    if (changed && acc !== undefined) writeValue(this.table, this.scope, target, acc);
  }
}
