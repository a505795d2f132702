/**
 * Keyed state restored into another parallelism, as Flink's
 * `StateAssignmentOperation` hands each new subtask the key groups of its
 * range (`AbstractStreamOperatorTestHarness.repackageState` +
 * `initializeState` in Flink's tests): the snapshots of every old subtask
 * are merged and only the entries of keys the new subtask owns are kept.
 *
 * Keyed operators implement `StreamOperator.rescaleState` with these
 * helpers: their snapshots list every entry with its key, so filtering is
 * by key (the key's key group decides ownership; see `keyGroupRange`).
 */
import type { StateSnapshot, TableSnapshot } from './backend.ts';
import type { TimerServiceSnapshot } from '../time/timers.ts';

/** Whether the restoring subtask owns `key` (its key group is in the subtask's range). */
export type OwnsKey = (key: string) => boolean;

/** The keyed entries (`[key, …]` tuples) of every part whose key is owned, in part order. */
export function ownedEntries<T extends readonly [string, ...unknown[]]>(parts: readonly (readonly T[])[], owns: OwnsKey): T[] {
  const out: T[] = [];
  for (const p of parts) for (const e of p) if (owns(e[0])) out.push(e);
  return out;
}

/**
 * Timers of owned keys from every part. The timer service's watermark is
 * the smallest of the parts' (all equal when every subtask saw the same
 * watermarks): a timer at or below it has fired in its own part already.
 */
export function rescaleTimers(parts: readonly TimerServiceSnapshot<string>[], owns: OwnsKey): TimerServiceSnapshot<string> {
  const watermark = parts.length === 0 ? Number.NEGATIVE_INFINITY : Math.min(...parts.map((p) => p.watermark));
  return {
    watermark,
    eventTime: ownedEntries(parts.map((p) => p.eventTime), owns),
    processingTime: ownedEntries(parts.map((p) => p.processingTime), owns),
  };
}

/** A keyed state backend's snapshot holding the owned keys of every part, table by table. */
export function rescaleKeyedState(parts: readonly StateSnapshot[], owns: OwnsKey): StateSnapshot {
  const tables = new Map<string, TableSnapshot>();
  for (const p of parts) {
    for (const t of p.tables) {
      let merged = tables.get(t.name);
      if (!merged) tables.set(t.name, (merged = { name: t.name, kind: t.kind, ttl: t.ttl, entries: [] }));
      // Entries are [namespace, key, stored].
      for (const e of t.entries) if (owns(e[1])) merged.entries.push(e);
    }
  }
  return { format: 'weir.keyed-state.v1', tables: [...tables.values()] };
}
