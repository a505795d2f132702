/**
 * The trace: the stream of every step the world and the processes take, as
 * `TraceEvent`s (src/runtime/trace-event.ts, where every layer reads them).
 *
 * Memory is bounded: only the last `ringSize` events are kept; subscribers
 * (checkers, a JSON-lines writer) see every event as it is emitted.
 *
 * The trace hash (`TraceHasher`) reads an event's fields as they are, with no
 * JSON on the hot path: each value becomes a few 32-bit words (see
 * `TraceHasher.event`) fed to the two-lane hash of runtime/hash. A value
 * hashes the same before and after a JSON-lines round trip (JSON omits what
 * the hash skips, and a non-finite number hashes as the `null` JSON turns it
 * into), so a trace file hashes to the run's `traceHash`; and since only
 * 32-bit integer operations and the language's fixed number-to-text rule are
 * used, the hash is the same on every machine.
 */
import type { TraceFields } from '../runtime/types.ts';
import { eventLine, type TraceEvent, type TraceSubscriber } from '../runtime/trace-event.ts';

/** Whether `key` is one every event has (seq, t, p, kind), which no field may reuse. */
function isReserved(key: string): boolean {
  return key === 'seq' || key === 't' || key === 'p' || key === 'kind';
}

function reservedField(kind: string, p: string, key: string): Error {
  return new Error(`trace event '${kind}' from '${p}': field '${key}' is reserved (seq, t, p, kind)`);
}

/** Builds an event with its keys in canonical order; throws when a field reuses a reserved key. */
export function makeEvent(seq: number, t: number, p: string, kind: string, fields?: TraceFields): TraceEvent {
  const e: TraceEvent = { seq, t, p, kind };
  if (fields !== undefined) {
    for (const key in fields) {
      if (isReserved(key)) throw reservedField(kind, p, key);
      e[key] = fields[key];
    }
  }
  return e;
}

import { Hash64 } from '../runtime/hash.ts';

/** Tags that open each value's words, so values of different types never collide by layout. */
const TAG_INT = 1;
const TAG_NUMBER_TEXT = 2;
const TAG_STRING = 3;
const TAG_BOOL = 4;
const TAG_NULL = 5;
const TAG_JSON = 6;
const TAG_END = 7;

/**
 * The rolling trace hash over events' fields. Per event, in canonical key
 * order: seq, t, p, kind, then every other field whose value JSON would keep
 * as its key (a string) followed by its value, then an end tag. A value is:
 * an int32 → [1, v]; another finite number → [2] + its text (String(v), which
 * is also its JSON text); a string → [3, length] + its code units, two per
 * word; a boolean → [4, 0|1]; null or a non-finite number → [5]; an object or
 * array → [6] + its JSON text as a string.
 */
export class TraceHasher extends Hash64 {
  event(e: TraceEvent): void {
    this.head(e.seq, e.t, e.p, e.kind);
    for (const key in e) {
      if (isReserved(key)) continue;
      this.field(key, e[key]);
    }
    this.word(TAG_END);
  }

  /** seq, t, p and kind: how every event's words begin. */
  head(seq: number, t: number, p: string, kind: string): void {
    this.num(seq);
    this.num(t);
    this.str(p);
    this.str(kind);
  }

  /** One other field, in key order (nothing when JSON would leave it out). */
  field(key: string, v: unknown): void {
    switch (typeof v) {
      case 'undefined':
      case 'function':
      case 'symbol':
        return;
      case 'number':
        this.str(key);
        this.num(v);
        return;
      case 'string':
        this.str(key);
        this.str(v);
        return;
      case 'boolean':
        this.str(key);
        this.word2(TAG_BOOL, v ? 1 : 0);
        return;
      default:
        this.str(key);
        if (v === null) this.word(TAG_NULL);
        else {
          this.word(TAG_JSON);
          this.str(JSON.stringify(v));
        }
    }
  }

  /** Closes an event. */
  end(): void {
    this.word(TAG_END);
  }

  private num(v: number): void {
    if ((v | 0) === v) this.word2(TAG_INT, v);
    else if (Number.isFinite(v)) {
      this.word(TAG_NUMBER_TEXT);
      this.str(String(v));
    } else this.word(TAG_NULL);
  }

  private str(s: string): void {
    this.framed(TAG_STRING, s);
  }
}

export interface TraceOptions {
  /** How many recent events to keep in memory (default 10 000; 0 keeps none). */
  ringSize?: number;
  /**
   * Hands every event to every subscriber, as if none had named its `kinds`: for tests that
   * prove a subscriber's kinds are all it reads (its verdicts are the same either way).
   */
  everyKind?: boolean;
  /**
   * Keep the rolling hash (default true). Without it `hash()` is '' and an event no subscriber
   * wants and no ring keeps costs a count and the check of its keys: for runs whose hash nobody
   * reads (a sweep's seeds, a shrink's candidates), where hashing is about 7% of a bank run.
   * Every event, hashed or not, is the same event: subscribers see the same stream either way.
   */
  hash?: boolean;
}

export class Trace {
  private readonly ring: (TraceEvent | undefined)[];
  private readonly ringSize: number;
  private ringNext = 0;
  private total = 0;
  private readonly hasher = new TraceHasher();
  private subscribers: TraceSubscriber[] = [];
  /** Per kind, the subscribers that want it (built on first use; cleared when the subscribers change). */
  private readonly byKind = new Map<string, TraceSubscriber[]>();
  private readonly everyKind: boolean;
  private readonly hashing: boolean;

  constructor(opts: TraceOptions = {}) {
    this.everyKind = opts.everyKind ?? false;
    this.hashing = opts.hash ?? true;
    const size = opts.ringSize ?? 10_000;
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`Trace: ringSize must be an integer ≥ 0, got ${size}`);
    this.ringSize = size;
    this.ring = new Array<TraceEvent | undefined>(size);
  }

  /** Events emitted so far (also the seq the next event gets). */
  get count(): number {
    return this.total;
  }

  /**
   * Whether an event of `kind` is read at all: hashed, kept in the ring or handed to a subscriber.
   * When it is not, its fields are never looked at (only counted), so an emitter may leave them out.
   */
  wants(kind: string): boolean {
    return this.hashing || this.ringSize > 0 || this.subscribersOf(kind).length > 0;
  }

  emit(e: TraceEvent): void {
    if (this.hashing) this.hasher.event(e);
    this.publish(e, this.subscribersOf(e.kind));
  }

  /**
   * Builds the next event (seq = count) and emits it. The same as `emit(makeEvent(…))`, in one
   * pass over `fields` that copies and hashes each field; when no subscriber wants the kind and
   * no ring keeps it, the event is only hashed, never built.
   */
  record(t: number, p: string, kind: string, fields?: TraceFields): void {
    const subs = this.subscribersOf(kind);
    if (!this.hashing) return this.recordUnhashed(t, p, kind, fields, subs);
    const h = this.hasher;
    h.mark();
    h.head(this.total, t, p, kind);
    // Built only for a subscriber or the ring.
    const e: TraceEvent | undefined = subs.length > 0 || this.ringSize > 0 ? { seq: this.total, t, p, kind } : undefined;
    if (fields !== undefined) {
      for (const key in fields) {
        if (isReserved(key)) this.refuse(kind, p, key);
        const v = fields[key];
        if (e !== undefined) e[key] = v;
        h.field(key, v);
      }
    }
    h.end();
    if (e !== undefined) this.publish(e, subs);
    else this.total++;
  }

  /** `record` without the hash: the event is built only for a subscriber or the ring, its keys checked either way. */
  private recordUnhashed(t: number, p: string, kind: string, fields: TraceFields | undefined, subs: TraceSubscriber[]): void {
    if (subs.length > 0 || this.ringSize > 0) {
      this.publish(makeEvent(this.total, t, p, kind, fields), subs);
      return;
    }
    if (fields !== undefined) {
      for (const key in fields) if (isReserved(key)) throw reservedField(kind, p, key);
    }
    this.total++;
  }

  /** Refuses a field that reuses a reserved key, as makeEvent does: the hash stays that of the events emitted. */
  private refuse(kind: string, p: string, key: string): never {
    this.hasher.rewind();
    throw reservedField(kind, p, key);
  }

  /** The subscribers that want events of `kind`. */
  private subscribersOf(kind: string): TraceSubscriber[] {
    let subs = this.byKind.get(kind);
    if (subs === undefined) {
      subs = this.everyKind ? this.subscribers : this.subscribers.filter((s) => s.kinds === undefined || s.kinds.has(kind));
      this.byKind.set(kind, subs);
    }
    return subs;
  }

  /** Counts a hashed event, keeps it in the ring and hands it to `subs`. */
  private publish(e: TraceEvent, subs: TraceSubscriber[]): void {
    this.total++;
    if (this.ringSize > 0) {
      this.ring[this.ringNext] = e;
      this.ringNext = this.ringNext + 1 === this.ringSize ? 0 : this.ringNext + 1;
    }
    for (let i = 0; i < subs.length; i++) subs[i](e);
  }

  /** Calls `fn` for every later event (of its `kinds`, when it names them); returns a function that unsubscribes. */
  subscribe(fn: TraceSubscriber): () => void {
    this.subscribers = [...this.subscribers, fn];
    this.byKind.clear();
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== fn);
      this.byKind.clear();
    };
  }

  /** The kept recent events, oldest first. */
  recent(): TraceEvent[] {
    const kept = Math.min(this.total, this.ringSize);
    const out: TraceEvent[] = [];
    let i = (this.ringNext - kept + this.ringSize) % Math.max(1, this.ringSize);
    for (let n = 0; n < kept; n++) {
      out.push(this.ring[i] as TraceEvent);
      i = i + 1 === this.ringSize ? 0 : i + 1;
    }
    return out;
  }

  /** The rolling hash of every event so far: 16 hex digits ('' for a trace made with `hash: false`). */
  hash(): string {
    return this.hashing ? this.hasher.hex() : '';
  }
}

/** The traceHash of a whole event sequence (equal to `Trace.hash()` after emitting them). */
export function hashEvents(events: Iterable<TraceEvent>): string {
  const trace = new Trace({ ringSize: 0 });
  for (const e of events) trace.emit(e);
  return trace.hash();
}

export interface Divergence {
  index: number;
  a?: TraceEvent;
  b?: TraceEvent;
}

/**
 * The first position at which two event sequences differ (comparing canonical
 * lines), with the event on each side (absent when that side ended), or
 * undefined when they are equal.
 */
export function firstDivergence(a: Iterable<TraceEvent>, b: Iterable<TraceEvent>): Divergence | undefined {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (let index = 0; ; index++) {
    const ra = ia.next();
    const rb = ib.next();
    if (ra.done && rb.done) return undefined;
    if (ra.done || rb.done || eventLine(ra.value) !== eventLine(rb.value)) {
      const out: Divergence = { index };
      if (!ra.done) out.a = ra.value;
      if (!rb.done) out.b = rb.value;
      return out;
    }
  }
}

/** Streams canonical JSON lines (each with a trailing newline) to `write`. */
export class JsonlTraceWriter {
  constructor(private readonly write: (line: string) => void) {}

  /** Subscribes to `trace`; returns the unsubscribe function. */
  attach(trace: Trace): () => void {
    return trace.subscribe((e) => this.write(eventLine(e) + '\n'));
  }
}

/** Parses JSON lines back into events (blank lines skipped); throws naming the bad line. */
export function parseJsonl(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`trace line ${i + 1}: not JSON`);
    }
    const e = v as TraceEvent;
    if (typeof v !== 'object' || v === null || typeof e.seq !== 'number' || typeof e.t !== 'number' || typeof e.p !== 'string' || typeof e.kind !== 'string') {
      throw new Error(`trace line ${i + 1}: not a trace event (needs seq, t, p, kind)`);
    }
    out.push(e);
  }
  return out;
}
