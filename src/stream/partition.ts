/**
 * Keys to partitions, the one rule every engine and the log share: a key's
 * hash (FNV-1a with a final avalanche, so nearby keys spread), reduced to a
 * partition by modulo as Kafka's default partitioner reduces murmur2. Flink
 * maps the same hash to key groups first (its KeyGroupRangeAssignment).
 */
import { fnv1a32 } from '../runtime/checksum.ts';

/** A key's 32-bit unsigned hash. */
export function hashKey(key: string): number {
  let h = fnv1a32(key);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Kafka's keyed partitioner: the partition of `numPartitions` a keyed record is written to. */
export function partitionForKey(key: string, numPartitions: number): number {
  return hashKey(key) % numPartitions;
}
