/**
 * The KTable processors (part K8): a table's updates travel as `Change`
 * records, the new value and, when a downstream operator asked for it
 * (Kafka's `enableSendingOldValues`), the old one.
 *
 * - `TableSource` (`KTableSource`): put, and forward `Change(new, old)`.
 * - `TableJoinSide` (`KTableKTableInnerJoin`, `…LeftJoin`, `…RightJoin`,
 *   `…OuterJoin`): an update of one side looks the key up in the other side
 *   (its value getter) and forwards the joined change; `TableJoinMerge`
 *   (`KTableKTableJoinMerger`) joins both sides' outputs into one table,
 *   materialized in a store or not.
 * - `TableRepartitionMap` (`KTableRepartitionMap`): the `groupBy` selector
 *   applied to the new and to the old value; the old pair goes to its group
 *   as a subtraction, the new pair as an addition, one record when both
 *   land in the same group.
 * - `TableAggregate` (`KTableAggregate`, `KTableReduce`): the subtractor on
 *   the old value first, then the adder on the new one.
 *
 * A table row keeps weir's lineage beside its value: the ids of the input
 * records it is computed from (a source row: the record that wrote it; a
 * joined row: both rows'; a group's aggregate: its members' rows), so the
 * output can be judged record by record. A `Change` carries the old value's
 * lineage (`oldIds`); the record's own `ids` are the new value's, or, for a
 * deletion, the ids of the record that deleted.
 *
 * Value getters (`KTableValueGetter`) read a table as of now: a
 * materialized table from its store, cache included; a join that is not
 * materialized by computing the join of its two sides' getters.
 */
import { mergeIds, type KRecord, type Processor, type ProcessorContext } from './processor.ts';
import type { StateStore, StoredValue, WriteContext } from './stores.ts';

/** `Change<V>`: a table update. null: no value (a deletion, or an old value not sent). */
export interface Change {
  readonly newValue: unknown;
  readonly oldValue: unknown;
  /** The lineage of the old value; empty when there is none. */
  readonly oldIds: readonly number[];
}

/** A table row as a getter returns it. */
export interface Row {
  value: unknown;
  ids: readonly number[];
  ts: number;
}

/** What a table store keeps per key. */
interface StoredRow {
  value: unknown;
  ids: readonly number[];
}

export type TableGetter = (key: string) => Row | undefined;

/** Kafka's `sendOldValues`, switched on by the downstream operators that need old values; read as each record is processed. */
export interface TableFlags {
  sendOldValues: boolean;
}

/** Whether a source table is materialized (decided as the topology is built, read as its processor starts). */
export interface SourceState {
  materialized: boolean;
}

/** Kafka's `UNKNOWN` timestamp of a missing side. */
const UNKNOWN_TS = -1;

export function change(newValue: unknown, oldValue: unknown, oldIds: readonly number[] = []): Change {
  return { newValue, oldValue, oldIds: oldValue === null ? [] : oldIds };
}

/** A stored table row as a getter returns it. */
export function rowOf(stored: StoredValue | undefined | null): Row | undefined {
  if (stored === undefined || stored === null) return undefined;
  const r = stored.value as StoredRow;
  return { value: r.value, ids: r.ids, ts: stored.ts };
}

/** The getter of a table materialized in `store`. */
export function storeGetter(ctx: ProcessorContext, store: string): TableGetter {
  const s = ctx.getStateStore(store);
  return (key) => rowOf(s.get(key));
}

/** Removes the ids of `drop` from the sorted list `from`. */
function removeIds(from: readonly number[], drop: readonly number[]): number[] {
  if (drop.length === 0) return [...from];
  const gone = new Set(drop);
  return from.filter((id) => !gone.has(id));
}

/**
 * Forwards a table store's flushed entries (Kafka's `TimestampedCacheFlushListener`): the latest
 * value and, with old values on, what the store held before the cache took the key.
 */
function forwardFlushed(ctx: ProcessorContext, store: StateStore, flags: TableFlags): void {
  store.onFlush = (key: string, now: StoredValue | null, old: StoredValue | null, context: WriteContext) => {
    const n = rowOf(now);
    const o = flags.sendOldValues ? rowOf(old) : undefined;
    ctx.forward({ key, value: change(n?.value ?? null, o?.value ?? null, o?.ids ?? []), ts: n?.ts ?? context.ts, ids: n?.ids ?? context.ids });
  };
}

/**
 * `KTableSource`: materialized, the latest value per key in its store, a null value deleting (an
 * older timestamp still overwrites), each change forwarded as the store forwards it (at once, or
 * on a flush of its record cache); not materialized, each record forwarded at once as
 * `Change(value, null)`.
 */
export class TableSource implements Processor {
  private ctx!: ProcessorContext;
  private store: StateStore | undefined;
  constructor(private readonly storeName: string, private readonly flags: TableFlags, private readonly state: SourceState) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    if (!this.state.materialized) return;
    this.store = ctx.getStateStore(this.storeName);
    forwardFlushed(ctx, this.store, this.flags);
  }

  process(r: KRecord): void {
    if (r.key === null) {
      this.ctx.dropped('null-key', r);
      return;
    }
    if (this.store === undefined) {
      this.ctx.forward({ key: r.key, value: change(r.value, null), ts: r.ts, ids: r.ids });
      return;
    }
    const row: StoredRow | null = r.value === null ? null : { value: r.value, ids: r.ids };
    const logged = this.store.put(r.key, row, r.ts, r.ids);
    if (logged === undefined) return;
    const old = this.flags.sendOldValues ? rowOf(logged.old) : undefined;
    this.ctx.forward({ key: r.key, value: change(r.value, old?.value ?? null, old?.ids ?? []), ts: r.ts, ids: r.ids });
  }
}

/**
 * Which processor a side of a KTable–KTable join runs: `inner` on both sides of an inner join,
 * `left` on the left side of a left join and `right` on its right side, `outer` on both sides of
 * an outer join. The joiner of the right-hand side takes (this side's value, the other's) and
 * calls the user's joiner the other way round.
 */
export type TableJoinKind = 'inner' | 'left' | 'right' | 'outer';

export class TableJoinSide implements Processor {
  private ctx!: ProcessorContext;
  private other!: TableGetter;
  constructor(
    private readonly kind: TableJoinKind,
    private readonly otherGetter: (ctx: ProcessorContext) => TableGetter,
    private readonly joiner: (thisValue: unknown, otherValue: unknown) => unknown,
    private readonly flags: TableFlags,
  ) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    this.other = this.otherGetter(ctx);
  }

  process(r: KRecord): void {
    if (r.key === null) {
      this.ctx.dropped('null-key', r);
      return;
    }
    const c = r.value as Change;
    const other = this.other(r.key);
    const sendOld = this.flags.sendOldValues;
    // Whether the joined new and old values exist, per the processor kind (Kafka's four processors).
    let newExists: boolean;
    let oldExists: boolean;
    let ts: number;
    switch (this.kind) {
      case 'inner':
        if (other === undefined) return;
        newExists = c.newValue !== null;
        oldExists = c.oldValue !== null;
        ts = Math.max(r.ts, other.ts);
        break;
      case 'left':
        if (other === undefined && c.newValue === null && c.oldValue === null) return;
        newExists = c.newValue !== null;
        oldExists = c.oldValue !== null;
        ts = Math.max(r.ts, other?.ts ?? UNKNOWN_TS);
        break;
      case 'right':
        if (other === undefined) return;
        newExists = true;
        oldExists = true;
        ts = Math.max(r.ts, other.ts);
        break;
      case 'outer':
        if (other === undefined && c.newValue === null && c.oldValue === null) return;
        newExists = other !== undefined || c.newValue !== null;
        oldExists = other !== undefined || c.oldValue !== null;
        ts = other === undefined ? r.ts : Math.max(r.ts, other.ts);
        break;
    }
    const otherValue = other?.value ?? null;
    const otherIds = other?.ids ?? [];
    const newValue = newExists ? this.joiner(c.newValue, otherValue) : null;
    const newIds = newExists ? mergeIds(c.newValue === null ? [] : r.ids, otherIds) : r.ids;
    const oldValue = sendOld && oldExists ? this.joiner(c.oldValue, otherValue) : null;
    const oldIds = sendOld && oldExists ? mergeIds(c.oldIds, otherIds) : [];
    this.ctx.forward({ key: r.key, value: change(newValue, oldValue, oldIds), ts, ids: newIds });
  }
}

/** A table's stateless operation, materialized in its own store when named: its context and store once initialized. */
abstract class TableOperation implements Processor {
  protected ctx!: ProcessorContext;
  protected store: StateStore | undefined;
  constructor(private readonly storeName: string | undefined, protected readonly flags: TableFlags) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    if (this.storeName === undefined) return;
    this.store = ctx.getStateStore(this.storeName);
    forwardFlushed(ctx, this.store, this.flags);
  }

  abstract process(r: KRecord): void;
}

/**
 * `KTableKTableJoinMerger`: both sides' joined changes become one table. Materialized (`store`),
 * each change is put and forwarded through the store (its cache, when on, forwards at flush the
 * latest value and the value last flushed as the old one); otherwise forwarded as is.
 */
export class TableJoinMerge extends TableOperation {
  process(r: KRecord): void {
    const c = r.value as Change;
    const forward = (): void => this.ctx.forward(this.flags.sendOldValues ? r : { ...r, value: change(c.newValue, null) });
    if (this.store === undefined) return forward();
    const row: StoredRow | null = c.newValue === null ? null : { value: c.newValue, ids: r.ids };
    if (this.store.put(r.key!, row, r.ts, r.ids) !== undefined) forward();
  }
}

/** A `groupBy` selector: the group key and the value to aggregate, or null to leave the row out. */
export type TableSelector = (key: string, value: unknown) => [string | null, unknown] | null;

/**
 * `KTableRepartitionMap`: applies the selector to the new value and to the old one. When both
 * pairs exist and share their key, one record carries both (the aggregate subtracts, then adds);
 * otherwise the old pair goes first, as a subtraction for its group, and the new pair as an
 * addition for its own. A pair whose key or value is null is left out.
 */
export class TableRepartitionMap implements Processor {
  private ctx!: ProcessorContext;
  constructor(private readonly selector: TableSelector) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
  }

  process(r: KRecord): void {
    if (r.key === null) throw new Error('Record key for the grouping KTable should not be null.');
    const c = r.value as Change;
    const newPair = c.newValue === null ? null : this.selector(r.key, c.newValue);
    const oldPair = c.oldValue === null ? null : this.selector(r.key, c.oldValue);
    const newOk = newPair !== null && newPair[0] !== null && newPair[1] !== null;
    const oldOk = oldPair !== null && oldPair[0] !== null && oldPair[1] !== null;
    if (newOk && oldOk && newPair[0] === oldPair[0]) {
      this.ctx.forward({ key: newPair[0], value: change(newPair[1], oldPair[1], c.oldIds), ts: r.ts, ids: r.ids });
      return;
    }
    // The planted bug leaves out the subtraction when a row moves to another group.
    if (oldOk && !(newOk && this.ctx.bugs.has('rekey-skips-subtractor'))) {
      this.ctx.forward({ key: oldPair[0], value: change(null, oldPair[1], c.oldIds), ts: r.ts, ids: r.ids });
    }
    if (newOk) this.ctx.forward({ key: newPair[0], value: change(newPair[1], null), ts: r.ts, ids: r.ids });
  }
}

/** A table aggregation: `aggregate(initializer, adder, subtractor)` or `reduce(adder, subtractor)`. */
export type TableAggregation =
  | { kind: 'aggregate'; initializer(): unknown; adder(key: string, value: unknown, agg: unknown): unknown; subtractor(key: string, value: unknown, agg: unknown): unknown }
  | { kind: 'reduce'; adder(agg: unknown, value: unknown): unknown; subtractor(agg: unknown, value: unknown): unknown };

/**
 * `KTableAggregate` / `KTableReduce`: per group key, the subtractor removes the old value (only
 * when the group has an aggregate), then the adder adds the new one (from the initializer, or for
 * reduce the value itself, when there is none). The aggregate's lineage follows: the old value's
 * ids leave it, the new value's join it.
 */
export class TableAggregate implements Processor {
  private ctx!: ProcessorContext;
  private store!: StateStore;
  constructor(private readonly storeName: string, private readonly agg: TableAggregation, private readonly flags: TableFlags) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore(this.storeName);
    forwardFlushed(ctx, this.store, this.flags);
  }

  process(r: KRecord): void {
    if (r.key === null) throw new Error(`Record key for KTable aggregate operator with state ${this.storeName} should not be null.`);
    const key = r.key;
    const c = r.value as Change;
    const oldStored = this.store.get(key);
    const old = rowOf(oldStored);
    let ts = r.ts;
    let mid: StoredRow | undefined = old;
    if (c.oldValue !== null && old !== undefined) {
      const value = this.agg.kind === 'aggregate' ? this.agg.subtractor(key, c.oldValue, old.value) : this.agg.subtractor(old.value, c.oldValue);
      mid = { value, ids: removeIds(old.ids, c.oldIds) };
      ts = Math.max(r.ts, old.ts);
    }
    // A null aggregate is no aggregate: the adder starts again from the initializer (reduce: from
    // the new value itself), and a null result deletes the row (a put of null), as Kafka's does.
    if (mid !== undefined && mid.value === null) mid = undefined;
    let next = mid;
    if (c.newValue !== null) {
      if (this.agg.kind === 'aggregate') {
        const base = mid ?? { value: this.agg.initializer(), ids: [] };
        next = { value: this.agg.adder(key, c.newValue, base.value), ids: mergeIds(base.ids, r.ids) };
        if (old !== undefined) ts = Math.max(r.ts, old.ts);
      } else if (mid === undefined) {
        next = { value: c.newValue, ids: r.ids };
      } else {
        next = { value: this.agg.adder(mid.value, c.newValue), ids: mergeIds(mid.ids, r.ids) };
        ts = Math.max(r.ts, old!.ts);
      }
    }
    if (next !== undefined && next.value === null) next = undefined;
    const logged = this.store.put(key, next ?? null, ts, r.ids);
    if (logged === undefined) return;
    const sent = this.flags.sendOldValues ? old : undefined;
    this.ctx.forward({ key, value: change(next?.value ?? null, sent?.value ?? null, sent?.ids ?? []), ts, ids: next?.ids ?? r.ids });
  }
}

/** `KTable.toStream()` of a table of changes: each change's new value (null: a deletion). */
export function newValueOf(r: KRecord): KRecord {
  return { ...r, value: (r.value as Change).newValue };
}

/** The value getter of a KTable–KTable join that is not materialized: the join computed from both sides' getters. */
export function joinGetter(kind: 'inner' | 'left' | 'outer', left: TableGetter, right: TableGetter, joiner: (l: unknown, r: unknown) => unknown): TableGetter {
  return (key) => {
    const l = left(key);
    const r = right(key);
    if (kind === 'inner' && (l === undefined || r === undefined)) return undefined;
    if (kind === 'left' && l === undefined) return undefined;
    if (l === undefined && r === undefined) return undefined;
    // A joiner's null is no row (`ValueAndTimestamp.make` of a null value is null).
    const value = joiner(l?.value ?? null, r?.value ?? null);
    if (value === null || value === undefined) return undefined;
    return { value, ids: mergeIds(l?.ids ?? [], r?.ids ?? []), ts: Math.max(l?.ts ?? UNKNOWN_TS, r?.ts ?? UNKNOWN_TS) };
  };
}

/**
 * `KTableFilter`: a row that fails the predicate (or passes it, for `filterNot`) becomes no row,
 * so its update is forwarded as a deletion of the key; a null stays null. With old values sent,
 * a change whose new and old value both come out null is not forwarded at all (the downstream
 * table cannot hold the key); without them every failing update forwards a deletion. Materialized
 * (`store`), the old value is what its own store held, and the change goes through the store.
 */

export class TableFilter extends TableOperation {
  constructor(
    private readonly predicate: (key: string, value: unknown) => boolean,
    private readonly filterNot: boolean,
    storeName: string | undefined,
    flags: TableFlags,
  ) {
    super(storeName, flags);
  }

  private passes(key: string, value: unknown): boolean {
    return value !== null && this.filterNot !== this.predicate(key, value);
  }

  process(r: KRecord): void {
    const key = r.key!;
    const c = r.value as Change;
    const newValue = this.passes(key, c.newValue) ? c.newValue : null;
    // The planted bug treats the table filter as a stream filter: an update that fails is dropped.
    if (newValue === null && c.newValue !== null && this.ctx.bugs.has('filter-drops-tombstone')) return;
    let old: { value: unknown; ids: readonly number[] } | undefined;
    if (this.flags.sendOldValues) {
      if (this.store !== undefined) old = rowOf(this.store.get(key));
      else if (this.passes(key, c.oldValue)) old = { value: c.oldValue, ids: c.oldIds };
    }
    if (this.flags.sendOldValues && old === undefined && newValue === null) return;
    forwardThrough(this.ctx, this.store, this.flags, r, newValue, old);
  }
}

/**
 * `KTableMapValues`: the mapper applied to the new value and, when old values are sent, to the
 * old one (materialized: the old value is what its own store held); a null stays null, and a
 * mapper's null deletes the key.
 */
export class TableMapValues extends TableOperation {
  constructor(
    private readonly mapper: (value: unknown, key: string) => unknown,
    storeName: string | undefined,
    flags: TableFlags,
  ) {
    super(storeName, flags);
  }

  process(r: KRecord): void {
    const key = r.key!;
    const c = r.value as Change;
    const newValue = c.newValue === null ? null : this.mapper(c.newValue, key) ?? null;
    let old: { value: unknown; ids: readonly number[] } | undefined;
    if (this.flags.sendOldValues) {
      if (this.store !== undefined) old = rowOf(this.store.get(key));
      else if (c.oldValue !== null) {
        const value = this.mapper(c.oldValue, key) ?? null;
        if (value !== null) old = { value, ids: c.oldIds };
      }
    }
    forwardThrough(this.ctx, this.store, this.flags, r, newValue, old);
  }
}

/**
 * Forwards a stateless table operator's change (Kafka's `TimestampedTupleForwarder`): not
 * materialized, at once; materialized, put into the store first, and forwarded at once only when
 * the store has no cache (a cached store forwards at flush). The old value goes along only when
 * old values are sent.
 */
function forwardThrough(
  ctx: ProcessorContext, store: StateStore | undefined, flags: TableFlags, r: KRecord, newValue: unknown, old: { value: unknown; ids: readonly number[] } | undefined,
): void {
  const value = flags.sendOldValues ? change(newValue, old?.value ?? null, old?.ids ?? []) : change(newValue, null);
  if (store !== undefined) {
    const row: StoredRow | null = newValue === null ? null : { value: newValue, ids: r.ids };
    if (store.put(r.key!, row, r.ts, r.ids) === undefined) return;
  }
  ctx.forward({ key: r.key, value, ts: r.ts, ids: r.ids });
}

/** The value getter of a table that is not materialized, computed from its parent's: `map` gives the row's value, or null for no row. */
export function mappedGetter(parent: TableGetter, map: (key: string, value: unknown) => unknown): TableGetter {
  return (key) => {
    const row = parent(key);
    if (row === undefined) return undefined;
    const value = map(key, row.value);
    return value === null || value === undefined ? undefined : { ...row, value };
  };
}
