/**
 * What this proves: the teaching scenario `triggers-panes` (the `triggers`
 * walkthrough's run) passes its check `triggers.panes` under crashes as well
 * as without faults, that the check fails when a pane is wrong or missing or
 * the 9 is not where it belongs, and that its four scripts carry the same
 * scores at the same processing times, differing only in their watermarks.
 *
 * How: run the scenario on a few seeds under heavy faults (exactly-once) and
 * require every check to pass with at least one crash among them; feed
 * `checkTriggersPanes` the fault-free output with one pane changed, one
 * removed, the late record removed, and an empty on-time pane made LATE.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/explore/run.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import type { OutputRecord, WindowResult } from '../../src/stream/records.ts';
import { TRIGGERS_BRANCHES, TRIGGERS_ID_BASE, TRIGGERS_SCORES, checkTriggersPanes, triggersScript } from '../../scenarios/triggers-panes.ts';
import { scriptRecords } from '../../src/engines/flink/script.ts';

function run(settings: Partial<RunSettings> = {}) {
  let output: OutputRecord[] = [];
  const report = runScenario({ scenario: 'triggers-panes', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], ...settings }, { onOutput: (o) => (output = o) });
  return { report, output };
}

describe('triggers-panes', () => {
  it('passes every check without faults and under heavy faults', () => {
    let crashes = 0;
    for (const [seed, faults] of [[1, 'none'], [2, 'heavy'], [3, 'heavy'], [4, 'heavy']] as const) {
      const { report } = run({ seed, faults });
      expect(report.checks.filter((c) => !c.ok), `${faults} seed ${seed}: ${report.token}`).toEqual([]);
      expect(report.checks.find((c) => c.name === 'triggers.panes')?.ok).toBe(true);
      crashes += report.faults.crashes;
    }
    expect(crashes).toBeGreaterThan(0);
  });

  it('the check fails on a wrong pane, a missing pane, or a lost late record', () => {
    const { output } = run();
    const input = TRIGGERS_BRANCHES.flatMap((b) => scriptRecords(triggersScript(b)));
    expect(checkTriggersPanes(input, output).ok).toBe(true);
    const perfectFirst = output.findIndex((o) => o.type === 'window' && o.ids[0] === TRIGGERS_ID_BASE.perfect);
    const wrong = output.map((o, i) => (i === perfectFirst ? { ...(o as WindowResult), value: 5 } : o));
    expect(checkTriggersPanes(input, wrong)).toMatchObject({ ok: false, detail: expect.stringMatching(/perfect \[0,2000\).*expected one ON_TIME pane of 14/) });
    const discardingLate = output.findIndex((o) => o.type === 'window' && o.ids[0] === TRIGGERS_ID_BASE.discarding + 7);
    const missing = output.filter((_, i) => i !== discardingLate);
    expect(checkTriggersPanes(input, missing)).toMatchObject({ ok: false, detail: expect.stringMatching(/discarding \[0,2000\).*add up to 14/) });
    expect(checkTriggersPanes(input, output.filter((o) => o.type !== 'late'))).toMatchObject({ ok: false, detail: expect.stringMatching(/late side output holds ids \[\]/) });
    // The discarding branch's empty on-time panes (Beam's FIRE_ALWAYS) are there; an empty pane that is not ON_TIME is wrong.
    const empties = output.filter((o) => o.type === 'window' && o.ids.length === 0) as WindowResult[];
    expect(empties.map((o) => [o.start, o.pane?.timing, o.value])).toEqual([[0, 'ON_TIME', 0], [4_000, 'ON_TIME', 0]]);
    const emptyLate = output.map((o) => (o === empties[0] ? { ...(o as WindowResult), pane: { ...(o as WindowResult).pane!, timing: 'LATE' as const } } : o));
    expect(checkTriggersPanes(input, emptyLate)).toMatchObject({ ok: false, detail: expect.stringMatching(/LATE with no records.*expected only empty ON_TIME panes/) });
  });

  it('its four scripts hold the same scores; only the watermarks differ', () => {
    const [perfect, ...rest] = TRIGGERS_BRANCHES.map((b) => triggersScript(b));
    // Each score as [value, ts, ms of processing time since the script's start].
    const strip = (s: typeof perfect) => {
      let now = 0;
      return s!.steps.flatMap((x) => ('advanceProcessingTime' in x ? ((now += x.advanceProcessingTime), []) : 'records' in x ? x.records.map((r) => [r.value, r.ts, now]) : []));
    };
    for (const s of rest) expect(strip(s)).toEqual(strip(perfect));
    expect(strip(perfect)).toEqual(TRIGGERS_SCORES.map((r) => [r.value, r.ts, r.atMs]));
    const marks = (s: typeof perfect) => s!.steps.flatMap((x) => ('watermark' in x ? [x.watermark] : []));
    // The perfect watermark waits below the 9 (ts 1,200); the heuristic ones pass 1,999 before it arrives.
    // Each source's are a few ms apart from the others', so the replay can tell them apart.
    expect(marks(perfect)).toEqual([1_199, 8_002]);
    expect(rest.map(marks)).toEqual([[1_999, 3_999, 7_999], [2_000, 4_000, 8_000], [2_001, 4_001, 8_001]]);
  });
});
