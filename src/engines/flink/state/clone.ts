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

function copyPlain(v: object): unknown {
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return NOT_PLAIN;
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
