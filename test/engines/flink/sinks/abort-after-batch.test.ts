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
 * asked for its abort (found by a sweep of seeds 1-30 of every Flink
 * scenario: 20 of 300 runs). Each `txn.abort` a closing sink traces (once
 * the broker agreed) says when it asked (`requestedMs`; the build that
 * aborted at once traced it as it asked, so its time); a `log.append` of
 * that transaction after that time is a failure. The runs must also pass
 * their checks, and each must have a sink whose abort the broker agreed to.
 */
import { describe, expect, it } from 'vitest';
import { run, failed } from '../../../explore/helpers.ts';

const CASES: [string, number][] = [['etl', 3], ['bank', 3], ['sessions', 13], ['sliding-average', 15], ['ttl-visits', 15]];

describe('a cancelled Flink sink aborts after its batch in flight is answered', () => {
  for (const [scenario, seed] of CASES) {
    it(`${scenario}, heavy faults, seed ${seed}`, () => {
      const closedAt = new Map<string, number>();
      const appends: { txn: string; t: number }[] = [];
      const r = run({ scenario, engine: 'flink', seed, faults: 'heavy' }, {
        subscribers: [(e) => {
          if (e.kind === 'txn.abort' && e.reason === 'sink closed') closedAt.set(String(e.txn), typeof e.requestedMs === 'number' ? e.requestedMs : e.t);
          if (e.kind === 'log.append' && e.txn !== undefined) appends.push({ txn: String(e.txn), t: e.t });
        }],
      });
      expect(failed(r), r.token).toEqual([]);
      expect(closedAt.size).toBeGreaterThan(0);
      const late = appends.filter((a) => closedAt.has(a.txn) && a.t > closedAt.get(a.txn)!).map((a) => `${a.txn} asked to abort at ${closedAt.get(a.txn)} ms, appended at ${a.t} ms`);
      expect(late).toEqual([]);
    });
  }
});
