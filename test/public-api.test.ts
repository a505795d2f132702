/**
 * What this proves: a user's own pipeline, written only against the public
 * API (`import … from 'weir'`), runs in the simulator under generated fault
 * plans and is judged by weir's oracles — and a wrong pipeline is caught.
 *
 * How: a running count per key (keyed value state, one update per record)
 * checked against the input by a custom check; fast-check explores seeds,
 * event counts and fault plans through `weirProperty`. The same pipeline with
 * a plain (at-least-once) guarantee must be caught double-counting on some
 * generated run.
 *
 * Triggers and panes from the public entry point: a Beam-style pipeline
 * (`AfterWatermark` with early firings on processing time and late firings
 * per element, played by a scripted source) and a Flink-style one
 * (`GlobalWindows` with `PurgingTrigger.of(CountTrigger.of(2))` and a
 * process window function) give their exact expected panes, and every
 * standard check passes.
 *
 * The test harnesses: Flink's `WindowOperatorTest.testTumblingEventTimeWindows`
 * ported to `OperatorTestHarness` (records and watermarks in order, across
 * a snapshot and a restore into a new harness), and a TestStream-and-PAssert
 * style test on `PipelineTestHarness` (two input subtasks, one whose
 * watermark does not advance until it is marked idle; each result with the
 * processing time it arrived and the watermark before it; the window's
 * timers and state). The sink helpers (`sinkWindowResults`, `TOPICS`), the
 * window result types (`WindowResult`, `LateRecord` with the late record
 * itself) and the trace event types (`isEventOf`, `RecordLateEvent`) in a
 * simulated run, with late records dropped and counted in the run report.
 * Panes as Beam's PAssert asserts them (`panes()`, `PaneAssert`), with
 * the final pane of a closing behaviour (Beam's testLateDataAccumulating in
 * meaning), and on the default window path with allowed lateness (an
 * ON_TIME pane, then LATE panes numbered on across a restore); the operator harness as subtask i of p, owning exactly the
 * keys that subtask owns; records without a timestamp (`NO_TIMESTAMP`)
 * refused by an event-time window and taken by a processing-time one.
 * Beam's finished triggers and on-time behaviour: an empty ON_TIME pane
 * under FIRE_ALWAYS and none under FIRE_IF_NON_EMPTY, a closed window
 * dropping a late element, `AfterPane.elementCountAtLeast(2)` firing once.
 * A harness snapshot restored into both subtasks of parallelism 2, each
 * keeping its keys, and repackaged back into one.
 * Typed records: a pipeline of clicks (no numeric value) and a script of
 * words type-check and run, and the type checker refuses a sum over clicks,
 * a key selector of the wrong type, a result of the wrong type and a
 * string script record without its value (`@ts-expect-error`, checked by
 * `npm run typecheck`).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AfterPane, AfterWatermark, CountTrigger, generateWorkload, globalWindows, HarnessError, isEventOf, MIN_WATERMARK, NO_TIMESTAMP, OperatorTestHarness, PaneAssert, PaneAssertionError, PipelineTestHarness,
  PurgingTrigger, runScenario, RunFailed, script, scriptRecords, session, sinkWindowResults, subscriberFor, subtaskForKey, sumAggregate, TOPICS, tumbling, tumblingProcessingTime, weirProperty,
  type ClosingBehavior, type DataStream, type InputRecord, type KeyedUpdate, type LateRecord, type OnTimeBehavior, type OutputRecord, type PaneInfo, type ProcessWindowFunction, type RecordLateEvent, type Scenario,
  type SinkEvent, type TraceEvent, type WindowAggregateFunction, type WindowResult,
} from 'weir';

interface Count {
  n: number;
}

const runningCount: Scenario = {
  name: 'running-count',
  summary: 'a running count per key, one update per record',
  defaults: { events: 200, parallelism: 2, partitions: 2, keys: 5 },
  workload: (rng, s) => generateWorkload(rng, { events: s.events, keys: s.keys, partitions: s.partitions, disorderBoundMs: 50 }),
  engines: {
    flink: {
      build(env, s) {
        env
          .fromLog('source', { topic: 'input', partitions: s.partitions, boundMs: 50 })
          .keyBy((r: { key: string }) => r.key)
          .process({
            processElement(r: { id: number; key: string }, ctx) {
              const state = ctx.state.valueState<Count>('count');
              const n = (state.value()?.n ?? 0) + 1;
              state.update({ n });
              const u: KeyedUpdate = { type: 'update', key: r.key, value: n, id: r.id, seq: n, ts: ctx.timestamp };
              ctx.collect(u);
            },
          })
          .sinkTo({ topic: 'output', partitions: s.parallelism });
      },
    },
  },
  check: ({ input, output }) => {
    const want = new Map<string, number>();
    for (const r of input) want.set(r.key, (want.get(r.key) ?? 0) + 1);
    const got = new Map<string, number>();
    const updates = output.filter((o): o is KeyedUpdate => o.type === 'update');
    for (const u of updates) got.set(u.key, Math.max(got.get(u.key) ?? 0, u.value));
    const wrong = [...want].filter(([k, n]) => got.get(k) !== n);
    const ok = wrong.length === 0 && updates.length === input.length;
    return [{ name: 'running-count', ok, detail: ok ? 'every key counted exactly' : `${updates.length} updates for ${input.length} records; ${wrong.length} keys off` }];
  },
};

describe('the public API', () => {
  it('judges a user pipeline under generated fault plans', () => {
    fc.assert(weirProperty({ scenario: runningCount, events: { min: 50, max: 200 }, faults: { maxFaults: 3 } }), { numRuns: 5 });
  });

  it('catches the same pipeline double-counting under at-least-once', () => {
    let failure: unknown;
    try {
      fc.assert(weirProperty({ scenario: runningCount, guarantee: 'at-least-once', events: { min: 100, max: 300 }, faults: { maxFaults: 4 } }), { numRuns: 40, seed: 7 });
    } catch (e) {
      failure = e;
    }
    expect(failure, 'no generated run double-counted').toBeDefined();
    const cause = (failure as Error).cause;
    expect(cause).toBeInstanceOf(RunFailed);
    expect(String((cause as Error).message)).toMatch(/running-count: .*\nreplay: runScenario\(decodeToken\('w2\./);
  });
});

describe('triggers, panes and window functions from the public API', () => {
  const elements = script()
    .add({ key: 'k', value: 1, ts: 1_000 })
    .advanceProcessingTime(1_500)
    .add({ key: 'k', value: 2, ts: 2_000 })
    .advanceWatermarkTo(9_999)
    .add({ key: 'k', value: 4, ts: 3_000 })
    .advanceWatermarkToInfinity();
  const scenario = (name: string, build: NonNullable<Scenario['engines']['flink']>['build']): Scenario => ({
    name,
    summary: name,
    defaults: { events: 3, parallelism: 2, partitions: 1, keys: 1 },
    workload: () => ({ records: elements.steps.flatMap((st) => ('records' in st ? [...st.records] : [])), arrivals: [], canBeLate: true, idlePartitions: [], activeArrivalGapMsMax: 0 }),
    engines: { flink: { build } },
  });
  const run = (s: Scenario): { ok: boolean; output: OutputRecord[] } => {
    let output: OutputRecord[] = [];
    const r = runScenario({ scenario: s.name, seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] }, { scenario: s, onOutput: (o) => (output = o) });
    return { ok: r.ok, output };
  };

  it('AfterWatermark: an early pane, the on-time pane, a late pane per late element', () => {
    const { ok, output } = run(
      scenario('beam-panes', (env, s) => {
        env
          .fromScript('script', elements)
          .keyBy((r: { key: string }) => r.key)
          .window(tumbling(10_000))
          .allowedLateness(5_000)
          .trigger(AfterWatermark.pastEndOfWindow().withEarlyFirings(1_000).withLateFirings())
          .aggregate(sumAggregate)
          .sinkTo({ topic: 'output', partitions: s.parallelism });
      }),
    );
    expect(ok).toBe(true);
    const panes: [number, PaneInfo | undefined][] = output.map((o) => [(o as WindowResult).value, (o as WindowResult).pane]);
    expect(panes).toEqual([
      [1, { timing: 'EARLY', index: 0, isFirst: true, isLast: false }],
      [3, { timing: 'ON_TIME', index: 1, isFirst: false, isLast: false }],
      [7, { timing: 'LATE', index: 2, isFirst: false, isLast: false }],
    ]);
  });

  it('GlobalWindows with a purging count trigger and a process window function', () => {
    const describePane: ProcessWindowFunction<{ value: number }, string> = {
      process: (key, ctx, els, out) => out.collect(`${key}:${els.map((e) => e.value).join('+')}:${ctx.pane.timing}#${ctx.pane.index}`),
    };
    const { ok, output } = run(
      scenario('flink-count', (env, s) => {
        env
          .fromScript('script', elements)
          .keyBy((r: { key: string }) => r.key)
          .window(globalWindows())
          .trigger(PurgingTrigger.of(CountTrigger.of(2)))
          .process(describePane)
          .sinkTo({ topic: 'output', partitions: s.parallelism });
      }),
    );
    expect(ok).toBe(true);
    // The third element never completes a pair, so it never fires.
    expect(output).toEqual(['k:1+2:EARLY#0']);
  });
});

describe('the test harnesses from the public API', () => {
  type Pair = { key: string; value: number };
  const sumPerKey = (input: DataStream<Pair>) => input.keyBy((t) => t.key).window(tumbling(3_000)).reduce((a, b) => ({ key: a.key, value: a.value + b.value }));
  const shown = (events: SinkEvent<WindowResult<Pair>>[]) => events.map((e) => (e.kind === 'record' ? `${e.value.key}=${e.value.value.value}@${e.ts}` : `wm ${e.watermark}`));

  it("OperatorTestHarness: Flink's testTumblingEventTimeWindows, across a snapshot and a restore", () => {
    const h = OperatorTestHarness.of(sumPerKey);
    h.processElement({ key: 'key2', value: 1 }, 3_999).processElement({ key: 'key2', value: 1 }, 3_000);
    h.processElement({ key: 'key1', value: 1 }, 20).processElement({ key: 'key1', value: 1 }, 0).processElement({ key: 'key1', value: 1 }, 999);
    h.processElement({ key: 'key2', value: 1 }, 1_998).processElement({ key: 'key2', value: 1 }, 1_999).processElement({ key: 'key2', value: 1 }, 1_000);
    h.processWatermark(999).processWatermark(1_999).processWatermark(2_999);
    expect(shown(h.events())).toEqual(['wm 999', 'wm 1999', 'key1=3@2999', 'key2=3@2999', 'wm 2999']);
    // key2's window [3000, 6000) is pending: its timer at 5999 and its state survive the snapshot.
    expect(h.timers().eventTime.map((t) => [t.key, t.namespace, t.time])).toEqual([['key2', '3000:6000', 5_999]]);
    const restored = OperatorTestHarness.of(sumPerKey, { restoreFrom: h.snapshot() });
    restored.processWatermark(3_999).processWatermark(4_999).processWatermark(5_999).processWatermark(6_999);
    expect(shown(restored.events())).toEqual(['wm 3999', 'wm 4999', 'key2=2@5999', 'wm 5999', 'wm 6999']);
    expect(restored.numKeyedStateEntries()).toBe(0);
  });

  it('PipelineTestHarness: two input subtasks, one stalled until marked idle; results say when they came', () => {
    const h = PipelineTestHarness.of((_env, io) => {
      const scores = io.input<InputRecord>('scores', { subtasks: 2 });
      io.sink('sums', scores.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(500).aggregate(sumAggregate, 'sums'));
    });
    h.input<InputRecord>('scores', 0).add({ id: 0, key: 'red', value: 3, ts: 100 }).watermark(1_200);
    h.input<InputRecord>('scores', 1).add({ id: 1, key: 'red', value: 4, ts: 900 });
    h.advanceProcessingTime(1_000);
    // Subtask 1's watermark does not advance: the window waits.
    expect(h.results('sums')).toEqual([]);
    expect(h.state('sums').map((e) => [e.key, e.namespace])).toEqual([['red', '0:1000']]);
    h.input('scores', 1).idle();
    expect(h.results<WindowResult>('sums').map((r) => [r.value.value, r.ts, r.at, r.watermark === MIN_WATERMARK])).toEqual([[7, 999, 1_000, true]]);
    expect(h.watermarks('sums')).toEqual([1_200]);
    // Within the allowed lateness: a late firing, with everything the window holds.
    h.input<InputRecord>('scores', 0).add({ id: 2, key: 'red', value: 5, ts: 950 });
    expect(h.values<WindowResult>('sums').map((r) => [r.value, r.firing, r.ids])).toEqual([[7, 0, [0, 1]], [12, 1, [0, 1, 2]]]);
    h.runToEnd();
    expect(h.isFinished).toBe(true);
  });
});

describe('panes, subtasks and timestamp-less records from the public API', () => {
  type Score = { key: string; value: number };
  const sum = (a: Score, b: Score): Score => ({ key: a.key, value: a.value + b.value });

  it("PAssert's pane selectors, with the final pane of a closing behaviour", () => {
    const closing: ClosingBehavior = 'FIRE_ALWAYS';
    const h = OperatorTestHarness.of((input: DataStream<Score>) =>
      input.keyBy((s) => s.key).window(tumbling(5_000)).allowedLateness(5_000, closing)
        .trigger(AfterWatermark.pastEndOfWindow().withEarlyFirings(2_000).withLateFirings()).reduce(sum),
    );
    h.processElement({ key: 'k', value: 1 }, 0).processElement({ key: 'k', value: 2 }, 0).setProcessingTime(2_000);
    h.processElement({ key: 'k', value: 3 }, 0).processWatermark(6_000);
    h.processElement({ key: 'k', value: 4 }, 0).processWatermark(20_000);
    const w = { start: 0, end: 5_000 };
    const panes = h.panes<Score>().map((r) => r.value.value);
    panes.inEarlyPanes(w).containsInAnyOrder(3);
    panes.inOnTimePane(w).containsInAnyOrder(6);
    panes.inLatePanes(w).containsExactly(10, 10);
    panes.inFinalPane(w).containsInAnyOrder(10);
    panes.inCombinedNonLatePanes(w).containsInAnyOrder(3, 6);
    expect(() => panes.inFinalPane(w).containsInAnyOrder(6)).toThrow(PaneAssertionError);
    // The same assertions over any list of window results.
    PaneAssert.that(h.values().map((r) => ({ ...r, value: r.value.value }))).inOnTimePane(w).containsInAnyOrder(6);
    const last = h.values().at(-1)!.pane!;
    expect(last).toEqual({ timing: 'LATE', index: 3, isFirst: false, isLast: true });
  });

  it('the default window path labels its panes: ON_TIME at the watermark, LATE per late element, numbered across a restore', () => {
    const build = (input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(1_000).aggregate(sumAggregate);
    const h = OperatorTestHarness.of(build);
    h.processElement({ id: 0, key: 'k', value: 1, ts: 100 }).processWatermark(999).processElement({ id: 1, key: 'k', value: 2, ts: 200 });
    const restored = OperatorTestHarness.of(build, { restoreFrom: h.snapshot() });
    restored.processElement({ id: 2, key: 'k', value: 4, ts: 300 }).processWatermark(5_000);
    const w = { start: 0, end: 1_000 };
    h.panes<number>().inOnTimePane(w).containsExactly(1);
    h.panes<number>().inLatePanes(w).containsExactly(3);
    restored.panes<number>().inLatePanes(w).containsExactly(7);
    const panes: PaneInfo[] = [...h.values(), ...restored.values()].map((r) => r.pane!);
    expect(panes).toEqual([
      { timing: 'ON_TIME', index: 0, isFirst: true, isLast: false },
      { timing: 'LATE', index: 1, isFirst: false, isLast: false },
      { timing: 'LATE', index: 2, isFirst: false, isLast: false },
    ]);
    // With no allowed lateness the on-time pane is the window's only one.
    const once = OperatorTestHarness.of((input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
    once.processElement({ id: 0, key: 'k', value: 5, ts: 100 }).processWatermark(999);
    once.panes<number>().inOnlyPane(w).containsExactly(5);
  });

  it("Beam's finished triggers and on-time behaviour: an empty ON_TIME pane, then the closed window drops a late element", () => {
    const build = (onTime: OnTimeBehavior) => (input: DataStream<InputRecord>) =>
      input.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(1_000).onTimeBehavior(onTime)
        .trigger(AfterWatermark.pastEndOfWindow().withEarlyFirings(100).discardingFiredPanes()).aggregate(sumAggregate);
    const w = { start: 0, end: 1_000 };
    const play = (h: OperatorTestHarness<InputRecord, WindowResult<number>>) =>
      h.processElement({ id: 0, key: 'k', value: 1, ts: 100 }).setProcessingTime(100).processWatermark(999).processElement({ id: 1, key: 'k', value: 2, ts: 200 });
    const always = play(OperatorTestHarness.of(build('FIRE_ALWAYS')));
    always.panes<number>().inEarlyPanes(w).containsExactly(1);
    always.panes<number>().inOnTimePane(w).containsExactly(0);
    always.panes<number>().inFinalPane(w).containsExactly(0);
    expect(always.droppedDueToClosedWindow()).toBe(1);
    const ifNonEmpty = play(OperatorTestHarness.of(build('FIRE_IF_NON_EMPTY')));
    ifNonEmpty.panes<number>().inOnTimePane(w).empty();
    expect(ifNonEmpty.values()).toHaveLength(1);
    // AfterPane.elementCountAtLeast(2), not repeated: one pane, then the third element is dropped.
    const once = OperatorTestHarness.of((input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(globalWindows()).trigger(AfterPane.elementCountAtLeast(2)).aggregate(sumAggregate));
    [1, 2, 4].forEach((value, id) => once.processElement({ id, key: 'k', value, ts: 100 }));
    expect(once.values().map((r) => [r.value, r.pane!.isLast])).toEqual([[3, true]]);
    expect(once.lateRecordsDropped()).toBe(1);
  });

  it('the operator harness as subtask 1 of 2 owns the keys subtask 1 of a real job owns', () => {
    const build = (input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate);
    const h = OperatorTestHarness.of(build, { parallelism: 2, subtaskIndex: 1 });
    const keys = ['red', 'blue', 'green', 'gold', 'teal'];
    const mine = keys.filter((k) => h.ownsKey(k));
    expect(mine).toEqual(keys.filter((k) => subtaskForKey(k, 2) === 1));
    expect(mine.length).toBeGreaterThan(0);
    mine.forEach((key, id) => h.processElement({ id, key, value: 1, ts: 100 }));
    const other = keys.find((k) => !h.ownsKey(k))!;
    expect(() => h.processElement({ id: 9, key: other, value: 1, ts: 100 })).toThrow(HarnessError);
    h.processWatermark(999);
    expect(h.values().map((r) => r.key).sort()).toEqual([...mine].sort());
  });

  it('a snapshot restored into another parallelism: each subtask keeps the keys of its key groups', () => {
    const build = (input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate);
    const keys = ['red', 'blue', 'green', 'gold', 'teal'];
    const one = OperatorTestHarness.of(build);
    keys.forEach((key, id) => one.processElement({ id, key, value: id + 1, ts: 100 }));
    const halves = [0, 1].map((i) => OperatorTestHarness.of(build, { parallelism: 2, subtaskIndex: i, restoreFrom: one.snapshot() }));
    // And back: the two subtasks' snapshots, repackaged, into parallelism 1, hold every key's window.
    const back = OperatorTestHarness.of(build, { restoreFrom: OperatorTestHarness.repackageState(...halves.map((h) => h.snapshot())) });
    expect(back.state().map((e) => e.key).sort()).toEqual([...keys].sort());
    halves.forEach((h) => h.processWatermark(999));
    halves.forEach((h, i) => expect(h.values().every((r) => subtaskForKey(r.key, 2) === i)).toBe(true));
    expect(halves.flatMap((h) => h.values()).map((r) => `${r.key}=${r.value}`).sort()).toEqual(keys.map((k, i) => `${k}=${i + 1}`).sort());
  });

  it('a record without a timestamp: refused by an event-time window, taken by a processing-time one', () => {
    const rec: InputRecord = { id: 0, key: 'k', value: 2, ts: NO_TIMESTAMP };
    const eventTime = OperatorTestHarness.of((input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
    expect(() => eventTime.processElement(rec)).toThrow(/no timestamp .* processing time .* event timestamps and watermarks/);
    const processingTime = OperatorTestHarness.of((input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(tumblingProcessingTime(1_000)).aggregate(sumAggregate));
    processingTime.processElement(rec).setProcessingTime(999);
    expect(processingTime.values().map((r) => [r.value, r.start, r.end])).toEqual([[2, 0, 1_000]]);
  });
});

describe('sink helpers, window result types and trace events in a simulated run', () => {
  const elements = script()
    .add({ id: 0, key: 'k', value: 1, ts: 100 }, { id: 1, key: 'k', value: 2, ts: 1_500 })
    .advanceWatermarkTo(2_999)
    .add({ id: 2, key: 'k', value: 9, ts: 200 })
    .advanceWatermarkToInfinity();
  const scenario = (name: string, lateSideOutput: boolean): Scenario => ({
    name,
    summary: name,
    defaults: { events: 3, parallelism: 1, partitions: 1, keys: 1 },
    workload: () => ({ records: scriptRecords(elements), arrivals: [], canBeLate: true, idlePartitions: [], activeArrivalGapMsMax: 0 }),
    engines: {
      flink: {
        build(env, s) {
          const windowed = env.fromScript('script', elements).keyBy((r) => r.key).window(tumbling(1_000));
          if (lateSideOutput) sinkWindowResults(windowed.sideOutputLateData('late').aggregate(sumAggregate), s.parallelism);
          else windowed.aggregate(sumAggregate).sinkTo({ topic: TOPICS.output, partitions: s.parallelism });
        },
      },
    },
  });
  const run = (lateSideOutput: boolean) => {
    let output: OutputRecord[] = [];
    const late: RecordLateEvent[] = [];
    const onEvent = (e: TraceEvent): void => {
      if (isEventOf(e, 'record.late')) late.push(e);
    };
    const report = runScenario(
      { scenario: 'late', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] },
      { scenario: scenario('late', lateSideOutput), onOutput: (o) => (output = o), subscribers: [onEvent] },
    );
    return { report, output, late };
  };

  it('the late side output carries the whole record; record.late says it was not dropped', () => {
    const { report, output, late } = run(true);
    expect(report.ok).toBe(true);
    const lateRecords = output.filter((o): o is LateRecord => o.type === 'late');
    expect(lateRecords.map((l) => [l.id, l.watermark, l.record])).toEqual([[2, 2_999, { id: 2, key: 'k', value: 9, ts: 200 }]]);
    expect(output.filter((o): o is WindowResult => o.type === 'window').map((w) => [w.start, w.value])).toEqual([[0, 1], [1_000, 2]]);
    expect(late.map((e) => [e.id, e.wm, e.dropped])).toEqual([[2, 2_999, undefined]]);
    expect(report.output.lateDropped).toBe(0);
  });

  it('without a late side output the record is dropped, traced with dropped: true and counted in the report', () => {
    const { report, late } = run(false);
    expect(late.map((e) => [e.id, e.dropped])).toEqual([[2, true]]);
    expect(report.output).toMatchObject({ late: 0, lateDropped: 1 });
  });

  it('a subscriber that names its kinds gets those alone, and the run hashes the same', () => {
    const settings = { scenario: 'late', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] } as const;
    const kinds: string[] = [];
    const all: string[] = [];
    const named = runScenario({ ...settings, bugs: [] }, { scenario: scenario('late', false), subscribers: [subscriberFor(['record.late', 'window.fire'], (e) => kinds.push(e.kind))] });
    const every = runScenario({ ...settings, bugs: [] }, { scenario: scenario('late', false), subscribers: [(e) => all.push(e.kind)] });
    expect(new Set(kinds)).toEqual(new Set(['record.late', 'window.fire']));
    expect(kinds).toEqual(all.filter((k) => k === 'record.late' || k === 'window.fire'));
    expect(named.traceHash).toBe(every.traceHash);
  });
});

describe('typed records', () => {
  interface Click {
    user: string;
    page: string;
    ts: number;
  }
  const pages: WindowAggregateFunction<Click, string[], string> = {
    createAccumulator: () => [],
    add: (c, acc) => [...acc, c.page],
    merge: (a, b) => [...a, ...b],
    getResult: (acc) => [...acc].sort().join(','),
  };

  it('a pipeline of values that are not numbers type-checks and runs', () => {
    const h = PipelineTestHarness.of((_env, io) => {
      const visits = io.input<Click>('clicks').keyBy((c) => c.user).window(session(1_000)).aggregate(pages);
      io.sink('lines', visits.map((r: WindowResult<string>) => `${r.key} [${r.start}, ${r.end}): ${r.value}`));
    });
    h.input<Click>('clicks').addAll([{ user: 'ann', page: '/b', ts: 0 }, { user: 'bob', page: '/a', ts: 100 }, { user: 'ann', page: '/a', ts: 700 }]);
    h.runToEnd();
    expect(h.values<string>('lines').sort()).toEqual(['ann [0, 1700): /a,/b', 'bob [100, 1100): /a']);
  });

  it('a script of string values plays into a typed pipeline', () => {
    const words = script<string>().add({ key: 'a', value: 'to', ts: 100 }, { key: 'a', value: 'be', ts: 200 }, { key: 'b', value: 'or', ts: 1_300 }).advanceWatermarkToInfinity();
    const lengths: WindowAggregateFunction<{ value: string }, number, number> = {
      createAccumulator: () => 0,
      add: (w, n) => n + w.value.length,
      merge: (a, b) => a + b,
      getResult: (n) => n,
    };
    const h = PipelineTestHarness.of((env, io) => {
      io.sink('letters', env.fromScript('words', words).keyBy((w) => w.key).window(tumbling(1_000)).aggregate(lengths));
    });
    h.runToEnd();
    expect(h.values<WindowResult>('letters').map((r) => [r.key, r.start, r.value, r.ids])).toEqual([['a', 0, 4, [0, 1]], ['b', 1_000, 2, [2]]]);
  });

  it('the type checker refuses a mismatch', () => {
    // Never run: the lines below are here for `tsc` (npm run typecheck), which must see each error.
    const mismatches = (clicks: DataStream<Click>): void => {
      // @ts-expect-error a sum needs records with a numeric value, and a click has none
      clicks.keyBy((c) => c.user).window(tumbling(1_000)).aggregate(sumAggregate);
      // @ts-expect-error the key selector takes a click, not a number
      clicks.keyBy((n: number) => String(n));
      // @ts-expect-error the window's results hold strings, not numbers
      clicks.keyBy((c) => c.user).window(tumbling(1_000)).aggregate(pages).map((r: WindowResult<number>) => r.value + 1);
      // @ts-expect-error a script of strings has no default value: each record gives one
      script<string>().add({ key: 'k', ts: 1 });
    };
    expect(typeof mismatches).toBe('function');
  });
});
