/**
 * A growable list of trace positions backed by an Int32Array (a million
 * positions cost 4 MB, not the 8+ MB of a number array), and binary searches
 * over ascending position lists.
 */
export class IntList {
  private data = new Int32Array(64);
  private size = 0;

  push(v: number): void {
    if (this.size === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.size++] = v;
  }

  toArray(): Int32Array {
    return this.data.slice(0, this.size);
  }
}

/** The index in ascending `list` of the first element > `from`, or list.length. */
export function upperBound(list: ArrayLike<number>, from: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first element > `from`, or undefined. */
export function nextAfter(list: ArrayLike<number>, from: number): number | undefined {
  const k = upperBound(list, from);
  return k < list.length ? list[k] : undefined;
}

/** The last element < `from`, or undefined. */
export function prevBefore(list: ArrayLike<number>, from: number): number | undefined {
  const k = upperBound(list, from - 1) - 1;
  return k >= 0 ? list[k] : undefined;
}
