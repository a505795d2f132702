/**
 * The Processor API of the Kafka Streams engine: records, the context a
 * processor sees (forward, schedule punctuations, state stores, stream time,
 * the record's origin), and the processor itself.
 *
 * A record carries weir's lineage beside the key and value: the ids of the
 * input records it stands for (`ids`), so the output can be judged record by
 * record, as every engine's is.
 */
import type { Cancellable, Punctuator, PunctuationType } from './punctuation.ts';
import type { StateStore } from './stores.ts';
import type { KStreamsBugs } from './bugs.ts';

export interface KRecord {
  key: string | null;
  value: unknown;
  /** Event time, ms. */
  ts: number;
  /** Lineage: the input record ids this record stands for (sorted). */
  ids: readonly number[];
}

export interface ProcessorContext {
  /** Sends a record to the children of this processor (or to one child by name). */
  forward(record: KRecord, child?: string): void;
  getStateStore(name: string): StateStore;
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** The task's stream time (max timestamp it has taken from its input; -1 unknown). */
  readonly streamTime: number;
  /** The simulated wall clock, ms. */
  currentSystemTimeMs(): number;
  /** The task, `subtopology_partition`. */
  readonly taskId: string;
  /** Counts a record the processor skipped (the task's `dropped-records`) and traces why. */
  dropped(reason: string, record: KRecord, detail?: Record<string, unknown>): void;
  /** Traces a decision the processor took about a record (always: checkers judge from it). */
  decided(kind: string, record: KRecord, detail: Record<string, unknown>): void;
  /** Traces a step of the processor (only when the trace is detailed). */
  trace(kind: string, fields: Record<string, unknown>): void;
  /** Asks for a commit at the next chance (`ProcessorContext.commit`). */
  commit(): void;
  /**
   * The processor metadata the task committed under `key` (Kafka's `processorMetadataForKey`),
   * read back from the committed offsets' metadata when the task started; undefined when none.
   */
  processorMetadataForKey(key: string): number | undefined;
  /** Sets processor metadata (`addProcessorMetadataKeyValue`): committed with the task's offsets from the next commit on. */
  addProcessorMetadataKeyValue(key: string, value: number): void;
  /** The run's planted bugs (weir's own switches; off unless a run names one). */
  readonly bugs: KStreamsBugs;
}

export interface Processor {
  init?(ctx: ProcessorContext): void;
  process(record: KRecord): void;
  close?(): void;
}

export type ProcessorSupplier = () => Processor;

/** Merges two sorted id lists into one sorted list. */
export function mergeIds(a: readonly number[], b: readonly number[]): number[] {
  // The common case, a record newer than every record before it: the two lists one after the other.
  if (a.length === 0 || b.length === 0 || a[a.length - 1]! < b[0]!) return a.concat(b);
  if (b.length === 1) {
    // One id among the others: found by binary search, inserted unless it is there already.
    const x = b[0]!;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    const out = a.slice();
    if (a[lo] !== x) out.splice(lo, 0, x);
    return out;
  }
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else if (i >= a.length || b[j]! < a[i]!) out.push(b[j++]!);
    else {
      out.push(a[i++]!);
      j++;
    }
  }
  return out;
}
