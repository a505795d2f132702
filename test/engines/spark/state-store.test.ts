/**
 * The Spark state store's files (HDFSBackedStateStoreProvider, part S8).
 *
 * What this proves: each version is a delta (puts and removes) and every
 * 5th also a snapshot; loading a version from its newest snapshot and the
 * deltas after it gives exactly the state written as that version, for
 * every version maintenance keeps; maintenance keeps the latest − 10 on
 * loadable and deletes what is older than that version's chain; a re-run
 * overwrites a delta with the same content; a missing delta fails the
 * load; and the planted cleanup bug leaves a recent version unloadable.
 * How: a store kept in a map, driven version by version with random states
 * from a seeded generator, and a whole run whose file-by-file state the
 * sweep judges.
 */
import { describe, expect, it } from 'vitest';
import { RETAIN, SNAPSHOT_EVERY, StateStoreFiles, type StateRead } from '../../../src/engines/spark/state-store.ts';
import type { StoreClient } from '../../../src/engines/spark/store.ts';
import { runScenario } from '../../../src/explore/run.ts';

function memoryStore(): { client: StoreClient; files: Map<string, string> } {
  const files = new Map<string, string>();
  const client = {
    add: (path: string, content: string, overwrite: boolean, cb: (created: boolean) => void) => {
      if (!overwrite && files.has(path)) return cb(false);
      files.set(path, content);
      cb(true);
    },
    get: (path: string, cb: (content: string | null) => void) => cb(files.get(path) ?? null),
    list: (prefix: string, cb: (paths: string[]) => void) => cb([...files.keys()].filter((p) => p.startsWith(prefix)).sort()),
    delete: (paths: string[], cb: () => void) => {
      for (const p of paths) files.delete(p);
      cb();
    },
  } as unknown as StoreClient;
  return { client, files };
}

const sorted = (xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

/** A small deterministic generator (no Math.random in tests either: every run draws the same states). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function load(files: StateStoreFiles, v: number): unknown[] {
  let out: unknown[] | undefined;
  files.load(v, (e) => (out = e));
  return out!;
}

describe('state files: deltas, snapshots, maintenance', () => {
  it('every kept version loads back exactly; older files are gone', () => {
    const { client, files: disk } = memoryStore();
    const store = new StateStoreFiles(client, 0);
    const rnd = lcg(7);
    const versions: unknown[][] = [[]];
    for (let v = 1; v <= 37; v++) {
      // Keys 0..9, each present with some chance, with a value that changes now and then.
      const prev = new Map((versions[v - 1] as { k: number; n: number }[]).map((e) => [e.k, e.n]));
      const next: { k: number; n: number }[] = [];
      for (let k = 0; k < 10; k++) {
        const r = rnd();
        if (r < 0.2) continue;
        next.push({ k, n: r < 0.6 && prev.has(k) ? prev.get(k)! : Math.floor(rnd() * 100) });
      }
      const read = StateStoreFiles.texts(load(store, v - 1));
      let done = false;
      store.commit(v, read, next, () => (done = true));
      expect(done).toBe(true);
      versions.push(next);
      expect(disk.has(`state/0/0/${v}.delta`)).toBe(true);
      expect(disk.has(`state/0/0/${v}.snapshot`)).toBe(v % SNAPSHOT_EVERY === 0);
    }
    for (let v = 37 - RETAIN; v <= 37; v++) expect(sorted(load(store, v)), `version ${v}`).toEqual(sorted(versions[v]!));
    // 37 − 10 = 27 starts from snapshot 25: everything older is deleted.
    const left = [...disk.keys()].map((p) => Number(/(\d+)\./.exec(p)![1])).sort((a, b) => a - b);
    expect(left[0]).toBe(25);
    expect(() => load(store, 24)).toThrow(/Error reading delta file/);
  });

  it('a re-run writes the same delta again; a missing delta fails the load', () => {
    const { client, files: disk } = memoryStore();
    const store = new StateStoreFiles(client, 3);
    store.commit(1, new Set(), [{ a: 1 }, { b: 2 }], () => {});
    store.commit(2, StateStoreFiles.texts(load(store, 1)), [{ a: 1 }, { c: 3 }], () => {});
    const first = disk.get('state/0/3/2.delta');
    expect(JSON.parse(first!)).toEqual({ put: [{ c: 3 }], remove: ['{"b":2}'] });
    store.commit(2, StateStoreFiles.texts(load(store, 1)), [{ a: 1 }, { c: 3 }], () => {});
    expect(disk.get('state/0/3/2.delta')).toBe(first);
    disk.delete('state/0/3/1.delta');
    expect(() => load(store, 2)).toThrow(/state\/0\/3\/1\.delta of state version 2: it does not exist/);
  });

  it('the planted cleanup keeps only the newest chain: the version before a snapshot cannot be loaded', () => {
    const { client } = memoryStore();
    const store = new StateStoreFiles(client, 0, { cleanupLatestOnly: true });
    for (let v = 1; v <= 5; v++) store.commit(v, StateStoreFiles.texts(load(store, v - 1)), [{ v }], () => {});
    expect(load(store, 5)).toEqual([{ v: 5 }]);
    expect(() => load(store, 4)).toThrow(/Error reading delta file/);
  });
});

/** The entries of a version after `prev`: some kept as they are, some replaced by changed ones, some dropped, some new. */
function nextState(prev: readonly { k: number; n: number[] }[], rnd: () => number, change: (e: { k: number; n: number[] }) => { k: number; n: number[] }): { k: number; n: number[] }[] {
  const out: { k: number; n: number[] }[] = [];
  const seen = new Set<number>();
  for (const e of prev) {
    seen.add(e.k);
    const r = rnd();
    if (r < 0.15) continue;
    out.push(r < 0.6 ? e : change(e));
  }
  for (let k = 0; k < 12; k++) if (!seen.has(k) && rnd() < 0.3) out.push({ k, n: [k] });
  return out;
}

describe('kept texts and parsed files', () => {
  for (const copies of [false, true]) {
    it(`writes the same files as a store that keeps nothing (${copies ? 'entries handed out as copies, changed in place' : 'entries handed out as held, never changed'})`, () => {
      const fresh = memoryStore();
      const kept = memoryStore();
      const store = new StateStoreFiles(kept.client, 0);
      const rnd = lcg(copies ? 5 : 3);
      for (let v = 1; v <= 23; v++) {
        let entries: unknown[] = [];
        let read: StateRead | undefined;
        store.load(v - 1, (e, _i, r) => {
          entries = e;
          read = r;
        }, copies);
        // The same version from a store with no memory of its own (loaded again from the files).
        const reference = new StateStoreFiles(fresh.client, 0);
        const before = StateStoreFiles.texts(load(reference, v - 1));
        expect([...before].sort()).toEqual(entries.map((e) => JSON.stringify(e)).sort());
        const after = nextState(entries as { k: number; n: number[] }[], rnd, (e) => {
          if (!copies) return { ...e, n: [...e.n, v] };
          e.n.push(v);
          return e;
        });
        // The reference writes from the texts alone, with entries it cannot have seen.
        reference.commit(v, before, after.map((e) => JSON.parse(JSON.stringify(e)) as unknown), () => {});
        store.commit(v, read!, after, () => {});
        expect(Object.fromEntries(kept.files), `version ${v}`).toEqual(Object.fromEntries(fresh.files));
      }
    });
  }
});

describe('a whole run', () => {
  it('re-runs read their version from the files; the bug that deletes them is caught', () => {
    const base = { scenario: 'wordcount', engine: 'spark' as const, guarantee: 'exactly-once' as const, faults: 'heavy' as const, events: 600 };
    let loads = 0;
    const ok = runScenario({ ...base, seed: 2, bugs: [] }, { subscribers: [(e) => { if (e.kind === 'spark.state.load' && (e.deltas as number) > 0) loads++; }] });
    expect(ok.ok, JSON.stringify(ok.checks.filter((c) => !c.ok))).toBe(true);
    expect(loads).toBeGreaterThan(10);
    const bad = runScenario({ ...base, seed: 2, bugs: ['spark-state-cleanup-latest-only'] });
    expect(bad.checks.find((c) => !c.ok)?.detail).toMatch(/Error reading (delta|snapshot) file/);
  });
});
