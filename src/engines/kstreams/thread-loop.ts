/**
 * The processing part of a Kafka Streams thread's loop
 * (`StreamThread.runOnceWithoutProcessingThreads`): rounds of processing,
 * each up to `numIterations` records per running task, each followed by the
 * punctuate phase and a maybe-commit.
 * - A round that processed nothing ends the pass.
 * - After a round that punctuated or committed, `numIterations` halves
 *   (integer division, never below 1); after any other round it grows by one.
 * - It starts at 1 and lives as long as the thread.
 * Kafka also ends a pass, halving, once half of `max.poll.interval.ms` has
 * passed since the last poll; processing takes no virtual time here, so that
 * never happens.
 */

/** What one round does, in order: the thread's three phases. */
export interface LoopPhases {
  /** Processes up to `max` records of each running task (`TaskExecutor.process`); returns how many. */
  process(max: number): number;
  /** Runs the punctuators that are due (`TaskManager.punctuate`); returns how many ran. */
  punctuate(): number;
  /** Commits when one is due or asked for (`StreamThread.maybeCommit`); returns how many tasks it committed. */
  maybeCommit(): number;
}

export class ThreadLoop {
  private n = 1;

  /** Records per task in the next round (Kafka's `numIterations`). */
  get numIterations(): number {
    return this.n;
  }

  /** One pass of rounds; returns the records it processed. */
  pass(phases: LoopPhases): number {
    let total = 0;
    for (;;) {
      const processed = phases.process(this.n);
      total += processed;
      const punctuated = phases.punctuate();
      const committed = phases.maybeCommit();
      if (processed === 0) return total;
      if (punctuated > 0 || committed > 0) this.n = this.n > 1 ? this.n >> 1 : this.n;
      else this.n++;
    }
  }
}
