/**
 * Anchors: logical points of a run that a fault can be planned after, instead
 * of at an absolute virtual time. An anchor names a kind of trace event and a
 * count `n`: it is reached when the nth matching event is emitted (counted
 * from the start of the run, over every job attempt; with `fromMs`, counted
 * among the events at virtual time `fromMs` or later only). A fault planned
 * `{ after: anchor, delayMs }` then starts `delayMs` of virtual time later,
 * through the world's scheduler.
 *
 * Why: the trace of a run shifts in time when its input changes (fewer
 * records draw fewer network latencies, so every later step moves by a few
 * ms), so a crash at an absolute time lands at another point of the
 * checkpoint protocol. A crash planned "5 ms after checkpoint 3 completes"
 * stays right after checkpoint 3 however the input is cut down, which is
 * what shrinking needs. Checkpoints come on a timer, so their count does not
 * depend on the input; Kafka Streams commits and Spark batches come only with
 * input to work on, so "the 40th commit" moves far away (or never comes) once
 * records are left out, while "the first commit from 1,230 ms on" stays at
 * about the same point of the run's work: the recorder anchors on those with
 * `fromMs`.
 *
 * Firing depends only on the order of trace events, never on wall time: the
 * same run reaches the same anchors at the same steps.
 *
 * The kinds, and the trace events they count:
 * - `checkpoint.trigger`: the coordinator injects the barriers of a
 *   checkpoint (a `barrier.inject` event without a `task`);
 * - `checkpoint.complete`: a checkpoint completes (`checkpoint.complete`);
 * - `txn.precommit`: a two-phase-commit sink pre-commits its transaction
 *   (`txn.precommit`, one per sink subtask and checkpoint whose
 *   transaction holds records; an empty one is closed, `txn.empty`);
 * - `job.restore`: the job is deployed, the first time or after a failure
 *   (`job.restore`; the first deploy is n = 1);
 * - `group.generation`: a consumer group's coordinator completes a
 *   rebalance (`group.generation`; Kafka Streams' group: the first
 *   generation forms at start-up, later ones follow members leaving,
 *   expiring and joining);
 * - `ks.commit`: a Kafka Streams instance completes a commit (`ks.commit`,
 *   one per instance and commit that had offsets or a transaction to end);
 * - `spark.batch`: Spark's driver starts running a micro-batch
 *   (`spark.batch`; a batch run again after a restart counts again);
 * - `spark.commit`: Spark's driver has written a batch's commit
 *   (`spark.commit`);
 * - `txn.begin`: the broker begins a transaction (`txn.begin`), of the
 *   transactional id `txnId` only when the anchor names one. A Kafka Streams
 *   instance's transactions are its own: "the first transaction of ks-0's
 *   producer from 3,406 ms" holds a fault inside that instance's open
 *   transaction, where a commit of any instance does not. Shrinking records
 *   it on Kafka Streams runs only, for faults on the transaction's owner
 *   (`ks.producer` names it);
 * - `txn.offsets`: a consumer's offsets go into a transaction at the group
 *   coordinator (`group.txnOffsets`), of the transactional id `txnId`
 *   only when the anchor names one: in Kafka Streams the last step before
 *   the commit, after the commit's flush has written every changelog and
 *   output record of the transaction. A fault a few ms after it falls
 *   between those writes and the commit marker, wherever the transaction
 *   began; recorded, as `txn.begin`, on Kafka Streams runs, for faults on
 *   the transaction's owner;
 * - `offsets.commit`: a consumer's offsets committed on their own at the
 *   group coordinator (Kafka's OffsetCommit, `group.offsetCommit`), of the
 *   client process `client` only when the anchor names one: where an
 *   instance commits outside a transaction (at-least-once), its offsets
 *   after its output; recorded on Kafka Streams runs, for faults on that
 *   client;
 * - `input.offset`: a fetch of the input topic returns the record at
 *   `offset` of `partition` (a `log.fetch` with offset ≤ O < nextOffset;
 *   a rewound source reads it again, so n = 2 is the first re-read). The
 *   broker traces fetches only when the trace is detailed; `applyPlan`
 *   refuses this anchor on a world that is not. Offsets move when records
 *   are left out, so shrinking never anchors on them; the others are
 *   protocol events, always traced.
 */
import type { TraceEvent } from '../runtime/trace-event.ts';

export const ANCHOR_KINDS = [
  'checkpoint.trigger', 'checkpoint.complete', 'txn.precommit', 'job.restore',
  'group.generation', 'ks.commit', 'spark.batch', 'spark.commit',
  'txn.begin', 'txn.offsets', 'offsets.commit', 'input.offset',
] as const;

export type AnchorKind = (typeof ANCHOR_KINDS)[number];

/** The kinds that count one transactional id's events when the anchor names it. */
export type TxnAnchorKind = 'txn.begin' | 'txn.offsets';

/** The kinds whose anchor may name whose events it counts (a transactional id, a client process): each process's own. */
export type ScopedAnchorKind = TxnAnchorKind | 'offsets.commit';

/** The field that scopes a scoped kind, in its anchor and in the trace events it counts. */
export const SCOPE_FIELD: Record<ScopedAnchorKind, 'txnId' | 'client'> = { 'txn.begin': 'txnId', 'txn.offsets': 'txnId', 'offsets.commit': 'client' };

export function isScopedAnchorKind(k: AnchorKind): k is ScopedAnchorKind {
  return k === 'txn.begin' || k === 'txn.offsets' || k === 'offsets.commit';
}

/** The transactional id or client an anchor names, if any. */
export function anchorScope(a: Anchor): string | undefined {
  if (a.on === 'offsets.commit') return a.client;
  return a.on === 'txn.begin' || a.on === 'txn.offsets' ? a.txnId : undefined;
}

export type Anchor =
  | { on: Exclude<AnchorKind, 'input.offset' | ScopedAnchorKind>; n: number; fromMs?: number }
  | { on: TxnAnchorKind; n: number; fromMs?: number; txnId?: string }
  | { on: 'offsets.commit'; n: number; fromMs?: number; client?: string }
  | { on: 'input.offset'; n: number; partition: number; offset: number };

/**
 * Kinds whose events come only with input to work on: an instance commits
 * only what it processed, a batch runs only on new data. Their count from
 * the start of a run moves when records are left out, so the recorder
 * counts them from a virtual time instead (`fromMs`).
 */
export const INPUT_PACED_KINDS: readonly AnchorKind[] = ['ks.commit', 'spark.batch', 'spark.commit', 'txn.begin', 'txn.offsets', 'offsets.commit'];

/** The trace event kind each anchor kind counts. */
export const ANCHOR_TRACE_KIND: Record<AnchorKind, string> = {
  'checkpoint.trigger': 'barrier.inject',
  'checkpoint.complete': 'checkpoint.complete',
  'txn.precommit': 'txn.precommit',
  'job.restore': 'job.restore',
  'group.generation': 'group.generation',
  'ks.commit': 'ks.commit',
  'spark.batch': 'spark.batch',
  'spark.commit': 'spark.commit',
  'txn.begin': 'txn.begin',
  'txn.offsets': 'group.txnOffsets',
  'offsets.commit': 'group.offsetCommit',
  'input.offset': 'log.fetch',
};

export function isAnchorKind(s: unknown): s is AnchorKind {
  return typeof s === 'string' && (ANCHOR_KINDS as readonly string[]).includes(s);
}

/** Whether trace event `e` counts towards `anchor`. */
export function anchorMatches(anchor: Anchor, e: TraceEvent, inputTopic: string): boolean {
  if (anchor.on !== 'input.offset') {
    const scope = anchorScope(anchor);
    return countsTowards(anchor.on, e) && (anchor.fromMs === undefined || e.t >= anchor.fromMs) &&
      (scope === undefined || e[SCOPE_FIELD[anchor.on as ScopedAnchorKind]] === scope);
  }
  return e.kind === 'log.fetch' && e.topic === inputTopic && e.partition === anchor.partition &&
    typeof e.offset === 'number' && typeof e.nextOffset === 'number' && e.offset <= anchor.offset && anchor.offset < e.nextOffset;
}

/** Whether `e` is one of the protocol events an anchor kind counts. */
function countsTowards(on: Exclude<AnchorKind, 'input.offset'>, e: TraceEvent): boolean {
  // Tasks trace barrier.inject too (a source passing the barrier on); only the coordinator's starts a checkpoint.
  return e.kind === ANCHOR_TRACE_KIND[on] && (on !== 'checkpoint.trigger' || e.task === undefined);
}

/** A short text for an anchor: `checkpoint.complete #3`, `ks.commit #1 from 1,230 ms`, `txn.begin weir-app-ks-0-0 #1 from 3,406 ms`, `offsets.commit ks-0 #1 from 2,100 ms`, `input.offset p0@41 #1`. */
export function anchorText(a: Anchor): string {
  if (a.on === 'input.offset') return `input.offset p${a.partition}@${a.offset} #${a.n}`;
  const scope = anchorScope(a);
  const of = scope !== undefined ? ` ${scope}` : '';
  return `${a.on}${of} #${a.n}${a.fromMs === undefined ? '' : ` from ${a.fromMs.toLocaleString('en-US')} ms`}`;
}

export interface AnchorPoint {
  anchor: Anchor;
  t: number;
  seq: number;
  /** For a scoped kind: the process whose events it counts (a transaction's owner, when a `ks.producer` event named it; an offset commit's client). */
  owner?: string;
}

type RecordedKind = Exclude<AnchorKind, 'input.offset'>;

/** The kinds recorded unless told otherwise: every kind but `input.offset` and the scoped ones (see `KSTREAMS_RECORDED_KINDS`). */
const RECORDED_KINDS = ANCHOR_KINDS.filter((k): k is RecordedKind => k !== 'input.offset' && !isScopedAnchorKind(k));

/**
 * On Kafka Streams runs, transactions begin and take offsets, and offsets are committed on their
 * own: each instance's, so a fault on an instance can stay inside its own commit.
 */
export const KSTREAMS_RECORDED_KINDS: readonly RecordedKind[] = [...RECORDED_KINDS, 'txn.begin', 'txn.offsets', 'offsets.commit'];

/**
 * Records, from a run's trace, every point a fault could be anchored to
 * (all kinds but `input.offset`, whose offsets move when records are left
 * out): subscribe `onEvent`, then ask `latestBefore`. A point of an
 * input-paced kind is counted from halfway between the kind's previous
 * event and it (from half its time when it is the first): so the anchor
 * names "the first commit after 1,230 ms", which a run with fewer records
 * still reaches at about the same point of its work, where "the 40th
 * commit" may come much later or never.
 */
export class AnchorRecorder {
  readonly points: AnchorPoint[] = [];
  /** Times of each kind's events so far; a transaction's begins per transactional id. */
  private readonly times = new Map<string, number[]>();
  /** Transactional id → the process whose producer holds it (from `ks.producer`). */
  private readonly owners = new Map<string, string>();

  constructor(private readonly kinds: readonly RecordedKind[] = RECORDED_KINDS) {}

  readonly onEvent = (e: TraceEvent): void => {
    if (e.kind === 'ks.producer' && typeof e.transactionalId === 'string') this.owners.set(e.transactionalId, e.p);
    for (const on of this.kinds) {
      if (!countsTowards(on, e)) continue;
      const field = isScopedAnchorKind(on) ? e[SCOPE_FIELD[on]] : undefined;
      const scope = typeof field === 'string' ? field : undefined;
      const key = scope === undefined ? on : `${on} ${scope}`;
      let times = this.times.get(key);
      if (!times) this.times.set(key, (times = []));
      times.push(e.t);
      if (!INPUT_PACED_KINDS.includes(on)) {
        this.points.push({ anchor: { on, n: times.length } as Anchor, t: e.t, seq: e.seq });
        continue;
      }
      // Earlier events of the kind at the same time as the previous one count too: n is this one's place from fromMs.
      const prev = times.length > 1 ? times[times.length - 2]! : 0;
      const fromMs = e.t - Math.floor((e.t - prev) / 2);
      let n = 0;
      for (let i = times.length - 1; i >= 0 && times[i]! >= fromMs; i--) n++;
      if (scope === undefined) {
        this.points.push({ anchor: { on, n, fromMs } as Anchor, t: e.t, seq: e.seq });
        continue;
      }
      const owner = on === 'offsets.commit' ? scope : this.owners.get(scope);
      const anchor = (on === 'offsets.commit' ? { on, n, fromMs, client: scope } : { on, n, fromMs, txnId: scope }) as Anchor;
      this.points.push({ anchor, t: e.t, seq: e.seq, ...(owner !== undefined ? { owner } : {}) });
    }
  };

  /**
   * The last recorded point strictly before virtual time `atMs` among `kinds` (all when omitted),
   * if any. With `processes` (the ones a fault acts on), a scoped kind's point counts only when one
   * of them owns it: a fault on ks-0 is held inside ks-0's transaction or commit, never ks-1's.
   */
  latestBefore(atMs: number, kinds?: readonly AnchorKind[], processes?: readonly string[]): AnchorPoint | undefined {
    for (let i = this.points.length - 1; i >= 0; i--) {
      const p = this.points[i]!;
      if (p.t >= atMs || (kinds !== undefined && !kinds.includes(p.anchor.on))) continue;
      if (isScopedAnchorKind(p.anchor.on) && (p.owner === undefined || processes === undefined || !processes.includes(p.owner))) continue;
      return p;
    }
    return undefined;
  }
}
