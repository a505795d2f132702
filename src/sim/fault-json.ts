/**
 * Fault plans to and from JSON. The output has a fixed key order per fault
 * kind (kind, then the timing — `atMs`, or `after` and `delayMs` — then the
 * kind's own fields), so equal plans serialize to equal strings. Parsing
 * validates every field, rejects unknown ones and throws an Error naming the
 * first bad one.
 */
import type { Fault, FaultPlan } from './faults.ts';
import { ANCHOR_KINDS, SCOPE_FIELD, anchorScope, isAnchorKind, isScopedAnchorKind, type Anchor } from './anchors.ts';

const FIELDS: Record<Fault['kind'], readonly string[]> = {
  crash: ['process', 'restartAfterMs'],
  partition: ['a', 'b', 'durationMs'],
  'latency-spike': ['durationMs', 'extraMs'],
  'disk-corruption': ['process', 'durationMs'],
  'slow-fsync': ['process', 'durationMs', 'extraMs'],
};
const STRING_FIELDS = new Set(['process', 'a', 'b']);

export function planToJson(plan: FaultPlan): string {
  return JSON.stringify({ faults: plan.faults.map(faultToJson) });
}

function faultToJson(f: Fault): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: f.kind };
  if (f.after === undefined) out.atMs = f.atMs;
  else {
    const a = f.after;
    if (a.on === 'input.offset') out.after = { on: a.on, n: a.n, partition: a.partition, offset: a.offset };
    else {
      const after: Record<string, unknown> = { on: a.on, n: a.n };
      if (a.fromMs !== undefined) after.fromMs = a.fromMs;
      const scope = anchorScope(a);
      if (scope !== undefined) after[SCOPE_FIELD[a.on as keyof typeof SCOPE_FIELD]] = scope;
      out.after = after;
    }
    out.delayMs = f.delayMs;
  }
  for (const key of FIELDS[f.kind]) out[key] = (f as unknown as Record<string, unknown>)[key];
  return out;
}

export function planFromJson(s: string): FaultPlan {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    throw new Error('fault plan: not valid JSON');
  }
  return planFromValue(v);
}

/** A plan from parsed JSON (as a repro token carries it). */
export function planFromValue(v: unknown): FaultPlan {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Array.isArray((v as { faults?: unknown }).faults)) {
    throw new Error('fault plan: expected an object with a "faults" array');
  }
  for (const key of Object.keys(v)) if (key !== 'faults') throw new Error(`fault plan: unknown field '${key}'`);
  const faults = ((v as { faults: unknown[] }).faults).map((f, i) => parseFault(f, `faults[${i}]`));
  return { faults };
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * The most a fault's time, delay or duration may be: an hour of virtual
 * time, far beyond any run (the bound of the command line's time flags).
 * Without one, a hand-edited token could ask for times whose sums overflow
 * the simulator's arithmetic.
 */
export const FAULT_MS_MAX = 3_600_000;

/** Why `x`, the fault field `where`, is not a time weir takes, or undefined. */
function msProblem(x: unknown, where: string): string | undefined {
  if (!isCount(x)) return `fault plan: ${where} must be an integer ≥ 0`;
  if (x > FAULT_MS_MAX) return `fault plan: ${where} must be at most ${FAULT_MS_MAX.toLocaleString('en-US')} ms (an hour of virtual time, far beyond any run), got ${x.toLocaleString('en-US')}`;
  return undefined;
}

function parseFault(f: unknown, where: string): Fault {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new Error(`fault plan: ${where} is not an object`);
  const rec = f as Record<string, unknown>;
  const kind = rec.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) {
    throw new Error(`fault plan: ${where}.kind must be one of ${Object.keys(FIELDS).join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const out: Record<string, unknown> = { kind };
  let timing: readonly string[];
  if (rec.after === undefined) {
    if (rec.delayMs !== undefined) throw new Error(`fault plan: ${where} has delayMs but no anchor ('after')`);
    if (!isCount(rec.atMs)) throw new Error(`fault plan: ${where}.atMs must be an integer ≥ 0 (or give 'after' and 'delayMs')`);
    const tooLate = msProblem(rec.atMs, `${where}.atMs`);
    if (tooLate !== undefined) throw new Error(tooLate);
    out.atMs = rec.atMs;
    timing = ['atMs'];
  } else {
    if (rec.atMs !== undefined) throw new Error(`fault plan: ${where} has both atMs and an anchor ('after'): give one`);
    out.after = parseAnchor(rec.after, `${where}.after`);
    const delay = msProblem(rec.delayMs, `${where}.delayMs`);
    if (delay !== undefined) throw new Error(delay);
    out.delayMs = rec.delayMs;
    timing = ['after', 'delayMs'];
  }
  const fields = FIELDS[kind as Fault['kind']];
  for (const key of fields) {
    const value = rec[key];
    if (STRING_FIELDS.has(key)) {
      if (typeof value !== 'string' || value === '') throw new Error(`fault plan: ${where}.${key} must be a non-empty string`);
    } else {
      // Every field of a fault that is not a process is a time.
      const problem = msProblem(value, `${where}.${key}`);
      if (problem !== undefined) throw new Error(problem);
    }
    out[key] = value;
  }
  for (const key of Object.keys(rec)) {
    if (key !== 'kind' && !timing.includes(key) && !fields.includes(key)) throw new Error(`fault plan: ${where} has unknown field '${key}'`);
  }
  if (kind === 'partition' && rec.a === rec.b) throw new Error(`fault plan: ${where} partitions '${String(rec.a)}' from itself`);
  return out as unknown as Fault;
}

function parseAnchor(v: unknown, where: string): Anchor {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`fault plan: ${where} is not an object`);
  const rec = v as Record<string, unknown>;
  if (!isAnchorKind(rec.on)) throw new Error(`fault plan: ${where}.on must be one of ${ANCHOR_KINDS.join(', ')}, got ${JSON.stringify(rec.on)}`);
  if (typeof rec.n !== 'number' || !Number.isSafeInteger(rec.n) || rec.n < 1) throw new Error(`fault plan: ${where}.n must be an integer ≥ 1`);
  const keys = rec.on === 'input.offset' ? ['on', 'n', 'partition', 'offset'] : isScopedAnchorKind(rec.on) ? ['on', 'n', 'fromMs', SCOPE_FIELD[rec.on]] : ['on', 'n', 'fromMs'];
  for (const key of Object.keys(rec)) if (!keys.includes(key)) throw new Error(`fault plan: ${where} has unknown field '${key}' for an anchor on ${rec.on}`);
  if (rec.on !== 'input.offset') {
    const from = rec.fromMs === undefined ? undefined : msProblem(rec.fromMs, `${where}.fromMs`);
    if (from !== undefined) throw new Error(from);
    if (rec.txnId !== undefined && (typeof rec.txnId !== 'string' || rec.txnId === '')) throw new Error(`fault plan: ${where}.txnId must be a transactional id (a non-empty string)`);
    if (rec.client !== undefined && (typeof rec.client !== 'string' || rec.client === '')) throw new Error(`fault plan: ${where}.client must be a process id (a non-empty string)`);
    const fromMs = rec.fromMs === undefined ? {} : { fromMs: rec.fromMs as number };
    if (rec.on === 'offsets.commit') return { on: rec.on, n: rec.n, ...fromMs, ...(rec.client === undefined ? {} : { client: rec.client as string }) };
    if (isScopedAnchorKind(rec.on)) return { on: rec.on, n: rec.n, ...fromMs, ...(rec.txnId === undefined ? {} : { txnId: rec.txnId as string }) };
    return { on: rec.on, n: rec.n, ...fromMs };
  }
  if (!isCount(rec.partition)) throw new Error(`fault plan: ${where}.partition must be an integer ≥ 0`);
  if (!isCount(rec.offset)) throw new Error(`fault plan: ${where}.offset must be an integer ≥ 0`);
  return { on: 'input.offset', n: rec.n, partition: rec.partition, offset: rec.offset };
}
