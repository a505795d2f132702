/**
 * A source that plays a `Script` (see `../script.ts`): records, watermark
 * advances and processing-time waits, in order — Beam's TestStream as a
 * Flink-style source operator.
 *
 * `fromScript` runs it as one subtask. Every downstream task then reads it
 * over exactly one channel, where records and watermarks arrive in script
 * order, so the watermark a record meets downstream is the last one before
 * it in the script and every lateness decision is exact. `fromScripts`
 * runs one subtask per script, subtask i playing script i: a downstream
 * task's watermark is then the minimum over their channels, and in the
 * simulated world whether a record meets a watermark of another subtask
 * depends on which the network delivered first (the test harness delivers
 * at once, in the order the steps ran). Two scripted sources feeding one
 * task are ordered only within each source.
 *
 * Steps without a wait run at once, in one turn of the task; a wait resumes
 * the script after `advanceProcessingTime` ms of virtual processing time.
 * With `idleTimeoutMs`, a wait that leaves the source silent that long
 * marks its output idle (Flink's WatermarksWithIdleness), and the next
 * record or watermark step marks it active again. An `idle` step marks it
 * idle or active explicitly.
 *
 * Checkpointed state: the index of the next step to run, the last
 * watermark emitted, and whether the output was idle (only when it was). A
 * restore resumes at that step, with the output idle again if it was; a
 * wait that was in progress is waited again in full. At-most-once runs have no replay: a
 * restarted attempt without a restored snapshot ends at once (the rest of
 * the script is lost, as records in flight are).
 *
 * Trace: `source.read { task, attempt, step, records }` for each records
 * step played, `source.end { task, attempt }` when the script is over.
 */
import type { Output, OperatorContext, StreamOperator } from './operator.ts';
import { validateScript, type Script } from '../script.ts';
import { MIN_WATERMARK } from '../../../stream/watermark.ts';

export interface ScriptedSourceOptions {
  /** Silence (ms of processing time, within waits) after which the source marks its output idle; 0 = never. */
  idleTimeoutMs?: number;
}

interface ScriptSnapshot {
  next: number;
  emitted: number;
  idle?: true;
}

export class ScriptedSourceOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private out!: Output;
  /** Index of the next step to run (of the wait in progress, while waiting). */
  private next = 0;
  private lastEmitted = MIN_WATERMARK;
  private lastActivityMs = 0;
  private idle = false;
  private running = false;
  private finished = false;
  private restored = false;
  /** Restored with its output idle: marked idle again when it runs. */
  private restoredIdle = false;
  private script!: Script<unknown>;
  private readonly scripts: readonly Script<unknown>[];

  /** One script (one subtask), or one script per subtask. */
  constructor(
    scripts: Script<unknown> | readonly Script<unknown>[],
    private readonly opts: ScriptedSourceOptions = {},
  ) {
    this.scripts = Array.isArray(scripts) ? scripts : [scripts as Script<unknown>];
    if (this.scripts.length === 0) throw new Error('a scripted source needs at least one script');
    for (const sc of this.scripts) validateScript(sc);
  }

  open(ctx: OperatorContext, out: Output): void {
    if (ctx.parallelism !== this.scripts.length) {
      throw new Error(`a scripted source of ${this.scripts.length} script(s) runs as ${this.scripts.length} subtask(s), not ${ctx.parallelism}`);
    }
    this.ctx = ctx;
    this.out = out;
    this.script = this.scripts[ctx.subtask]!;
  }

  processElement(): void {
    throw new Error('a source has no input');
  }

  run(): void {
    this.running = true;
    this.lastActivityMs = this.ctx.now();
    // At-most-once: no replay after a restart, and a script has nothing that arrives later.
    if (this.ctx.checkpointGuarantee === 'at-most-once' && this.ctx.attempt > 0 && !this.restored) this.next = this.script.steps.length;
    // Downstream restored this channel as idle: the output must say so too, or it could never become active again.
    if (this.restoredIdle) this.setIdle(true);
    this.play();
  }

  /** Runs steps until a wait or the end. */
  private play(): void {
    const steps = this.script.steps;
    while (this.running && this.next < steps.length) {
      const step = steps[this.next]!;
      if ('advanceProcessingTime' in step) return this.wait(step.advanceProcessingTime);
      this.setIdle('idle' in step && step.idle);
      this.lastActivityMs = this.ctx.now();
      if ('records' in step) {
        this.ctx.trace.emit('source.read', { task: this.ctx.taskName, attempt: this.ctx.attempt, step: this.next, records: step.records.length });
        for (const r of step.records) this.out.collect(r, r.ts);
      } else if ('watermark' in step && step.watermark > this.lastEmitted) {
        this.lastEmitted = step.watermark;
        this.out.emitWatermark(step.watermark);
      }
      this.next++;
    }
    if (this.running) this.finish();
  }

  private wait(ms: number): void {
    const step = this.next;
    const idleMs = this.opts.idleTimeoutMs ?? 0;
    if (idleMs > 0 && !this.idle) {
      const idleInMs = Math.max(0, this.lastActivityMs + idleMs - this.ctx.now());
      if (idleInMs < ms) {
        this.ctx.after(idleInMs, () => {
          if (this.running && this.next === step) this.setIdle(true);
        });
      }
    }
    this.ctx.after(ms, () => {
      if (!this.running || this.next !== step) return;
      this.next++;
      this.play();
    });
  }

  private setIdle(idle: boolean): void {
    if (this.idle === idle) return;
    this.idle = idle;
    this.out.emitIdle(idle);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.setIdle(false);
    this.ctx.trace.emit('source.end', { task: this.ctx.taskName, attempt: this.ctx.attempt });
    this.ctx.finishSource();
  }

  snapshotState(): ScriptSnapshot {
    return { next: this.next, emitted: this.lastEmitted, ...(this.idle ? { idle: true as const } : {}) };
  }

  restoreState(snap: unknown): void {
    const s = snap as ScriptSnapshot;
    this.restored = true;
    this.restoredIdle = s.idle === true;
    this.next = s.next;
    // The planted bug resets watermarks on restore, as the task does for its own.
    if (!this.ctx.bugs.has('watermark-not-checkpointed')) this.lastEmitted = s.emitted;
  }

  close(): void {
    this.running = false;
  }
}
