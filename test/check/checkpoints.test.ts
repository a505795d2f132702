/**
 * The checkpoint-recovery oracles over trace events. Pass: tasks restored
 * with the hash of their own snapshot, the job restoring a completed
 * checkpoint. Planted mistakes: a restored state hash that differs from the
 * snapshot's, a restore from a checkpoint the task never snapshotted (or
 * only snapshotted later), a job restoring a checkpoint that never
 * completed.
 */
import { describe, expect, it } from 'vitest';
import { checkRestoreHashes, checkRestoresCompleted, type TraceEvent } from '../../src/check/index.ts';

const trace = (...events: [string, Record<string, unknown>][]): TraceEvent[] =>
  events.map(([kind, fields], seq) => ({ seq, t: seq * 10, p: 'tm-0', kind, ...fields }));
const snapshot = (task: string, checkpoint: number, stateHash: string): [string, Record<string, unknown>] =>
  ['snapshot', { task, attempt: 0, checkpoint, stateHash }];
const deploy = (task: string, attempt: number, restoredFrom: number, stateHash: string): [string, Record<string, unknown>] =>
  ['task.deploy', { task, attempt, restoredFrom, stateHash }];

describe('checkRestoreHashes', () => {
  const base = [deploy('window[0]', 0, -1, 'e0'), snapshot('window[0]', 1, 'aa'), snapshot('window[0]', 2, 'bb'), snapshot('window[1]', 2, 'cc')] as const;

  it('passes restores from exactly the snapshot state', () => {
    const v = checkRestoreHashes(trace(...base, deploy('window[0]', 1, 2, 'bb'), deploy('window[1]', 1, 2, 'cc')));
    expect(v).toEqual({ name: 'checkpoint.restore', ok: true, detail: '2 task restores, each from exactly its snapshot state' });
  });

  it('fails a restored state that differs from the snapshot', () => {
    const v = checkRestoreHashes(trace(...base, deploy('window[0]', 1, 2, 'aa')));
    expect(v.detail).toBe('task window[0] attempt 1 restored from checkpoint 2 with state hash aa, but the snapshot\'s hash is bb (seq 4)');
  });

  it('fails a restore from a snapshot the task never took, or took only later', () => {
    expect(checkRestoreHashes(trace(...base, deploy('window[1]', 1, 1, 'aa'))).detail)
      .toBe('task window[1] attempt 1 restored from checkpoint 1, but that task never took a snapshot for it (seq 4)');
    expect(checkRestoreHashes(trace(deploy('window[0]', 1, 3, 'dd'), snapshot('window[0]', 3, 'dd'))).ok).toBe(false);
  });
});

describe('checkRestoresCompleted', () => {
  it('passes a restore of a completed checkpoint and fails one of an incomplete checkpoint', () => {
    const complete: [string, Record<string, unknown>] = ['checkpoint.complete', { checkpoint: 1, attempt: 0 }];
    const restore = (checkpoint: number): [string, Record<string, unknown>] => ['job.restore', { attempt: 1, checkpoint }];
    expect(checkRestoresCompleted(trace(complete, restore(1))).ok).toBe(true);
    expect(checkRestoresCompleted(trace(complete, restore(-1))).ok).toBe(true);
    // Durable metadata completes a checkpoint even when the coordinator never heard back.
    expect(checkRestoresCompleted(trace(['checkpoint.metadata', { checkpoint: 2 }], restore(2))).ok).toBe(true);
    expect(checkRestoresCompleted(trace(complete, restore(2)))).toEqual({
      name: 'checkpoint.completed-only', ok: false, detail: 'attempt 1 restored checkpoint 2, whose metadata was never written (seq 1)',
    });
  });
});
