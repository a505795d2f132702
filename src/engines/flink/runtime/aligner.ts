/**
 * Barrier alignment for one task (the Chandy–Lamport variant of Carbone et
 * al., 2015): a small state machine over the task's input channels, with
 * the rules of Flink's SingleCheckpointBarrierHandler (aligned and
 * unaligned) and CheckpointBarrierTracker (no alignment).
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
 * The checkpoint a task works on is the newest it has heard of (`current`);
 * it is pending from its first barrier until it is aligned or aborted.
 * - A barrier older than `current`, or of `current` once that is no longer
 *   pending, is obsolete: it starts nothing and blocks nothing.
 * - A barrier newer than `current` while `current` is pending aborts it
 *   (`abandoned`; Flink declines it as subsumed, and the task tells the
 *   coordinator and sends a cancellation marker downstream) and starts the
 *   newer one. Channels are FIFO, so this happens only when some upstream
 *   never sent the older barrier (its trigger was lost, or it aborted the
 *   checkpoint itself). Without alignment the tracker keeps the older one
 *   pending until the newer completes and then drops it without a word, so
 *   there it is `abandoned` with `silent` set.
 * - A cancellation marker (Flink's CancelCheckpointMarker) of checkpoint `c`
 *   aborts `c` when `c` is newer than `current`, or is `current` while it is
 *   pending (`cancelled`): `c` becomes `current` and is done, so its
 *   barriers are obsolete from then on. A pending older checkpoint is
 *   dropped with it (`abandoned`; silent when aligned or unaligned, as
 *   Flink's handler resets without a word, announced by the tracker).
 * - An ended channel counts as having delivered every barrier (checkpoints
 *   after tasks finish, FLIP-147).
 */
export type AlignmentMode = 'aligned' | 'unaligned' | 'none';

export interface BarrierOutcome {
  /** Set when a barrier began checkpoint `started` here (its first barrier on this task). */
  started?: number;
  /** Set when every channel has delivered this checkpoint's barrier: snapshot now. */
  aligned?: number;
  /** Set when a pending checkpoint was aborted (by a newer barrier or a cancellation marker): unblock everything. */
  abandoned?: number;
  /** With `abandoned`: the abort is not announced (no decline, no cancellation marker). */
  silent?: boolean;
  /** Set when a cancellation marker aborted checkpoint `cancelled`: announce it. */
  cancelled?: number;
}

const NOTHING: BarrierOutcome = {};

export interface AlignerOptions {
  /**
   * Planted bug `newer-barrier-keeps-blocked`: a newer barrier that aborts an
   * alignment keeps the channels the older checkpoint had blocked, counted as
   * having delivered the newer barrier too.
   */
  keepBlockedOnNewer?: boolean;
}

export class BarrierAligner {
  private current = -1;
  private pending = false;
  private readonly seen: boolean[];
  private readonly ended: boolean[];
  private endedCount = 0;

  private readonly aligned: boolean;

  constructor(
    private readonly channels: number,
    readonly mode: AlignmentMode,
    private readonly opts: AlignerOptions = {},
  ) {
    this.aligned = mode === 'aligned';
    this.seen = new Array<boolean>(channels).fill(false);
    this.ended = new Array<boolean>(channels).fill(false);
  }

  /** The checkpoint being aligned, or -1 when none is pending. */
  get checkpoint(): number {
    return this.pending ? this.current : -1;
  }

  isBlocked(ch: number): boolean {
    return this.aligned && this.pending && this.seen[ch] === true;
  }

  /** A checkpoint is under way and `ch` has not delivered its barrier yet (nor ended). */
  isAwaiting(ch: number): boolean {
    return this.pending && !this.seen[ch] && !this.ended[ch];
  }

  /** A barrier of checkpoint `id` arrived on `ch`. */
  onBarrier(ch: number, id: number): BarrierOutcome {
    if (id < this.current || (id === this.current && !this.pending)) return NOTHING;
    let out: BarrierOutcome = NOTHING;
    if (id > this.current) {
      const abandoned = this.pending ? this.current : undefined;
      const keep = abandoned !== undefined && this.opts.keepBlockedOnNewer === true;
      this.current = id;
      this.pending = true;
      if (!keep) this.clearSeen();
      out = abandoned === undefined ? { started: id } : { started: id, abandoned, ...(this.mode === 'none' ? { silent: true } : {}) };
    }
    this.seen[ch] = true;
    return this.maybeDone(out);
  }

  /** A cancellation marker of checkpoint `id` arrived on `ch`. */
  onCancel(_ch: number, id: number): BarrierOutcome {
    if (id < this.current || (id === this.current && !this.pending)) return NOTHING;
    const older = this.pending && this.current < id ? this.current : undefined;
    this.current = id;
    this.pending = false;
    this.clearSeen();
    if (older === undefined) return { cancelled: id };
    return { cancelled: id, abandoned: older, ...(this.mode === 'none' ? {} : { silent: true }) };
  }

  /** A channel ended: it counts as having delivered every future barrier. */
  onEnd(ch: number): BarrierOutcome {
    if (this.ended[ch]) return NOTHING;
    this.ended[ch] = true;
    this.endedCount++;
    if (!this.pending) return NOTHING;
    return this.maybeDone(NOTHING);
  }

  private maybeDone(out: BarrierOutcome): BarrierOutcome {
    for (let i = 0; i < this.channels; i++) if (!this.seen[i] && !this.ended[i]) return out;
    const done = this.current;
    this.pending = false;
    this.clearSeen();
    return { ...out, aligned: done };
  }

  private clearSeen(): void {
    this.seen.fill(false);
  }

  get allEnded(): boolean {
    return this.endedCount === this.channels;
  }
}
