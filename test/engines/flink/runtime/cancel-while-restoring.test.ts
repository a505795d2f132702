/**
 * What this proves: a task manager that cancels its tasks while one of them
 * is still fetching its snapshot does not start that task when the snapshot
 * arrives. A cancellation leaves the task manager's attempt number as it is
 * (only the next deployment moves it), so a check on the attempt alone let
 * a cancelled task start, restore and run on as a stray of the failed
 * attempt.
 *
 * How: wordcount-final under heavy faults, seed 29, where attempt 2 fails
 * ("heartbeat of tm-0 timed out") while tm-1, in touch with the job
 * manager, still waits for its tasks' snapshots (found by a sweep of seeds
 * 1-100 of every Flink scenario under heavy faults; the one other run
 * with a deployment after its attempt failed, bank seed 71, is a task
 * manager cut off from the job manager, which never heard the cancel).
 * Traced: attempt 2 must have been restored (`job.restore`) and failed
 * (`job.fail`), and none of tm-1's `task.deploy` events of attempt 2 may
 * come after that failure (the build that checked only the attempt
 * started source[1] and window[1] there about 100 ms after it). The run
 * must pass its checks.
 */
import { describe, expect, it } from 'vitest';
import { run, failed } from '../../../explore/helpers.ts';

describe('a task cancelled while its snapshot is on its way', () => {
  it('is not started when the snapshot arrives (wordcount-final, heavy faults, seed 29)', () => {
    let failedAt: number | undefined;
    let restored = false;
    const deploys: { t: number; task: string; seq: number }[] = [];
    const r = run({ scenario: 'wordcount-final', engine: 'flink', seed: 29, faults: 'heavy' }, {
      subscribers: [(e) => {
        if (e.kind === 'job.restore' && e.attempt === 2) restored = true;
        if (e.kind === 'job.fail' && e.attempt === 2) failedAt ??= e.seq;
        if (e.kind === 'task.deploy' && e.p === 'tm-1' && e.attempt === 2) deploys.push({ t: e.t, task: String(e.task), seq: e.seq });
      }],
    });
    expect(failed(r), r.token).toEqual([]);
    expect(restored).toBe(true);
    expect(failedAt).toBeDefined();
    expect(deploys.filter((d) => d.seq > failedAt!).map((d) => `${d.task} at ${d.t} ms`)).toEqual([]);
  });
});
