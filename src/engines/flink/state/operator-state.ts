/**
 * Non-keyed operator state (Flink's operator `ListState`): named lists that
 * belong to one operator instance as a whole, such as a source's offsets or
 * a sink's pending transactions.
 *
 * `get()` returns the live list typed readonly; `snapshot()` is plain
 * JSON-able data sharing nothing with the live lists, and `restore()`
 * copies again. Only the even-split flavour's storage is modelled: weir does
 * not rescale, so Flink's split and union redistribution never differ here.
 */
import { canonical, cmp, ContentHash } from '../../../stream/content-hash.ts';
import { cloneJson } from '../../../stream/plain-data.ts';

export interface OperatorListState<T> {
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  /** Replaces the list. */
  update(values: readonly T[]): void;
  clear(): void;
}

export interface OperatorStateSnapshot {
  format: 'weir.operator-state.v1';
  /** `[name, values]` in registration order. */
  lists: [string, unknown[]][];
}

export class OperatorState {
  private readonly lists = new Map<string, unknown[]>();

  getListState<T>(name: string): OperatorListState<T> {
    if (!this.lists.has(name)) this.lists.set(name, []);
    const lists = this.lists;
    const live = (): T[] => lists.get(name) as T[];
    return {
      get: () => live(),
      add: (value) => void live().push(value),
      addAll: (values) => {
        const l = live();
        for (const v of values) l.push(v);
      },
      update: (values) => void lists.set(name, values.slice()),
      clear: () => void lists.set(name, []),
    };
  }

  names(): string[] {
    return Array.from(this.lists.keys());
  }

  snapshot(): OperatorStateSnapshot {
    return { format: 'weir.operator-state.v1', lists: cloneJson(Array.from(this.lists)) };
  }

  /** Replaces every list with the snapshot's. Handles obtained earlier stay valid. */
  restore(s: OperatorStateSnapshot): void {
    if (s.format !== 'weir.operator-state.v1') throw new Error(`unknown operator state snapshot format: ${s.format}`);
    for (const name of this.lists.keys()) this.lists.set(name, []);
    for (const [name, values] of cloneJson(s.lists)) this.lists.set(name, values);
  }

  /** Content hash (16 hex digits), by name order; empty lists do not count. */
  stateHash(): string {
    const h = new ContentHash();
    for (const name of Array.from(this.lists.keys()).sort(cmp)) {
      const values = this.lists.get(name)!;
      if (values.length > 0) h.update(name).update(canonical(values));
    }
    return h.digest();
  }
}
