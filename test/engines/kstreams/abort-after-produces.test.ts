/**
 * What this proves: a Kafka Streams instance that loses its tasks under
 * exactly-once sends its abort only after every produce it had in flight
 * was answered, as Kafka's producer does (`TransactionManager.nextRequest`
 * holds EndTxn back while a batch is incomplete). So no write of the
 * aborted transaction's epoch reaches the broker after the abort: it can
 * neither open a new transaction under the old epoch nor be fenced by the
 * new one.
 *
 * How: runs under heavy faults on seeds where, when the abort did not
 * wait, such a write arrived after the abort (found by a sweep of seeds
 * 1-30 of every Kafka Streams scenario; enrich's seed 24 aborts nothing
 * since the broker answers EndTxn once its decision is durable, and seed
 * 56, the first of enrich's seeds 1-200 where an abort sent at the loss
 * was followed by a write of its epoch, replaced it); traced, each abort
 * an instance asked for is remembered by transactional id and epoch, and
 * a later `txn.begin` or fenced produce under that id and epoch is a
 * failure. The runs must also pass their checks.
 */
import { describe, expect, it } from 'vitest';
import { run, failed } from '../../explore/helpers.ts';

const CASES: [string, number][] = [['join', 14], ['tables', 14], ['sliding-average', 17], ['sliding-average', 27], ['enrich', 56]];

describe('Kafka Streams aborts after its writes in flight are answered', () => {
  for (const [scenario, seed] of CASES) {
    it(`${scenario}, heavy faults, seed ${seed}`, () => {
      const aborted = new Set<string>();
      const after: string[] = [];
      let aborts = 0;
      const r = run({ scenario, engine: 'kstreams', seed, faults: 'heavy' }, {
        subscribers: [(e) => {
          const key = `${String(e.txnId)}@${String(e.epoch)}`;
          if (e.kind === 'txn.abort' && e.reason === 'requested' && String(e.txnId).startsWith('weir-app-')) {
            aborted.add(key);
            aborts++;
          }
          if (aborted.has(key) && (e.kind === 'txn.begin' || (e.kind === 'txn.fenced' && e.op === 'produce'))) after.push(`${e.kind} ${key} at ${e.t} ms`);
        }],
      });
      expect(failed(r), r.token).toEqual([]);
      expect(aborts).toBeGreaterThan(0);
      expect(after).toEqual([]);
    });
  }
});

/**
 * What this proves: a thread that loses its tasks first prepares a commit of each, as Kafka's
 * `TaskManager.closeTaskDirty` does (`StreamTask.prepareCommit`: the caches flushed, then the
 * producer), and only then closes them dirty. Under at-least-once what the caches held is
 * written and stays visible (the duplicates at-least-once allows).
 *
 * How: the kstreams lesson's faults (ks-0 cut off from the broker from 1.3 to 5.2 s, so its
 * heartbeat finds the group let it go) under at-least-once, whose 30 s commit interval leaves
 * ks-0's caches full: the broker appends output and changelog records within 20 ms after ks-0
 * traced its loss, with no transaction; without the flush it appends none then.
 */
describe('Kafka Streams flushes the tasks it lost before it closes them', () => {
  it('at-least-once: the zombie\'s cached counts reach the output after its loss', () => {
    const events: { kind: string; p: string; t: number; topic?: unknown; txn?: unknown; count?: unknown }[] = [];
    const r = run({
      scenario: 'wordcount', engine: 'kstreams', seed: 9, events: 600, guarantee: 'at-least-once',
      plan: { faults: [{ kind: 'partition', atMs: 1_300, a: 'ks-0', b: 'broker', durationMs: 3_900 }, { kind: 'crash', atMs: 2_600, process: 'ks-1', restartAfterMs: 300 }] },
    }, { subscribers: [(e) => events.push(e)] });
    expect(r.checks.find((c) => c.name === 'liveness')!.ok).toBe(true);
    const lost = events.findIndex((e) => e.kind === 'ks.lost' && e.p === 'ks-0');
    expect(lost).toBeGreaterThan(0);
    // Within 20 ms of the loss (ks-1 flushes its caches only at its 30 s commits or when they fill).
    const until = events[lost]!.t + 20;
    const between = events.slice(lost).filter((e) => e.t <= until).filter((e) => e.kind === 'log.append' && (e.topic === 'output' || String(e.topic).endsWith('-changelog')));
    expect(between.length).toBeGreaterThan(0);
    expect(between.every((e) => e.txn === undefined)).toBe(true);
  });
});
