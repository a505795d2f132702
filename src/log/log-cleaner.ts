/**
 * The broker's background log cleaner, on the simulated clock: compacts the
 * partitions of compacted topics (compaction.ts) and drops what DeleteRecords
 * put below a partition's log start offset from its segment file.
 *
 * Scheduling (Kafka's `log.cleaner.backoff.ms`): the cleaner sleeps until
 * there is work — an fsync made more of a compacted partition cleanable, a
 * kept tombstone's delete horizon comes, or a log start offset moved — then
 * runs once `backoffMs` later and cleans every partition with work. With no
 * compacted topic written and no DeleteRecords, it never arms a timer.
 *
 * A rewrite is crash-safe: the new segment is written to `<segment>.clean`,
 * fsynced, and renamed over the segment (atomic; durable since the file was
 * synced). Appends go on meanwhile to the old file; they are copied to the new
 * one and synced again before the swap, so the renamed file holds every frame
 * ever appended and everything acknowledged stays durable (an fsync of the old
 * file completing after the swap covers frames the new file already holds).
 * Memory changes only at the swap. A crash before the rename leaves the old
 * segment, whole; the stale `.clean` file is overwritten by the next rewrite.
 */
import { isSegmentEntry, readFile, type LogStartEntry, type SegmentEntry } from './codec.ts';
import { cleanableEnd, cleanPrefix } from './compaction.ts';
import type { PartitionLog } from './partition-log.ts';
import type { Clock, Disk, TimerHandle, Timers, Tracer } from '../runtime/types.ts';

export interface CleanerContext {
  clock: Clock;
  timers: Timers;
  disk: Disk;
  trace: Tracer;
}

export interface CleanerOptions {
  /** Every partition the broker serves, in a fixed order. */
  logs: () => Iterable<PartitionLog>;
  /** The delete.retention.ms of `log`'s topic when it is compacted, else undefined. */
  compaction: (log: PartitionLog) => number | undefined;
  backoffMs: number;
}

/** Kafka's log.cleaner.backoff.ms default. */
export const DEFAULT_CLEANER_BACKOFF_MS = 15_000;
/** Copy rounds before a swap gives up to a partition that keeps being appended to (it is retried later). */
const SWAP_ROUNDS_MAX = 16;

export class LogCleaner {
  private timer: TimerHandle | undefined;
  private timerAtMs = 0;
  /** Rewrites in progress: the segment frames appended since the new segment was written. */
  private readonly rewriting = new Map<PartitionLog, SegmentEntry[]>();
  /** Compacted partitions: where the last cleaning ended, and the earliest delete horizon it kept. */
  private readonly cleanedTo = new Map<PartitionLog, number>();
  private readonly horizons = new Map<PartitionLog, number>();
  /** Partitions whose segment may still hold records below the log start offset. */
  private readonly retention = new Set<PartitionLog>();

  constructor(private readonly ctx: CleanerContext, private readonly opts: CleanerOptions) {}

  /** After the broker's start: finds the work recovery left (a dirty compacted partition, an unapplied log start). */
  start(): void {
    for (const log of this.opts.logs()) {
      if (log.logStartOffset > 0 && this.opts.compaction(log) === undefined) this.retention.add(log);
      if (this.hasWorkNow(log)) this.wake(this.opts.backoffMs);
    }
  }

  /** True when `log`'s topic is compacted. */
  compacts(log: PartitionLog): boolean {
    return this.opts.compaction(log) !== undefined;
  }

  /** The broker appended `entry` to `log`'s segment. */
  noteAppend(log: PartitionLog, entry: SegmentEntry): void {
    this.rewriting.get(log)?.push(entry);
  }

  /** An fsync of `log` completed. */
  noteDurable(log: PartitionLog): void {
    if (this.opts.compaction(log) !== undefined && this.hasWorkNow(log)) this.wake(this.opts.backoffMs);
  }

  /** DeleteRecords moved `log`'s start offset. */
  noteLogStart(log: PartitionLog): void {
    this.retention.add(log);
    this.wake(this.opts.backoffMs);
  }

  private hasWorkNow(log: PartitionLog): boolean {
    if (this.opts.compaction(log) === undefined) return this.retention.has(log);
    const h = this.horizons.get(log);
    return cleanableEnd(log) > (this.cleanedTo.get(log) ?? 0) || (h !== undefined && h <= this.ctx.clock.now());
  }

  /** Runs the cleaner `delayMs` from now, unless it runs sooner already. */
  private wake(delayMs: number): void {
    const at = this.ctx.clock.now() + delayMs;
    if (this.timer !== undefined && this.timerAtMs <= at) return;
    this.timer?.cancel();
    this.timerAtMs = at;
    this.timer = this.ctx.timers.after(delayMs, () => this.run());
  }

  private run(): void {
    this.timer = undefined;
    for (const log of this.opts.logs()) {
      if (this.rewriting.has(log) || !this.hasWorkNow(log)) continue;
      const retentionMs = this.opts.compaction(log);
      if (retentionMs === undefined) this.retain(log);
      else this.compact(log, retentionMs);
    }
    this.rearm();
  }

  /** Runs again after the backoff while a partition still has work (its segment read back damaged), else at the next kept tombstone's horizon. */
  private rearm(): void {
    const now = this.ctx.clock.now();
    for (const log of this.opts.logs()) if (!this.rewriting.has(log) && this.hasWorkNow(log)) this.wake(this.opts.backoffMs);
    for (const h of this.horizons.values()) this.wake(Math.max(this.opts.backoffMs, h - now));
  }

  private compact(log: PartitionLog, deleteRetentionMs: number): void {
    const end = cleanableEnd(log);
    const r = cleanPrefix(log.entriesBelow(end), end, this.ctx.clock.now(), deleteRetentionMs);
    const done = (): void => {
      this.cleanedTo.set(log, end);
      if (r?.nextHorizonMs === undefined) this.horizons.delete(log);
      else this.horizons.set(log, r.nextHorizonMs);
    };
    if (r === undefined || (r.removed === 0 && r.stamped === 0)) return done();
    const items = this.readSegment(log);
    if (items === undefined) return;
    const { sealed, rest } = splitAt(items, end);
    const lines: SegmentEntry[] = [this.header(log, r.entry.o), r.entry, ...(sealed ? [{ t: 's' as const, o: end }] : []), ...rest];
    this.swap(log, lines, () => {
      log.replacePrefix(r.entry);
      done();
      this.ctx.trace.emit('log.clean', { topic: log.topic, partition: log.partition, policy: 'compact', end, kept: r.entry.r.length, removed: r.removed });
    });
  }

  private retain(log: PartitionLog): void {
    const items = this.readSegment(log);
    if (items === undefined) return;
    const start = log.logStartOffset;
    const keepAt = items.findIndex((it) => isData(it) && itemEnd(it) > start);
    const from = keepAt < 0 ? log.endOffset : items[keepAt]!.o;
    const dropped = items.slice(0, keepAt < 0 ? items.length : keepAt);
    if (!dropped.some(isData)) {
      this.retention.delete(log);
      return;
    }
    const sealed = dropped.some((it) => it.t === 's');
    const lines: SegmentEntry[] = [this.header(log, from), ...(sealed ? [{ t: 's' as const, o: from }] : []), ...(keepAt < 0 ? [] : items.slice(keepAt))];
    this.swap(log, lines, () => {
      // A DeleteRecords that came meanwhile leaves work for the next run.
      if (log.logStartOffset === start) this.retention.delete(log);
      this.ctx.trace.emit('log.clean', { topic: log.topic, partition: log.partition, policy: 'delete', start, removed: dropped.filter(isData).length });
    });
  }

  private header(log: PartitionLog, o: number): LogStartEntry {
    const ps = log.producerBatches();
    return { t: 'l', o, s: log.logStartOffset, ...(ps.length > 0 ? { ps } : {}) };
  }

  /** The segment as it is now (also the frames not yet durable); undefined when it reads back damaged (tried again later). */
  private readSegment(log: PartitionLog): SegmentEntry[] | undefined {
    const file = readFile(this.ctx.disk, log.segment, isSegmentEntry);
    return file.damage === undefined ? file.items : undefined;
  }

  /** Writes the entries `lines` as `log`'s new segment, copies what is appended meanwhile, and renames it over the old one. */
  private swap(log: PartitionLog, lines: SegmentEntry[], swapped: () => void): void {
    const path = log.segment;
    const tmp = `${path}.clean`;
    const tail: SegmentEntry[] = [];
    this.rewriting.set(log, tail);
    this.ctx.disk.writeFrames(tmp, lines);
    const round = (k: number): void => this.ctx.disk.fsync(tmp, () => {
      if (tail.length > 0 && k < SWAP_ROUNDS_MAX) {
        for (const entry of tail.splice(0)) this.ctx.disk.appendFrame(tmp, entry);
        return round(k + 1);
      }
      this.rewriting.delete(log);
      if (tail.length > 0) this.ctx.disk.delete(tmp);
      else {
        this.ctx.disk.rename(tmp, path);
        swapped();
      }
      this.rearm();
    });
    round(0);
  }
}

function isData(it: SegmentEntry): boolean {
  return it.t === 'b' || it.t === 'm' || it.t === 'k';
}

function itemEnd(it: SegmentEntry): number {
  switch (it.t) {
    case 'b': return it.o + it.r.length;
    case 'm': return it.o + 1;
    case 'k': return it.o + it.n;
    case 's':
    case 'l': return it.o;
  }
}

/** The segment's entries from `end` on, and whether a seal was among those before it (the cleaned entry replaces them). */
function splitAt(items: readonly SegmentEntry[], end: number): { sealed: boolean; rest: SegmentEntry[] } {
  let sealed = false;
  const rest: SegmentEntry[] = [];
  for (const it of items) {
    if (it.o >= end) {
      rest.push(it);
      continue;
    }
    if (isData(it) && itemEnd(it) > end) throw new Error(`segment entry at ${it.o} straddles the cleaned prefix's end ${end}`);
    if (it.t === 's') sealed = true;
  }
  const firstData = rest.find(isData);
  if (firstData !== undefined && firstData.o !== end) throw new Error(`segment resumes at ${firstData.o}, not at the cleaned prefix's end ${end}`);
  return { sealed, rest };
}
