/**
 * The interfaces the engine and the log broker are written against.
 *
 * A process in weir sees the world only through a `ProcessContext`: a clock,
 * timers, a network endpoint, a disk, a trace and named fault sites. The
 * deterministic simulator in `src/sim` is one implementation; nothing in
 * `src/engines/*` or `src/log` may depend on which one it runs on.
 *
 * Lifecycle: the world calls a `ProcessFactory` when a process starts and
 * again after every restart. Whatever the returned `ProcessLogic` object holds
 * is the process's volatile memory: a crash throws it away, together with its
 * pending timers and the messages it sent that were not yet delivered. The
 * only thing that survives a crash is what was fsynced to its disk.
 */

/** A process's name, unique in a world, e.g. `jm`, `tm-0`, `broker`, `store`. */
export type ProcessId = string;

/** Virtual time in integer milliseconds since the start of the run. */
export interface Clock {
  now(): number;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /**
   * Runs `fn` after `delayMs` (an integer ≥ 0) of virtual time, unless the
   * handle was cancelled or the process crashed first.
   */
  after(delayMs: number, fn: () => void): TimerHandle;
}

/**
 * A network endpoint. Channels are point-to-point and FIFO per ordered pair
 * (sender, receiver), like TCP. Messages are delivered by reference and must
 * be treated as immutable by both sides. Delivery may be delayed (latency),
 * cut (partition: a datagram, `send`, is dropped; a message on a connection,
 * `sendReliable`, waits for the link to heal) or never happen (the receiver
 * is down, or the sender crashed before delivery).
 */
export interface Network {
  send(to: ProcessId, msg: unknown): void;
  /**
   * Sends on this process's connection to `to`, as over TCP: the same FIFO
   * channel, but a partition delays the message instead of dropping it. A
   * message the cut link swallows is sent again once the link has healed, at
   * the sender's next retransmission (the first about 200 ms after the loss,
   * then backing off), and a connection delivers in the order it was given:
   * what was sent after a lost message waits behind it. It is lost only as a
   * datagram is when an end crashes (the connection dies with it).
   */
  sendReliable(to: ProcessId, msg: unknown): void;
}

/**
 * A process's own disk. Writes land in a volatile page cache and become
 * durable when an `fsync` of that file completes. A crash keeps each file as
 * it was at its last completed fsync, except that a torn write may keep a
 * prefix of the last unsynced append. `rename` is atomic; the target is
 * durable once the renamed file was synced.
 */
export interface Disk {
  /** Replaces the content of `path` (not durable until fsynced). */
  write(path: string, data: string): void;
  /** Appends to `path`, creating it if needed (not durable until fsynced). */
  append(path: string, data: string): void;
  /** Makes `path` durable; `done` runs when the fsync completes (possibly later in virtual time). */
  fsync(path: string, done?: () => void): void;
  /** Atomically renames `from` to `to`, replacing `to`. */
  rename(from: string, to: string): void;
  /** The current content (may be corrupted when read corruption is on), or undefined. */
  read(path: string): string | undefined;
  /** Paths that start with `prefix`, sorted. */
  list(prefix: string): string[];
  delete(path: string): void;
  /**
   * Frame files hold a sequence of frames instead of text: each frame is one
   * structured value written whole, as a log writes a record batch with its
   * CRC (Kafka's RecordBatch). The checksum is modelled rather than computed:
   * a read returns the values themselves, and a frame that would fail its
   * checksum reads as `TORN_FRAME` (a crash cut it mid-write: no frame after
   * it was ever complete) or a `CorruptFrame` (complete, but damaged). A frame
   * must not be changed after it is written. A path holds text or frames,
   * never both.
   */
  appendFrame(path: string, frame: unknown): void;
  /** Replaces the content of `path` with `frames` (not durable until fsynced). */
  writeFrames(path: string, frames: readonly unknown[]): void;
  /** The frames of `path` as this read sees them (see `appendFrame`), or undefined. */
  readFrames(path: string): readonly unknown[] | undefined;
}

/** A frame that fails its checksum because a crash tore its write: a strict prefix of it reached the disk. */
export const TORN_FRAME: unique symbol = Symbol('torn frame');
/**
 * A complete frame that fails its checksum: one bit of the copy a read
 * returned flipped. It keeps the frame as written and which bit flipped
 * (`bit`, a seeded 32-bit number), so a reader that skips its checksum check
 * (a planted bug) can decode what it would have seen (`damagedContent`).
 */
export class CorruptFrame {
  constructor(
    readonly written: unknown,
    readonly bit: number,
  ) {}
}

/** Whether a frame read back fails its checksum. */
export function damagedFrame(frame: unknown): frame is typeof TORN_FRAME | CorruptFrame {
  return frame === TORN_FRAME || frame instanceof CorruptFrame;
}

/**
 * What a reader that ignores the checksum decodes from a corrupt frame: a
 * copy of the frame as written with one leaf changed. The leaves (numbers,
 * strings and booleans, depth first) are counted, leaf `bit mod count` is
 * picked, and bit `(bit >>> 16) mod 16` of it flips: of the integer part of
 * a number, of the first code unit of a string (an empty string gains one),
 * or a boolean turns over. A frame with no leaf reads as null.
 */
export function damagedContent(frame: CorruptFrame): unknown {
  let leaves = 0;
  const count = (v: unknown): void => {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') leaves++;
    else if (Array.isArray(v)) for (const x of v) count(x);
    else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) count((v as Record<string, unknown>)[k]);
  };
  count(frame.written);
  if (leaves === 0) return null;
  let target = (frame.bit >>> 0) % leaves;
  const mask = 1 << ((frame.bit >>> 16) % 16);
  const copy = (v: unknown): unknown => {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
      if (target-- !== 0) return v;
      if (typeof v === 'boolean') return !v;
      if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) ^ mask : 0;
      return v.length === 0 ? String.fromCharCode(mask) : String.fromCharCode(v.charCodeAt(0) ^ mask) + v.slice(1);
    }
    if (Array.isArray(v)) return v.map(copy);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return copy(frame.written);
}

/** Fields of a trace event besides its sequence number, time and process. */
export type TraceFields = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

export interface Tracer {
  /** Records one event of `kind` (see `TraceKind`) for this process. */
  emit(kind: string, fields?: TraceFields): void;
  /** False when nobody listens for detailed events; lets hot paths skip building them. */
  readonly detailed: boolean;
  /**
   * Whether anything reads the fields of events of `kind`: the trace hash, the kept recent events
   * or a subscriber. When nothing does, a hot path may emit the event with no fields (it is still
   * counted, so every later event keeps its sequence number).
   */
  wants(kind: string): boolean;
}

export interface ProcessContext {
  readonly id: ProcessId;
  /** 0 for the first start, then +1 per restart. */
  readonly incarnation: number;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly net: Network;
  readonly disk: Disk;
  readonly trace: Tracer;
  /**
   * A named fault site (FoundationDB's BUGGIFY). The site is switched on or
   * off once per run from the seed; when on, each call fires by a seeded
   * integer ratio. Firing is recorded in the trace.
   */
  buggify(site: string): boolean;
}

export interface ProcessLogic {
  onMessage(from: ProcessId, msg: unknown): void;
}

/**
 * Builds a process's volatile memory. Called at the first start (incarnation
 * 0) and at every restart, when it must recover from `ctx.disk`.
 */
export type ProcessFactory = (ctx: ProcessContext) => ProcessLogic;
