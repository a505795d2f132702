/**
 * What this proves: the same seed and settings give the same trace — event
 * for event, not only the same hash — for every scenario on many seeds under
 * swarm faults (crashes, partitions, disk faults, fault sites), and a
 * different seed gives a different trace.
 *
 * How: run each (scenario, seed) twice, collect both event streams, and ask
 * the divergence finder for the first event where they part: there must be
 * none. (The finder itself is tested on hand-altered traces in test/sim.)
 *
 * Also: a token run in a worker thread gives the same trace hash as here
 * (every sweep thread runs the same code), and a run made without its hash,
 * as a sweep runs its seeds, is the same run: the same report throughout,
 * only the hash left empty.
 */
import { describe, expect, it } from 'vitest';
import { firstDivergence } from '../../src/sim/trace.ts';
import { type TraceEvent } from '../../src/runtime/trace-event.ts';
import { run, SCENARIO_NAMES } from './helpers.ts';

function events(scenario: string, seed: number): { list: TraceEvent[]; hash: string } {
  const list: TraceEvent[] = [];
  const r = run({ scenario, seed, events: 300, faults: 'swarm' }, { subscribers: [(e) => void list.push(e)] });
  return { list, hash: r.traceHash };
}

describe.each(SCENARIO_NAMES)('determinism of %s', (scenario) => {
  it('replays every event identically on 6 swarm seeds', () => {
    const hashes = new Set<string>();
    for (let seed = 100; seed < 106; seed++) {
      const a = events(scenario, seed);
      const b = events(scenario, seed);
      expect(firstDivergence(a.list, b.list), `${scenario} seed ${seed}`).toBeUndefined();
      expect(b.hash).toBe(a.hash);
      hashes.add(a.hash);
    }
    expect(hashes.size).toBe(6);
  });
});

describe.each(['kstreams', 'spark'] as const)('determinism of wordcount on %s', (engine) => {
  it('replays every event identically on 3 swarm seeds', () => {
    for (let seed = 100; seed < 103; seed++) {
      const a: TraceEvent[] = [];
      const b: TraceEvent[] = [];
      const ra = run({ scenario: 'wordcount', engine, seed, events: 300, faults: 'swarm' }, { subscribers: [(e) => void a.push(e)] });
      const rb = run({ scenario: 'wordcount', engine, seed, events: 300, faults: 'swarm' }, { subscribers: [(e) => void b.push(e)] });
      expect(firstDivergence(a, b), `${engine} seed ${seed}`).toBeUndefined();
      expect(rb.traceHash).toBe(ra.traceHash);
    }
  });
});

describe('the trace hash and the threads', () => {
  it('a token gives the same trace hash in a worker thread as in this one', async () => {
    const { Worker } = await import('node:worker_threads');
    for (const [scenario, engine] of [['bank', 'flink'], ['wordcount', 'kstreams'], ['wordcount', 'spark']] as const) {
      const report = run({ scenario, engine, seed: 7, events: 300, faults: 'swarm' });
      const worker = new Worker(new URL('./fixtures/hash-worker.mjs', import.meta.url), { workerData: { token: report.token } });
      const there = await new Promise<string>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      expect(there, `${scenario} on ${engine}`).toBe(report.traceHash);
    }
  }, 60_000);

  it('a run that keeps no trace hash (as a sweep runs its seeds) is the same run: the same report, the hash left empty', () => {
    for (const [scenario, engine] of [['bank', 'flink'], ['sessions', 'flink'], ['wordcount', 'kstreams'], ['wordcount', 'spark']] as const) {
      for (const seed of [3, 4]) {
        const settings = { scenario, engine, seed, events: 300, faults: 'swarm' as const };
        const hashed = run(settings);
        const bare = run(settings, { hashTrace: false });
        expect(bare.traceHash).toBe('');
        expect(hashed.traceHash).toMatch(/^[0-9a-f]{16}$/);
        expect({ ...bare, traceHash: hashed.traceHash }, `${scenario} on ${engine} seed ${seed}`).toEqual(hashed);
      }
    }
  });
});
