/**
 * A script for the scripted source (Beam's TestStream, Flink's operator test
 * harnesses): an explicit list of steps that a pipeline is driven through,
 * so that an exact published example can be replayed and its output
 * asserted.
 *
 * Steps, run in order by `ScriptedSourceOperator`:
 * - `{ records }`: emit these input records, in order, with their own `ts`;
 * - `{ watermark }`: advance the source's watermark to this value (the
 *   source task's watermark; a watermark W means "no more records with
 *   timestamp <= W", Flink's meaning, see `time/watermark.ts`);
 * - `{ advanceProcessingTime }`: wait this many ms of virtual processing
 *   time before the next step (processing-time timers and idleness happen
 *   in the gap);
 * - `{ idle }`: mark the source's output idle (`true`: downstream leaves it
 *   out of its watermark until it is active again) or active (`false`). A
 *   records or watermark step marks an idle source active again first.
 * After the last step the source ends: the task emits the final watermark
 * and end of input. Records may be behind the current watermark — that is
 * the point: a script says exactly which records are late.
 *
 * Invariants (checked by `validateScript`, and step by step by the
 * builder): watermarks are non-decreasing safe integers below
 * MAX_WATERMARK; processing-time advances are positive safe integers;
 * record timestamps are safe integers strictly between the watermark
 * bounds, or NO_TIMESTAMP for a record without one (only processing-time
 * windows and the global window take those); record ids are unique non-negative integers; a record's value is
 * a safe integer or another JSON-able value (a string, an array, an
 * object: `script<V>()` types it). A script is plain data (JSON-able).
 */
import type { InputRecord } from '../../stream/records.ts';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../stream/watermark.ts';

/** A record a script emits: an input record whose value is of type `V` (a number by default, then exactly an `InputRecord`). */
export type ScriptedRecord<V = number> = Omit<InputRecord, 'value'> & { value: V };

export type ScriptStep<V = number> =
  | { readonly records: readonly ScriptedRecord<V>[] }
  | { readonly watermark: number }
  | { readonly advanceProcessingTime: number }
  | { readonly idle: boolean };

export interface Script<V = number> {
  readonly steps: readonly ScriptStep<V>[];
}

/**
 * A record for the builder: `id` is assigned when absent; a number `value`
 * defaults to 1 (one occurrence), a value of another type must be given.
 */
export type ScriptRecord<V = number> = Omit<InputRecord, 'id' | 'value'> & { id?: number } & ([V] extends [number] ? { value?: V } : { value: V });

export class ScriptError extends Error {}

/** Builds a script step by step, with Beam TestStream.Builder's method names. */
export class ScriptBuilder<V = number> {
  private readonly steps: ScriptStep<V>[] = [];
  private watermark = MIN_WATERMARK;
  private readonly ids = new Set<number>();
  private nextId = 0;

  /** Emits these records, in order. A record without an id gets one above every id so far. */
  add(...records: ScriptRecord<V>[]): this {
    const out: ScriptedRecord<V>[] = records.map((r) => {
      const id = r.id ?? this.nextId;
      const rec = { ...r, id, value: r.value === undefined ? 1 : r.value } as ScriptedRecord<V>;
      checkRecord(rec, this.ids);
      this.nextId = Math.max(this.nextId, id + 1);
      return rec;
    });
    if (out.length > 0) this.steps.push({ records: out });
    return this;
  }

  /** Advances the source's watermark to `wm` (non-decreasing; a repeat is a no-op step). */
  advanceWatermarkTo(wm: number): this {
    checkWatermark(wm, this.watermark);
    this.watermark = wm;
    this.steps.push({ watermark: wm });
    return this;
  }

  /** Waits `ms` of virtual processing time before the next step. */
  advanceProcessingTime(ms: number): this {
    checkWait(ms);
    this.steps.push({ advanceProcessingTime: ms });
    return this;
  }

  /** Marks the source idle: downstream tasks leave it out of their watermark until it is active again. */
  markIdle(): this {
    this.steps.push({ idle: true });
    return this;
  }

  /** Marks the source active again (a records or watermark step does so too). */
  markActive(): this {
    this.steps.push({ idle: false });
    return this;
  }

  /** Ends the script: after the last step the source emits the final watermark and ends its input. */
  advanceWatermarkToInfinity(): Script<V> {
    return { steps: this.steps.slice() };
  }
}

/**
 * Starts a script: `script().add(...).advanceWatermarkTo(n).advanceProcessingTime(ms).advanceWatermarkToInfinity()`.
 * `script<V>()` makes one whose records' values are of type `V`.
 */
export function script<V = number>(): ScriptBuilder<V> {
  return new ScriptBuilder<V>();
}

/** Throws a `ScriptError` naming the first step that breaks an invariant of the module comment. */
export function validateScript(s: Script<unknown>): void {
  let wm = MIN_WATERMARK;
  const ids = new Set<number>();
  s.steps.forEach((step, i) => {
    try {
      if ('records' in step) for (const r of step.records) checkRecord(r, ids);
      else if ('watermark' in step) {
        checkWatermark(step.watermark, wm);
        wm = step.watermark;
      } else if ('advanceProcessingTime' in step) checkWait(step.advanceProcessingTime);
      else if ('idle' in step) {
        if (typeof step.idle !== 'boolean') throw new ScriptError(`idle must be true or false, got ${String(step.idle)}`);
      }
      else throw new ScriptError(`unknown step ${JSON.stringify(step)}`);
    } catch (e) {
      throw new ScriptError(`script step ${i}: ${(e as Error).message}`);
    }
  });
}

/** Every record of the script, in the order the source emits them. */
export function scriptRecords<V = number>(s: Script<V>): ScriptedRecord<V>[] {
  const out: ScriptedRecord<V>[] = [];
  for (const step of s.steps) if ('records' in step) out.push(...step.records);
  return out;
}

function checkRecord(r: ScriptedRecord<unknown>, ids: Set<number>): void {
  if (!Number.isSafeInteger(r.id) || r.id < 0) throw new ScriptError(`record id must be a non-negative integer, got ${r.id}`);
  if (ids.has(r.id)) throw new ScriptError(`record id ${r.id} is used twice`);
  // NO_TIMESTAMP (the lower bound itself) is a record without a timestamp.
  if (!Number.isSafeInteger(r.ts) || r.ts < MIN_WATERMARK || r.ts >= MAX_WATERMARK) {
    throw new ScriptError(`record ${r.id}: timestamp must be a safe integer strictly between the watermark bounds (or NO_TIMESTAMP for none), got ${r.ts}`);
  }
  if (typeof r.key !== 'string') throw new ScriptError(`record ${r.id}: key must be a string`);
  if (!jsonValue(r.value)) throw new ScriptError(`record ${r.id}: value must be an integer or another JSON-able value, got ${String(r.value)}`);
  ids.add(r.id);
}

function checkWatermark(wm: number, previous: number): void {
  if (!Number.isSafeInteger(wm) || wm >= MAX_WATERMARK) {
    throw new ScriptError(`watermark must be a safe integer below the final watermark, got ${wm} (end the script to reach it)`);
  }
  if (wm < previous) throw new ScriptError(`watermark must not go back (from ${previous} to ${wm})`);
}

function checkWait(ms: number): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new ScriptError(`processing time must advance by a positive integer, got ${ms}`);
}

/** A safe integer, or a string, boolean, null, array or plain object of JSON-able values (what a checkpoint keeps as it is). */
function jsonValue(v: unknown): boolean {
  switch (typeof v) {
    case 'number':
      return Number.isSafeInteger(v);
    case 'string':
    case 'boolean':
      return true;
    case 'object':
      if (v === null) return true;
      if (Array.isArray(v)) return v.every(jsonValue);
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      return Object.values(v).every(jsonValue);
    default:
      return false;
  }
}
