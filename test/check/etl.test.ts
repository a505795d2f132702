/**
 * The `etl` judges (check/etl.ts). What this proves: `etl.no-loss` fails on
 * a kept record without output, an output for a filtered-out or unknown
 * record and a wrong value, and lets a loss pass only under at-most-once;
 * `etl.no-duplicates` fails on a record written twice under exactly-once
 * and at-most-once and lets it pass only under at-least-once.
 * How: hand-made input and output lists against the scenario's own spec.
 */
import { describe, expect, it } from 'vitest';
import { checkEtl } from '../../src/check/etl.ts';
import { ETL } from '../../scenarios/etl.ts';
import type { InputRecord, MappedRecord } from '../../src/stream/records.ts';

const input: InputRecord[] = [
  { id: 1, ts: 10, key: 'a', value: 3 },
  { id: 2, ts: 20, key: 'b', value: 5 }, // filtered out (a multiple of 5)
  { id: 3, ts: 30, key: 'c', value: 7 },
];
const out = (r: InputRecord): MappedRecord => ({ type: 'mapped', ...ETL.map(r), id: r.id, ts: r.ts });
const good = [out(input[0]!), out(input[2]!)];
const verdict = (output: MappedRecord[], guarantee: string) => Object.fromEntries(checkEtl(input, output, ETL, guarantee).map((c) => [c.name, c.ok]));

describe('etl judges', () => {
  it('pass the exact output under every guarantee', () => {
    for (const g of ['exactly-once', 'at-least-once', 'at-most-once']) expect(verdict(good, g)).toEqual({ 'etl.no-loss': true, 'etl.no-duplicates': true });
  });

  it('etl.no-loss fails a lost record (not under at-most-once), a filtered-out or unknown one and a wrong value', () => {
    expect(verdict([good[0]!], 'exactly-once')['etl.no-loss']).toBe(false);
    expect(verdict([good[0]!], 'at-least-once')['etl.no-loss']).toBe(false);
    expect(verdict([good[0]!], 'at-most-once')['etl.no-loss']).toBe(true);
    expect(verdict([...good, out(input[1]!)], 'at-least-once')['etl.no-loss']).toBe(false);
    expect(verdict([...good, { ...good[0]!, id: 99 }], 'at-least-once')['etl.no-loss']).toBe(false);
    expect(verdict([{ ...good[0]!, value: good[0]!.value + 1 }, good[1]!], 'at-least-once')['etl.no-loss']).toBe(false);
    expect(checkEtl(input, [good[0]!], ETL, 'exactly-once')[0]!.detail).toMatch(/1 of 2 kept records have no output \(records 3\)/);
  });

  it('etl.no-duplicates fails a record written twice, except under at-least-once', () => {
    const twice = [...good, good[1]!];
    expect(verdict(twice, 'exactly-once')['etl.no-duplicates']).toBe(false);
    expect(verdict(twice, 'at-most-once')['etl.no-duplicates']).toBe(false);
    expect(verdict(twice, 'at-least-once')['etl.no-duplicates']).toBe(true);
    expect(verdict(twice, 'at-least-once')['etl.no-loss']).toBe(true);
  });
});
