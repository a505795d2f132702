/**
 * A state store entry as a Kafka Streams changelog record carries it — the
 * value and its timestamp — and its digest, so an engine can trace what a
 * restored store holds and a checker can compare it with the committed
 * changelog without either reading the other.
 */
import { canonical, ContentHash } from './content-hash.ts';

/** The digest of one store entry: its value (canonical text) and timestamp. */
export function storeEntryDigest(value: unknown, ts: number): string {
  return new ContentHash().update(canonical(value)).update(String(ts)).digest();
}

/** One restored entry as traced: the store key, the changelog offset its value came from (-1: written locally, not read from the changelog), and its digest. */
export type RestoredEntry = [storeKey: string, offset: number, digest: string];
