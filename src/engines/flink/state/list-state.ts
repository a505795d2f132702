/**
 * Keyed list state (Flink's ListState), bound to the backend's current key
 * and namespace. An empty list is stored as no entry at all.
 *
 * Without TTL, `get()` returns the stored array itself (as Flink's heap
 * backend does), typed readonly: copying it on every read would make a
 * per-record read O(n). With TTL each element carries its own timestamp (as
 * Flink's TtlListState): a read drops expired elements from the state,
 * returns them once more only under `ReturnExpiredIfNotCleanedUp`, and with
 * `OnReadAndWrite` refreshes the survivors. Every call first gives
 * incremental cleanup its step (`StateTable.accessed`).
 */
import type { StateScope, StateTable } from './table.ts';
import { isExpired, returnsExpired, type TtlValue } from './ttl.ts';

export interface ListState<T> {
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  /** Replaces the list; an empty list clears the state. */
  update(values: readonly T[]): void;
  clear(): void;
  /** Appends the lists of `sources` (for the current key) to `target`, clearing the sources. */
  mergeNamespaces(target: string, sources: readonly string[]): void;
}

const EMPTY: readonly never[] = Object.freeze([]);

export class HeapListState<T> implements ListState<T> {
  constructor(
    private readonly table: StateTable,
    private readonly scope: StateScope,
  ) {}

  get(): readonly T[] {
    this.table.accessed(this.scope);
    const ns = this.scope.namespace;
    const stored = this.table.get(ns, this.scope.key) as unknown[] | undefined;
    if (stored === undefined) return EMPTY;
    if (this.table.ttl === undefined) return stored as T[];
    return this.readTtl(ns, stored as TtlValue<T>[]);
  }

  add(value: T): void {
    this.table.accessed(this.scope);
    this.appendTo(this.scope.namespace, [value]);
  }

  addAll(values: readonly T[]): void {
    this.table.accessed(this.scope);
    if (values.length > 0) this.appendTo(this.scope.namespace, values);
  }

  update(values: readonly T[]): void {
    this.table.accessed(this.scope);
    this.table.delete(this.scope.namespace, this.scope.key);
    if (values.length > 0) this.appendTo(this.scope.namespace, values);
  }

  clear(): void {
    this.table.accessed(this.scope);
    this.table.delete(this.scope.namespace, this.scope.key);
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    this.table.accessed(this.scope);
    const key = this.scope.key;
    for (const ns of sources) {
      if (ns === target) continue;
      const src = this.table.get(ns, key) as unknown[] | undefined;
      if (src === undefined) continue;
      this.table.delete(ns, key);
      const dst = this.table.get(target, key) as unknown[] | undefined;
      // Moving the array when the target is empty keeps the common session
      // case (the new session absorbs exactly one old one) O(1).
      if (dst === undefined) this.table.set(target, key, src);
      else for (let i = 0; i < src.length; i++) dst.push(src[i]);
    }
  }

  private appendTo(ns: string, values: readonly T[]): void {
    const key = this.scope.key;
    let list = this.table.get(ns, key) as unknown[] | undefined;
    if (list === undefined) {
      list = [];
      this.table.set(ns, key, list);
    }
    if (this.table.ttl === undefined) {
      for (let i = 0; i < values.length; i++) list.push(values[i]);
    } else {
      const now = this.scope.now();
      for (let i = 0; i < values.length; i++) list.push({ v: values[i], ts: now } satisfies TtlValue<T>);
    }
  }

  private readTtl(ns: string, stored: TtlValue<T>[]): T[] {
    const ttl = this.table.ttl!;
    const now = this.scope.now();
    const refresh = ttl.updateType === 'OnReadAndWrite';
    const returnExpired = returnsExpired(ttl, this.scope);
    const out: T[] = [];
    let expired = 0;
    for (const tv of stored) {
      if (isExpired(tv.ts, ttl.ttlMs, now)) {
        expired++;
        if (returnExpired) out.push(tv.v);
      } else {
        if (refresh) tv.ts = now;
        out.push(tv.v);
      }
    }
    // Flink's TtlListState: a list with nothing unexpired is cleared once read; otherwise the read
    // prunes only when it also rewrites the timestamps (OnReadAndWrite keeps the unexpired ones,
    // refreshed), so under OnCreateAndWrite expired elements stay (returned again under
    // ReturnExpiredIfNotCleanedUp) until a cleanup strategy or the last unexpired one goes.
    if (expired > 0) {
      const alive = stored.filter((tv) => !isExpired(tv.ts, ttl.ttlMs, now));
      if (alive.length === 0) this.table.delete(ns, this.scope.key);
      else if (refresh) this.table.set(ns, this.scope.key, alive);
    }
    return out;
  }
}
