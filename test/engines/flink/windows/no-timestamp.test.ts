/**
 * What this proves: a record without an event timestamp (`NO_TIMESTAMP`,
 * Flink's Long.MIN_VALUE marker) is refused by every event-time window
 * assigner — tumbling, sliding, session, on the default path and with a
 * trigger — with an error that says what is wrong and the two likely
 * causes (a job meant for processing time, or timestamps never assigned),
 * as Flink's assigners do; and it is taken as it is by processing-time
 * windows and the global window, whose assignment never reads it. A time
 * evictor leaves such elements alone (Flink's TimeEvictor evicts nothing
 * from elements without timestamps); an interval join refuses them.
 *
 * How: the public harnesses, fed records with `NO_TIMESTAMP`, and a script
 * that holds such records played into a processing-time window.
 */
import { describe, expect, it } from 'vitest';
import {
  CountTrigger, EventTimeTrigger, globalWindows, HarnessError, MAX_WATERMARK, NO_TIMESTAMP, OperatorTestHarness, PipelineTestHarness, script, session, sliding, sumAggregate,
  TimeEvictor, tumbling, tumblingProcessingTime, type DataStream, type InputRecord, type WindowResult,
} from 'weir';

const rec = (id: number, value = 1): InputRecord => ({ id, key: 'k', value, ts: NO_TIMESTAMP });
const CAUSE = /no timestamp \(the no-timestamp marker, Flink's Long\.MIN_VALUE\): is the job meant to run on processing time .* never given event timestamps and watermarks\?/;

describe('records without a timestamp', () => {
  it('every event-time window assigner refuses them, on the default path and with a trigger', () => {
    for (const assigner of [tumbling(1_000), sliding(1_000, 500), session(1_000)]) {
      const plain = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(assigner).aggregate(sumAggregate));
      expect(() => plain.processElement(rec(0), NO_TIMESTAMP)).toThrow(CAUSE);
      const triggered = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(assigner).trigger(EventTimeTrigger.create()).aggregate(sumAggregate));
      expect(() => triggered.processElement(rec(0), NO_TIMESTAMP)).toThrow(CAUSE);
      // A record with a timestamp still goes through.
      triggered.processElement({ ...rec(1, 5), ts: 10 }).processWatermark(2_000);
      expect(triggered.values().map((r) => r.value)).toEqual(assigner.kind === 'sliding' ? [5, 5] : [5]);
    }
  });

  it('a processing-time window takes them and fires on the processing clock', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(tumblingProcessingTime(1_000)).aggregate(sumAggregate));
    h.processElement(rec(0, 2), NO_TIMESTAMP).setProcessingTime(400).processElement(rec(1, 3), NO_TIMESTAMP);
    h.setProcessingTime(999);
    expect(h.output().map((r) => [r.value.value, r.value.start, r.value.end, r.ts, r.value.ids])).toEqual([[5, 0, 1_000, 999, [0, 1]]]);
  });

  it('the global window takes them too', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(globalWindows()).trigger(CountTrigger.of(2)).aggregate(sumAggregate));
    h.processElement(rec(0, 2), NO_TIMESTAMP).processElement(rec(1, 3), NO_TIMESTAMP);
    expect(h.output().map((r) => [r.value.value, r.ts])).toEqual([[5, MAX_WATERMARK]]);
  });

  it('a time evictor evicts nothing from elements without timestamps', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(tumblingProcessingTime(1_000)).evictor(TimeEvictor.of(1)).aggregate(sumAggregate));
    h.processElement(rec(0, 2), NO_TIMESTAMP).processElement(rec(1, 3), NO_TIMESTAMP).processElement(rec(2, 4), NO_TIMESTAMP).setProcessingTime(999);
    expect(h.values().map((r) => r.value)).toEqual([9]);
    // With timestamps, the same evictor keeps only the newest millisecond.
    const t = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(tumblingProcessingTime(1_000)).evictor(TimeEvictor.of(1)).aggregate(sumAggregate));
    t.processElement({ ...rec(0, 2), ts: 10 }).processElement({ ...rec(1, 3), ts: 20 }).processElement({ ...rec(2, 4), ts: 20 }).setProcessingTime(999);
    expect(t.values().map((r) => r.value)).toEqual([7]);
  });

  it('an interval join refuses them', () => {
    const h = PipelineTestHarness.of((_env, io) => {
      const left = io.input<InputRecord>('left').keyBy((r) => r.key);
      const right = io.input<InputRecord>('right').keyBy((r) => r.key);
      io.sink('pairs', left.intervalJoin(right).between(-10, 10, (l, r) => [l.id, r.id]));
    });
    expect(() => h.input<InputRecord>('left').add(rec(0), NO_TIMESTAMP)).toThrow(/interval join with no timestamp/);
  });

  it('a script may hold them; a processing-time window downstream takes them', () => {
    const s = script().add({ key: 'k', value: 2, ts: NO_TIMESTAMP }).advanceProcessingTime(300).add({ key: 'k', value: 5, ts: NO_TIMESTAMP }).advanceProcessingTime(1_000).advanceWatermarkToInfinity();
    const h = PipelineTestHarness.of((env, io) => io.sink('sums', env.fromScript('s', s).keyBy((r) => r.key).window(tumblingProcessingTime(1_000)).aggregate(sumAggregate)));
    h.runToEnd();
    expect(h.results<WindowResult>('sums').map((r) => [r.value.value, r.at])).toEqual([[7, 999]]);
  });

  it('the harness still refuses a timestamp below the marker, and asks for one when none is given', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(tumblingProcessingTime(1_000)).aggregate(sumAggregate));
    expect(() => h.processElement(rec(0), NO_TIMESTAMP - 1)).toThrow(HarnessError);
    expect(() => h.processElement({ id: 1, key: 'k', value: 1 } as unknown as InputRecord)).toThrow(/or NO_TIMESTAMP for a record without one/);
  });
});

describe('assignTimestampsAndWatermarks', () => {
  type Reading = { id: number; key: string; value: number; at: number };
  const build = (_env: unknown, io: { input<T>(n: string): DataStream<T>; sink<T>(n: string, s: DataStream<T>): void }) =>
    io.sink(
      'sums',
      io.input<Reading>('readings').assignTimestampsAndWatermarks({ timestamp: (r) => r.at, boundMs: 100 }).keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate),
    );

  it('stamps records that had no timestamp; its periodic watermarks fire the event-time windows', () => {
    const h = PipelineTestHarness.of(build);
    const input = h.input<Reading>('readings');
    input.add({ id: 0, key: 'k', value: 2, at: 300 }, NO_TIMESTAMP).add({ id: 1, key: 'k', value: 3, at: 1_050 }, NO_TIMESTAMP);
    // An upstream watermark is replaced by the generated ones: nothing fires.
    input.watermark(5_000);
    expect(h.values('sums')).toEqual([]);
    // Every 200 ms of processing time: maxTs - bound - 1 = 949, short of 999.
    h.setProcessingTime(200);
    expect(h.watermarks('sums')).toEqual([949]);
    input.add({ id: 2, key: 'k', value: 4, at: 1_100 }, NO_TIMESTAMP);
    h.setProcessingTime(399);
    expect(h.values('sums')).toEqual([]);
    h.setProcessingTime(400);
    expect(h.results<WindowResult>('sums').map((r) => [r.value.value, r.value.start, r.ts, r.at])).toEqual([[2, 0, 999, 400]]);
    expect(h.watermarks('sums')).toEqual([949, 999]);
    // The final watermark passes through.
    h.runToEnd();
    expect(h.values<WindowResult>('sums').map((r) => [r.start, r.value])).toEqual([[0, 2], [1_000, 7]]);
  });

  it('refuses a timestamp function that gives no timestamp', () => {
    const h = PipelineTestHarness.of((_env, io) => io.sink('out', io.input<Reading>('in').assignTimestampsAndWatermarks({ timestamp: () => NO_TIMESTAMP })));
    expect(() => h.input<Reading>('in').add({ id: 0, key: 'k', value: 1, at: 1 }, 5)).toThrow(/strictly between the watermark bounds/);
  });
});
