/**
 * The two operators a test harness adds to a job: an input the test drives
 * step by step, and a sink that keeps everything that reaches it.
 *
 * `DrivenSourceOperator` is a source whose subtasks do nothing by
 * themselves: the harness calls `record`, `watermark`, `idle` and `end` on
 * the instance of one subtask, and the task passes each on as a source's
 * output (a watermark from an idle input marks it active first; a record
 * leaves its status as it is). Its snapshot holds the last watermark it
 * emitted and whether it had ended, so a restored input refuses to go
 * back.
 *
 * `CollectSinkOperator` appends each record and watermark that reaches it
 * to a list the harness owns (the list outlives restores), stamped with the
 * processing time and with the last watermark that reached this sink
 * subtask before it — so a window result appears before the watermark that
 * fired it, as in Flink's harness output. That watermark is its snapshot.
 */
import type { Output, OperatorContext, StreamOperator } from '../operators/operator.ts';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../../stream/watermark.ts';

/** A record as a harness sink received it. */
export interface CollectedRecord<T = unknown> {
  value: T;
  /** The record's event timestamp (a window result's is `end - 1`). */
  ts: number;
  /** Processing time when it reached the sink. */
  at: number;
  /** The last watermark that had reached this sink subtask before the record (MIN_WATERMARK before any). */
  watermark: number;
  /** The sink subtask that received it. */
  subtask: number;
}

/** What reached a harness sink, in order: records and watermarks (Flink's harness output queue). */
export type SinkEvent<T = unknown> =
  | ({ kind: 'record' } & CollectedRecord<T>)
  | { kind: 'watermark'; watermark: number; at: number; subtask: number };

export class HarnessError extends Error {}

interface DrivenSnapshot {
  emitted: number;
  ended: boolean;
}

export class DrivenSourceOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private out!: Output;
  private emitted = MIN_WATERMARK;
  private ended = false;

  /** `register` is told the instance of each subtask when it opens (again after a restore). */
  constructor(
    private readonly name: string,
    private readonly register: (subtask: number, op: DrivenSourceOperator) => void,
  ) {}

  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
    this.register(ctx.subtask, this);
  }

  processElement(): void {
    throw new HarnessError('a source has no input');
  }

  run(): void {
    // A restored input that had ended ends again (its task must finish).
    if (this.ended) this.ctx.finishSource();
  }

  private where(): string {
    return `input ${this.name}[${this.ctx.subtask}]`;
  }

  private checkOpen(): void {
    if (this.ended) throw new HarnessError(`${this.where()} has ended`);
  }

  record(value: unknown, ts: number): void {
    this.checkOpen();
    // NO_TIMESTAMP (the lower bound itself) is a record without a timestamp.
    if (!Number.isSafeInteger(ts) || ts < MIN_WATERMARK || ts >= MAX_WATERMARK) {
      throw new HarnessError(`${this.where()}: a timestamp must be a safe integer strictly between the watermark bounds (or NO_TIMESTAMP for none), got ${ts}`);
    }
    this.out.collect(value, ts);
  }

  /** Advances this input's watermark; the same watermark again changes nothing. */
  watermark(wm: number): void {
    this.checkOpen();
    if (!Number.isSafeInteger(wm) || wm >= MAX_WATERMARK) {
      throw new HarnessError(`${this.where()}: a watermark must be a safe integer below the final watermark, got ${wm} (end the input to reach it)`);
    }
    if (wm < this.emitted) throw new HarnessError(`${this.where()}: the watermark cannot go back (from ${this.emitted} to ${wm})`);
    if (wm === this.emitted) return;
    this.emitted = wm;
    this.out.emitWatermark(wm);
  }

  idle(idle: boolean): void {
    this.checkOpen();
    this.out.emitIdle(idle);
  }

  /** End of this input: the task emits the final watermark and ends its output. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.ctx.finishSource();
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  snapshotState(): DrivenSnapshot {
    return { emitted: this.emitted, ended: this.ended };
  }

  restoreState(snap: unknown): void {
    const s = snap as DrivenSnapshot;
    this.emitted = s.emitted;
    this.ended = s.ended;
  }
}

export class CollectSinkOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private watermark = MIN_WATERMARK;

  constructor(private readonly events: SinkEvent[]) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  processElement(value: unknown, ts: number): void {
    this.events.push({ kind: 'record', value, ts, at: this.ctx.now(), watermark: this.watermark, subtask: this.ctx.subtask });
  }

  processWatermark(wm: number): void {
    this.watermark = wm;
    this.events.push({ kind: 'watermark', watermark: wm, at: this.ctx.now(), subtask: this.ctx.subtask });
  }

  snapshotState(): { watermark: number } {
    return { watermark: this.watermark };
  }

  restoreState(snap: unknown): void {
    this.watermark = (snap as { watermark: number }).watermark;
  }

  /** Restored into another parallelism: the smallest watermark any old subtask had seen. */
  rescaleState(states: unknown[]): void {
    this.watermark = Math.min(...states.map((s) => (s as { watermark: number }).watermark));
  }
}
