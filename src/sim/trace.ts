/**
 * The trace: the stream of every step the world and the processes take.
 *
 * Each event is `{ seq, t, p, kind, ...fields }`: a sequence number (0, 1, 2…
 * in emission order), the virtual time in ms, the process id (or `world`),
 * the kind (see `TRACE_KINDS`) and flat fields. Its canonical form is one JSON
 * line with the keys in exactly that order and the fields in insertion order
 * (`eventLine`, which agrees with JSON.stringify for events whose fields have
 * no integer-like names).
 *
 * Memory is bounded: only the last `ringSize` events are kept; subscribers
 * (checkers, a JSON-lines writer) see every event as it is emitted. The trace
 * hash (`TraceHasher`) runs over the UTF-16 code units of the canonical
 * lines, each followed by `\n` — so it equals the hash of the JSON-lines file, and, since
 * JSON number formatting is fixed by the language, it is the same on every
 * machine for the same event stream.
 */
import type { TraceFields } from '../runtime/types.ts';

export interface TraceEvent {
  seq: number;
  t: number;
  p: string;
  kind: string;
  [field: string]: unknown;
}

export type TraceSubscriber = (e: TraceEvent) => void;

/** Keys every event has; a field must not reuse them. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set(['seq', 't', 'p', 'kind']);

/** Printable ASCII without a double quote or backslash: such strings need no JSON escaping. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const keyPrefixes = new Map<string, string>();

/** `,"key":` for a field key, memoized (keys repeat endlessly). */
function keyPrefix(key: string): string {
  let out = keyPrefixes.get(key);
  if (out === undefined) {
    out = `,${JSON.stringify(key)}:`;
    if (keyPrefixes.size < 10_000) keyPrefixes.set(key, out);
  }
  return out;
}

/** JSON text of a field value, or undefined when JSON would omit the field. */
function valueJson(v: unknown): string | undefined {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
      return PLAIN.test(v) ? `"${v}"` : JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      return JSON.stringify(v);
  }
}

/**
 * The canonical JSON line of an event (no trailing newline): seq, t, p, kind,
 * then the other own keys in property order, leaving out fields JSON would
 * omit (undefined values).
 */
export function eventLine(e: TraceEvent): string {
  let line = `{"seq":${valueJson(e.seq)},"t":${valueJson(e.t)},"p":${valueJson(e.p)},"kind":${valueJson(e.kind)}`;
  for (const key in e) {
    if (key === 'seq' || key === 't' || key === 'p' || key === 'kind') continue;
    const json = valueJson(e[key]);
    if (json !== undefined) line += keyPrefix(key) + json;
  }
  return line + '}';
}

/** Builds an event with its keys in canonical order; throws when a field reuses a reserved key. */
export function makeEvent(seq: number, t: number, p: string, kind: string, fields?: TraceFields): TraceEvent {
  const e: TraceEvent = { seq, t, p, kind };
  if (fields !== undefined) {
    for (const key in fields) {
      if (key === 'seq' || key === 't' || key === 'p' || key === 'kind') {
        throw new Error(`trace event '${kind}' from '${p}': field '${key}' is reserved (seq, t, p, kind)`);
      }
      e[key] = fields[key];
    }
  }
  return e;
}

import { Hash64 } from '../runtime/hash.ts';

/** The rolling trace hash is the shared 64-bit content hash. */
export const TraceHasher = Hash64;

export interface TraceOptions {
  /** How many recent events to keep in memory (default 10 000; 0 keeps none). */
  ringSize?: number;
}

export class Trace {
  private readonly ring: (TraceEvent | undefined)[];
  private readonly ringSize: number;
  private ringNext = 0;
  private total = 0;
  private readonly hasher = new TraceHasher();
  private subscribers: TraceSubscriber[] = [];

  constructor(opts: TraceOptions = {}) {
    const size = opts.ringSize ?? 10_000;
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`Trace: ringSize must be an integer ≥ 0, got ${size}`);
    this.ringSize = size;
    this.ring = new Array<TraceEvent | undefined>(size);
  }

  /** Events emitted so far (also the seq the next event gets). */
  get count(): number {
    return this.total;
  }

  emit(e: TraceEvent): void {
    this.hasher.update(eventLine(e));
    this.hasher.update('\n');
    this.total++;
    if (this.ringSize > 0) {
      this.ring[this.ringNext] = e;
      this.ringNext = this.ringNext + 1 === this.ringSize ? 0 : this.ringNext + 1;
    }
    const subs = this.subscribers;
    for (let i = 0; i < subs.length; i++) subs[i](e);
  }

  /** Builds the next event (seq = count) and emits it. */
  record(t: number, p: string, kind: string, fields?: TraceFields): TraceEvent {
    const e = makeEvent(this.total, t, p, kind, fields);
    this.emit(e);
    return e;
  }

  /** Calls `fn` for every later event; returns a function that unsubscribes. */
  subscribe(fn: TraceSubscriber): () => void {
    this.subscribers = [...this.subscribers, fn];
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== fn);
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

  /** The rolling hash of every event so far: 16 hex digits. */
  hash(): string {
    return this.hasher.hex();
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
