/**
 * A deterministic content hash for state: canonical text (JSON-like, object
 * keys sorted, so two equal values hash equally however they were built)
 * fed into the shared 64-bit content hash (`runtime/hash.ts`), written as
 * 16 hex digits. Not cryptographic; it exists so a checker can compare the
 * state in a checkpoint with a reference state without shipping either.
 */
import { Hash64 } from '../runtime/hash.ts';

/** Canonical text of a JSON-able value: like JSON.stringify with sorted object keys. */
export function canonical(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'boolean':
      return String(v);
    case 'string':
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
      if (v instanceof Map) return `Map${canonical(Array.from(v).sort((a, b) => cmp(String(a[0]), String(b[0]))))}`;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort(cmp);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`state values must be JSON-able, found a ${typeof v}`);
  }
}

/** Code-unit order, independent of locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ContentHash {
  private readonly h = new Hash64();

  /** Feeds `s` followed by a separator, so ('ab','c') and ('a','bc') differ. */
  update(s: string): this {
    this.h.update(s);
    this.h.update('\uffff');
    return this;
  }

  digest(): string {
    return this.h.hex();
  }
}
