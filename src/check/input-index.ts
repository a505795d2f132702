/**
 * The input of a run indexed by record id, built once per input and shared
 * by every checker that judges it.
 *
 * Record ids are integers ≥ 0, unique per run, and (for generated workloads,
 * and for the subsets a shrink keeps) dense enough that an id → position
 * table is a flat integer array; any other ids fall back to a Map. Positions
 * let the checkers keep per-record facts in typed arrays instead of sets of
 * strings. A repeated id maps to its last record, as a Map built in input
 * order would; the repeats are listed so that `indexInput` can report them.
 * The columns hold timestamps and values as float64, which is what a
 * record's numbers are (`InputRecord` types them as numbers).
 */
import type { InputRecord } from '../stream/records.ts';

/** An id table is flat when its largest id is at most this many times the input size (plus slack). */
const DENSE_FACTOR = 8;
const DENSE_SLACK = 1024;

export class InputIndex {
  readonly records: readonly InputRecord[];
  /** Ids that occurred before in the input, in input order (one entry per repeat). */
  readonly repeated: readonly number[];
  private readonly flat: Int32Array | undefined;
  private readonly map: Map<number, number> | undefined;

  constructor(records: readonly InputRecord[]) {
    this.records = records;
    const repeated: number[] = [];
    let max = -1;
    let dense = true;
    // Indexed loops: this runs once per input, often before V8 optimizes it, where a for-of
    // allocates an iterator result per record.
    for (let i = 0; i < records.length; i++) {
      const id = records[i]!.id;
      if (!Number.isInteger(id) || id < 0) dense = false;
      else if (id > max) max = id;
    }
    if (dense && max < DENSE_FACTOR * records.length + DENSE_SLACK) {
      const flat = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < records.length; i++) {
        const id = records[i]!.id;
        if (flat[id] !== -1) repeated.push(id);
        flat[id] = i;
      }
      this.flat = flat;
    } else {
      const map = new Map<number, number>();
      for (let i = 0; i < records.length; i++) {
        const id = records[i]!.id;
        if (map.has(id)) repeated.push(id);
        map.set(id, i);
      }
      this.map = map;
    }
    this.repeated = repeated;
  }

  /** The position in `records` of the record with this id (the last one, if repeated), or -1. */
  pos(id: number): number {
    const flat = this.flat;
    if (flat !== undefined) return Number.isInteger(id) && id >= 0 && id < flat.length ? flat[id]! : -1;
    return this.map!.get(id) ?? -1;
  }

  /** The record with this id (the last one, if repeated). */
  get(id: number): InputRecord | undefined {
    const p = this.pos(id);
    return p < 0 ? undefined : this.records[p];
  }

  /**
   * Per position: the record's key as a small integer (see `keyNumber`), timestamp and value, in
   * flat arrays, so that checkers that visit records in the order of some result read compact
   * memory instead of chasing the record objects.
   */
  get columns(): InputColumns {
    return (this.cols ??= buildColumns(this.records));
  }

  private cols: InputColumns | undefined;

  /** Number of records. */
  get size(): number {
    return this.records.length;
  }
}

export interface InputColumns {
  /** Position → number of its key. */
  readonly key: Int32Array;
  readonly ts: Float64Array;
  readonly value: Float64Array;
  /** Key number → key. */
  readonly keys: readonly string[];
  /** Key → its number; -1 for a key no input record has. */
  keyNumber(key: string): number;
}

function buildColumns(records: readonly InputRecord[]): InputColumns {
  const n = records.length;
  const key = new Int32Array(n);
  const ts = new Float64Array(n);
  const value = new Float64Array(n);
  const numbers = new Map<string, number>();
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    let k = numbers.get(r.key);
    if (k === undefined) {
      k = keys.length;
      numbers.set(r.key, k);
      keys.push(r.key);
    }
    key[i] = k;
    ts[i] = r.ts;
    value[i] = r.value;
  }
  return { key, ts, value, keys, keyNumber: (k) => numbers.get(k) ?? -1 };
}

/**
 * One cached value per (array, parameter): the index of an input, the
 * reference of an input for a spec, the final selection of some results.
 * The checkers of one run judge the same arrays, so each is computed once.
 * An entry holds a shallow copy of the array it was computed from and is
 * used only while the array still holds exactly those elements.
 */
export class ArrayMemo<A, P extends object | undefined, V> {
  private readonly entries = new WeakMap<readonly A[], { param: P; items: A[]; value: V }>();

  get(items: readonly A[], param: P, compute: () => V): V {
    const e = this.entries.get(items);
    if (e && e.param === param && sameItems(e.items, items)) return e.value;
    const value = compute();
    this.entries.set(items, { param, items: items.slice(), value });
    return value;
  }
}

function sameItems<A>(a: readonly A[], b: readonly A[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const indexMemo = new ArrayMemo<InputRecord, undefined, InputIndex>();

/** The shared index of `records` (computed once per input array). */
export function inputIndex(records: readonly InputRecord[]): InputIndex {
  return indexMemo.get(records, undefined, () => new InputIndex(records));
}
