/**
 * What this proves: a Kafka Streams instance whose commit is fenced
 * (PRODUCER_FENCED on the commit's offsets or its EndTxn) sends no abort
 * before it rejoins. Kafka's `TransactionManager` is then in a fatal state:
 * `beginAbort` sends nothing, `StreamsProducer.abortTransaction` swallows
 * the error, and the producer is closed and made again; the broker's fence
 * already aborted the transaction. An instance that lost its tasks any other
 * way still aborts (the other tests of the abort: abort-after-produces).
 *
 * How: wordcount on Kafka Streams, exactly-once, no random faults, and one
 * planned cut between ks-0 and the broker from 3,010 ms for 25,190 ms:
 * ks-0's commit offsets (sendOffsetsToTransaction) are cut off after its
 * transaction began, the broker's timeout sweep aborts the transaction and
 * bumps the epoch at 20 s, and when the cut heals the offsets' resend is the
 * first of ks-0's requests to arrive and is fenced. Traced with every network
 * send: between that loss and ks-0's next InitProducerId, ks-0 must send no
 * EndTxn. The run must pass its checks. An instance that still sent its
 * EndTxn(abort) under the fenced epoch fails.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { failed, run } from '../../explore/helpers.ts';

describe('a fenced commit', () => {
  it('sends no abort before the producer is made again', () => {
    const events: TraceEvent[] = [];
    const plan = { faults: [{ kind: 'partition' as const, atMs: 3_010, a: 'ks-0', b: 'broker', durationMs: 25_190 }] };
    const r = run({ scenario: 'wordcount', engine: 'kstreams', seed: 1, plan }, {
      traceIo: true,
      subscribers: [(e) => { if (e.p === 'ks-0' && (e.kind === 'ks.lost' || e.kind === 'net.send' || e.kind === 'producer.init')) events.push(e); }],
    });
    expect(failed(r)).toEqual([]);
    const lost = events.find((e) => e.kind === 'ks.lost' && /^(sendOffsetsToTransaction|commitTransaction): fenced/.test(String(e.reason)));
    expect(lost, 'the cut fences ks-0\'s commit').toBeDefined();
    const reinit = events.find((e) => e.kind === 'producer.init' && e.seq > lost!.seq);
    expect(reinit, 'ks-0 makes its producer again').toBeDefined();
    const sends = events.filter((e) => e.kind === 'net.send' && e.seq > lost!.seq && e.seq < reinit!.seq).map((e) => String(e.msg));
    expect(sends).toContain('txn.init');
    expect(sends).not.toContain('txn.end');
  });
});
