/**
 * Assertions on a window's panes, as Beam's PAssert does them
 * (`PAssert.that(results).inOnTimePane(window).containsInAnyOrder(…)`):
 * pick the results of one window, and of which of its panes, then assert
 * on their contents.
 *
 * The results are window results (`WindowResult`: the window, the pane and
 * the value), as `aggregate` and `reduce` emit them, or anything of that
 * shape a process window function emits (`{ start, end, pane, value }`,
 * the pane taken from its context). A pane's elements are the results'
 * values, or what `map` makes of each result (say `[r.key, r.value]` for
 * several keys); `forKey` keeps one key's results.
 *
 * Pane selectors (Beam's names):
 * - `inWindow(w)`: every pane of `w`;
 * - `inOnTimePane(w)`: the ON_TIME pane (none: no elements);
 * - `inFinalPane(w)`: the pane marked `isLast` (the one fired when the
 *   window was cleaned up; see `WindowedStream.closingBehavior`);
 * - `inOnlyPane(w)`: the one pane of `w`, failing unless it is both first
 *   and last (a trigger that fires once);
 * - `inEarlyPanes(w)`, `inLatePanes(w)`: every EARLY, every LATE pane;
 * - `inCombinedNonLatePanes(w)`: every EARLY and the ON_TIME pane;
 * - `inEarlyGlobalWindowPanes()`: the global window's EARLY panes.
 * Every Flink window result carries its pane, on the default window path
 * too. Results without one (Kafka Streams', Spark's) are read by `inWindow`
 * only; the other selectors say so.
 *
 * Each selector returns the contents, to assert on with
 * `containsInAnyOrder(...)` (equal as JSON, each element matched once),
 * `containsExactly(...)` (in emission order), `empty()` or
 * `satisfies(fn)`; a failed assertion throws a `PaneAssertionError` naming
 * the window, the selector and every pane of the window.
 */
import type { PaneInfo, WindowResult } from '../../../stream/records.ts';
import type { TimeWindow } from '../../../stream/time-window.ts';
import { GLOBAL_WINDOW } from '../windows/flink-assigners.ts';

/** What the pane assertions read of a result: its window, its pane, and the rest. */
export type PanedResult<V = unknown> = Pick<WindowResult<V>, 'start' | 'end' | 'value'> & { key?: string; pane?: PaneInfo };

export class PaneAssertionError extends Error {}

function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

const show = (vs: readonly unknown[]): string => `[${vs.map(canonical).join(', ')}]`;

function describeWindow(w: TimeWindow): string {
  return w.start === GLOBAL_WINDOW.start && w.end === GLOBAL_WINDOW.end ? 'the global window' : `[${w.start}, ${w.end})`;
}

const describePane = (p: PaneInfo | undefined): string =>
  p === undefined ? 'no pane' : `${p.timing}#${p.index}${p.isFirst ? ' first' : ''}${p.isLast ? ' last' : ''}`;

/** The elements of the chosen panes of one window. */
export class PaneContents<E> {
  constructor(
    private readonly what: string,
    private readonly elements: readonly E[],
    private readonly panes: string,
  ) {}

  /** The elements, in the order their panes were emitted. */
  values(): E[] {
    return this.elements.slice();
  }

  private fail(expected: string): never {
    throw new PaneAssertionError(`${this.what}: expected ${expected}, got ${show(this.elements)} (the window's panes: ${this.panes})`);
  }

  /** The same elements as `expected`, in any order (each compared as JSON). */
  containsInAnyOrder(...expected: E[]): this {
    const got = this.elements.map(canonical).sort();
    const want = expected.map(canonical).sort();
    if (got.length !== want.length || got.some((g, i) => g !== want[i])) this.fail(`in any order ${show(expected)}`);
    return this;
  }

  /** The same elements as `expected`, in this order. */
  containsExactly(...expected: E[]): this {
    const got = this.elements.map(canonical);
    const want = expected.map(canonical);
    if (got.length !== want.length || got.some((g, i) => g !== want[i])) this.fail(`exactly ${show(expected)}`);
    return this;
  }

  /** No elements. */
  empty(): this {
    if (this.elements.length > 0) this.fail('no elements');
    return this;
  }

  /** `check` gets the elements; it fails the assertion by throwing or by returning false. */
  satisfies(check: (elements: E[]) => boolean | void): this {
    let ok: boolean | void;
    try {
      ok = check(this.elements.slice());
    } catch (e) {
      throw new PaneAssertionError(`${this.what}: ${(e as Error).message} (the window's panes: ${this.panes})`, { cause: e });
    }
    if (ok === false) this.fail('elements that satisfy the check');
    return this;
  }
}

type Selector = 'inWindow' | 'inOnTimePane' | 'inFinalPane' | 'inOnlyPane' | 'inEarlyPanes' | 'inLatePanes' | 'inCombinedNonLatePanes';

/** PAssert over window results: `PaneAssert.that(results).inOnTimePane({ start: 0, end: 5000 }).containsInAnyOrder(6)`. */
export class PaneAssert<E = unknown, V = unknown> {
  private constructor(
    private readonly results: readonly PanedResult<V>[],
    private readonly element: (r: PanedResult<V>) => E,
    private readonly label: string,
  ) {}

  /** Assertions over these results (window results, or `{ start, end, pane, value }` records). */
  static that<V>(results: readonly PanedResult<V>[]): PaneAssert<V, V> {
    return new PaneAssert<V, V>(results, (r) => r.value, 'results');
  }

  /** A pane's elements become `fn(result)` (say `[r.key, r.value]`). */
  map<F>(fn: (r: PanedResult<V>) => F): PaneAssert<F, V> {
    return new PaneAssert<F, V>(this.results, fn, this.label);
  }

  /** Only the results of `key`. */
  forKey(key: string): PaneAssert<E, V> {
    return new PaneAssert<E, V>(this.results.filter((r) => r.key === key), this.element, `${this.label} of key ${JSON.stringify(key)}`);
  }

  inWindow(w: TimeWindow): PaneContents<E> {
    return this.select('inWindow', w, () => true);
  }

  inOnTimePane(w: TimeWindow): PaneContents<E> {
    return this.select('inOnTimePane', w, (p) => p.timing === 'ON_TIME');
  }

  inFinalPane(w: TimeWindow): PaneContents<E> {
    return this.select('inFinalPane', w, (p) => p.isLast);
  }

  inOnlyPane(w: TimeWindow): PaneContents<E> {
    return this.select('inOnlyPane', w, (p, where) => {
      if (!p.isFirst || !p.isLast) throw new PaneAssertionError(`${where}: expected a window that fires once (its pane first and last), got the pane ${describePane(p)}`);
      return true;
    });
  }

  inEarlyPanes(w: TimeWindow): PaneContents<E> {
    return this.select('inEarlyPanes', w, (p) => p.timing === 'EARLY');
  }

  inLatePanes(w: TimeWindow): PaneContents<E> {
    return this.select('inLatePanes', w, (p) => p.timing === 'LATE');
  }

  inCombinedNonLatePanes(w: TimeWindow): PaneContents<E> {
    return this.select('inCombinedNonLatePanes', w, (p) => p.timing !== 'LATE');
  }

  inEarlyGlobalWindowPanes(): PaneContents<E> {
    return this.select('inEarlyPanes', GLOBAL_WINDOW, (p) => p.timing === 'EARLY');
  }

  private select(name: Selector, w: TimeWindow, keep: (p: PaneInfo, where: string) => boolean): PaneContents<E> {
    const where = `${this.label} ${name}(${describeWindow(w)})`;
    const ofWindow = this.results.filter((r) => r.start === w.start && r.end === w.end);
    const panes = ofWindow.map((r) => describePane(r.pane)).join(', ') || 'none';
    const chosen: E[] = [];
    for (const r of ofWindow) {
      if (name !== 'inWindow') {
        if (r.pane === undefined) {
          throw new PaneAssertionError(`${where}: a result of this window has no pane (only Flink's window results carry panes; their firing field counts the others)`);
        }
        if (!keep(r.pane, where)) continue;
      }
      chosen.push(this.element(r));
    }
    if (name === 'inOnTimePane') {
      const keys = ofWindow.filter((r) => r.pane?.timing === 'ON_TIME').map((r) => r.key);
      if (new Set(keys).size < keys.length) throw new PaneAssertionError(`${where}: more than one ON_TIME pane for one key (${panes})`);
    }
    return new PaneContents<E>(where, chosen, panes);
  }
}
