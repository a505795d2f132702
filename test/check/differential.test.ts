/**
 * The fast window checkers judge exactly what the plain ones do. The plain
 * checkers (`plain/`: the window checkers as first written, straight from
 * their definitions, with string-keyed sets and nothing shared; imported by
 * no code under `src/`) are the specification; `src/check/` computes the
 * same verdicts with integer-indexed lineage and a shared reference. Method: fast-check draws a workload, runs the correct
 * test-double operator (`model.ts`) over it for tumbling, sliding and session
 * windows, then damages the output with a few random edits — a record
 * dropped from a result or added to one (of another key, another window, not
 * in the input), a result repeated, dropped, or its value, ts or firing
 * changed, ids shuffled, a late record added, moved or dropped, an input id
 * repeated. Oracle: both checkers give equal verdicts (name, ok, detail —
 * the detail names the first problem and counts the rest), for
 * `checkExactlyOnceWindows` in both modes and for every `WatermarkChecker`
 * verdict.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { checkExactlyOnceWindows, WatermarkChecker, type WindowSpec } from '../../src/check/index.ts';
import { checkExactlyOnceWindows as plainExactlyOnce } from './plain/exactly-once.ts';
import { WatermarkChecker as PlainWatermarkChecker } from './plain/watermarks.ts';
import type { InputRecord, LateRecord, WindowResult } from '../../src/stream/records.ts';
import { session, sliding, tumbling } from '../../src/stream/assigners.ts';
import { rootRng } from '../../src/sim/rng.ts';
import { generateWorkload } from '../../src/workload/index.ts';
import { runModel } from './model.ts';

const BOUND_MS = 40;
const specs: [string, WindowSpec][] = [
  ['tumbling', { assigner: tumbling(200), aggregate: 'count', allowedLatenessMs: 0 }],
  ['tumbling+lateness', { assigner: tumbling(200, 50), aggregate: 'sum', allowedLatenessMs: 60 }],
  ['sliding', { assigner: sliding(200, 50), aggregate: 'avg', allowedLatenessMs: 0 }],
  ['sliding+lateness', { assigner: sliding(300, 70), aggregate: 'sum', allowedLatenessMs: 90 }],
  ['sliding, gaps', { assigner: sliding(50, 80), aggregate: 'count', allowedLatenessMs: 20 }],
  ['session', { assigner: session(30), aggregate: 'count', allowedLatenessMs: 0 }],
  ['session+lateness', { assigner: session(25), aggregate: 'sum', allowedLatenessMs: 50 }],
];

type Edit = [number, number, number];

/** Applies one edit; `a`, `b`, `c` are arbitrary integers that pick what is edited and how. */
function damage(input: InputRecord[], results: WindowResult[], late: LateRecord[], [kind, a, b]: Edit): void {
  const pick = <T,>(xs: T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[Math.abs(i) % xs.length]);
  const r = pick(results, a);
  const at = results.length === 0 ? 0 : Math.abs(a) % results.length;
  const rec = pick(input, b);
  switch (kind) {
    case 0: if (r && r.ids.length > 0) results[at] = { ...r, ids: r.ids.filter((_, i) => i !== Math.abs(b) % r.ids.length) }; break;
    case 1: if (r && rec) results[at] = { ...r, ids: [...r.ids, rec.id].sort((x, y) => x - y) }; break;
    case 2: if (r) results.push({ ...r }); break;
    case 3: if (r) results.splice(at, 1); break;
    case 4: if (r) results[at] = { ...r, value: r.value + 1 }; break;
    case 5: if (r) results[at] = { ...r, firing: r.firing + 1 }; break;
    case 6: if (r && r.ids.length > 1) results[at] = { ...r, ids: [...r.ids].reverse() }; break;
    case 7: if (rec) late.push({ type: 'late', id: rec.id, key: rec.key, ts: rec.ts, watermark: b % 3 === 0 ? rec.ts : 1_000_000, record: rec }); break;
    case 8: if (late.length > 0) late.splice(Math.abs(a) % late.length, 1); break;
    case 9: if (rec) input.push({ ...rec, ts: rec.ts + (a % 2) * 7 }); break;
    case 10: if (r) results[at] = { ...r, ids: [...r.ids, 100_000 + Math.abs(b)] }; break;
    case 11: if (r) results[at] = { ...r, ts: r.ts + 1 }; break;
    case 12: if (r) results.push({ ...r, firing: r.firing + 1, start: r.start - 1 }); break;
    case 13: if (r && rec) results.push({ ...r, key: rec.key, ids: [rec.id] }); break;
    default: if (r) results[at] = { ...r, ids: [] };
  }
}

const knobs = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  partitions: fc.integer({ min: 1, max: 3 }),
  keys: fc.integer({ min: 1, max: 4 }),
  late: fc.boolean(),
  edits: fc.array(fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer(), fc.integer()), { maxLength: 4 }),
});

describe.each(specs)('fast and plain checkers agree, %s', (_name, spec) => {
  test.prop([knobs], { numRuns: 60 })('same verdicts on correct and damaged output', (k) => {
    const w = generateWorkload(rootRng(k.seed), {
      events: 120, keys: k.keys, partitions: k.partitions, disorderBoundMs: BOUND_MS, eventRateMsPerRecord: 3,
      ...(k.late ? { stragglerRatio: [1, 8] as [number, number], stragglerExtraMs: 150, edgeTimestamps: { windowSizeMs: 200, allowedLatenessMs: spec.allowedLatenessMs } } : {}),
    });
    const run = runModel(w, spec, BOUND_MS);
    const input = [...w.records];
    const results = [...run.results];
    const late = [...run.late];
    for (const e of k.edits) damage(input, results, late, e);
    for (const canBeLate of [true, false]) {
      const plain = plainExactlyOnce(input, results, late, spec, { canBeLate });
      expect(checkExactlyOnceWindows(input, results, late, spec, { canBeLate })).toEqual(plain);
    }
    const fast = new WatermarkChecker();
    const slow = new PlainWatermarkChecker();
    for (const e of run.events) {
      fast.onEvent(e);
      slow.onEvent(e);
    }
    expect(fast.finish(input, results, spec)).toEqual(slow.finish(input, results, spec));
  });
});
