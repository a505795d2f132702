/**
 * Everything that determines a run, and its repro token: one compact,
 * URL-safe, versioned string (`w1.` + base64url of the JSON settings) that
 * `weir run <token>` turns back into exactly the same run.
 */
import type { FaultPlan, ProfileName } from '../sim/faults.ts';
import { planFromJson } from '../sim/fault-json.ts';
import type { BugName } from '../engine/bugs.ts';
import { isBugName } from '../engine/bugs.ts';
import type { Guarantee } from '../engine/runtime/task-env.ts';

export const GUARANTEES: readonly Guarantee[] = ['exactly-once', 'at-least-once', 'at-most-once'];
export const FAULT_PROFILES: readonly ProfileName[] = ['none', 'light', 'heavy', 'swarm'];

export interface RunSettings {
  scenario: string;
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
  /** Exactly-once with unaligned checkpoints (snapshot at the first barrier, in-flight records persisted). */
  unaligned?: boolean;
  /** Take a savepoint at this virtual time, stop the job with it and start it again from it. */
  savepointAtMs?: number;
  /** Only these input records (by id) of the drawn workload enter the log; the rest are left out (shrinking). */
  keepIds?: number[];
}

const TOKEN_VERSION = 'w1';

export class TokenError extends Error {}

export function encodeToken(s: RunSettings): string {
  const json = JSON.stringify(s);
  return `${TOKEN_VERSION}.${Buffer.from(json, 'utf8').toString('base64url')}`;
}

export function looksLikeToken(arg: string): boolean {
  return /^w\d+\./.test(arg);
}

export function decodeToken(token: string): RunSettings {
  const dot = token.indexOf('.');
  const version = dot > 0 ? token.slice(0, dot) : '';
  if (version !== TOKEN_VERSION) {
    throw new TokenError(`repro token version "${version || token.slice(0, 8)}" is not supported (this weir reads ${TOKEN_VERSION} tokens)`);
  }
  const body = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new TokenError('repro token is malformed: it must be w1. followed by base64url text');
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
  if (typeof r.scenario !== 'string') bad('no scenario');
  if (!Number.isSafeInteger(r.seed)) bad('seed is not an integer');
  for (const k of ['events', 'parallelism', 'keys', 'taskManagers', 'spareTaskManagers', 'checkpointIntervalMs', 'savepointAtMs'] as const) {
    if (r[k] !== undefined && (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0)) bad(`${k} is not a non-negative integer`);
  }
  if (!GUARANTEES.includes(r.guarantee as Guarantee)) bad('unknown guarantee');
  if (r.unaligned !== undefined && typeof r.unaligned !== 'boolean') bad('unaligned is not true or false');
  if (!FAULT_PROFILES.includes(r.faults as ProfileName)) bad('unknown fault profile');
  if (!Array.isArray(r.bugs) || !r.bugs.every((b) => typeof b === 'string' && isBugName(b))) bad('unknown planted bug');
  if (r.keepIds !== undefined && (!Array.isArray(r.keepIds) || !r.keepIds.every((x) => Number.isSafeInteger(x) && (x as number) >= 0))) {
    bad('keepIds is not a list of record ids');
  }
  let plan: FaultPlan | undefined;
  if (r.plan !== undefined) {
    try {
      plan = planFromJson(JSON.stringify(r.plan));
    } catch (e) {
      bad(`fault plan: ${(e as Error).message}`);
    }
  }
  const s = { ...(r as unknown as RunSettings) };
  if (plan) s.plan = plan;
  return s;
}
