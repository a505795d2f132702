/**
 * The bank oracle as first written, straight from its definition (maps by
 * account, seq and record id; every account's seqs sorted): the
 * specification `src/check/bank.ts` is held to by test/check/bank.test.ts.
 * Imported by no code under `src/`.
 *
 * The bank oracle: per-account balances kept in keyed state, and the total
 * over accounts is conserved.
 *
 * Input encoding (as `generateTransfers` writes it): a record with no `key2`
 * is a deposit of `value` into account `key` (stream 'deposit'); a record
 * with `key2` is a transfer of `value` from account `key` to account `key2`.
 * The pipeline flatMaps each transfer into a debit of `key` and a credit of
 * `key2`, keys by account, and keeps the balance in keyed state; every
 * application emits a `KeyedUpdate` for that account with `value` = the new
 * balance, `id` = the input record applied, and `seq` = how many records the
 * account has absorbed so far (the n-th record applied to an account has
 * seq n, counting from 1).
 *
 * Verdicts:
 * - `bank.balance`: each account's final balance (its update with the
 *   highest seq) equals the reference (deposits plus credits minus debits,
 *   an order-independent sum); every update changes the balance by exactly
 *   its record's amount relative to the update before it, and names a record
 *   that touches the account.
 * - `bank.total`: the sum of final balances equals the sum of deposits.
 * - `bank.twice`: no (account, seq) carries two different records or
 *   values, and no record is applied to one account at two seqs.
 * - `bank.lost`: each account's seqs run 1, 2, … with no gap, and every
 *   record touching an account was applied to it. Under at-least-once
 *   (`atLeastOnce`) only the second, judged over every committed update: a
 *   replay numbers records anew (a seq again with another record, or past
 *   one whose update a crash lost while the state kept it), so a record may
 *   sit under any seq, and only a record in no update of its account is lost.
 * With `complete: false` (input not fully consumed) only the consistency
 * checks run: twice, gaps and per-update deltas.
 */
import type { InputRecord, KeyedUpdate } from '../../../src/stream/records.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from '../../../src/check/types.ts';

export interface BankCheckOptions {
  /** The whole input was consumed, so every record must be reflected (default true). */
  complete?: boolean;
  /** Judge `bank.lost` as at-least-once allows: only a record in no committed update of its account is lost. */
  atLeastOnce?: boolean;
}

interface Account {
  balance: number;
  /** Input id → this record's effect on the account. */
  deltas: Map<number, number>;
}

/** The reference accounts: balance and per-record effect, from deposits and transfers. */
export function referenceBalances(input: readonly InputRecord[]): Map<string, Account> {
  const accounts = new Map<string, Account>();
  const apply = (key: string, id: number, delta: number): void => {
    let a = accounts.get(key);
    if (!a) accounts.set(key, (a = { balance: 0, deltas: new Map() }));
    a.balance += delta;
    a.deltas.set(id, delta);
  };
  for (const r of input) {
    if (r.key2 === undefined) apply(r.key, r.id, r.value);
    else {
      apply(r.key, r.id, -r.value);
      apply(r.key2, r.id, r.value);
    }
  }
  return accounts;
}

export function checkBank(input: readonly InputRecord[], updates: readonly KeyedUpdate[], opts: BankCheckOptions = {}): CheckResult[] {
  const complete = opts.complete ?? true;
  const ref = referenceBalances(input);
  const bySeq = new Map<string, Map<number, KeyedUpdate>>();
  const balance = new Problems();
  const twice = new Problems();
  const lost = new Problems();
  // Under at-least-once: every record each account's committed updates name, whatever their seqs.
  const named = opts.atLeastOnce ? new Map<string, Set<number>>() : undefined;
  for (const u of updates) {
    if (named !== undefined) {
      let ids = named.get(u.key);
      if (!ids) named.set(u.key, (ids = new Set()));
      ids.add(u.id);
    }
    let seqs = bySeq.get(u.key);
    if (!seqs) bySeq.set(u.key, (seqs = new Map()));
    const prior = seqs.get(u.seq);
    if (prior && (prior.id !== u.id || prior.value !== u.value)) {
      twice.add(`account ${u.key} seq ${u.seq} is committed twice: record ${prior.id} balance ${prior.value}, then record ${u.id} balance ${u.value}`);
    }
    if (!prior) seqs.set(u.seq, u);
  }
  for (const [key, seqs] of bySeq) checkAccount(key, seqs, ref.get(key), { balance, twice, lost }, complete, named?.get(key));
  let total = 0;
  let deposits = 0;
  for (const r of input) if (r.key2 === undefined) deposits += r.value;
  if (complete) {
    for (const [key, a] of ref) {
      const seqs = bySeq.get(key);
      if (!seqs) balance.add(`account ${key} has no update; its reference balance is ${a.balance}`);
      else total += seqs.get(maxKey(seqs))!.value;
    }
  }
  const totalProblems = new Problems();
  if (complete && total !== deposits) totalProblems.add(`the accounts hold ${total} in total, but ${deposits} was deposited`);
  return [
    balance.verdict('bank.balance', `${formatCount(ref.size)} account balances equal the reference`),
    totalProblems.verdict('bank.total', complete ? `total ${deposits} conserved` : 'not checked: input not fully consumed'),
    twice.verdict('bank.twice', `${formatCount(updates.length)} updates, no record applied twice`),
    lost.verdict('bank.lost', named !== undefined
      ? 'every record applied to every account it touches, judged over every committed update (a replay numbers records anew)'
      : 'every record applied to every account it touches'),
  ];
}

function checkAccount(
  key: string, seqs: Map<number, KeyedUpdate>, ref: Account | undefined,
  p: { balance: Problems; twice: Problems; lost: Problems }, complete: boolean,
  /** Under at-least-once: every record the account's committed updates name; the seqs are not judged. */
  named?: ReadonlySet<number>,
): void {
  const sorted = [...seqs.keys()].sort((a, b) => a - b);
  const maxSeq = sorted[sorted.length - 1]!;
  const seenIds = new Map<number, number>();
  let prev = 0;
  let expected = 1;
  for (const seq of sorted) {
    if (seq !== expected) {
      if (named === undefined) p.lost.add(seq < expected
        ? `account ${key} has an update with seq ${seq}; seqs count from 1`
        : `account ${key} has no update with seq ${expected} (it has up to seq ${maxSeq})`);
      prev = Number.NaN;
    }
    expected = Math.max(expected, seq + 1);
    const u = seqs.get(seq)!;
    const firstSeq = seenIds.get(u.id);
    if (firstSeq !== undefined) p.twice.add(`record ${u.id} was applied to account ${key} twice: at seq ${firstSeq} and ${seq}`);
    else seenIds.set(u.id, seq);
    const delta = ref?.deltas.get(u.id);
    if (delta === undefined) p.balance.add(`account ${key} seq ${seq} names record ${u.id}, which does not touch that account`);
    else if (!Number.isNaN(prev) && u.value - prev !== delta) {
      p.balance.add(`account ${key} seq ${seq} (record ${u.id}) moved the balance from ${prev} to ${u.value}; the record moves it by ${delta}`);
    }
    prev = u.value;
  }
  if (!complete || !ref) return;
  const final = seqs.get(maxSeq)!;
  if (final.value !== ref.balance) p.balance.add(`account ${key} ends at ${final.value} (seq ${maxSeq}), reference balance ${ref.balance}`);
  for (const id of ref.deltas.keys()) {
    if (!(named === undefined ? seenIds.has(id) : named.has(id))) {
      p.lost.add(`record ${id} was never applied to account ${key}`);
      break;
    }
  }
}

function maxKey(m: ReadonlyMap<number, unknown>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const k of m.keys()) if (k > max) max = k;
  return max;
}
