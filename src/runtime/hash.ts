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
