/**
 * The logical job graph: operator nodes and the edges between them, as the
 * DataStream API builds it. A node is one operator with a parallelism; an
 * edge says how records travel from every subtask of one node to the
 * subtasks of another (Flink's StreamPartitioner).
 *
 * Chaining: an edge that is `forward` between nodes of equal parallelism,
 * into a node with a single input, is a chained call inside one task (no
 * network). Every other edge crosses the simulated network. A vertex is a
 * maximal chain; its tasks are what gets deployed.
 */
import type { StreamOperator } from './operators/operator.ts';

export type Partitioning = 'forward' | 'hash' | 'rebalance' | 'broadcast';

export type KeySelector = (value: unknown) => string;

export interface GraphEdge {
  from: number;
  to: number;
  partitioning: Partitioning;
  /** Set for `hash` edges: the key both sides agree on. */
  key?: KeySelector;
  /** For `hash` edges: the max parallelism (number of key groups) keys are spread over (default 128). */
  keyGroups?: number;
  /** Which input of a two-input operator this edge feeds (0 or 1). */
  input: number;
  /** Set when the edge carries a side output instead of the main output. */
  sideTag?: string;
}

export interface GraphNode {
  id: number;
  name: string;
  parallelism: number;
  /** Builds a fresh operator instance for one subtask. */
  create: () => StreamOperator;
  isSource: boolean;
  /** Keyed operators get a keyed state backend and timers; the key comes from the input edge. */
  keyed: boolean;
  inputs: GraphEdge[];
  outputs: GraphEdge[];
}

export interface Vertex {
  id: number;
  name: string;
  parallelism: number;
  /** Nodes in this chain, head first. */
  nodes: number[];
  /** Network edges into the chain's nodes. */
  inputs: GraphEdge[];
}

export class JobGraph {
  readonly nodes: GraphNode[] = [];

  /** The max parallelism of keyed operators: the number of key groups (Flink's default, 128). */
  constructor(readonly maxParallelism = 128) {
    if (!Number.isSafeInteger(maxParallelism) || maxParallelism < 1) throw new Error(`max parallelism must be a positive integer, got ${maxParallelism}`);
  }

  addNode(n: Omit<GraphNode, 'id' | 'inputs' | 'outputs'>): GraphNode {
    const node: GraphNode = { ...n, id: this.nodes.length, inputs: [], outputs: [] };
    this.nodes.push(node);
    return node;
  }

  connect(edge: GraphEdge): void {
    if (edge.partitioning === 'hash' && !edge.key) throw new Error('a hash edge needs a key selector');
    if (edge.partitioning === 'hash' && edge.keyGroups === undefined && this.maxParallelism !== 128) edge = { ...edge, keyGroups: this.maxParallelism };
    this.nodes[edge.from]!.outputs.push(edge);
    this.nodes[edge.to]!.inputs.push(edge);
  }

  isChained(e: GraphEdge): boolean {
    const from = this.nodes[e.from]!;
    const to = this.nodes[e.to]!;
    return e.partitioning === 'forward' && from.parallelism === to.parallelism && to.inputs.length === 1;
  }

  /** Groups nodes into chains (vertices), in node order, so ids are stable. */
  vertices(): Vertex[] {
    const headOf = new Map<number, number>();
    const out: Vertex[] = [];
    for (const node of this.nodes) {
      const chainedIn = node.inputs.length === 1 && this.isChained(node.inputs[0]!);
      if (chainedIn) {
        const head = headOf.get(node.inputs[0]!.from)!;
        headOf.set(node.id, head);
        out.find((v) => v.nodes[0] === head)!.nodes.push(node.id);
      } else {
        headOf.set(node.id, node.id);
        out.push({ id: out.length, name: node.name, parallelism: node.parallelism, nodes: [node.id], inputs: [] });
      }
    }
    for (const v of out) {
      for (const id of v.nodes) {
        for (const e of this.nodes[id]!.inputs) if (!this.isChained(e)) v.inputs.push(e);
      }
    }
    return out;
  }

  vertexOfNode(vertices: Vertex[], nodeId: number): Vertex {
    const v = vertices.find((x) => x.nodes.includes(nodeId));
    if (!v) throw new Error(`node ${nodeId} is in no vertex`);
    return v;
  }
}
