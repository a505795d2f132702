/**
 * What this proves: a Kafka Streams task lost while it still waits for its
 * producer's InitProducerId (its instance restarted or reset, its
 * assignment in, no store registered yet) is closed clean, as Kafka's
 * `handleLostAll` closes tasks pending initialisation: its state directory
 * is not wiped, so the checkpoint an earlier clean close left there is
 * loaded at its next initialisation. And the producer the loss resets
 * sends nothing more: the old producer's InitProducerId is not sent again
 * after the reset, so it cannot bump the epoch under the new producer and
 * fence it.
 *
 * How: planned faults on `wordcount` (no random faults). ks-0 crashes at
 * 1,000 ms and is back at 4,000, so the rebalance that gives its tasks back
 * closes ks-1's copies of them clean (checkpoints in ks-1's directories);
 * both crash around 6,000 ms, ks-1 alone comes back and is given every task,
 * and a partition between ks-1 and the broker right after that assignment
 * makes the group let it go while its producer initialises. The trace must
 * show that loss with tasks not yet initialised, then those tasks loading
 * their checkpoints after the rejoin, and no fenced ks-1. A second plan cuts
 * ks-0 from the broker during its first InitProducerId for 6 s: the retried
 * request must not fence the producer made after the loss. On the code that
 * closed such tasks dirty and let the old request go on, both fail.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import type { RunSettings } from '../../../src/explore/settings.ts';
import { runScenario } from '../../../src/explore/run.ts';

const KINDS = new Set(['ks.assigned', 'ks.state', 'ks.running', 'ks.lost', 'ks.producer', 'proc.crash']);

function traced(plan: NonNullable<RunSettings['plan']>): { events: TraceEvent[]; failed: string[] } {
  const events: TraceEvent[] = [];
  const report = runScenario(
    { scenario: 'wordcount', engine: 'kstreams', seed: 1, faults: 'none', guarantee: 'exactly-once', bugs: [], plan },
    { hashTrace: false, subscribers: [(e) => { if (KINDS.has(e.kind)) events.push({ ...e }); }] },
  );
  return { events, failed: report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`) };
}

/** The losses of `p` that took tasks no `ks.state` or `ks.running` had initialised since their assignment. */
function lossesWhilePending(events: readonly TraceEvent[], p: string): { at: number; pending: string[] }[] {
  let pending = new Set<string>();
  const out: { at: number; pending: string[] }[] = [];
  for (const [i, e] of events.entries()) {
    if (e.p !== p) continue;
    if (e.kind === 'ks.assigned') pending = new Set(e.tasks as string[]);
    else if (e.kind === 'ks.state' || e.kind === 'ks.running') pending.delete(e.task as string);
    else if (e.kind === 'proc.crash') pending = new Set();
    else if (e.kind === 'ks.lost') {
      if (pending.size > 0) out.push({ at: i, pending: [...pending].sort() });
      pending = new Set();
    }
  }
  return out;
}

const fenced = (events: readonly TraceEvent[], p: string) => events.filter((e) => e.p === p && e.kind === 'ks.lost' && String(e.reason).includes('fenced'));

describe('a Kafka Streams task lost while its producer initialises', () => {
  it('is closed clean: its directory keeps the checkpoint an earlier clean close wrote, loaded after the rejoin', () => {
    const { events, failed } = traced({
      faults: [
        { kind: 'crash', atMs: 1_000, process: 'ks-0', restartAfterMs: 3_000 },
        { kind: 'crash', atMs: 6_000, process: 'ks-1', restartAfterMs: 300 },
        { kind: 'crash', atMs: 6_100, process: 'ks-0', restartAfterMs: 30_000 },
        { kind: 'partition', atMs: 7_026, a: 'ks-1', b: 'broker', durationMs: 3_000 },
      ],
    });
    expect(failed).toEqual([]);
    const losses = lossesWhilePending(events, 'ks-1');
    expect(losses).toHaveLength(1);
    const { at, pending } = losses[0]!;
    expect(pending).toEqual(expect.arrayContaining(['1_0', '1_2']));
    // After the rejoin, the first initialisation of each stateful pending task reads what its directory held.
    const next = (task: string) => events.find((e, i) => i > at && e.p === 'ks-1' && e.kind === 'ks.state' && e.task === task);
    for (const task of ['1_0', '1_2']) expect(next(task), task).toMatchObject({ source: 'checkpoint', reason: 'checkpoint' });
    for (const task of ['1_1', '1_3']) expect(next(task), task).toMatchObject({ source: 'changelog', reason: 'eos-no-checkpoint' });
    expect(fenced(events, 'ks-1')).toEqual([]);
  });

  it('does not let the old producer resend its InitProducerId after the reset, which would fence the new one', () => {
    const { events, failed } = traced({ faults: [{ kind: 'partition', atMs: 138, a: 'ks-0', b: 'broker', durationMs: 6_000 }] });
    expect(failed).toEqual([]);
    expect(lossesWhilePending(events, 'ks-0')).toHaveLength(1);
    expect(fenced(events, 'ks-0')).toEqual([]);
    // One InitProducerId answered for ks-0 after the loss, none before it.
    expect(events.filter((e) => e.p === 'ks-0' && e.kind === 'ks.producer').map((e) => e.epoch)).toEqual([1]);
  });
});
