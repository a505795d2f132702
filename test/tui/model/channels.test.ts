/**
 * What this proves: the channel marks follow the barrier protocol as the
 * trace records it — a barrier is "on the way" on a channel from the
 * upstream's barrier.inject until the downstream's barrier.receive on that
 * channel, and the channel is "held" from that receive until the task
 * aligns; task statuses go running → aligning → snapshotting → running.
 *
 * How: for the first checkpoint of a recorded exactly-once run, find the
 * events of one downstream task and check the derived view just before
 * and after each of them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { channelViews } from '../../../src/tui/model/channels.ts';
import type { Replay } from '../../../src/tui/open.ts';
import { replayOf, WORDCOUNT } from '../helpers.ts';

let replay: Replay;

beforeAll(async () => {
  replay = await replayOf(WORDCOUNT);
});

function firstOf(kind: string, pred: (e: Record<string, unknown>) => boolean): number {
  return [...replay.index.positions(kind)].find((i) => pred(replay.index.events[i]!))!;
}

describe('channelViews', () => {
  it('shows a barrier on the way, then held, then released at alignment', () => {
    const recv = firstOf('barrier.receive', (e) => e.checkpoint === 1);
    const e = replay.index.events[recv]!;
    const task = e.task as string;
    const ch = e.ch as number;
    const upstream = replay.index.topology.tasks.get(task)!.inputs[ch]!;
    const inject = firstOf('barrier.inject', (x) => x.task === upstream && x.checkpoint === 1);
    const align = firstOf('barrier.align', (x) => x.task === task && x.checkpoint === 1);
    expect(inject).toBeLessThan(recv);
    expect(recv).toBeLessThan(align);
    const view = (i: number) => {
      const s = replay.index.stateAt(i);
      return { task: s.tasks.get(task)!, ch: channelViews(replay.index.topology, s, s.tasks.get(task)!)[ch]! };
    };
    expect(view(inject - 1).ch.mark).not.toBe('barrier');
    expect(view(inject).ch).toMatchObject({ mark: 'barrier', checkpoint: 1 });
    expect(view(recv - 1).ch.mark).toBe('barrier');
    expect(view(recv).ch).toMatchObject({ mark: 'held', checkpoint: 1 });
    expect(view(recv).task.status).toBe('aligning');
    expect(view(align).task.status).toBe('snapshotting');
    expect(view(align).ch.mark).not.toBe('held');
    const snap = firstOf('snapshot', (x) => x.task === task && x.checkpoint === 1);
    expect(view(snap).task.status).toBe('running');
    expect(view(snap).task.snapshot).toBe(1);
  });
});
