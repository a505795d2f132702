/**
 * The interval join operator, element by element, ported in meaning from
 * Flink's IntervalJoinOperatorTest (the code here is weir's own). What it
 * proves, with both input orders (left side fed first and its watermarks
 * ahead, or the right side):
 * - bounds: inclusive and exclusive lower and upper bounds, positive and
 *   negative, pair exactly the elements `l.ts + lower <= r.ts <= l.ts +
 *   upper` with exclusive bounds moved inwards by 1 ms, and the mirrored
 *   bounds give the mirrored pairs; a pair carries `max(l.ts, r.ts)`;
 *   `lower > upper` is refused;
 * - state cleanup: after the common watermark reaches 1, 4 and 6, each
 *   buffer holds exactly the timestamps Flink's test expects (a left element
 *   leaves at `ts + upper`, a right one at `ts - lower`, at `ts` when that
 *   offset is not positive);
 * - late data: an element behind the watermark joins nothing and is not
 *   buffered; with late side outputs it goes there, one per side; an
 *   element exactly at the watermark is not late;
 * - a snapshot restores the buffers (and their cleanup timers): a new
 *   harness started from it joins new elements with the restored ones.
 *
 * How: a `PipelineTestHarness` with two driven inputs, `left` and `right`,
 * keyed by one key into `intervalJoin(...).between(...)`, read at its sink
 * and in its keyed state (`left` and `right` list states of `{ ts, value }`).
 */
import { describe, expect, it } from 'vitest';
import { PipelineTestHarness, type HarnessSnapshot } from '../../../../src/engines/flink/harness/index.ts';

interface Elem {
  side: 'lhs' | 'rhs';
  key: string;
  ts: number;
}

interface Bounds {
  lower: number;
  lowerInclusive: boolean;
  upper: number;
  upperInclusive: boolean;
}

const LEFT_LATE = 'left-late';
const RIGHT_LATE = 'right-late';

function harness(b: Bounds, opts: { lateOutputs?: boolean; restoreFrom?: HarnessSnapshot } = {}): PipelineTestHarness {
  return PipelineTestHarness.of((_env, io) => {
    const left = io.input<Elem>('left').keyBy((e) => e.key);
    const right = io.input<Elem>('right').keyBy((e) => e.key);
    let join = left.intervalJoin(right);
    if (!b.lowerInclusive) join = join.lowerBoundExclusive();
    if (!b.upperInclusive) join = join.upperBoundExclusive();
    if (opts.lateOutputs) join = join.sideOutputLeftLateData(LEFT_LATE).sideOutputRightLateData(RIGHT_LATE);
    const pairs = join.between(b.lower, b.upper, (l: Elem, r: Elem) => `${l.ts}-${r.ts}`);
    io.sink('out', pairs);
    if (opts.lateOutputs) {
      io.sink(LEFT_LATE, pairs.getSideOutput<Elem>(LEFT_LATE));
      io.sink(RIGHT_LATE, pairs.getSideOutput<Elem>(RIGHT_LATE));
    }
  }, opts.restoreFrom ? { restoreFrom: opts.restoreFrom } : {});
}

const lhs = (ts: number): Elem => ({ side: 'lhs', key: 'k', ts });
const rhs = (ts: number): Elem => ({ side: 'rhs', key: 'k', ts });

/** Elements `from..to` with a watermark after each, one side entirely before the other. */
function elementsAndWatermarks(h: PipelineTestHarness, from: number, to: number, leftFirst: boolean): void {
  const feed = (side: 'left' | 'right'): void => {
    for (let i = from; i <= to; i++) h.input<Elem>(side).add(side === 'left' ? lhs(i) : rhs(i)).watermark(i);
  };
  if (leftFirst) {
    feed('left');
    feed('right');
  } else {
    feed('right');
    feed('left');
  }
}

/** The pairs at the sink as `l-r`, sorted, each checked to carry max(l, r) as its timestamp. */
function pairs(h: PipelineTestHarness): string[] {
  const out = h.results<string>('out');
  for (const r of out) {
    const [l, rt] = r.value.split('-').map(Number) as [number, number];
    expect(r.ts, r.value).toBe(Math.max(l, rt));
  }
  return out.map((r) => r.value).sort();
}

/** The timestamps buffered on `side`, sorted. */
function buffer(h: PipelineTestHarness, side: 'left' | 'right'): number[] {
  return h.state('join').filter((e) => e.name === side).flatMap((e) => (e.value as { ts: number }[]).map((b) => b.ts)).sort((a, z) => a - z);
}

const incl = (lower: number, upper: number): Bounds => ({ lower, lowerInclusive: true, upper, upperInclusive: true });

describe.each([true, false])('interval join operator (left side first: %s)', (leftFirst) => {
  const joinOf = (b: Bounds): string[] => {
    const h = harness(b);
    elementsAndWatermarks(h, 1, 4, leftFirst);
    return pairs(h);
  };

  it('mirrored bounds give mirrored pairs: [1, 3) and (-3, -1]', () => {
    expect(joinOf({ lower: 1, lowerInclusive: true, upper: 3, upperInclusive: false })).toEqual(['1-2', '1-3', '2-3', '2-4', '3-4']);
    expect(joinOf({ lower: -3, lowerInclusive: false, upper: -1, upperInclusive: true })).toEqual(['2-1', '3-1', '3-2', '4-2', '4-3']);
  });

  it('negative inclusive and negative inclusive: [-2, -1]', () => {
    expect(joinOf(incl(-2, -1))).toEqual(['2-1', '3-1', '3-2', '4-2', '4-3']);
  });

  it('negative inclusive and positive inclusive: [-1, 1]', () => {
    expect(joinOf(incl(-1, 1))).toEqual(['1-1', '1-2', '2-1', '2-2', '2-3', '3-2', '3-3', '3-4', '4-3', '4-4']);
  });

  it('positive inclusive and positive inclusive: [1, 2]', () => {
    expect(joinOf(incl(1, 2))).toEqual(['1-2', '1-3', '2-3', '2-4', '3-4']);
  });

  it('negative exclusive and negative exclusive: (-3, -1) is [-2, -2]', () => {
    expect(joinOf({ lower: -3, lowerInclusive: false, upper: -1, upperInclusive: false })).toEqual(['3-1', '4-2']);
  });

  it('negative exclusive and positive exclusive: (-1, 1) is [0, 0]', () => {
    expect(joinOf({ lower: -1, lowerInclusive: false, upper: 1, upperInclusive: false })).toEqual(['1-1', '2-2', '3-3', '4-4']);
  });

  it('positive exclusive and positive exclusive: (1, 3) is [2, 2]', () => {
    expect(joinOf({ lower: 1, lowerInclusive: false, upper: 3, upperInclusive: false })).toEqual(['1-3', '2-4']);
  });
});

describe('interval join state cleanup', () => {
  /** Fills both buffers with 1..5, then raises the common watermark to 1, 4 and 6, reading both buffers each time. */
  function cleanup(b: Bounds): [number[], number[]][] {
    const h = harness(b);
    for (let i = 1; i <= 5; i++) h.input<Elem>('left').add(lhs(i));
    for (let i = 1; i <= 5; i++) h.input<Elem>('right').add(rhs(i));
    const seen: [number[], number[]][] = [];
    for (const wm of [1, 4, 6]) {
      h.input('left').watermark(wm);
      h.input('right').watermark(wm);
      seen.push([buffer(h, 'left'), buffer(h, 'right')]);
    }
    return seen;
  }

  it('[-1, 0]: a left element leaves at its own timestamp, a right one 1 ms after', () => {
    expect(cleanup(incl(-1, 0))).toEqual([[[2, 3, 4, 5], [1, 2, 3, 4, 5]], [[5], [4, 5]], [[], []]]);
  });

  it('(-2, 1) is [-1, 0]: the same', () => {
    expect(cleanup({ lower: -2, lowerInclusive: false, upper: 1, upperInclusive: false })).toEqual([[[2, 3, 4, 5], [1, 2, 3, 4, 5]], [[5], [4, 5]], [[], []]]);
  });

  it('[0, 1]: a left element leaves 1 ms after its timestamp, a right one at it', () => {
    expect(cleanup(incl(0, 1))).toEqual([[[1, 2, 3, 4, 5], [2, 3, 4, 5]], [[4, 5], [5]], [[], []]]);
  });

  it('(-1, 2) is [0, 1]: the same', () => {
    expect(cleanup({ lower: -1, lowerInclusive: false, upper: 2, upperInclusive: false })).toEqual([[[1, 2, 3, 4, 5], [2, 3, 4, 5]], [[4, 5], [5]], [[], []]]);
  });

  it('a wide interval keeps a left element until ts + upper, a right one until ts - lower', () => {
    const h = harness(incl(-3, 10));
    h.input<Elem>('left').add(lhs(100));
    h.input<Elem>('right').add(rhs(100));
    h.input('left').watermark(102);
    h.input('right').watermark(102);
    expect([buffer(h, 'left'), buffer(h, 'right')]).toEqual([[100], [100]]);
    h.input('left').watermark(103);
    h.input('right').watermark(103);
    expect([buffer(h, 'left'), buffer(h, 'right')]).toEqual([[100], []]);
    h.input('left').watermark(110);
    h.input('right').watermark(110);
    expect([buffer(h, 'left'), buffer(h, 'right')]).toEqual([[], []]);
  });
});

describe('interval join late data', () => {
  it('discards an element behind the watermark: it joins nothing and is not buffered', () => {
    const h = harness(incl(-1, 1));
    for (const i of [1, 2, 3]) {
      h.input<Elem>('left').add(lhs(i));
      h.input<Elem>('right').add(rhs(i));
    }
    h.input('left').watermark(3);
    h.input('right').watermark(3);
    h.input<Elem>('left').add(lhs(1)); // late: 1 < 3
    expect(buffer(h, 'left')).toEqual([3]);
    for (const i of [4, 5]) {
      h.input<Elem>('left').add(lhs(i));
      h.input<Elem>('right').add(rhs(i));
    }
    expect(pairs(h)).toEqual(['1-1', '1-2', '2-1', '2-2', '2-3', '3-2', '3-3', '3-4', '4-3', '4-4', '4-5', '5-4', '5-5']);
  });

  it('sends late elements to the side output of their side', () => {
    const h = harness(incl(-1, 1), { lateOutputs: true });
    h.input<Elem>('left').add(lhs(3));
    h.input<Elem>('right').add(rhs(3));
    h.input('left').watermark(3);
    h.input('right').watermark(3);
    h.input<Elem>('left').add(lhs(4));
    h.input<Elem>('right').add(rhs(4));
    h.input<Elem>('left').add(lhs(1));
    h.input<Elem>('right').add(rhs(2));
    h.input<Elem>('left').add(lhs(5));
    h.input<Elem>('right').add(rhs(5));
    expect(pairs(h)).toEqual(['3-3', '3-4', '4-3', '4-4', '4-5', '5-4', '5-5']);
    expect(h.results<Elem>(LEFT_LATE).map((r) => [r.value, r.ts])).toEqual([[lhs(1), 1]]);
    expect(h.results<Elem>(RIGHT_LATE).map((r) => [r.value, r.ts])).toEqual([[rhs(2), 2]]);
  });

  it('an element exactly at the watermark is not late, but a partner cleaned up at that watermark is gone', () => {
    const h = harness(incl(0, 2), { lateOutputs: true });
    h.input<Elem>('left').add(lhs(1)).add(lhs(2));
    h.input('left').watermark(3);
    h.input('right').watermark(3);
    // The left 1 left the buffer at watermark 3 (1 + 2); the left 2 is still there.
    expect(buffer(h, 'left')).toEqual([2]);
    h.input<Elem>('right').add(rhs(3));
    expect(pairs(h)).toEqual(['2-3']);
    expect(h.results(RIGHT_LATE)).toEqual([]);
  });
});

describe('interval join snapshot and restore', () => {
  it('a harness restored from a snapshot joins new elements with the restored buffers', () => {
    const b = incl(-1, 1);
    const first = harness(b);
    for (const i of [1, 2, 3]) {
      first.input<Elem>('left').add(lhs(i)).watermark(i);
      first.input<Elem>('right').add(rhs(i)).watermark(i);
    }
    expect(pairs(first)).toEqual(['1-1', '1-2', '2-1', '2-2', '2-3', '3-2', '3-3']);
    const snap = first.snapshot();
    const second = harness(b, { restoreFrom: snap });
    expect([buffer(second, 'left'), buffer(second, 'right')]).toEqual([buffer(first, 'left'), buffer(first, 'right')]);
    second.input<Elem>('left').add(lhs(4)).watermark(4);
    second.input<Elem>('right').add(rhs(4)).watermark(4);
    expect(pairs(second)).toEqual(['3-4', '4-3', '4-4']);
    // The restored cleanup timers still fire.
    second.input('left').watermark(10);
    second.input('right').watermark(10);
    expect([buffer(second, 'left'), buffer(second, 'right')]).toEqual([[], []]);
  });
});

describe('interval join bounds are checked', () => {
  it('refuses a lower bound above the upper bound', () => {
    expect(() => harness(incl(2, 1))).toThrow(/lower bound 2 must not exceed the upper bound 1/);
  });
});
