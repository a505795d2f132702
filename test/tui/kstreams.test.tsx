/**
 * What this proves: `weir replay` opens a Kafka Streams run. The TUI reads
 * the trace only, so a run of another engine must draw without throwing, at
 * its first event, in the middle and at the end, and show that engine's
 * processes and steps (instances, group rebalances, commits).
 */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { ReplayApp } from '../../src/tui/components/ReplayApp.tsx';
import { replayOf, waitFor } from './helpers.ts';

const KSTREAMS = { scenario: 'wordcount', engine: 'kstreams' as const, seed: 9, events: 300, guarantee: 'exactly-once' as const, faults: 'swarm' as const, bugs: [] };

describe('replay of a Kafka Streams run', () => {
  it('draws at the start, the middle and the end', async () => {
    const replay = await replayOf(KSTREAMS);
    const n = replay.index.length;
    expect(n).toBeGreaterThan(100);
    const frames: string[] = [];
    for (const cursor of [0, Math.floor(n / 2), n - 1]) {
      const app = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor }} />);
      frames.push(await waitFor(() => app.lastFrame() ?? '', (f) => f.length > 0));
      app.unmount();
    }
    expect(frames.every((f) => f.length > 0)).toBe(true);
    expect(frames.join('\n')).toMatch(/ks-[01]/);
    // The header names the engine (Flink runs, the default, do not).
    expect(frames[0]).toMatch(/wordcount seed 9 · kstreams · exactly-once/);
  });
});
