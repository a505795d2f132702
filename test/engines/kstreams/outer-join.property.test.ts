/**
 * What this proves: on any input that arrives in timestamp order, the
 * Kafka Streams windowed left and outer joins of streams (KIP-633's outer
 * store) forward exactly the pairs within the join window, and each record
 * of an outer side that has no partner exactly once joined with null (after
 * its window closed), and never a record that has a partner: no spurious
 * null result, none lost, none twice. In timestamp order no partner can come
 * after a window closed, so that is the whole of the rule.
 *
 * How: fast-check draws records (side, key among three, non-decreasing
 * timestamps) and join windows (before, after, grace), feeds them one at a
 * time through one task with an emit interval of 0, then one record far
 * ahead on a key of its own to close every window, and compares the
 * multiset of outputs with a reference computed by brute force over all
 * pairs. A build that stored nothing (every unjoined record forwarded with
 * null at once) or emitted matched records too would fail it, as would a
 * scan that deleted too little (a record twice).
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { StreamsBuilder } from '../../../src/engines/kstreams/dsl.ts';
import { StreamTask } from '../../../src/engines/kstreams/task.ts';
import { JoinWindows } from '../../../src/engines/kstreams/windows.ts';

interface Rec {
  id: number;
  key: string;
  ts: number;
  side: 'left' | 'right';
}

const FAR_KEY = 'far';

function runJoin(kind: 'leftJoin' | 'outerJoin', records: Rec[], before: number, after: number, grace: number): string[] {
  const b = new StreamsBuilder();
  const name = (v: unknown): string => (v === null ? 'null' : String((v as Rec).id));
  const windows = JoinWindows.ofTimeDifferenceAndGrace(after, grace).before(before);
  b.stream('left')[kind](b.stream('right'), (l, r) => `${name(l)}+${name(r)}`, windows, { name: 'j', emitIntervalMs: 0 })
    .to('output', (r) => String(r.value));
  const topology = b.build();
  const out: string[] = [];
  const task = new StreamTask(topology, topology.subTopologies()[0]!, 0, {
    applicationId: 'app',
    send: (topic, _p, key, value) => { if (topic === 'output' && key !== FAR_KEY) out.push(value as string); },
    nowMs: () => 0,
    trace: () => {},
    detailedTrace: false,
    maxTaskIdleMs: -1,
    caching: false,
  });
  task.initProcessors();
  let offset = 0;
  const feed = (r: Rec): void => {
    task.addRecords(r.side, [{ offset: offset++, value: r }]);
    while (task.process(() => 0)) { /* drain */ }
  };
  for (const r of records) feed(r);
  const last = records.reduce((m, r) => Math.max(m, r.ts), 0);
  feed({ id: -1, key: FAR_KEY, ts: last + before + after + grace + 1, side: 'left' });
  return out.sort();
}

/** Brute force: every pair within the window, and each outer record without one, joined with null. */
function reference(kind: 'leftJoin' | 'outerJoin', records: Rec[], before: number, after: number): string[] {
  const lefts = records.filter((r) => r.side === 'left');
  const rights = records.filter((r) => r.side === 'right');
  const joins = (l: Rec, r: Rec): boolean => l.key === r.key && r.ts >= l.ts - before && r.ts <= l.ts + after;
  const out: string[] = [];
  for (const l of lefts) for (const r of rights) if (joins(l, r)) out.push(`${l.id}+${r.id}`);
  for (const l of lefts) if (!rights.some((r) => joins(l, r))) out.push(`${l.id}+null`);
  if (kind === 'outerJoin') for (const r of rights) if (!lefts.some((l) => joins(l, r))) out.push(`null+${r.id}`);
  return out.sort();
}

const inOrder = fc
  .array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), step: fc.integer({ min: 0, max: 40 }), side: fc.constantFrom('left' as const, 'right' as const) }), { maxLength: 40 })
  .map((xs) => {
    let ts = 0;
    return xs.map((x, id): Rec => {
      ts += x.step;
      return { id, key: x.key, ts, side: x.side };
    });
  });
const ms = fc.integer({ min: 0, max: 100 });

describe('KStream–KStream left and outer joins against a brute-force reference (input in timestamp order)', () => {
  test.prop([fc.constantFrom('leftJoin' as const, 'outerJoin' as const), inOrder, ms, ms, fc.integer({ min: 0, max: 50 })])(
    'forward every pair in the window and each unpartnered outer record once, joined with null',
    (kind, records, before, after, grace) => {
      expect(runJoin(kind, records, before, after, grace)).toEqual(reference(kind, records, before, after));
    },
  );
});
