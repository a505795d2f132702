/**
 * What each input channel of a task owes it at a step, derived from what
 * its upstream task sent and what the task received (both traced):
 * - `held`: the channel delivered the barrier of the checkpoint the task is
 *   aligning; under exactly-once its later records wait until every channel
 *   has delivered it (the alignment that makes the snapshot a cut);
 * - `barrier`: the upstream task sent a barrier this channel has not
 *   delivered yet — the barrier is on the wire (or behind records in the
 *   channel's queue);
 * - `watermark`: the upstream's watermark is ahead of what the channel
 *   delivered: a watermark is on its way;
 * - `clear`: nothing of the above (records may still be in flight: they
 *   are not traced).
 */
import type { Topology } from './topology.ts';
import type { ReplayState, TaskState } from './types.ts';

export type ChannelMark = 'held' | 'barrier' | 'watermark' | 'clear';

export interface ChannelView {
  ch: number;
  upstream: string | undefined;
  mark: ChannelMark;
  /** The checkpoint of the barrier held or on the way. */
  checkpoint: number | undefined;
  /** The watermark this channel last delivered. */
  wm: number | undefined;
  idle: boolean;
}

export function channelViews(topo: Topology, state: ReplayState, task: TaskState): ChannelView[] {
  const inputs = topo.tasks.get(task.name)?.inputs ?? [];
  const n = Math.max(inputs.length, task.channels.length);
  const out: ChannelView[] = [];
  for (let ch = 0; ch < n; ch++) {
    const c = task.channels[ch];
    const upstream = inputs[ch];
    const up = upstream !== undefined ? state.tasks.get(upstream) : undefined;
    const received = c?.barrier ?? -1;
    const view: ChannelView = { ch, upstream, mark: 'clear', checkpoint: undefined, wm: c?.wm, idle: c?.idle ?? false };
    if (task.status === 'aligning' && task.checkpoint >= 0 && received === task.checkpoint) {
      view.mark = 'held';
      view.checkpoint = received;
    } else if (up && up.attempt === task.attempt && up.forwarded > received && task.status !== 'crashed') {
      view.mark = 'barrier';
      view.checkpoint = up.forwarded;
    } else if (up && up.attempt === task.attempt && up.watermark !== undefined && (c?.wm === undefined || up.watermark > c.wm)) {
      view.mark = 'watermark';
    }
    out.push(view);
  }
  return out;
}
