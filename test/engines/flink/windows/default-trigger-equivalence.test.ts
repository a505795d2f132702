/**
 * What this proves: `.trigger(EventTimeTrigger.create())` on the general
 * window operator behaves exactly as the dedicated default operator that
 * every existing scenario runs — same results (key, window, value, firing,
 * pane, lineage ids, timestamp), same late side output, and the same trace events
 * (`window.fire`, `window.late`, `window.skip`, `session.add`,
 * `record.late`, field for field; the general operator only adds the
 * pane's `timing` to `window.fire`). So the Trigger interface is a faithful
 * generalisation of the path it leaves untouched.
 *
 * How: fast-check generates a random run — tumbling, sliding or session
 * windows, allowed lateness 0 or 200 ms, and a sequence of elements (two
 * keys, timestamps on a 100 ms grid and one below it, so that many land on
 * a window's last millisecond, some behind the watermark) interleaved with
 * watermark advances to `k * 100 - 1` (often exactly a window's end - 1) — and plays it through both operators, each
 * declared with the DataStream API in the public operator harness, comparing everything they emitted. 300 runs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventTimeTrigger, session, sliding, sumAggregate, tumbling, type WindowAssigner } from 'weir';
import { OperatorHarness } from './harness.ts';

type Step = { el: [string, number, number] } | { wm: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 1, 50)).map(([k, v, n, d]) => ({ el: [k, v, n * 100 - d] as [string, number, number] })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }).map((d) => ({ wm: d * 100 })) },
);

const assignerArb: fc.Arbitrary<WindowAssigner> = fc.constantFrom(tumbling(1000), sliding(1000, 500), session(300));

function play(h: OperatorHarness, steps: Step[]): void {
  let wm = -1;
  for (const s of steps) {
    if ('el' in s) h.element(...s.el);
    else h.watermark((wm += s.wm));
  }
  h.watermark(Math.max(wm, 10_000));
}

const withoutTiming = (t: OperatorHarness['trace']) =>
  t.map(({ kind, fields }) => {
    if (kind !== 'window.fire') return { kind, fields };
    const { timing: _timing, last: _last, ...rest } = fields ?? {};
    return { kind, fields: rest };
  });

describe('EventTimeTrigger on the general operator equals the default window operator', () => {
  it('gives the same results, side output and trace on random runs', () => {
    fc.assert(
      fc.property(assignerArb, fc.constantFrom(0, 200), fc.array(stepArb, { maxLength: 60 }), (assigner, allowedLatenessMs, steps) => {
        const dflt = new OperatorHarness((s) => s.keyBy((r) => r.key).window(assigner).allowedLateness(allowedLatenessMs).sideOutputLateData('late').aggregate(sumAggregate));
        const general = new OperatorHarness((s) =>
          s.keyBy((r) => r.key).window(assigner).allowedLateness(allowedLatenessMs).sideOutputLateData('late').trigger(EventTimeTrigger.create()).aggregate(sumAggregate),
        );
        play(dflt, steps);
        play(general, steps);
        expect(general.output).toEqual(dflt.output);
        expect(general.side).toEqual(dflt.side);
        expect(withoutTiming(general.trace)).toEqual(dflt.trace);
        expect(general.watermarks).toEqual(dflt.watermarks);
      }),
      { numRuns: 300 },
    );
  });

  it('labels the panes: ON_TIME first at the watermark, LATE for each late element, EARLY never', () => {
    const h = new OperatorHarness((s) => s.keyBy((r) => r.key).window(tumbling(1000)).allowedLateness(500).sideOutputLateData('late').trigger(EventTimeTrigger.create()).aggregate(sumAggregate));
    h.element('k', 1, 100).watermark(999).element('k', 2, 200).element('k', 3, 300).watermark(1499).element('k', 4, 400);
    expect(h.output.map((o) => [o.value.value, o.value.pane])).toEqual([
      [1, { timing: 'ON_TIME', index: 0, isFirst: true, isLast: false }],
      [3, { timing: 'LATE', index: 1, isFirst: false, isLast: false }],
      [6, { timing: 'LATE', index: 2, isFirst: false, isLast: false }],
    ]);
    expect(h.side.map((s) => s.value.id)).toEqual([3]);
  });
});
