/**
 * The log broker: a simulated process serving partitioned, replayable,
 * transactional topics from its own disk (one broker, no replication).
 *
 * Durability (acks=all on one node): a produce is appended to its
 * partition's segment and acknowledged only once an fsync covering it
 * completes; fsyncs are grouped per file (group-sync.ts). Consumers are shown
 * only fsynced offsets (`durableEnd`, the high watermark), so a crash never
 * takes back a record anyone has seen.
 *
 * Idempotence: a produce with `producer: {id, seq}` whose seq was already
 * applied on that partition is acknowledged with the original base offset
 * and not appended again. The applied sequence numbers are stamped on the
 * batch lines themselves, so they are exactly as durable as the records.
 * A produce without `producer` that is retried may be appended twice: that is
 * at-least-once.
 *
 * Fetches may wait (Kafka's fetch.max.wait.ms, a DelayedFetch): a fetch that
 * finds nothing new is parked on its partition and answered when an fsync
 * makes more of the partition visible (records, a transaction marker that
 * moves the Last Stable Offset, a seal), or empty when its wait is over. A
 * parked fetch lives in memory only; after a crash the client resends it.
 *
 * Start: recovery rebuilds memory from disk (recovery.ts); damaged file
 * tails are cut off (write a temporary file, fsync, rename) before anything
 * is appended, and the markers recovery rolled forward are written. Requests
 * that arrive meanwhile wait in a bounded backlog.
 *
 * Beside the topics: consumer groups and their committed offsets
 * (group-coordinator.ts, kept in the internal `__consumer_offsets` topic),
 * compacted topics (`topicConfigs`, cleaned by log-cleaner.ts), and
 * DeleteRecords, which moves a partition's log start offset. A compacted
 * topic takes only keyed records (`{key, value}`, see protocol.ts).
 */
import { OFFSETS_TOPIC, TOPICS_PATH, TXN_LOG_PATH, type BatchEntry, type MarkerEntry, type SegmentEntry, type TxnLogLine } from './codec.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { GroupSync } from './group-sync.ts';
import { DEFAULT_CLEANER_BACKOFF_MS, LogCleaner } from './log-cleaner.ts';
import { txnKey, type PartitionLog } from './partition-log.ts';
import {
  DEFAULT_TXN_TIMEOUT_MS, isKeyedRecord, isLogRequest,
  type DeleteRecordsRequest, type ErrorCode, type FetchRequest, type KeyedRecord, type LogReply, type LogRequest,
  type ProduceRequest, type TxnInitRequest,
} from './protocol.ts';
import { recover, type Recovered } from './recovery.ts';
import { TxnCoordinator, type TxnResult } from './txn-coordinator.ts';
import type { ProcessContext, ProcessFactory, ProcessId, ProcessLogic, TimerHandle } from '../runtime/types.ts';
import { concatAll } from '../runtime/arrays.ts';

/** A topic's settings (Kafka's topic configs of the same names). */
export interface TopicConfig {
  /** cleanup.policy: `compact` keeps the latest value per key (records must be keyed); `delete` (the default) keeps all until DeleteRecords. */
  cleanupPolicy: 'compact' | 'delete';
  /** delete.retention.ms: how long a tombstone is kept after a cleaning first keeps it (default Kafka's 24 h). */
  deleteRetentionMs?: number;
}

/** Kafka's delete.retention.ms default. */
export const DEFAULT_DELETE_RETENTION_MS = 86_400_000;

export interface BrokerOptions {
  /** Topic -> partition count; created at first start (a topic added later is created at the next start). */
  topics: Record<string, number>;
  /** Per topic, its settings; a topic not named here is a plain (`delete`) topic. Read at every start. */
  topicConfigs?: Record<string, TopicConfig>;
  /** Kafka's log.cleaner.backoff.ms: how long the cleaner waits after there is work (default 15 s). */
  cleanerBackoffMs?: number;
  /** Planted bug `lso-ignores-open-transactions` (see log/bugs.ts): read_committed ignores open transactions. */
  lsoIgnoresOpenTxns?: boolean;
  /** Planted bug `read-committed-shows-aborted`: read_committed shows aborted records. */
  showsAborted?: boolean;
  /** Planted bug `txn-timeout-ignored`: the transaction coordinator never aborts a transaction past its timeout. */
  ignoreTxnTimeouts?: boolean;
  /** Kafka's `group.initial.rebalance.delay.ms` (group-coordinator.ts, `DEFAULT_INITIAL_REBALANCE_DELAY_MS` by default). */
  groupInitialRebalanceDelayMs?: number;
}

export function brokerProcess(opts: BrokerOptions): ProcessFactory {
  return (ctx) => new RecoveringBroker(ctx, opts);
}

/** Recovery attempts while the disk reads back damaged in the middle, and the pause between them. */
const RECOVERY_RETRIES = 50;
const RECOVERY_RETRY_MS = 100;

/**
 * Start-up: recovery that finds damage before the tail (not a torn last
 * write, which a crash explains) is not trusted at once. Such damage is a
 * failed read far more often than lost data, and cutting the file there would
 * throw away acknowledged — even committed — records; so the broker waits and
 * reads again, serving nothing meanwhile (clients retry). Only damage that
 * persists through every retry is cut off, as a last resort.
 */
class RecoveringBroker implements ProcessLogic {
  private broker: Broker | undefined;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly opts: BrokerOptions,
  ) {
    this.attempt(0);
  }

  private attempt(n: number): void {
    const r = recover(this.ctx.disk, this.opts.topics);
    if (r.corrupt.length > 0 && n < RECOVERY_RETRIES) {
      this.ctx.trace.emit('disk.corrupt', { path: r.corrupt[0]!.path, frame: r.corrupt[0]!.damage.frame, detectedBy: 'log.recovery', retry: n + 1 });
      this.ctx.timers.after(RECOVERY_RETRY_MS, () => this.attempt(n + 1));
      return;
    }
    for (const logs of r.logs.values()) {
      for (const log of logs) {
        log.lsoIgnoresOpenTxns = this.opts.lsoIgnoresOpenTxns === true;
        log.showsAborted = this.opts.showsAborted === true;
      }
    }
    this.broker = new Broker(this.ctx, r, this.opts);
  }

  onMessage(from: ProcessId, msg: unknown): void {
    this.broker?.onMessage(from, msg);
  }
}

/** Requests held while the broker finishes its start; more are dropped (clients retry). */
const BACKLOG_MAX = 10_000;
/**
 * txn.init and txn.end answers remembered per (sender, reqId): a request sent again gets the first
 * one's answer, so a retried init does not bump the epoch twice, and an end sent again while its
 * markers are written is not answered `concurrent-transactions` before the first one is answered.
 */
const TXN_REPLIES_KEPT = 1024;

/** A txn.init's or txn.end's answer, and the copies of the request waiting for it. */
interface TxnReply {
  answer?: LogReply;
  waiters: ((r: LogReply) => void)[];
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

interface ParkedFetch {
  req: FetchRequest;
  /** Who sent it (the answer goes there). */
  from: ProcessId;
  /** Answered (by new data or by its wait running out). */
  done: boolean;
  /** The wait's timer, cancelled when new data answers first. */
  timer?: TimerHandle;
}

class Broker implements ProcessLogic {
  private readonly logs: Map<string, PartitionLog[]>;
  private readonly syncs = new Map<string, GroupSync>();
  private readonly txn: TxnCoordinator;
  /** Seals appended but not yet durable, with the replies waiting for them. */
  private readonly sealing = new Map<PartitionLog, (() => void)[]>();
  private readonly txnReplies = new Map<string, TxnReply>();
  private backlog: { from: ProcessId; msg: LogRequest }[] | undefined = [];
  /** Fetches waiting for their partition to show something new. */
  private readonly parked = new Map<PartitionLog, ParkedFetch[]>();
  private readonly offsetsLog: PartitionLog;
  private readonly groups: GroupCoordinator;
  private readonly cleaner: LogCleaner;

  constructor(private readonly ctx: ProcessContext, r: Recovered, opts: BrokerOptions) {
    this.logs = r.logs;
    this.txn = new TxnCoordinator(
      { appendTxnLog: (lines, done) => this.appendTxnLog(lines, done), appendMarker: (log, m, done) => this.append(log, m, done) },
      ctx,
      r,
      { ignoreTimeouts: opts.ignoreTxnTimeouts === true },
    );
    this.offsetsLog = (r.logs.get(OFFSETS_TOPIC) as PartitionLog[])[0]!;
    const retention = new Map<string, number>([[OFFSETS_TOPIC, DEFAULT_DELETE_RETENTION_MS]]);
    for (const [topic, c] of Object.entries(opts.topicConfigs ?? {})) {
      if (c.cleanupPolicy === 'compact' && topic !== OFFSETS_TOPIC) retention.set(topic, c.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS);
    }
    this.cleaner = new LogCleaner(ctx, {
      logs: () => concatAll(this.logs.values()),
      compaction: (log) => retention.get(log.topic),
      backoffMs: opts.cleanerBackoffMs ?? DEFAULT_CLEANER_BACKOFF_MS,
    });
    this.groups = new GroupCoordinator(ctx, {
      offsetsLog: this.offsetsLog,
      append: (records, txn, done) => this.appendOffsets(records, txn, done),
      partitionCount: (topic) => (topic === OFFSETS_TOPIC ? undefined : this.logs.get(topic)?.length),
      endOffset: (tp) => this.logs.get(tp.topic)?.[tp.partition]?.readLimit('read_uncommitted') ?? 0,
    }, this.txn, opts.groupInitialRebalanceDelayMs === undefined ? {} : { initialRebalanceDelayMs: opts.groupInitialRebalanceDelayMs });
    // A read that failed its checksum and was read again: detected, and (unless listed as corrupt) healed by the rereads.
    for (const path of r.rereads) ctx.trace.emit('disk.corrupt', { path, detectedBy: 'log.recovery', reread: true });
    for (const c of r.corrupt) {
      ctx.trace.emit('disk.corrupt', { path: c.path, frame: c.damage.frame, droppedFrames: c.damage.droppedFrames, detectedBy: 'log.recovery' });
    }
    traceRolledForward(ctx, r);
    this.start(r);
  }

  /** Cuts damaged tails and writes the topics file, then the rolled-forward markers, then serves. */
  private start(r: Recovered): void {
    const rewrites = [...r.truncations];
    const topics = Object.fromEntries(r.topics);
    if (!sameTopics(this.ctx.disk.readFrames(TOPICS_PATH), topics)) rewrites.push({ path: TOPICS_PATH, frames: [{ t: 'topics', topics }] });
    let pending = rewrites.length + 1;
    const step = (): void => {
      if (--pending > 0) return;
      for (const { log, marker } of r.rolledForward) this.appendToDisk(log, marker, undefined);
      const backlog = this.backlog ?? [];
      this.backlog = undefined;
      this.cleaner.start();
      this.groups.start();
      for (const { from, msg } of backlog) this.handle(from, msg);
    };
    for (const { path, frames } of rewrites) {
      const tmp = `${path}.tmp`;
      this.ctx.disk.writeFrames(tmp, frames);
      this.ctx.disk.fsync(tmp, () => {
        this.ctx.disk.rename(tmp, path);
        step();
      });
    }
    step();
  }

  onMessage(from: ProcessId, msg: unknown): void {
    if (!isLogRequest(msg)) return;
    if (this.backlog === undefined) this.handle(from, msg);
    else if (this.backlog.length < BACKLOG_MAX) this.backlog.push({ from, msg });
  }

  private handle(from: ProcessId, req: LogRequest): void {
    // Produce and fetch, a record's path, answer through `from` without closures of their own.
    if (req.kind === 'log.produce') return this.produce(from, req);
    if (req.kind === 'log.fetch') return this.fetch(from, req);
    const reply = (r: LogReply): void => this.ctx.net.send(from, r);
    const error = (code: ErrorCode, message: string): void => reply({ kind: 'log.error', reqId: req.reqId, code, message });
    switch (req.kind) {
      case 'log.seal': {
        if (req.topic === OFFSETS_TOPIC) return error('bad-request', `${OFFSETS_TOPIC} cannot be sealed`);
        const log = this.partition(req.topic, req.partition, error);
        if (log !== undefined) this.seal(log, () => reply({ kind: 'log.sealed', reqId: req.reqId }));
        return;
      }
      case 'log.endOffsets': {
        const logs = this.logs.get(req.topic);
        if (logs === undefined) return error('unknown-topic', `no topic '${req.topic}'`);
        if (req.isolation !== undefined && req.isolation !== 'read_committed' && req.isolation !== 'read_uncommitted') return error('bad-request', 'bad isolation');
        return reply({ kind: 'log.endOffsets.ok', reqId: req.reqId, offsets: logs.map((l) => l.readLimit(req.isolation ?? 'read_uncommitted')) });
      }
      case 'txn.init': return this.initTxn(from, req, reply, error);
      case 'txn.end':
        if (typeof req.transactionalId !== 'string' || !isInt(req.epoch) || typeof req.commit !== 'boolean') {
          return error('bad-request', 'txn.end needs transactionalId, epoch, commit');
        }
        return this.onceFor(from, req.reqId, reply, (answer) => this.txn.end(req.transactionalId, req.epoch, req.commit, (r) =>
          answer(r.ok ? { kind: 'txn.ended', reqId: req.reqId } : { kind: 'log.error', reqId: req.reqId, code: r.code, message: r.message }),
        ));
      case 'txn.list':
        if (typeof req.prefix !== 'string') return error('bad-request', 'txn.list needs a prefix');
        return reply({ kind: 'txn.listed', reqId: req.reqId, open: this.txn.list(req.prefix, req.idle === true) });
      case 'log.deleteRecords': return this.deleteRecords(req, reply, error);
      case 'log.startOffsets': {
        const logs = this.logs.get(req.topic);
        if (logs === undefined) return error('unknown-topic', `no topic '${req.topic}'`);
        return reply({ kind: 'log.startOffsets.ok', reqId: req.reqId, offsets: logs.map((l) => l.logStartOffset) });
      }
      case 'group.join': return this.groups.join(req, reply, error);
      case 'group.heartbeat': return this.groups.heartbeat(req, reply, error);
      case 'group.leave': return this.groups.leave(req, reply, error);
      case 'group.commit': return this.groups.commit(from, req, reply, error);
      case 'group.fetchOffsets': return this.groups.fetchOffsets(req, reply, error);
      case 'txn.offsets': return this.groups.txnCommit(req, reply, error);
    }
  }

  private partition(topic: string, partition: number, error: (c: ErrorCode, m: string) => void): PartitionLog | undefined {
    const log = this.findLog(topic, partition);
    if (log === undefined) error('unknown-topic', noPartition(topic, partition));
    return log;
  }

  private findLog(topic: string, partition: number): PartitionLog | undefined {
    return isInt(partition) ? this.logs.get(topic)?.[partition] : undefined;
  }

  /** Sends `from` the error answer to request `reqId`. */
  private refuse(from: ProcessId, reqId: number, code: ErrorCode, message: string): void {
    this.ctx.net.send(from, { kind: 'log.error', reqId, code, message });
  }

  private produce(from: ProcessId, req: ProduceRequest): void {
    const log = this.partitionOf(from, req);
    if (log === undefined) return;
    const bad = produceProblem(req, log, this.cleaner);
    if (bad !== undefined) return this.refuse(from, req.reqId, 'bad-request', bad);
    const ack = (baseOffset: number): void => this.ctx.net.send(from, { kind: 'log.produced', reqId: req.reqId, baseOffset });
    const { producer, txn } = req;
    const applied = producer === undefined ? undefined : log.applied(producer.id, producer.seq);
    if (applied !== undefined) return this.whenDurable(log, applied.end, () => ack(applied.base));
    if (req.records.length === 0) return ack(log.endOffset);
    if (log.sealed || this.sealing.has(log)) return this.refuse(from, req.reqId, 'bad-request', `partition ${log.topic}/${log.partition} is sealed`);
    let n: TxnResult<number> | undefined;
    if (txn !== undefined) {
      n = this.txn.admitProduce(txn, log);
      if (!n.ok) return this.refuse(from, req.reqId, n.code, n.message);
    }
    // Optional keys set in place of spreads: the same keys in the same order, no temporary objects.
    const entry: BatchEntry = { t: 'b', o: log.endOffset, r: req.records };
    if (producer !== undefined) {
      entry.p = producer.id;
      entry.s = producer.seq;
    }
    if (txn !== undefined && n !== undefined && n.ok) {
      entry.x = txn.id;
      entry.e = txn.epoch;
      entry.n = n.value;
    }
    this.traceAppend(log, entry.o, req.records.length, txn?.id);
    this.append(log, entry, () => ack(entry.o));
  }

  /** The partition a produce or fetch names, or undefined once `from` is told there is none. */
  private partitionOf(from: ProcessId, req: ProduceRequest | FetchRequest): PartitionLog | undefined {
    const log = this.findLog(req.topic, req.partition);
    if (log === undefined) this.refuse(from, req.reqId, 'unknown-topic', noPartition(req.topic, req.partition));
    return log;
  }

  private fetch(from: ProcessId, req: FetchRequest): void {
    const log = this.partitionOf(from, req);
    if (log === undefined) return;
    const problem = fetchProblem(req, log);
    if (problem !== undefined) return this.refuse(from, req.reqId, 'bad-request', problem);
    if (this.answerFetch(log, req, from, (req.maxWaitMs ?? 0) === 0)) return;
    const parked: ParkedFetch = { req, from, done: false };
    // Fetches whose wait ran out are dropped here, so a partition that never changes keeps no garbage.
    const before = this.parked.get(log);
    if (before === undefined) this.parked.set(log, [parked]);
    else {
      let open = 0;
      for (const f of before) if (!f.done) before[open++] = f;
      before.length = open;
      before.push(parked);
    }
    parked.timer = this.ctx.timers.after(req.maxWaitMs as number, () => {
      if (parked.done) return;
      this.answerFetch(log, req, from, true);
      parked.done = true;
    });
  }

  /** Answers `req` when it would show something new, or anyway when `always`; true when answered. */
  private answerFetch(log: PartitionLog, req: FetchRequest, from: ProcessId, always: boolean): boolean {
    if (req.offset < log.logStartOffset) {
      // A DeleteRecords passed a parked fetch's offset.
      this.refuse(from, req.reqId, 'offset-out-of-range', `offset ${req.offset} is below the log start offset ${log.logStartOffset}`);
      return true;
    }
    const { records, nextOffset } = log.read(req.offset, req.maxRecords, req.isolation);
    const endOfPartition = log.endOfPartition(nextOffset, req.isolation);
    if (!always && records.length === 0 && nextOffset === req.offset && !endOfPartition) return false;
    const trace = this.ctx.trace;
    if (trace.detailed) {
      // Fields only for a reader (a sweep's run hashes nothing and most of its subscribers skip fetches).
      trace.emit('log.fetch', trace.wants('log.fetch') ? { topic: log.topic, partition: log.partition, offset: req.offset, count: records.length, nextOffset } : undefined);
    }
    this.ctx.net.send(from, { kind: 'log.fetched', reqId: req.reqId, records, nextOffset, endOfPartition, highWatermark: log.durableEnd, lastStableOffset: log.lastStableOffset() });
    return true;
  }

  /** More of `log` became visible: answers the parked fetches that now see something. */
  private wakeFetches(log: PartitionLog): void {
    const waiting = this.parked.get(log);
    if (waiting === undefined) return;
    // Kept in place: a fetch answered here is marked done, and dropped when the next one parks.
    let left = 0;
    for (const f of waiting) {
      if (f.done) continue;
      if (this.answerFetch(log, f.req, f.from, false)) {
        f.done = true;
        f.timer?.cancel();
      } else left++;
    }
    if (left === 0) this.parked.delete(log);
  }

  private seal(log: PartitionLog, done: () => void): void {
    if (log.sealed) return done();
    const waiting = this.sealing.get(log);
    if (waiting !== undefined) {
      waiting.push(done);
      return;
    }
    this.sealing.set(log, [done]);
    this.appendFrame(log, { t: 's', o: log.endOffset });
    this.syncLog(log, () => {
      // Applied only once durable, so endOfPartition is never reported for a seal a crash could take back.
      // (Markers may follow the seal line, so the seal is set directly rather than through apply.)
      log.sealed = true;
      const waiters = this.sealing.get(log) ?? [];
      this.sealing.delete(log);
      for (const fn of waiters) fn();
      this.wakeFetches(log);
    });
  }

  private initTxn(from: ProcessId, req: TxnInitRequest, reply: (r: LogReply) => void, error: (c: ErrorCode, m: string) => void): void {
    if (typeof req.transactionalId !== 'string') return error('bad-request', 'txn.init needs a transactionalId');
    const timeoutMs = req.transactionTimeoutMs ?? DEFAULT_TXN_TIMEOUT_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) return error('bad-request', 'txn.init: transactionTimeoutMs must be a positive integer');
    this.onceFor(from, req.reqId, reply, (answer) => this.txn.init(req.transactionalId, timeoutMs, (r) =>
      answer(r.ok ? { kind: 'txn.inited', reqId: req.reqId, epoch: r.value } : { kind: 'log.error', reqId: req.reqId, code: r.code, message: r.message }),
    ));
  }

  /** Runs `ask` once per (sender, reqId); the request sent again gets its answer (see TXN_REPLIES_KEPT). */
  private onceFor(from: ProcessId, reqId: number, reply: (r: LogReply) => void, ask: (answer: (r: LogReply) => void) => void): void {
    const key = `${from}\u0000${reqId}`;
    const known = this.txnReplies.get(key);
    if (known !== undefined) {
      if (known.answer !== undefined) reply(known.answer);
      else known.waiters.push(reply);
      return;
    }
    const entry: TxnReply = { waiters: [reply] };
    this.txnReplies.set(key, entry);
    if (this.txnReplies.size > TXN_REPLIES_KEPT) this.txnReplies.delete(this.txnReplies.keys().next().value as string);
    ask((r) => {
      entry.answer = r;
      for (const fn of entry.waiters) fn(r);
      entry.waiters = [];
    });
  }

  /** Appends `entry` to the partition's segment and memory; `done` runs once it is durable. */
  private append(log: PartitionLog, entry: SegmentEntry, done: (() => void) | undefined): void {
    log.apply(entry);
    this.appendToDisk(log, entry, done);
  }

  private appendToDisk(log: PartitionLog, entry: SegmentEntry, done: (() => void) | undefined): void {
    this.appendFrame(log, entry);
    this.syncLog(log, done);
  }

  /** Every frame of a segment is appended here, so a segment the cleaner is rewriting gets it too. */
  private appendFrame(log: PartitionLog, entry: SegmentEntry): void {
    this.ctx.disk.appendFrame(log.segment, entry);
    this.cleaner.noteAppend(log, entry);
  }

  private syncLog(log: PartitionLog, done: (() => void) | undefined): void {
    const end = log.endOffset;
    this.syncFor(log.segment).request(() => {
      if (end > log.durableEnd) log.durableEnd = end;
      if (done !== undefined) done();
      this.wakeFetches(log);
      this.cleaner.noteDurable(log);
    });
  }

  /** Traces an append (`log.append`); its fields are built only when something reads them. */
  private traceAppend(log: PartitionLog, baseOffset: number, count: number, txn: string | undefined): void {
    const trace = this.ctx.trace;
    trace.emit('log.append', trace.wants('log.append') ? { topic: log.topic, partition: log.partition, baseOffset, count, txn } : undefined);
  }

  /** Appends group records or offset commits to `__consumer_offsets`, in a transaction if `txn` is given. */
  private appendOffsets(records: KeyedRecord[], txn: { id: string; epoch: number; n: number } | undefined, done: () => void): void {
    const log = this.offsetsLog;
    const entry: SegmentEntry = { t: 'b', o: log.endOffset, r: records, ...(txn === undefined ? {} : { x: txn.id, e: txn.epoch, n: txn.n }) };
    this.traceAppend(log, entry.o, records.length, txn?.id);
    this.append(log, entry, done);
  }

  /**
   * Kafka's DeleteRecords (`Partition.deleteRecordsOnLeader`): refused for a
   * compacted topic; the offset may be at most the high watermark. The log
   * start offset moves in memory at once (nothing below it is served from
   * then on) and the reply waits until the move is durable; the cleaner later
   * drops the records from the segment file.
   */
  private deleteRecords(req: DeleteRecordsRequest, reply: (r: LogReply) => void, error: (c: ErrorCode, m: string) => void): void {
    const log = this.partition(req.topic, req.partition, error);
    if (log === undefined) return;
    if (this.cleaner.compacts(log)) return error('policy-violation', `records of compacted ${log.topic}/${log.partition} cannot be deleted`);
    if (!isInt(req.beforeOffset) || req.beforeOffset < 0 || req.beforeOffset > log.durableEnd) {
      return error('offset-out-of-range', `offset ${req.beforeOffset} out of range [0, ${log.durableEnd}] of ${log.topic}/${log.partition}`);
    }
    const done = (): void => reply({ kind: 'log.recordsDeleted', reqId: req.reqId, lowWatermark: log.logStartOffset });
    if (req.beforeOffset <= log.logStartOffset) return this.syncLog(log, done);
    this.ctx.trace.emit('log.deleteRecords', { topic: log.topic, partition: log.partition, from: log.logStartOffset, to: req.beforeOffset });
    this.append(log, { t: 'l', o: log.endOffset, s: req.beforeOffset }, done);
    this.cleaner.noteLogStart(log);
  }

  private whenDurable(log: PartitionLog, end: number, done: () => void): void {
    if (log.durableEnd >= end) done();
    else this.syncLog(log, done);
  }

  private appendTxnLog(lines: TxnLogLine[], done: () => void): void {
    for (const line of lines) this.ctx.disk.appendFrame(TXN_LOG_PATH, line);
    this.syncFor(TXN_LOG_PATH).request(done);
  }

  private syncFor(path: string): GroupSync {
    let s = this.syncs.get(path);
    if (s === undefined) this.syncs.set(path, (s = new GroupSync(this.ctx.disk, path)));
    return s;
  }
}

function noPartition(topic: string, partition: number): string {
  return `no partition ${topic}/${partition}`;
}

/** Why a fetch request is malformed, or undefined. */
function fetchProblem(req: FetchRequest, log: PartitionLog): string | undefined {
  if (!isInt(req.offset) || req.offset < 0 || req.offset > log.endOffset) {
    return `offset ${req.offset} out of range [0, ${log.endOffset}] of ${log.topic}/${log.partition}`;
  }
  if (!isInt(req.maxRecords) || req.maxRecords < 1) return 'maxRecords must be a positive integer';
  if (req.isolation !== 'read_committed' && req.isolation !== 'read_uncommitted') return 'bad isolation';
  if (req.maxWaitMs !== undefined && (!isInt(req.maxWaitMs) || req.maxWaitMs < 0)) return 'maxWaitMs must be an integer ≥ 0';
  return undefined;
}

/** Why a produce request is malformed, or undefined. */
function produceProblem(req: ProduceRequest, log: PartitionLog, cleaner: LogCleaner): string | undefined {
  if (!Array.isArray(req.records)) return 'records must be an array';
  if (log.topic === OFFSETS_TOPIC) return `${OFFSETS_TOPIC} is written by the group coordinator only`;
  if (cleaner.compacts(log) && !req.records.every(isKeyedRecord)) return `compacted topic ${log.topic} takes only keyed records {key: string, value}`;
  const p = req.producer;
  if (p !== undefined && (typeof p.id !== 'string' || !isInt(p.seq))) return 'producer needs a string id and an integer seq';
  const t = req.txn;
  if (t !== undefined && (typeof t.id !== 'string' || !isInt(t.epoch))) return 'txn needs a string id and an integer epoch';
  return undefined;
}

/** Whether the topics file read back as exactly `topics` (same names, same counts, same order). */
function sameTopics(frames: readonly unknown[] | undefined, topics: Record<string, number>): boolean {
  if (frames === undefined || frames.length !== 1) return false;
  const f = frames[0] as { t?: unknown; topics?: Record<string, number> } | null;
  if (typeof f !== 'object' || f === null || f.t !== 'topics' || typeof f.topics !== 'object' || f.topics === null) return false;
  const a = Object.entries(f.topics);
  const b = Object.entries(topics);
  return a.length === b.length && a.every(([k, v], i) => k === b[i]![0] && v === b[i]![1]);
}

/**
 * `txn.rolled`: each transaction recovery ended from the disk, once, with the partitions it wrote
 * the markers to. `logged`: the transaction log held the decision — made durable before the crash,
 * though perhaps never traced (a torn write can keep a line whose fsync never completed, so the
 * broker never saw it durable) — else it was fenced by a later epoch or transaction of its id.
 */
function traceRolledForward(ctx: ProcessContext, r: Recovered): void {
  const txns = new Map<string, { marker: MarkerEntry; logged: boolean; partitions: number }>();
  for (const { marker, logged } of r.rolledForward) {
    const k = txnKey(marker.x, marker.n);
    const t = txns.get(k);
    if (t === undefined) txns.set(k, { marker, logged, partitions: 1 });
    else t.partitions++;
  }
  for (const { marker, logged, partitions } of txns.values()) {
    ctx.trace.emit('txn.rolled', { txnId: marker.x, epoch: marker.e, n: marker.n, commit: marker.c, logged, partitions });
  }
}
