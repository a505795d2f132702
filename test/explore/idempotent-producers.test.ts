/**
 * What this proves: under at-least-once, a batch the log client sends again
 * after losing the broker's reply is written once, on every engine's plain
 * sink, because Kafka's producers are idempotent by default
 * (`enable.idempotence`): at-least-once duplicates come from replaying
 * input after a failure, not from retried requests.
 *
 * How: `etl` at-least-once with no faults but one network cut between the
 * process that writes the output and the broker, long enough for requests
 * to time out and be sent again, too short for any restart: the output then
 * holds every input record exactly once (the cut times below duplicated a
 * record before the producers were idempotent). Spark's plain writes are
 * checked at the level of the request: a write that failed is sent again
 * with the same producer id and sequence number.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/explore/run.ts';
import { IdempotentProducer, plainWrites } from '../../src/engines/spark/sink-txn.ts';
import type { LogClient } from '../../src/log/client.ts';
import type { ProducerRef } from '../../src/log/protocol.ts';

function duplicates(engine: 'flink' | 'kstreams', process: string, atMs: number, durationMs = 250): { dups: number; outputs: number; failed: string[] } {
  const ids: number[] = [];
  const report = runScenario(
    { scenario: 'etl', engine, seed: 1, guarantee: 'at-least-once', faults: 'none', bugs: [], plan: { faults: [{ kind: 'partition', atMs, a: process, b: 'broker', durationMs }] } },
    { onOutput: (out) => { for (const o of out) if (o.type === 'mapped') ids.push(o.id); } },
  );
  return { dups: ids.length - new Set(ids).size, outputs: ids.length, failed: report.checks.filter((c) => !c.ok).map((c) => c.name) };
}

describe('idempotent producers under at-least-once', () => {
  it("Flink's plain sink writes a batch retried after a lost reply once", () => {
    for (const at of [500, 1_400, 3_000]) {
      const r = duplicates('flink', 'tm-0', at);
      expect(r.failed, `cut at ${at}`).toEqual([]);
      expect(r.outputs, `cut at ${at}`).toBeGreaterThan(500);
      expect(r.dups, `cut at ${at}`).toBe(0);
    }
  });

  it("Kafka Streams' producer writes a batch retried after a lost reply once (no crash, no rebalance)", () => {
    // 450 ms: over two request timeouts, under the session timeout.
    const r = duplicates('kstreams', 'ks-0', 1_500, 450);
    expect(r.failed).toEqual([]);
    expect(r.outputs).toBeGreaterThan(500);
    expect(r.dups).toBe(0);
  });

  it("Spark's plain writes send a failed batch again with its producer id and sequence number", () => {
    const sent: { partition: number; producer: ProducerRef | undefined }[] = [];
    let failures = 1;
    const log = {
      produce(_topic: string, partition: number, _records: unknown[], opts: { producer?: ProducerRef }, cb: (r: { ok: boolean }) => void) {
        sent.push({ partition, producer: opts.producer });
        cb({ ok: failures-- <= 0 });
      },
    } as unknown as LogClient;
    const timers = { after: (_ms: number, fn: () => void) => { fn(); return { cancel() {} }; } };
    let done = false;
    plainWrites(log, timers as never, new IdempotentProducer('executor-0#1'), 'out', [[0, ['a']], [1, ['b']]], () => (done = true));
    expect(done).toBe(true);
    expect(sent).toEqual([
      { partition: 0, producer: { id: 'executor-0#1', seq: 0 } },
      { partition: 0, producer: { id: 'executor-0#1', seq: 0 } },
      { partition: 1, producer: { id: 'executor-0#1', seq: 1 } },
    ]);
  });
});
