/**
 * A Kafka Streams topology: source, processor and sink nodes, the stores
 * the processors use, and the internal topics (repartition and changelog)
 * it needs. Part K1: it splits into sub-topologies, the connected components
 * of processors (a repartition topic, sink → topic → source, always
 * separates two), and each sub-topology runs as one task per partition of
 * its source topics.
 */
import type { ProcessorSupplier } from './processor.ts';
import type { WindowRetention } from './stores.ts';

export interface SourceNode {
  kind: 'source';
  name: string;
  topic: string;
  /** The record key of a value read from the topic (weir's log records carry their key in the value). */
  keyOf(value: unknown): string | null;
  tsOf(value: unknown): number;
  /** The input record ids a value stands for (lineage). */
  idsOf(value: unknown): readonly number[];
}

export interface ProcessorNode {
  kind: 'processor';
  name: string;
  parents: string[];
  supplier: ProcessorSupplier;
  stores: string[];
}

export interface SinkNode {
  kind: 'sink';
  name: string;
  parents: string[];
  topic: string;
  /** What is written to the topic for a record (weir's log records are values; repartition topics keep the record whole). */
  valueOf(record: { key: string | null; value: unknown; ts: number; ids: readonly number[] }): unknown;
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

export interface StoreSpec {
  name: string;
  kind: 'kv' | 'window' | 'session';
  caching: boolean;
  /** Backed by a changelog topic `<application.id>-<name>-changelog`. */
  logged: boolean;
  /** A window store's retention (see `WindowRetention` in stores.ts); none: it keeps every window. */
  retention?: WindowRetention;
  /**
   * Logs each dirty key once, at the flush before a commit (a suppression buffer), not at every
   * write; the value names the windows of its keys (their serialization orders the log, stores.ts).
   */
  logOnFlush?: 'time' | 'session';
  /** A window store that keeps duplicates (a stream–stream join's): its keys are `key@ts@seq`. */
  duplicates?: boolean;
  /**
   * An in-memory store (`persistent()` false): no file and no checkpoint entry in the state
   * directory, so a new store object restores its whole changelog (a stream–stream join's).
   */
  inMemory?: boolean;
}

export interface SubTopology {
  id: number;
  nodes: string[];
  sourceTopics: string[];
  stores: string[];
}

export class Topology {
  readonly nodes: TopologyNode[] = [];
  readonly stores = new Map<string, StoreSpec>();
  /** The repartition topics this topology writes and reads, by their full names (`weir-app-<name>-repartition`). */
  readonly repartitionTopics: string[] = [];
  /** Kafka's `InternalStreamsBuilder.index`: one counter for processor and store names alike. */
  private counter = 0;

  /**
   * Kafka's generated names (`InternalStreamsBuilder.newProcessorName`, `newStoreName`), numbered on
   * one counter in the order the DSL asks: `KSTREAM-FILTER-0000000001`,
   * `KSTREAM-AGGREGATE-STATE-STORE-0000000003`. A name asked for and not used still takes its
   * number, as Kafka's do (a repartition's null-key filter, the store a `count` burns).
   */
  nextName(prefix: string): string {
    return `${prefix}-${String(this.counter++).padStart(10, '0')}`;
  }

  add(node: TopologyNode): void {
    if (this.nodes.some((n) => n.name === node.name)) throw new Error(`topology: a node named ${node.name} exists already`);
    this.nodes.push(node);
  }

  addStore(spec: StoreSpec): void {
    if (this.stores.has(spec.name)) throw new Error(`topology: a store named ${spec.name} exists already`);
    this.stores.set(spec.name, spec);
  }

  node(name: string): TopologyNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`topology: no node named ${name}`);
    return n;
  }

  children(name: string): TopologyNode[] {
    return this.nodes.filter((n) => n.kind !== 'source' && n.parents.includes(name));
  }

  /** The sub-topologies, numbered in the order of their first node (as Kafka numbers them). */
  subTopologies(): SubTopology[] {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    const union = (a: string, b: string): void => {
      parent.set(find(a), find(b));
    };
    for (const n of this.nodes) parent.set(n.name, n.name);
    for (const n of this.nodes) if (n.kind !== 'source') for (const p of n.parents) union(n.name, p);
    // Processors sharing a store are in one sub-topology.
    const storeOwner = new Map<string, string>();
    for (const n of this.nodes) {
      if (n.kind !== 'processor') continue;
      for (const s of n.stores) {
        const o = storeOwner.get(s);
        if (o === undefined) storeOwner.set(s, n.name);
        else union(n.name, o);
      }
    }
    const groups = new Map<string, string[]>();
    for (const n of this.nodes) {
      const r = find(n.name);
      const g = groups.get(r);
      if (g) g.push(n.name);
      else groups.set(r, [n.name]);
    }
    return [...groups.values()].map((names, id) => {
      const nodes = names.map((x) => this.node(x));
      return {
        id,
        nodes: names,
        sourceTopics: nodes.flatMap((n) => (n.kind === 'source' ? [n.topic] : [])),
        stores: [...new Set(nodes.flatMap((n) => (n.kind === 'processor' ? n.stores : [])))],
      };
    });
  }
}

/** `<application.id>-<store>-changelog` (`ProcessorStateManager.storeChangelogTopic`). */
export function changelogTopic(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

/** Every weir Kafka Streams application's `application.id`: the group id and the prefix of its internal topics. */
export const APPLICATION_ID = 'weir-app';

/**
 * `<application.id>-<name>-repartition` (`KStreamImpl.createRepartitionedSource`: a name that ends
 * in `-repartition` already is not given the suffix twice).
 */
export function repartitionTopic(applicationId: string, name: string): string {
  return `${applicationId}-${name.endsWith('-repartition') ? name : `${name}-repartition`}`;
}
