/**
 * Fault plans to and from JSON. The output has a fixed key order per fault
 * kind, so equal plans serialize to equal strings. Parsing validates every
 * field and throws an Error naming the first bad one.
 */
import type { Fault, FaultPlan } from './faults.ts';

const FIELDS: Record<Fault['kind'], readonly string[]> = {
  crash: ['atMs', 'process', 'restartAfterMs'],
  partition: ['atMs', 'a', 'b', 'durationMs'],
  'latency-spike': ['atMs', 'durationMs', 'extraMs'],
  'disk-corruption': ['atMs', 'process', 'durationMs'],
  'slow-fsync': ['atMs', 'process', 'durationMs', 'extraMs'],
};
const STRING_FIELDS = new Set(['process', 'a', 'b']);

export function planToJson(plan: FaultPlan): string {
  const faults = plan.faults.map((f) => {
    const out: Record<string, unknown> = { kind: f.kind };
    for (const key of FIELDS[f.kind]) out[key] = (f as unknown as Record<string, unknown>)[key];
    return out;
  });
  return JSON.stringify({ faults });
}

export function planFromJson(s: string): FaultPlan {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    throw new Error('fault plan: not valid JSON');
  }
  if (typeof v !== 'object' || v === null || !Array.isArray((v as { faults?: unknown }).faults)) {
    throw new Error('fault plan: expected an object with a "faults" array');
  }
  const faults = ((v as { faults: unknown[] }).faults).map((f, i) => parseFault(f, `faults[${i}]`));
  return { faults };
}

function parseFault(f: unknown, where: string): Fault {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new Error(`fault plan: ${where} is not an object`);
  const rec = f as Record<string, unknown>;
  const kind = rec.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) {
    throw new Error(`fault plan: ${where}.kind must be one of ${Object.keys(FIELDS).join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const fields = FIELDS[kind as Fault['kind']];
  const out: Record<string, unknown> = { kind };
  for (const key of fields) {
    const value = rec[key];
    if (STRING_FIELDS.has(key)) {
      if (typeof value !== 'string' || value === '') throw new Error(`fault plan: ${where}.${key} must be a non-empty string`);
    } else if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new Error(`fault plan: ${where}.${key} must be an integer ≥ 0`);
    }
    out[key] = value;
  }
  for (const key of Object.keys(rec)) {
    if (key !== 'kind' && !fields.includes(key)) throw new Error(`fault plan: ${where} has unknown field '${key}'`);
  }
  if (kind === 'partition' && rec.a === rec.b) throw new Error(`fault plan: ${where} partitions '${String(rec.a)}' from itself`);
  return out as unknown as Fault;
}
