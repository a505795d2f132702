/**
 * Group commit for one file: callers append, then ask to be told when what
 * they appended is durable. At most one fsync is in flight per file; requests
 * that arrive while it runs share the next one. A request is only answered by
 * an fsync that started after it was made, so everything appended before the
 * request is covered (the disk snapshots the content when fsync is called).
 */
import type { Disk } from '../runtime/types.ts';

export class GroupSync {
  private inFlight = false;
  private waiting: (() => void)[] = [];
  /** What the fsync in flight answers (one at a time, so one list; one completion handler for all). */
  private syncing: (() => void)[] = [];
  private readonly onSynced = (): void => this.synced();

  constructor(private readonly disk: Disk, readonly path: string) {}

  /** Runs `done` once everything appended to the file so far is durable. */
  request(done: () => void): void {
    this.waiting.push(done);
    if (!this.inFlight) this.start();
  }

  private start(): void {
    this.syncing = this.waiting;
    this.waiting = [];
    this.inFlight = true;
    this.disk.fsync(this.path, this.onSynced);
  }

  private synced(): void {
    const batch = this.syncing;
    this.inFlight = false;
    // A callback that asks again starts the next fsync at once (and with it a new `syncing`).
    for (const done of batch) done();
    if (this.waiting.length > 0 && !this.inFlight) this.start();
  }
}
