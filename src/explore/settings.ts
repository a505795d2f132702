/**
 * Everything that determines a run, and its repro token: one compact,
 * URL-safe, versioned string (`w2.` + base64url of the JSON settings) that
 * `weir run <token>` turns back into exactly the same run.
 *
 * Versions: w2 tokens may plan faults after anchors (logical points of the
 * run, see `src/sim/anchors.ts`). A token of another version is refused with
 * a one-line TokenError naming both versions: an older weir's run is not
 * guaranteed to replay the same here, so it is never silently reinterpreted.
 */
import { LIMITS, limitProblem } from './limits.ts';
import type { FaultPlan, ProfileName } from '../sim/faults.ts';
import { planFromValue, planToJson } from '../sim/fault-json.ts';
import type { BugName } from './bugs.ts';
import { isBugList } from './bugs.ts';
import type { Guarantee } from '../stream/guarantee.ts';
import { ENGINE_NAMES, type EngineName } from '../../scenarios/types.ts';

export const GUARANTEES: readonly Guarantee[] = ['exactly-once', 'at-least-once', 'at-most-once'];
export const FAULT_PROFILES: readonly ProfileName[] = ['none', 'light', 'heavy', 'swarm'];

export interface RunSettings {
  scenario: string;
  /** The engine the scenario runs on (absent in tokens from before there were engines: Flink). */
  engine?: EngineName;
  seed: number;
  events?: number;
  parallelism?: number;
  keys?: number;
  guarantee: Guarantee;
  faults: ProfileName;
  /** An explicit fault plan; when absent the plan is drawn from the seed and the profile. */
  plan?: FaultPlan;
  bugs: BugName[];
  taskManagers?: number;
  /** Task managers beyond those hosting slots: a restart moves a slot to one when its task manager does not answer. */
  spareTaskManagers?: number;
  checkpointIntervalMs?: number;
  /** Flink's execution.buffer-timeout: how long a network buffer waits to fill before it is sent (default 100). */
  bufferTimeoutMs?: number;
  /** Kafka Streams' commit.interval.ms (default 100 under exactly-once, 30,000 under at-least-once). */
  commitIntervalMs?: number;
  /** Kafka Streams' num.standby.replicas (default 0). */
  standbyReplicas?: number;
  /** Kafka Streams' acceptable.recovery.lag, for its task assignor (default 10,000). */
  acceptableRecoveryLag?: number;
  /** Kafka Streams' max.warmup.replicas, for its task assignor (default 2). */
  maxWarmupReplicas?: number;
  /** Kafka Streams' probing.rebalance.interval.ms: how long after warm-ups are placed the group rebalances again (default 13,333, Kafka's 10 minutes scaled as the session is). */
  probingRebalanceIntervalMs?: number;
  /** Spark's processing-time trigger interval (default: the query's). */
  triggerIntervalMs?: number;
  /** Exactly-once with unaligned checkpoints (snapshot at the first barrier, in-flight records persisted). */
  unaligned?: boolean;
  /** Take a savepoint at this virtual time, stop the job with it and start it again from it. */
  savepointAtMs?: number;
  /** Only these input records (by id) of the drawn workload enter the log; the rest are left out (shrinking). */
  keepIds?: number[];
}

export const TOKEN_VERSION = 'w2';

export class TokenError extends Error {}

/** The keys a token's settings (and `runScenario`'s) may have; any other is refused. */
export const SETTINGS_KEYS: ReadonlySet<string> = new Set([
  'scenario', 'engine', 'seed', 'events', 'parallelism', 'keys', 'guarantee', 'faults', 'plan', 'bugs',
  'taskManagers', 'spareTaskManagers', 'checkpointIntervalMs', 'bufferTimeoutMs', 'commitIntervalMs', 'standbyReplicas', 'acceptableRecoveryLag', 'maxWarmupReplicas', 'probingRebalanceIntervalMs', 'triggerIntervalMs', 'unaligned', 'savepointAtMs', 'keepIds',
] satisfies (keyof RunSettings)[]);

export function encodeToken(s: RunSettings): string {
  // The plan in its canonical key order, so equal settings give equal tokens.
  const json = JSON.stringify(s.plan ? { ...s, plan: JSON.parse(planToJson(s.plan)) as unknown } : s);
  return `${TOKEN_VERSION}.${Buffer.from(json, 'utf8').toString('base64url')}`;
}

export function looksLikeToken(arg: string): boolean {
  return /^w\d+\./.test(arg);
}

export function decodeToken(token: string): RunSettings {
  const dot = token.indexOf('.');
  const version = dot > 0 ? token.slice(0, dot) : '';
  if (version !== TOKEN_VERSION) {
    const numbered = /^w\d+$/.test(version);
    const older = numbered && Number(version.slice(1)) < Number(TOKEN_VERSION.slice(1));
    throw new TokenError(older
      ? `repro token version "${version}" comes from an older weir; this weir reads ${TOKEN_VERSION} tokens only (run the sweep again to get a ${TOKEN_VERSION} token)`
      : numbered
        ? `repro token version "${version}" comes from a newer weir; this weir reads ${TOKEN_VERSION} tokens only (replay it with the weir that printed it, or run the sweep again here to get a ${TOKEN_VERSION} token)`
        : `repro token version "${version || token.slice(0, 8)}" is not supported (this weir reads ${TOKEN_VERSION} tokens); copy the whole token from a replay: line`);
  }
  const body = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new TokenError(`repro token is malformed: it must be ${TOKEN_VERSION}. followed by base64url text`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('repro token is malformed: its body does not decode to settings (was it cut short?)');
  }
  return validateSettings(raw);
}

function validateSettings(raw: unknown): RunSettings {
  const bad = (what: string): never => {
    throw new TokenError(`repro token is malformed: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) return bad('settings are not an object');
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!SETTINGS_KEYS.has(key)) bad(`unknown setting '${key}'`);
  if (typeof r.scenario !== 'string') bad('no scenario');
  // The same bounds as the command line's flags (limits.ts), so a token cannot ask for a run this weir cannot hold.
  const seedProblem = limitProblem('seed', r.seed, 'token');
  if (seedProblem !== undefined) bad(seedProblem);
  if (!GUARANTEES.includes(r.guarantee as Guarantee)) bad('unknown guarantee');
  if (!FAULT_PROFILES.includes(r.faults as ProfileName)) bad('unknown fault profile');
  if (!isBugList(r.bugs)) bad('unknown planted bug');
  const optional = optionalSettingProblem(r);
  if (optional !== undefined) bad(optional);
  const s = { ...(r as unknown as RunSettings) };
  if (r.plan !== undefined) s.plan = planFromValue(r.plan);
  return s;
}

/**
 * What is wrong with the optional settings' values (engine, sizes and intervals within the command
 * line's bounds, `unaligned`, `keepIds`, the fault plan), or undefined: shared by tokens and
 * `runScenario`, so neither runs what the other would refuse.
 */
export function optionalSettingProblem(r: Record<string, unknown>): string | undefined {
  if (r.engine !== undefined && !(typeof r.engine === 'string' && (ENGINE_NAMES as readonly string[]).includes(r.engine))) return `unknown engine (weir has ${ENGINE_NAMES.join(', ')})`;
  for (const k of ['events', 'parallelism', 'keys', 'taskManagers', 'spareTaskManagers', 'checkpointIntervalMs', 'bufferTimeoutMs', 'commitIntervalMs', 'standbyReplicas', 'acceptableRecoveryLag', 'maxWarmupReplicas', 'probingRebalanceIntervalMs', 'triggerIntervalMs', 'savepointAtMs'] as const) {
    const problem = r[k] === undefined ? undefined : limitProblem(k, r[k], 'token');
    if (problem !== undefined) return problem;
  }
  if (r.unaligned !== undefined && typeof r.unaligned !== 'boolean') return 'unaligned is not true or false';
  if (r.keepIds !== undefined && (!Array.isArray(r.keepIds) || r.keepIds.length > LIMITS.events.max || !r.keepIds.every((x) => Number.isSafeInteger(x) && (x as number) >= 0))) {
    return `keepIds is not a list of at most ${LIMITS.events.max.toLocaleString('en-US')} record ids`;
  }
  if (r.plan !== undefined) {
    try {
      planFromValue(r.plan);
    } catch (e) {
      return (e as Error).message;
    }
  }
  return undefined;
}
