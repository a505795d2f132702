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
 * 1-30 of every Kafka Streams scenario); traced, each abort an instance
 * asked for is remembered by transactional id and epoch, and a later
 * `txn.begin` or fenced produce under that id and epoch is a failure. The
 * runs must also pass their checks.
 */
import { describe, expect, it } from 'vitest';
import { run, failed } from '../../explore/helpers.ts';

const CASES: [string, number][] = [['join', 14], ['tables', 14], ['sliding-average', 17], ['sliding-average', 27], ['enrich', 24]];

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
