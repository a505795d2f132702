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
  'txn.begin', 'txn.offsets', 'input.offset',
] as const;

export type AnchorKind = (typeof ANCHOR_KINDS)[number];

/** The kinds that count one transactional id's events when the anchor names it. */
export type TxnAnchorKind = 'txn.begin' | 'txn.offsets';

export function isTxnAnchorKind(k: AnchorKind): k is TxnAnchorKind {
  return k === 'txn.begin' || k === 'txn.offsets';
}

/** An anchor that may name a transactional id. */
export function isTxnAnchor(a: Anchor): a is Extract<Anchor, { on: TxnAnchorKind }> {
  return isTxnAnchorKind(a.on);
}

export type Anchor =
  | { on: Exclude<AnchorKind, 'input.offset' | TxnAnchorKind>; n: number; fromMs?: number }
  | { on: TxnAnchorKind; n: number; fromMs?: number; txnId?: string }
  | { on: 'input.offset'; n: number; partition: number; offset: number };

/**
 * Kinds whose events come only with input to work on: an instance commits
 * only what it processed, a batch runs only on new data. Their count from
 * the start of a run moves when records are left out, so the recorder
 * counts them from a virtual time instead (`fromMs`).
 */
export const INPUT_PACED_KINDS: readonly AnchorKind[] = ['ks.commit', 'spark.batch', 'spark.commit', 'txn.begin', 'txn.offsets'];

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
  'input.offset': 'log.fetch',
};

export function isAnchorKind(s: unknown): s is AnchorKind {
  return typeof s === 'string' && (ANCHOR_KINDS as readonly string[]).includes(s);
}

/** Whether trace event `e` counts towards `anchor`. */
export function anchorMatches(anchor: Anchor, e: TraceEvent, inputTopic: string): boolean {
  if (anchor.on !== 'input.offset') {
    return countsTowards(anchor.on, e) && (anchor.fromMs === undefined || e.t >= anchor.fromMs) &&
      (!isTxnAnchor(anchor) || anchor.txnId === undefined || e.txnId === anchor.txnId);
  }
  return e.kind === 'log.fetch' && e.topic === inputTopic && e.partition === anchor.partition &&
    typeof e.offset === 'number' && typeof e.nextOffset === 'number' && e.offset <= anchor.offset && anchor.offset < e.nextOffset;
}

/** Whether `e` is one of the protocol events an anchor kind counts. */
function countsTowards(on: Exclude<AnchorKind, 'input.offset'>, e: TraceEvent): boolean {
  // Tasks trace barrier.inject too (a source passing the barrier on); only the coordinator's starts a checkpoint.
  return e.kind === ANCHOR_TRACE_KIND[on] && (on !== 'checkpoint.trigger' || e.task === undefined);
}

/** A short text for an anchor: `checkpoint.complete #3`, `ks.commit #1 from 1,230 ms`, `txn.begin weir-app-ks-0-0 #1 from 3,406 ms`, `input.offset p0@41 #1`. */
export function anchorText(a: Anchor): string {
  if (a.on === 'input.offset') return `input.offset p${a.partition}@${a.offset} #${a.n}`;
  const of = isTxnAnchor(a) && a.txnId !== undefined ? ` ${a.txnId}` : '';
  return `${a.on}${of} #${a.n}${a.fromMs === undefined ? '' : ` from ${a.fromMs.toLocaleString('en-US')} ms`}`;
}

export interface AnchorPoint {
  anchor: Anchor;
  t: number;
  seq: number;
  /** For a transaction's begin: the process whose producer owns it, when a `ks.producer` event named it. */
  owner?: string;
}

type RecordedKind = Exclude<AnchorKind, 'input.offset'>;

/** The kinds recorded unless told otherwise: every kind but `input.offset`, `txn.begin` and `txn.offsets` (see `KSTREAMS_RECORDED_KINDS`). */
const RECORDED_KINDS = ANCHOR_KINDS.filter((k): k is RecordedKind => k !== 'input.offset' && !isTxnAnchorKind(k));

/** On Kafka Streams runs, transactions begin and take offsets too: each instance's own, so a fault on an instance can stay inside one. */
export const KSTREAMS_RECORDED_KINDS: readonly RecordedKind[] = [...RECORDED_KINDS, 'txn.begin', 'txn.offsets'];

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
      const txnId = isTxnAnchorKind(on) && typeof e.txnId === 'string' ? e.txnId : undefined;
      const key = txnId === undefined ? on : `${on} ${txnId}`;
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
      if (txnId === undefined) {
        this.points.push({ anchor: { on, n, fromMs } as Anchor, t: e.t, seq: e.seq });
        continue;
      }
      const owner = this.owners.get(txnId);
      this.points.push({ anchor: { on: on as TxnAnchorKind, n, fromMs, txnId }, t: e.t, seq: e.seq, ...(owner !== undefined ? { owner } : {}) });
    }
  };

  /**
   * The last recorded point strictly before virtual time `atMs` among `kinds` (all when omitted),
   * if any. With `processes` (the ones a fault acts on), a transaction's begin counts only when one
   * of them owns the transaction: a fault on ks-0 is held inside ks-0's transaction, never ks-1's.
   */
  latestBefore(atMs: number, kinds?: readonly AnchorKind[], processes?: readonly string[]): AnchorPoint | undefined {
    for (let i = this.points.length - 1; i >= 0; i--) {
      const p = this.points[i]!;
      if (p.t >= atMs || (kinds !== undefined && !kinds.includes(p.anchor.on))) continue;
      if (isTxnAnchorKind(p.anchor.on) && (p.owner === undefined || processes === undefined || !processes.includes(p.owner))) continue;
      return p;
    }
    return undefined;
  }
}
