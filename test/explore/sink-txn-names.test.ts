/**
 * What this proves: a Flink sink numbers its transactions as Flink's
 * KafkaSink numbers its transactional ids. An attempt's first transaction is
 * opened for the checkpoint after the one it restored (1 when none), each
 * later one for the checkpoint after the barrier that opened it; so the
 * number in a transaction's name is never above the checkpoint that
 * pre-commits it, and a restored attempt's names go on from the restored
 * checkpoint instead of starting at 1 again.
 *
 * How: one fixed seed of `bank` with an explicit crash of a task manager
 * (the job restarts from its latest completed checkpoint), and the sinks'
 * `txn.begin` / `txn.precommit` events and the job manager's `job.restore`.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { failed, run } from './helpers.ts';

const NAME = /^(.+)-a(\d+)-c(\d+)$/;

describe("a Flink sink's transactional ids", () => {
  it('number on from the restored checkpoint, and never above the checkpoint that pre-commits them', () => {
    const events: TraceEvent[] = [];
    const report = run(
      { scenario: 'bank', seed: 3, faults: 'none', plan: { faults: [{ kind: 'crash', atMs: 2_500, process: 'tm-0', restartAfterMs: 300 }] } },
      { subscribers: [(e) => { if (e.kind === 'job.restore' || (e.p !== 'broker' && (e.kind === 'txn.begin' || e.kind === 'txn.precommit'))) events.push(e); }] },
    );
    expect(failed(report)).toEqual([]);
    const restored = new Map(events.filter((e) => e.kind === 'job.restore').map((e) => [e.attempt as number, e.checkpoint as number]));
    expect(restored.get(1)).toBeGreaterThan(1);
    // Each sink's first transaction of each attempt.
    const first = new Map<string, number>();
    for (const e of events.filter((x) => x.kind === 'txn.begin')) {
      const [, sink, attempt, label] = NAME.exec(String(e.txn))!;
      const key = `${sink} a${attempt}`;
      if (!first.has(key)) first.set(key, Number(label));
    }
    const firstOfAttempt1 = [...first].filter(([k]) => k.endsWith(' a1'));
    expect(firstOfAttempt1.length).toBeGreaterThan(0);
    for (const [, label] of firstOfAttempt1) expect(label).toBe(restored.get(1)! + 1);
    for (const [k, label] of first) if (k.endsWith(' a0')) expect(label).toBe(1);
    const precommits = events.filter((e) => e.kind === 'txn.precommit');
    expect(precommits.some((e) => String(e.txn).includes('-a1-'))).toBe(true);
    for (const e of precommits) expect(Number(NAME.exec(String(e.txn))![3])).toBeLessThanOrEqual(e.checkpoint as number);
  });
});
