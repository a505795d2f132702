/**
 * A 64-bit content hash for traces and state: two 32-bit lanes over UTF-16 code units. Lane A is
 * FNV-1a 32 (offset 0x811c9dc5, prime 0x01000193, as in runtime/checksum);
 * lane B starts at 0x050c5d1f and per unit does b = imul(b ^ c, 0x5bd1e995),
 * b ^= b >>> 13. `hex()` is A then B, 8 hex digits each. Only 32-bit integer
 * operations, so every machine computes the same value.
 */
export class Hash64 {
  private a = 0x811c9dc5 | 0;
  private b = 0x050c5d1f | 0;

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
