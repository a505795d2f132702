/**
 * Barrier alignment for one task (the Chandy–Lamport variant of Carbone et
 * al., 2015): a small state machine over the task's input channels.
 *
 * Aligned (exactly-once): when the first barrier of checkpoint `n` arrives on
 * a channel, that channel is blocked — later items on it wait — until the
 * barrier `n` has arrived on every live channel; then the task snapshots,
 * forwards the barrier and unblocks all channels. Because channels are FIFO,
 * the snapshot holds exactly the effect of the records before the barrier on
 * every channel: a consistent cut.
 *
 * Not aligned (at-least-once): nothing is blocked; the snapshot is taken when
 * the last barrier arrives, so records after the barrier on faster channels
 * are already in it and will be replayed after a restore — duplicates, which
 * is what at-least-once allows.
 *
 * Unaligned (exactly-once, Flink's unaligned checkpoints): nothing is
 * blocked either, but the task snapshots at the FIRST barrier (`started`)
 * and forwards it at once; the records that then arrive on a channel before
 * that channel's barrier are the checkpoint's in-flight data, persisted with
 * it (and replayed first after a restore). The checkpoint is acknowledged
 * when the last barrier is in (`aligned`).
 *
 * A barrier of a newer checkpoint during alignment abandons the older one
 * (the coordinator times it out or sees the newer one complete).
 */
export type AlignmentMode = 'aligned' | 'unaligned' | 'none';

export interface BarrierOutcome {
  /** Set when a barrier began checkpoint `started` here (its first barrier on this task). */
  started?: number;
  /** Set when every channel has delivered this checkpoint's barrier: snapshot now. */
  aligned?: number;
  /** Set when a newer barrier abandoned an alignment in progress: unblock everything. */
  abandoned?: number;
}

const NOTHING: BarrierOutcome = {};

export class BarrierAligner {
  private current = -1;
  private readonly seen: boolean[];
  private seenCount = 0;
  private readonly ended: boolean[];
  private endedCount = 0;
  /** Highest checkpoint completed by this task; older barriers are stale. */
  private lastDone = -1;

  private readonly aligned: boolean;

  constructor(
    private readonly channels: number,
    readonly mode: AlignmentMode,
  ) {
    this.aligned = mode === 'aligned';
    this.seen = new Array<boolean>(channels).fill(false);
    this.ended = new Array<boolean>(channels).fill(false);
  }

  get checkpoint(): number {
    return this.current;
  }

  isBlocked(ch: number): boolean {
    return this.aligned && this.current >= 0 && this.seen[ch] === true;
  }

  /** A checkpoint is under way and `ch` has not delivered its barrier yet (nor ended). */
  isAwaiting(ch: number): boolean {
    return this.current >= 0 && !this.seen[ch] && !this.ended[ch];
  }

  /** A barrier of checkpoint `id` arrived on `ch`. */
  onBarrier(ch: number, id: number): BarrierOutcome {
    if (id <= this.lastDone) return NOTHING;
    let abandoned: number | undefined;
    let started: number | undefined;
    if (id > this.current) {
      if (this.current >= 0) abandoned = this.current;
      this.reset(id);
      started = id;
    } else if (id < this.current) return NOTHING;
    if (!this.seen[ch]) {
      this.seen[ch] = true;
      this.seenCount++;
    }
    const r = this.maybeDone(abandoned);
    return started === undefined ? r : { ...r, started };
  }

  /** A channel ended: it counts as having delivered every future barrier. */
  onEnd(ch: number): BarrierOutcome {
    if (this.ended[ch]) return NOTHING;
    this.ended[ch] = true;
    this.endedCount++;
    if (this.current < 0) return NOTHING;
    return this.maybeDone(undefined);
  }

  private maybeDone(abandoned: number | undefined): BarrierOutcome {
    let have = 0;
    for (let i = 0; i < this.channels; i++) if (this.seen[i] || this.ended[i]) have++;
    if (have < this.channels) return abandoned !== undefined ? { abandoned } : NOTHING;
    const done = this.current;
    this.lastDone = done;
    this.reset(-1);
    return abandoned !== undefined ? { aligned: done, abandoned } : { aligned: done };
  }

  private reset(id: number): void {
    this.current = id;
    this.seen.fill(false);
    this.seenCount = 0;
  }

  get allEnded(): boolean {
    return this.endedCount === this.channels;
  }
}
