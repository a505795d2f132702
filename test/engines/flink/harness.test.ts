/**
 * What this proves: the public test harnesses (`PipelineTestHarness`,
 * `OperatorTestHarness`) drive the engine's own tasks exactly and
 * deterministically: a subtask whose watermark does not advance holds the
 * window back until it is marked idle, and is realigned only once it
 * catches up when active again (SEMANTICS.md A1, the valve); idleness
 * passes through a chained operator into a union; scripted sources with
 * explicit idle marks and several subtasks give the same results in the
 * harness as in the simulated cluster; a scripted source checkpointed
 * while idle is still heard after a restore; results carry their arrival
 * time and the watermark before them; timers, keyed state, late side
 * output (the whole record) and the late-drop count are readable; and a
 * snapshot restores state and timers. The same calls give the same trace.
 *
 * How: small pipelines declared with the DataStream API, imported from the
 * package entry only, with every expected value written out by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  EventTimeTrigger, isEventOf, MIN_WATERMARK, NO_TIMESTAMP, OperatorTestHarness, PipelineTestHarness, runScenario, script, scriptRecords, sinkWindowResults, sumAggregate,
  tumbling, tumblingProcessingTime, union, type LateRecord, type OutputRecord, type Scenario, type TraceEvent, type WindowResult,
} from 'weir';

interface Rec {
  id: number;
  key: string;
  value: number;
  ts: number;
}

let nextId = 0;
const rec = (key: string, value: number, ts: number): Rec => ({ id: nextId++, key, value, ts });
const sums = (h: PipelineTestHarness, sink = 'out') => h.values<WindowResult>(sink).map((r) => [r.start, r.value]);

describe('PipelineTestHarness', () => {
  const windowOverTwoSubtasks = (): PipelineTestHarness =>
    PipelineTestHarness.of((_env, io) => {
      io.sink('out', io.input<Rec>('in', { subtasks: 2 }).keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
    });

  it('a subtask whose watermark does not advance holds the window back until it is marked idle', () => {
    const h = windowOverTwoSubtasks();
    h.input<Rec>('in', 0).add(rec('k', 1, 100)).watermark(1_500);
    h.input<Rec>('in', 1).add(rec('k', 2, 200));
    // Subtask 1 has no watermark yet: the combined one is still the minimum, nothing fires.
    expect(sums(h)).toEqual([]);
    expect(h.watermarks('out')).toEqual([]);
    expect(h.timers('window').eventTime).toEqual([{ key: 'k', namespace: '0:1000', time: 999, operator: 'window', subtask: 0 }]);
    // The same watermark again changes nothing.
    h.input<Rec>('in', 0).watermark(1_500);
    expect(h.watermarks('out')).toEqual([]);

    h.input<Rec>('in', 1).idle();
    expect(sums(h)).toEqual([[0, 3]]);
    // The result came before the watermark that fired it; nothing had reached the sink before.
    expect(h.events('out').map((e) => (e.kind === 'record' ? `result@${e.watermark === MIN_WATERMARK ? 'min' : e.watermark}` : `wm ${e.watermark}`))).toEqual(['result@min', 'wm 1500']);
    expect(h.timers('window').eventTime).toEqual([]);
  });

  it('an input active again counts only once its watermark has caught up', () => {
    const h = windowOverTwoSubtasks();
    h.input<Rec>('in', 0).add(rec('k', 1, 100)).watermark(1_500);
    h.input<Rec>('in', 1).idle().active().add(rec('k', 2, 1_200)).watermark(1_400);
    // Active, but behind the combined watermark (1,500 once it was idle): not realigned, so not the minimum.
    h.input<Rec>('in', 0).watermark(2_500);
    expect(h.watermarks('out')).toEqual([1_500, 2_500]);
    expect(sums(h)).toEqual([[0, 1], [1_000, 2]]);
  });

  it('idleness passes through an operator chained to the idle input, into a union', () => {
    const h = PipelineTestHarness.of((_env, io) => {
      const quiet = io.input<Rec>('quiet').map((r) => r);
      const busy = io.input<Rec>('busy');
      io.sink('out', union(quiet, busy).keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
    });
    h.input<Rec>('quiet').add(rec('k', 1, 100)).watermark(500).idle();
    h.input<Rec>('busy').add(rec('k', 2, 300)).watermark(1_500);
    expect(sums(h)).toEqual([[0, 3]]);
  });

  it('scripted sources: explicit idle marks and two subtasks, the same results as in the simulated cluster', () => {
    const busy = script().add({ id: 0, key: 'k', value: 1, ts: 100 }).advanceWatermarkTo(1_500).advanceProcessingTime(1_000)
      .add({ id: 1, key: 'k', value: 4, ts: 1_600 }).advanceWatermarkTo(2_500).advanceWatermarkToInfinity();
    // Never advances its watermark: marked idle, it no longer holds the window back.
    const quiet = script().add({ id: 10, key: 'k', value: 2, ts: 200 }).markIdle().advanceProcessingTime(5_000).advanceWatermarkToInfinity();
    const h = PipelineTestHarness.of((env, io) => {
      io.sink('out', env.fromScripts('scores', [busy, quiet]).keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
    });
    expect(sums(h)).toEqual([[0, 3]]);
    h.setProcessingTime(1_000);
    expect(h.results<WindowResult>('out').map((r) => [r.value.start, r.value.value, r.at])).toEqual([[0, 3, 0], [1_000, 4, 1_000]]);
    h.runToEnd();
    expect(h.processingTime()).toBe(5_000);
    expect(h.isFinished).toBe(true);

    const scenario: Scenario = {
      name: 'two-scripts',
      summary: 'two scripted subtasks, one idle',
      defaults: { events: 3, parallelism: 1, partitions: 1, keys: 1 },
      window: { assigner: tumbling(1_000), aggregate: 'sum', allowedLatenessMs: 0 },
      workload: () => ({ records: [...scriptRecords(busy), ...scriptRecords(quiet)], arrivals: [], canBeLate: true, idlePartitions: [], activeArrivalGapMsMax: 0 }),
      engines: {
        flink: {
          build(env, s) {
            sinkWindowResults(env.fromScripts('scores', [busy, quiet]).keyBy((r) => r.key).window(tumbling(1_000)).sideOutputLateData('late').aggregate(sumAggregate, 'window'), s.parallelism);
          },
        },
      },
    };
    for (const seed of [1, 2, 3]) {
      let output: OutputRecord[] = [];
      const report = runScenario({ scenario: scenario.name, seed, guarantee: 'exactly-once', faults: 'none', bugs: [] }, { scenario, onOutput: (o) => (output = o) });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(output.map((o) => [(o as WindowResult).start, (o as WindowResult).value])).toEqual([[0, 3], [1_000, 4]]);
    }
  });

  it('a scripted source checkpointed while idle is heard again after a restore', () => {
    const quiet = script().markIdle().advanceProcessingTime(1_000).advanceWatermarkTo(4_000).advanceProcessingTime(10_000).advanceWatermarkToInfinity();
    const h = PipelineTestHarness.of((env, io) => {
      io.sink('out', union(env.fromScript('quiet', quiet), io.input<Rec>('busy')).keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
    });
    h.setProcessingTime(500);
    const snap = h.snapshot();
    h.restore(snap);
    // The wait in progress is waited again in full: the watermark step comes at 1,500.
    h.setProcessingTime(1_500);
    h.input<Rec>('busy').add(rec('k', 1, 4_500)).watermark(9_000);
    // The quiet source is active again at 4,000: the combined watermark is its, not the busy one's.
    expect(h.watermarks('out')).toEqual([4_000]);
    expect(sums(h)).toEqual([]);
  });

  it('a snapshot restores state and timers; what reached the sinks is kept', () => {
    const h = windowOverTwoSubtasks();
    h.input<Rec>('in', 0).add(rec('k', 1, 100));
    const snap = JSON.parse(JSON.stringify(h.snapshot()));
    h.input<Rec>('in', 0).add(rec('k', 2, 200));
    expect(h.state('window').map((e) => (e.value as { ids: number[] }).ids.length)).toEqual([2]);
    h.restore(snap);
    expect(h.state('window').map((e) => (e.value as { ids: number[] }).ids.length)).toEqual([1]);
    expect(h.timers().eventTime.map((t) => t.time)).toEqual([999]);
    h.runToEnd();
    expect(sums(h)).toEqual([[0, 1]]);
    expect(() => PipelineTestHarness.of((_env, io) => io.sink('x', io.input<Rec>('in')), { restoreFrom: snap })).toThrow(/the snapshot is of another job/);
  });

  it('two inputs into an interval join: buffered state and expiry timers, cleared once both watermarks pass', () => {
    const h = PipelineTestHarness.of((_env, io) => {
      const orders = io.input<Rec>('orders').keyBy((r) => r.key);
      const payments = io.input<Rec>('payments').keyBy((r) => r.key);
      io.sink('pairs', orders.intervalJoin(payments).between(0, 500, (o, p) => `${o.id}+${p.id}`));
    });
    h.input<Rec>('orders').add({ id: 1, key: 'k', value: 1, ts: 1_000 });
    h.input<Rec>('payments').add({ id: 2, key: 'k', value: 1, ts: 1_400 }).add({ id: 3, key: 'k', value: 1, ts: 1_600 });
    expect(h.values('pairs')).toEqual(['1+2']);
    expect(h.state('join').map((e) => [e.name, (e.value as unknown[]).length])).toEqual([['left', 1], ['right', 2]]);
    // Cleanup times as Flink's: a right record at its own ts (lower bound 0), a left one at ts + 500.
    expect(h.timers('join').eventTime.map((t) => [t.namespace, t.time])).toEqual([['right', 1_400], ['left', 1_500], ['right', 1_600]]);
    // The join's watermark is the minimum of its inputs': one input alone expires nothing.
    h.input<Rec>('orders').watermark(2_000);
    expect(h.timers('join').eventTime).toHaveLength(3);
    h.input<Rec>('payments').watermark(2_000);
    expect(h.state('join')).toEqual([]);
    expect(h.timers('join').eventTime).toEqual([]);
  });

  it('refuses what a test cannot mean', () => {
    const h = windowOverTwoSubtasks();
    expect(() => h.input('nope')).toThrow(/no input named nope \(inputs: in\)/);
    expect(() => h.input('in', 2)).toThrow(/subtasks 0…1, not 2/);
    expect(() => h.results('nope')).toThrow(/no sink named nope/);
    expect(() => h.state('nope')).toThrow(/no operator named nope/);
    h.input<Rec>('in', 0).watermark(1_000);
    expect(() => h.input<Rec>('in', 0).watermark(999)).toThrow(/cannot go back/);
    expect(() => h.input<Rec>('in', 0).add({ id: 1, key: 'k', value: 1 } as unknown as Rec)).toThrow(/give a timestamp/);
    h.setProcessingTime(10);
    expect(() => h.setProcessingTime(5)).toThrow(/cannot go back/);
    expect(() => PipelineTestHarness.of((env, io) => io.sink('out', env.fromLog('log', { topic: 'input', partitions: 1, boundMs: 0 })))).toThrow(/no log broker/);
    expect(() => PipelineTestHarness.of((_env, io) => io.sink('x', io.input('x')))).toThrow(/used twice/);
    expect(() => PipelineTestHarness.of((_env, io) => io.sink('out', io.input('in')), { bugs: ['no-such-bug'] })).toThrow(/unknown planted bug/);
  });

  it('gives the same trace for the same calls', () => {
    const run = (): TraceEvent[] => {
      const trace: TraceEvent[] = [];
      const h = PipelineTestHarness.of(
        (_env, io) => io.sink('out', io.input<Rec>('in', { subtasks: 2 }).keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate)),
        { parallelism: 2, trace: (e) => void trace.push(e) },
      );
      for (let i = 0; i < 20; i++) h.input<Rec>('in', i % 2).add({ id: i, key: `k${i % 3}`, value: i, ts: i * 100 });
      h.input<Rec>('in', 0).watermark(1_000);
      h.snapshot();
      h.runToEnd();
      return trace;
    };
    const a = run();
    expect(a.filter((e) => isEventOf(e, 'window.fire')).length).toBe(6);
    expect(run()).toEqual(a);
  });
});

describe('OperatorTestHarness', () => {
  it('a keyed process function: state, timers in both domains, snapshot and restore', () => {
    const build = (s: import('weir').DataStream<Rec>) =>
      s.keyBy((r) => r.key).process<string>({
        processElement(r, ctx) {
          const sum = ctx.state.valueState<number>('sum');
          sum.update((sum.value() ?? 0) + r.value);
          ctx.registerEventTimeTimer(r.ts + 100);
          ctx.registerProcessingTimeTimer(ctx.currentProcessingTime() + 50);
        },
        onTimer(ts, ctx) {
          ctx.collect(`${ctx.key}@${ts}=${ctx.state.valueState<number>('sum').value()}`);
        },
      });
    const h = OperatorTestHarness.of(build);
    h.processElement(rec('a', 1, 10)).processElement(rec('b', 2, 20)).processElement(rec('a', 3, 30));
    expect(h.state()).toEqual([
      { name: 'sum', key: 'a', namespace: '', value: 4, operator: 'process', subtask: 0 },
      { name: 'sum', key: 'b', namespace: '', value: 2, operator: 'process', subtask: 0 },
    ]);
    expect(h.numEventTimeTimers()).toBe(3);
    expect(h.numProcessingTimeTimers()).toBe(2);
    const snap = h.snapshot();
    h.processWatermark(110);
    expect(h.values()).toEqual(['a@110=4']);
    h.setProcessingTime(50);
    expect(h.values()).toEqual(['a@110=4', 'a@50=4', 'b@50=2']);

    const again = OperatorTestHarness.of(build, { restoreFrom: snap });
    expect(again.numEventTimeTimers()).toBe(3);
    again.setProcessingTime(60);
    expect(again.values()).toEqual(['a@50=4', 'b@50=2']);
    // Each timer fires at its own time on the way to 60.
    expect(again.output().map((o) => o.at)).toEqual([50, 50]);
  });

  it('a keyed process function: a processing-time timer earlier than the next wake-up fires at its own time, and what it emits has no timestamp', () => {
    const build = (s: import('weir').DataStream<Rec>) =>
      s.keyBy((r) => r.key).process<string>({
        processElement(r, ctx) {
          // The value is the processing time to wake at.
          ctx.registerProcessingTimeTimer(r.value);
          ctx.registerEventTimeTimer(r.ts + 5);
        },
        onTimer(ts, ctx) {
          ctx.collect(`${ctx.key}@${ts}`);
        },
      });
    const h = OperatorTestHarness.of(build);
    h.processElement(rec('a', 1_000, 1)).setProcessingTime(10).processElement(rec('b', 60, 2));
    h.setProcessingTime(1_000);
    expect(h.output().map((o) => `${o.value} at ${o.at}`)).toEqual(['b@60 at 60', 'a@1000 at 1000']);
    // KeyedProcessOperator.onProcessingTime erases the timestamp; onEventTime sets the timer's.
    expect(h.output().map((o) => o.ts)).toEqual([NO_TIMESTAMP, NO_TIMESTAMP]);
    h.processWatermark(100);
    expect(h.output().slice(2).map((o) => `${o.value} ts ${o.ts}`)).toEqual(['a@6 ts 6', 'b@7 ts 7']);
  });

  it('the late side output carries the whole record; without one, late records are dropped and counted', () => {
    const withSide = OperatorTestHarness.of((s: import('weir').DataStream<Rec>) => s.keyBy((r) => r.key).window(tumbling(1_000)).sideOutputLateData('late').aggregate(sumAggregate));
    withSide.processWatermark(2_000).processElement({ id: 7, key: 'k', value: 42, ts: 500 });
    expect(withSide.sideOutput<LateRecord<Rec>>('late').map((s) => s.value)).toEqual([
      { type: 'late', id: 7, key: 'k', ts: 500, watermark: 2_000, record: { id: 7, key: 'k', value: 42, ts: 500 } },
    ]);
    expect(withSide.lateRecordsDropped()).toBe(0);

    const trace: TraceEvent[] = [];
    const without = OperatorTestHarness.of((s: import('weir').DataStream<Rec>) => s.keyBy((r) => r.key).window(tumbling(1_000)).trigger(EventTimeTrigger.create()).aggregate(sumAggregate), {
      trace: (e) => void trace.push(e),
    });
    without.processWatermark(2_000).processElement({ id: 7, key: 'k', value: 42, ts: 500 }).processElement({ id: 8, key: 'k', value: 1, ts: 2_500 });
    expect(without.lateRecordsDropped()).toBe(1);
    expect(without.sideOutput('late')).toEqual([]);
    const late = trace.filter((e) => isEventOf(e, 'record.late'));
    expect(late.map((e) => isEventOf(e, 'record.late') && [e.id, e.wm, e.dropped])).toEqual([[7, 2_000, true]]);
  });

  it('processing-time windows fire when the test moves the clock; results say when', () => {
    const h = OperatorTestHarness.of((s: import('weir').DataStream<Rec>) => s.keyBy((r) => r.key).window(tumblingProcessingTime(1_000)).aggregate(sumAggregate));
    h.setProcessingTime(100).processElement(rec('k', 1, 0));
    h.setProcessingTime(700).processElement(rec('k', 2, 0));
    expect(h.timers().processingTime.map((t) => [t.namespace, t.time])).toEqual([['0:1000', 999]]);
    h.setProcessingTime(998);
    expect(h.values()).toEqual([]);
    h.setProcessingTime(5_000);
    expect(h.output().map((o) => [(o.value as WindowResult).value, o.ts, o.at])).toEqual([[3, 999, 999]]);
  });
});
