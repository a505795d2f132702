/**
 * `txn.timeout`: the broker's transaction coordinator ends what producers
 * leave open, as Kafka's does, and only that.
 *
 * Kafka's producer gives its `transaction.timeout.ms` at InitProducerId; the
 * coordinator starts a transaction's clock when it begins, and a scheduled
 * task (`transaction.abort.timed.out.transaction.cleanup.interval.ms`, 10 s)
 * aborts every transaction still open whose start plus timeout is past,
 * bumping its producer's epoch. A Kafka Streams application without state
 * stores takes a new transactional id at every start, so this timeout is what
 * ends the transaction a crashed instance left open: until then it blocks
 * read-committed readers and, when it carried offsets, the next owner's
 * offset fetch.
 *
 * Judged from the producers' `producer.init` (the epoch each was given, with
 * the timeout it asked for) and the broker's own events (process `broker`):
 * `txn.begin` (with the id's timeout), `txn.recovered` (a transaction a
 * restarted broker found open: its clock starts then), `txn.timeout` (a
 * timeout decision),
 * `txn.commit` / `txn.abort` (durable decisions, with `requestedMs`: when the
 * ending was asked for) and the broker's crashes.
 * - A transaction begins (or is recovered) in an epoch its producer was
 *   given, with the timeout that producer asked for: the broker keeps each
 *   id's timeout from its latest init, not its own default.
 * - A timeout decision names a transaction open on the live broker and not
 *   being ended, with the start and timeout the judge saw; it comes strictly
 *   after start + timeout and no later than start + timeout + one interval.
 * - Every transaction is ended, or its ending asked for, by that deadline:
 *   its durable decision must say it was asked for in time, or follow a
 *   timeout decision. One still open when the run ended must not be past its
 *   deadline, and when the world had settled (nothing left to happen) none
 *   may be open at all: the coordinator had nothing scheduled to end it.
 * - A broker crash drops its open transactions from the judge's view without
 *   judging them (an ending asked for but not yet durable is then lost, and
 *   when it was asked for is not known); those the restarted broker recovers
 *   are judged from their recovery.
 */
import { formatCount, Problems } from './report.ts';
import type { CheckResult, TraceEvent } from './types.ts';

/** Kafka's transaction.abort.timed.out.transaction.cleanup.interval.ms (also the broker's, see txn-coordinator.ts). */
export const TXN_SWEEP_INTERVAL_MS = 10_000;

interface OpenTxn {
  txnId: string;
  epoch: number;
  startMs: number;
  timeoutMs: number;
  /** When the coordinator decided to time it out. */
  timedOutMs?: number;
}

const KINDS: readonly string[] = ['producer.init', 'txn.begin', 'txn.recovered', 'txn.timeout', 'txn.commit', 'txn.abort', 'proc.crash', 'proc.restart'];

const key = (id: unknown, n: unknown): string => `${String(id)}#${String(n)}`;

export class TxnTimeoutTrace {
  private readonly open = new Map<string, OpenTxn>();
  private readonly problems = new Problems();
  private begun = 0;
  /** Every timeout decision, in order. */
  readonly timeouts: { txnId: string; atMs: number; startMs: number; timeoutMs: number }[] = [];
  private recovered = 0;
  private brokerUp = true;
  /** The timeout each producer asked for, by transactional id and the epoch it was given. */
  private readonly asked = new Map<string, number>();

  constructor(private readonly broker: string) {}

  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    if (e.kind === 'producer.init') {
      this.asked.set(key(e.transactionalId, e.epoch), e.timeoutMs as number);
      return;
    }
    if (e.p !== this.broker) return;
    switch (e.kind) {
      case 'txn.begin':
        this.begun++;
        this.opened(e, 'began');
        return;
      case 'txn.recovered':
        this.recovered++;
        this.opened(e, 'recovered');
        return;
      case 'txn.timeout':
        this.onTimeout(e);
        return;
      case 'txn.commit':
      case 'txn.abort':
        this.onEnded(e);
        return;
      case 'proc.crash':
        this.open.clear();
        this.brokerUp = false;
        return;
      case 'proc.restart':
        this.brokerUp = true;
        return;
    }
  }

  private opened(e: TraceEvent, how: string): void {
    const t: OpenTxn = { txnId: e.txnId as string, epoch: e.epoch as number, startMs: e.t, timeoutMs: e.timeoutMs as number };
    this.open.set(key(e.txnId, e.n), t);
    const asked = this.asked.get(key(t.txnId, t.epoch));
    const name = `transaction ${t.txnId} #${String(e.n)}`;
    if (asked === undefined) this.problems.add(`the broker ${how} ${name} at ${e.t} ms in epoch ${t.epoch}, which no producer of that id was given (seq ${e.seq})`);
    else if (asked !== t.timeoutMs) this.problems.add(`the broker ${how} ${name} at ${e.t} ms with a timeout of ${t.timeoutMs} ms, but its producer asked for ${asked} ms when it was given epoch ${t.epoch} (seq ${e.seq})`);
  }

  /** Whether the broker timed out or recovered a transaction (beyond transactions begun and ended by their producers). */
  get eventful(): boolean {
    return this.recovered > 0 || this.timeouts.length > 0;
  }

  private onTimeout(e: TraceEvent): void {
    this.timeouts.push({ txnId: String(e.txnId), atMs: e.t, startMs: e.startMs as number, timeoutMs: e.timeoutMs as number });
    const name = `transaction ${String(e.txnId)} #${String(e.n)}`;
    const t = this.open.get(key(e.txnId, e.n));
    if (t === undefined) return this.problems.add(`the broker timed out ${name} at ${e.t} ms, which was not open on it`);
    if (t.timedOutMs !== undefined) return this.problems.add(`the broker timed out ${name} twice (at ${t.timedOutMs} and ${e.t} ms)`);
    t.timedOutMs = e.t;
    if (e.epoch !== t.epoch) this.problems.add(`the broker timed out ${name} in epoch ${String(e.epoch)}, but it was begun in epoch ${t.epoch}`);
    if (e.startMs !== t.startMs || e.timeoutMs !== t.timeoutMs) {
      this.problems.add(`the broker timed out ${name} as started at ${String(e.startMs)} ms with a timeout of ${String(e.timeoutMs)} ms, but it started at ${t.startMs} ms with ${t.timeoutMs} ms`);
    }
    if (e.t <= t.startMs + t.timeoutMs) this.problems.add(`the broker timed out ${name} at ${e.t} ms, before its timeout ran out (started ${t.startMs} ms, timeout ${t.timeoutMs} ms)`);
    else if (e.t > deadline(t)) this.problems.add(`the broker timed out ${name} at ${e.t} ms, after the sweep that should have (by ${deadline(t)} ms)`);
  }

  private onEnded(e: TraceEvent): void {
    const k = key(e.txnId, e.n);
    const t = this.open.get(k);
    if (t === undefined) return; // begun before a broker crash and ended by recovery's roll-forward, or not judged
    this.open.delete(k);
    const name = `transaction ${t.txnId} #${String(e.n)}`;
    if (e.reason === 'timeout') {
      if (t.timedOutMs === undefined) this.problems.add(`${name} was aborted for its timeout at ${e.t} ms without a timeout decision`);
      return;
    }
    if (t.timedOutMs !== undefined) return this.problems.add(`${name} was ended (${String(e.reason)}) after the broker had timed it out`);
    const asked = e.requestedMs as number;
    if (asked > deadline(t)) {
      this.problems.add(`${name} was still open at ${deadline(t)} ms, its timeout (${t.timeoutMs} ms from ${t.startMs} ms) and a sweep past, and the broker did not time it out (it ended at ${asked} ms, ${String(e.reason)})`);
    }
  }

  /** `endMs`: when the run ended; `settled`: the world had nothing left to do. */
  verdict(endMs: number, settled: boolean): CheckResult {
    if (this.brokerUp) {
      for (const t of this.open.values()) {
        if (t.timedOutMs !== undefined) continue;
        const name = `transaction ${t.txnId} (started ${t.startMs} ms, timeout ${t.timeoutMs} ms)`;
        if (endMs > deadline(t)) this.problems.add(`${name} was still open when the run ended at ${endMs} ms, past its deadline of ${deadline(t)} ms: the broker never timed it out`);
        else if (settled) this.problems.add(`${name} was open when the run settled at ${endMs} ms with nothing scheduled to end it`);
      }
    }
    const recovered = this.recovered > 0 ? `, ${formatCount(this.recovered)} recovered open by a restarted broker` : '';
    return this.problems.verdict(
      'txn.timeout',
      `${formatCount(this.begun)} transactions begun${recovered}; ${formatCount(this.timeouts.length)} timed out, each after its timeout and by the next sweep; every other ended or was asked to by its deadline`,
    );
  }
}

/** The last moment a transaction may still be open and not timed out: start + timeout + one sweep interval. */
function deadline(t: OpenTxn): number {
  return t.startMs + t.timeoutMs + TXN_SWEEP_INTERVAL_MS;
}
