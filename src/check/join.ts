/**
 * The interval-join oracle. The reference pairs every left record (stream
 * 'orders') with every right record (stream 'payments') of the same key
 * whose timestamps satisfy `lowerMs <= right.ts - left.ts <= upperMs`, both
 * bounds inclusive as Flink's `IntervalJoin.between(lower, upper)`. A joined
 * pair carries the timestamp `max(left.ts, right.ts)`, as Flink's
 * IntervalJoinOperator sets it.
 *
 * `checkJoin` (verdict `join`): no (left, right) pair is committed twice
 * (under at-least-once one committed again by a replay is counted instead);
 * every committed pair is valid (known ids, left from 'orders', right from
 * 'payments', both of the result's key, within the bounds, the right
 * timestamp, and — when a `joinValue` is given — the right value); and when
 * nothing can be late, the committed pairs are exactly the reference pairs.
 * With late data a pair may be missing (the join drops a record behind the
 * watermark, and one exactly at the watermark finds the partners whose
 * cleanup time the watermark reached gone, as in Flink), but never invented;
 * given the records the run dropped as late or took at the watermark (its
 * trace), a missing pair must have one of them. Late data also comes
 * from idleness: inputs that all went idle (an outage longer than the idle
 * timeout) let the watermark jump to the highest one, and records that then
 * resume behind it are late, as in Flink.
 */
import type { InputRecord, JoinResult, UnmatchedRow } from '../stream/records.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';

export const JOIN_LEFT_STREAM = 'orders';
export const JOIN_RIGHT_STREAM = 'payments';

export interface JoinPair {
  key: string;
  leftId: number;
  rightId: number;
  ts: number;
}

export interface JoinCheckOptions {
  canBeLate: boolean;
  /**
   * Ids of records the join dropped as late (traced `record.late`) or took exactly at the
   * watermark (`join.at-watermark`). When given, a reference pair may be missing only when one of
   * its records is among them; without it, any pair may be missing when `canBeLate`.
   */
  droppedLate?: ReadonlySet<number>;
  /** The joined value the pipeline computes from a pair; unchecked when absent. */
  joinValue?: (left: InputRecord, right: InputRecord) => number;
  /** Under at-least-once a pair committed again by a replay is counted, not failed (`Problems.replay`). */
  atLeastOnce?: boolean;
}

/** All reference pairs, ordered by left id then right id. */
export function referenceJoin(input: readonly InputRecord[], lowerMs: number, upperMs: number): JoinPair[] {
  const rightsByKey = new Map<string, InputRecord[]>();
  for (const r of input) {
    if (r.stream !== JOIN_RIGHT_STREAM) continue;
    const list = rightsByKey.get(r.key);
    if (list) list.push(r);
    else rightsByKey.set(r.key, [r]);
  }
  for (const list of rightsByKey.values()) list.sort((a, b) => a.ts - b.ts || a.id - b.id);
  const out: JoinPair[] = [];
  const lefts = input.filter((r) => r.stream === JOIN_LEFT_STREAM).sort((a, b) => a.id - b.id);
  for (const l of lefts) {
    const rights = rightsByKey.get(l.key) ?? [];
    const pairs: JoinPair[] = [];
    for (let i = firstAtOrAfter(rights, l.ts + lowerMs); i < rights.length && rights[i]!.ts <= l.ts + upperMs; i++) {
      const r = rights[i]!;
      pairs.push({ key: l.key, leftId: l.id, rightId: r.id, ts: Math.max(l.ts, r.ts) });
    }
    pairs.sort((a, b) => a.rightId - b.rightId);
    out.push(...pairs);
  }
  return out;
}

function firstAtOrAfter(sorted: readonly InputRecord[], ts: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const pairKey = (leftId: number, rightId: number): string => `${leftId}:${rightId}`;

export function checkJoin(
  input: readonly InputRecord[], results: readonly JoinResult[], lowerMs: number, upperMs: number, opts: JoinCheckOptions,
): CheckResult {
  const problems = new Problems(opts.atLeastOnce === true);
  const byId = new Map<number, InputRecord>();
  for (const r of input) byId.set(r.id, r);
  const seen = new Set<string>();
  for (const j of results) {
    const k = pairKey(j.leftId, j.rightId);
    if (seen.has(k)) problems.replay(`pair (order ${j.leftId}, payment ${j.rightId}) of key ${j.key} was committed twice`);
    seen.add(k);
    const why = invalidPair(j, byId.get(j.leftId), byId.get(j.rightId), lowerMs, upperMs, opts);
    if (why) problems.add(`pair (order ${j.leftId}, payment ${j.rightId}) of key ${j.key} ${why}`);
  }
  const ref = referenceJoin(input, lowerMs, upperMs);
  const dropped = opts.droppedLate;
  const excused = (p: JoinPair): boolean => (dropped ? dropped.has(p.leftId) || dropped.has(p.rightId) : opts.canBeLate);
  for (const p of ref) {
    if (!seen.has(pairKey(p.leftId, p.rightId)) && !excused(p)) {
      problems.add(`pair (order ${p.leftId}, payment ${p.rightId}) of key ${p.key} is in the reference but was never committed${dropped ? ', and neither record was dropped as late or came at the watermark' : ''}`);
    }
  }
  const again = problems.replays > 0 ? `; ${formatCount(problems.replays)} committed again by a replay, as at-least-once allows` : '';
  return problems.verdict('join', `${formatCount(seen.size)} pairs committed, reference has ${formatCount(ref.length)}${again}`);
}

function invalidPair(
  j: JoinResult, l: InputRecord | undefined, r: InputRecord | undefined, lowerMs: number, upperMs: number, opts: JoinCheckOptions,
): string | undefined {
  if (!l || !r) return 'names a record that is not in the input';
  if (l.stream !== JOIN_LEFT_STREAM || r.stream !== JOIN_RIGHT_STREAM) {
    return `joins streams ${l.stream} and ${r.stream}, expected ${JOIN_LEFT_STREAM} and ${JOIN_RIGHT_STREAM}`;
  }
  if (l.key !== j.key || r.key !== j.key) return `joins keys ${l.key} and ${r.key}`;
  const d = r.ts - l.ts;
  if (d < lowerMs || d > upperMs) return `is outside the interval: payment.ts - order.ts = ${d}, bounds [${lowerMs}, ${upperMs}]`;
  if (j.ts !== Math.max(l.ts, r.ts)) return `has ts ${j.ts}, expected max(${l.ts}, ${r.ts})`;
  if (opts.joinValue && j.value !== opts.joinValue(l, r)) return `has value ${j.value}, expected ${opts.joinValue(l, r)}`;
  return undefined;
}

export interface OuterJoinCheckOptions {
  joinType: 'left_outer' | 'right_outer' | 'full_outer';
  /**
   * The watermark delay. The run's last batch evicts with the input's largest event time (of both
   * streams, flush records included) − the delay: a row whose range that watermark passed has left
   * the join's state, and one whose range it did not pass is still waiting for a partner.
   */
  delayMs: number;
  /** The watermark results stopped at instead, when the run ended without the batch that watermark asked for (`CheckInput.stuckWatermark`). */
  finalWatermark?: number;
  /** Every record the input topic held (with records the checks do not account for, such as flush records). */
  arrived: readonly InputRecord[];
  /** Ids of records the join dropped as late (traced). */
  droppedLate: ReadonlySet<number>;
  joinValue?: (left: InputRecord, right: InputRecord) => number;
  /** Under at-least-once a pair or a row with nulls written again by a replay is counted, not failed. */
  atLeastOnce?: boolean;
}

/**
 * A stream-stream outer join, judged against the reference: the pairs as `join` judges them, and
 * (verdict `join.outer`) the rows emitted with nulls. On each preserved side (orders for a left outer
 * join, payments for a right outer one, both for a full outer one), a record is emitted alone exactly
 * when it was not dropped as late, is in no committed pair, and the last watermark passed its range
 * (`order.ts + upper < W`, `payment.ts − lower < W`): never twice, never a record that was joined,
 * never one whose range the watermark had not passed (a partner could still have come), and never
 * missing.
 */
export function checkOuterJoin(
  input: readonly InputRecord[], pairs: readonly JoinResult[], unmatched: readonly UnmatchedRow[], lowerMs: number, upperMs: number, opts: OuterJoinCheckOptions,
): CheckResult[] {
  const joinCheck = checkJoin(input, pairs, lowerMs, upperMs, { canBeLate: true, droppedLate: opts.droppedLate, atLeastOnce: opts.atLeastOnce === true, ...(opts.joinValue ? { joinValue: opts.joinValue } : {}) });
  const problems = new Problems(opts.atLeastOnce === true);
  const byId = new Map<number, InputRecord>();
  for (const r of input) byId.set(r.id, r);
  const joined = new Map<number, number>();
  for (const p of pairs) {
    joined.set(p.leftId, p.rightId);
    joined.set(p.rightId, p.leftId);
  }
  const preserved = { left: opts.joinType !== 'right_outer', right: opts.joinType !== 'left_outer' };
  const streamOf = { left: JOIN_LEFT_STREAM, right: JOIN_RIGHT_STREAM };
  const joinStreams = opts.arrived.filter((r) => r.stream === JOIN_LEFT_STREAM || r.stream === JOIN_RIGHT_STREAM);
  const finalWm = opts.finalWatermark ?? (joinStreams.length === 0 ? 0 : Math.max(0, Math.max(...joinStreams.map((r) => r.ts)) - opts.delayMs));
  const passed = (side: 'left' | 'right', ts: number): boolean => (side === 'left' ? ts + upperMs < finalWm : ts - lowerMs < finalWm);
  const range = (side: 'left' | 'right', ts: number): string => (side === 'left' ? `payments up to ${ts + upperMs}` : `orders from ${ts - upperMs} to ${ts - lowerMs}`);
  const emitted = new Set<number>();
  for (const u of unmatched) {
    const r = byId.get(u.id);
    const what = `${u.side === 'left' ? 'order' : 'payment'} ${u.id} (key ${u.key})`;
    if (emitted.has(u.id)) problems.replay(`${what} was emitted with nulls twice`);
    emitted.add(u.id);
    if (!r) {
      problems.add(`a row emitted with nulls names record ${u.id}, which is not in the input`);
      continue;
    }
    if (!preserved[u.side]) problems.add(`${what} was emitted with nulls, but a ${opts.joinType} join keeps no unmatched ${u.side} rows`);
    if (r.stream !== streamOf[u.side]) problems.add(`${what} was emitted with nulls as a ${u.side} row, but it is a record of stream ${String(r.stream)}`);
    if (r.key !== u.key || r.ts !== u.ts || r.value !== u.value) problems.add(`${what} was emitted with nulls as (key ${u.key}, ts ${u.ts}, value ${u.value}), but the record is (key ${r.key}, ts ${r.ts}, value ${r.value})`);
    const partner = joined.get(u.id);
    if (partner !== undefined) problems.add(`${what} was emitted with nulls, but it was joined with ${u.side === 'left' ? 'payment' : 'order'} ${partner}: a row that matched is never emitted alone`);
    if (opts.droppedLate.has(u.id)) problems.add(`${what} was emitted with nulls, but the join dropped it as late`);
    if (!passed(u.side, r.ts)) problems.add(`${what} at ${r.ts} was emitted with nulls, but the watermark never passed its range (${range(u.side, r.ts)}; the last watermark is ${finalWm}): a partner could still have come`);
  }
  let expected = 0;
  for (const r of input) {
    const side = r.stream === JOIN_LEFT_STREAM ? 'left' : r.stream === JOIN_RIGHT_STREAM ? 'right' : undefined;
    if (side === undefined || !preserved[side] || joined.has(r.id) || opts.droppedLate.has(r.id) || !passed(side, r.ts)) continue;
    expected++;
    if (!emitted.has(r.id)) problems.add(`${side === 'left' ? 'order' : 'payment'} ${r.id} (key ${r.key}, ts ${r.ts}) never joined and the watermark passed its range (the last watermark is ${finalWm}), but it was never emitted with nulls`);
  }
  const again = problems.replays > 0 ? `; ${formatCount(problems.replays)} emitted again by a replay, as at-least-once allows` : '';
  return [joinCheck, problems.verdict('join.outer', `${formatCount(emitted.size)} rows emitted with nulls, ${formatCount(expected)} expected (${opts.joinType}, last watermark ${finalWm})${again}`)];
}
