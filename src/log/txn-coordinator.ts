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
 * durable in the transaction log (that is the commit point, traced as
 * `txn.commit` / `txn.abort`), then writes a marker to every partition the
 * transaction touched and replies once all markers are durable. A crash in
 * between is repaired by recovery, which rolls the decision forward.
 *
 * Fencing: `txn.init` bumps the epoch at once (so produces of the old epoch
 * are refused from that moment) and aborts the previous epoch's open
 * transaction. A transaction number `n` per id tells apart successive
 * transactions of one epoch, so a decision always names the exact
 * transaction it ends.
 *
 * Idempotent end: ending again with the outcome already reached answers ok,
 * also with an older epoch (the outcome of each recent epoch is kept), so a
 * committer can retry after its own crash. A commit after an abort answers
 * `aborted`. Limitation: with no transaction open, the outcome remembered is
 * that of the last transaction of the epoch, so an empty commit right after an
 * abort in the same epoch answers `aborted`.
 */
import type { MarkerEntry, TxnLogLine } from './codec.ts';
import { txnKey, type PartitionLog } from './partition-log.ts';
import type { ErrorCode, TxnRef } from './protocol.ts';
import type { Recovered } from './recovery.ts';
import type { Tracer } from '../runtime/types.ts';

export type TxnResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

/** What the coordinator needs from the broker's storage. */
export interface TxnStore {
  appendTxnLog(lines: TxnLogLine[], done: () => void): void;
  appendMarker(log: PartitionLog, marker: MarkerEntry, done: () => void): void;
}

interface ActiveTxn {
  n: number;
  epoch: number;
  partitions: Map<PartitionLog, true>;
  phase: 'open' | 'ending';
  commit: boolean;
  /** Run when the ending completes. */
  onEnded: (() => void)[];
}

interface IdState {
  epoch: number;
  lastN: number;
  outcomes: Map<number, boolean>;
  active?: ActiveTxn;
}

/** How many past epochs' outcomes an id remembers. */
const OUTCOMES_KEPT = 16;

const fail = <T>(code: ErrorCode, message: string): TxnResult<T> => ({ ok: false, code, message });

export class TxnCoordinator {
  private readonly ids = new Map<string, IdState>();

  constructor(private readonly store: TxnStore, private readonly trace: Tracer, recovered?: Recovered) {
    if (recovered !== undefined) this.restore(recovered);
  }

  private restore(r: Recovered): void {
    for (const [id, s] of r.txnIds) this.ids.set(id, { epoch: s.epoch, lastN: s.lastN, outcomes: new Map(s.outcomes) });
    for (const logs of r.logs.values()) {
      for (const log of logs) {
        for (const open of log.openTxns.values()) {
          const s = this.state(open.id);
          if (s.active === undefined) {
            s.active = { n: open.n, epoch: open.epoch, partitions: new Map(), phase: 'open', commit: false, onEnded: [] };
          }
          if (s.active.n === open.n) s.active.partitions.set(log, true);
        }
      }
    }
  }

  private state(id: string): IdState {
    let s = this.ids.get(id);
    if (s === undefined) this.ids.set(id, (s = { epoch: 0, lastN: 0, outcomes: new Map() }));
    return s;
  }

  /** Admits a transactional produce to `log`; returns the transaction number to stamp on the batch. */
  admitProduce(txn: TxnRef, log: PartitionLog): TxnResult<number> {
    const s = this.ids.get(txn.id);
    if (s === undefined || txn.epoch > s.epoch) return fail('bad-request', `transactional id '${txn.id}' has no epoch ${txn.epoch}; call txn.init`);
    if (txn.epoch < s.epoch) return this.fenced(txn.id, txn.epoch, s.epoch, 'produce');
    if (s.active?.phase === 'ending') return fail('bad-request', `transaction of '${txn.id}' is ending`);
    if (s.active === undefined) {
      s.lastN++;
      s.active = { n: s.lastN, epoch: txn.epoch, partitions: new Map(), phase: 'open', commit: false, onEnded: [] };
      this.trace.emit('txn.begin', { txnId: txn.id, epoch: txn.epoch, n: s.lastN });
    }
    s.active.partitions.set(log, true);
    return { ok: true, value: s.active.n };
  }

  /** Bumps the epoch of `id`, aborting its open transaction; `done` gets the new epoch once durable. */
  init(id: string, done: (r: TxnResult<number>) => void): void {
    const s = this.state(id);
    if (s.active?.phase === 'ending') {
      s.active.onEnded.push(() => this.init(id, done));
      return;
    }
    s.epoch++;
    const epoch = s.epoch;
    const initLine: TxnLogLine = { t: 'init', x: id, e: epoch };
    if (s.active === undefined) {
      this.store.appendTxnLog([initLine], () => done({ ok: true, value: epoch }));
      return;
    }
    s.active.onEnded.push(() => done({ ok: true, value: epoch }));
    this.finish(id, s, false, initLine, 'fenced');
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
      return done(commit && last === false ? fail('aborted', `transaction of '${id}' was aborted`) : ok);
    }
    if (active.phase === 'ending') {
      if (active.commit === commit) active.onEnded.push(() => done(ok));
      else done(commit ? fail('aborted', `transaction of '${id}' is aborting`) : fail('bad-request', `transaction of '${id}' is committing`));
      return;
    }
    active.onEnded.push(() => done(ok));
    this.finish(id, s, commit, undefined, 'requested');
  }

  /**
   * Open transactions whose id starts with `prefix`, by id; with `idle`, also
   * the ids whose current epoch was initialised and has neither a
   * transaction nor an outcome yet — a producer holding that epoch may still
   * open one — and the transactions being ended: until its decision is
   * durable, a crash of the broker brings such a transaction back open, with
   * nobody left to end it. Kafka's coordinator answers InitProducerId on an
   * id whose transaction is ending with CONCURRENT_TRANSACTIONS until it has
   * ended; `init` here waits for the ending the same way, so a new attempt
   * that initialises every id listed has each one settled either way.
   */
  list(prefix: string, idle = false): { transactionalId: string; epoch: number }[] {
    const out: { transactionalId: string; epoch: number }[] = [];
    for (const [id, s] of this.ids) {
      if (!id.startsWith(prefix)) continue;
      if (s.active?.phase === 'open' || (idle && s.active?.phase === 'ending')) out.push({ transactionalId: id, epoch: s.active.epoch });
      else if (idle && s.active === undefined && s.epoch >= 1 && !s.outcomes.has(s.epoch)) out.push({ transactionalId: id, epoch: s.epoch });
    }
    return out.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
  }

  /** Decision durable first, then the markers; the active transaction is cleared when all are durable. */
  private finish(id: string, s: IdState, commit: boolean, initLine: TxnLogLine | undefined, reason: string): void {
    const t = s.active as ActiveTxn;
    t.phase = 'ending';
    t.commit = commit;
    const lines: TxnLogLine[] = [{ t: 'end', x: id, e: t.epoch, n: t.n, c: commit }];
    if (initLine !== undefined) lines.push(initLine);
    this.store.appendTxnLog(lines, () => {
      this.trace.emit(commit ? 'txn.commit' : 'txn.abort', { txnId: id, epoch: t.epoch, n: t.n, partitions: t.partitions.size, reason });
      let pending = 1;
      const settle = (): void => {
        if (--pending > 0) return;
        s.active = undefined;
        s.outcomes.set(t.epoch, commit);
        if (s.outcomes.size > OUTCOMES_KEPT) s.outcomes.delete(s.outcomes.keys().next().value as number);
        for (const fn of t.onEnded) fn();
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
