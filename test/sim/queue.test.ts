/**
 * EventQueue against a model. Property: for any sequence of pushes (with
 * many equal times) and pops, the heap pops exactly what a stably sorted
 * array pops — the minimum by (time, insertion order) — and reports the same
 * size and earliest time at every step. With sequence numbers reserved
 * (`reserveSeq`) and used later (`pushAt`), it pops by (time, reserved
 * number), as if each item had been pushed when its number was reserved.
 *
 * The third property places pushes relative to the last pop (at it, just
 * after, far ahead, before it, at fractional times, with old reserved
 * numbers), as a run's scheduler does, and holds the queue to the same model.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { EventQueue } from '../../src/sim/queue.ts';

type Op = { push: number } | { pop: true };

/** An item of the models below: its time, sequence number and id. */
type Queued = { t: number; seq: number; id: number };

/** Pops the queue and the model's first item, expects the same (time, seq, item), and returns the model's. */
function popLikeModel(q: EventQueue<number>, model: Queued[]): Queued | undefined {
  const got = q.pop();
  const want = model.shift();
  if (want === undefined) expect(got).toBeUndefined();
  else expect(got).toEqual({ timeMs: want.t, seq: want.seq, item: want.id });
  return want;
}

/** Inserts `m` into `model`, kept sorted by (t, seq). */
function insertByTimeAndSeq(model: Queued[], m: Queued): void {
  let i = model.length;
  while (i > 0 && (model[i - 1].t > m.t || (model[i - 1].t === m.t && model[i - 1].seq > m.seq))) i--;
  model.splice(i, 0, m);
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 20 }).map((t) => ({ push: t })) },
  { weight: 2, arbitrary: fc.constant({ pop: true as const }) },
);

describe('EventQueue', () => {
  test.prop([fc.array(opArb, { maxLength: 400 })])('pops in (time, insertion) order like a sorted array', (ops) => {
    const q = new EventQueue<number>();
    const model: { t: number; id: number }[] = [];
    let id = 0;
    for (const op of ops) {
      if ('push' in op) {
        q.push(op.push, id);
        // Insert after every element with time ≤ t: stable order among equal times.
        let i = model.length;
        while (i > 0 && model[i - 1].t > op.push) i--;
        model.splice(i, 0, { t: op.push, id });
        id++;
      } else {
        const got = q.pop();
        const want = model.shift();
        if (want === undefined) expect(got).toBeUndefined();
        else expect(got && { t: got.timeMs, id: got.item }).toEqual(want);
      }
      expect(q.size).toBe(model.length);
      expect(q.peekTimeMs()).toBe(model[0]?.t);
    }
    // Draining leaves the same order too.
    const drained: number[] = [];
    for (let item = q.popItem(); item !== undefined; item = q.popItem()) drained.push(item);
    expect(drained).toEqual(model.map((m) => m.id));
  });

  test('seq numbers are insertion counters', () => {
    const q = new EventQueue<string>();
    q.push(5, 'a');
    q.push(5, 'b');
    q.push(1, 'c');
    expect(q.pop()).toEqual({ timeMs: 1, seq: 2, item: 'c' });
    expect(q.pop()).toEqual({ timeMs: 5, seq: 0, item: 'a' });
    expect(q.pop()).toEqual({ timeMs: 5, seq: 1, item: 'b' });
    expect(q.pop()).toBeUndefined();
    expect(q.peekTimeMs()).toBeUndefined();
  });

  type ROp = { push: number } | { reserve: number } | { flush: true } | { pop: true };
  const rOpArb: fc.Arbitrary<ROp> = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 10 }).map((t) => ({ push: t })) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 10 }).map((t) => ({ reserve: t })) },
    { weight: 1, arbitrary: fc.constant({ flush: true as const }) },
    { weight: 2, arbitrary: fc.constant({ pop: true as const }) },
  );

  test.prop([fc.array(rOpArb, { maxLength: 300 })])('pushAt with a reserved seq pops as if pushed when reserved', (ops) => {
    const q = new EventQueue<number>();
    /** Queued items of the model, by (t, seq). */
    const model: Queued[] = [];
    const waiting: Queued[] = [];
    let id = 0;
    let seq = 0;
    const add = (m: Queued) => insertByTimeAndSeq(model, m);
    for (const op of ops) {
      if ('push' in op) {
        expect(q.pushed).toBe(seq);
        q.push(op.push, id);
        add({ t: op.push, seq: seq++, id: id++ });
      } else if ('reserve' in op) {
        const r = q.reserveSeq();
        expect(r).toBe(seq++);
        waiting.push({ t: op.reserve, seq: r, id: id++ });
      } else if ('flush' in op) {
        for (const w of waiting.splice(0)) {
          q.pushAt(w.t, w.seq, w.id);
          add(w);
        }
      } else {
        popLikeModel(q, model);
      }
      expect(q.size).toBe(model.length);
      expect(q.peekTimeMs()).toBe(model[0]?.t);
    }
  });

  /** Where a push lands, relative to the time of the last pop: at it, soon after, far ahead, before it. */
  type WOp = { at: number } | { reserveAt: number } | { flush: true } | { pop: true };
  // Few distinct offsets, so items often share a millisecond.
  const offsetArb = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(0, 1, 2, 255, 256, 257, 512, -1, -3, 0.5, 100_000) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 600 }) },
  );
  const wOpArb: fc.Arbitrary<WOp> = fc.oneof(
    { weight: 4, arbitrary: offsetArb.map((at) => ({ at })) },
    { weight: 1, arbitrary: offsetArb.map((reserveAt) => ({ reserveAt })) },
    { weight: 1, arbitrary: fc.constant({ flush: true as const }) },
    { weight: 4, arbitrary: fc.constant({ pop: true as const }) },
  );

  test.prop([fc.array(wOpArb, { maxLength: 600, size: 'max' })], { numRuns: 300 })('pops by (time, seq) whatever the distance from the last pop', (ops) => {
    const q = new EventQueue<number>();
    const model: Queued[] = [];
    const waiting: Queued[] = [];
    let id = 0;
    let seq = 0;
    let last = 0;
    const add = (m: Queued) => insertByTimeAndSeq(model, m);
    for (const op of ops) {
      if ('at' in op) {
        const t = Math.max(0, last + op.at);
        q.push(t, id);
        add({ t, seq: seq++, id: id++ });
      } else if ('reserveAt' in op) {
        waiting.push({ t: Math.max(0, last + op.reserveAt), seq: q.reserveSeq(), id: id++ });
        seq++;
      } else if ('flush' in op) {
        // Oldest reservations last: each is pushed after newer numbers of its time.
        for (const w of waiting.splice(0).reverse()) {
          q.pushAt(w.t, w.seq, w.id);
          add(w);
        }
      } else {
        last = popLikeModel(q, model)?.t ?? last;
      }
      expect(q.size).toBe(model.length);
      expect(q.peekTimeMs()).toBe(model[0]?.t);
    }
    const drained: number[] = [];
    for (let item = q.popItem(); item !== undefined; item = q.popItem()) drained.push(item);
    expect(drained).toEqual(model.map((m) => m.id));
  });
});
