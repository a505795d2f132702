/**
 * Rebuilds the broker's state from its disk. The broker runs it at every
 * start; the offline reader runs it after a simulation. One code path, so a
 * checker sees exactly what a restarted broker would serve.
 *
 * Steps: read the topics file, the transaction log and every segment (each
 * cut at its first damaged frame, see codec.ts); then roll transactions
 * forward. A transaction that is open on a partition is resolved when
 * - the transaction log holds its decision (commit or abort): the broker had
 *   made the decision durable and crashed before every marker was written; or
 * - its epoch is older than the id's current epoch, or a later transaction of
 *   the same id exists: it was fenced, so it is aborted.
 * The resolution is applied in memory as a marker at the partition's end;
 * the broker also appends those markers to disk. Open transactions left after
 * that are still open: their id's owner will commit or abort them.
 */
import {
  isSegmentEntry, isTopicsLine, isTxnLogLine, readFile, segmentPath,
  OFFSETS_TOPIC, TOPICS_PATH, TXN_LOG_PATH,
  type Damage, type MarkerEntry, type TxnLogLine,
} from './codec.ts';
import { PartitionLog, txnKey, type OpenTxn } from './partition-log.ts';
import type { Disk } from '../runtime/types.ts';

/** A transactional id as recovered: its epoch, last transaction number and past outcomes. */
export interface RecoveredTxnId {
  epoch: number;
  /** The timeout of its latest init line that gave one. */
  timeoutMs?: number;
  lastN: number;
  /** Outcome of the last transaction ended under each epoch (true = committed). */
  outcomes: Map<number, boolean>;
}

export interface Recovered {
  /** The topics of the topics file (the internal offsets topic is not one of them). */
  topics: Map<string, number>;
  /** Per topic, its partitions in order; the internal offsets topic last (absent offline unless wanted). */
  logs: Map<string, PartitionLog[]>;
  txnIds: Map<string, RecoveredTxnId>;
  /** Files whose damaged part must be cut off before anything is appended: the intact prefix. */
  truncations: { path: string; frames: readonly unknown[] }[];
  /** Files whose first read failed its checksum and were read again (the damage may have cleared). */
  rereads: string[];
  /** Middle corruption found (intact frames after damage were dropped). */
  corrupt: { path: string; damage: Damage }[];
  /**
   * Markers applied in memory by roll-forward, to append to disk; `logged` when the transaction log
   * held the decision, else the transaction was fenced (a later epoch or transaction of its id).
   */
  rolledForward: { log: PartitionLog; marker: MarkerEntry; logged: boolean }[];
}

/** Topic -> partition count: the topics file, else the segment files present; `extra` (the configured topics) at least. */
export function recoverTopics(disk: Disk, extra: Record<string, number> = {}): { topics: Map<string, number>; onDisk: boolean } {
  const decoded = readFile(disk, TOPICS_PATH, isTopicsLine);
  const topics = new Map<string, number>();
  const fromFile = decoded.items[0]?.topics;
  if (fromFile !== undefined) {
    for (const name of Object.keys(fromFile).sort()) topics.set(name, fromFile[name]);
  } else {
    for (const path of disk.list('log/')) {
      const m = /^log\/(.+)\/(\d+)\.seg$/.exec(path);
      if (m !== null && m[1] !== OFFSETS_TOPIC) topics.set(m[1], Math.max(topics.get(m[1]) ?? 0, Number(m[2]) + 1));
    }
  }
  // The configured topics are a floor: when the topics file does not read back and the counts
  // come from the segment files, a partition that never received a record has no file yet.
  for (const name of Object.keys(extra).sort()) topics.set(name, Math.max(topics.get(name) ?? 0, extra[name]!));
  return { topics, onDisk: fromFile !== undefined };
}

export interface RecoverOptions {
  /**
   * Offline readers: the topics wanted. Another topic is decoded only when it may
   * hold transactional batches or markers (a frame with an `x` key), since those
   * take part in rolling transactions forward; otherwise it is left out.
   */
  only?: ReadonlySet<string>;
}

export function recover(disk: Disk, extraTopics: Record<string, number> = {}, opts: RecoverOptions = {}): Recovered {
  const out: Recovered = {
    topics: recoverTopics(disk, extraTopics).topics,
    logs: new Map(), txnIds: new Map(), truncations: [], rereads: [], corrupt: [], rolledForward: [],
  };
  const txnFile = readFile(disk, TXN_LOG_PATH, isTxnLogLine);
  noteDamage(out, TXN_LOG_PATH, txnFile);
  const decisions = applyTxnLog(out.txnIds, txnFile.items);
  for (const [topic, count] of out.topics) {
    if (opts.only !== undefined && !opts.only.has(topic) && !mayHoldTransactions(disk, topic, count)) continue;
    const logs: PartitionLog[] = [];
    for (let p = 0; p < count; p++) logs.push(recoverPartition(disk, topic, p, out));
    out.logs.set(topic, logs);
  }
  if (opts.only === undefined || opts.only.has(OFFSETS_TOPIC) || mayHoldTransactions(disk, OFFSETS_TOPIC, 1)) {
    out.logs.set(OFFSETS_TOPIC, [recoverPartition(disk, OFFSETS_TOPIC, 0, out)]);
  }
  for (const logs of out.logs.values()) {
    for (const log of logs) noteTxnNumbers(out.txnIds, log);
  }
  for (const logs of out.logs.values()) {
    for (const log of logs) rollForward(log, decisions, out);
  }
  return out;
}

/** Whether any segment of `topic` may hold a transactional batch or marker (both carry an `x` key). */
function mayHoldTransactions(disk: Disk, topic: string, partitions: number): boolean {
  for (let p = 0; p < partitions; p++) {
    for (const f of disk.readFrames(segmentPath(topic, p)) ?? []) {
      if (typeof f !== 'object' || f === null || (f as { x?: unknown }).x !== undefined) return true;
    }
  }
  return false;
}

function noteDamage(out: Recovered, path: string, file: { intact: readonly unknown[]; damage?: Damage; reread?: true }): void {
  if (file.reread) out.rereads.push(path);
  if (file.damage === undefined) return;
  out.truncations.push({ path, frames: file.intact });
  if (file.damage.kind === 'middle') out.corrupt.push({ path, damage: file.damage });
}

/** Replays the transaction log; returns every durable decision by transaction key. */
function applyTxnLog(ids: Map<string, RecoveredTxnId>, lines: TxnLogLine[]): Map<string, boolean> {
  const decisions = new Map<string, boolean>();
  for (const line of lines) {
    const id = txnIdState(ids, line.x);
    if (line.t === 'init') {
      id.epoch = Math.max(id.epoch, line.e);
      if (line.to !== undefined) id.timeoutMs = line.to;
    } else {
      decisions.set(txnKey(line.x, line.n), line.c);
      id.outcomes.set(line.e, line.c);
      id.lastN = Math.max(id.lastN, line.n);
    }
  }
  return decisions;
}

export function txnIdState(ids: Map<string, RecoveredTxnId>, id: string): RecoveredTxnId {
  let s = ids.get(id);
  if (s === undefined) ids.set(id, (s = { epoch: 0, lastN: 0, outcomes: new Map() }));
  return s;
}

function recoverPartition(disk: Disk, topic: string, partition: number, out: Recovered): PartitionLog {
  const path = segmentPath(topic, partition);
  const file = readFile(disk, path, isSegmentEntry);
  const log = new PartitionLog(topic, partition);
  let intact = file.intact;
  let damage = file.damage;
  for (let i = 0; i < file.items.length; i++) {
    const entry = file.items[i];
    if (!log.fits(entry)) {
      // Intact but not contiguous: treat like corruption at this frame.
      intact = file.intact.slice(0, i);
      damage = { kind: 'middle', frame: i, droppedFrames: file.items.length - i };
      break;
    }
    log.apply(entry);
  }
  noteDamage(out, path, { intact, damage, ...(file.reread ? { reread: true as const } : {}) });
  log.durableEnd = log.endOffset;
  return log;
}

function noteTxnNumbers(ids: Map<string, RecoveredTxnId>, log: PartitionLog): void {
  for (const [id, n] of log.maxTxnN) {
    const s = txnIdState(ids, id);
    s.lastN = Math.max(s.lastN, n);
  }
}

function rollForward(log: PartitionLog, decisions: Map<string, boolean>, out: Recovered): void {
  for (const open of [...log.openTxns.values()]) {
    const logged = decisions.get(txnKey(open.id, open.n));
    const commit = logged ?? resolution(open, out.txnIds);
    if (commit === undefined) continue;
    const marker: MarkerEntry = { t: 'm', o: log.endOffset, x: open.id, e: open.epoch, n: open.n, c: commit };
    log.apply(marker);
    out.rolledForward.push({ log, marker, logged: logged !== undefined });
  }
}

/** An open transaction the transaction log holds no decision for: aborted when fenced, else left open (undefined). */
function resolution(open: OpenTxn, ids: Map<string, RecoveredTxnId>): false | undefined {
  const id = ids.get(open.id);
  const superseded = id !== undefined && (open.epoch < id.epoch || open.n < id.lastN);
  return superseded ? false : undefined;
}
