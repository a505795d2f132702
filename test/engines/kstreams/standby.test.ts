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

/**
 * The standbys wait while the active tasks restore: Kafka's
 * `StoreChangelogReader` pauses the standby changelogs in the restore
 * consumer while any active changelog restores (`enforceRestoreActive`,
 * ACTIVE_RESTORING) and resumes them once all have restored
 * (STANDBY_UPDATING); an instance whose thread waits in `initTransactions`
 * polls no changelog at all. Checked on runs with one standby per task: every
 * active store's restoration ends while its instance's standbys are paused
 * (`ks.standbys-paused` … `ks.standbys-resumed`), no standby reports catching
 * up inside a pause, every pause ends, and the run passes its checks (the
 * promoted stores are judged by `ks.restore`).
 */
describe('standbys while the active tasks restore', () => {
  it.each([1, 5])('heavy seed %i: are paused until every active store has restored', (seed) => {
    const events: TraceEvent[] = [];
    const r = run({ scenario: 'wordcount', engine: 'kstreams', faults: 'heavy', seed, standbyReplicas: 1 }, {
      subscribers: [(e) => { if (['ks.standbys-paused', 'ks.standbys-resumed', 'ks.standby', 'ks.restored', 'proc.crash'].includes(e.kind)) events.push(e); }],
    });
    expect(failed(r)).toEqual([]);
    const paused = new Map<string, boolean>();
    // The standby tasks each instance holds (assigned, until promoted, closed or crashed).
    const held = new Map<string, Set<string>>();
    const holds = (p: string): Set<string> => held.get(p) ?? held.set(p, new Set()).get(p)!;
    let restoredWhilePaused = 0;
    let pauses = 0;
    for (const e of events) {
      if (e.kind === 'proc.crash') {
        paused.delete(e.p);
        held.delete(e.p);
      } else if (e.kind === 'ks.standby' && e.action === 'assigned') holds(e.p).add(String(e.task));
      else if (e.kind === 'ks.standby' && (e.action === 'promoted' || e.action === 'closed')) holds(e.p).delete(String(e.task));
      else if (e.kind === 'ks.standbys-paused') {
        expect(paused.get(e.p), `${e.p} paused twice at ${e.t} ms`).not.toBe(true);
        paused.set(e.p, true);
        pauses++;
      } else if (e.kind === 'ks.standbys-resumed') {
        expect(paused.get(e.p), `${e.p} resumed at ${e.t} ms without a pause`).toBe(true);
        paused.set(e.p, false);
      } else if (e.kind === 'ks.standby' && e.action === 'caught-up') {
        expect(paused.get(e.p) === true, `${e.p}'s standby ${String(e.task)} caught up at ${e.t} ms while paused`).toBe(false);
      } else if (e.kind === 'ks.restored' && holds(e.p).size > 0) {
        // An instance that holds standbys: its active store's restoration ends inside a pause.
        expect(paused.get(e.p), `${e.p} restored ${String(e.task)} at ${e.t} ms with its standbys running`).toBe(true);
        restoredWhilePaused++;
      }
    }
    expect(pauses).toBeGreaterThan(0);
    expect(restoredWhilePaused).toBeGreaterThan(0);
    // Every pause that the instance lived through ended.
    for (const [p, on] of paused) expect(on, `${p} ended the run with its standbys paused`).toBe(false);
  });
});
