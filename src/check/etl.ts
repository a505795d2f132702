/**
 * The `etl` scenarios' judge: a stateless pipeline (a filter and a map, no
 * state) must turn every input record the filter keeps into exactly the one
 * output its map gives, and nothing else. Each output carries its input's
 * id, so the judge counts per input record:
 * - `etl.no-loss`: every kept record has an output, and every output is the
 *   map of a kept input record (an output for a dropped record, a wrong
 *   value or key, an unknown id fail it). Every guarantee but at-most-once
 *   promises this.
 * - `etl.no-duplicates`: no kept record has more than one output. Exactly-once
 *   and at-most-once promise this; at-least-once does not (Spark's
 *   continuous processing replays from its last committed epoch), so there
 *   the check reports the duplicates it found and passes.
 */
import type { InputRecord, MappedRecord } from '../stream/records.ts';
import type { CheckResult } from './types.ts';

export interface EtlSpec {
  keep(r: InputRecord): boolean;
  map(r: InputRecord): { key: string; value: number };
}

function sample(ids: readonly number[]): string {
  return ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` … (${ids.length})` : '');
}

export function checkEtl(input: readonly InputRecord[], output: readonly MappedRecord[], spec: EtlSpec, guarantee: string): CheckResult[] {
  const byId = new Map<number, InputRecord>();
  for (const r of input) byId.set(r.id, r);
  const seen = new Map<number, number>();
  const wrong: string[] = [];
  for (const o of output) {
    const r = byId.get(o.id);
    if (r === undefined) {
      wrong.push(`output for unknown record ${o.id}`);
      continue;
    }
    if (!spec.keep(r)) {
      wrong.push(`record ${o.id} should have been filtered out`);
      continue;
    }
    const want = spec.map(r);
    if (o.key !== want.key || o.value !== want.value) wrong.push(`record ${o.id}: got ${o.key}=${o.value}, want ${want.key}=${want.value}`);
    seen.set(o.id, (seen.get(o.id) ?? 0) + 1);
  }
  const missing: number[] = [];
  const twice: number[] = [];
  let kept = 0;
  for (const r of input) {
    if (!spec.keep(r)) continue;
    kept++;
    const n = seen.get(r.id) ?? 0;
    if (n === 0) missing.push(r.id);
    else if (n > 1) twice.push(r.id);
  }
  const lossOk = wrong.length === 0 && (missing.length === 0 || guarantee === 'at-most-once');
  const noLoss: CheckResult = {
    name: 'etl.no-loss',
    ok: lossOk,
    detail: wrong.length > 0 ? `${wrong.length} wrong outputs: ${wrong.slice(0, 3).join('; ')}`
      : missing.length > 0 ? `${missing.length} of ${kept} kept records have no output (records ${sample(missing)})${guarantee === 'at-most-once' ? ', allowed at most once' : ''}`
      : `every one of ${kept} kept records has its output`,
  };
  const dupOk = twice.length === 0 || guarantee === 'at-least-once';
  const noDup: CheckResult = {
    name: 'etl.no-duplicates',
    ok: dupOk,
    detail: twice.length === 0 ? 'no record has more than one output'
      : `${twice.length} records have more than one output (records ${sample(twice)})${guarantee === 'at-least-once' ? ', allowed at least once' : ''}`,
  };
  return [noLoss, noDup];
}
