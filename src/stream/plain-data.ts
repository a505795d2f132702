/**
 * Plain data: deep copies and comparisons of JSON-shaped values (plain
 * objects, arrays, strings, numbers, booleans, null) without going through
 * text or the structured-clone machinery. Two copies, because engines need
 * two different promises:
 *
 * - `cloneJson(v)`: what `structuredClone(v)` gives. Flink's state backends
 *   snapshot and restore state this way, sharing nothing with the live
 *   state: `-0`, `NaN` and `undefined` members survive. Anything not plain
 *   goes to `structuredClone` itself.
 * - `jsonCopy(v)`: what `JSON.parse(JSON.stringify(v))` gives. Spark's state
 *   store hands each task its own copy of a file it already holds parsed,
 *   and a copy kept in memory must be indistinguishable from one read back
 *   from the file: `-0` becomes 0, `NaN` null, `undefined` members vanish.
 *   `sameJson` tells at commit which entries a task left as they were (an
 *   entry `sameJson` as the one it was read as has the text it was read as,
 *   so that text need not be built again); it is strict on purpose: only
 *   plain data equal member by member, object keys in the same order,
 *   counts as the same, and anything else (NaN, a class instance, keys in
 *   another order) answers false, so the caller falls back to
 *   `JSON.stringify`, which is always right. `isJsonData` says whether a
 *   value survives the round trip unchanged.
 */

/**
 * A deep copy of plain JSON-able data (plain objects, arrays, strings,
 * numbers, booleans, null), as `structuredClone` would make it, without its
 * per-call cost: snapshots copy one small accumulator per window, and
 * `structuredClone` serializes each through the structured-clone machinery.
 * Anything else (a Map, a Date, a class instance, `undefined` inside an
 * array…) is handed to `structuredClone` as it is, so the result is always
 * what `structuredClone` gives.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const copy = copyPlain(value as object);
  return (copy === NOT_PLAIN ? structuredClone(value) : copy) as T;
}

const NOT_PLAIN: unique symbol = Symbol('not plain');

/** Whether every item is a number, string, boolean or null (no hole, no undefined): `slice` copies it exactly. */
function flatPrimitives(v: readonly unknown[]): boolean {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' && typeof x !== 'string' && typeof x !== 'boolean' && x !== null) return false;
  }
  return true;
}

function copyPlain(v: object): unknown {
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return NOT_PLAIN;
    // Lists of numbers or strings (a window's lineage ids, a key's timers) in one copy.
    if (flatPrimitives(v)) return v.slice();
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return NOT_PLAIN; // a hole: structuredClone keeps it
      const x: unknown = v[i];
      if (typeof x === 'object' && x !== null) {
        const c = copyPlain(x);
        if (c === NOT_PLAIN) return NOT_PLAIN;
        out[i] = c;
      } else if (typeof x === 'function' || typeof x === 'symbol' || typeof x === 'bigint') return NOT_PLAIN;
      else out[i] = x;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    const x: unknown = (v as Record<string, unknown>)[k];
    if (typeof x === 'object' && x !== null) {
      const c = copyPlain(x);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out[k] = c;
    } else if (typeof x === 'function' || typeof x === 'symbol' || typeof x === 'bigint') return NOT_PLAIN;
    else out[k] = x;
  }
  return out;
}

const isPlain = (o: object): boolean => Object.getPrototypeOf(o) === Object.prototype && typeof (o as { toJSON?: unknown }).toJSON !== 'function';

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
const unwritten = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** `JSON.parse(JSON.stringify(value))` for a value that JSON.stringify writes (not undefined at the top). */
export function jsonCopy<T>(value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? (value === 0 ? 0 : value) : null) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out[i] = unwritten(v) ? null : typeof v === 'object' || typeof v === 'number' ? jsonCopy(v) : v;
    }
    return out as T;
  }
  if (!isPlain(value)) return JSON.parse(JSON.stringify(value)) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (!unwritten(v)) out[k] = typeof v === 'object' || typeof v === 'number' ? jsonCopy(v) : v;
  }
  return out as T;
}

/** Whether `a` and `b` are plain JSON data that JSON.stringify writes as the same text. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null) {
    // Primitives: equal ones print alike (NaN and ±Infinity answer false: the caller prints them afresh).
    return a === b && (typeof a !== 'number' || Number.isFinite(a));
  }
  if (typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Whether `value` is JSON data that `jsonCopy` gives back alike: JSON.parse of its text gives an equal value. */
export function isJsonData(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          // Numbers (lineage) checked here; a hole reads as undefined, which is not JSON data.
          if (typeof v === 'number' ? !Number.isFinite(v) || Object.is(v, -0) : !isJsonData(v)) return false;
        }
        return true;
      }
      if (!isPlain(value)) return false;
      for (const k of Object.keys(value)) if (!isJsonData((value as Record<string, unknown>)[k])) return false;
      return true;
    }
    default:
      // undefined (also what a hole in an array reads as), functions, symbols, bigints.
      return false;
  }
}
