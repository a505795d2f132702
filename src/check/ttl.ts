/**
 * The state time-to-live oracle (verdict `ttl.expiry`), for a keyed
 * operator that reads, and on some records writes, value states with a TTL
 * and reports every read as a `StateRead` (the `ttl-visits` scenario).
 *
 * Reference (Flink's StateTtlConfig with `NeverReturnExpired`, processing
 * time): per key, in the order the operator processed its records (`seq`
 * 1, 2, …, kept in state without a TTL), at the processing time of each
 * read (`atMs`), replay each state from the input alone: a stored value
 * written at `w` (or, under `OnReadAndWrite`, last read at `w`) is expired
 * at `t` iff `w + ttl <= t`; an expired value reads as nothing and is gone;
 * a write stores the value read (0 for nothing) plus one, at `t`. Which
 * records write comes from the input record (`isWrite`). Cleanup strategies
 * never change what such a read returns, so they need no modelling.
 *
 * A restored operator goes on with the TTL timestamps of its snapshot and
 * the committed output holds the reads of the attempts whose effects the
 * state kept (exactly-once), so the replay holds across crashes.
 *
 * Problems: a record read not exactly once, or under another key; a key
 * whose `seq`s are not 1..n, or whose reads go back in processing time
 * (then its replay is skipped); a record that wrote or did not, against the
 * input; and, per key, the first read that differs from the replay (the
 * replay goes on with its own values, so one wrong read is reported once
 * per key). The summary counts reads, and the expired reads among them.
 */
import type { InputRecord, StateRead } from '../stream/records.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';

export interface TtlStateSpec {
  name: string;
  ttlMs: number;
  updateType: 'OnCreateAndWrite' | 'OnReadAndWrite';
}

export interface TtlSpec {
  states: readonly TtlStateSpec[];
  /** Whether the operator writes every state for this record (a read-only record otherwise). */
  isWrite(record: InputRecord): boolean;
}

interface Stored {
  value: number;
  /** Processing time of the write (or refreshing read). */
  lastMs: number;
}

export function checkTtl(input: readonly InputRecord[], reads: readonly StateRead[], spec: TtlSpec): CheckResult {
  const problems = new Problems();
  const byId = new Map<number, InputRecord>();
  for (const r of input) byId.set(r.id, r);
  const seen = new Map<number, StateRead>();
  const byKey = new Map<string, StateRead[]>();
  for (const u of reads) {
    const r = byId.get(u.id);
    if (r === undefined) {
      problems.add(`a read names record ${u.id}, which is not in the input`);
      continue;
    }
    if (seen.has(u.id)) {
      problems.add(`record ${u.id} (key ${r.key}) was read twice: at seq ${seen.get(u.id)!.seq} and at seq ${u.seq}`);
      continue;
    }
    seen.set(u.id, u);
    if (u.key !== r.key) problems.add(`record ${u.id} of key ${r.key} was read under key ${u.key}`);
    let list = byKey.get(u.key);
    if (!list) byKey.set(u.key, (list = []));
    list.push(u);
  }
  for (const r of input) if (!seen.has(r.id)) problems.add(`record ${r.id} (key ${r.key}) was never read: no committed read names it`);

  let judged = 0;
  let expiredReads = 0;
  for (const [key, list] of [...byKey].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    list.sort((a, b) => a.seq - b.seq);
    const broken = list.findIndex((u, i) => u.seq !== i + 1);
    if (broken >= 0) {
      problems.add(`key ${key}: its reads are not numbered 1..${list.length} in processing order (position ${broken + 1} has seq ${list[broken]!.seq}), so its state history is unknown`);
      continue;
    }
    const back = list.findIndex((u, i) => i > 0 && u.atMs < list[i - 1]!.atMs);
    if (back >= 0) {
      problems.add(`key ${key}: seq ${back + 1} was read at ${list[back]!.atMs} ms, before seq ${back} at ${list[back - 1]!.atMs} ms`);
      continue;
    }
    const state = new Map<string, Stored>();
    let reported = false;
    for (const u of list) {
      const record = byId.get(u.id)!;
      const write = spec.isWrite(record);
      if (u.write !== write) {
        problems.add(`record ${u.id} (key ${key}, seq ${u.seq}) ${u.write ? 'wrote' : 'only read'} but its input makes it ${write ? 'a write' : 'a read only'}`);
        reported = true;
      }
      for (const s of spec.states) {
        const cur = state.get(s.name);
        const before = cur === undefined ? undefined : { ...cur };
        const expired = cur !== undefined && cur.lastMs + s.ttlMs <= u.atMs;
        const expected = cur === undefined || expired ? null : cur.value;
        if (expired) {
          expiredReads++;
          state.delete(s.name);
        } else if (cur !== undefined && s.updateType === 'OnReadAndWrite') cur.lastMs = u.atMs;
        const got = u.read[s.name] ?? null;
        if (got !== expected && !reported) {
          problems.add(`key ${key}: record ${u.id} (seq ${u.seq}) read ${s.name} = ${got === null ? 'nothing' : got} at ${u.atMs} ms, expected ${describe(expected, before, s, expired)}`);
          reported = true;
        }
        if (write) state.set(s.name, { value: (expected ?? 0) + 1, lastMs: u.atMs });
      }
      judged++;
    }
  }
  return problems.verdict('ttl.expiry', `${formatCount(judged)} reads of ${spec.states.length} states with a TTL replayed, ${formatCount(expiredReads)} of them after their value expired`);
}

function describe(expected: number | null, cur: Stored | undefined, s: TtlStateSpec, expired: boolean): string {
  if (cur === undefined) return 'nothing (never written, or gone)';
  if (expired) return `nothing: the value ${cur.value} ${s.updateType === 'OnReadAndWrite' ? 'last written or read' : 'written'} at ${cur.lastMs} ms expired at ${cur.lastMs + s.ttlMs} ms (ttl ${s.ttlMs} ms, ${s.updateType})`;
  return `${expected} (${s.updateType === 'OnReadAndWrite' ? 'last written or read' : 'written'} at ${cur.lastMs} ms, alive until ${cur.lastMs + s.ttlMs - 1} ms)`;
}
