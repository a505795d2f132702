/**
 * A 64-bit content hash for traces and state: two 32-bit lanes over a stream
 * of 32-bit words. Lane A is FNV-1a 32 (offset 0x811c9dc5, prime 0x01000193,
 * as in runtime/checksum); lane B starts at 0x050c5d1f and per word does
 * b = imul(b ^ w, 0x5bd1e995), b ^= b >>> 13. `update(s)` feeds one word per
 * UTF-16 code unit; `units(s)` feeds two code units per word (the first in
 * the high half), for callers that frame strings with their length.
 * `hex()` is A then B, 8 hex digits each. Only 32-bit integer operations, so
 * every machine computes the same value.
 */
export class Hash64 {
  private a = 0x811c9dc5 | 0;
  private b = 0x050c5d1f | 0;
  private markedA = 0;
  private markedB = 0;

  /** Remembers the state, for `rewind`. */
  mark(): void {
    this.markedA = this.a;
    this.markedB = this.b;
  }

  /** Goes back to the state at the last `mark`, as if nothing was fed since. */
  rewind(): void {
    this.a = this.markedA;
    this.b = this.markedB;
  }

  /** Feeds one 32-bit word. */
  word(w: number): void {
    this.a = Math.imul(this.a ^ w, 0x01000193);
    const b = Math.imul(this.b ^ w, 0x5bd1e995);
    this.b = b ^ (b >>> 13);
  }

  /** Feeds two words: the same as `word(w1)` then `word(w2)`. */
  word2(w1: number, w2: number): void {
    let a = Math.imul(this.a ^ w1, 0x01000193);
    let b = Math.imul(this.b ^ w1, 0x5bd1e995);
    b ^= b >>> 13;
    a = Math.imul(a ^ w2, 0x01000193);
    b = Math.imul(b ^ w2, 0x5bd1e995);
    this.a = a;
    this.b = b ^ (b >>> 13);
  }

  /** Feeds `tag`, the length of `s`, then its code units two per word: the same as `word(tag)`, `word(s.length)`, `units(s)`. */
  framed(tag: number, s: string): void {
    this.word2(tag, s.length);
    this.units(s);
  }

  /** Feeds the code units of `s`, two per word (an odd last unit alone). */
  units(s: string): void {
    let a = this.a;
    let b = this.b;
    const n = s.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const w = (s.charCodeAt(i) << 16) | s.charCodeAt(i + 1);
      a = Math.imul(a ^ w, 0x01000193);
      b = Math.imul(b ^ w, 0x5bd1e995);
      b ^= b >>> 13;
    }
    if (i < n) {
      const w = s.charCodeAt(i);
      a = Math.imul(a ^ w, 0x01000193);
      b = Math.imul(b ^ w, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.a = a;
    this.b = b;
  }

  update(s: string): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.a = a;
    this.b = b;
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

/** Tags of `valueHash`'s words, so values of different shapes never collide by layout. */
const V_INT = 1;
const V_NUMBER = 2;
const V_STRING = 3;
const V_TRUE = 4;
const V_FALSE = 5;
const V_NULL = 6;
const V_UNDEFINED = 7;
const V_ARRAY = 8;
const V_OBJECT = 9;
const V_OTHER = 10;

/**
 * The content hash of a structured value (a checkpoint snapshot, say), walked
 * as it is rather than through its JSON text: an int32 → [1, v]; another
 * number → [2] + its text (`String(v)`, the same on every machine); a string
 * → [3, length] + its code units; true, false, null, undefined → one tag
 * each; an array → [8, length] + its items; a plain object → [9, key count]
 * + each own enumerable key (as a string) and value, in the object's own key
 * order, which is the order it was built in; anything else (a Map, a class
 * instance) → [10] + the text `JSON.stringify` gives it. Equal values built
 * in the same order hash equally; 16 hex digits.
 */
export function valueHash(v: unknown): string {
  const h = new Hash64();
  feedValue(h, v);
  return h.hex();
}

function feedValue(h: Hash64, v: unknown): void {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v && !Object.is(v, -0)) h.word2(V_INT, v);
      else h.framed(V_NUMBER, String(v));
      return;
    case 'string':
      h.framed(V_STRING, v);
      return;
    case 'boolean':
      h.word(v ? V_TRUE : V_FALSE);
      return;
    case 'undefined':
      h.word(V_UNDEFINED);
      return;
    case 'object': {
      if (v === null) return h.word(V_NULL);
      if (Array.isArray(v)) {
        h.word2(V_ARRAY, v.length);
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i];
          // Lineage ids and offsets are int32s: fed here, without a call per item.
          if (typeof x === 'number' && (x | 0) === x && (x !== 0 || 1 / x > 0)) h.word2(V_INT, x);
          else feedValue(h, x);
        }
        return;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o);
        h.word2(V_OBJECT, keys.length);
        for (const k of keys) {
          h.framed(V_STRING, k);
          feedValue(h, o[k]);
        }
        return;
      }
      h.framed(V_OTHER, JSON.stringify(v) ?? '');
      return;
    }
    default:
      h.framed(V_OTHER, String(v));
  }
}
