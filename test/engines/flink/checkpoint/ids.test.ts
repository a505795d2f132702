/**
 * Checkpoint ids never go back, as Flink's CheckpointIDCounter hands them
 * out: a restored attempt numbers its checkpoints above every id triggered
 * before the failure, not above the checkpoint it restored, and a job
 * manager that crashed and restarted goes on above the highest id the
 * checkpoint store holds a file of.
 *
 * How: whole `bank` runs under swarm faults (task managers crash, so the
 * job restores with checkpoints triggered after the one it restores), and
 * runs with an explicit job-manager crash; the coordinator's barrier
 * injections (`barrier.inject` with no task) must be strictly increasing
 * over the whole run. Each case also asserts that the situation arose — a
 * restore from a checkpoint older than the newest id triggered before it —
 * so a coordinator that restarted its ids above the restored checkpoint
 * would fail here.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../../src/runtime/trace-event.ts';
import type { Fault } from '../../../../src/sim/faults.ts';
import { run } from '../../../explore/helpers.ts';

interface Ids {
  /** Every checkpoint id the coordinator triggered, in order. */
  triggered: number[];
  /** Restores from a checkpoint below the newest id triggered before them. */
  behind: number;
  crashes: string[];
}

function idsOf(seed: number, faults: 'swarm' | 'none', plan?: Fault[]): Ids {
  const out: Ids = { triggered: [], behind: 0, crashes: [] };
  const onEvent = (e: TraceEvent): void => {
    if (e.kind === 'barrier.inject' && e.task === undefined) out.triggered.push(e.checkpoint as number);
    if (e.kind === 'job.restore' && out.triggered.length > 0 && (e.checkpoint as number) < Math.max(...out.triggered)) out.behind++;
    if (e.kind === 'proc.crash') out.crashes.push(e.p);
  };
  run({ scenario: 'bank', seed, faults, events: 400, ...(plan ? { plan: { faults: plan } } : {}) }, { subscribers: [onEvent] });
  return out;
}

const increasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

describe('checkpoint ids', () => {
  it('grow across every failover of 20 swarm runs', () => {
    let behind = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const ids = idsOf(seed, 'swarm');
      expect(increasing(ids.triggered), `seed ${seed}: ${ids.triggered.join(',')}`).toBe(true);
      behind += ids.behind;
    }
    expect(behind).toBeGreaterThan(0);
  });

  it('grow across a job manager crash, from what the checkpoint store holds', () => {
    // A task manager crash first (attempt 1 restores checkpoint 2), then the job manager's, at
    // 2,623 ms: checkpoint 4 was triggered at 2,606 and two tasks' snapshots of it are in the
    // store, but its metadata is not. The restarted job manager restores checkpoint 3 (behind
    // 4), and its first checkpoint is 5, not a second 4.
    const plan: Fault[] = [
      { kind: 'crash', atMs: 1_230, process: 'tm-0', restartAfterMs: 200 },
      { kind: 'crash', atMs: 2_623, process: 'jm', restartAfterMs: 300 },
    ];
    const ids = idsOf(1, 'none', plan);
    expect(ids.crashes).toEqual(['tm-0', 'jm']);
    expect(ids.behind).toBe(1);
    expect(ids.triggered).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
