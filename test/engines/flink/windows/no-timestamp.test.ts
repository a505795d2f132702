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
