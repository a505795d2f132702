/**
 * Idle tasks show as idle. Proves, on the watermarks lesson's run (sessions,
 * four sources, one idle partition): the source task reading the idle
 * partition traces `task.idle` when it marks its output idle, and the
 * replay's dataflow shows it as `idle` from that step on (and `running`
 * before it), while the busy sources stay `running`.
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
