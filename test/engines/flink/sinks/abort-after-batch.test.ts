/**
 * What this proves: a two-phase sink whose task is cancelled sends the
 * abort of its open transaction only once the batch it has in flight is
 * answered, as Flink's KafkaWriter does by aborting through its Kafka
 * producer (which holds EndTxn back while a batch it sent is incomplete).
 * So every batch of the transaction reaches the broker before the sink
 * asks for the abort: none can land after it, behind the abort's back.
 *
 * How: runs under heavy faults on seeds where, when the sink aborted at
 * once, the broker appended a batch of the transaction after the sink had
 * traced its abort (found by a sweep of seeds 1-30 of every Flink
 * scenario: 20 of 300 runs). Traced, each `txn.abort` a closing sink
 * emits is remembered by transactional id, and a later `log.append` of
 * that transaction is a failure. The runs must also pass their checks,
 * and each must have a sink that closed with a transaction open.
 */
import { describe, expect, it } from 'vitest';
import { run, failed } from '../../../explore/helpers.ts';

const CASES: [string, number][] = [['etl', 3], ['bank', 3], ['sessions', 13], ['sliding-average', 15], ['ttl-visits', 15]];

describe('a cancelled Flink sink aborts after its batch in flight is answered', () => {
  for (const [scenario, seed] of CASES) {
    it(`${scenario}, heavy faults, seed ${seed}`, () => {
      const closedAt = new Map<string, number>();
      const late: string[] = [];
      const r = run({ scenario, engine: 'flink', seed, faults: 'heavy' }, {
        subscribers: [(e) => {
          if (e.kind === 'txn.abort' && e.reason === 'sink closed') closedAt.set(String(e.txn), e.t);
          if (e.kind === 'log.append' && e.txn !== undefined && closedAt.has(String(e.txn))) late.push(`${String(e.txn)} aborted at ${closedAt.get(String(e.txn))} ms, appended at ${e.t} ms`);
        }],
      });
      expect(failed(r), r.token).toEqual([]);
      expect(closedAt.size).toBeGreaterThan(0);
      expect(late).toEqual([]);
    });
  }
});
