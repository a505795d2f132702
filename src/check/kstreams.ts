/**
 * The Kafka Streams engine's own judges (part K of the semantics). Each reads
 * the trace (collected in order by `KStreamsTrace`) and, where it needs it,
 * the committed output or the committed changelogs read offline after the
 * run; none looks into the engine.
 *
 * - `ks.grace` (K6): a record is skipped for a time window iff
 *   `end + grace <= the aggregate's stream time` after the record: the max
 *   timestamp that reached that aggregate in that task since the task was
 *   created on its instance (its `ks.running` there; operator stream time is
 *   not restored, KAFKA-7895). A task that a revocation suspended and the
 *   next assignment gives back is resumed, processors and all, so its
 *   stream times go on: the judge follows suspensions itself
 *   (`ks.suspended`, then `ks.assigned`, `ks.lost`, a crash or `ks.closed`),
 *   not the engine's word (`resumed` on `ks.running`); a task closed by one
 *   of those takes its stream times with it, and a task created next and
 *   suspended while it restored, before it ever ran, resumes as a new
 *   incarnation with none. The checker
 *   recomputes that time itself from the records the aggregate traced, accepted (`ks.window.add`) or skipped
 *   (`record.dropped`, one per window), and judges every decision; the
 *   stream time the engine reports is not used. Session windows alike, from
 *   `ks.session.add` and the drops that carry `gap`: a record is dropped iff
 *   the session it would merge into (as the engine reports it: the merge
 *   itself is the exactly-once and session checks' to judge) ends before
 *   the stream time − grace − gap (`KStreamSessionWindowAggregate`'s
 *   `windowCloseTime`: `end + grace + gap < stream time`).
 * - `ks.suppress` (K7.3): suppress releases a window's final result only
 *   once its stream time reaches `end + D` (`ks.suppress.emit` names the
 *   stream time that released it), and as soon as it does: after each
 *   advance of its stream time, the earliest window end it still holds
 *   (`ks.suppress.held`) is past the stream time − D; one incarnation of a task (from the
 *   `ks.running` that created it, through any resumption) releases a key and window at most once; and the
 *   committed output holds one result per key and window, or more only as
 *   Kafka itself gives them: after a restart the aggregate's and the
 *   suppress operator's stream times start afresh (KAFKA-7895, K14.7), so a
 *   record the old incarnation would have dropped can reopen a window that
 *   was already released, and the new incarnation releases it again, with
 *   more records. A later committed result (in the output's order) is
 *   accepted only with more records than the one before it and released by
 *   another incarnation, or, for a window that started afresh over a value
 *   its store hid (`ks.retention`), released by another incarnation with
 *   whatever records it took since. A window
 *   still buffered when its task closes cleanly (`ks.suppress.pending`,
 *   traced at the close) must not have closed yet: the max timestamp the
 *   aggregate of that task incarnation took, which the suppress operator has
 *   seen by then (the commit before the close flushes the caches), and the
 *   suppress operator's own stream time are both below `end + D`. The last
 *   incarnation's pending windows are the job's pending results: their
 *   records are in no result legitimately (`pendingIds`), since after a
 *   restart only a later record could close them (KAFKA-7895). Under
 *   at-least-once what a replay or a zombie makes is counted, not failed
 *   (`Problems.replay`): a second result with the same records, one with
 *   fewer released by another incarnation, and a window held past its
 *   close whose records a release of it already held (a zombie's buffer
 *   write read back by a resumed task's tail restore).
 * - `ks.restore` (K10, K13): every restored store (`ks.restored`, entry by entry:
 *   store key, the changelog offset its value came from, a digest of value
 *   and timestamp) equals what the committed changelog gives below the
 *   restore's end offset. The changelog is read offline, read_committed,
 *   after the run, so compaction may since have removed superseded records:
 *   an entry whose record is gone must have been superseded only at or
 *   after the end offset. Whether each restored offset was committed when
 *   the restore ran comes from the trace: the broker's `log.append` of the
 *   batch holding it (with its transactional id) and that transaction's
 *   `txn.commit` (or a restarted broker's `txn.rolled` committing it: a
 *   decision its transaction log held). Tombstones are assumed kept (delete.retention.ms is far
 *   longer than a run). A standby's store as it is promoted (`ks.standby`
 *   `promoted`, before the tail restore) is judged the same way below the
 *   standby's position: a standby reads committed data only, so a store
 *   holding a write of an open or aborted transaction, or missing a committed
 *   update below its position, fails; the promoted task's restoration of the
 *   tail is then a restoration like any other, judged whole. A store that
 *   keeps duplicates (a stream–stream join's) numbers its keys itself and
 *   its changelog is never compacted, so each entry is judged by its offset
 *   (the record there, its key less the sequence number, its value), no
 *   offset twice, and every committed record with a value below the end is
 *   held (`checkDuplicateRestore`). Under at-least-once nothing fences a
 *   zombie, and a store that goes on from its own offset never reads what
 *   it wrote: a record below where the restoration began reading is set
 *   aside when it was appended while two instances held the task at once
 *   in their own views and the other one added a record of its key to the
 *   task (`unseenWrite`); for a join store, whose writes no event names,
 *   the overlap alone tells it.
 * - `ks.retention` (K10): a windowed aggregate's store hides a window older
 *   than its retention (size + grace) behind the store's stream time, which
 *   a restore rebuilds while the aggregate's starts afresh; the aggregate
 *   then starts the window again over the hidden value
 *   (`ks.window.expired`). Each such restart is judged against the store's
 *   rules and the store's latest restore (`judgeReset`); the ones it accepts
 *   are what the exactly-once check may count as left out of a window.
 * - `ks.zombies` (K12): no zombie's transaction commits. The writer of a
 *   transaction is the instance that initialised its transactional id
 *   (`ks.producer`); when its offsets join the transaction
 *   (`group.txnOffsets`) that instance must be a member of the group's
 *   current generation, holding the assignment of that generation
 *   (`ks.assigned`; `group.generation`, and members leaving or expiring in
 *   `group.rebalance`). A transaction that then commits (`txn.commit`) with
 *   offsets joined by a non-member, or with an epoch older than one already
 *   initialised for its id, is a zombie's write made visible. A restarted
 *   coordinator reloads each group as its last completed generation left it
 *   (a member that expired in a rebalance the crash cut short is a member
 *   again), and the judge follows it. (It reloads the last durable group
 *   record, which may be of a generation a rebalance aborted before anyone
 *   was told of it; no member knows that generation, so no commit is
 *   accepted in it, and the next one told sets the judge right.)
 */
import { storeEntryDigest, type RestoredEntry } from '../stream/changelog.ts';
import type { WindowResult } from '../stream/records.ts';
import { formatCount, formatWindow, Problems } from './report.ts';
import { keyedWindowId } from './window-math.ts';
import type { WindowReset } from './exactly-once.ts';
import type { CheckResult, TraceEvent } from './types.ts';

/** One changelog record as read offline (read_committed, after compaction). */
export interface ChangelogRecord {
  offset: number;
  key: string;
  value: unknown;
  ts: number;
}

interface Restore {
  /** A restoration's end (`ks.restored`), or a standby's store as it was promoted (`ks.standby`, before its tail is restored). */
  what: 'restored' | 'promoted';
  seq: number;
  p: string;
  task: string;
  store: string;
  topic: string;
  partition: number;
  end: number;
  /**
   * Where the restoration began reading: below it the store held what it held already (resumed,
   * loaded from its state directory's checkpoint, a standby's file); 0 for a restoration that read
   * the whole changelog.
   */
  from: number;
  entries: RestoredEntry[];
  /** A store that keeps duplicates (a stream–stream join's): its keys are its own, judged by offset. */
  duplicates: boolean;
  /** Per restored offset: the transaction (`id#n`) that wrote it, when transactional, as known at the restore. */
  writers: Map<number, string | undefined>;
  /** Transactions committed before the restore, of those in `writers`. */
  committedBefore: Set<string>;
}

interface Batch {
  base: number;
  count: number;
  txn: string | undefined;
  /** When the broker appended it. */
  t: number;
}

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['ks.state', 'ks.running', 'proc.crash', 'ks.window.add', 'ks.session.add', 'ks.window.expired', 'ks.session.expired', 'ks.suppress.pending', 'ks.suppress.held', 'record.dropped', 'ks.suppress.emit', 'log.append', 'txn.begin', 'txn.commit', 'txn.rolled', 'ks.restored', 'ks.standby', 'ks.producer', 'ks.assigned', 'ks.lost', 'group.generation', 'proc.restart', 'group.rebalance', 'group.txnOffsets', 'ks.suspended', 'ks.closed'];

export class KStreamsTrace {
  // ---- grace ----
  private readonly opTime = new Map<string, number>();
  /** The joined keys already built, per part: one string per operator, so a map lookup hashes no new text. */
  private readonly joinedKeys = new Map<string, Map<string, Map<string, string>>>();
  readonly grace = new Problems();
  graceDecisions = 0;
  graceDrops = 0;

  /** Judged under at-least-once: a replay's release again is counted, a zombie's changelog write may go unread (`unseenWrite`). */
  readonly atLeastOnce: boolean;

  constructor(opts: { atLeastOnce?: boolean } = {}) {
    this.atLeastOnce = opts.atLeastOnce === true;
    this.suppress = new Problems(this.atLeastOnce);
  }

  // ---- suppress ----
  readonly suppress: Problems;
  suppressEmits = 0;
  /** `ks.suppress.held` events judged (the earliest held window after each stream-time advance). */
  suppressHolds = 0;
  /**
   * `process/task` of the tasks a revocation suspended (`ks.suspended`, once its commit is done)
   * and nothing closed since: the next assignment of the process closes those it does not give back (`ks.assigned`), losing the
   * tasks (`ks.lost`), a crash or a shutdown (`ks.closed`) closes them all. A suspended task that
   * runs again (`ks.running`) was resumed: its processors, and so their stream times, go on.
   */
  private readonly suspendedOn = new Set<string>();
  /**
   * `process/task` of the tasks that ran (`ks.running`) since they were created: a task suspended
   * before it ever ran (while it restored) resumes as a new incarnation, not as the one before it.
   */
  private readonly ran = new Set<string>();
  /** Incarnations of each task per process (`ks.running` of a task created), numbered. */
  private readonly incarnation = new Map<string, number>();
  /**
   * `incarnation key window` → the records of the incarnation's latest release of the window, and how
   * many times it released it with more records than before (each such release is labelled apart).
   */
  private readonly lastRelease = new Map<string, { ids: Set<string>; round: number }>();
  /** Per `process/task`: its next incarnation starts from stored state (a restore since its last `ks.running` gave entries). */
  private readonly startsStored = new Set<string>();
  /** The incarnations (`process/task#n`) that started from stored state. */
  private readonly storedIncarnations = new Set<string>();
  /** Under at-least-once, per `key window`: every record any release of it held. */
  private readonly releasedIds = new Map<string, Set<string>>();
  /** `key window ids` (a released result's contents) → the incarnations that released it. */
  readonly releasesOf = new Map<string, Set<string>>();
  /** Per `process task`: the max timestamp its windowed aggregates took since the task's incarnation began. */
  private readonly acceptedMax = new Map<string, number>();
  /** Per task: the windows its latest incarnation held back at its clean close, with their records. */
  private readonly pendingByTask = new Map<string, { key: string; start: number; end: number; ids: number[] }[]>();

  // ---- retention ----
  readonly retention = new Problems();
  /** Per `p task store`: the digest of each entry at its latest restore, by store key. */
  private readonly restoredDigests = new Map<string, Map<string, string>>();
  /** Per `p task store`: the largest segment time (window start, session end) among its entries at its latest restore. */
  private readonly restoredMaxSegment = new Map<string, number>();
  /** Per `p task store`: the largest segment time (window start, session end) its aggregate wrote since that restore. */
  private readonly addedMaxSegment = new Map<string, number>();
  /**
   * Each time a window started afresh over a value its store's retention hid, judged legitimate:
   * the window, the update counter of the fresh value, and the records of the hidden one.
   */
  private readonly resets: WindowReset[] = [];
  /** `keyedWindowId`s of the windows in `resets`. */
  readonly resetWindows = new Set<string>();
  resetCount = 0;
  /** Sessions passed over by a lookup (`ks.session.expired`), and per record the ones judged legitimate. */
  hiddenSessionCount = 0;
  private readonly hiddenFrom = new Map<number, Set<string>>();

  // ---- restore ----
  readonly restores: Restore[] = [];
  /** Changelog batches per `topic/partition`, in append order (a later append at the same offset replaces an earlier one lost in a broker crash). */
  private readonly batches = new Map<string, Batch[]>();
  /** The open transaction number per transactional id (`txn.begin`). */
  private readonly txnNumber = new Map<string, number>();
  private readonly committed = new Set<string>();
  /**
   * Under at-least-once, per task and process: the spans of virtual time over which the process held
   * the task active in its own view, flat as [from, to, from, to…] (`to` Infinity while open): from
   * its `ks.assigned` naming the task until its revocation (`ks.suspended`), an assignment without
   * it, `ks.lost`, a crash or `ks.closed`. A zombie is not revoked: its span goes on after the
   * group gave the task to another, and the two spans overlap.
   */
  private readonly held = new Map<string, Map<string, number[]>>();
  /** Under at-least-once, per `task key`: the processes that added a record of that key to the task's windows or sessions, and when. */
  private readonly addsOf = new Map<string, { ps: string[]; ts: number[] }>();
  /** Under at-least-once, per `p task store`: the offset a standby's store, as its state directory gave it, reads the changelog from. */
  private readonly standbyFrom = new Map<string, number>();

  // ---- zombies ----
  readonly zombies = new Problems();
  private readonly writerOf = new Map<string, string>();
  private readonly maxEpoch = new Map<string, number>();
  private readonly memberOf = new Map<string, { member: string; generation: number }>();
  private readonly groups = new Map<string, { generation: number; members: Set<string> }>();
  /** Per group: the last generation the coordinator completed, which is what a restarted coordinator loads. */
  private readonly completed = new Map<string, { generation: number; members: readonly string[] }>();
  /** The process that coordinates the groups (the broker). */
  private coordinator: string | undefined;
  /** `id#n` → why its offsets were joined by a non-member (undefined: by a member). */
  private readonly offsetsVerdict = new Map<string, string | undefined>();
  appCommits = 0;
  commitsWithOffsets = 0;

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'ks.running': {
        // Its windows held back at its suspension are pending no more: it goes on, or another task does.
        this.pendingByTask.delete(String(e.task));
        const task = `${e.p}/${String(e.task)}`;
        if (this.suspendedOn.delete(task) && this.ran.has(task)) {
          // Resumed: the same incarnation, whatever its restore read.
          this.startsStored.delete(task);
          break;
        }
        this.ran.add(task);
        this.resetTask(e.p, String(e.task));
        this.acceptedMax.delete(`${e.p}\u0000${String(e.task)}`);
        const n = (this.incarnation.get(task) ?? 0) + 1;
        this.incarnation.set(task, n);
        if (this.startsStored.delete(task)) this.storedIncarnations.add(`${task}#${n}`);
        break;
      }
      case 'proc.crash':
        this.memberOf.delete(e.p);
        this.closeProcess(e.p);
        this.release(e.p, e.t);
        break;
      case 'ks.suspended':
        for (const t of e.tasks as string[]) this.suspendedOn.add(`${e.p}/${t}`);
        this.release(e.p, e.t, e.tasks as string[]);
        break;
      case 'ks.closed':
        this.closeProcess(e.p);
        this.release(e.p, e.t);
        break;
      case 'ks.state':
        if (e.standby !== undefined && this.atLeastOnce) this.noteStandbyState(e);
        break;
      case 'ks.window.add': {
        this.noteAdd(e);
        this.judgeGrace(e, false);
        const task = this.joined(e.p, String(e.task));
        this.acceptedMax.set(task, Math.max(this.acceptedMax.get(task) ?? -1, e.ts as number));
        this.noteSegment(e, e.start as number);
        break;
      }
      case 'ks.session.add':
        this.noteAdd(e);
        this.judgeGrace(e, false);
        // A session store's segment time is the session's end.
        this.noteSegment(e, e.end as number);
        break;
      case 'ks.window.expired':
        this.judgeReset(e);
        break;
      case 'ks.session.expired':
        this.judgeHiddenSessions(e);
        break;
      case 'ks.suppress.pending':
        this.notePending(e);
        break;
      case 'ks.suppress.held':
        // After its stream time moved, suppress still holds a window ending at `end`: it must still be open.
        this.suppressHolds++;
        if ((e.end as number) + (e.suppressMs as number) <= (e.streamTime as number)) {
          this.suppress.add(`${e.p} task ${String(e.task)} still held a window ending at ${String(e.end)} at stream time ${String(e.streamTime)}, ` +
            `though it closed at ${(e.end as number) + (e.suppressMs as number)} (end + ${String(e.suppressMs)}): it should have been released then`);
        }
        break;
      case 'record.dropped':
        if (e.reason === 'expired-window') this.judgeGrace(e, true);
        break;
      case 'ks.suppress.emit':
        this.noteRelease(e);
        this.suppressEmits++;
        if ((e.streamTime as number) < (e.end as number) + (e.suppressMs as number)) {
          this.suppress.add(`${e.p} task ${String(e.task)} released key ${String(e.key)} window ${formatWindow(e.start as number, e.end as number)} at stream time ${String(e.streamTime)}, ` +
            `before the window closed at ${(e.end as number) + (e.suppressMs as number)} (end + ${String(e.suppressMs)})`);
        }
        break;
      case 'log.append':
        if (typeof e.topic === 'string' && e.topic.endsWith('-changelog')) this.noteAppend(e);
        break;
      case 'txn.begin':
        this.txnNumber.set(String(e.txnId), e.n as number);
        break;
      case 'txn.rolled':
        // A restarted broker's recovery committed it (its decision was on disk, perhaps never traced).
        if (e.commit === true) this.onCommit(e);
        break;
      case 'txn.commit':
        this.onCommit(e);
        break;
      case 'ks.restored':
        if (String(e.entries) !== '[]') this.startsStored.add(`${e.p}/${String(e.task)}`);
        this.noteRestore(e, 'restored');
        break;
      case 'ks.standby':
        if (e.action === 'promoted') this.noteRestore(e, 'promoted');
        break;
      case 'ks.producer': {
        const id = String(e.transactionalId);
        this.writerOf.set(id, e.p);
        this.maxEpoch.set(id, Math.max(this.maxEpoch.get(id) ?? -1, e.epoch as number));
        break;
      }
      case 'ks.assigned': {
        this.memberOf.set(e.p, { member: String(e.member), generation: e.generation as number });
        const given = new Set(e.tasks as string[]);
        this.closeSuspended(e.p, (t) => !given.has(t));
        this.hold(e.p, e.t, given);
        break;
      }
      case 'ks.lost':
        // Every task closes dirty, its processors with it: a task created next starts its stream
        // times afresh, even one suspended while it restored and resumed before it ran.
        this.memberOf.delete(e.p);
        this.closeProcess(e.p);
        this.release(e.p, e.t);
        break;
      case 'group.generation':
        this.coordinator = e.p;
        this.groups.set(String(e.group), { generation: e.generation as number, members: new Set(e.members as string[]) });
        this.completed.set(String(e.group), { generation: e.generation as number, members: [...(e.members as string[])] });
        break;
      case 'proc.restart':
        // A restarted coordinator loads each group as its last completed generation left it: members
        // that expired or left during a rebalance it never completed are members again.
        if (e.p === this.coordinator) for (const [g, c] of this.completed) this.groups.set(g, { generation: c.generation, members: new Set(c.members) });
        break;
      case 'group.rebalance': {
        const [why, member] = String(e.reason).split(/:(.*)/s);
        if ((why === 'expired' || why === 'leave') && member !== undefined) this.groups.get(String(e.group))?.members.delete(member);
        break;
      }
      case 'group.txnOffsets':
        this.judgeOffsets(e);
        break;
    }
  }

  // ---- grace -----------------------------------------------------------------------------------

  /** Closes the suspended tasks of `p` that `which` names: their processors, and stream times, are gone. */
  private closeSuspended(p: string, which: (task: string) => boolean): void {
    const prefix = `${p}/`;
    for (const k of [...this.suspendedOn]) {
      if (!k.startsWith(prefix) || !which(k.slice(prefix.length))) continue;
      this.suspendedOn.delete(k);
      this.ran.delete(k);
      this.resetTask(p, k.slice(prefix.length));
      this.acceptedMax.delete(`${p}\u0000${k.slice(prefix.length)}`);
    }
  }

  /** Every task of `p` closed (a crash, a shutdown, all lost): none is suspended, none has run in the incarnation that comes next. */
  private closeProcess(p: string): void {
    dropPrefixed(this.suspendedOn, `${p}/`);
    dropPrefixed(this.ran, `${p}/`);
    // Its operators' stream times and accepted maxima go with them.
    dropPrefixed(this.opTime, `${p}\u0000`);
    dropPrefixed(this.acceptedMax, `${p}\u0000`);
  }

  private resetTask(p: string, task: string): void {
    dropPrefixed(this.opTime, `${p}\u0000${task}\u0000`);
  }

  /** `a\u0000b` or `a\u0000b\u0000c`, the same string object for the same parts. */
  private joined(a: string, b: string, c?: string): string {
    let byB = this.joinedKeys.get(a);
    if (byB === undefined) this.joinedKeys.set(a, (byB = new Map()));
    let byC = byB.get(b);
    if (byC === undefined) byB.set(b, (byC = new Map()));
    const k = c === undefined ? '\u0001' : c; // no node name holds U+0001
    let s = byC.get(k);
    if (s === undefined) byC.set(k, (s = c === undefined ? `${a}\u0000${b}` : `${a}\u0000${b}\u0000${c}`));
    return s;
  }

  private judgeGrace(e: TraceEvent, dropped: boolean): void {
    const key = this.joined(e.p, String(e.task), String(e.node));
    const ts = e.ts as number;
    const streamTime = Math.max(this.opTime.get(key) ?? -1, ts);
    this.opTime.set(key, streamTime);
    const end = e.end as number;
    const grace = e.grace as number;
    // A time window closes at end + grace; a session once the stream time passes end + grace + gap.
    const session = e.gap !== undefined;
    const closesAt = session ? end + grace + (e.gap as number) : end + grace;
    const closed = session ? closesAt < streamTime : closesAt <= streamTime;
    this.graceDecisions++;
    if (dropped) this.graceDrops++;
    if (closed === dropped) return;
    const what = `record ${String(e.ids)} (key ${String(e.key)}, ts ${ts}) on ${e.p} task ${String(e.task)}`;
    if (session) {
      const s = `session [${String(e.start)},${end}]`;
      this.grace.add(dropped
        ? `${what} was dropped from ${s}, but end + grace + gap = ${closesAt} >= the aggregate's stream time ${streamTime}: it was still open`
        : `${what} joined ${s}, but end + grace + gap = ${closesAt} < the aggregate's stream time ${streamTime}: it was closed`);
      return;
    }
    const window = formatWindow(e.start as number, end);
    this.grace.add(dropped
      ? `${what} was dropped from window ${window}, but end + grace = ${end + grace} > the aggregate's stream time ${streamTime}: it was still open`
      : `${what} joined window ${window}, but end + grace = ${end + grace} <= the aggregate's stream time ${streamTime}: it was closed`);
  }

  private noteRelease(e: TraceEvent): void {
    const task = `${e.p}/${String(e.task)}`;
    const inc = `${task}#${this.incarnation.get(task) ?? 0}`;
    const window = `${String(e.key)}\u0000${String(e.start)}\u0000${String(e.end)}`;
    // A task created again starts its aggregate's and its suppress operator's stream times afresh,
    // and the aggregate forwards an update with its window's largest timestamp, which the restored
    // store keeps: the suppress operator can then be ahead of the aggregate, which still takes
    // records into a window the suppress operator has released, and releases it again, with more
    // records. So a second release in one incarnation is Kafka's only in an incarnation that started
    // from stored state, and only with more records than the first (all of them and more); the same
    // records again, or others, or any second release of a task that started empty, is one too many.
    const ids = new Set(String(e.ids).split(','));
    const key = `${inc}\u0000${window}`;
    const last = this.lastRelease.get(key);
    let label = inc;
    if (last !== undefined) {
      const grown = this.storedIncarnations.has(inc) && ids.size > last.ids.size && [...last.ids].every((id) => ids.has(id));
      if (!grown) {
        this.suppress.add(`${e.p} task ${String(e.task)} released key ${String(e.key)} window ${formatWindow(e.start as number, e.end as number)} twice in one incarnation (the second time with records ${String(e.ids)})`);
      }
      const round = grown ? last.round + 1 : last.round;
      label = round === 0 ? inc : `${inc}+${round}`;
      this.lastRelease.set(key, { ids, round });
    } else {
      this.lastRelease.set(key, { ids, round: 0 });
    }
    if (this.atLeastOnce) {
      let all = this.releasedIds.get(window);
      if (!all) this.releasedIds.set(window, (all = new Set()));
      for (const id of ids) all.add(id);
    }
    const contents = `${window}\u0000${String(e.ids)}`;
    let of = this.releasesOf.get(contents);
    if (!of) this.releasesOf.set(contents, (of = new Set()));
    of.add(label);
  }

  private notePending(e: TraceEvent): void {
    const task = String(e.task);
    const end = e.end as number;
    const closesAt = end + (e.suppressMs as number);
    const taken = this.acceptedMax.get(`${e.p}\u0000${task}`) ?? -1;
    const streamTime = e.streamTime as number;
    if (taken >= closesAt || streamTime >= closesAt) {
      const why = taken >= closesAt ? `its aggregate had taken a record at ts ${taken}` : `its stream time was ${streamTime}`;
      // Under at-least-once a resumed task's restoration reads its buffer's changelog tail, where a
      // zombie's write can put back a window it already released, with no later record to evict
      // it again: counted when a release of that window held every record it holds.
      const released = this.releasedIds.get(`${String(e.key)}\u0000${String(e.start)}\u0000${String(end)}`);
      const again = released !== undefined && String(e.ids).split(',').every((id) => released.has(id));
      const problem = `${e.p} task ${task} closed holding key ${String(e.key)} window ${formatWindow(e.start as number, end)} back, though ${why}, at or past ${closesAt} (end + ${String(e.suppressMs)}): it should have been released`;
      if (again) this.suppress.replay(problem);
      else this.suppress.add(problem);
    }
    let list = this.pendingByTask.get(task);
    if (!list) this.pendingByTask.set(task, (list = []));
    list.push({ key: String(e.key), start: e.start as number, end, ids: String(e.ids).split(',').filter((x) => x !== '').map(Number) });
  }

  /** The windows held back when the job ended, by the last incarnation of each task, and the records in them. */
  pending(): { windows: number; ids: Set<number> } {
    const ids = new Set<number>();
    let windows = 0;
    for (const list of this.pendingByTask.values()) {
      windows += list.length;
      for (const w of list) for (const id of w.ids) ids.add(id);
    }
    return { windows, ids };
  }

  // ---- restore ---------------------------------------------------------------------------------

  private noteAppend(e: TraceEvent): void {
    const tp = `${String(e.topic)}/${String(e.partition)}`;
    let list = this.batches.get(tp);
    if (!list) this.batches.set(tp, (list = []));
    const base = e.baseOffset as number;
    const id = e.txn === undefined ? undefined : String(e.txn);
    // A broker crash can lose unsynced batches; their offsets are then reused.
    while (list.length > 0 && list[list.length - 1]!.base >= base) list.pop();
    list.push({ base, count: e.count as number, txn: id === undefined ? undefined : `${id}#${this.txnNumber.get(id) ?? 0}`, t: e.t });
  }

  /** The batch that holds `offset` of `tp`, as the broker last appended it. */
  private batchAt(tp: string, offset: number): Batch | undefined {
    const list = this.batches.get(tp) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = list[mid]!;
      if (offset < b.base) hi = mid - 1;
      else if (offset >= b.base + b.count) lo = mid + 1;
      else return b;
    }
    return undefined;
  }

  private writerAt(tp: string, offset: number): string | undefined {
    return this.batchAt(tp, offset)?.txn;
  }

  /** Under at-least-once: `p` holds the tasks of `given` from `t` on (spans already open stay open), and no others. */
  private hold(p: string, t: number, given: ReadonlySet<string>): void {
    if (!this.atLeastOnce) return;
    this.release(p, t, undefined, given);
    for (const task of given) {
      let byP = this.held.get(task);
      if (byP === undefined) this.held.set(task, (byP = new Map()));
      const spans = byP.get(p);
      if (spans === undefined) byP.set(p, [t, Infinity]);
      else if (spans[spans.length - 1] !== Infinity) spans.push(t, Infinity);
    }
  }

  /** Under at-least-once: the spans `p` holds open end at `t` — of `tasks` only when given, and never of `keep`'s. */
  private release(p: string, t: number, tasks?: readonly string[], keep?: ReadonlySet<string>): void {
    if (!this.atLeastOnce) return;
    for (const [task, byP] of this.held) {
      if ((tasks !== undefined && !tasks.includes(task)) || keep?.has(task)) continue;
      const spans = byP.get(p);
      if (spans !== undefined && spans[spans.length - 1] === Infinity) spans[spans.length - 1] = t;
    }
  }

  /** Under at-least-once: `e.p` added a record of `e.key` to a window or session of `e.task`, at `e.t`. */
  private noteAdd(e: TraceEvent): void {
    if (!this.atLeastOnce) return;
    const k = `${String(e.task)}\u0000${String(e.key)}`;
    let adds = this.addsOf.get(k);
    if (adds === undefined) this.addsOf.set(k, (adds = { ps: [], ts: [] }));
    adds.ps.push(e.p);
    adds.ts.push(e.t);
  }

  /** A standby's stores as its state directory gave them (`ks.state`): each reads its changelog on from its checkpoint's offset, or from 0. */
  private noteStandbyState(e: TraceEvent): void {
    dropPrefixed(this.standbyFrom, `${e.p}\u0000${String(e.task)}\u0000`);
    if (e.source !== 'checkpoint' || !Array.isArray(e.offsets)) return;
    for (const o of e.offsets as string[]) {
      const at = o.lastIndexOf('@');
      this.standbyFrom.set(`${e.p}\u0000${String(e.task)}\u0000${o.slice(0, at)}`, Number(o.slice(at + 1)) + 1);
    }
  }

  /**
   * Whether, under at-least-once, the changelog record `c`, below where restoration `r` began
   * reading, is a write the restored store never saw: appended while `r.p` held the task and another
   * process held it too in its own view (a zombie the group had let go, or the owner while `r.p` was
   * the zombie), which added a record of `c`'s key to the task while it held it. Kafka's
   * at-least-once has no fencing: both write the task's changelog, and a store that goes on from its
   * own position (resumed, or loaded from its state directory) never reads the other's writes below
   * it. A handover is no such overlap: a task's owner is revoked before the next one is given it.
   */
  unseenWrite(r: Restore, c: ChangelogRecord): boolean {
    if (!this.atLeastOnce || c.offset >= r.from) return false;
    const appended = this.batchAt(`${r.topic}/${r.partition}`, c.offset)?.t;
    const byP = this.held.get(r.task);
    if (appended === undefined || byP === undefined) return false;
    const mine = spanAt(byP.get(r.p), appended);
    if (mine === undefined) return false;
    // A join store's writes are traced per record by nobody: the overlap alone tells it, another
    // instance holding the task since before the append and after the store's instance took it.
    if (r.duplicates) {
      for (const [p, spans] of byP) {
        if (p === r.p) continue;
        for (let i = 0; i < spans.length; i += 2) if (spans[i]! <= appended && spans[i + 1]! > mine[0]) return true;
      }
      return false;
    }
    const at = c.key.indexOf('@');
    const adds = this.addsOf.get(`${r.task}\u0000${at < 0 ? c.key : c.key.slice(0, at)}`);
    if (adds === undefined) return false;
    for (let i = 0; i < adds.ps.length; i++) {
      const p = adds.ps[i]!;
      const t = adds.ts[i]!;
      if (p === r.p || t > appended) continue;
      const theirs = spanAt(byP.get(p), t);
      if (theirs !== undefined && theirs[1] > mine[0]) return true;
    }
    return false;
  }

  private noteRestore(e: TraceEvent, what: Restore['what']): void {
    if (typeof e.entries !== 'string') return;
    const entries = JSON.parse(e.entries) as RestoredEntry[];
    const topic = String(e.topic);
    const partition = e.partition as number;
    const tp = `${topic}/${partition}`;
    const writers = new Map<number, string | undefined>();
    const committedBefore = new Set<string>();
    for (let i = 0; i < entries.length; i++) {
      const offset = entries[i]![1];
      if (offset < 0) continue;
      const w = this.writerAt(tp, offset);
      writers.set(offset, w);
      if (w !== undefined && this.committed.has(w)) committedBefore.add(w);
    }
    const from = what === 'restored' ? (e.from as number | undefined) ?? 0 : this.standbyFrom.get(`${e.p}\u0000${String(e.task)}\u0000${String(e.store)}`) ?? 0;
    this.restores.push({ what, seq: e.seq, p: e.p, task: String(e.task), store: String(e.store), topic, partition, end: e.offset as number, from, entries, duplicates: e.duplicates === true, writers, committedBefore });
    if (what === 'restored') this.noteStoreContents(e.p, String(e.task), String(e.store), entries);
  }

  // ---- retention -------------------------------------------------------------------------------

  /**
   * A store as its restore left it: what a later lookup may find hidden (the entries' digests),
   * and a bound on its stream time (the largest window start among them: a window store's keys
   * end in `@<start>`). Windows its aggregate takes records into later raise the bound.
   */
  private noteStoreContents(p: string, task: string, store: string, entries: readonly RestoredEntry[]): void {
    const k = this.joined(p, task, store);
    const digests = new Map<string, string>();
    let max = -1;
    for (let i = 0; i < entries.length; i++) {
      const [storeKey, , digest] = entries[i]!;
      digests.set(storeKey, digest);
      const at = storeKey.lastIndexOf('@');
      const start = at < 0 ? NaN : Number(storeKey.slice(at + 1));
      if (start > max) max = start;
    }
    this.restoredDigests.set(k, digests);
    this.restoredMaxSegment.set(k, max);
    this.addedMaxSegment.delete(k);
  }

  /**
   * `ks.window.expired`: a window's lookup found nothing, though the store held a value for it, and
   * the aggregate started it afresh. Legitimate only as Kafka's segmented store does it: the
   * store's retention is the window's size + grace; the window starts below `storeTime -
   * retention + 1` (`- retention` for the time-ordered store); the store time is no later than any
   * window start the store was given (restored or taken since: it cannot be larger); and the
   * hidden value is the one the store's latest restore gave it, digest for digest (ks.restore
   * judges that one against the committed changelog), or, in a store without a cache, one written
   * since (a window that started afresh before: only Kafka's cache answers for what went through it). Each reset is kept for the exactly-once
   * check, which then does not count the hidden value's records as lost from that window.
   */
  private judgeReset(e: TraceEvent): void {
    const start = e.start as number;
    const end = e.end as number;
    const retention = e.retention as number;
    const storeTime = e.storeTime as number;
    const k = this.joined(e.p, String(e.task), String(e.store));
    const what = `record ${String(e.ids)} (key ${String(e.key)}, ts ${String(e.ts)}) on ${e.p} task ${String(e.task)} started window ${formatWindow(start, end)} afresh`;
    const liveFrom = storeTime - retention + (e.timeOrdered === true ? 0 : 1);
    const bound = Math.max(this.restoredMaxSegment.get(k) ?? -1, this.addedMaxSegment.get(k) ?? -1);
    const ids = String(e.hidden).split(',').filter((x) => x !== '').map(Number);
    const digest = this.restoredDigests.get(k)?.get(String(e.storeKey));
    this.resetCount++;
    if (retention !== end - start + (e.grace as number)) {
      this.retention.add(`${what}, but its store's retention ${retention} is not the window's size + grace (${end - start + (e.grace as number)})`);
    } else if (start >= liveFrom) {
      this.retention.add(`${what}, but the store should have found it: it starts at ${start}, and at store time ${storeTime} a window is kept from ${liveFrom} on`);
    } else if (storeTime > bound) {
      this.retention.add(`${what} at store time ${storeTime}, but no window the store was given starts later than ${bound}`);
    } else if (e.restored === false) {
      // Written in this task's life: only a store without a cache looks past it (Kafka's cache answers for what went through it).
      if (e.cached !== false) this.retention.add(`${what} over a value written since the restore, which the store's cache holds`);
      else this.noteReset(e, start, end, ids);
    } else if (digest === undefined) {
      this.retention.add(`${what} over a value its store's latest restore did not give it`);
    } else if (storeEntryDigest({ agg: JSON.parse(String(e.hiddenAgg)) as unknown, ids, firing: e.hiddenFiring as number }, e.hiddenTs as number) !== digest) {
      this.retention.add(`${what} over a value that differs from the one its store's latest restore gave it`);
    } else this.noteReset(e, start, end, ids);
  }

  /** A record written into a store at segment time `at`: the store's time is at most the largest such since its restore. */
  private noteSegment(e: TraceEvent, at: number): void {
    const store = this.joined(e.p, String(e.task), String(e.store));
    if (at > (this.addedMaxSegment.get(store) ?? -1)) this.addedMaxSegment.set(store, at);
  }

  private noteReset(e: TraceEvent, start: number, end: number, ids: number[]): void {
    this.resets.push({ key: String(e.key), start, end, firing: (e.hiddenFiring as number) + 1, ids });
    this.resetWindows.add(keyedWindowId(String(e.key), start, end));
  }

  /**
   * `ks.session.expired`: a record's lookup of the sessions within its gap passed over restored
   * sessions its store's retention hid, and it did not merge with them. Legitimate as Kafka's
   * segmented session store does it: the retention is gap + grace, each hidden session ended below
   * `storeTime - retention + 1`, and each is the value the store's latest restore gave it, digest
   * for digest (or, in a store without a cache, one written since); and the store time is no later
   * than the largest session end the store was given (its entries at its latest restore, and the
   * sessions records joined since, `ks.session.add`). Each accepted one excuses, for `session.structure`,
   * the record's final session standing apart from the hidden one (`sessionsHiddenFrom`).
   */
  private judgeHiddenSessions(e: TraceEvent): void {
    const gap = e.gap as number;
    const retention = e.retention as number;
    const storeTime = e.storeTime as number;
    const k = this.joined(e.p, String(e.task), String(e.store));
    const what = `record ${String(e.ids)} (key ${String(e.key)}, ts ${String(e.ts)}) on ${e.p} task ${String(e.task)}`;
    const hidden = JSON.parse(String(e.hidden)) as [storeKey: string, start: number, end: number, value: unknown, ts: number, restored: boolean][];
    this.hiddenSessionCount += hidden.length;
    if (retention !== gap + (e.grace as number)) {
      this.retention.add(`${what} passed over a session, but its store's retention ${retention} is not the gap + grace (${gap + (e.grace as number)})`);
      return;
    }
    const liveFrom = storeTime - retention + 1;
    const bound = Math.max(this.restoredMaxSegment.get(k) ?? -1, this.addedMaxSegment.get(k) ?? -1);
    if (storeTime > bound) {
      this.retention.add(`${what} passed over a session at store time ${storeTime}, but no session the store was given ends later than ${bound}`);
      return;
    }
    for (const [storeKey, start, end, value, ts, restored] of hidden) {
      const session = `session [${start},${end}]`;
      const digest = this.restoredDigests.get(k)?.get(storeKey);
      if (end >= liveFrom) this.retention.add(`${what} passed over ${session}, but the store should have found it: at store time ${storeTime} a session ending from ${liveFrom} on is kept`);
      else if (!restored && e.cached !== false) this.retention.add(`${what} passed over ${session}, written since the restore, which the store's cache holds`);
      else if (restored && digest === undefined) this.retention.add(`${what} passed over ${session}, which its store's latest restore did not give it`);
      else if (restored && storeEntryDigest(value, ts) !== digest) this.retention.add(`${what} passed over ${session}, whose value differs from the one its store's latest restore gave it`);
      else {
        const ids = String(e.ids).split(',').filter((x) => x !== '').map(Number);
        // In the results' terms: a session [first, last] is the window [first, last + gap).
        const w = keyedWindowId(String(e.key), start, end + gap);
        for (const id of ids) {
          let set = this.hiddenFrom.get(id);
          if (!set) this.hiddenFrom.set(id, (set = new Set()));
          set.add(w);
        }
        // A new session of the same bounds starts that window afresh, its counter going on from the
        // hidden one's (see the aggregate): a reset, as a time window's.
        const h = value as { ids: number[]; firing: number };
        this.resets.push({ key: String(e.key), start, end: end + gap, firing: h.firing + 1, ids: h.ids });
        this.resetWindows.add(w);
      }
    }
  }

  /** Record id → the sessions (`keyedWindowId` of their results) its lookup legitimately passed over. */
  sessionsHiddenFrom(): ReadonlyMap<number, ReadonlySet<string>> {
    return this.hiddenFrom;
  }

  /** The windows that started afresh over a hidden value, each judged legitimate (for the exactly-once check). */
  windowResets(): readonly WindowReset[] {
    return this.resets;
  }

  // ---- zombies ---------------------------------------------------------------------------------

  private judgeOffsets(e: TraceEvent): void {
    const id = String(e.txnId);
    const p = this.writerOf.get(id);
    if (p === undefined) return;
    const txn = `${id}#${String(e.n)}`;
    const m = this.memberOf.get(p);
    const g = this.groups.get(String(e.group));
    let why: string | undefined;
    if (m === undefined) why = `${p} held no assignment (it had lost its tasks or restarted)`;
    else if (g === undefined || g.generation !== m.generation) why = `${p} held the assignment of generation ${m.generation}, but the group was at generation ${g?.generation ?? 'none'}`;
    else if (!g.members.has(m.member)) why = `${p}'s member ${m.member} had left generation ${g.generation} (expired or left)`;
    // Offsets sent twice into one transaction: one from a non-member is enough.
    this.offsetsVerdict.set(txn, this.offsetsVerdict.get(txn) ?? why);
  }

  private onCommit(e: TraceEvent): void {
    this.committed.add(`${String(e.txnId)}#${String(e.n)}`);
    this.judgeCommit(e);
  }

  private judgeCommit(e: TraceEvent): void {
    const id = String(e.txnId);
    const p = this.writerOf.get(id);
    if (p === undefined) return;
    this.appCommits++;
    const txn = `${id}#${String(e.n)}`;
    const epoch = e.epoch as number;
    const newest = this.maxEpoch.get(id) ?? epoch;
    if (epoch < newest) this.zombies.add(`transaction ${txn} of ${p} committed at epoch ${epoch}, after epoch ${newest} was initialised for its id: a fenced producer's write is visible`);
    if (!this.offsetsVerdict.has(txn)) return;
    this.commitsWithOffsets++;
    const why = this.offsetsVerdict.get(txn);
    if (why !== undefined) this.zombies.add(`transaction ${txn} committed its offsets and output at ${e.t} ms, though when its offsets joined it ${why}: a zombie's write is visible`);
  }
}

/** `ks.grace`: every grace decision of the time-window aggregates, judged against the aggregate's own stream time. */
export function checkGrace(t: KStreamsTrace): CheckResult {
  return t.grace.verdict('ks.grace',
    `${formatCount(t.graceDecisions)} grace decisions judged against each aggregate's own stream time, ${formatCount(t.graceDrops)} drops, each traced`);
}

const records = (n: number): string => `${formatCount(n)} record${n === 1 ? '' : 's'}`;

/** `ks.retention`: every window that started afresh over a value its store hid, judged as Kafka's segmented store hides one (`judgeReset`). */
export function checkRetention(t: KStreamsTrace): CheckResult {
  const parts: string[] = [];
  if (t.resetCount > 0) parts.push(`${formatCount(t.resetCount)} window${t.resetCount === 1 ? '' : 's'} started afresh after a restore over a value their store's retention hid`);
  if (t.hiddenSessionCount > 0) parts.push(`${formatCount(t.hiddenSessionCount)} restored session${t.hiddenSessionCount === 1 ? '' : 's'} passed over by a lookup within the gap`);
  return t.retention.verdict('ks.retention',
    `${parts.join('; ')} (older than the retention behind the store's stream time, which a full restore rebuilds and the aggregate's does not, KAFKA-7895), each as Kafka's store does it`);
}

/** `ks.suppress`: final results released only once their window closed, and at most one per key and window in the output. */
export function checkSuppress(t: KStreamsTrace, results: readonly WindowResult[]): CheckResult {
  const problems = t.suppress;
  const byWindow = new Map<string, WindowResult[]>();
  for (const r of results) {
    const k = `${r.key}\u0000${r.start}\u0000${r.end}`;
    const list = byWindow.get(k);
    if (list) list.push(r);
    else byWindow.set(k, [r]);
  }
  let reopened = 0;
  let restarted = 0;
  for (const [k, list] of byWindow) {
    if (list.length < 2) continue;
    // In the order they were committed (the output's order: one key, one partition).
    const restartedHere = t.resetWindows.has(keyedWindowId(list[0]!.key, list[0]!.start, list[0]!.end));
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      const what = `key ${b.key} window ${formatWindow(b.start, b.end)} has ${list.length} final results in the committed output`;
      const byA = t.releasesOf.get(`${k}\u0000${a.ids.join(',')}`) ?? new Set<string>();
      const byB = t.releasesOf.get(`${k}\u0000${b.ids.join(',')}`) ?? new Set<string>();
      const apart = [...byB].some((y) => [...byA].some((x) => x !== y));
      if (a.ids.join(',') === b.ids.join(',')) {
        // Under at-least-once this is a replay: a task that failed after its release was written
        // and before its input offsets were committed releases it again, and so does a zombie
        // beside the task's new owner (a dirty close flushes the caches into suppress first).
        problems.replay(`${what}, two with the same ${a.ids.length} records`);
        continue;
      }
      // A window its store's retention made start afresh (ks.retention) is released again by the
      // incarnation that restarted it, with the records taken since, however few.
      if (restartedHere && apart) {
        restarted++;
        continue;
      }
      if (b.ids.length <= a.ids.length) {
        const fewer = `${what}, the later with ${records(b.ids.length)} after one with ${records(a.ids.length)}: a window released again must hold more`;
        // Under at-least-once, two incarnations that held the task at once (a zombie beside the
        // new owner) each release what their own store took, in whichever order their writes land.
        if (apart) problems.replay(fewer);
        else problems.add(fewer);
      }
      else if (apart) reopened++;
      else problems.add(`${what}, and the one with ${b.ids.length} records was not released by a later incarnation of its task than the one with ${a.ids.length}`);
    }
  }
  const pending = t.pending().windows;
  return problems.verdict('ks.suppress',
    `${formatCount(t.suppressEmits)} releases, none before its window closed nor twice in one incarnation, none held past its close (${formatCount(t.suppressHolds)} holds judged); ${formatCount(byWindow.size)} windows with a final result, one each` +
    (problems.replays > 0 ? ` but for ${formatCount(problems.replays)} released or held again by a replay or a zombie, as at-least-once allows` : '') +
    (reopened > 0 ? ` (${formatCount(reopened)} reopened after a restart and released again, as Kafka does)` : '') +
    (restarted > 0 ? ` (${formatCount(restarted)} started afresh over a value their store's retention hid, and released again)` : '') +
    (pending > 0 ? `; ${formatCount(pending)} still open when the job ended (no later record closed them)` : ''));
}

/**
 * What is wrong with where a restored entry (`what`: how a problem names it) came from: not from
 * the changelog, from at or past the restore's end, or from a transaction not committed by then.
 */
function sourceProblem(r: Restore, what: string, offset: number): string | undefined {
  if (offset < 0) return `${what} holds a value not read from the changelog (the store kept it from before)`;
  if (offset >= r.end) return `${what} came from offset ${offset}, at or past the restore's end`;
  const writer = r.writers.get(offset);
  if (writer !== undefined && !r.committedBefore.has(writer)) return `${what} came from offset ${offset}, written by transaction ${writer}, which had not committed (aborted or still open)`;
  return undefined;
}

/** A record's or a store's key of a store that keeps duplicates, `key@ts@seq`, without its sequence number. */
function withoutSeq(key: string): string {
  return key.slice(0, key.lastIndexOf('@'));
}

/**
 * `ks.restore` for a store that keeps duplicates: each entry is the committed record at its offset
 * (same key and timestamp, same value), no offset is held twice, and every committed record with a
 * value below the end is held. Returns how many entries were compared value by value.
 */
function checkDuplicateRestore(
  r: Restore, records: readonly ChangelogRecord[], byOffset: ReadonlyMap<number, ChangelogRecord>, where: string, problems: Problems,
  /** Under at-least-once, whether a record is a write the store never saw (`unseenWrite`), and the keys so set aside. */
  unseen: (r: Restore, c: ChangelogRecord) => boolean, excused: Set<string>,
): number {
  const held = new Set<number>();
  let judged = 0;
  for (let i = 0; i < r.entries.length; i++) {
    const [key, offset, digest] = r.entries[i]!;
    const wrong = sourceProblem(r, `entry ${key}`, offset) ?? (held.has(offset) ? `entry ${key} came from offset ${offset}, which another entry holds too` : undefined);
    if (wrong !== undefined) {
      problems.add(`${where}: ${wrong}`);
      continue;
    }
    held.add(offset);
    const c = byOffset.get(offset);
    if (c === undefined) problems.add(`${where}: entry ${key} came from offset ${offset}, which the committed changelog does not hold`);
    else {
      judged++;
      if (withoutSeq(c.key) !== withoutSeq(key)) problems.add(`${where}: entry ${key} came from offset ${offset}, which holds key ${c.key}`);
      else if (c.value === null) problems.add(`${where}: entry ${key} came from offset ${offset}, a null value`);
      else if (storeEntryDigest(c.value, c.ts) !== digest) problems.add(`${where}: entry ${key} differs from its changelog record at offset ${offset}`);
    }
  }
  for (let i = 0; i < records.length; i++) {
    const c = records[i]!;
    if (c.offset >= r.end || c.value === null || held.has(c.offset)) continue;
    if (unseen(r, c)) excused.add(`${r.seq}\u0000${c.key}`);
    else problems.add(`${where}: the committed record at offset ${c.offset} (key ${c.key}) is missing`);
  }
  return judged;
}

/** Whether some record of `records` has an offset below `end`. */
function anyBelow(records: readonly ChangelogRecord[], end: number): boolean {
  for (let i = 0; i < records.length; i++) if (records[i]!.offset < end) return true;
  return false;
}

/** `ks.restore`: each restored store equals the committed changelog below the restore's end offset. */
export function checkRestores(t: KStreamsTrace, changelog: (topic: string, partition: number) => readonly ChangelogRecord[]): CheckResult {
  const problems = new Problems();
  let entries = 0;
  let judged = 0;
  // Under at-least-once, the restored keys judged right only because a write the store never saw
  // (`unseenWrite`) is set aside: `restore key`.
  const excused = new Set<string>();
  // Each changelog partition indexed once, however many restorations read it.
  const indexed = new Map<readonly ChangelogRecord[], { byOffset: Map<number, ChangelogRecord>; byKey: Map<string, ChangelogRecord[]> }>();
  for (const r of t.restores) {
    const records = changelog(r.topic, r.partition);
    // A restoration that read nothing from a changelog holding nothing below its end (a task's first
    // start) has nothing to judge: its partition is not indexed for it.
    if (r.entries.length === 0 && !anyBelow(records, r.end)) continue;
    let index = indexed.get(records);
    if (index === undefined) {
      index = { byOffset: new Map(), byKey: new Map() };
      for (let i = 0; i < records.length; i++) {
        const c = records[i]!;
        index.byOffset.set(c.offset, c);
        const list = index.byKey.get(c.key);
        if (list) list.push(c);
        else index.byKey.set(c.key, [c]);
      }
      indexed.set(records, index);
    }
    const { byOffset, byKey } = index;
    const where = r.what === 'restored'
      ? `${r.p} restored task ${r.task} store ${r.store} (${r.topic}/${r.partition} below offset ${r.end})`
      : `${r.p} promoted its standby of task ${r.task}, store ${r.store} (${r.topic}/${r.partition} read below offset ${r.end})`;
    if (r.duplicates) {
      entries += r.entries.length;
      judged += checkDuplicateRestore(r, records, byOffset, where, problems, (x, c) => t.unseenWrite(x, c), excused);
      continue;
    }
    const restored = new Map<string, { offset: number; digest: string }>();
    // Indexed, not destructured: this runs once per run, where a destructuring for-of allocates
    // two iterators and their results per entry.
    for (let i = 0; i < r.entries.length; i++) {
      const entry = r.entries[i]!;
      const key = entry[0];
      const offset = entry[1];
      const digest = entry[2];
      entries++;
      restored.set(key, { offset, digest });
      const wrong = sourceProblem(r, `key ${key}`, offset);
      if (wrong !== undefined) {
        problems.add(`${where}: ${wrong}`);
        continue;
      }
      const updates = (byKey.get(key) ?? []).filter((c) => c.offset > offset && c.offset < r.end);
      const later = updates.find((c) => !t.unseenWrite(r, c));
      if (later !== undefined) {
        problems.add(`${where}: key ${key} came from offset ${offset}, but the committed changelog updates it again at offset ${later.offset}`);
        continue;
      }
      if (updates.length > 0) excused.add(`${r.seq}\u0000${key}`);
      const c = byOffset.get(offset);
      if (c !== undefined) {
        judged++;
        if (c.key !== key) problems.add(`${where}: key ${key} came from offset ${offset}, which holds key ${c.key}`);
        else if (c.value === null) problems.add(`${where}: key ${key} came from offset ${offset}, a tombstone`);
        else if (storeEntryDigest(c.value, c.ts) !== digest) problems.add(`${where}: key ${key} differs from its changelog record at offset ${offset}`);
        continue;
      }
      // Compacted away since: only a committed record at or past the end may have superseded it (or,
      // above, a write the store never saw).
      if (updates.length === 0 && !(byKey.get(key) ?? []).some((x) => x.offset >= r.end)) {
        problems.add(`${where}: key ${key} came from offset ${offset}, which the committed changelog does not hold, and no later record of the key superseded it`);
      }
    }
    // Nothing missing: the last surviving committed value of each key below the end is there.
    byKey.forEach((list, key) => {
      let at = list.length - 1;
      while (at >= 0 && list[at]!.offset >= r.end) at--;
      const last = list[at];
      if (last === undefined || last.value === null) return;
      const got = restored.get(key);
      // Whether the store is as the changelog left the key after record `c`. Before every surviving
      // record (`undefined`) the key was absent or held a record compaction removed since, which
      // the entries above were judged against.
      const asAfter = (c: ChangelogRecord | undefined): boolean =>
        c === undefined || (c.value === null ? got === undefined : got !== undefined && (got.offset < 0 || got.offset >= c.offset));
      if (asAfter(last)) return;
      // Or as it was before a run of last writes the store never saw (`unseenWrite`), each of which
      // may be another instance's: both instances may have written the key in between.
      for (let i = at; i >= 0 && t.unseenWrite(r, list[i]!); i--) {
        if (asAfter(list[i - 1])) {
          excused.add(`${r.seq}\u0000${key}`);
          return;
        }
      }
      problems.add(`${where}: key ${key} is ${got === undefined ? 'missing' : `from offset ${got.offset}`}, but the committed changelog holds it at offset ${last.offset}`);
    });
  }
  const promoted = t.restores.filter((r) => r.what === 'promoted').length;
  return problems.verdict('ks.restore',
    `${formatCount(t.restores.length - promoted)} store restorations${promoted > 0 ? ` and ${formatCount(promoted)} standby stores at their promotion` : ''}, ${formatCount(entries)} entries, each as the committed changelog gives it (${formatCount(judged)} compared value by value, the rest superseded and compacted since)` +
    (excused.size > 0 ? `; ${formatCount(excused.size)} restored key${excused.size === 1 ? '' : 's'} without a changelog write of another instance that held the task at once (a zombie) below where the store went on from, which it never read, as at-least-once allows` : ''));
}

/** `ks.zombies`: every committed transaction of the application had its offsets joined by a current member, at its producer's current epoch. */
export function checkZombies(t: KStreamsTrace): CheckResult {
  return t.zombies.verdict('ks.zombies',
    `${formatCount(t.appCommits)} transactions committed, ${formatCount(t.commitsWithOffsets)} with offsets, each by a member of the current generation at its producer's current epoch`);
}

/** The span of `spans` (flat [from, to, …]) that holds `t`, as [from, to]. */
function spanAt(spans: readonly number[] | undefined, t: number): [number, number] | undefined {
  if (spans === undefined) return undefined;
  for (let i = 0; i < spans.length; i += 2) if (spans[i]! <= t && t <= spans[i + 1]!) return [spans[i]!, spans[i + 1]!];
  return undefined;
}

/** Deletes every key of `keys` that starts with `prefix` (a Map's or Set's own iteration allows deleting as it goes). */
function dropPrefixed(keys: Set<string> | Map<string, unknown>, prefix: string): void {
  for (const k of keys.keys()) if (k.startsWith(prefix)) keys.delete(k);
}
