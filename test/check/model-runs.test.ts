/**
 * No false alarms: the window checkers pass on the output of a correct
 * operator. Method: fast-check draws a seed and workload knobs; a workload is
 * generated and run through the test-double operator in `model.ts` (Flink's
 * rules, the engine's assigners) for tumbling, sliding and session windows
 * with and without allowed lateness. Oracle: every verdict of
 * `checkExactlyOnceWindows` and `WatermarkChecker` is ok; when the workload
 * says nothing can be late, the model's late output is empty and the
 * exactly-once check in its strict mode (equal to the reference) passes.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { checkExactlyOnceWindows, WatermarkChecker, type WindowSpec } from '../../src/check/index.ts';
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
  ['session', { assigner: session(30), aggregate: 'count', allowedLatenessMs: 0 }],
  ['session+lateness', { assigner: session(25), aggregate: 'sum', allowedLatenessMs: 50 }],
];

const knobs = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  partitions: fc.integer({ min: 1, max: 4 }),
  keys: fc.integer({ min: 1, max: 6 }),
  bursts: fc.boolean(),
  idle: fc.boolean(),
});

describe.each(specs)('model operator, %s', (_name, spec) => {
  test.prop([knobs, fc.boolean()], { numRuns: 25 })('checkers accept a correct run', (k, late) => {
    const w = generateWorkload(rootRng(k.seed), {
      events: 250, keys: k.keys, partitions: k.partitions + (k.idle ? 1 : 0), disorderBoundMs: BOUND_MS,
      eventRateMsPerRecord: 3, bursts: k.bursts, idlePartitions: k.idle ? 1 : 0,
      ...(late ? { stragglerRatio: [1, 8] as [number, number], stragglerExtraMs: 150, edgeTimestamps: { windowSizeMs: 200, allowedLatenessMs: spec.allowedLatenessMs } } : {}),
    });
    const run = runModel(w, spec, BOUND_MS);
    if (!w.canBeLate) expect(run.late).toEqual([]);
    const eo = checkExactlyOnceWindows(w.records, run.results, run.late, spec, { canBeLate: w.canBeLate });
    expect(eo.detail).toBe(eo.ok ? eo.detail : '');
    expect(eo.ok).toBe(true);
    const wc = new WatermarkChecker();
    for (const e of run.events) wc.onEvent(e);
    for (const v of wc.finish(w.records, run.results, spec)) expect(v, v.name).toMatchObject({ ok: true });
  });
});
