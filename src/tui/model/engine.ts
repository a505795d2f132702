/**
 * Which engine a recording ran on. A token's recording says (its meta has
 * `engine`); a trace file does not, so its events tell: the Kafka Streams
 * instances trace `ks.*` events and the Spark driver `spark.*` events from
 * their first moments; a trace with neither is Flink's.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';

export type EngineKind = 'flink' | 'kstreams' | 'spark';

/** Events looked at when the meta does not say: both engines trace their start within the first few events. */
const SCAN = 10_000;

export function engineOf(metaEngine: string | undefined, events: readonly TraceEvent[]): EngineKind {
  if (metaEngine === 'kstreams' || metaEngine === 'spark' || metaEngine === 'flink') return metaEngine;
  for (let i = 0; i < Math.min(events.length, SCAN); i++) {
    const k = events[i]!.kind;
    if (k.startsWith('ks.')) return 'kstreams';
    if (k.startsWith('spark.')) return 'spark';
  }
  return 'flink';
}
