/**
 * enrich: orders enriched from a customer table — a KStream–KTable join,
 * which only Kafka Streams has. Customer updates (some of them tombstones)
 * and orders share the input topic, keyed by customer, so one task reads a
 * customer's updates and orders from one partition in offset order. The
 * updates become a table (`toTable()`, changelogged); each order looks up
 * its customer's current value (only orders trigger; an inner join drops
 * orders whose customer is absent or deleted) and the enriched order is
 * written out, and so is every table change. `enrich.join` judges every
 * order against the latest customer update before it in its partition;
 * `enrich.table` judges the table's changes and its final state.
 */
import { generateEnrichment } from '../src/workload/enrich.ts';
import { checkEnrichment, enrichValue, ENRICH_CUSTOMERS, ENRICH_ORDERS } from '../src/check/enrich.ts';
import type { InputRecord, JoinResult, KeyedUpdate } from '../src/stream/records.ts';
import { TOPICS, type Scenario } from './types.ts';

const stream = (v: unknown): string | undefined => (v as InputRecord).stream;

export const enrich: Scenario = {
  name: 'enrich',
  summary: 'orders ⋈ customer table (KStream–KTable join, Kafka Streams only): updates and tombstones, inner join, final table',
  defaults: { events: 1_000, parallelism: 2, partitions: 4, keys: 20 },
  workload: (rng, s) => generateEnrichment(rng, { events: s.events, customers: s.keys, partitions: s.partitions }),
  engines: {
    kstreams: {
      build(builder) {
        const all = builder.stream(TOPICS.input);
        // A tombstone (value 0) is Kafka's null value: it deletes the customer from the table.
        // No record cache on the table, so every change is written out with the record that made it.
        const customers = all
          .filter((_k, v) => stream(v) === ENRICH_CUSTOMERS)
          .mapValues((v) => ((v as InputRecord).value === 0 ? null : v))
          .toTable({ name: 'customers', caching: false });
        customers.toStream().to(TOPICS.output, (r) => {
          const change: KeyedUpdate = { type: 'update', key: r.key ?? '', value: r.value === null ? 0 : (r.value as InputRecord).value, id: r.ids[0]!, seq: 0, ts: r.ts };
          return change;
        });
        all
          .filter((_k, v) => stream(v) === ENRICH_ORDERS)
          .join(customers, (o, c) => {
            const order = o as InputRecord;
            const customer = c as InputRecord;
            const enriched: JoinResult = { type: 'join', key: order.key, leftId: order.id, rightId: customer.id, ts: order.ts, value: enrichValue(order, customer) };
            return enriched;
          })
          .to(TOPICS.output);
      },
    },
  },
  check: ({ inputByPartition, output, guarantee }) => checkEnrichment(inputByPartition, output, { atLeastOnce: guarantee === 'at-least-once' }),
};
