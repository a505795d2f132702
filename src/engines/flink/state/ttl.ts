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
 * Time comes from the `now` function the backend was built with (the
 * virtual processing time of the process); nothing here reads a real clock.
 * Snapshots keep the absolute timestamps, so after a restore expiry is
 * judged against the (virtual) time then, as in Flink.
 */

export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
export type TtlVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

export interface TtlConfig {
  ttlMs: number;
  updateType: TtlUpdateType;
  visibility: TtlVisibility;
}

/** Flink's defaults: refresh on create and write, never return expired values. */
export function ttlConfig(ttlMs: number, options: Partial<Omit<TtlConfig, 'ttlMs'>> = {}): TtlConfig {
  const cfg: TtlConfig = {
    ttlMs,
    updateType: options.updateType ?? 'OnCreateAndWrite',
    visibility: options.visibility ?? 'NeverReturnExpired',
  };
  validateTtl(cfg);
  return cfg;
}

export function validateTtl(cfg: TtlConfig): void {
  if (!Number.isSafeInteger(cfg.ttlMs) || cfg.ttlMs <= 0) {
    throw new Error(`state TTL must be a positive integer of ms, got ${cfg.ttlMs}`);
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
  return a.ttlMs === b.ttlMs && a.updateType === b.updateType && a.visibility === b.visibility;
}
