/**
 * The iteration order of a `java.util.HashSet<Bytes>` (a `java.util.HashMap`
 * underneath, `JavaHashMap` here), for the one place where Kafka Streams' output depends on it:
 * the suppression buffer logs its dirty keys in that order at each flush
 * (`InMemoryTimeOrderedKeyValueChangeBuffer.dirtyKeys`).
 *
 * The rules, from `HashMap`: the table is allocated with 16 bins at the first
 * add and doubles when the size passes three quarters of it; a key goes to
 * bin `(h ^ (h >>> 16)) & (bins - 1)` for its `hashCode` h, appended at the
 * tail of the bin's list; a bin that reaches nine keys in a table of fewer
 * than 64 bins doubles the table too (`treeifyBin`). Doubling splits each bin
 * into two and keeps the keys' order, and `clear()` keeps the table's size.
 * Iteration goes bin by bin, each bin's list in order. A bin of nine or more
 * keys in a table of 64 bins or more becomes a tree in Java, whose later
 * insertions do not go to the tail; that needs nine keys whose hashes agree
 * in their low six bits or more at once, and is not modelled.
 *
 * `Bytes.hashCode` is `Arrays.hashCode(byte[])`: 31 * h + b over the signed
 * bytes, from 1. The buffer's keys are windowed keys serialized as Kafka's
 * windowed serdes do (`WindowKeySchema.toBinary`: the key's bytes, then the
 * window start as an 8-byte big-endian long; `SessionKeySchema.toBinary`: the
 * key's bytes, then the end, then the start), the key itself as
 * `Serdes.String()` gives it (UTF-8).
 */

const INITIAL_BINS = 16;
const TREEIFY_THRESHOLD = 8;
const MIN_TREEIFY_CAPACITY = 64;

const utf8 = new TextEncoder();

/** `Arrays.hashCode(byte[])` of `bytes` (unsigned here, signed in Java). */
export function bytesHashCode(bytes: Uint8Array): number {
  let h = 1;
  for (let i = 0; i < bytes.length; i++) h = (Math.imul(31, h) + ((bytes[i]! << 24) >> 24)) | 0;
  return h;
}

/** `key`'s UTF-8 bytes followed by each of `longs` as 8 big-endian bytes (two's complement). */
export function keyWithLongs(key: string, longs: readonly number[]): Uint8Array {
  const k = utf8.encode(key);
  const out = new Uint8Array(k.length + 8 * longs.length);
  out.set(k, 0);
  const view = new DataView(out.buffer);
  longs.forEach((n, i) => {
    const hi = Math.floor(n / 4294967296);
    view.setInt32(k.length + 8 * i, hi | 0);
    view.setUint32(k.length + 8 * i + 4, n - hi * 4294967296);
  });
  return out;
}

/**
 * String keys, each with its Java hash code and a value, iterated in `HashMap`'s (and so
 * `HashSet`'s) order. Setting a key again changes its value and keeps its place.
 */
export class JavaHashMap<V> {
  private bins: string[][] = [];
  private readonly slots = new Map<string, { hash: number; value: V }>();

  /** `hashOf`: a key's Java hash code, asked once, when the key is new. */
  constructor(private readonly hashOf: (key: string) => number) {}

  get size(): number {
    return this.slots.size;
  }

  get(key: string): V | undefined {
    return this.slots.get(key)?.value;
  }

  /** `put`: a new key goes to the tail of its bin (its hash asked only then); a known one keeps its place. */
  set(key: string, value: V): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      slot.value = value;
      return;
    }
    if (this.bins.length === 0) this.bins = emptyBins(INITIAL_BINS);
    const h = this.hashOf(key);
    this.slots.set(key, { hash: h, value });
    const bin = this.bins[binOf(h, this.bins.length)]!;
    bin.push(key);
    // putVal: a bin that held TREEIFY_THRESHOLD keys before this one is treeified, or the table grows.
    if (bin.length > TREEIFY_THRESHOLD && this.bins.length < MIN_TREEIFY_CAPACITY) this.grow();
    if (this.slots.size > (this.bins.length * 3) / 4) this.grow();
  }

  /** `clear`: empty, the table keeping its size. */
  clear(): void {
    this.slots.clear();
    for (const bin of this.bins) bin.length = 0;
  }

  /** The keys in iteration order. */
  keys(): string[] {
    return this.bins.flat();
  }

  /** `resize`: twice the bins, each key in the new bin of its hash, keeping their order. */
  private grow(): void {
    const bins = emptyBins(this.bins.length * 2);
    for (const bin of this.bins) for (const key of bin) bins[binOf(this.slots.get(key)!.hash, bins.length)]!.push(key);
    this.bins = bins;
  }
}

function emptyBins(n: number): string[][] {
  return Array.from({ length: n }, () => []);
}

/** `HashMap.hash` spread and the bin index in a table of `n` bins. */
function binOf(h: number, n: number): number {
  return (h ^ (h >>> 16)) & (n - 1);
}
