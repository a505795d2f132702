/**
 * What this proves: in a run, standby replicas (K13, placed by the group's
 * task assignor: test/log/task-assignor.test.ts) go to stateful tasks only, a
 * promoted standby restores only the changelog tail, with its store judged by
 * `ks.restore`, and fewer records are restored than without standbys; a
 * standby's state directory is its task's.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { run, failed } from '../../explore/helpers.ts';

describe('standby replicas in a run', () => {
  const settings = { scenario: 'wordcount', engine: 'kstreams' as const, faults: 'heavy' as const, seed: 5 };
  const traced = (standbyReplicas: number) => {
    const events: TraceEvent[] = [];
    const r = run({ ...settings, standbyReplicas }, { subscribers: [(e) => { if (e.kind === 'ks.standby' || e.kind === 'ks.restored') events.push(e); }] });
    return { r, events };
  };

  it('promotes a caught-up standby, restores only the tail past it, and restores fewer records than without standbys', () => {
    const on = traced(1);
    const off = traced(0);
    expect(failed(on.r)).toEqual([]);
    expect(failed(off.r)).toEqual([]);
    const promoted = on.events.filter((e) => e.kind === 'ks.standby' && e.action === 'promoted');
    expect(promoted.length).toBeGreaterThan(0);
    expect(on.events.some((e) => e.kind === 'ks.standby' && e.action === 'caught-up')).toBe(true);
    // The promoted task's restoration starts where its standby stood.
    for (const p of promoted) {
      const restored = on.events.find((e) => e.kind === 'ks.restored' && e.seq > p.seq && e.task === p.task && e.store === p.store && e.p === p.p);
      expect(restored?.from).toBe(p.offset);
    }
    const records = (es: TraceEvent[]) => es.filter((e) => e.kind === 'ks.restored').reduce((n, e) => n + (e.records as number), 0);
    expect(records(on.events)).toBeLessThan(records(off.events));
    expect(off.events.some((e) => e.kind === 'ks.standby')).toBe(false);
    // Only stateful tasks have standbys: wordcount's first sub-topology (its source and the
    // repartition by word) holds no store, so it gets none (Kafka's statefulTaskIds).
    const assigned = on.events.filter((e) => e.kind === 'ks.standby' && e.action === 'assigned');
    expect(assigned.length).toBeGreaterThan(0);
    for (const a of assigned) expect(a.stores, `standby of ${String(a.task)}`).not.toEqual([]);
    expect(on.r.checks.find((c) => c.name === 'ks.restore')?.detail).toMatch(/standby stores at their promotion/);
  });
});

describe('a standby\'s state directory', () => {
  it('is its task\'s directory: loaded as an active task\'s, checkpointed when the standby closes, and the checkpoint names what the standby read', () => {
    // At least once a crash may leave records whose changelog writes were durable but whose offsets
    // were not committed, to be counted twice; this crash leaves none, so every check passes (one at
    // 3.5 s, as this test had before ks-0 and ks-1 formed generation 1 together, leaves one such record).
    const plan = { faults: [{ kind: 'crash' as const, atMs: 3_000, process: 'ks-0', restartAfterMs: 400 }] };
    const events: TraceEvent[] = [];
    const r = run({ scenario: 'wordcount', engine: 'kstreams', seed: 4, guarantee: 'at-least-once', plan, standbyReplicas: 1, commitIntervalMs: 200 }, {
      subscribers: [(e) => { if (['ks.state', 'ks.standby', 'ks.checkpoint', 'ks.closed'].includes(e.kind)) events.push(e); }],
    });
    expect(failed(r)).toEqual([]);
    // Every stateful standby reads its directory when it is assigned, as an active task does.
    const assigned = events.filter((e) => e.kind === 'ks.standby' && e.action === 'assigned' && (e.stores as string[]).length > 0);
    expect(assigned.length).toBeGreaterThan(0);
    for (const a of assigned) expect(events.some((e) => e.kind === 'ks.state' && e.standby === true && e.p === a.p && e.task === a.task && e.seq > a.seq)).toBe(true);
    // Well below 10,000 offsets of progress a standby writes no checkpoint until it closes; at the
    // shutdown each writes one naming the offsets it read up to.
    const standbyCheckpoints = events.filter((e) => e.kind === 'ks.checkpoint' && assigned.some((a) => a.p === e.p && a.task === e.task && a.seq < e.seq));
    expect(standbyCheckpoints.length).toBeGreaterThan(0);
    for (const c of standbyCheckpoints) {
      const closed = events.find((e) => e.kind === 'ks.closed' && e.p === c.p && e.seq > c.seq);
      expect(closed?.t, `${c.p} checkpointed standby ${String(c.task)} only as it shut down`).toBe(c.t);
      expect((c.offsets as string[])[0]).toMatch(/@\d+$/);
    }
  });
});
