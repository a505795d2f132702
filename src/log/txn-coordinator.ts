/**
 * The broker's transaction coordinator (Kafka's, reduced to one broker).
 *
 * Per transactional id: the current producer epoch, the number of the last
 * transaction begun, the outcome of the last transaction ended under each
 * recent epoch, and at most one active transaction:
 *
 *   (none) --first produce--> open --txn.end / txn.init--> ending --markers durable--> (none)
 *
 * Two-phase commit on the broker side: ending first makes the decision
 * durable in the transaction log (Kafka's PrepareCommit / PrepareAbort; that
 * is the commit point, traced as `txn.commit` / `txn.abort`) and answers the
 * EndTxn then, as Kafka's `TransactionCoordinator.endTransaction` does ("we
 * can respond to the client immediately and continue to write the txn
 * markers"); then it writes a marker to every partition the transaction
 * touched, and the transaction has ended (Kafka's CompleteCommit /
 * CompleteAbort) once all markers are durable. A crash in between is
 * repaired by recovery, which rolls the decision forward.
 *
 * While a transaction is being ended, the id answers
 * `concurrent-transactions` (Kafka's CONCURRENT_TRANSACTIONS) to an init, to
 * a produce or offsets commit that would begin its next transaction, and to
 * an end sent again with the same outcome; the client waits and asks again
 * (client.ts). So a read-committed reader may find a transaction's records
 * still unstable just after its producer heard the commit answered, and the
 * producer's next transaction waits for the markers.
 *
 * Fencing: `txn.init` bumps the epoch at once (so produces of the old epoch
 * are refused from that moment). With a transaction open it is Kafka's
 * `prepareFenceProducerEpoch`: the epoch bumped, the open transaction
 * aborted, and once that decision is durable the init is answered
 * `concurrent-transactions`; the producer asks again, and once the abort has
 * ended the epoch is bumped a second time and that one is returned (so a
 * fencing init moves the epoch by two, as Kafka's). A transaction number `n`
 * per id tells apart successive transactions of one epoch, so a decision
 * always names the exact transaction it ends.
 *
 * Timeouts (Kafka's `transaction.timeout.ms`): each id keeps the timeout its
 * producer gave at `txn.init` (durable in the init line; the Kafka producer's
 * default, 60 s, when it gave none). A transaction starts its clock when it
 * begins, or when a restarted broker recovers it open (weir does not log the
 * begin, so a broker restart gives a recovered transaction its whole timeout
 * again). While any transaction is active, a sweep runs every
 * `transaction.abort.timed.out.transaction.cleanup.interval.ms` (10 s) from the
 * coordinator's start, as Kafka's scheduled `abortTimedOutTransactions` does:
 * it aborts every transaction still open (not being ended) whose start plus
 * timeout is before now, and bumps its id's epoch as it does
 * (`prepareFenceProducerEpoch`), so the producer that let it lapse is fenced.
 * The decision is traced as `txn.timeout` when taken, then `txn.abort` with
 * reason `timeout` once durable. The sweep is not armed while nothing is
 * active, so an idle broker schedules nothing.
 *
 * Idempotent end: ending again with the outcome already reached answers ok,
 * also with an older epoch (the outcome of each recent epoch is kept), so a
 * committer can retry after its own crash; while that outcome's markers are
 * still being written it answers `concurrent-transactions`. A commit after an abort answers
 * `aborted`; an abort after a commit is refused (Kafka's INVALID_TXN_STATE).
 * Limitation: with no transaction open, the outcome remembered is that of
 * the last transaction of the epoch, so an empty commit right after an abort
 * in the same epoch answers `aborted`, and an empty abort right after a
 * commit is refused (no client here ends a transaction it sent nothing in).
 */
import type { MarkerEntry, TxnLogLine } from './codec.ts';
import { txnKey, type PartitionLog } from './partition-log.ts';
import { DEFAULT_TXN_TIMEOUT_MS, type ErrorCode, type ListedTxn, type TxnRef } from './protocol.ts';
import type { Recovered } from './recovery.ts';
import type { Clock, Timers, TimerHandle, Tracer } from '../runtime/types.ts';

export type TxnResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

/** What the coordinator needs from the broker's storage. */
export interface TxnStore {
  appendTxnLog(lines: TxnLogLine[], done: () => void): void;
  appendMarker(log: PartitionLog, marker: MarkerEntry, done: () => void): void;
}

interface ActiveTxn {
  n: number;
  epoch: number;
  /** When its timeout clock started: its begin, or the broker's start for a recovered one. */
  startMs: number;
  /** When its ending was asked for (by its producer, a new epoch's init or the timeout). */
  requestedMs?: number;
  partitions: Map<PartitionLog, true>;
  phase: 'open' | 'ending';
  commit: boolean;
}

/** Kafka's answer to a request on an id whose transaction is being ended. */
const concurrent = <T>(id: string): TxnResult<T> => fail('concurrent-transactions', `transaction of '${id}' is being ended; retry`);

interface IdState {
  epoch: number;
  /** The timeout its producer gave at its latest init. */
  timeoutMs: number;
  lastN: number;
  outcomes: Map<number, boolean>;
  active?: ActiveTxn;
}

/** How many past epochs' outcomes an id remembers. */
const OUTCOMES_KEPT = 16;

/** Kafka's transaction.abort.timed.out.transaction.cleanup.interval.ms: how often timed-out transactions are looked for. */
export const TXN_TIMEOUT_SWEEP_MS = 10_000;

/** What the coordinator needs of its process: time, timers and the trace. */
export interface TxnHost {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly trace: Tracer;
}

export interface TxnOptions {
  /** Planted bug `txn-timeout-ignored` (see log/bugs.ts): no sweep ever runs. */
  ignoreTimeouts?: boolean;
}

const fail = <T>(code: ErrorCode, message: string): TxnResult<T> => ({ ok: false, code, message });

export class TxnCoordinator {
  private readonly ids = new Map<string, IdState>();
  private readonly trace: Tracer;
  /** The coordinator's start: sweeps run at whole intervals after it. */
  private readonly startedMs: number;
  private sweep: TimerHandle | undefined;
  /** Transactions open or being ended. */
  private active = 0;

  constructor(
    private readonly store: TxnStore,
    private readonly host: TxnHost,
    recovered?: Recovered,
    private readonly opts: TxnOptions = {},
  ) {
    this.trace = host.trace;
    this.startedMs = host.clock.now();
    if (recovered !== undefined) this.restore(recovered);
  }

  private restore(r: Recovered): void {
    for (const [id, s] of r.txnIds) this.ids.set(id, { epoch: s.epoch, timeoutMs: s.timeoutMs ?? DEFAULT_TXN_TIMEOUT_MS, lastN: s.lastN, outcomes: new Map(s.outcomes) });
    for (const logs of r.logs.values()) {
      for (const log of logs) {
        for (const open of log.openTxns.values()) {
          const s = this.state(open.id);
          if (s.active === undefined) {
            s.active = { n: open.n, epoch: open.epoch, startMs: this.startedMs, partitions: new Map(), phase: 'open', commit: false };
            this.activated();
            this.trace.emit('txn.recovered', { txnId: open.id, epoch: open.epoch, n: open.n, timeoutMs: s.timeoutMs });
          }
          if (s.active.n === open.n) s.active.partitions.set(log, true);
        }
      }
    }
  }

  private state(id: string): IdState {
    let s = this.ids.get(id);
    if (s === undefined) this.ids.set(id, (s = { epoch: 0, timeoutMs: DEFAULT_TXN_TIMEOUT_MS, lastN: 0, outcomes: new Map() }));
    return s;
  }

  /** A transaction became active: the sweep runs while any is. */
  private activated(): void {
    this.active++;
    this.armSweep();
  }

  private armSweep(): void {
    if (this.sweep !== undefined || this.opts.ignoreTimeouts === true) return;
    const now = this.host.clock.now();
    this.sweep = this.host.timers.after(TXN_TIMEOUT_SWEEP_MS - ((now - this.startedMs) % TXN_TIMEOUT_SWEEP_MS), () => this.sweepTimedOut());
  }

  /** Nothing is active: the sweep would find nothing (and an idle broker schedules nothing). */
  private stopSweep(): void {
    this.sweep?.cancel();
    this.sweep = undefined;
  }

  /** Kafka's `abortTimedOutTransactions`: every open transaction past its timeout is aborted, its epoch bumped. */
  private sweepTimedOut(): void {
    this.sweep = undefined;
    const now = this.host.clock.now();
    for (const [id, s] of this.ids) {
      const t = s.active;
      if (t === undefined || t.phase !== 'open' || t.startMs + s.timeoutMs >= now) continue;
      this.trace.emit('txn.timeout', { txnId: id, epoch: t.epoch, n: t.n, startMs: t.startMs, timeoutMs: s.timeoutMs });
      s.epoch++;
      this.finish(id, s, false, { t: 'init', x: id, e: s.epoch, to: s.timeoutMs }, 'timeout');
    }
    if (this.active > 0) this.armSweep();
  }

  /** Admits a transactional produce to `log`; returns the transaction number to stamp on the batch. */
  admitProduce(txn: TxnRef, log: PartitionLog): TxnResult<number> {
    const s = this.ids.get(txn.id);
    if (s === undefined || txn.epoch > s.epoch) return fail('bad-request', `transactional id '${txn.id}' has no epoch ${txn.epoch}; call txn.init`);
    if (txn.epoch < s.epoch) return this.fenced(txn.id, txn.epoch, s.epoch, 'produce');
    if (s.active?.phase === 'ending') return concurrent(txn.id);
    if (s.active === undefined) {
      s.lastN++;
      s.active = { n: s.lastN, epoch: txn.epoch, startMs: this.host.clock.now(), partitions: new Map(), phase: 'open', commit: false };
      this.activated();
      this.trace.emit('txn.begin', { txnId: txn.id, epoch: txn.epoch, n: s.lastN, timeoutMs: s.timeoutMs });
    }
    s.active.partitions.set(log, true);
    return { ok: true, value: s.active.n };
  }

  /**
   * Kafka's InitProducerId. With no transaction active: bumps the epoch of `id`; `done` gets the new
   * epoch once durable. `timeoutMs` is the producer's transaction.timeout.ms, kept for the id's
   * transactions from then on. With one open: fences it (the epoch bumped, the transaction aborted)
   * and answers `concurrent-transactions` once the abort is decided; with one being ended: answers
   * `concurrent-transactions` at once. The producer asks again after its backoff.
   */
  init(id: string, timeoutMs: number, done: (r: TxnResult<number>) => void): void {
    const s = this.state(id);
    const active = s.active;
    if (active?.phase === 'ending') return done(concurrent(id));
    s.epoch++;
    if (active === undefined) {
      s.timeoutMs = timeoutMs;
      const epoch = s.epoch;
      this.store.appendTxnLog([{ t: 'init', x: id, e: epoch, to: timeoutMs }], () => done({ ok: true, value: epoch }));
      return;
    }
    // `prepareFenceProducerEpoch`: the fencing epoch keeps the id's timeout and is never returned.
    this.finish(id, s, false, { t: 'init', x: id, e: s.epoch, to: s.timeoutMs }, 'fenced', () => done(concurrent(id)));
  }

  /** Commits or aborts the transaction of (`id`, `epoch`); idempotent (see the module comment). */
  end(id: string, epoch: number, commit: boolean, done: (r: TxnResult<null>) => void): void {
    const s = this.ids.get(id);
    if (s === undefined || epoch > s.epoch) return done(fail('bad-request', `transactional id '${id}' has no epoch ${epoch}`));
    const ok: TxnResult<null> = { ok: true, value: null };
    if (epoch < s.epoch) {
      const outcome = s.active?.epoch === epoch ? undefined : s.outcomes.get(epoch);
      return done(outcome === commit ? ok : this.fenced(id, epoch, s.epoch, commit ? 'commit' : 'abort'));
    }
    const active = s.active;
    if (active === undefined) {
      const last = s.outcomes.get(epoch);
      if (commit && last === false) return done(fail('aborted', `transaction of '${id}' was aborted`));
      // Kafka's coordinator answers INVALID_TXN_STATE to an abort of a transaction that committed.
      if (!commit && last === true) return done(fail('bad-request', `transaction of '${id}' was committed`));
      return done(ok);
    }
    if (active.phase === 'ending') {
      if (active.commit === commit) done(concurrent(id));
      else done(commit ? fail('aborted', `transaction of '${id}' is aborting`) : fail('bad-request', `transaction of '${id}' is committing`));
      return;
    }
    this.finish(id, s, commit, undefined, 'requested', () => done(ok));
  }

  /**
   * Open transactions whose id starts with `prefix`, by id; with `idle`, also
   * the ids whose current epoch was initialised and has neither a
   * transaction nor an outcome yet — a producer holding that epoch may still
   * open one — and the transactions being ended: until its decision is
   * durable, a crash of the broker brings such a transaction back open, with
   * nobody left to end it. InitProducerId on an id whose transaction is
   * ending is answered `concurrent-transactions` until it has ended, and the
   * producer asks again, so a new attempt that initialises every id listed
   * has each one settled either way.
   */
  list(prefix: string, idle = false): ListedTxn[] {
    const out: ListedTxn[] = [];
    for (const [id, s] of this.ids) {
      if (!id.startsWith(prefix)) continue;
      if (s.active?.phase === 'open' || (idle && s.active?.phase === 'ending')) out.push({ transactionalId: id, epoch: s.active.epoch, state: s.active.phase });
      else if (idle && s.active === undefined && s.epoch >= 1 && !s.outcomes.has(s.epoch)) out.push({ transactionalId: id, epoch: s.epoch, state: 'idle' });
    }
    return out.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
  }

  /**
   * Decision durable first (then `decided` runs: the EndTxn's answer), then the markers; the active
   * transaction is cleared when all are durable.
   */
  private finish(id: string, s: IdState, commit: boolean, initLine: TxnLogLine | undefined, reason: string, decided?: () => void): void {
    const t = s.active as ActiveTxn;
    t.phase = 'ending';
    t.commit = commit;
    t.requestedMs = this.host.clock.now();
    const lines: TxnLogLine[] = [{ t: 'end', x: id, e: t.epoch, n: t.n, c: commit }];
    if (initLine !== undefined) lines.push(initLine);
    this.store.appendTxnLog(lines, () => {
      this.trace.emit(commit ? 'txn.commit' : 'txn.abort', { txnId: id, epoch: t.epoch, n: t.n, partitions: t.partitions.size, reason, requestedMs: t.requestedMs as number });
      decided?.();
      let pending = 1;
      const settle = (): void => {
        if (--pending > 0) return;
        s.active = undefined;
        if (--this.active === 0) this.stopSweep();
        s.outcomes.set(t.epoch, commit);
        if (s.outcomes.size > OUTCOMES_KEPT) s.outcomes.delete(s.outcomes.keys().next().value as number);
      };
      for (const log of t.partitions.keys()) {
        if (!log.openTxns.has(txnKey(id, t.n))) continue;
        pending++;
        this.store.appendMarker(log, { t: 'm', o: log.endOffset, x: id, e: t.epoch, n: t.n, c: commit }, settle);
      }
      settle();
    });
  }

  private fenced<T>(id: string, epoch: number, currentEpoch: number, op: string): TxnResult<T> {
    this.trace.emit('txn.fenced', { txnId: id, epoch, currentEpoch, op });
    return fail('fenced', `transactional id '${id}' epoch ${epoch} is fenced by epoch ${currentEpoch}`);
  }
}
