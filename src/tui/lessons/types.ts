/**
 * A walkthrough lesson: one or more fixed runs (repro settings, so every
 * learner sees the same run) and narration steps, each pointing the replay
 * cursor at the event it talks about.
 *
 * Steps find their event by what it is, never by its position (positions
 * move whenever the engine changes): the first event of a kind that matches
 * a predicate, searched after the previous step of the same run unless the
 * step says `from: 'start'`. A step whose event cannot be found stays where
 * the previous one was and says so.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import type { RunSettings } from '../../explore/settings.ts';
import type { FaultPlan, TimedFault } from '../../sim/faults.ts';
import type { Replay } from '../open.ts';
import type { ReplayState } from '../model/types.ts';

export interface LessonRun {
  key: string;
  /** Shown above the narration, e.g. "exactly-once". */
  label: string;
  /** The run's settings; with `faultsFrom`, those of the run without its faults. */
  settings: RunSettings;
  /**
   * Where the run's faults go, chosen by what happens in it rather than by
   * the clock: the settings run first without faults, and this reads that
   * run's events and returns the plan to run with (a crash at the time of
   * the event it must follow, checked to come before the one it must
   * precede). A fault changes nothing before it fires, so the run with it
   * is that run up to the fault. A crash at a fixed time falls out of a
   * window of a few milliseconds (between a sink's write and the commit
   * that records it) whenever a change anywhere moves the run's timing; a
   * crash placed by its events moves with them.
   */
  faultsFrom?: (probe: Replay) => FaultPlan;
}

/** What a step's predicate and text see. */
export interface StepContext {
  replay: Replay;
  /** The event the step points at. */
  event: TraceEvent;
  index: number;
  /** The replay state right after that event. */
  state: ReplayState;
}

export interface EventPick {
  kind: string;
  match?: (ctx: StepContext) => boolean;
  /** Search from the start of the run instead of after the previous step. */
  from?: 'start';
}

export interface LessonStep {
  title: string;
  /** Narration: plain text, or written from the event it points at. */
  text: string | ((ctx: StepContext) => string);
  /** Which run (default: the lesson's first). */
  run?: string;
  /** The event to show; 'start' is the run's first step, 'violation' where its first failed check shows. */
  at: EventPick | 'start' | 'end' | 'violation';
  /** The event log's filter while this step is shown. */
  filter?: string;
}

export interface Lesson {
  name: string;
  title: string;
  summary: string;
  runs: LessonRun[];
  steps: LessonStep[];
}

/** A run's checks as narration sums them up: `all N checks passed`, or `✗` and the failed ones' names. */
export function verdictText(c: StepContext): string {
  const checks = c.replay.rec.meta.checks ?? [];
  const failed = checks.filter((x) => !x.ok);
  return failed.length === 0 ? `all ${checks.length} checks passed` : `✗ ${failed.map((x) => x.name).join(', ')}`;
}

type EngineKey = 'flink' | 'kstreams' | 'spark';

/**
 * One run per engine (keys `flink`, `kstreams`, `spark`) of the same settings — seed 1, exactly-once,
 * no faults drawn, no planted bug unless `base` says otherwise — each with its label and what
 * `perEngine` adds (a fault plan by role).
 */
export function engineRuns(
  base: Pick<RunSettings, 'scenario' | 'events'> & Partial<RunSettings>, labels: Record<EngineKey, string>, perEngine: (engine: EngineKey) => Partial<RunSettings> = () => ({}),
): LessonRun[] {
  return (['flink', 'kstreams', 'spark'] as const).map((engine) => ({
    key: engine,
    label: labels[engine],
    settings: { seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], ...base, engine, ...perEngine(engine) },
  }));
}

/** A check's verdict as narration says it: `✓ name: detail`, `✗ name: detail`, or that the run has no such check. */
export function checkText(c: StepContext, name: string): string {
  const v = c.replay.rec.meta.checks?.find((x) => x.name === name);
  return v ? `${v.ok ? '✓' : '✗'} ${name}: ${v.detail}` : `${name}: not judged`;
}

/** A check's verdict as a sentence: "name passes: detail." (or fails), for narration that cites a check the screen does not list. */
export function detailOf(c: StepContext, name: string): string {
  const v = c.replay.rec.meta.checks?.find((x) => x.name === name);
  return v === undefined ? `${name} was not judged.` : `${name} ${v.ok ? 'passes' : 'fails'}: ${v.detail}.`;
}

/** The last event of `kind` before the step's, of process `p` when given, or one `match` accepts. */
export function lastBefore(c: StepContext, kind: string, p?: string, match: (e: TraceEvent) => boolean = () => true): TraceEvent | undefined {
  return eventsOf(c, kind).filter((e) => e.seq < c.event.seq && (p === undefined || e.p === p) && match(e)).at(-1);
}

/** A list field of the step's event, comma-separated ('' when it is not a list). */
export function listText(c: StepContext, field: string): string {
  const v = c.event[field];
  return Array.isArray(v) ? v.join(', ') : '';
}

/** The run's events of `kind`, in order. */
export function eventsOf(c: StepContext, kind: string): TraceEvent[] {
  return Array.from(c.replay.index.positions(kind), (i) => c.replay.index.events[i]!);
}

/** Whether the step's process (a Kafka Streams instance) had a transaction open just before the step (a crash's step: one it lost). */
export function ksTxnOpenBefore(c: StepContext): boolean {
  return c.replay.index.stateAt(c.index - 1).ks?.instances.get(c.event.p)?.txn?.status === 'open';
}

/** The abort of the step's `transactionalId` since its process last crashed and before the step (a restarted producer's new epoch), if any. */
export function abortSinceCrash(c: StepContext): TraceEvent | undefined {
  const crash = lastBefore(c, 'proc.crash', c.event.p);
  return eventsOf(c, 'txn.abort').find((e) => e.txnId === c.event.transactionalId && e.seq > (crash?.seq ?? -1) && e.seq < c.event.seq);
}

/** The index of the first event after index `from` that `match` accepts. */
export function firstEvent(r: Replay, match: (e: TraceEvent) => boolean, from = -1): number | undefined {
  const es = r.index.events;
  for (let i = from + 1; i < es.length; i++) if (match(es[i]!)) return i;
  return undefined;
}

/** The index of the last event before index `before` and after index `from` that `match` accepts. */
export function lastEvent(r: Replay, match: (e: TraceEvent) => boolean, before: number, from = -1): number | undefined {
  const es = r.index.events;
  for (let i = Math.min(before, es.length) - 1; i > from; i--) if (match(es[i]!)) return i;
  return undefined;
}

/** A crash a lesson places (`faultsFrom`): which process, and how long it stays down. */
export interface PlacedCrash {
  process: string;
  restartAfterMs: number;
}

/**
 * A crash that falls after the event at index `after` of the run without
 * faults and before the one at `before`: 1 ms after the first, past
 * everything of its millisecond, and before the second's millisecond.
 * Throws, naming `what`, when either event is missing or there is no
 * millisecond strictly between them: the lesson's run no longer holds the
 * window it teaches.
 */
export function crashBetween(probe: Replay, after: number | undefined, before: number | undefined, crash: PlacedCrash, what: string): Extract<TimedFault, { kind: 'crash' }> {
  const es = probe.index.events;
  if (after === undefined || before === undefined || after >= before) throw new Error(`lesson run: ${what}: the run without faults has no such window`);
  const [from, to] = [es[after]!, es[before]!];
  if (from.t + 1 >= to.t) throw new Error(`lesson run: ${what}: no millisecond between ${from.kind} at ${from.t} ms and ${to.kind} at ${to.t} ms`);
  return { kind: 'crash', atMs: from.t + 1, process: crash.process, restartAfterMs: crash.restartAfterMs };
}
