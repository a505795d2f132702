/**
 * Seeded bank workload: money moving between accounts.
 *
 * Encoding (what `checkBank` assumes):
 * - ids `0..accounts-1` are deposits, one per account, first in time:
 *   `{ key: account, value: initialBalance, stream: 'deposit' }`, no `key2`;
 * - then `events` transfers: `{ key: from, key2: to, value: amount,
 *   stream: 'transfer' }` with `from !== to` and `1 <= amount <=
 *   max(1, initialBalance / 10)`.
 * Balances may go negative: the reference balance is then an
 * order-independent sum, so any processing order that applies each record
 * once per account it touches ends at the same balances, and the total over
 * accounts always equals the sum of deposits.
 * Timestamps equal the arrival times and never decrease per partition, so
 * nothing is late (`canBeLate` is false). Accounts are named `acct-<i>`.
 */
import type { InputRecord } from '../stream/records.ts';
import type { Rng } from '../sim/rng.ts';
import type { Workload } from './generate.ts';
import { activeArrivalGapMsMax, buildArrivals, NominalClock, PartitionDeck } from './schedule.ts';

export interface TransferOptions {
  /** Number of transfers (deposits come on top: one per account). */
  events: number;
  accounts: number;
  partitions: number;
  initialBalance: number;
  /** Average spacing of records in ms, default 10. */
  eventRateMsPerRecord?: number;
  /** Records that share each nominal millisecond (default 1): a dense stream. */
  recordsPerStep?: number;
}

export function accountName(i: number): string {
  return `acct-${i}`;
}

export function generateTransfers(rng: Rng, opts: TransferOptions): Workload {
  const { events, accounts, partitions, initialBalance } = opts;
  if (!Number.isSafeInteger(accounts) || accounts < 2) throw new RangeError(`transfers need at least 2 accounts, got ${accounts}`);
  if (!Number.isSafeInteger(events) || events < 0) throw new RangeError(`events must be an integer >= 0, got ${events}`);
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be >= 1, got ${partitions}`);
  if (!Number.isSafeInteger(initialBalance) || initialBalance < 0) throw new RangeError(`initialBalance must be an integer >= 0`);
  const clock = new NominalClock(rng.fork('clock'), opts.eventRateMsPerRecord ?? 10, false, opts.recordsPerStep ?? 1);
  const deck = new PartitionDeck(rng.fork('partitions'), partitions, 0);
  const pick = rng.fork('transfers');
  const amountMax = Math.max(1, Math.floor(initialBalance / 10));
  const records: InputRecord[] = [];
  const arrivalMs: number[] = [];
  const partitionOf: number[] = [];
  // One string per account, shared by its records: a key hashes once wherever it is looked up.
  const names: string[] = [];
  for (let i = 0; i < accounts; i++) names.push(accountName(i));
  for (let id = 0; id < accounts + events; id++) {
    const at = clock.next();
    let rec: InputRecord;
    if (id < accounts) rec = { id, ts: at, key: names[id]!, value: initialBalance, stream: 'deposit' };
    else {
      const from = pick.int(accounts);
      const to = (from + 1 + pick.int(accounts - 1)) % accounts;
      rec = { id, ts: at, key: names[from]!, key2: names[to]!, value: pick.range(1, amountMax), stream: 'transfer' };
    }
    records.push(rec);
    arrivalMs.push(at);
    partitionOf.push(deck.next());
  }
  const arrivals = buildArrivals(records, arrivalMs, partitionOf);
  return { records, arrivals, canBeLate: false, idlePartitions: [], activeArrivalGapMsMax: activeArrivalGapMsMax(arrivals, partitions) };
}
