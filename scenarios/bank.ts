/**
 * bank: transfers between accounts. Each transfer is split into a debit and
 * a credit; per-account balances live in keyed value state; every update is
 * written out. The total over all accounts is conserved, and each balance
 * must equal the reference — under crashes, only if recovery restores a
 * consistent cut and the sink commits exactly once.
 */
import { generateTransfers } from '../src/workload/bank.ts';
import { checkBank } from '../src/check/bank.ts';
import { keyedValues, operatorsNamed, sourceOffsets } from '../src/engine/checkpoint/inspect.ts';
import type { InputRecord, KeyedUpdate, OutputRecord } from '../src/engine/records.ts';
import type { KeyedProcessContext } from '../src/engine/operators/keyed-process.ts';
import { TOPICS, type Scenario } from './types.ts';

interface Movement {
  account: string;
  delta: number;
  id: number;
}

function movements(r: InputRecord): Movement[] {
  if (r.key2 === undefined) return [{ account: r.key, delta: r.value, id: r.id }];
  return [
    { account: r.key, delta: -r.value, id: r.id },
    { account: r.key2, delta: r.value, id: r.id },
  ];
}

interface Account {
  balance: number;
  seq: number;
}

/** The accounts after exactly `records`, in any order (sums and counts commute). */
function referenceAccounts(records: InputRecord[]): Map<string, Account> {
  const out = new Map<string, Account>();
  for (const m of records.flatMap(movements)) {
    const a = out.get(m.account) ?? { balance: 0, seq: 0 };
    out.set(m.account, { balance: a.balance + m.delta, seq: a.seq + 1 });
  }
  return out;
}

export const bank: Scenario = {
  name: 'bank',
  summary: 'transfers between accounts: balances in keyed state, total conserved, each balance exact',
  defaults: { events: 1_000, parallelism: 2, partitions: 2, keys: 10 },
  workload: (rng, s) => generateTransfers(rng, { events: s.events, accounts: s.keys, partitions: s.partitions, initialBalance: 1_000 }),
  build(env, s) {
    env
      .fromLog('transfers', { topic: TOPICS.input, partitions: s.partitions, boundMs: 50, idleTimeoutMs: 1_000 })
      .flatMap(movements, 'split')
      .keyBy((m: Movement) => m.account)
      .process(
        {
          processElement(m: Movement, ctx: KeyedProcessContext) {
            const state = ctx.state.valueState<Account>('account');
            const acc = state.value() ?? { balance: 0, seq: 0 };
            const next = { balance: acc.balance + m.delta, seq: acc.seq + 1 };
            state.update(next);
            const update: KeyedUpdate = { type: 'update', key: m.account, value: next.balance, id: m.id, seq: next.seq, ts: ctx.timestamp };
            ctx.collect(update);
          },
        },
        'balances',
      )
      .sinkTo({ topic: TOPICS.output, partitions: s.parallelism, name: 'sink' });
  },
  check: ({ input, output }) => checkBank(input, output.filter((o: OutputRecord): o is KeyedUpdate => o.type === 'update')),
  cut: {
    extract: (cp) => ({
      checkpoint: cp.checkpoint,
      offsets: new Map(operatorsNamed(cp, 'transfers').flatMap((op) => [...sourceOffsets(op)])),
      state: new Map(operatorsNamed(cp, 'balances').flatMap((op) => [...keyedValues<Account>(op, 'account')])),
    }),
    reference: referenceAccounts,
    show: (a: Account | undefined) => (a ? `balance ${a.balance} after ${a.seq} records` : 'nothing'),
  },
};
