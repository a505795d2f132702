/**
 * A trace event as every layer reads it: `{ seq, t, p, kind, ...fields }` —
 * a sequence number (0, 1, 2… in emission order), the virtual time in ms,
 * the process id (or `world`), the kind (see `TRACE_KINDS`) and flat fields.
 *
 * Its canonical form is one JSON line with the keys in exactly that order and
 * the fields in insertion order (`eventLine`, which agrees with
 * JSON.stringify for events whose fields have no integer-like names). The
 * world emits events (src/sim/trace.ts); the engines, the checkers, the TUI
 * and the exporters read them through this file only.
 */
export interface TraceEvent {
  seq: number;
  t: number;
  p: string;
  kind: string;
  [field: string]: unknown;
}

/**
 * Called with every event as it is emitted; or, when it names `kinds`, only with events of those
 * kinds. An event no subscriber wants (and no ring keeps) is hashed from its fields and never built,
 * so a judge that names the few kinds it reads costs nothing on the others.
 */
export type TraceSubscriber = ((e: TraceEvent) => void) & { readonly kinds?: ReadonlySet<string> };

/** A subscriber called only with events of `kinds` (the kinds its `switch` reads). */
export function subscriberFor(kinds: Iterable<string>, fn: (e: TraceEvent) => void): TraceSubscriber {
  // A fresh function carries the kinds: `fn` may be handed elsewhere as it is.
  return withKinds((e) => fn(e), kinds);
}

function withKinds(sub: (e: TraceEvent) => void, kinds: Iterable<string>): TraceSubscriber {
  return Object.assign(sub, { kinds: new Set(kinds) as ReadonlySet<string> });
}

/** What reads trace events through a `switch` on a few kinds: the kinds it reads, and its handler. */
export interface TraceReader {
  /** Every kind `onEvent` acts on; it is called with no others. */
  readonly kinds: readonly string[];
  onEvent(e: TraceEvent): void;
}

/** The subscriber of a `TraceReader`: its `onEvent`, for its kinds. */
export function readerSubscriber(r: TraceReader): TraceSubscriber {
  return withKinds((e) => r.onEvent(e), r.kinds);
}

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
