/**
 * The bounds on everything that sizes a run, the same for command-line flags
 * and for repro tokens, so that no input can ask for a run this weir cannot
 * hold: a run keeps every input record and its judging state in memory, and
 * a world of thousands of processes would run until killed.
 *
 * Each bound names itself in the error, and docs/CLI.md lists them.
 */

export interface Limit {
  /** The field of RunSettings (or the sweep option) it bounds. */
  readonly field: string;
  /** How the command line spells it. */
  readonly flag: string;
  readonly min: number;
  readonly max: number;
  /** Why the maximum is where it is. */
  readonly why: string;
}

export const LIMITS = {
  seed: { field: 'seed', flag: 'seed', min: 0, max: 2 ** 32 - 1, why: 'seeds are 32-bit' },
  events: { field: 'events', flag: 'events', min: 1, max: 2_000_000, why: 'every input record and its lineage stay in memory' },
  parallelism: { field: 'parallelism', flag: 'parallelism', min: 1, max: 64, why: 'each subtask is a simulated task with its own channels to every downstream subtask' },
  keys: { field: 'keys', flag: 'keys', min: 1, max: 1_000_000, why: 'keyed state holds every key' },
  taskManagers: { field: 'taskManagers', flag: 'task-managers', min: 1, max: 16, why: 'each is a simulated process' },
  spareTaskManagers: { field: 'spareTaskManagers', flag: 'spare-tms', min: 0, max: 8, why: 'each is a simulated process that heartbeats all run long' },
  checkpointIntervalMs: { field: 'checkpointIntervalMs', flag: 'checkpoint-interval', min: 0, max: 3_600_000, why: '0 turns periodic checkpoints off; an hour of virtual time is far beyond any run' },
  bufferTimeoutMs: { field: 'bufferTimeoutMs', flag: 'buffer-timeout', min: 0, max: 60_000, why: '0 sends every record at once; a minute holds records far longer than any window' },
  commitIntervalMs: { field: 'commitIntervalMs', flag: 'commit-interval', min: 1, max: 3_600_000, why: 'an hour of virtual time is far beyond any run' },
  standbyReplicas: { field: 'standbyReplicas', flag: 'standby-replicas', min: 0, max: 8, why: 'a standby keeps a copy of its task\'s stores on another instance; more copies than instances are never placed' },
  acceptableRecoveryLag: { field: 'acceptableRecoveryLag', flag: 'acceptable-recovery-lag', min: 0, max: 1_000_000_000, why: 'it counts changelog records' },
  maxWarmupReplicas: { field: 'maxWarmupReplicas', flag: 'max-warmup-replicas', min: 1, max: 1_000, why: 'Kafka Streams needs at least one; more warm-ups than a job has tasks are never placed' },
  probingRebalanceIntervalMs: { field: 'probingRebalanceIntervalMs', flag: 'probing-rebalance-interval', min: 1, max: 3_600_000, why: 'an hour of virtual time is far beyond any run' },
  triggerIntervalMs: { field: 'triggerIntervalMs', flag: 'trigger-interval', min: 0, max: 3_600_000, why: '0 runs batches back to back; an hour of virtual time is far beyond any run' },
  savepointAtMs: { field: 'savepointAtMs', flag: 'savepoint-at', min: 1, max: 3_600_000, why: 'an hour of virtual time is far beyond any run' },
  seeds: { field: 'seeds', flag: 'seeds', min: 1, max: 10_000_000, why: 'a sweep keeps one small result per seed' },
  workers: { field: 'workers', flag: 'workers', min: 1, max: 64, why: 'worker threads beyond the cores only add start-up' },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/**
 * Why `value` is outside the bound `name` (one sentence naming the bound), or
 * undefined when it is inside. `shown` is how the value was given (default: the number).
 */
export function limitProblem(name: LimitName, value: unknown, spelled: 'flag' | 'token', shown?: string): string | undefined {
  const l: Limit = LIMITS[name];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= l.min && value <= l.max) return undefined;
  const what = spelled === 'flag' ? `--${l.flag}` : l.field;
  const got = shown ?? (typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value)).slice(0, 40));
  return `${what} must be an integer from ${l.min.toLocaleString('en-US')} to ${l.max.toLocaleString('en-US')} (${l.why}), got ${got}`;
}

/** What a combination of settings asks for that cannot happen, or undefined. */
export function combinationProblem(s: { guarantee: string; bugs: readonly string[]; unaligned?: boolean; spareTaskManagers?: number; savepointAtMs?: number; standbyReplicas?: number }): string | undefined {
  if (s.unaligned && s.guarantee !== 'exactly-once') return `unaligned checkpoints are an exactly-once mode; drop --unaligned or use --guarantee exactly-once (got ${s.guarantee})`;
  if (s.bugs.includes('unaligned-drops-in-flight') && !s.unaligned) return 'the planted bug unaligned-drops-in-flight corrupts unaligned checkpoints only; add --unaligned';
  if (s.bugs.includes('zombie-not-fenced') && !(s.spareTaskManagers ?? 0)) return 'the planted bug zombie-not-fenced needs a zombie: a restart on a spare task manager; add --spare-tms 1';
  if (s.bugs.includes('standby-read-uncommitted') && !(s.standbyReplicas ?? 0)) return 'the planted bug standby-read-uncommitted corrupts standby tasks, which run only with standby replicas; add --standby-replicas 1';
  if (s.savepointAtMs !== undefined && s.guarantee === 'at-most-once') return 'a savepoint restores state from a snapshot, which at-most-once never replays from; drop --savepoint-at or choose another guarantee';
  return undefined;
}
