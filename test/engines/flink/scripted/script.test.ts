/**
 * What this proves: the script builder produces the steps it is told, in
 * order, with ids assigned and values defaulted as documented; every
 * invariant of a script (monotone watermarks below the final one, positive
 * waits, timestamps inside the watermark bounds, unique ids) is refused
 * with an error naming the step, by the builder and by `validateScript` for
 * hand-written scripts alike; and `fromScript` always makes a one-subtask
 * source node, which the operator insists on.
 *
 * How: direct calls, with the thrown messages matched.
 */
import { describe, expect, it } from 'vitest';
import { script, scriptRecords, validateScript, ScriptError, type Script } from '../../../../src/engines/flink/script.ts';
import { StreamEnvironment } from '../../../../src/engines/flink/api/environment.ts';
import { ScriptedSourceOperator } from '../../../../src/engines/flink/operators/scripted-source.ts';
import type { OperatorContext, Output } from '../../../../src/engines/flink/operators/operator.ts';
import { MAX_WATERMARK, MIN_WATERMARK, NO_TIMESTAMP } from '../../../../src/stream/watermark.ts';

describe('script builder', () => {
  it('records steps in order, assigns ids above every id so far, and defaults value to 1', () => {
    const s = script()
      .add({ key: 'a', ts: 5 }, { key: 'b', ts: 6, value: 7 })
      .advanceWatermarkTo(4)
      .advanceProcessingTime(100)
      .add({ id: 10, key: 'a', ts: 3 }, { key: 'a', ts: 2 })
      .advanceWatermarkTo(4)
      .advanceWatermarkToInfinity();
    expect(s.steps).toEqual([
      { records: [{ id: 0, key: 'a', ts: 5, value: 1 }, { id: 1, key: 'b', ts: 6, value: 7 }] },
      { watermark: 4 },
      { advanceProcessingTime: 100 },
      { records: [{ id: 10, key: 'a', ts: 3, value: 1 }, { id: 11, key: 'a', ts: 2, value: 1 }] },
      { watermark: 4 },
    ]);
    expect(scriptRecords(s).map((r) => r.id)).toEqual([0, 1, 10, 11]);
    expect(() => validateScript(s)).not.toThrow();
  });

  it('refuses a watermark that goes back, the final watermark, and non-integers', () => {
    expect(() => script().advanceWatermarkTo(10).advanceWatermarkTo(9)).toThrow(/must not go back \(from 10 to 9\)/);
    expect(() => script().advanceWatermarkTo(MAX_WATERMARK)).toThrow(/below the final watermark/);
    expect(() => script().advanceWatermarkTo(1.5)).toThrow(ScriptError);
  });

  it('refuses a processing-time advance that is not a positive integer', () => {
    expect(() => script().advanceProcessingTime(0)).toThrow(/positive integer, got 0/);
    expect(() => script().advanceProcessingTime(-5)).toThrow(ScriptError);
  });

  it('refuses duplicate ids and timestamps at the watermark bounds (the lower bound is the no-timestamp marker)', () => {
    expect(() => script().add({ id: 3, key: 'a', ts: 1 }, { id: 3, key: 'a', ts: 2 })).toThrow(/id 3 is used twice/);
    expect(() => script().add({ key: 'a', ts: MIN_WATERMARK - 1 })).toThrow(/strictly between/);
    expect(scriptRecords(script().add({ key: 'a', ts: MIN_WATERMARK }).advanceWatermarkToInfinity()).map((r) => r.ts)).toEqual([NO_TIMESTAMP]);
    expect(() => script().add({ key: 'a', ts: MAX_WATERMARK })).toThrow(/strictly between/);
  });

  it('validates hand-written scripts and names the offending step', () => {
    const bad: Script = { steps: [{ watermark: 5 }, { records: [{ id: 0, key: 'a', ts: 1, value: 1 }] }, { watermark: 4 }] };
    expect(() => validateScript(bad)).toThrow(/script step 2: watermark must not go back/);
    const unknown = { steps: [{ sleep: 5 }] } as unknown as Script;
    expect(() => validateScript(unknown)).toThrow(/script step 0: unknown step/);
  });
});

describe('scripted source node', () => {
  it('fromScript makes a one-subtask source whatever the environment parallelism, and validates the script', () => {
    const env = new StreamEnvironment({ parallelism: 4 });
    const stream = env.fromScript('s', script().add({ key: 'a', ts: 1 }).advanceWatermarkToInfinity());
    expect(stream.node.parallelism).toBe(1);
    expect(stream.node.isSource).toBe(true);
    const bad: Script = { steps: [{ advanceProcessingTime: 0 }] };
    expect(() => env.fromScript('t', bad)).toThrow(/script step 0/);
  });

  it('the operator runs as exactly as many subtasks as it has scripts', () => {
    const op = new ScriptedSourceOperator(script().advanceWatermarkToInfinity());
    expect(() => op.open({ parallelism: 2 } as OperatorContext, {} as Output)).toThrow(/1 script\(s\) runs as 1 subtask\(s\), not 2/);
    const two = new ScriptedSourceOperator([script().advanceWatermarkToInfinity(), script().advanceWatermarkToInfinity()]);
    expect(() => two.open({ parallelism: 1, subtask: 0 } as OperatorContext, {} as Output)).toThrow(/2 script\(s\) runs as 2 subtask\(s\), not 1/);
    expect(() => two.open({ parallelism: 2, subtask: 1 } as OperatorContext, {} as Output)).not.toThrow();
  });

  it('fromScripts makes one subtask per script', () => {
    const env = new StreamEnvironment({ parallelism: 4 });
    const s = script().add({ key: 'a', ts: 1 }).advanceWatermarkToInfinity();
    expect(env.fromScripts('s', [s, s, s]).node.parallelism).toBe(3);
    expect(() => env.fromScripts('t', [])).toThrow(/at least one script/);
    expect(() => env.fromScripts('u', [s, { steps: [{ advanceProcessingTime: 0 }] }])).toThrow(/script step 0/);
  });

  it('a value is an integer or another JSON-able value', () => {
    const rec = (value: unknown): Script<unknown> => ({ steps: [{ records: [{ id: 0, key: 'k', ts: 1, value }] }] });
    for (const ok of [3, 'word', true, null, [1, 'x'], { n: 1, tags: ['a'] }]) expect(() => validateScript(rec(ok)), JSON.stringify(ok)).not.toThrow();
    for (const bad of [1.5, Number.NaN, undefined, () => 1, new Map(), { inner: 0.5 }]) expect(() => validateScript(rec(bad)), String(bad)).toThrow(/value must be an integer or another JSON-able value/);
    expect(script<string>().add({ key: 'k', ts: 1, value: 'hi' }).advanceWatermarkToInfinity().steps).toEqual([{ records: [{ id: 0, key: 'k', ts: 1, value: 'hi' }] }]);
  });

  it('idle marks are steps of their own, validated', () => {
    const s = script().markIdle().advanceProcessingTime(10).markActive().advanceWatermarkToInfinity();
    expect(s.steps).toEqual([{ idle: true }, { advanceProcessingTime: 10 }, { idle: false }]);
    expect(() => validateScript({ steps: [{ idle: 'yes' as unknown as boolean }] })).toThrow(/script step 0: idle must be true or false/);
  });
});
