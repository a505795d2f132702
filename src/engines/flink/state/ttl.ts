/**
 * State time-to-live, as Flink's StateTtlConfig and TtlUtils: processing
 * time only; every stored value carries the time it was last written (or,
 * with `OnReadAndWrite`, last read); it is expired iff
 * `lastAccess + ttl <= now` (so at exactly `lastAccess + ttl` it is already
 * gone, one millisecond earlier it is not). When `lastAccess + ttl` would
 * overflow the value never expires.
 *
 * Visibility on read (Flink's AbstractTtlDecorator): an expired value found
 * by a read is cleaned up right there. `NeverReturnExpired` then returns
 * nothing; `ReturnExpiredIfNotCleanedUp` returns the expired value this one
 * last time (it is gone for the next read). An expired read never refreshes
 * the timestamp. Writes always refresh it, under both update types.
 *
 * Cleanup beyond reads (Flink's StateTtlConfig.CleanupStrategies):
 * - `incremental` (cleanupIncrementally(size, runCleanupForEveryRecord)):
 *   every access to the state first checks the next `size` entries of the
 *   whole state (all keys and namespaces, one pass after another) and drops
 *   what expired in them (expired elements of a list, expired user keys of a
 *   map, the entry when nothing is left); with `everyRecord` also each time
 *   the operator selects a key. Flink's heap backend cleans up in the
 *   background this way by default (5 entries, not on every record), and so
 *   does `ttlConfig` unless `cleanupInBackground: false`.
 * - `fullSnapshot` (cleanupFullSnapshot): a snapshot leaves out what has
 *   expired at the time it is taken; the live state keeps it.
 * Under `NeverReturnExpired` cleanup changes what the state holds, never
 * what a read returns.
 *
 * Time comes from the `now` function the backend was built with (the
 * virtual processing time of the process); nothing here reads a real clock.
 * Snapshots keep the absolute timestamps, so after a restore expiry is
 * judged against the (virtual) time then, as in Flink.
 */

export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
export type TtlVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

export interface TtlIncrementalCleanup {
  /** Entries checked per access. */
  size: number;
  /** Also on every record (each key selection), not only on accesses to the state. */
  everyRecord: boolean;
}

export interface TtlCleanup {
  fullSnapshot: boolean;
  /** null: no incremental cleanup. */
  incremental: TtlIncrementalCleanup | null;
}

export interface TtlConfig {
  ttlMs: number;
  updateType: TtlUpdateType;
  visibility: TtlVisibility;
  /** Absent in snapshots taken before cleanup strategies existed: then none. */
  cleanup?: TtlCleanup;
}

export interface TtlOptions {
  updateType?: TtlUpdateType;
  visibility?: TtlVisibility;
  /** Leave expired entries out of snapshots (default false). */
  cleanupFullSnapshot?: boolean;
  /** Incremental cleanup with these settings. */
  cleanupIncrementally?: TtlIncrementalCleanup;
  /** Flink's background cleanup (default true): incremental, 5 entries per access, unless set explicitly. */
  cleanupInBackground?: boolean;
}

/** The default incremental cleanup of Flink's heap backend: 5 entries per state access. */
export const DEFAULT_INCREMENTAL_CLEANUP: TtlIncrementalCleanup = { size: 5, everyRecord: false };

/** Flink's defaults: refresh on create and write, never return expired values, incremental cleanup in the background. */
export function ttlConfig(ttlMs: number, options: TtlOptions = {}): TtlConfig {
  const background = options.cleanupInBackground ?? true;
  const incremental = options.cleanupIncrementally ?? (background ? DEFAULT_INCREMENTAL_CLEANUP : null);
  const cfg: TtlConfig = {
    ttlMs,
    updateType: options.updateType ?? 'OnCreateAndWrite',
    visibility: options.visibility ?? 'NeverReturnExpired',
    cleanup: { fullSnapshot: options.cleanupFullSnapshot ?? false, incremental: incremental && { ...incremental } },
  };
  validateTtl(cfg);
  return cfg;
}

export function validateTtl(cfg: TtlConfig): void {
  if (!Number.isSafeInteger(cfg.ttlMs) || cfg.ttlMs <= 0) {
    throw new Error(`state TTL must be a positive integer of ms, got ${cfg.ttlMs}`);
  }
  const inc = cfg.cleanup?.incremental;
  if (inc && (!Number.isSafeInteger(inc.size) || inc.size < 0)) {
    throw new Error(`incremental TTL cleanup size must be a non-negative integer, got ${inc.size}`);
  }
}

/** A stored value with its last-access time. Mutable so refreshes allocate nothing. */
export interface TtlValue<T> {
  v: T;
  ts: number;
}

/** `lastAccessMs + ttlMs <= nowMs`, overflow-safe (an overflowing sum never expires). */
export function isExpired(lastAccessMs: number, ttlMs: number, nowMs: number): boolean {
  if (ttlMs > Number.MAX_SAFE_INTEGER - lastAccessMs) return false;
  return lastAccessMs + ttlMs <= nowMs;
}

export function ttlEquals(a: TtlConfig | undefined, b: TtlConfig | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ca = a.cleanup;
  const cb = b.cleanup;
  const sameCleanup = ca === undefined || cb === undefined ? ca === cb
    : ca.fullSnapshot === cb.fullSnapshot && ca.incremental?.size === cb.incremental?.size && ca.incremental?.everyRecord === cb.incremental?.everyRecord;
  return a.ttlMs === b.ttlMs && a.updateType === b.updateType && a.visibility === b.visibility && sameCleanup;
}

/**
 * Whether a read hands out a value it found expired (it is cleaned up either way):
 * under `ReturnExpiredIfNotCleanedUp`, or when the backend has the planted bug
 * `ttl-returns-expired`.
 */
export function returnsExpired(ttl: TtlConfig, scope: { readonly ttlReturnsExpired?: boolean }): boolean {
  return ttl.visibility === 'ReturnExpiredIfNotCleanedUp' || scope.ttlReturnsExpired === true;
}

/**
 * What is left of a stored entry of a state of `kind` once what expired by
 * `now` is dropped: the entry itself when nothing expired, a smaller list or
 * map, or undefined when nothing is left.
 */
export function unexpired(kind: 'value' | 'reducing' | 'list' | 'map', stored: unknown, ttlMs: number, now: number): unknown {
  switch (kind) {
    case 'value':
    case 'reducing':
      return isExpired((stored as TtlValue<unknown>).ts, ttlMs, now) ? undefined : stored;
    case 'list': {
      const list = stored as TtlValue<unknown>[];
      if (!list.some((tv) => isExpired(tv.ts, ttlMs, now))) return stored;
      const alive = list.filter((tv) => !isExpired(tv.ts, ttlMs, now));
      return alive.length === 0 ? undefined : alive;
    }
    case 'map': {
      const m = stored as Map<string, TtlValue<unknown>>;
      let any = false;
      for (const tv of m.values()) if (isExpired(tv.ts, ttlMs, now)) any = true;
      if (!any) return stored;
      const alive = new Map<string, TtlValue<unknown>>();
      for (const [k, tv] of m) if (!isExpired(tv.ts, ttlMs, now)) alive.set(k, tv);
      return alive.size === 0 ? undefined : alive;
    }
  }
}
