/**
 * `flat()` and `flatMap()` as plain loops. V8's built-ins (Node 20) take
 * the generic path of the specification on every element and are about ten
 * times slower than a loop that pushes; the judges and engines call these
 * on every run, over every output record.
 */

/** `arrays.flat()`: the elements of each array in turn. */
export function concatAll<T>(arrays: Iterable<readonly T[]>): T[] {
  const out: T[] = [];
  for (const a of arrays) for (let i = 0; i < a.length; i++) out.push(a[i]!);
  return out;
}

/** `items.flatMap(fn)`: as there, a `fn` (a user's, untyped) that returns a value that is not an array adds that value. */
export function flatMapped<T, U>(items: Iterable<T>, fn: (item: T) => readonly U[]): U[] {
  const out: U[] = [];
  for (const item of items) {
    const part = fn(item);
    if (!Array.isArray(part)) out.push(part as unknown as U);
    else for (let i = 0; i < part.length; i++) out.push(part[i] as U);
  }
  return out;
}
