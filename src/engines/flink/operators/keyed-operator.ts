/**
 * What every keyed operator with timers shares: the keyed state backend of
 * its subtask, an event-time timer service, the current key, and a snapshot
 * of both (Flink's AbstractStreamOperator with its keyed state backend and
 * InternalTimerService). Subclasses handle elements and firing timers.
 */
import type { Output, OperatorContext, OperatorView, StreamOperator } from './operator.ts';
import { KeyedStateBackend, type StateSnapshot } from '../state/backend.ts';
import { TimerService, type TimerServiceSnapshot } from '../time/timers.ts';
import { rescaleKeyedState, rescaleTimers } from '../state/rescale.ts';

export interface KeyedOperatorSnapshot {
  state: StateSnapshot;
  timers: unknown;
}

export abstract class KeyedOperator implements StreamOperator {
  protected ctx!: OperatorContext;
  protected out!: Output;
  protected state!: KeyedStateBackend;
  protected timers = new TimerService<string>();
  protected key = '';

  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
    this.state = ctx.state ?? new KeyedStateBackend(ctx.now);
  }

  setCurrentKey(key: string): void {
    this.key = key;
    this.state.setCurrentKey(key);
  }

  abstract processElement(value: unknown, ts: number, input: number): void;

  /** An event-time timer of `key` in `namespace` fired at `ts`; the key is already current. */
  protected abstract onEventTime(namespace: string, ts: number): void;

  processWatermark(wm: number): void {
    // A restored timer service may already be ahead of a watermark that was not restored.
    if (wm > this.timers.currentWatermark()) {
      this.timers.advanceWatermark(wm, (key, namespace, ts) => {
        this.setCurrentKey(key);
        this.onEventTime(namespace, ts);
      });
    }
    this.out.emitWatermark(wm);
  }

  inspect(): Partial<OperatorView> {
    const timers = this.timers.views();
    return { eventTimeTimers: timers.eventTime, processingTimeTimers: timers.processingTime, state: this.state.contents() };
  }

  snapshotState(): KeyedOperatorSnapshot {
    // The live values: the task copies the part at the barrier (see StreamOperator.snapshotState).
    return { state: this.state.snapshotLive(), timers: this.timers.snapshot() };
  }

  rescaleState(states: unknown[], owns: (key: string) => boolean): void {
    const parts = states as KeyedOperatorSnapshot[];
    this.restoreState({
      state: rescaleKeyedState(parts.map((p) => p.state), owns),
      timers: rescaleTimers(parts.map((p) => p.timers as TimerServiceSnapshot<string>), owns),
    } satisfies KeyedOperatorSnapshot);
  }

  restoreState(snap: unknown): void {
    const s = snap as KeyedOperatorSnapshot;
    this.state.restore(s.state);
    this.timers = new TimerService<string>();
    this.timers.restore(s.timers as never);
  }
}
