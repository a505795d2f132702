/**
 * What this proves: the replay shows a checkpoint that was in flight when
 * its job manager crashed as lost, not as still in progress. Flink keeps a
 * pending checkpoint only in the job manager's memory: nothing aborts it
 * and nothing traces its end, and a restarted job manager numbers its next
 * checkpoint above it. A task manager's crash loses no checkpoint (the job
 * manager aborts it, and says so).
 *
 * How: hand-written events through `TraceIndex`: checkpoint 5 injected by
 * jm, two acks, tm-1 crashing (c5 still in progress), jm crashing (c5 lost,
 * "jm crashed"), then jm's restart and checkpoint 6 (c5 stays lost, c6 in
 * progress). On the model that had no such status, c5 stays "in progress"
 * to the end.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { TraceIndex } from '../../../src/tui/model/trace-index.ts';

const events: TraceEvent[] = [
  { p: 'jm', kind: 'barrier.inject', checkpoint: 5, attempt: 0, final: false, savepoint: false },
  { p: 'jm', kind: 'checkpoint.ack', checkpoint: 5, task: '0.0', acked: 1, of: 4 },
  { p: 'jm', kind: 'checkpoint.ack', checkpoint: 5, task: '0.1', acked: 2, of: 4 },
  { p: 'tm-1', kind: 'proc.crash', incarnation: 0 },
  { p: 'jm', kind: 'proc.crash', incarnation: 0 },
  { p: 'jm', kind: 'proc.restart', incarnation: 1 },
  { p: 'jm', kind: 'job.restore', attempt: 1, checkpoint: 4 },
  { p: 'jm', kind: 'barrier.inject', checkpoint: 6, attempt: 1, final: false, savepoint: false },
].map((e, seq) => ({ seq, t: 2_600 + seq, ...e }) as TraceEvent);

describe('a checkpoint in flight when the job manager crashes', () => {
  it('is lost with it; a task manager crash leaves it in progress', () => {
    const index = new TraceIndex(events);
    const c5 = (i: number) => index.stateAt(i).checkpoints.get(5)!;
    expect(c5(2)).toMatchObject({ status: 'in progress', acked: 2, of: 4 });
    expect(c5(3).status).toBe('in progress');
    expect(c5(4)).toMatchObject({ status: 'lost', reason: 'jm crashed', acked: 2 });
    const end = index.finalState;
    expect(end.checkpoints.get(5)!.status).toBe('lost');
    expect(end.checkpoints.get(6)!.status).toBe('in progress');
    // Not an abort: the coordinator never aborted it, and the run's count of aborts stays the engine's.
    expect(end.checkpointsAborted).toBe(0);
    expect(end.checkpointsLost).toBe(1);
    expect(index.stateAt(3).checkpointsLost).toBe(0);
  });
});
