/**
 * Idleness detection for a source split, as Flink's
 * `WatermarksWithIdleness.IdlenessTimer`: checked once per periodic
 * watermark emission, it reports idle once no event has arrived for strictly
 * more than `idleTimeoutMs` since the first check that saw no activity.
 *
 * So a split is marked idle no earlier than the timeout after its last event
 * and up to about the timeout plus two emission intervals after it. The
 * caller marks the split active again on its next event (`activity()`).
 * Flink uses 0 as "countdown not started"; virtual time starts at 0, so a
 * separate flag is used here instead. Like Flink's, the timer is not part
 * of a checkpoint: a restored source starts new ones.
 */

export class IdlenessTimer {
  private counter = 0;
  private lastCounter = 0;
  private inactiveSinceMs: number | null = null;

  constructor(readonly idleTimeoutMs: number) {
    if (!Number.isSafeInteger(idleTimeoutMs) || idleTimeoutMs <= 0) {
      throw new Error(`idle timeout must be a positive integer, got ${idleTimeoutMs}`);
    }
  }

  /** Records that an event arrived. */
  activity(): void {
    // Wrapping is harmless: only "changed since last check" matters.
    this.counter = (this.counter + 1) | 0;
  }

  /** Call at each periodic emission with the current processing time. */
  checkIfIdle(nowMs: number): boolean {
    if (this.counter !== this.lastCounter) {
      this.lastCounter = this.counter;
      this.inactiveSinceMs = null;
      return false;
    }
    if (this.inactiveSinceMs === null) {
      this.inactiveSinceMs = nowMs;
      return false;
    }
    return nowMs - this.inactiveSinceMs > this.idleTimeoutMs;
  }
}
