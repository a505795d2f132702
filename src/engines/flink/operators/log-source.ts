/**
 * A source that reads partitions of a log topic (Flink's KafkaSource), with
 * bounded-out-of-orderness watermarks generated per partition and combined
 * by min, as Flink's per-split watermark generation does.
 *
 * Subtask `i` of `n` owns partitions `p` with `p % n == i`. It keeps one
 * fetch in flight per partition; the next offset of each partition and each
 * partition's watermark-generator state are its checkpointed state, so a
 * restore rewinds reading to exactly the recorded offsets and resumes the
 * watermark where it was (a record that was late before a crash stays late).
 *
 * Watermarks are emitted periodically (Flink's autoWatermarkInterval) in
 * virtual processing time. Each partition has Flink's `IdlenessTimer`
 * (`WatermarksWithIdleness`, one per split): at each periodic emission it
 * asks whether the partition delivered anything since the last one; the
 * first emission that finds nothing new starts a countdown, and an emission
 * more than `idleTimeoutMs` after that start finds the partition idle, so
 * it stops holding the watermark back (between the timeout and the timeout
 * plus two intervals after its last records). When every live partition is
 * idle the source marks its output idle, and it marks it active again only
 * when it emits a watermark above the last one (Flink's
 * `WatermarkOutputMultiplexer` and `WatermarkToDataOutput`): records alone
 * do not, nor does a partition that comes back behind that watermark. The
 * timers are not checkpointed (Flink's are not): a restored source counts
 * afresh. A partition sealed at
 * its end finishes; when all are finished the source finishes, and the task
 * sends the final watermark.
 */
import type { Output, OperatorContext, StreamOperator } from './operator.ts';
import { BoundedOutOfOrdernessWatermarks } from '../time/watermark-generator.ts';
import { IdlenessTimer } from '../time/idleness.ts';
import { MIN_WATERMARK } from '../../../stream/watermark.ts';

export interface LogSourceOptions {
  topic: string;
  partitions: number;
  /** Bounded out-of-orderness of the watermark generator. */
  boundMs: number;
  /** A partition silent this long stops holding the watermark back (0 = never). */
  idleTimeoutMs?: number;
  autoWatermarkIntervalMs?: number;
  fetchMaxRecords?: number;
  /** Pause before fetching again after a failed fetch. */
  pollIntervalMs?: number;
  /**
   * Kafka's fetch.max.wait.ms: how long the broker may hold a fetch that finds nothing
   * new (default 100; below the log client's 200 ms request timeout). An empty answer
   * means the wait ran out, so the next fetch goes at once.
   */
  fetchMaxWaitMs?: number;
  isolation?: 'read_committed' | 'read_uncommitted';
}

interface PartitionState {
  partition: number;
  offset: number;
  gen: BoundedOutOfOrdernessWatermarks;
  finished: boolean;
  /** Flink's per-split idleness detection; undefined when partitions never go idle. */
  idleness: IdlenessTimer | undefined;
  /** Bumped on restore so replies to fetches of a previous life are ignored. */
  fetchEpoch: number;
  inFlight: boolean;
  /** The largest timestamp this life read from the partition, and the one last traced (`source.fetch`). */
  readMax: number;
  tracedMax: number;
  /** Whether the partition's end was traced. */
  tracedEnd: boolean;
}

export interface SourceSnapshot {
  /** The last watermark emitted, so a restored source never emits below it. */
  emitted: number;
  /**
   * Whether the source had marked its output idle. Downstream valves restore
   * their view of this channel from the same checkpoint, so a restored source
   * that was idle must announce itself active again before its watermarks
   * count (the valve ignores watermarks on an idle channel).
   */
  idle?: boolean;
  partitions: { partition: number; offset: number; maxTs: number; finished: boolean }[];
}

export class LogSourceOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private out!: Output;
  private parts: PartitionState[] = [];
  private idle = false;
  private lastEmitted = MIN_WATERMARK;
  private running = false;
  private finished = false;
  private restored = false;

  constructor(private readonly opts: LogSourceOptions) {}

  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
    const idleMs = this.opts.idleTimeoutMs ?? 0;
    for (let p = ctx.subtask; p < this.opts.partitions; p += ctx.parallelism) {
      const idleness = idleMs > 0 ? new IdlenessTimer(idleMs) : undefined;
      this.parts.push({ partition: p, offset: 0, gen: new BoundedOutOfOrdernessWatermarks(this.opts.boundMs), finished: false, idleness, fetchEpoch: 0, inFlight: false, readMax: Number.NEGATIVE_INFINITY, tracedMax: Number.NEGATIVE_INFINITY, tracedEnd: false });
    }
  }

  processElement(): void {
    throw new Error('a source has no input');
  }

  run(): void {
    this.running = true;
    if (this.ctx.checkpointGuarantee === 'at-most-once' && this.ctx.attempt > 0 && !this.restored) {
      // At-most-once: no replay after a restart; read on from the end of the log.
      this.ctx.log.endOffsets(this.opts.topic, (r) => {
        if (!this.running) return;
        for (const p of this.parts) p.offset = r.ok ? (r.offsets[p.partition] ?? 0) : p.offset;
        for (const p of this.parts) if (!p.finished) this.fetch(p);
      });
    } else for (const p of this.parts) if (!p.finished) this.fetch(p);
    this.tick();
    this.checkFinished();
  }

  private tick(): void {
    if (!this.running || this.finished) return;
    this.emitWatermark();
    this.ctx.after(this.opts.autoWatermarkIntervalMs ?? 50, () => this.tick());
  }

  private fetch(p: PartitionState): void {
    if (!this.running || p.finished || p.inFlight) return;
    const epoch = p.fetchEpoch;
    p.inFlight = true;
    const isolation = this.opts.isolation ?? 'read_committed';
    const maxWaitMs = this.opts.fetchMaxWaitMs ?? 100;
    this.ctx.log.fetch(this.opts.topic, p.partition, p.offset, this.opts.fetchMaxRecords ?? 500, isolation, (r) => {
      if (!this.running || epoch !== p.fetchEpoch) return;
      p.inFlight = false;
      if (!r.ok) {
        this.ctx.after(this.opts.pollIntervalMs ?? 10, () => this.fetch(p));
        return;
      }
      for (const rec of r.records) {
        const ts = (rec.value as { ts: number }).ts;
        // What was read, kept apart from the generator: the evidence watermark.source-bound judges by.
        if (ts > p.readMax) p.readMax = ts;
        p.gen.onEvent(ts);
        this.out.collect(rec.value, ts);
      }
      p.offset = r.nextOffset;
      // Flink counts each event; the timer only asks whether the count moved, so once per batch says the same.
      // Records do not make an idle output active: a higher watermark does (see emitWatermark).
      if (r.records.length > 0) p.idleness?.activity();
      if (r.endOfPartition) {
        p.finished = true;
        this.checkFinished();
      } else if (r.records.length > 0 || maxWaitMs > 0) this.fetch(p);
      else this.ctx.after(this.opts.pollIntervalMs ?? 10, () => this.fetch(p));
    }, maxWaitMs);
  }

  private setIdle(idle: boolean): void {
    this.idle = idle;
    this.out.emitIdle(idle);
  }

  /**
   * Traces what the partitions read since the last watermark (`source.fetch`: the largest timestamp
   * read, and a partition's end), once per partition that has news, before a watermark is emitted:
   * every watermark the source emits can be judged against what it had read (watermark.source-bound).
   */
  private traceReads(): void {
    for (const p of this.parts) {
      const end = p.finished && !p.tracedEnd;
      if (p.readMax <= p.tracedMax && !end) continue;
      const maxTs = p.readMax > Number.NEGATIVE_INFINITY ? p.readMax : undefined;
      this.ctx.trace.emit('source.fetch', { task: this.ctx.taskName, attempt: this.ctx.attempt, partition: p.partition, bound: this.opts.boundMs, maxTs, ...(p.finished ? { finished: true } : {}) });
      p.tracedMax = p.readMax;
      if (p.finished) p.tracedEnd = true;
    }
  }

  private emitWatermark(): void {
    this.traceReads();
    const now = this.ctx.now();
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    let idleParts = 0;
    for (const p of this.parts) {
      if (p.finished) continue;
      // Every live partition's timer is asked at every emission: asking is what moves its countdown.
      if (p.idleness !== undefined && p.idleness.checkIfIdle(now)) {
        idleParts++;
        continue;
      }
      active++;
      min = Math.min(min, p.gen.currentWatermark());
    }
    if (active === 0) {
      if (idleParts > 0 && !this.idle) this.setIdle(true);
      return;
    }
    // Flink's WatermarkOutputMultiplexer emits only a combined watermark that went up, and its
    // WatermarkToDataOutput marks the output active just before such a one: an output stays idle
    // while partitions come back behind the watermark it had reached.
    if (min > this.lastEmitted) {
      if (this.idle) this.setIdle(false);
      this.lastEmitted = min;
      this.out.emitWatermark(min);
    }
  }

  private checkFinished(): void {
    if (this.finished || this.parts.some((p) => !p.finished)) return;
    this.finished = true;
    this.ctx.trace.emit('source.end', { task: this.ctx.taskName, attempt: this.ctx.attempt });
    this.ctx.finishSource();
  }

  snapshotState(): SourceSnapshot {
    return {
      emitted: this.lastEmitted,
      idle: this.idle,
      partitions: this.parts.map((p) => ({ partition: p.partition, offset: p.offset, maxTs: p.gen.snapshot().maxTs, finished: p.finished })),
    };
  }

  restoreState(snap: unknown): void {
    const s = snap as SourceSnapshot;
    this.restored = true;
    const rewind = !this.ctx.bugs.has('source-not-rewound');
    if (!this.ctx.bugs.has('watermark-not-checkpointed')) this.lastEmitted = s.emitted;
    this.idle = s.idle === true;
    // Keep the task's view of its output in step, so its final watermark marks it active first.
    if (this.idle) this.out.emitIdle(true);
    for (const p of this.parts) {
      const saved = s.partitions.find((x) => x.partition === p.partition);
      if (!saved) continue;
      if (rewind) p.offset = saved.offset;
      p.finished = saved.finished;
      if (!this.ctx.bugs.has('watermark-not-checkpointed')) {
        p.gen = BoundedOutOfOrdernessWatermarks.restore(this.opts.boundMs, { maxTs: saved.maxTs });
      }
      p.fetchEpoch++;
      p.inFlight = false;
      p.tracedEnd = p.finished;
      this.ctx.trace.emit('source.restore', { task: this.ctx.taskName, attempt: this.ctx.attempt, partition: p.partition, bound: this.opts.boundMs, maxTs: p.gen.snapshot().maxTs, ...(p.finished ? { finished: true } : {}) });
    }
  }

  close(): void {
    this.running = false;
  }
}
