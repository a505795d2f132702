/**
 * The workload producer: a simulated process that writes a scheduled input
 * into a topic over processing time, then seals every partition.
 *
 * Each batch is produced at its `atMs` (or as soon as possible after it, when
 * the producer was down), by an idempotent producer whose id is stable across
 * restarts and whose seq for batch i is i. Batches of one partition go one at
 * a time, in schedule order, so the log keeps their order. Once a batch is
 * acknowledged its index is appended to the producer's own progress file
 * (synced every 100 ms); after a crash the producer resends every batch not
 * recorded there durably, and the
 * broker's seq dedupe turns a resend of an applied batch into a plain ack.
 * So every scheduled record is in the log exactly once, whatever crashes.
 * When all batches are acknowledged it seals every partition (a seal is
 * idempotent too) and records that, so the sources know the input is over.
 *
 * Transactional mode (`transactional`): the producer is then the sink of an
 * upstream job, as in a chain of jobs. Each batch is written in a
 * transaction of its partition's transactional id and committed; a batch
 * marked `abortFirst` is first written in a transaction that is aborted,
 * then written again in one that commits. Read-committed readers see each
 * record once, and never the aborted copy. The epoch comes from `txn.init`
 * at start (which also aborts a transaction a crashed incarnation left
 * open, and waits for one it was ending); sequence numbers are unique per
 * incarnation, batch and attempt, so the broker's dedupe only ever drops a
 * retried request, never a new write. The progress file cannot be written
 * atomically with a commit (a crash between the two would resend a
 * committed batch), so after `txn.init` the producer reads its partition
 * back, read committed, and skips the batches whose records are there, as
 * a job restores its input position from its committed state.
 */
import { LogClient } from './client.ts';
import { readFile } from './codec.ts';
import type { ProcessContext, ProcessFactory, ProcessId, ProcessLogic, TimerHandle } from '../runtime/types.ts';

export interface ScheduledBatch {
  atMs: number;
  partition: number;
  records: unknown[];
  /** Transactional mode: write the batch once in a transaction that is aborted, then again in one that commits. */
  abortFirst?: boolean;
}

export interface WorkloadProducerOptions {
  brokerId: ProcessId;
  topic: string;
  partitions: number;
  /** Sorted by atMs. */
  schedule: ScheduledBatch[];
  /** The idempotent producer id (default: the process id). */
  producerId?: string;
  requestTimeoutMs?: number;
  /** Write every batch in a transaction of `transactionalId(partition)` (see the module comment). */
  transactional?: { transactionalId: (partition: number) => string };
}

/** Sequence numbers per incarnation: room for two attempts of every batch of the largest run. */
const SEQS_PER_INCARNATION = 2 ** 24;

export function workloadProducer(opts: WorkloadProducerOptions): ProcessFactory {
  for (const b of opts.schedule) {
    if (!Number.isInteger(b.partition) || b.partition < 0 || b.partition >= opts.partitions) {
      throw new RangeError(`workloadProducer: batch partition ${b.partition} outside [0, ${opts.partitions})`);
    }
  }
  return (ctx) => new WorkloadProducer(ctx, opts);
}

const PROGRESS_PATH = 'producer/progress.log';
const PROGRESS_SYNC_MS = 100;

type ProgressLine = { t: 'acked'; i: number } | { t: 'sealed'; p: number };

function isProgressLine(v: unknown): v is ProgressLine {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  return (l.t === 'acked' && Number.isInteger(l.i)) || (l.t === 'sealed' && Number.isInteger(l.p));
}

class WorkloadProducer implements ProcessLogic {
  private readonly client: LogClient;
  private readonly producerId: string;
  private readonly retryMs: number;
  /** Per partition: schedule indices not yet acknowledged, in order. */
  private readonly queues: number[][] = [];
  private readonly busy: boolean[] = [];
  private readonly wakeups: (TimerHandle | undefined)[] = [];
  private readonly sealed = new Set<number>();
  private sealsSent = false;
  private syncArmed = false;
  /** Transactional mode: the epoch per partition once `txn.init` answered. */
  private readonly epochs: (number | undefined)[] = [];
  /** Transactional mode: the attempt of the head batch per partition (0: the aborted one when `abortFirst`). */
  private readonly attempts: number[] = [];

  constructor(private readonly ctx: ProcessContext, private readonly opts: WorkloadProducerOptions) {
    this.retryMs = opts.requestTimeoutMs ?? 200;
    this.client = new LogClient(ctx, opts.brokerId, { requestTimeoutMs: this.retryMs });
    this.producerId = opts.producerId ?? ctx.id;
    const acked = this.loadProgress();
    for (let p = 0; p < opts.partitions; p++) {
      this.queues.push([]);
      this.busy.push(false);
      this.wakeups.push(undefined);
      this.epochs.push(undefined);
      this.attempts.push(0);
    }
    opts.schedule.forEach((b, i) => {
      if (!acked.has(i)) this.queues[b.partition].push(i);
    });
    for (let p = 0; p < opts.partitions; p++) {
      if (opts.transactional) this.initTxn(p);
      else this.pump(p);
    }
  }

  private initTxn(p: number): void {
    const id = this.opts.transactional!.transactionalId(p);
    this.client.initTxn(id, (r) => {
      if (!r.ok) {
        if (r.code !== 'timeout') throw new Error(`workloadProducer ${this.ctx.id}: txn.init of ${id} refused: ${r.code}: ${r.message}`);
        this.ctx.timers.after(this.retryMs, () => this.initTxn(p));
        return;
      }
      this.epochs[p] = r.epoch;
      this.skipCommitted(p, 0, new Set());
    });
  }

  /** Reads partition `p` read committed from `offset` to its end, then drops the batches already there and starts. */
  private skipCommitted(p: number, offset: number, ids: Set<unknown>): void {
    this.client.fetch(this.opts.topic, p, offset, 10_000, 'read_committed', (r) => {
      if (!r.ok) {
        if (r.code !== 'timeout') throw new Error(`workloadProducer ${this.ctx.id}: fetch of ${this.opts.topic}/${p} refused: ${r.code}: ${r.message}`);
        this.ctx.timers.after(this.retryMs, () => this.skipCommitted(p, offset, ids));
        return;
      }
      for (const rec of r.records) ids.add((rec.value as { id?: unknown }).id);
      if (r.nextOffset !== offset) return this.skipCommitted(p, r.nextOffset, ids);
      const idOf = (i: number): unknown => (this.opts.schedule[i]!.records[0] as { id?: unknown } | undefined)?.id;
      this.queues[p] = this.queues[p]!.filter((i) => !ids.has(idOf(i)));
      this.pump(p);
    });
  }

  onMessage(from: ProcessId, msg: unknown): void {
    this.client.handle(from, msg);
  }

  /** Reads the progress file; a damaged tail is cut off so later appends follow intact frames. */
  private loadProgress(): Set<number> {
    const decoded = readFile(this.ctx.disk, PROGRESS_PATH, isProgressLine);
    // A plain write (not an append) cannot tear: a crash before the next fsync brings back the old content.
    if (decoded.damage !== undefined) this.ctx.disk.writeFrames(PROGRESS_PATH, decoded.intact);
    const acked = new Set<number>();
    for (const line of decoded.items) {
      if (line.t === 'acked') acked.add(line.i);
      else this.sealed.add(line.p);
    }
    return acked;
  }

  /**
   * Notes progress. The file only saves resends (the broker dedupes them), so it is
   * synced at most every PROGRESS_SYNC_MS rather than per line; a crash loses or tears
   * the unsynced tail, and those batches are sent again.
   */
  private record(line: ProgressLine): void {
    this.ctx.disk.appendFrame(PROGRESS_PATH, line);
    if (this.syncArmed) return;
    this.syncArmed = true;
    this.ctx.timers.after(PROGRESS_SYNC_MS, () => {
      this.syncArmed = false;
      this.ctx.disk.fsync(PROGRESS_PATH);
    });
  }

  private pump(p: number): void {
    if (this.busy[p]) return;
    const i = this.queues[p][0];
    if (i === undefined) return this.maybeSeal();
    const batch = this.opts.schedule[i];
    const waitMs = batch.atMs - this.ctx.clock.now();
    if (waitMs > 0) {
      this.wakeups[p]?.cancel();
      this.wakeups[p] = this.ctx.timers.after(waitMs, () => this.pump(p));
      return;
    }
    this.busy[p] = true;
    if (this.opts.transactional) return this.produceInTxn(p, i);
    const producer = { id: this.producerId, seq: i };
    this.client.produce(this.opts.topic, p, batch.records, { producer }, (r) => {
      this.busy[p] = false;
      if (r.ok) {
        this.queues[p].shift();
        this.record({ t: 'acked', i });
        return this.pump(p);
      }
      if (r.code !== 'timeout') throw new Error(`workloadProducer ${this.ctx.id}: produce refused: ${r.code}: ${r.message}`);
      this.ctx.timers.after(this.retryMs, () => this.pump(p));
    });
  }

  /** Transactional mode: writes batch `i` in a transaction of partition `p`, then commits it (or aborts the first attempt). */
  private produceInTxn(p: number, i: number): void {
    const batch = this.opts.schedule[i];
    const id = this.opts.transactional!.transactionalId(p);
    const epoch = this.epochs[p] as number;
    const attempt = this.attempts[p];
    const commit = !batch.abortFirst || attempt > 0;
    const seq = this.ctx.incarnation * SEQS_PER_INCARNATION + 2 * i + attempt;
    const retry = (code: string, message: string, what: string): void => {
      if (code !== 'timeout') throw new Error(`workloadProducer ${this.ctx.id}: ${what} refused: ${code}: ${message}`);
      this.busy[p] = false;
      this.ctx.timers.after(this.retryMs, () => this.pump(p));
    };
    this.client.produce(this.opts.topic, p, batch.records, { producer: { id, seq }, txn: { id, epoch } }, (r) => {
      if (!r.ok) return retry(r.code, r.message, 'produce');
      this.endTxn(p, i, id, epoch, commit);
    });
  }

  private endTxn(p: number, i: number, id: string, epoch: number, commit: boolean): void {
    this.client.endTxn(id, epoch, commit, (r) => {
      if (!r.ok) {
        if (r.code !== 'timeout') throw new Error(`workloadProducer ${this.ctx.id}: ${commit ? 'commit' : 'abort'} of ${id} refused: ${r.code}: ${r.message}`);
        this.ctx.timers.after(this.retryMs, () => this.endTxn(p, i, id, epoch, commit));
        return;
      }
      this.busy[p] = false;
      if (!commit) {
        this.attempts[p]++;
        return this.pump(p);
      }
      this.attempts[p] = 0;
      this.queues[p].shift();
      this.record({ t: 'acked', i });
      this.pump(p);
    });
  }

  private maybeSeal(): void {
    if (this.sealsSent || this.queues.some((q) => q.length > 0)) return;
    this.sealsSent = true;
    for (let p = 0; p < this.opts.partitions; p++) if (!this.sealed.has(p)) this.seal(p);
  }

  private seal(p: number): void {
    this.client.seal(this.opts.topic, p, (r) => {
      if (r.ok) {
        this.sealed.add(p);
        return this.record({ t: 'sealed', p });
      }
      if (r.code !== 'timeout') throw new Error(`workloadProducer ${this.ctx.id}: seal refused: ${r.code}: ${r.message}`);
      this.ctx.timers.after(this.retryMs, () => this.seal(p));
    });
  }
}
