/**
 * The Kafka Streams DSL on weir's log: `StreamsBuilder.stream(topic)` and
 * `table(topic)`, the stateless `filter`, `mapValues`, `map`,
 * `flatMapValues`, `selectKey` (which marks the stream for repartitioning),
 * `groupByKey` / `groupBy`, `windowedBy` with time, session windows, the
 * aggregations `count` / `aggregate` / `reduce` into named stores,
 * `emitStrategy(onWindowClose())`, `suppress(untilWindowCloses())`,
 * `toStream().to(topic)`, `repartition`, `toTable`, KStream–KTable joins, windowed KStream–KStream
 * joins (join.ts), KTable–KTable inner, left and outer joins, `KTable.mapValues`, `filter` and
 * `filterNot` (each materialized when named), `KTable.groupBy` with `aggregate`,
 * `reduce` and `count` by adder and subtractor (ktable.ts), and `process` with stores.
 *
 * A key-changing operation followed by a stateful one inserts a repartition
 * topic, `<application.id>-<name>-repartition` (part K9), which splits the
 * topology into two sub-topologies. The name is Kafka's: an aggregation's
 * store (`weir-app-counts-repartition`), or the processor or stream node
 * that needs it (`repartitionedAs`).
 */
import type { KRecord, Processor, ProcessorContext, ProcessorSupplier } from './processor.ts';
import { COUNT, KeyValueAggregate, reducing, SessionWindowAggregate, SuppressUntilWindowCloses, TimeWindowAggregate, type Aggregation, type EmitStrategy } from './aggregate.ts';
import { APPLICATION_ID, repartitionTopic, Topology, type SinkNode, type StoreSpec } from './topology.ts';
import type { WindowRetention } from './stores.ts';
import type { JoinWindowsSpec, SessionWindowsSpec, TimeWindowsSpec, WindowsSpec } from './windows.ts';
import { JoinSideProcessor, JoinWindowProcessor, type OuterJoinSpec } from './join.ts';
import { aggregateRow } from './aggregate.ts';
import {
  joinGetter, mappedGetter, newValueOf, storeGetter, TableAggregate, TableFilter, TableJoinMerge, TableJoinSide, TableMapValues, TableRepartitionMap, TableSource,
  type Row, type SourceState, type TableAggregation, type TableFlags, type TableGetter, type TableJoinKind, type TableSelector,
} from './ktable.ts';
import type { TableChange, WindowResult } from '../../stream/records.ts';

/** How a source reads weir's log records: the key, event time and lineage of a value. */
export interface SourceFormat {
  keyOf(value: unknown): string | null;
  tsOf(value: unknown): number;
  idsOf(value: unknown): readonly number[];
}

/** weir's input records (`src/stream/records.ts`): key, ts and id are fields of the value. */
export const INPUT_FORMAT: SourceFormat = {
  keyOf: (v) => (v as { key?: string }).key ?? null,
  tsOf: (v) => (v as { ts: number }).ts,
  idsOf: (v) => [(v as { id: number }).id],
};

/** Repartition topics hold the record as the upstream task had it. */
const REPARTITION_FORMAT: SourceFormat = {
  keyOf: (v) => (v as KRecord).key,
  tsOf: (v) => (v as KRecord).ts,
  idsOf: (v) => (v as KRecord).ids,
};

export interface StoreOptions {
  /** Store name (default: generated). */
  name?: string;
  /** The record cache (default on, as Kafka's). */
  caching?: boolean;
}

/** One function per record, the shape of the stateless operators. */
class FnProcessor implements Processor {
  private forward!: (r: KRecord) => void;
  constructor(private readonly fn: (r: KRecord, forward: (r: KRecord) => void) => void) {}
  init(ctx: ProcessorContext): void {
    this.forward = (out) => ctx.forward(out);
  }
  process(r: KRecord): void {
    this.fn(r, this.forward);
  }
}

export class StreamsBuilder {
  readonly topology = new Topology();

  stream(topic: string, format: SourceFormat = INPUT_FORMAT): KStream {
    const name = this.topology.nextName('KSTREAM-SOURCE');
    this.topology.add({ kind: 'source', name, topic, ...format });
    return new KStream(this, name, false);
  }

  /**
   * A source table: the latest value per key, a null value deletes (`KTableSource`). Named as
   * Kafka's `StreamsBuilder.table`: the store first (`<topic>-STATE-STORE-…` unless named), then
   * the source and the table source.
   */
  table(topic: string, opts: StoreOptions & { format?: SourceFormat } = {}): KTable {
    const t = this.topology;
    const store = opts.name ?? t.nextName(`${topic}-STATE-STORE`);
    const source = t.nextName('KSTREAM-SOURCE');
    t.add({ kind: 'source', name: source, topic, ...(opts.format ?? INPUT_FORMAT) });
    return this.tableSource(source, store, opts, t.nextName('KTABLE-SOURCE'));
  }

  /**
   * A `TableSource` processor under `parent`. Kafka materializes a source table (`KTableSource`,
   * from `table()` or `toTable()`) in a store only when its store is named (`Materialized.as`) or
   * an operator downstream needs it: one that reads its value getter (a join) or forces it to send
   * old values (a `groupBy`, an outer side of a join). Otherwise it has no store and no changelog,
   * forwards each record at once as `Change(new, null)`, and a filter below it gets no old
   * values. The caller names the store before it is known whether it is needed, as Kafka's
   * `MaterializedInternal` does, so generated names do not depend on that decision.
   */
  tableSource(parent: string, store: string, opts: StoreOptions, name: string): KTable {
    const t = this.topology;
    const flags: TableFlags = { sendOldValues: false };
    const state: SourceState = { materialized: false };
    const stores: string[] = [];
    const materialize = (): void => {
      if (state.materialized) return;
      state.materialized = true;
      t.addStore({ name: store, kind: 'kv', caching: opts.caching ?? true, logged: true });
      stores.push(store);
    };
    if (opts.name !== undefined) materialize();
    t.add({ kind: 'processor', name, parents: [parent], stores, supplier: () => new TableSource(store, flags, state) });
    return new KTable(this, name, store, undefined, sourceView(store, flags, state, materialize));
  }

  /** Registers a store, named `<fallback>-<number>` from the shared counter unless named; returns its name. */
  store(opts: StoreOptions, kind: StoreSpec['kind'], fallback: string, retention?: WindowRetention): string {
    const name = opts.name ?? this.topology.nextName(fallback);
    this.topology.addStore({ name, kind, caching: opts.caching ?? true, logged: true, ...(retention ? { retention } : {}) });
    return name;
  }

  build(): Topology {
    return this.topology;
  }
}

export class KStream {
  /** This stream's repartitioned copies by topic (`repartitionedAs`). */
  private readonly repartitions = new Map<string, KStream>();

  constructor(readonly builder: StreamsBuilder, readonly node: string, readonly keyChanged: boolean) {}

  private then(prefix: string, supplier: ProcessorSupplier, keyChanged: boolean, stores: string[] = []): KStream {
    const name = this.builder.topology.nextName(prefix);
    this.builder.topology.add({ kind: 'processor', name, parents: [this.node], supplier, stores });
    return new KStream(this.builder, name, keyChanged);
  }

  filter(pred: (key: string | null, value: unknown) => boolean): KStream {
    return this.then('KSTREAM-FILTER', () => new FnProcessor((r, fwd) => pred(r.key, r.value) && fwd(r)), this.keyChanged);
  }

  mapValues(fn: (value: unknown, key: string | null) => unknown): KStream {
    return this.then('KSTREAM-MAPVALUES', () => new FnProcessor((r, fwd) => fwd({ ...r, value: fn(r.value, r.key) })), this.keyChanged);
  }

  flatMapValues(fn: (value: unknown, key: string | null) => unknown[]): KStream {
    return this.then('KSTREAM-FLATMAPVALUES', () => new FnProcessor((r, fwd) => fn(r.value, r.key).forEach((value) => fwd({ ...r, value }))), this.keyChanged);
  }

  /** `peek(action)`: calls `action` on each record and forwards it unchanged. */
  peek(action: (key: string | null, value: unknown) => void): KStream {
    return this.then('KSTREAM-PEEK', () => new FnProcessor((r, fwd) => {
      action(r.key, r.value);
      fwd(r);
    }), this.keyChanged);
  }

  /** `foreach(action)`: calls `action` on each record; a terminal operation (nothing downstream). */
  foreach(action: (key: string | null, value: unknown) => void): void {
    this.then('KSTREAM-FOREACH', () => new FnProcessor((r) => action(r.key, r.value)), this.keyChanged);
  }

  /**
   * `merge(other)`: both streams' records in one stream, in the order the task processes them;
   * repartitioned before a stateful operator when either stream's key changed.
   */
  merge(other: KStream): KStream {
    const t = this.builder.topology;
    const name = t.nextName('KSTREAM-MERGE');
    t.add({ kind: 'processor', name, parents: [this.node, other.node], stores: [], supplier: () => new FnProcessor((r, fwd) => fwd(r)) });
    return new KStream(this.builder, name, this.keyChanged || other.keyChanged);
  }

  /** A new key and value per record; marks the stream for repartitioning. */
  map(fn: (key: string | null, value: unknown) => [string | null, unknown]): KStream {
    return this.then('KSTREAM-MAP', () => new FnProcessor((r, fwd) => {
      const [key, value] = fn(r.key, r.value);
      fwd({ ...r, key, value });
    }), true);
  }

  selectKey(fn: (key: string | null, value: unknown) => string | null): KStream {
    return this.then('KSTREAM-KEY-SELECT', () => new FnProcessor((r, fwd) => fwd({ ...r, key: fn(r.key, r.value) })), true);
  }

  /** `process` with state stores (created here) and punctuations; forwards what the processor forwards. */
  process(supplier: ProcessorSupplier, ...stores: { name: string; caching?: boolean }[]): KStream {
    for (const s of stores) this.builder.topology.addStore({ name: s.name, kind: 'kv', caching: s.caching ?? false, logged: true });
    return this.then('KSTREAM-PROCESSOR', supplier, this.keyChanged, stores.map((s) => s.name));
  }

  /** Writes every record to `topic`, partitioned by key hash. */
  to(topic: string, valueOf: SinkNode['valueOf'] = (r) => r.value): void {
    const name = this.builder.topology.nextName('KSTREAM-SINK');
    this.builder.topology.add({ kind: 'sink', name, parents: [this.node], topic, valueOf });
  }

  /**
   * The stream as a stateful operator needs it: when a key changed upstream, written through the
   * repartition topic named after `name` (`weir-app-<name>-repartition`) and read back partitioned
   * by key. Kafka names it after what needs it: an aggregation's store, `repartition()`'s or
   * `toTable()`'s processor, or the joining stream's node (`KStreamImpl.createRepartitionedSource`).
   * Three names are taken from the counter every time, a sink's, a null-key filter's and a
   * source's, as `createRepartitionedSource` burns them whether it uses them or not: a generated
   * `name` gives the sink and source those names; a user's, `<topic>-sink` and `<topic>-source`.
   * (weir's repartition has no filter node: Kafka's passes every record.)
   */
  repartitionedAs(name: string): KStream {
    if (!this.keyChanged) return this;
    const t = this.builder.topology;
    const topic = repartitionTopic(APPLICATION_ID, name);
    const genSink = t.nextName('KSTREAM-SINK');
    t.nextName('KSTREAM-FILTER');
    const genSource = t.nextName('KSTREAM-SOURCE');
    // Repartitioned under this name before (two joins of this stream, or a join with itself): the
    // same topic and source again, as Kafka reuses the stream's repartition node for the same name
    // (`repartitionForJoin`, which still took the three numbers above).
    const earlier = this.repartitions.get(topic);
    if (earlier !== undefined) return earlier;
    t.repartitionTopics.push(topic);
    const generated = /^KSTREAM.*-[0-9]{10}$/.test(name);
    const bare = topic.slice(APPLICATION_ID.length + 1);
    const sink = generated ? genSink : `${bare}-sink`;
    t.add({ kind: 'sink', name: sink, parents: [this.node], topic, valueOf: (r) => ({ key: r.key, value: r.value, ts: r.ts, ids: r.ids }) });
    const source = generated ? genSource : `${bare}-source`;
    t.add({ kind: 'source', name: source, topic, ...REPARTITION_FORMAT });
    const repartitioned = new KStream(this.builder, source, false);
    this.repartitions.set(topic, repartitioned);
    return repartitioned;
  }

  /** Grouped by its key; an aggregation below repartitions it first when a key changed upstream. */
  groupByKey(): KGroupedStream {
    return new KGroupedStream(this);
  }

  groupBy(fn: (key: string | null, value: unknown) => string | null): KGroupedStream {
    return this.selectKey(fn).groupByKey();
  }

  /** `repartition()`: writes the stream through a repartition topic (partitioned by key) and reads it back. */
  repartition(): KStream {
    return new KStream(this.builder, this.node, true).repartitionedAs(this.builder.topology.nextName('KSTREAM-REPARTITION'));
  }

  /**
   * `toTable()` (KIP-523): the latest value per key in a key-value store, a null value deleting
   * (`KTableSource`); repartitioned first when a key changed upstream. Forwards each change.
   */
  toTable(opts: StoreOptions = {}): KTable {
    // Kafka names the processor, then the store; a repartition topic before it takes the processor's name.
    const t = this.builder.topology;
    const name = t.nextName('KSTREAM-TOTABLE');
    const store = opts.name ?? t.nextName('KSTREAM-TOTABLE-STATE-STORE');
    const src = this.repartitionedAs(name);
    return src.builder.tableSource(src.node, store, opts, name);
  }

  /**
   * KStream–KTable join (`KStreamKTableJoinProcessor`): only stream records trigger; an inner join
   * emits nothing while the table has no value for the key; the result carries the stream record's
   * timestamp. Records with a null key or value are dropped.
   *
   * KStream–KStream windowed inner join (`KStreamImplJoin`, see join.ts) when `other` is a stream:
   * both sides buffered in window stores with changelogs, each record probing the other side's store
   * within `windows`, the result at the larger timestamp of the pair.
   */
  join(table: KTable, joiner: (streamValue: unknown, tableValue: unknown) => unknown): KStream;
  join(other: KStream, joiner: (left: unknown, right: unknown) => unknown, windows: JoinWindowsSpec, opts?: StreamJoinOptions): KStream;
  join(other: KTable | KStream, joiner: (a: unknown, b: unknown) => unknown, windows?: JoinWindowsSpec, opts: StreamJoinOptions = {}): KStream {
    if (other instanceof KStream) {
      if (windows === undefined) throw new Error('join: a KStream–KStream join needs JoinWindows');
      return this.joinStream(other, joiner, windows, opts, false, false);
    }
    return this.joinTable(other, joiner);
  }

  /**
   * KStream–KTable left join (`KStreamKTableJoinProcessor` with `leftJoin`): as `join`, but a
   * stream record whose key the table has no value for is forwarded too, with the joiner given
   * null for the table's value; so is a record with a null key (KIP-962). A null value is dropped.
   *
   * KStream–KStream windowed left join when `other` is a stream (KIP-633): every match as in
   * `join`, and each left record that found none within its window forwarded with null for the
   * right value once the window has closed (stream time past its timestamp + after + grace).
   */
  leftJoin(table: KTable, joiner: (streamValue: unknown, tableValue: unknown) => unknown): KStream;
  leftJoin(other: KStream, joiner: (left: unknown, right: unknown) => unknown, windows: JoinWindowsSpec, opts?: StreamJoinOptions): KStream;
  leftJoin(other: KTable | KStream, joiner: (a: unknown, b: unknown) => unknown, windows?: JoinWindowsSpec, opts: StreamJoinOptions = {}): KStream {
    if (other instanceof KStream) {
      if (windows === undefined) throw new Error('leftJoin: a KStream–KStream join needs JoinWindows');
      return this.joinStream(other, joiner, windows, opts, true, false);
    }
    return this.joinTable(other, joiner, true);
  }

  /**
   * KStream–KStream windowed outer join (KIP-633): every match as in `join`, and each record of
   * either side that found none within its window forwarded with null for the other side's value
   * once its window has closed.
   */
  outerJoin(other: KStream, joiner: (left: unknown, right: unknown) => unknown, windows: JoinWindowsSpec, opts: StreamJoinOptions = {}): KStream {
    return this.joinStream(other, joiner, windows, opts, true, true);
  }

  /**
   * `KStreamImplJoin`: each side forwards into its window store, then probes the other's. Names
   * as Kafka's, in its order: the two windowed processors, the two join sides (whose generated
   * names are taken even when the join is named), the merge. An outer right side makes this side
   * `KSTREAM-OUTERTHIS` (named: `<name>-outer-this-join`), an outer left side the other
   * `KSTREAM-OUTEROTHER`. The stores take their names apart from the processors, as Kafka's
   * `StreamJoined` keeps `withStoreName` apart from `withName`: each side's window store is
   * `<storeName>-this-join-store` (`-outer-this-join-store`, `-other-join-store`, …) or, with no
   * store name, the side's generated name with `-store` (a join named only by `name` keeps
   * generated stores). A left or outer join adds the shared outer store
   * (`<storeName>-left-shared-join-store` or `…-outer-shared-join-store`, or
   * `KSTREAM-OUTERSHARED-<this side's number>-store`) that both sides read.
   */
  private joinStream(other: KStream, joiner: (l: unknown, r: unknown) => unknown, windows: JoinWindowsSpec, opts: StreamJoinOptions, leftOuter: boolean, rightOuter: boolean): KStream {
    const { name, storeName } = opts;
    // Repartitioned each after its own node, or after the join's name (`-left`, `-right`) when it has one.
    const left = this.repartitionedAs(name === undefined ? this.node : `${name}-left`);
    const right = other.repartitionedAs(name === undefined ? other.node : `${name}-right`);
    const t = this.builder.topology;
    const orNext = (suffix: string, prefix: string): string => (name !== undefined ? `${name}${suffix}` : t.nextName(prefix));
    const thisWindow = orNext('-this-windowed', 'KSTREAM-WINDOWED');
    const otherWindow = orNext('-other-windowed', 'KSTREAM-WINDOWED');
    const thisGenerated = t.nextName(rightOuter ? 'KSTREAM-OUTERTHIS' : 'KSTREAM-JOINTHIS');
    const otherGenerated = t.nextName(leftOuter ? 'KSTREAM-OUTEROTHER' : 'KSTREAM-JOINOTHER');
    const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
    const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
    const thisName = name !== undefined ? `${name}${thisSuffix}` : thisGenerated;
    const otherName = name !== undefined ? `${name}${otherSuffix}` : otherGenerated;
    const merge = orNext('-merge', 'KSTREAM-MERGE');
    const thisStore = `${storeName !== undefined ? `${storeName}${thisSuffix}` : thisGenerated}-store`;
    const otherStore = `${storeName !== undefined ? `${storeName}${otherSuffix}` : otherGenerated}-store`;
    // Join window stores keep duplicates, which the record cache does not support: never cached.
    t.addStore({ name: thisStore, kind: 'window', caching: false, logged: true, duplicates: true, inMemory: true });
    t.addStore({ name: otherStore, kind: 'window', caching: false, logged: true, duplicates: true, inMemory: true });
    let outer: (side: 'left' | 'right') => OuterJoinSpec | undefined = () => undefined;
    const outerStores: string[] = [];
    if (leftOuter) {
      const outerStore = storeName !== undefined
        ? `${storeName}${rightOuter ? '-outer-shared-join' : '-left-shared-join'}-store`
        : `KSTREAM-OUTERSHARED-${thisGenerated.slice(thisGenerated.lastIndexOf('-') + 1)}-store`;
      t.addStore({ name: outerStore, kind: 'kv', caching: false, logged: true });
      outerStores.push(outerStore);
      const emitIntervalMs = opts.emitIntervalMs ?? 1_000;
      outer = (side) => ({ storeName: outerStore, thisOuter: side === 'left' ? leftOuter : rightOuter, emitIntervalMs });
    }
    t.add({ kind: 'processor', name: thisWindow, parents: [left.node], stores: [thisStore], supplier: () => new JoinWindowProcessor(thisStore, windows) });
    t.add({ kind: 'processor', name: otherWindow, parents: [right.node], stores: [otherStore], supplier: () => new JoinWindowProcessor(otherStore, windows) });
    t.add({ kind: 'processor', name: thisName, parents: [thisWindow], stores: [otherStore, ...outerStores], supplier: () => new JoinSideProcessor(otherStore, windows, 'left', joiner, outer('left')) });
    t.add({ kind: 'processor', name: otherName, parents: [otherWindow], stores: [thisStore, ...outerStores], supplier: () => new JoinSideProcessor(thisStore, windows, 'right', joiner, outer('right')) });
    t.add({ kind: 'processor', name: merge, parents: [thisName, otherName], stores: [], supplier: () => new FnProcessor((r, fwd) => fwd(r)) });
    return new KStream(this.builder, merge, false);
  }

  private joinTable(table: KTable, joiner: (streamValue: unknown, tableValue: unknown) => unknown, leftJoin = false): KStream {
    const what = leftJoin ? 'leftJoin' : 'join';
    const left = this.repartitionedAs(this.node);
    const view = table.view;
    if (view === undefined) throw new Error(`${what}: a KStream joins a key-value table, not a windowed one`);
    const name = left.builder.topology.nextName(leftJoin ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-JOIN');
    left.builder.topology.add({ kind: 'processor', name, parents: [left.node], stores: [...view.stores()], supplier: () => new StreamTableJoin((ctx) => view.getter(ctx), joiner, leftJoin) });
    return new KStream(left.builder, name, false);
  }
}

/**
 * What a grouped stream, plain, windowed or session-windowed, aggregates with: `count`, `reduce`
 * (Kafka's `aggregatorForReducer`: no initial value, the first value as it is, then
 * `reducer(aggregate, value)`; merged sessions reduced earlier-first) and `aggregate`, each into
 * the store and processor `aggregateAs` builds for its kind.
 */
abstract class Aggregations {
  constructor(protected readonly builder: StreamsBuilder) {}

  /**
   * `count()`, or `count(Materialized)` when options are given: as Kafka's, the latter burns one
   * store name on the counter first when the options name no store (kept there for topology
   * compatibility), so its store is numbered one further on.
   */
  count(opts?: StoreOptions): KTable {
    if (opts !== undefined && opts.name === undefined) this.builder.topology.nextName('KSTREAM-AGGREGATE-STATE-STORE');
    return this.aggregate(COUNT, opts ?? {});
  }

  reduce(reducer: (aggregate: unknown, value: unknown) => unknown, opts: StoreOptions = {}): KTable {
    return this.aggregateAs(reducing(reducer), opts, 'KSTREAM-REDUCE');
  }

  aggregate(agg: Aggregation, opts: StoreOptions = {}): KTable {
    return this.aggregateAs(agg, opts, 'KSTREAM-AGGREGATE');
  }

  /** The aggregation's processor and store, named with `prefix` (Kafka's `KSTREAM-AGGREGATE` or `KSTREAM-REDUCE`). */
  protected abstract aggregateAs(agg: Aggregation, opts: StoreOptions, prefix: string): KTable;
}

export class KGroupedStream extends Aggregations {
  constructor(private readonly stream: KStream) {
    super(stream.builder);
  }

  windowedBy(windows: TimeWindowsSpec): TimeWindowedKStream;
  windowedBy(windows: SessionWindowsSpec): SessionWindowedKStream;
  windowedBy(windows: TimeWindowsSpec | SessionWindowsSpec): TimeWindowedKStream | SessionWindowedKStream {
    return windows.kind === 'time' ? new TimeWindowedKStream(this.stream, windows) : new SessionWindowedKStream(this.stream, windows);
  }

  protected aggregateAs(agg: Aggregation, opts: StoreOptions, prefix: string): KTable {
    const b = this.builder;
    const store = b.store(opts, 'kv', `${prefix}-STATE-STORE`);
    const name = b.topology.nextName(prefix);
    const flags: TableFlags = { sendOldValues: false };
    const src = this.stream.repartitionedAs(store);
    b.topology.add({ kind: 'processor', name, parents: [src.node], stores: [store], supplier: () => new KeyValueAggregate(agg, store, flags) });
    const view: TableView = {
      stores: () => [store],
      getter: (ctx) => {
        const s = ctx.getStateStore(store);
        return (key) => aggregateRow(s.get(key));
      },
      enableSendingOldValues: () => {
        flags.sendOldValues = true;
        return true;
      },
    };
    return new KTable(b, name, store, undefined, view);
  }
}

export class TimeWindowedKStream extends Aggregations {
  private emit: EmitStrategy = 'on-window-update';
  constructor(private readonly stream: KStream, private readonly windows: TimeWindowsSpec) {
    super(stream.builder);
  }

  /** `emitStrategy(EmitStrategy.onWindowClose())` (KIP-825) or the default, every update. */
  emitStrategy(emit: EmitStrategy): this {
    this.emit = emit;
    return this;
  }

  protected aggregateAs(agg: Aggregation, opts: StoreOptions, prefix: string): KTable {
    const b = this.builder;
    // The store keeps a window for size + grace (`WindowStoreMaterializer.retentionPeriod`); on
    // close it is Kafka's time-ordered store, cached as any other (`TimeOrderedCachingWindowStore`).
    const onClose = this.emit === 'on-window-close';
    const retention = { ms: this.windows.sizeMs + this.windows.graceMs, timeOrdered: onClose };
    const store = b.store(opts, 'window', `${prefix}-STATE-STORE`, retention);
    const name = b.topology.nextName(prefix);
    const { windows, emit } = this;
    const src = this.stream.repartitionedAs(store);
    b.topology.add({ kind: 'processor', name, parents: [src.node], stores: [store], supplier: () => new TimeWindowAggregate(windows, agg, store, emit) });
    return new KTable(b, name, store, windows);
  }
}

export class SessionWindowedKStream extends Aggregations {
  constructor(private readonly stream: KStream, private readonly windows: SessionWindowsSpec) {
    super(stream.builder);
  }

  protected aggregateAs(agg: Aggregation, opts: StoreOptions, prefix: string): KTable {
    const b = this.builder;
    // The store keeps a session for gap + grace after its end (`SessionStoreMaterializer.retentionPeriod`).
    const store = b.store(opts, 'session', `${prefix}-STATE-STORE`, { ms: this.windows.gapMs + this.windows.graceMs, timeOrdered: false });
    const name = b.topology.nextName(prefix);
    const { windows } = this;
    const src = this.stream.repartitionedAs(store);
    b.topology.add({ kind: 'processor', name, parents: [src.node], stores: [store], supplier: () => new SessionWindowAggregate(windows, agg, store) });
    return new KTable(b, name, store, windows);
  }
}

/**
 * How a key-value table is read and what its changes carry: the stores its value getter reads
 * (`stores()`, asked by a processor that reads the table, which joins their sub-topology; a source
 * table not materialized yet is materialized by the asking, as Kafka's `valueGetterSupplier()`
 * does), the getter itself, and Kafka's `enableSendingOldValues(forceMaterialization)`, after
 * which its changes carry old values. It answers whether they now do: a source table that is not
 * materialized sends them only when forced to, and is materialized then.
 */
export interface TableView {
  stores(): readonly string[];
  getter(ctx: ProcessorContext): TableGetter;
  enableSendingOldValues(forceMaterialization: boolean): boolean;
}

/** The view of a table materialized in `store` (its rows `{ value, ids }`). */
function storeView(store: string, flags: TableFlags): TableView {
  return {
    stores: () => [store],
    getter: (ctx) => storeGetter(ctx, store),
    enableSendingOldValues: () => {
      flags.sendOldValues = true;
      return true;
    },
  };
}

/** The view of a source table (`KTableSource`): materialized when its getter is needed or old values are forced. */
function sourceView(store: string, flags: TableFlags, state: SourceState, materialize: () => void): TableView {
  return {
    stores: () => {
      materialize();
      return [store];
    },
    getter: (ctx) => storeGetter(ctx, store),
    enableSendingOldValues: (force) => {
      if (!flags.sendOldValues && !force && !state.materialized) return false;
      materialize();
      flags.sendOldValues = true;
      return true;
    },
  };
}

/**
 * The view of a stateless table operator (`mapValues`, `filter`): materialized in `store`, read
 * from it and sending old values on request; otherwise read through the parent's getter with
 * `compute` applied (null: no row), and sending old values only when the parent does.
 */
function derivedView(parent: TableView, store: string | undefined, flags: TableFlags, compute: (key: string, value: unknown) => unknown): TableView {
  if (store !== undefined) return storeView(store, flags);
  return {
    stores: () => parent.stores(),
    getter: (ctx) => mappedGetter(parent.getter(ctx), compute),
    enableSendingOldValues: (force) => {
      if (parent.enableSendingOldValues(force)) flags.sendOldValues = true;
      return flags.sendOldValues;
    },
  };
}

/** Options of a KStream–KStream join. */
export interface StreamJoinOptions {
  /**
   * `StreamJoined.withName(name)`: the join's processors (`<name>-this-windowed`,
   * `<name>-this-join`, `<name>-merge`, …) and its repartition topics (`<name>-left`,
   * `<name>-right`). Not its stores (`storeName`).
   */
  name?: string;
  /**
   * `StreamJoined.as(storeName)` or `.withStoreName(storeName)`: the join's stores
   * (`<storeName>-this-join-store`, `<storeName>-other-join-store`, a left or outer join's
   * `<storeName>-left-shared-join-store` or `…-outer-shared-join-store`), and so their changelogs.
   * Absent, each store is named after its side's generated processor name.
   */
  storeName?: string;
  /**
   * A left or outer join: the wall-clock time between two scans of the outer store for records
   * whose window closed unjoined (Kafka's internal
   * `__emit.interval.ms.kstreams.outer.join.spurious.results.fix__`, 1,000 ms by default).
   */
  emitIntervalMs?: number;
}

export interface TableJoinOptions {
  /** Materializes the resulting table (a join's, a `mapValues`' or a `filter`'s) in a store of this name (`Materialized.as`), changelogged. */
  name?: string;
  /** The record cache of that store (default on). */
  caching?: boolean;
}

/**
 * A KTable. Key-value tables (a source, `toTable`, an aggregation, a join) forward their updates
 * as `Change` records and have a `view`; windowed tables forward their windowed aggregates.
 */
export class KTable {
  constructor(
    readonly builder: StreamsBuilder,
    readonly node: string,
    readonly store: string | undefined,
    readonly windows: WindowsSpec | undefined,
    readonly view?: TableView,
  ) {}

  /**
   * `suppress(Suppressed.untilWindowCloses(unbounded()))`: one final result per window and key,
   * once the window closes (D = grace; grace + gap for sessions).
   */
  suppressUntilWindowCloses(): KTable {
    const w = this.windows;
    if (w === undefined || w.kind === 'sliding') throw new Error('suppress(untilWindowCloses) needs a time- or session-windowed table');
    const d = w.kind === 'session' ? w.graceMs + w.gapMs : w.graceMs;
    const t = this.builder.topology;
    // Kafka's `KTableImpl.suppress`: an unnamed suppression's buffer store is named on the counter after it.
    const name = t.nextName('KTABLE-SUPPRESS');
    const buffer = t.nextName('KTABLE-SUPPRESS-STATE-STORE');
    t.addStore({ name: buffer, kind: 'kv', caching: false, logged: true, logOnFlush: w.kind === 'session' ? 'session' : 'time' });
    t.add({ kind: 'processor', name, parents: [this.node], stores: [buffer], supplier: () => new SuppressUntilWindowCloses(d, buffer) });
    return new KTable(this.builder, name, undefined, w);
  }

  /** The table's updates as a stream: each change's new value, null for a deletion. */
  toStream(): KStream {
    const name = this.builder.topology.nextName('KTABLE-TOSTREAM');
    const map = this.view === undefined ? (r: KRecord, fwd: (r: KRecord) => void) => fwd(r) : (r: KRecord, fwd: (r: KRecord) => void) => fwd(newValueOf(r));
    this.builder.topology.add({ kind: 'processor', name, parents: [this.node], stores: [], supplier: () => new FnProcessor(map) });
    return new KStream(this.builder, name, false);
  }

  /**
   * KTable–KTable inner join (`KTableKTableInnerJoin`): a key has a joined value while both tables
   * have one. An update of either side looks the key up in the other; nothing when the other has
   * no value; a deletion of a joined key forwards a deletion. The result's timestamp is the larger
   * of the two rows'. Both tables must be co-partitioned (they read their stores in one task).
   */
  join(other: KTable, joiner: (left: unknown, right: unknown) => unknown, opts: TableJoinOptions = {}): KTable {
    return this.doJoin(other, joiner, 'inner', opts);
  }

  /** KTable–KTable left join (`KTableKTableLeftJoin` / `…RightJoin`): a key has a joined value while the left table has one; the joiner gets null for a missing right value. */
  leftJoin(other: KTable, joiner: (left: unknown, right: unknown) => unknown, opts: TableJoinOptions = {}): KTable {
    return this.doJoin(other, joiner, 'left', opts);
  }

  /** KTable–KTable outer join (`KTableKTableOuterJoin`): a key has a joined value while either table has one; the joiner gets null for the missing side. */
  outerJoin(other: KTable, joiner: (left: unknown, right: unknown) => unknown, opts: TableJoinOptions = {}): KTable {
    return this.doJoin(other, joiner, 'outer', opts);
  }

  private doJoin(other: KTable, joiner: (l: unknown, r: unknown) => unknown, kind: 'inner' | 'left' | 'outer', opts: TableJoinOptions): KTable {
    const left = this.requireView('join');
    const right = other.requireView('join');
    // An outer side must send old values: a deletion of a row the other side does not have is
    // forwarded only when it has an old value.
    if (kind !== 'inner') left.enableSendingOldValues(true);
    if (kind === 'outer') right.enableSendingOldValues(true);
    const flags: TableFlags = { sendOldValues: false };
    const thisKind: TableJoinKind = kind;
    const otherKind: TableJoinKind = kind === 'left' ? 'right' : kind;
    const reversed = (o: unknown, t: unknown): unknown => joiner(t, o);
    const t = this.builder.topology;
    // Kafka's `KTableImpl.doJoin` order: the store (named by the caller), the merge, then the two sides.
    const store = opts.name === undefined ? undefined : this.builder.store({ name: opts.name, caching: opts.caching }, 'kv', 'KTABLE-MERGE-STATE-STORE');
    const merge = t.nextName('KTABLE-MERGE');
    const thisName = t.nextName('KTABLE-JOINTHIS');
    const otherName = t.nextName('KTABLE-JOINOTHER');
    t.add({ kind: 'processor', name: thisName, parents: [this.node], stores: [...right.stores()], supplier: () => new TableJoinSide(thisKind, (ctx) => right.getter(ctx), joiner, flags) });
    t.add({ kind: 'processor', name: otherName, parents: [other.node], stores: [...left.stores()], supplier: () => new TableJoinSide(otherKind, (ctx) => left.getter(ctx), reversed, flags) });
    t.add({ kind: 'processor', name: merge, parents: [thisName, otherName], stores: store === undefined ? [] : [store], supplier: () => new TableJoinMerge(store, flags) });
    // `KTableKTableJoinMerger`: a join needs its sides' old values, so it forces them.
    const enable = (): boolean => {
      flags.sendOldValues = true;
      left.enableSendingOldValues(true);
      right.enableSendingOldValues(true);
      return true;
    };
    const view: TableView = store !== undefined
      ? { ...storeView(store, flags), enableSendingOldValues: enable }
      : {
        stores: () => [...new Set([...left.stores(), ...right.stores()])],
        getter: (ctx) => joinGetter(kind, left.getter(ctx), right.getter(ctx), joiner),
        enableSendingOldValues: enable,
      };
    return new KTable(this.builder, merge, store, undefined, view);
  }

  /**
   * `KTable.mapValues(mapper[, Materialized])` (`KTableMapValues`): each change's new value and,
   * when old values are sent, its old value mapped; a deletion stays a deletion. Not materialized
   * unless named: a downstream operator that needs old values then gets them by mapping the
   * parent's (`enableSendingOldValues` goes on to the parent), and its value getter maps the
   * parent's row. Named, the result lives in a changelogged store of that name, old values come
   * from it, and the parent is left alone.
   */
  mapValues(mapper: (value: unknown, key: string) => unknown, opts: TableJoinOptions = {}): KTable {
    const parent = this.requireView('mapValues');
    const flags: TableFlags = { sendOldValues: false };
    const store = opts.name === undefined ? undefined : this.builder.store({ name: opts.name, caching: opts.caching }, 'kv', 'KTABLE-MAPVALUES-STATE-STORE');
    const t = this.builder.topology;
    const name = t.nextName('KTABLE-MAPVALUES');
    t.add({ kind: 'processor', name, parents: [this.node], stores: store === undefined ? [] : [store], supplier: () => new TableMapValues(mapper, store, flags) });
    return new KTable(this.builder, name, store, undefined, derivedView(parent, store, flags, (key, value) => mapper(value, key)));
  }

  /**
   * `KTable.filter(predicate[, Materialized])` (`KTableFilter`): a row that fails the predicate is
   * no row of the result, so an update to a failing value is forwarded as a deletion of the key.
   * The filter asks its parent for old values without forcing it (a parent that is materialized
   * agrees): with them, a change whose old and new value both fail is not forwarded at all;
   * without them every failing update forwards a deletion. Materialized when named, as `mapValues`.
   */
  filter(predicate: (key: string, value: unknown) => boolean, opts: TableJoinOptions = {}): KTable {
    return this.doFilter(predicate, false, opts);
  }

  /** `KTable.filterNot(predicate[, Materialized])`: `filter` with the predicate negated. */
  filterNot(predicate: (key: string, value: unknown) => boolean, opts: TableJoinOptions = {}): KTable {
    return this.doFilter(predicate, true, opts);
  }

  private doFilter(predicate: (key: string, value: unknown) => boolean, filterNot: boolean, opts: TableJoinOptions): KTable {
    const parent = this.requireView(filterNot ? 'filterNot' : 'filter');
    const flags: TableFlags = { sendOldValues: parent.enableSendingOldValues(false) };
    const store = opts.name === undefined ? undefined : this.builder.store({ name: opts.name, caching: opts.caching }, 'kv', 'KTABLE-FILTER-STATE-STORE');
    const t = this.builder.topology;
    const name = t.nextName('KTABLE-FILTER');
    t.add({ kind: 'processor', name, parents: [this.node], stores: store === undefined ? [] : [store], supplier: () => new TableFilter(predicate, filterNot, store, flags) });
    return new KTable(this.builder, name, store, undefined, derivedView(parent, store, flags, (key, value) => (filterNot !== predicate(key, value) ? value : null)));
  }

  /**
   * `groupBy(selector)`: re-keys the table for an aggregation with a subtractor. The selector maps
   * a row to (group key, value); each change goes through a repartition topic as a subtraction of
   * the old row's pair from its group and an addition of the new row's pair to its group
   * (`KTableRepartitionMap`), so this table sends old values from now on.
   */
  groupBy(selector: TableSelector): KGroupedTable {
    const view = this.requireView('groupBy');
    view.enableSendingOldValues(true);
    const t = this.builder.topology;
    const name = t.nextName('KTABLE-SELECT');
    t.add({ kind: 'processor', name, parents: [this.node], stores: [], supplier: () => new TableRepartitionMap(selector) });
    return new KGroupedTable(this.builder, name);
  }

  private requireView(what: string): TableView {
    if (this.view === undefined) throw new Error(`${what}: needs a key-value table (a source, toTable, an aggregation or a join), not a windowed one`);
    return this.view;
  }
}

/** `KGroupedTable`: the aggregations of a re-keyed table, each with a subtractor. */
export class KGroupedTable {
  constructor(private readonly builder: StreamsBuilder, private readonly node: string) {}

  /**
   * `aggregate(initializer, adder, subtractor)`. An adder or subtractor that returns null deletes the
   * group's row (its change forwards null), and the group's next value starts from the initializer.
   */
  aggregate<V, A>(
    initializer: () => A, adder: (key: string, value: V, agg: A) => A | null, subtractor: (key: string, value: V, agg: A) => A | null, opts: StoreOptions = {},
  ): KTable {
    return this.doAggregate({ kind: 'aggregate', initializer, adder: adder as never, subtractor: subtractor as never }, opts);
  }

  /** `reduce(adder, subtractor)`: the first value of a group is its aggregate (again after a null result deleted it). */
  reduce<V>(adder: (agg: V, value: V) => V | null, subtractor: (agg: V, value: V) => V | null, opts: StoreOptions = {}): KTable {
    return this.doAggregate({ kind: 'reduce', adder: adder as never, subtractor: subtractor as never }, opts);
  }

  /** `count()`: rows per group, +1 by the adder and -1 by the subtractor (an emptied group stays at 0). */
  count(opts: StoreOptions = {}): KTable {
    return this.aggregate(() => 0, (_k, _v, n: number) => n + 1, (_k, _v, n: number) => n - 1, opts);
  }

  /** The repartition topic `weir-app-<store>-repartition`, then the aggregate in the next sub-topology. */
  private doAggregate(agg: TableAggregation, opts: StoreOptions): KTable {
    const b = this.builder;
    const t = b.topology;
    const store = b.store(opts, 'kv', 'KTABLE-AGGREGATE-STATE-STORE');
    // Kafka appends the suffix here whatever the store is named.
    const topic = `${APPLICATION_ID}-${store}-repartition`;
    t.repartitionTopics.push(topic);
    // Named as Kafka's KGroupedTableImpl names them: a stream sink and source, then the aggregate.
    const sink = t.nextName('KSTREAM-SINK');
    t.add({ kind: 'sink', name: sink, parents: [this.node], topic, valueOf: (r) => ({ key: r.key, value: r.value, ts: r.ts, ids: r.ids }) });
    const source = t.nextName('KSTREAM-SOURCE');
    t.add({ kind: 'source', name: source, topic, ...REPARTITION_FORMAT });
    const flags: TableFlags = { sendOldValues: false };
    const name = t.nextName(agg.kind === 'reduce' ? 'KTABLE-REDUCE' : 'KTABLE-AGGREGATE');
    t.add({ kind: 'processor', name, parents: [source], stores: [store], supplier: () => new TableAggregate(store, agg, flags) });
    return new KTable(b, name, store, undefined, storeView(store, flags));
  }
}

/**
 * `KStreamKTableJoinProcessor`: only stream records trigger; an inner join emits nothing while the
 * table has no value for the key, a left join emits the joiner's value of (record, null); the
 * result carries the stream record's timestamp and lineage. Records with a null value are
 * dropped, and so are those with a null key but in a left join (`maybeDropRecord`).
 */
class StreamTableJoin implements Processor {
  private ctx!: ProcessorContext;
  private table!: TableGetter;
  constructor(
    private readonly getter: (ctx: ProcessorContext) => TableGetter,
    private readonly joiner: (s: unknown, t: unknown) => unknown,
    private readonly leftJoin: boolean,
  ) {}
  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    this.table = this.getter(ctx);
  }
  process(r: KRecord): void {
    if (r.value === null || (r.key === null && !this.leftJoin)) {
      this.ctx.dropped('null-key-or-value', r);
      return;
    }
    const row: Row | undefined = r.key === null ? undefined : this.table(r.key);
    if (row === undefined && !this.leftJoin) return;
    this.ctx.forward({ key: r.key, value: this.joiner(r.value, row === undefined ? null : row.value), ts: r.ts, ids: r.ids });
  }
}

/**
 * Writes a key-value table's changes to `topic` in weir's output schema (`TableChange`, see
 * src/stream/records.ts), tagged `table`: per change the key, the new value as a number
 * (`valueOf`; null for a deletion), its timestamp and lineage.
 */
export function toTableChanges(table: KTable, topic: string, name: string, valueOf: (value: unknown) => number = (v) => v as number): void {
  if (table.view === undefined) throw new Error('toTableChanges: needs a key-value table');
  table.toStream().to(topic, (r) => {
    const out: TableChange = { type: 'table', table: name, key: r.key ?? '', value: r.value === null ? null : valueOf(r.value), ids: r.ids, ts: r.ts };
    return out;
  });
}

/**
 * Writes a windowed table's changes to `topic` in weir's output schema (`WindowResult`, see
 * src/stream/records.ts): one result per update, its `firing` the window's update count, its
 * timestamp `end - 1`; tombstones (sessions replaced by a merge) are not results and are left out.
 * A session `[first, last]` becomes the window `[first, last + gap)`, as Flink's merged session of
 * the same records; `valueOf` turns the aggregate into the result's number (default: it is one).
 */
export function toWindowResults(table: KTable, topic: string, valueOf: (agg: unknown) => number = (agg) => agg as number): void {
  // Kafka's sessions are [first, last], both inclusive; weir's window results are Flink's
  // [start, end) with end = last + gap (the session of records at most a gap apart).
  const endOffset = table.windows?.kind === 'session' ? table.windows.gapMs : 0;
  table
    .toStream()
    .filter((_k, v) => (v as { value: unknown }).value !== null)
    .to(topic, (r) => {
      const v = r.value as { window: { start: number; end: number }; value: unknown; firing: number };
      const end = v.window.end + endOffset;
      const result: WindowResult = { type: 'window', key: r.key ?? '', start: v.window.start, end, value: valueOf(v.value), firing: v.firing, ids: r.ids, ts: end - 1 };
      return result;
    });
}
