/**
 * The trace. Proves: the hash is the documented two-lane 32-bit hash over
 * the documented words of each event's fields (checked against a BigInt
 * reference implementation written from the documentation, so it is the same
 * on every machine); canonical lines equal
 * JSON.stringify of the event for ordinary fields; `hashEvents` and a JSON-lines round trip give the same
 * hash; `record` hashes exactly as emitting the event it builds, and a refused
 * record (reserved field) changes neither hash nor count; the ring keeps exactly the last N events (N = 0 allowed);
 * subscribers see every event; `wants(kind)` is false only for events nothing
 * reads (not hashed, not kept, no subscriber), so dropping their fields there
 * changes no subscriber's events, the ring, the count or the hash; `firstDivergence` names the first differing
 * index on hand-altered traces (changed field, inserted event, truncation).
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { firstDivergence, hashEvents, JsonlTraceWriter, makeEvent, parseJsonl, Trace } from '../../src/sim/trace.ts';
import { eventLine, subscriberFor, type TraceEvent } from '../../src/runtime/trace-event.ts';
import { chatterWorld } from './helpers.ts';

/** Reference trace hash with BigInt arithmetic: lane A FNV-1a 32, lane B multiply-xorshift, over the documented words. */
function hashRef(events: TraceEvent[]): string {
  const M = 0xffffffffn;
  let a = 0x811c9dc5n;
  let b = 0x050c5d1fn;
  const word = (w: number): void => {
    const c = BigInt(w >>> 0);
    a = ((a ^ c) * 0x01000193n) & M;
    b = ((b ^ c) * 0x5bd1e995n) & M;
    b ^= b >> 13n;
  };
  const str = (s: string): void => {
    word(3);
    word(s.length);
    for (let i = 0; i < s.length; i += 2) word(i + 1 < s.length ? s.charCodeAt(i) * 65536 + s.charCodeAt(i + 1) : s.charCodeAt(i));
  };
  const value = (v: unknown): void => {
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) { word(1); word(v); }
      else if (Number.isFinite(v)) { word(2); str(String(v)); }
      else word(5);
    } else if (typeof v === 'string') str(v);
    else if (typeof v === 'boolean') { word(4); word(v ? 1 : 0); }
    else if (v === null) word(5);
    else { word(6); str(JSON.stringify(v)); }
  };
  for (const e of events) {
    value(e.seq); value(e.t); str(e.p); str(e.kind);
    for (const [k, v] of Object.entries(e)) {
      if (['seq', 't', 'p', 'kind'].includes(k) || v === undefined || typeof v === 'function') continue;
      str(k);
      value(v);
    }
    word(7);
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

function sampleEvents(): TraceEvent[] {
  const world = chatterWorld(77, { rounds: 5 });
  const events: TraceEvent[] = [];
  world.trace.subscribe((e) => events.push(e));
  world.run();
  return events;
}

describe('Trace', () => {
  test.prop([fc.array(fc.record({ t: fc.nat(), p: fc.string(), kind: fc.string(), x: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.string({ unit: 'binary' }), fc.boolean(), fc.double(), fc.constant(undefined), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })) }), { maxLength: 20 })])(
    'hash is the documented two-lane hash of the fields, and survives a JSON-lines round trip',
    (raw) => {
      const trace = new Trace({ ringSize: 4 });
      const events: TraceEvent[] = [];
      trace.subscribe((e) => events.push(e));
      for (const r of raw) trace.record(r.t, r.p, r.kind, { x: r.x });
      let text = '';
      for (const e of events) text += eventLine(e) + '\n';
      expect(trace.hash()).toBe(hashRef(events));
      expect(hashEvents(parseJsonl(text))).toBe(trace.hash());
      for (const e of trace.recent()) expect(eventLine(e)).toBe(JSON.stringify(e));
      expect(trace.count).toBe(raw.length);
    },
  );

  test.prop([
    fc.array(
      fc.record({
        t: fc.nat(),
        kind: fc.constantFrom('a', 'watermark', 'log.append'),
        fields: fc.dictionary(fc.constantFrom('x', 'y', 'task', '0', '7', 'wm', 'n'), fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(undefined), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }))),
        reserved: fc.boolean(),
      }),
      { maxLength: 15 },
    ),
  ])('record hashes as emit(makeEvent(…)), built or not, and a refused record leaves the hash and count as they were', (raw) => {
    // Events of kind 'a' are built for a subscriber; the others no one wants, so they are only hashed.
    const recorded = new Trace({ ringSize: 0 });
    const built: TraceEvent[] = [];
    recorded.subscribe(subscriberFor(['a'], (e) => built.push(e)));
    const emitted = new Trace({ ringSize: 0 });
    for (const r of raw) {
      if (r.reserved) {
        const before = recorded.hash();
        expect(() => recorded.record(r.t, 'p', r.kind, { ...r.fields, kind: 'x' })).toThrow(/reserved/);
        expect(recorded.hash()).toBe(before);
        expect(recorded.count).toBe(emitted.count);
        continue;
      }
      const before = built.length;
      recorded.record(r.t, 'p', r.kind, r.fields);
      const m = makeEvent(emitted.count, r.t, 'p', r.kind, r.fields);
      emitted.emit(m);
      expect(built.length).toBe(before + (r.kind === 'a' ? 1 : 0));
      if (r.kind === 'a') expect(eventLine(built[built.length - 1]!)).toBe(eventLine(m));
      expect(recorded.hash()).toBe(emitted.hash());
      expect(recorded.count).toBe(emitted.count);
    }
  });

  test.prop([
    fc.array(
      fc.record({
        t: fc.nat(),
        kind: fc.constantFrom('a', 'watermark', 'log.append'),
        fields: fc.dictionary(fc.constantFrom('x', 'y', 'task', '0', 'wm'), fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(undefined), fc.constant(null))),
        reserved: fc.boolean(),
      }),
      { maxLength: 15 },
    ),
    fc.nat({ max: 3 }),
  ])('without the hash: the same events to the same subscribers and the ring, the same count and refusals, and an empty hash', (raw, ring) => {
    // What a sweep runs: only the hash is left out, every event is still what a hashed trace gives.
    const make = (hash: boolean) => {
      const trace = new Trace({ ringSize: ring, hash });
      const seen: string[] = [];
      trace.subscribe(subscriberFor(['a'], (e) => seen.push(eventLine(e))));
      return { trace, seen };
    };
    const hashed = make(true);
    const bare = make(false);
    for (const r of raw) {
      const fields = r.reserved ? { ...r.fields, t: 1 } : r.fields;
      const outcome = (trace: Trace): string => {
        try {
          trace.record(r.t, 'p', r.kind, fields);
          return 'ok';
        } catch (e) {
          return (e as Error).message;
        }
      };
      expect(outcome(bare.trace)).toBe(outcome(hashed.trace));
      expect(bare.trace.count).toBe(hashed.trace.count);
    }
    expect(bare.seen).toEqual(hashed.seen);
    expect(bare.trace.recent().map(eventLine)).toEqual(hashed.trace.recent().map(eventLine));
    expect(bare.trace.hash()).toBe('');
    expect(hashed.trace.hash()).toMatch(/^[0-9a-f]{16}$/);
  });

  test.prop([
    fc.array(
      fc.record({
        t: fc.nat(),
        kind: fc.constantFrom('a', 'b', 'log.append'),
        fields: fc.dictionary(fc.constantFrom('x', 'task', 'wm'), fc.oneof(fc.integer(), fc.string(), fc.constant(undefined))),
        subscribeB: fc.boolean(),
      }),
      { maxLength: 15 },
    ),
    fc.boolean(),
    fc.nat({ max: 2 }),
  ])('wants(kind) is true exactly when the event is hashed, kept or subscribed; an emitter that drops the fields otherwise changes nothing anyone sees', (raw, hash, ring) => {
    // Two traces fed the same events: one always gets the fields, the other only when it wants the kind.
    // A subscriber to 'b' joins midway (when an event says so), so wants() must follow the subscribers.
    const make = () => {
      const trace = new Trace({ ringSize: ring, hash });
      const seen: string[] = [];
      trace.subscribe(subscriberFor(['a'], (e) => seen.push(eventLine(e))));
      return { trace, seen, joined: false };
    };
    const full = make();
    const lean = make();
    for (const r of raw) {
      for (const side of [full, lean]) {
        if (r.subscribeB && !side.joined) {
          side.joined = true;
          side.trace.subscribe(subscriberFor(['b'], (e) => side.seen.push(eventLine(e))));
        }
      }
      const wants = lean.trace.wants(r.kind);
      expect(wants).toBe(hash || ring > 0 || r.kind === 'a' || (r.kind === 'b' && lean.joined));
      full.trace.record(r.t, 'p', r.kind, r.fields);
      lean.trace.record(r.t, 'p', r.kind, wants ? r.fields : undefined);
      expect(lean.trace.count).toBe(full.trace.count);
    }
    expect(lean.seen).toEqual(full.seen);
    expect(lean.trace.recent().map(eventLine)).toEqual(full.trace.recent().map(eventLine));
    expect(lean.trace.hash()).toBe(full.trace.hash());
  });

  it('a subscriber that names kinds gets exactly those; one without, every event; everyKind hands every event to all', () => {
    const kinds = ['watermark', 'log.append', 'x', 'watermark', 'y', 'log.append', 'z'];
    const run = (everyKind: boolean): { named: string[]; all: string[]; late: string[] } => {
      const trace = new Trace({ ringSize: 0, everyKind });
      const named: string[] = [];
      const all: string[] = [];
      const late: string[] = [];
      trace.subscribe(subscriberFor(['watermark', 'y'], (e) => named.push(`${e.seq}:${e.kind}`)));
      const stop = trace.subscribe((e) => {
        all.push(`${e.seq}:${e.kind}`);
        // Unsubscribing mid-run; a subscriber added later sees only what comes after.
        if (e.kind === 'y') {
          stop();
          trace.subscribe(subscriberFor(['log.append'], (l) => late.push(`${l.seq}:${l.kind}`)));
        }
      });
      kinds.forEach((kind, i) => trace.record(i, 'p', kind, { i }));
      return { named, all, late };
    };
    expect(run(false)).toEqual({
      named: ['0:watermark', '3:watermark', '4:y'],
      all: ['0:watermark', '1:log.append', '2:x', '3:watermark', '4:y'],
      late: ['5:log.append'],
    });
    expect(run(true)).toEqual({
      named: ['0:watermark', '1:log.append', '2:x', '3:watermark', '4:y', '5:log.append', '6:z'],
      all: ['0:watermark', '1:log.append', '2:x', '3:watermark', '4:y'],
      late: ['5:log.append', '6:z'],
    });
  });

  it('events have canonical key order and seq = emission index', () => {
    const trace = new Trace();
    trace.record(5, 'tm-0', 'watermark', { wm: 3, task: 'map-1' });
    trace.record(6, 'world', 'net.heal', { a: 'x', b: 'y' });
    expect(trace.recent().map(eventLine)).toEqual([
      '{"seq":0,"t":5,"p":"tm-0","kind":"watermark","wm":3,"task":"map-1"}',
      '{"seq":1,"t":6,"p":"world","kind":"net.heal","a":"x","b":"y"}',
    ]);
    expect(() => makeEvent(0, 0, 'p', 'k', { seq: 1 })).toThrow(/reserved/);
  });

  it('the ring keeps the last N events, N = 0 allowed', () => {
    const events = sampleEvents();
    for (const size of [0, 1, 7, 10_000]) {
      const trace = new Trace({ ringSize: size });
      for (const e of events) trace.emit(e);
      expect(trace.recent()).toEqual(events.slice(Math.max(0, events.length - size)));
      expect(trace.hash()).toBe(hashEvents(events));
    }
    expect(() => new Trace({ ringSize: -1 })).toThrow(RangeError);
  });

  it('JSON lines round trip keeps the hash', () => {
    const events = sampleEvents();
    let text = '';
    const trace = new Trace();
    const detach = new JsonlTraceWriter((line) => (text += line)).attach(trace);
    for (const e of events) trace.emit(e);
    detach();
    trace.emit(events[0]);
    expect(text.split('\n').filter((l) => l !== '')).toHaveLength(events.length);
    const back = parseJsonl(text);
    expect(hashEvents(back)).toBe(hashEvents(events));
    expect(hashRef(back)).toBe(hashEvents(events));
    expect(() => parseJsonl('{"seq":0}\n')).toThrow(/line 1/);
    expect(() => parseJsonl('\nnot json')).toThrow(/line 2/);
  });

  it('firstDivergence names the first differing event', () => {
    const a = sampleEvents();
    expect(a.length).toBeGreaterThan(20);
    expect(firstDivergence(a, a.map((e) => ({ ...e })))).toBeUndefined();

    const changed = a.map((e) => ({ ...e }));
    changed[13] = { ...changed[13], t: changed[13].t + 1 };
    expect(firstDivergence(a, changed)).toEqual({ index: 13, a: a[13], b: changed[13] });

    const inserted = [...a.slice(0, 5), makeEvent(5, 0, 'x', 'extra'), ...a.slice(5)];
    expect(firstDivergence(a, inserted)?.index).toBe(5);

    const truncated = a.slice(0, 9);
    expect(firstDivergence(a, truncated)).toEqual({ index: 9, a: a[9] });
    expect(firstDivergence(truncated, a)).toEqual({ index: 9, b: a[9] });
  });

  it('subscribers can unsubscribe', () => {
    const trace = new Trace();
    let seen = 0;
    const off = trace.subscribe(() => seen++);
    trace.record(0, 'world', 'a');
    off();
    trace.record(0, 'world', 'b');
    expect(seen).toBe(1);
  });
});
