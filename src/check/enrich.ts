/**
 * The enrichment oracle: orders joined with the customer table (a
 * KStream–KTable inner join), and the table itself.
 *
 * Input (as `generateEnrichment` writes it): customer updates and orders on
 * one topic, every record in its customer's partition, so one task reads a
 * customer's updates and orders in one partition's offset order, and the
 * table value current when an order is processed is determined by the log
 * alone: the latest update of that customer *before the order in its
 * partition* (a tombstone, value 0, deletes). Nothing about the run's timing
 * enters, so the verdict is exact — under crashes too: exactly-once restores
 * the table from its changelog as of the committed input offsets, so a
 * replayed order sees what the first attempt saw. (At-least-once does not:
 * its changelog may run ahead of the committed offsets, and a replayed order
 * can meet a newer customer value, besides being enriched twice.)
 *
 * Output: each enriched order is a `JoinResult` (`leftId` the order,
 * `rightId` the customer update it was joined with, `value` =
 * `enrichValue(order, customer)`, `ts` the order's); each table change is a
 * `KeyedUpdate` (`id` the customer record applied, `value` its value, 0 for
 * a delete).
 *
 * Verdicts:
 * - `enrich.join`: every order whose customer had a value is enriched
 *   exactly once, with exactly that value (the update it names is that
 *   latest one, and the value and timestamp follow from it); no order whose
 *   customer was absent or deleted is enriched (inner join); only stream
 *   records trigger, so nothing else is a join result.
 * - `enrich.table`: every table change names a customer record of its key
 *   with its value; per customer the changes follow the input's order (never
 *   back, never the same record twice — a record cache may skip some); and
 *   the last change of each customer is its last update: the final table
 *   equals the last value per key (deleted when that was a tombstone).
 *
 * Under at-least-once (`atLeastOnce`) a replayed order can meet the table as
 * its changelog left it, ahead of the committed offsets: an enrichment may
 * also name a later update of the customer than the one current before the
 * order (one positioned after the order, not a delete), and an order may be
 * enriched more than once; a replay of customer updates may take the table
 * back, or write a change again. Those are counted, not failed
 * (`Problems.replay`); a joinable order never enriched, a wrong value, an
 * update older than the one current before the order, and a final table
 * other than the last value per key still fail.
 */
import type { InputRecord, JoinResult, KeyedUpdate, OutputRecord } from '../stream/records.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';

export const ENRICH_CUSTOMERS = 'customers';
export const ENRICH_ORDERS = 'orders';

/** The enriched value of an order: its amount times the customer's value. */
export function enrichValue(order: InputRecord, customer: InputRecord): number {
  return order.value * customer.value;
}

const deletes = (r: InputRecord): boolean => r.value === 0;

export function checkEnrichment(inputByPartition: readonly (readonly InputRecord[])[], output: readonly OutputRecord[], opts: { atLeastOnce?: boolean } = {}): CheckResult[] {
  const atLeastOnce = opts.atLeastOnce === true;
  const byId = new Map<number, InputRecord>();
  /** Per order: how many customer records came before it (`position` of a later one is at least this). */
  const orderAt = new Map<number, number>();
  /** Per order: the customer update current when it is processed (undefined: absent or deleted), and what deleted it. */
  const expected = new Map<number, { update: InputRecord | undefined; deletedBy: InputRecord | undefined }>();
  /** A customer record's position in its customer's update sequence. */
  const position = new Map<number, number>();
  const lastUpdate = new Map<string, InputRecord>();
  let orders = 0;
  for (const records of inputByPartition) {
    const current = new Map<string, InputRecord>();
    for (const r of records) {
      byId.set(r.id, r);
      if (r.stream === ENRICH_CUSTOMERS) {
        current.set(r.key, r);
        position.set(r.id, position.size);
        lastUpdate.set(r.key, r);
      } else if (r.stream === ENRICH_ORDERS) {
        orders++;
        orderAt.set(r.id, position.size);
        const c = current.get(r.key);
        expected.set(r.id, c && !deletes(c) ? { update: c, deletedBy: undefined } : { update: undefined, deletedBy: c });
      }
    }
  }
  // Under at-least-once: an update of the order's customer that came after the order, a value a
  // replay may meet (the table restored ahead of the committed offsets).
  const later = (order: InputRecord, u: InputRecord | undefined): boolean =>
    atLeastOnce && u !== undefined && u.stream === ENRICH_CUSTOMERS && u.key === order.key && !deletes(u) && position.get(u.id)! >= orderAt.get(order.id)!;
  return [
    judgeJoin(byId, expected, orders, output.filter((o): o is JoinResult => o.type === 'join'), new Problems(atLeastOnce), later),
    judgeTable(byId, position, lastUpdate, output.filter((o): o is KeyedUpdate => o.type === 'update'), new Problems(atLeastOnce)),
  ];
}

function judgeJoin(
  byId: ReadonlyMap<number, InputRecord>, expected: ReadonlyMap<number, { update: InputRecord | undefined; deletedBy: InputRecord | undefined }>, orders: number,
  results: readonly JoinResult[], p: Problems, later: (order: InputRecord, u: InputRecord | undefined) => boolean,
): CheckResult {
  const seen = new Set<number>();
  for (const j of results) {
    const order = byId.get(j.leftId);
    const what = `enriched order ${j.leftId} (customer ${j.key})`;
    if (!order || order.stream !== ENRICH_ORDERS) {
      p.add(`${what} is not an order of the input: only stream records trigger a KStream–KTable join`);
      continue;
    }
    if (seen.has(j.leftId)) p.replay(`${what} was committed twice`);
    seen.add(j.leftId);
    if (order.key !== j.key) p.add(`${what} has key ${j.key}, the order's customer is ${order.key}`);
    const exp = expected.get(j.leftId)!;
    const used = byId.get(j.rightId);
    if (j.rightId !== exp.update?.id && later(order, used)) {
      // A replayed order meeting a newer customer value: counted; its value must still follow from it.
      p.replay(`${what} was joined with customer record ${j.rightId}, an update after the order`);
      const want = enrichValue(order, used!);
      if (j.value !== want) p.add(`${what} has value ${j.value}, expected ${order.value} × ${used!.value} = ${want}`);
      if (j.ts !== order.ts) p.add(`${what} has ts ${j.ts}, expected the order's ${order.ts}`);
      continue;
    }
    if (exp.update === undefined) {
      p.add(exp.deletedBy
        ? `${what} was joined with customer record ${j.rightId}, but record ${exp.deletedBy.id} had deleted the customer before the order (an inner join drops it)`
        : `${what} was joined with customer record ${j.rightId}, but the customer had no value before the order (an inner join drops it)`);
      continue;
    }
    if (j.rightId !== exp.update.id) {
      p.add(`${what} was joined with customer record ${j.rightId}${used ? ` (value ${used.value})` : ''}, but the table value when it was processed came from record ${exp.update.id} (value ${exp.update.value})`);
      continue;
    }
    const want = enrichValue(order, exp.update);
    if (j.value !== want) p.add(`${what} has value ${j.value}, expected ${order.value} × ${exp.update.value} = ${want}`);
    if (j.ts !== order.ts) p.add(`${what} has ts ${j.ts}, expected the order's ${order.ts}`);
  }
  let joinable = 0;
  for (const [id, exp] of expected) {
    if (exp.update === undefined) continue;
    joinable++;
    if (!seen.has(id)) p.add(`order ${id} (customer ${exp.update.key}) was never enriched, though record ${exp.update.id} gave the customer a value before it (lost)`);
  }
  return p.verdict('enrich.join', `${formatCount(joinable)} of ${formatCount(orders)} orders enriched with the customer value current before them, each once; the others dropped (customer absent or deleted)` +
    (p.replays > 0 ? `; ${formatCount(p.replays)} enrichment${p.replays === 1 ? '' : 's'} again or with a later customer value by a replay, as at-least-once allows` : ''));
}

function judgeTable(
  byId: ReadonlyMap<number, InputRecord>, position: ReadonlyMap<number, number>, lastUpdate: ReadonlyMap<string, InputRecord>, updates: readonly KeyedUpdate[], p: Problems,
): CheckResult {
  const last = new Map<string, KeyedUpdate>();
  for (const u of updates) {
    const r = byId.get(u.id);
    if (!r || r.stream !== ENRICH_CUSTOMERS || r.key !== u.key) {
      p.add(`table change of ${u.key} names record ${u.id}, which is not an update of that customer`);
      continue;
    }
    if (u.value !== r.value) p.add(`table change of ${u.key} from record ${u.id} has value ${u.value}, the record's is ${r.value}`);
    const prev = last.get(u.key);
    if (prev !== undefined && position.get(prev.id)! >= position.get(u.id)!) {
      p.replay(prev.id === u.id
        ? `table change of ${u.key} from record ${u.id} was committed twice`
        : `table of ${u.key} went back: record ${u.id} after record ${prev.id}, which comes later in the input`);
    }
    last.set(u.key, u);
  }
  for (const [key, r] of lastUpdate) {
    const u = last.get(key);
    if (!u) p.add(`customer ${key} has no table change; its last update is record ${r.id}`);
    else if (u.id !== r.id) p.add(`customer ${key} ends at record ${u.id} (value ${u.value}), but its last update is record ${r.id} (${deletes(r) ? 'a tombstone' : `value ${r.value}`})`);
  }
  let deleted = 0;
  for (const r of lastUpdate.values()) if (deletes(r)) deleted++;
  return p.verdict('enrich.table', `${formatCount(updates.length)} table changes in input order; the final table holds the last value of ${formatCount(lastUpdate.size)} customers (${formatCount(deleted)} deleted)` +
    (p.replays > 0 ? `; ${formatCount(p.replays)} change${p.replays === 1 ? '' : 's'} again or back by a replay, as at-least-once allows` : ''));
}
