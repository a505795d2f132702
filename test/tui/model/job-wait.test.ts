/**
 * What this proves: the replay says why a Flink restart waits. A `job.wait`
 * event (the job manager's next attempt held back for slots, or for the
 * cancelled tasks of an earlier attempt to end) is a recovery step the
 * replay jumps to, and reads as a sentence naming the task managers.
 *
 * How: hand-written events through `isFaultEvent` and `describeEvent`.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { isFaultEvent } from '../../../src/tui/model/faults.ts';
import { describeEvent } from '../../../src/tui/model/format.ts';

const wait = (fields: Record<string, unknown>): TraceEvent => ({ seq: 9, t: 4_901, p: 'jm', kind: 'job.wait', attempt: 2, ...fields }) as TraceEvent;

describe('job.wait in the replay', () => {
  it('is a recovery step, said with the task managers it waits on', () => {
    const cancelled = wait({ for: 'cancelled tasks', tms: 'tm-1,tm-2' });
    expect(isFaultEvent(cancelled)).toBe(true);
    expect(describeEvent(cancelled)).toBe('job attempt 2 waits for the cancelled tasks on tm-1, tm-2 to end');
    expect(describeEvent(wait({ for: 'slots', tms: 'tm-0' }))).toBe('job attempt 2 waits for slots: only tm-0 answers');
    expect(describeEvent(wait({ for: 'slots', tms: '' }))).toBe('job attempt 2 waits for slots: no task manager answers');
  });
});
