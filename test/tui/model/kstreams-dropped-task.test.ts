/**
 * What this proves: the replay's Kafka Streams model forgets a task that was
 * revoked before it initialised (its producer still initialising), which the
 * instance closes as it is and leaves out of its `ks.suspended` list, while
 * the tasks it did suspend show as suspended and come back with the next
 * assignment. Before, such a task showed as revoked until the next assignment.
 *
 * How: a short hand-written trace of one instance (assigned two tasks, one
 * running, both revoked, one suspended), read through the same index the TUI
 * reads, checked step by step.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { TraceIndex } from '../../../src/tui/model/trace-index.ts';

function trace(): TraceEvent[] {
  const rows: Omit<TraceEvent, 'seq'>[] = [
    { t: 0, p: 'ks-0', kind: 'ks.start', incarnation: 0, guarantee: 'exactly-once' },
    { t: 10, p: 'ks-0', kind: 'ks.assigned', generation: 1, member: 'ks-0-m1', tasks: ['0_0', '0_1'] },
    { t: 20, p: 'ks-0', kind: 'ks.running', task: '0_0', offsets: [], streamTime: -1 },
    { t: 30, p: 'ks-0', kind: 'ks.revoked', generation: 1, tasks: ['0_0', '0_1'] },
    { t: 40, p: 'ks-0', kind: 'ks.suspended', generation: 1, tasks: ['0_0'] },
    { t: 50, p: 'ks-0', kind: 'ks.assigned', generation: 2, member: 'ks-0-m1', tasks: ['0_0', '0_1'] },
  ];
  return rows.map((r, seq) => ({ seq, ...r }) as TraceEvent);
}

describe('a Kafka Streams task revoked before it initialised', () => {
  const index = new TraceIndex(trace(), { engine: 'kstreams' });
  const tasksAt = (step: number) => {
    const ks = index.stateAt(step).ks!;
    return { statuses: Object.fromEntries([...ks.tasks.values()].map((t) => [t.id, t.status])), listed: ks.instances.get('ks-0')!.tasks };
  };

  it('shows as revoked with the others at the revocation', () => {
    expect(tasksAt(3)).toEqual({ statuses: { '0_0': 'revoked', '0_1': 'revoked' }, listed: ['0_0', '0_1'] });
  });

  it('is gone once the instance suspends the rest, which stay suspended', () => {
    expect(tasksAt(4)).toEqual({ statuses: { '0_0': 'suspended' }, listed: ['0_0'] });
  });

  it('comes back with the next assignment, as the suspended one does', () => {
    expect(tasksAt(5)).toEqual({ statuses: { '0_0': 'restoring', '0_1': 'restoring' }, listed: ['0_0', '0_1'] });
  });
});
