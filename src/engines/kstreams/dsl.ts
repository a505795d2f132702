/**
 * The Kafka Streams DSL on weir's log: `StreamsBuilder.stream(topic)` and
 * `table(topic)`, the stateless `filter`, `mapValues`, `map`,
 * `flatMapValues`, `selectKey` (which marks the stream for repartitioning),
 * `groupByKey` / `groupBy`, `windowedBy` with time, session windows, the
 * aggregations `count` / `aggregate` / `reduce` into named stores,
 * `emitStrategy(onWindowClose())`, `suppress(untilWindowCloses())`,
 * `toStream().to(topic)`, `repartition`, `toTable`, KStream–KTable joins, windowed KStream–KStream
 * joins (join.ts) and `process` with stores.
 *
 * A key-changing operation followed by a stateful one inserts a repartition
 * topic, `<application.id>-<name>-repartition` (part K9), which splits the
 * topology into two sub-topologies.
 */
import type { KRecord, Processor, ProcessorContext, ProcessorSupplier } from './processor.ts';
import { COUNT, KeyValueAggregate, SessionWindowAggregate, SuppressUntilWindowCloses, TimeWindowAggregate, type Aggregation, type EmitStrategy } from './aggregate.ts';
import { Topology, type SinkNode, type StoreSpec } from './topology.ts';
import type { JoinWindowsSpec, SessionWindowsSpec, TimeWindowsSpec, WindowsSpec } from './windows.ts';
import { JoinSideProcessor, JoinWindowProcessor } from './join.ts';
import type { WindowResult } from '../../stream/records.ts';

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
  private ctx!: ProcessorContext;
  constructor(private readonly fn: (r: KRecord, forward: (r: KRecord) => void) => void) {}
  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
  }
  process(r: KRecord): void {
    this.fn(r, (out) => this.ctx.forward(out));
  }
}

export class StreamsBuilder {
  readonly topology = new Topology();

  stream(topic: string, format: SourceFormat = INPUT_FORMAT): KStream {
    const name = this.topology.nextName('KSTREAM-SOURCE');
    this.topology.add({ kind: 'source', name, topic, ...format });
    return new KStream(this, name, false);
  }

  /** A source table: the latest value per key, a null value deletes (`KTableSource`). */
  table(topic: string, opts: StoreOptions & { format?: SourceFormat } = {}): KTable {
    const source = this.topology.nextName('KSTREAM-SOURCE');
    this.topology.add({ kind: 'source', name: source, topic, ...(opts.format ?? INPUT_FORMAT) });
    const store = this.store(opts, 'kv', `${topic}-STATE-STORE`);
    const name = this.topology.nextName('KTABLE-SOURCE');
    this.topology.add({ kind: 'processor', name, parents: [source], stores: [store], supplier: () => new TableSource(store) });
    return new KTable(this, name, store, undefined);
  }

  /** Registers a store; returns its name. */
  store(opts: StoreOptions, kind: StoreSpec['kind'], fallback: string): string {
    const name = opts.name ?? `${fallback}-${String(this.topology.stores.size).padStart(10, '0')}`;
    this.topology.addStore({ name, kind, caching: opts.caching ?? true, logged: true });
    return name;
  }

  build(): Topology {
    return this.topology;
  }
}

export class KStream {
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

  /** The stream as stateful operators need it: repartitioned by key first when a key changed upstream. */
  private repartitioned(): KStream {
    if (!this.keyChanged) return this;
    const t = this.builder.topology;
    const base = t.nextName('KSTREAM-AGGREGATE-STATE-STORE');
    const topic = `${base}-repartition`;
    t.repartitionTopics.push(topic);
    const sink = t.nextName('KSTREAM-SINK');
    t.add({ kind: 'sink', name: sink, parents: [this.node], topic, valueOf: (r) => ({ key: r.key, value: r.value, ts: r.ts, ids: r.ids }) });
    const source = t.nextName('KSTREAM-SOURCE');
    t.add({ kind: 'source', name: source, topic, ...REPARTITION_FORMAT });
    return new KStream(this.builder, source, false);
  }

  groupByKey(): KGroupedStream {
    return new KGroupedStream(this.repartitioned());
  }

  groupBy(fn: (key: string | null, value: unknown) => string | null): KGroupedStream {
    return this.selectKey(fn).groupByKey();
  }

  /** `repartition()`: writes the stream through a repartition topic (partitioned by key) and reads it back. */
  repartition(): KStream {
    return new KStream(this.builder, this.node, true).repartitioned();
  }

  /**
   * `toTable()` (KIP-523): the latest value per key in a key-value store, a null value deleting
   * (`KTableSource`); repartitioned first when a key changed upstream. Forwards each change.
   */
  toTable(opts: StoreOptions = {}): KTable {
    const src = this.repartitioned();
    const b = src.builder;
    const store = b.store(opts, 'kv', 'KSTREAM-TOTABLE-STATE-STORE');
    const name = b.topology.nextName('KSTREAM-TOTABLE');
    b.topology.add({ kind: 'processor', name, parents: [src.node], stores: [store], supplier: () => new TableSource(store) });
    return new KTable(b, name, store, undefined);
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
  join(other: KStream, joiner: (left: unknown, right: unknown) => unknown, windows: JoinWindowsSpec, opts?: { name?: string }): KStream;
  join(other: KTable | KStream, joiner: (a: unknown, b: unknown) => unknown, windows?: JoinWindowsSpec, opts: { name?: string } = {}): KStream {
    if (other instanceof KStream) {
      if (windows === undefined) throw new Error('join: a KStream–KStream join needs JoinWindows');
      return this.joinStream(other, joiner, windows, opts.name);
    }
    return this.joinTable(other, joiner);
  }

  private joinStream(other: KStream, joiner: (l: unknown, r: unknown) => unknown, windows: JoinWindowsSpec, name?: string): KStream {
    const left = this.repartitioned();
    const right = other.repartitioned();
    const t = this.builder.topology;
    const thisName = t.nextName('KSTREAM-JOINTHIS');
    const otherName = t.nextName('KSTREAM-JOINOTHER');
    const thisStore = `${name ?? thisName}-this-join-store`;
    const otherStore = `${name ?? otherName}-other-join-store`;
    // Join window stores keep duplicates, which the record cache does not support: never cached.
    t.addStore({ name: thisStore, kind: 'window', caching: false, logged: true });
    t.addStore({ name: otherStore, kind: 'window', caching: false, logged: true });
    const thisWindow = t.nextName('KSTREAM-WINDOWED');
    const otherWindow = t.nextName('KSTREAM-WINDOWED');
    t.add({ kind: 'processor', name: thisWindow, parents: [left.node], stores: [thisStore], supplier: () => new JoinWindowProcessor(thisStore, windows) });
    t.add({ kind: 'processor', name: otherWindow, parents: [right.node], stores: [otherStore], supplier: () => new JoinWindowProcessor(otherStore, windows) });
    t.add({ kind: 'processor', name: thisName, parents: [thisWindow], stores: [otherStore], supplier: () => new JoinSideProcessor(otherStore, windows, 'left', joiner) });
    t.add({ kind: 'processor', name: otherName, parents: [otherWindow], stores: [thisStore], supplier: () => new JoinSideProcessor(thisStore, windows, 'right', joiner) });
    const merge = t.nextName('KSTREAM-MERGE');
    t.add({ kind: 'processor', name: merge, parents: [thisName, otherName], stores: [], supplier: () => new FnProcessor((r, fwd) => fwd(r)) });
    return new KStream(this.builder, merge, false);
  }

  private joinTable(table: KTable, joiner: (streamValue: unknown, tableValue: unknown) => unknown): KStream {
    const left = this.repartitioned();
    const store = table.store;
    if (store === undefined) throw new Error('join: the table must be materialized (a source or aggregated table)');
    const name = left.builder.topology.nextName('KSTREAM-JOIN');
    left.builder.topology.add({ kind: 'processor', name, parents: [left.node], stores: [store], supplier: () => new StreamTableJoin(store, joiner) });
    return new KStream(left.builder, name, false);
  }
}

export class KGroupedStream {
  constructor(private readonly stream: KStream) {}

  windowedBy(windows: TimeWindowsSpec): TimeWindowedKStream;
  windowedBy(windows: SessionWindowsSpec): SessionWindowedKStream;
  windowedBy(windows: TimeWindowsSpec | SessionWindowsSpec): TimeWindowedKStream | SessionWindowedKStream {
    return windows.kind === 'time' ? new TimeWindowedKStream(this.stream, windows) : new SessionWindowedKStream(this.stream, windows);
  }

  count(opts: StoreOptions = {}): KTable {
    return this.aggregate(COUNT, opts);
  }

  aggregate(agg: Aggregation, opts: StoreOptions = {}): KTable {
    const b = this.stream.builder;
    const store = b.store(opts, 'kv', 'KSTREAM-AGGREGATE-STATE-STORE');
    const name = b.topology.nextName('KSTREAM-AGGREGATE');
    b.topology.add({ kind: 'processor', name, parents: [this.stream.node], stores: [store], supplier: () => new KeyValueAggregate(agg, store) });
    return new KTable(b, name, store, undefined);
  }
}

export class TimeWindowedKStream {
  private emit: EmitStrategy = 'on-window-update';
  constructor(private readonly stream: KStream, private readonly windows: TimeWindowsSpec) {}

  /** `emitStrategy(EmitStrategy.onWindowClose())` (KIP-825) or the default, every update. */
  emitStrategy(emit: EmitStrategy): this {
    this.emit = emit;
    return this;
  }

  count(opts: StoreOptions = {}): KTable {
    return this.aggregate(COUNT, opts);
  }

  aggregate(agg: Aggregation, opts: StoreOptions = {}): KTable {
    const b = this.stream.builder;
    // Emitting on close reads the store directly; its cache would only delay the changelog.
    const store = b.store(this.emit === 'on-window-close' ? { caching: false, ...opts } : opts, 'window', 'KSTREAM-AGGREGATE-STATE-STORE');
    const name = b.topology.nextName('KSTREAM-AGGREGATE');
    const { windows, emit } = this;
    b.topology.add({ kind: 'processor', name, parents: [this.stream.node], stores: [store], supplier: () => new TimeWindowAggregate(windows, agg, store, emit) });
    return new KTable(b, name, store, windows);
  }
}

export class SessionWindowedKStream {
  constructor(private readonly stream: KStream, private readonly windows: SessionWindowsSpec) {}

  count(opts: StoreOptions = {}): KTable {
    return this.aggregate(COUNT, opts);
  }

  aggregate(agg: Aggregation, opts: StoreOptions = {}): KTable {
    const b = this.stream.builder;
    const store = b.store(opts, 'session', 'KSTREAM-AGGREGATE-STATE-STORE');
    const name = b.topology.nextName('KSTREAM-AGGREGATE');
    const { windows } = this;
    b.topology.add({ kind: 'processor', name, parents: [this.stream.node], stores: [store], supplier: () => new SessionWindowAggregate(windows, agg, store) });
    return new KTable(b, name, store, windows);
  }
}

export class KTable {
  constructor(readonly builder: StreamsBuilder, readonly node: string, readonly store: string | undefined, readonly windows: WindowsSpec | undefined) {}

  /**
   * `suppress(Suppressed.untilWindowCloses(unbounded()))`: one final result per window and key,
   * once the window closes (D = grace; grace + gap for sessions).
   */
  suppressUntilWindowCloses(): KTable {
    const w = this.windows;
    if (w === undefined || w.kind === 'sliding') throw new Error('suppress(untilWindowCloses) needs a time- or session-windowed table');
    const d = w.kind === 'session' ? w.graceMs + w.gapMs : w.graceMs;
    const t = this.builder.topology;
    const name = t.nextName('KTABLE-SUPPRESS');
    const buffer = `${name}-store`;
    t.addStore({ name: buffer, kind: 'kv', caching: false, logged: true });
    t.add({ kind: 'processor', name, parents: [this.node], stores: [buffer], supplier: () => new SuppressUntilWindowCloses(d, buffer) });
    return new KTable(this.builder, name, undefined, w);
  }

  toStream(): KStream {
    const name = this.builder.topology.nextName('KTABLE-TOSTREAM');
    this.builder.topology.add({ kind: 'processor', name, parents: [this.node], stores: [], supplier: () => new FnProcessor((r, fwd) => fwd(r)) });
    return new KStream(this.builder, name, false);
  }
}

/** `KTableSource`: put (null: delete) and forward the change. An older timestamp still overwrites. */
class TableSource implements Processor {
  private ctx!: ProcessorContext;
  constructor(private readonly storeName: string) {}
  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    const store = ctx.getStateStore(this.storeName);
    store.onFlush = (key, now) => this.ctx.forward({ key, value: now === null ? null : (now.value as KRecord).value, ts: now?.ts ?? 0, ids: now === null ? [] : (now.value as KRecord).ids });
  }
  process(r: KRecord): void {
    if (r.key === null) {
      this.ctx.dropped('null-key', r);
      return;
    }
    const store = this.ctx.getStateStore(this.storeName);
    const logged = store.put(r.key, r.value === null ? null : { value: r.value, ids: r.ids }, r.ts);
    if (logged !== undefined) this.ctx.forward(r);
  }
}

class StreamTableJoin implements Processor {
  private ctx!: ProcessorContext;
  constructor(private readonly storeName: string, private readonly joiner: (s: unknown, t: unknown) => unknown) {}
  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
  }
  process(r: KRecord): void {
    if (r.key === null || r.value === null) {
      this.ctx.dropped('null-key-or-value', r);
      return;
    }
    const row = this.ctx.getStateStore(this.storeName).get(r.key);
    if (row === undefined) return;
    const t = row.value as { value: unknown; ids: readonly number[] };
    this.ctx.forward({ key: r.key, value: this.joiner(r.value, t.value), ts: r.ts, ids: r.ids });
  }
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
      const result: WindowResult = { type: 'window', key: r.key ?? '', start: v.window.start, end, value: valueOf(v.value), firing: v.firing, ids: [...r.ids], ts: end - 1 };
      return result;
    });
}
