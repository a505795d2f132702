/**
 * bank: transfers between accounts. Each transfer is split into a debit and
 * a credit; per-account balances live in keyed value state; every update is
 * written out. The total over all accounts is conserved, and each balance
 * must equal the reference — under crashes, only if recovery restores a
 * consistent cut and the sink commits exactly once.
 */
import { generateTransfers } from '../src/workload/bank.ts';
import { checkBank } from '../src/check/bank.ts';
import type { CutReference } from '../src/check/checkpoint-cut.ts';
import { inFlightInto, keyedValues, operatorsNamed, sourceOffsets } from '../src/engines/flink/checkpoint/inspect.ts';
import type { InputRecord, KeyedUpdate, OutputRecord } from '../src/stream/records.ts';
import type { KeyedProcessContext } from '../src/engines/flink/operators/keyed-process.ts';
import type { KRecord, Processor, ProcessorContext } from '../src/engines/kstreams/processor.ts';
import type { StateStore } from '../src/engines/kstreams/stores.ts';
import type { Row } from '../src/engines/spark/dsl.ts';
import { flatMapped } from '../src/runtime/arrays.ts';
import { TOPICS, type Scenario } from './types.ts';

/**
 * Kafka Streams: applies each movement to its account's balance in a key-value store (no cache, so
 * every update is logged and forwarded) and forwards the update, as the Flink build's keyed process
 * function does with value state.
 */
class Balances implements Processor {
  private ctx!: ProcessorContext;
  private store!: StateStore;
  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore('accounts');
  }
  process(r: KRecord): void {
    const m = r.value as Movement;
    const next = apply(this.store.get(m.account)?.value as Account | undefined, m);
    this.store.put(m.account, next, r.ts);
    const update: KeyedUpdate = { type: 'update', key: m.account, value: next.balance, id: m.id, seq: next.seq, ts: r.ts };
    this.ctx.forward({ ...r, value: update });
  }
}

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

/** One movement applied to an account. */
function apply(acc: Account | undefined, m: Movement): Account {
  const a = acc ?? { balance: 0, seq: 0 };
  return { balance: a.balance + m.delta, seq: a.seq + 1 };
}

/** The accounts after `movements` on top of `accounts`, in any order (sums and counts commute). */
function applyAll(accounts: Map<string, Account>, ms: Iterable<Movement>): Map<string, Account> {
  for (const m of ms) accounts.set(m.account, apply(accounts.get(m.account), m));
  return accounts;
}

/** The accounts after exactly `records`; `extend` adds more records (the order does not matter). */
const referenceAccounts: CutReference<Account> = Object.assign(
  (records: InputRecord[]): Map<string, Account> => applyAll(new Map(), flatMapped(records, movements)),
  { extend: (accounts: Map<string, Account>, more: readonly InputRecord[]) => applyAll(accounts, flatMapped(more, movements)) },
);

export const bank: Scenario = {
  name: 'bank',
  summary: 'transfers between accounts: balances in keyed state, total conserved, each balance exact',
  defaults: { events: 1_000, parallelism: 2, partitions: 2, keys: 10 },
  workload: (rng, s) => generateTransfers(rng, { events: s.events, accounts: s.keys, partitions: s.partitions, initialBalance: 1_000 }),
  engines: {
    flink: {
      build(env, s) {
        env
          .fromLog('transfers', { topic: TOPICS.input, partitions: s.partitions, boundMs: 50, idleTimeoutMs: 1_000 })
          .flatMap(movements, 'split')
          .keyBy((m: Movement) => m.account)
          .process(
            {
              processElement(m: Movement, ctx: KeyedProcessContext) {
                const state = ctx.state.valueState<Account>('account');
                const next = apply(state.value(), m);
                state.update(next);
                const update: KeyedUpdate = { type: 'update', key: m.account, value: next.balance, id: m.id, seq: next.seq, ts: ctx.timestamp };
                ctx.collect(update);
              },
            },
            'balances',
          )
          .sinkTo({ topic: TOPICS.output, partitions: s.parallelism, name: 'sink' });
      },
      cut: (cp) => ({
        checkpoint: cp.checkpoint,
        offsets: new Map(flatMapped(operatorsNamed(cp, 'transfers'), (op) => [...sourceOffsets(op)])),
        // The balances in keyed state, plus (unaligned checkpoints) the movements in flight into them.
        state: applyAll(
          new Map(flatMapped(operatorsNamed(cp, 'balances'), (op) => [...keyedValues<Account>(op, 'account')])),
          inFlightInto(cp, 'balances') as Movement[],
        ),
      }),
    },
    // Kafka Streams: each transfer split into its movements, re-keyed by account and repartitioned,
    // then a processor with a key-value store (changelogged) keeps the balances.
    kstreams: {
      build(builder) {
        builder
          .stream(TOPICS.input)
          .flatMapValues((v) => movements(v as InputRecord))
          .selectKey((_k, m) => (m as Movement).account)
          .repartition()
          .process(() => new Balances(), { name: 'accounts', caching: false })
          .to(TOPICS.output);
      },
    },
    // Spark: each transfer split into its movements (flatMap), grouped by account, and
    // flatMapGroupsWithState in update mode keeps each account's balance as its group state, applying
    // the batch's movements in order and emitting an update for each. A re-run batch starts again
    // from state version N, so it emits the same updates, which the sink writes once.
    spark: {
      build: (spark) =>
        spark
          .readStream(TOPICS.input, { isolation: 'read_committed' })
          .flatMap((r) => movements(r as unknown as InputRecord).map((m) => ({ ...m, ts: r.ts })))
          .groupByKey((m) => m.account as string)
          .flatMapGroupsWithState<Account>('update', (account, rows, state) => {
            let acc = state.getOption();
            const out: Row[] = [];
            for (const row of rows) {
              const m = row as unknown as Movement & { ts: number };
              acc = apply(acc, m);
              const update: KeyedUpdate = { type: 'update', key: account, value: acc.balance, id: m.id, seq: acc.seq, ts: m.ts };
              out.push(update as unknown as Row);
            }
            if (acc) state.update(acc);
            return out;
          })
          .writeStream(TOPICS.output)
          .outputMode('update')
          .trigger({ processingTimeMs: 100 }),
    },
  },
  check: ({ input, output, guarantee }) => checkBank(input, output.filter((o: OutputRecord): o is KeyedUpdate => o.type === 'update'), { atLeastOnce: guarantee === 'at-least-once' }),
  cut: {
    reference: referenceAccounts,
    show: (a: Account | undefined) => (a ? `balance ${a.balance} after ${a.seq} records` : 'nothing'),
  },
};
