/**
 * Task statuses the replay derives. Proves: (1) idle tasks show as idle, on the watermarks lesson's run (sessions,
 * four sources, one idle partition): the source task reading the idle
 * partition traces `task.idle` when it marks its output idle, and the
 * replay's dataflow shows it as `idle` from that step on (and `running`
 * before it), while the busy sources stay `running`; (2) on the zombies
 * lesson's run (tm-1 cut off from the job manager, the job restarted on a
 * spare), the tasks tm-1 still runs for the old attempt show as zombies on
 * tm-1 while the new attempt runs elsewhere, until tm-1 hears of it.
 */
import { describe, expect, it } from 'vitest';
import { statusText } from '../../../src/tui/model/format.ts';
import { replayOf } from '../helpers.ts';

describe('idle tasks in the replay', () => {
  it('show as idle once they mark their output idle', async () => {
    const replay = await replayOf({ scenario: 'sessions', seed: 1, events: 150, parallelism: 4, guarantee: 'exactly-once', faults: 'none', bugs: [] });
    const events = replay.index.events;
    const at = events.findIndex((e) => e.kind === 'task.idle' && e.idle === true);
    expect(at).toBeGreaterThan(0);
    const name = events[at]!.task as string;
    expect(name).toMatch(/^clicks\[\d\]$/);
    expect(statusText(replay.index.stateAt(at - 1).tasks.get(name)!)).toBe('running');
    const after = replay.index.stateAt(at);
    expect(statusText(after.tasks.get(name)!)).toBe('idle');
    const busy = [...after.tasks.values()].filter((t) => t.name.startsWith('clicks[') && t.name !== name);
    expect(busy.length).toBe(3);
    for (const t of busy) expect(statusText(t)).not.toBe('idle');
  });
});

describe('zombie tasks in the replay', () => {
  it('show on the task manager that still runs them, until it hears of the newer attempt', async () => {
    const plan = { faults: [{ kind: 'partition' as const, atMs: 800, a: 'jm', b: 'tm-1', durationMs: 1_500 }] };
    const replay = await replayOf({ scenario: 'bank', seed: 3, faults: 'none', plan, bugs: [], spareTaskManagers: 1, guarantee: 'exactly-once' });
    const events = replay.index.events;
    const stale = events.findIndex((e) => e.kind === 'tm.stale' && e.p === 'tm-1');
    expect(stale).toBeGreaterThan(0);
    const before = replay.index.stateAt(stale - 1);
    const zombies = [...before.tasks.values()].filter((t) => t.zombie === 'tm-1');
    expect(zombies.length).toBeGreaterThan(0);
    for (const t of zombies) expect(t.process).not.toBe('tm-1');
    const after = replay.index.stateAt(stale);
    expect([...after.tasks.values()].filter((t) => t.zombie !== undefined)).toEqual([]);
  });
});
