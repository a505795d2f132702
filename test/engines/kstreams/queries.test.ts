/**
 * What this proves: interactive queries read what the instances' stores
 * really hold, with Kafka's meanings, at any point of a run, without
 * changing the run.
 *
 * - Pausing a run (at a virtual time, after a trace event, at the job's end)
 *   leaves its trace hash unchanged.
 * - At the job's end, the window store read through the instances, key by
 *   key and window by window, equals the last committed result of each
 *   window it shows (the output holds the same count and the same
 *   records), and shows every window but those its retention hides
 *   (restored, not written since, older than the store's stream time less
 *   size + grace: Kafka's queries pass over them as its lookups do); the
 *   instance `queryMetadataForKey` names answers for the key and no other.
 * - An instance that is restoring is REBALANCING and refuses a query unless
 *   stale stores are enabled; a crashed one is NOT_RUNNING and refuses even
 *   then; an unknown store, a partition not hosted and a store of another
 *   kind are refused with Kafka's exceptions.
 * - A stream–stream join's window store, which keeps duplicates, shows each
 *   buffered record at its key and timestamp (Kafka's window key schema
 *   drops the sequence number), checked against the generated input.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidStateStoreException, InvalidStateStorePartitionException, StateStoreMigratedException, StateStoreNotAvailableException, UnknownStateStoreException,
  type RunPause, type WindowResult,
} from '../../../src/index.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import type { PausePoint } from '../../../src/explore/run.ts';
import { run } from '../../explore/helpers.ts';
import { findScenario } from '../../../scenarios/index.ts';
import { rootRng } from '../../../src/sim/rng.ts';

type Agg = { agg: number; ids: number[]; firing: number };
const settings = { scenario: 'wordcount', engine: 'kstreams' as const, seed: 2, faults: 'heavy' as const };

describe('interactive queries', () => {
  it('pauses leave the run as it was (same trace hash)', () => {
    const plain = run(settings);
    const paused = run(settings, { pauses: { at: [{ atMs: 3_000 }, { atEvent: 2_000 }, 'finished'], onPause: (p) => p.kstreams?.instances().forEach((i) => p.kstreams!.state(i)) } });
    expect(paused.traceHash).toBe(plain.traceHash);
  });

  it('at the end, the window store read through the instances equals the last committed result of each window', () => {
    let output: WindowResult[] = [];
    let store = new Map<string, Agg>();
    let owner: { key: string; active: string | undefined; answers: string[] } | undefined;
    const r = run(settings, {
      onOutput: (o) => (output = o as WindowResult[]),
      pauses: {
        at: ['finished'],
        onPause: (p) => {
          const q = p.kstreams!;
          expect(q.instances()).toEqual(['ks-0', 'ks-1']);
          store = new Map();
          for (const i of q.instances()) {
            for (const e of q.windowStore<Agg>(i, 'counts').all()) {
              expect(store.has(`${e.key}@${e.start}`)).toBe(false); // one active copy per window
              store.set(`${e.key}@${e.start}`, e.value);
            }
          }
          const meta = q.queryMetadataForKey('counts', 'k3');
          owner = { key: 'k3', active: meta.active, answers: q.instances().filter((i) => q.windowStore(i, 'counts').fetchRange('k3', 0, 1e9).length > 0) };
        },
      },
    });
    expect(r.ok).toBe(true);
    const last = new Map<string, WindowResult>();
    for (const o of output) {
      const k = `${o.key}@${o.start}`;
      if ((last.get(k)?.firing ?? -1) < o.firing) last.set(k, o);
    }
    expect(last.size).toBeGreaterThan(100);
    // A window the query does not show is one the store's retention hides (Kafka's queries go
    // through the same bound as the lookups): restored, not written since, and older than the
    // store's stream time less size + grace (wordcount's 1,000 + 200 ms), so older than the newest
    // window less that. Every window shown is the last committed result.
    const newest = Math.max(...output.map((o) => o.start));
    let hidden = 0;
    for (const [k, o] of last) {
      const v = store.get(k);
      if (v === undefined) {
        expect(o.start, k).toBeLessThan(newest - 1_200 + 1);
        hidden++;
        continue;
      }
      expect(v.agg).toBe(o.value);
      expect([...v.ids].sort((a, b) => a - b)).toEqual(o.ids);
    }
    expect(store.size).toBe(last.size - hidden);
    expect(store.size).toBeGreaterThan(100);
    expect(hidden).toBeGreaterThan(0);
    expect(owner!.active).toBeDefined();
    expect(owner!.answers).toEqual([owner!.active]);
  });

  it('refuses a restoring instance unless stale stores are enabled, and a crashed one always', () => {
    // Where ks-1 restores after its restart, and when it is down, from a first run's trace.
    const plan = { faults: [{ kind: 'crash' as const, atMs: 6_000, process: 'ks-1', restartAfterMs: 500 }] };
    const events: TraceEvent[] = [];
    run({ ...settings, faults: 'none', plan }, { subscribers: [(e) => { if (e.p === 'ks-1' && (e.kind === 'ks.assigned' || e.kind === 'proc.restart')) events.push(e); }] });
    const restart = events.find((e) => e.kind === 'proc.restart')!;
    const assigned = events.find((e) => e.kind === 'ks.assigned' && e.seq > restart.seq && (e.tasks as string[]).length > 0)!;
    const seen: Record<string, unknown> = {};
    const at: PausePoint[] = [{ atMs: 6_200 }, { atEvent: assigned.seq }];
    run({ ...settings, faults: 'none', plan }, {
      pauses: {
        at,
        onPause: (p: RunPause) => {
          const q = p.kstreams!;
          const tag = 'atMs' in (p.at as object) ? 'down' : 'restoring';
          seen[`${tag}.state`] = q.state('ks-1');
          const tryQuery = (stale: boolean): string => {
            try {
              q.store('ks-1', { storeName: 'counts', staleStores: stale });
              return 'ok';
            } catch (e) {
              return (e as Error).name;
            }
          };
          seen[`${tag}.fresh`] = tryQuery(false);
          seen[`${tag}.stale`] = tryQuery(true);
        },
      },
    });
    expect(seen).toEqual({
      'down.state': 'NOT_RUNNING', 'down.fresh': 'StateStoreNotAvailableException', 'down.stale': 'StateStoreNotAvailableException',
      'restoring.state': 'REBALANCING', 'restoring.fresh': 'StateStoreMigratedException', 'restoring.stale': 'ok',
    });
  });

  it('refuses an unknown store, a partition the instance does not host and a store of another kind', () => {
    run({ ...settings, faults: 'none' }, {
      pauses: {
        at: ['finished'],
        onPause: (p) => {
          const q = p.kstreams!;
          expect(() => q.store('ks-0', 'no-such-store')).toThrow(UnknownStateStoreException);
          const hosted = (i: string) => [0, 1, 2, 3].filter((partition) => {
            try {
              q.store(i, { storeName: 'counts', partition });
              return true;
            } catch (e) {
              expect(e).toBeInstanceOf(InvalidStateStorePartitionException);
              return false;
            }
          });
          // Each partition's active task is on exactly one instance.
          expect([...hosted('ks-0'), ...hosted('ks-1')].sort()).toEqual([0, 1, 2, 3]);
          expect(() => q.keyValueStore('ks-0', 'counts')).toThrow(InvalidStateStoreException);
          expect(() => q.keyValueStore('ks-0', 'counts')).not.toThrow(StateStoreMigratedException);
          expect(() => q.windowStore('ks-0', 'counts')).not.toThrow();
          expect(StateStoreNotAvailableException.prototype).toBeInstanceOf(InvalidStateStoreException);
        },
      },
    });
  });

  it('a join store shows each buffered record at its key and timestamp, the sequence number dropped', () => {
    const scenario = findScenario('join')!;
    const input = new Map(scenario.workload(rootRng(1).fork('workload'), scenario.defaults).records.map((r) => [r.id, r]));
    let checked = 0;
    const r = run({ scenario: 'join', engine: 'kstreams', seed: 1 }, {
      pauses: {
        at: [{ atMs: 4_000 }],
        onPause: (p) => {
          const q = p.kstreams!;
          const joinStores = q.stores().filter((st) => st.kind === 'window' && st.name.endsWith('-join-store'));
          expect(joinStores.length).toBe(2);
          for (const i of q.instances()) {
            for (const st of joinStores) {
              for (const e of q.windowStore<{ value: unknown; ids: number[] }>(i, st.name).all()) {
                const rec = input.get(e.value.ids[0]!)!;
                expect(e.key).toBe(rec.key);
                expect(e.start).toBe(rec.ts);
                checked++;
              }
            }
          }
        },
      },
    });
    expect(r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});
