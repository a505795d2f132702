/**
 * What this proves: a barrier of a newer checkpoint reaching a task that is
 * still aligning an older one — rare before, common in swarm sweeps now
 * that a checkpoint trigger can be lost on its way to a task manager (fault
 * site `checkpoint.trigger.lost`) — is handled by Flink's rules
 * (SingleCheckpointBarrierHandler, StreamTask.abortCheckpointOnBarrier):
 * the task aborts the older checkpoint there and then, starts the newer one,
 * tells the coordinator (a decline) and sends a cancellation marker
 * downstream, where the older checkpoint is aborted in turn; the older
 * checkpoint never completes, a newer one does, and every check passes.
 * With the planted bug `newer-barrier-keeps-blocked` (the aligner keeps the
 * channels the older checkpoint held as if they had delivered the newer
 * barrier) the newer checkpoint is snapshotted early and the consistent-cut
 * check fails.
 *
 * How: bank under swarm faults on seeds 1..16, each run's trace read for the
 * coverage edge `barrier.newer-mid-alignment` and the events around it;
 * bank with its sink behind a network edge (so the aborting tasks have
 * receivers for their cancellation markers); and the same sweep with the
 * planted bug.
 */
import { describe, expect, it } from 'vitest';
import { bank } from '../../scenarios/bank.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { CoverageProbe } from '../../src/explore/coverage.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { bankSinkApart, failed, run } from './helpers.ts';

const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);


interface Sweep {
  edges: number;
  seedsWithEdge: number[];
  failures: string[][];
  events: TraceEvent[][];
}

function sweep(scenario: Scenario, bugs: 'newer-barrier-keeps-blocked'[] = []): Sweep {
  const out: Sweep = { edges: 0, seedsWithEdge: [], failures: [], events: [] };
  for (const seed of SEEDS) {
    const probe = new CoverageProbe(scenario);
    const events: TraceEvent[] = [];
    const report = run(
      { scenario: scenario.name, seed, faults: 'swarm', bugs },
      { scenario: probe.scenario, subscribers: [probe.subscriber, (e) => { if (/^(barrier\.|checkpoint\.(abort|complete))/.test(e.kind)) events.push(e); }] },
    );
    const n = probe.finish()['barrier.newer-mid-alignment'];
    out.edges += n;
    if (n > 0) out.seedsWithEdge.push(seed);
    out.failures.push(failed(report));
    out.events.push(events);
  }
  return out;
}

describe('a newer barrier during an alignment', () => {
  const plain = sweep(bank);

  it('is reached on several of 16 swarm seeds of bank, and every check passes', () => {
    expect(plain.seedsWithEdge.length).toBeGreaterThanOrEqual(2);
    expect(plain.failures.flat()).toEqual([]);
  });

  it('aborts the older checkpoint at the task at once; that checkpoint never completes and a newer one does', () => {
    for (const seed of plain.seedsWithEdge) {
      const events = plain.events[seed - 1]!;
      const completed = new Set(events.filter((e) => e.kind === 'checkpoint.complete').map((e) => e.checkpoint as number));
      const aligning = new Map<string, number>();
      let seen = 0;
      events.forEach((e, i) => {
        const key = `${e.task as string}#${e.attempt as number}`;
        if (e.kind === 'barrier.align' || (e.kind === 'checkpoint.abort' && e.task !== undefined)) aligning.delete(key);
        if (e.kind !== 'barrier.receive') return;
        const older = aligning.get(key);
        const id = e.checkpoint as number;
        if (older !== undefined && id > older) {
          seen++;
          // The very next event of that task: the abort of the older checkpoint, for this reason.
          const next = events.slice(i + 1).find((x) => x.task === e.task && x.attempt === e.attempt);
          expect(next, `seed ${seed}`).toMatchObject({ kind: 'checkpoint.abort', checkpoint: older, reason: 'newer barrier during alignment' });
          expect(completed.has(older), `seed ${seed}: checkpoint ${older} completed`).toBe(false);
          expect([...completed].some((c) => c > older), `seed ${seed}: nothing after ${older} completed`).toBe(true);
        }
        if (older === undefined || id > older) aligning.set(key, id);
      });
      expect(seen, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('sends cancellation markers downstream, where the older checkpoint is aborted too', () => {
    const apart = sweep(bankSinkApart);
    expect(apart.failures.flat()).toEqual([]);
    expect(apart.seedsWithEdge.length).toBeGreaterThan(0);
    for (const seed of apart.seedsWithEdge) {
      const events = apart.events[seed - 1]!;
      const aborted = events.filter((e) => e.kind === 'checkpoint.abort' && e.reason === 'newer barrier during alignment');
      for (const a of aborted) {
        // Every sink subtask hears of it as a cancellation marker (one per balances subtask), and aborts it on the first.
        const cancels = events.filter((e) => e.kind === 'barrier.cancel' && e.checkpoint === a.checkpoint && e.attempt === a.attempt);
        const sinks = new Set(cancels.map((e) => e.task as string));
        expect(sinks, `seed ${seed}, checkpoint ${a.checkpoint as number}`).toEqual(new Set(['sink[0]', 'sink[1]']));
        for (const task of sinks) {
          expect(events.some((e) => e.kind === 'checkpoint.abort' && e.task === task && e.checkpoint === a.checkpoint && e.reason === 'cancellation barrier'), `${task} aborts ${a.checkpoint as number}`).toBe(true);
        }
        expect(events.some((e) => e.kind === 'barrier.receive' && (e.task as string).startsWith('sink') && e.checkpoint === a.checkpoint && e.attempt === a.attempt)).toBe(false);
      }
    }
  });

  it('is caught by checkpoint.consistent-cut when the aligner keeps the older checkpoint\'s blocked channels', () => {
    const buggy = sweep(bank, ['newer-barrier-keeps-blocked']);
    const caught = buggy.failures.findIndex((f) => f.some((p) => p.startsWith('checkpoint.consistent-cut')));
    expect(caught, 'no seed of 1..16 failed checkpoint.consistent-cut').toBeGreaterThanOrEqual(0);
    expect(buggy.seedsWithEdge).toContain(caught + 1);
    expect(plain.failures[caught]).toEqual([]);
  });
});
