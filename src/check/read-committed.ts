/**
 * Read-committed, judged while it mattered: what a read-committed consumer
 * saw during the run (its `reader.fetch` trace events) against the topic's
 * committed content at the end.
 *
 * A read-committed reader must see, per partition and in offset order,
 * exactly the records of committed transactions and non-transactional
 * records — never a record of a transaction that was open at the time (it
 * may still abort), never an aborted one — and it may only move past an
 * offset once everything below it is decided (the Last Stable Offset), so it
 * never skips a record that commits later. So each answer, from the offset
 * asked for to the next offset, must hold exactly the committed records of
 * that range, with the same values; and each fetch starts where the one
 * before ended.
 */
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';

/** One `reader.fetch` event. */
export interface ReaderFetch {
  partition: number;
  incarnation: number;
  offset: number;
  next: number;
  offsets: readonly number[];
  digest: string;
}

export interface CommittedRecord {
  offset: number;
  value: unknown;
}

export function checkReadCommitted(
  fetches: readonly ReaderFetch[],
  /** Per partition, the committed records at the end, in offset order. */
  final: readonly (readonly CommittedRecord[])[],
  digest: (values: readonly unknown[]) => string,
): CheckResult {
  const problems = new Problems();
  const finalAt = final.map((records) => new Map(records.map((r) => [r.offset, r.value])));
  const position = new Map<string, number>();
  let seen = 0;
  for (const f of fetches) {
    const committed = finalAt[f.partition];
    if (committed === undefined) {
      problems.add(`the reader fetched partition ${f.partition}, which the topic does not have`);
      continue;
    }
    const who = `${f.partition}/${f.incarnation}`;
    const from = position.get(who) ?? 0;
    if (f.offset !== from) problems.add(`partition ${f.partition}: the reader fetched from offset ${f.offset}, but its last answer ended at ${from}`);
    position.set(who, f.next);
    if (f.next < f.offset) problems.add(`partition ${f.partition}: an answer moved the reader back from ${f.offset} to ${f.next}`);
    const shown = new Set(f.offsets);
    for (const o of f.offsets) {
      if (o < f.offset || o >= f.next) problems.add(`partition ${f.partition}: record at offset ${o} is outside the answer's range [${f.offset},${f.next})`);
      else if (!committed.has(o)) problems.add(`partition ${f.partition}: the reader was shown the record at offset ${o}, which never committed (an open or aborted transaction's record)`);
    }
    for (let o = f.offset; o < f.next; o++) {
      if (committed.has(o) && !shown.has(o)) {
        problems.add(`partition ${f.partition}: the reader moved past offset ${o} without being shown it, but it committed (the last stable offset ran ahead of an open transaction)`);
      }
    }
    if (f.offsets.every((o) => committed.has(o)) && digest(f.offsets.map((o) => committed.get(o))) !== f.digest) {
      problems.add(`partition ${f.partition}: the values shown at offsets [${f.offset},${f.next}) differ from the committed ones`);
    }
    seen += f.offsets.length;
  }
  const total = final.reduce((n, p) => n + p.length, 0);
  return problems.verdict(
    'read-committed',
    `a read-committed reader saw ${formatCount(seen)} of ${formatCount(total)} committed output records during the run, each once, in order, none open or aborted, none skipped`,
  );
}
