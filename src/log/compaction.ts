/**
 * Log compaction of one partition's prefix, as Kafka's `LogCleaner` does it
 * (a pure function here; log-cleaner.ts schedules it and swaps the segment).
 *
 * - The cleanable prefix ends at the first uncleanable offset: the high
 *   watermark (`durableEnd`), or the first offset of a transaction still open
 *   if that is lower (Kafka's `firstUncleanableOffset`, bounded by the first
 *   unstable offset). Nothing at or after it is touched, so records of open
 *   transactions and the not-yet-durable head are never cleaned.
 * - In the prefix, the latest offset of every key among the records of plain
 *   batches and committed transactions is found (Kafka's offset map, built
 *   from the dirty section up to the same end); a record is kept only if it is
 *   that latest one. Records of aborted transactions and transaction markers
 *   are dropped (below the end every transaction is decided). A record
 *   without a key is dropped (Kafka counts it invalid).
 * - A tombstone (value null) that is the latest for its key is kept with a
 *   delete horizon, stamped the first time a cleaning keeps it: the cleaning
 *   time plus `delete.retention.ms`; a cleaning at or after its horizon
 *   drops it (KIP-534, `LogCleaner.shouldRetainRecord`). A consumer that
 *   reads the whole topic within that time sees the delete.
 * - Offsets never change: the kept records keep theirs, the rest leave gaps.
 */
import type { CleanedEntry, CleanedRecord } from './codec.ts';
import type { LogEntryView, PartitionLog } from './partition-log.ts';
import { isKeyedRecord } from './protocol.ts';

/** The end of the prefix compaction may clean (see the module comment). Ignores the planted read_committed bugs. */
export function cleanableEnd(log: PartitionLog): number {
  let end = log.durableEnd;
  for (const t of log.openTxns.values()) end = Math.min(end, t.firstOffset);
  return end;
}

export interface CleanResult {
  /** The cleaned prefix: one entry spanning every offset below the end. */
  entry: CleanedEntry;
  /** Records, markers and aborted records dropped. */
  removed: number;
  /** Tombstones given their delete horizon by this cleaning. */
  stamped: number;
  /** The earliest horizon of a tombstone kept, if any. */
  nextHorizonMs?: number;
}

/**
 * Compacts `entries` (the entries below `end`, from the first stored one); undefined when there are none.
 * As Kafka's offset map, the latest offsets come from the dirty section only: a previous cleaning's
 * entry, when it leads, holds one record per key (it kept only each key's latest), so one of its records
 * stays unless the dirty section has its key again.
 */
export function cleanPrefix(entries: readonly LogEntryView[], end: number, nowMs: number, deleteRetentionMs: number): CleanResult | undefined {
  const first = entries[0];
  if (first === undefined) return undefined;
  const head = first.sparse;
  const dirty = head === undefined ? entries : entries.slice(1);
  const latest = new Map<string, number>();
  forEachLive(dirty, (o, v) => {
    if (isKeyedRecord(v)) latest.set(v.key, o);
  });
  const kept: CleanedRecord[] = [];
  let removed = 0;
  let stamped = 0;
  let nextHorizonMs: number | undefined;
  for (const e of dirty) {
    if (e.status === 'open') throw new Error(`compaction below the first unstable offset met an open transaction at ${e.base}`);
    if (e.status === 'marker' || e.status === 'aborted') removed += e.status === 'marker' ? 1 : e.values.length;
  }
  const keep = (o: number, v: unknown, h: number | undefined, isLatest: boolean): void => {
    const value = isLatest ? (v as { value: unknown }).value : undefined;
    if (!isLatest || (value === null && h !== undefined && nowMs >= h)) {
      removed++;
      return;
    }
    if (value !== null) {
      kept.push({ o, v });
      return;
    }
    if (h === undefined) stamped++;
    const horizon = h ?? nowMs + deleteRetentionMs;
    kept.push({ o, v, h: horizon });
    nextHorizonMs = Math.min(nextHorizonMs ?? horizon, horizon);
  };
  if (head !== undefined) for (const r of head) keep(r.o, r.v, r.h, isKeyedRecord(r.v) && !latest.has(r.v.key));
  forEachLive(dirty, (o, v, h) => keep(o, v, h, isKeyedRecord(v) && latest.get(v.key) === o));
  const entry: CleanedEntry = { t: 'k', o: first.base, n: end - first.base, r: kept };
  return { entry, removed, stamped, ...(nextHorizonMs === undefined ? {} : { nextHorizonMs }) };
}

/** Every record of a plain batch, a committed transaction or a cleaned entry, in offset order, with its horizon. */
function forEachLive(entries: readonly LogEntryView[], fn: (offset: number, value: unknown, horizonMs: number | undefined) => void): void {
  for (const e of entries) {
    if (e.sparse !== undefined) {
      for (const r of e.sparse) fn(r.o, r.v, r.h);
    } else if (e.status === 'plain' || e.status === 'committed') {
      e.values.forEach((v, k) => fn(e.base + k, v, undefined));
    }
  }
}
