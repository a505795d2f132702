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
 * `checkExactlyOnceWindows` in both modes (nothing can be late or some can),
 * each as `exactly-once` and as `at-least-once`, and with records said pending and
 * windows said restarted (drawn from the output: what Kafka Streams' judges
 * hand on), and for every `WatermarkChecker` verdict.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { checkExactlyOnceWindows, WatermarkChecker, type WindowReset, type WindowSpec } from '../../src/check/index.ts';
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
  // Records named pending, and windows said to have started afresh (each from a result: its key and
  // window, a firing near its own, some of its ids and maybe one from elsewhere), as another judge would hand them on.
  pending: fc.array(fc.integer(), { maxLength: 3 }),
  resets: fc.array(fc.tuple(fc.integer(), fc.integer({ min: -1, max: 2 }), fc.integer({ min: 0, max: 7 }), fc.integer()), { maxLength: 2 }),
});

/**
 * Pending ids and resets drawn against the output (see `knobs`). A reset mostly looks like Kafka
 * Streams': the latest firing of a result's window loses some of its records (a new, later firing
 * without them replaces it, or that firing itself), and the reset names them, from that firing on;
 * sometimes it names a firing beside it, and an id of another record.
 */
function excuses(input: InputRecord[], results: WindowResult[], k: { pending: number[]; resets: [number, number, number, number][] }): { pending: Set<number>; resets: WindowReset[]; results: WindowResult[] } {
  const pick = <T,>(xs: T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[Math.abs(i) % xs.length]);
  const pending = new Set(k.pending.map((i) => pick(input, i)?.id).filter((id): id is number => id !== undefined));
  const out = [...results];
  const resets: WindowReset[] = [];
  for (const [at, df, keep, other] of k.resets) {
    const r = pick(out, at);
    if (!r) continue;
    const same = out.filter((x) => x.key === r.key && x.start === r.start && x.end === r.end);
    const latest = same.reduce((a, b) => (b.firing > a.firing ? b : a));
    const left = latest.ids.filter((_, i) => ((keep >> (i % 3)) & 1) === 1);
    const kept = latest.ids.filter((id) => !left.includes(id));
    const firing = df >= 0 ? latest.firing + 1 : latest.firing;
    if (df >= 0) out.push({ ...latest, firing, ids: kept });
    else out[out.indexOf(latest)] = { ...latest, ids: kept };
    const extra = pick(input, other);
    resets.push({ key: r.key, start: r.start, end: r.end, firing: firing + (df === 2 ? 1 : 0), ids: extra && other % 3 === 0 ? [...left, extra.id] : left });
  }
  return { pending, resets, results: out };
}

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
      for (const atLeastOnce of [false, true]) {
        const plain = plainExactlyOnce(input, results, late, spec, { canBeLate, atLeastOnce });
        expect(checkExactlyOnceWindows(input, results, late, spec, { canBeLate, atLeastOnce })).toEqual(plain);
      }
    }
    const x = excuses(input, results, k);
    const plainExcused = plainExactlyOnce(input, x.results, late, spec, { canBeLate: true, pending: x.pending, resets: x.resets });
    expect(checkExactlyOnceWindows(input, x.results, late, spec, { canBeLate: true, pending: x.pending, resets: x.resets })).toEqual(plainExcused);
    const fast = new WatermarkChecker();
    const slow = new PlainWatermarkChecker();
    for (const e of run.events) {
      fast.onEvent(e);
      slow.onEvent(e);
    }
    expect(fast.finish(input, results, spec)).toEqual(slow.finish(input, results, spec));
  });
});
