/**
 * Repro tokens. Proves: settings with fault plans of absolute and anchored
 * faults (and keep lists) survive encode → decode unchanged, and a token
 * re-encodes to itself; a token whose plan is anchored replays exactly (same
 * trace hash, same token); a token of an older version is refused with one
 * line naming its version and the one this weir reads; unknown settings,
 * unknown plan fields and bad anchors are refused as TokenErrors saying what
 * is wrong.
 *
 * How: a fast-check property over generated settings (the plan arbitrary with
 * anchors); one bank run with an anchored crash, replayed from its token;
 * hand-made bad tokens.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { decodeToken, encodeToken, TOKEN_VERSION, TokenError, type RunSettings } from '../../src/explore/settings.ts';
import { faultPlanArbitrary } from '../../src/explore/property.ts';
import { runScenario } from '../../src/explore/run.ts';

const settingsArb: fc.Arbitrary<RunSettings> = fc.record({
  scenario: fc.constantFrom('bank', 'wordcount'),
  seed: fc.nat(),
  events: fc.integer({ min: 1, max: 5_000 }),
  guarantee: fc.constantFrom('exactly-once' as const, 'at-least-once' as const),
  faults: fc.constantFrom('swarm' as const, 'heavy' as const),
  bugs: fc.constantFrom([], ['source-not-rewound' as const]),
  plan: faultPlanArbitrary({ anchors: true, maxFaults: 6 }),
  keepIds: fc.uniqueArray(fc.nat(5_000), { maxLength: 30 }),
});

/** A token with `body` as its JSON settings. */
const tokenOf = (body: unknown, version = TOKEN_VERSION): string => `${version}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;

const base = { scenario: 'bank', seed: 1, guarantee: 'exactly-once', faults: 'swarm', bugs: [] };

describe('repro tokens', () => {
  test.prop([settingsArb])('round-trip settings with anchored plans', (s) => {
    const token = encodeToken(s);
    expect(token.startsWith(`${TOKEN_VERSION}.`)).toBe(true);
    expect(decodeToken(token)).toEqual(s);
    expect(encodeToken(decodeToken(token))).toBe(token);
  });

  it('replay a run with an anchored plan exactly', () => {
    const s: RunSettings = {
      scenario: 'bank', seed: 7, events: 120, guarantee: 'exactly-once', faults: 'swarm', bugs: [],
      plan: { faults: [{ kind: 'crash', after: { on: 'txn.precommit', n: 3 }, delayMs: 12, process: 'tm-0', restartAfterMs: 50 }] },
    };
    const first = runScenario(s);
    expect(first.faults.crashes).toBe(1);
    const again = runScenario(decodeToken(first.token));
    expect(again.traceHash).toBe(first.traceHash);
    expect(again.token).toBe(first.token);
  });

  it('refuse a token of an older or newer version with one line naming both versions and what to do', () => {
    const old = tokenOf(base, 'w1');
    expect(() => decodeToken(old)).toThrow(TokenError);
    expect(() => decodeToken(old)).toThrow(/^repro token version "w1" comes from an older weir; this weir reads w2 tokens only/);
    try {
      decodeToken(old);
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
    expect(() => decodeToken(tokenOf(base, 'w9'))).toThrow(/^repro token version "w9" comes from a newer weir; this weir reads w2 tokens only \(replay it with the weir that printed it/);
    expect(() => decodeToken(tokenOf(base, 'v2'))).toThrow(/^repro token version "v2" is not supported \(this weir reads w2 tokens\); copy the whole token from a replay: line$/);
  });

  it('refuse unknown settings, unknown plan fields and bad anchors, saying what is wrong', () => {
    const crash = { kind: 'crash', process: 'tm-0', restartAfterMs: 1 };
    const cases: [unknown, RegExp][] = [
      [{ ...base, colour: 'red' }, /unknown setting 'colour'/],
      [{ ...base, plan: { faults: [], more: 1 } }, /unknown field 'more'/],
      [{ ...base, plan: { faults: [{ ...crash, after: { on: 'window.fire', n: 1 }, delayMs: 0 }] } }, /faults\[0\]\.after\.on must be one of/],
      [{ ...base, plan: { faults: [{ ...crash, after: { on: 'checkpoint.complete', n: 0 }, delayMs: 0 }] } }, /faults\[0\]\.after\.n must be an integer ≥ 1/],
      [{ ...base, plan: { faults: [{ ...crash, after: { on: 'checkpoint.complete', n: 2 } }] } }, /faults\[0\]\.delayMs/],
      [{ ...base, plan: { faults: [{ ...crash, atMs: 3, after: { on: 'checkpoint.complete', n: 2 }, delayMs: 1 }] } }, /both atMs and an anchor/],
      [{ ...base, plan: { faults: [{ ...crash, after: { on: 'input.offset', n: 1, partition: -1, offset: 2 }, delayMs: 1 }] } }, /after\.partition/],
    ];
    for (const [body, message] of cases) {
      const token = tokenOf(body);
      expect(() => decodeToken(token), JSON.stringify(body)).toThrow(TokenError);
      expect(() => decodeToken(token), JSON.stringify(body)).toThrow(message);
      expect(() => decodeToken(token)).toThrow(/^repro token is malformed: /);
    }
  });
});

describe('token bounds', () => {
  const base: RunSettings = { scenario: 'bank', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] };
  const raw = (o: object): string => `${TOKEN_VERSION}.${Buffer.from(JSON.stringify(o), 'utf8').toString('base64url')}`;

  it('hold a token to the same bounds as the flags, naming the bound', () => {
    for (const [k, v, bound] of [
      ['parallelism', 0, 'from 1 to 64'], ['keys', 0, 'from 1 to 1,000,000'], ['events', 1e12, 'from 1 to 2,000,000'],
      ['seed', -1, 'from 0 to 4,294,967,295'], ['seed', 2 ** 32, 'from 0 to 4,294,967,295'], ['spareTaskManagers', 1_000_000, 'from 0 to 8'],
    ] as const) {
      expect(() => decodeToken(raw({ ...base, [k]: v })), `${k}=${v}`).toThrow(new RegExp(`${k} must be an integer ${bound}`));
    }
    expect(decodeToken(encodeToken({ ...base, parallelism: 64, events: 2_000_000 }))).toMatchObject({ parallelism: 64, events: 2_000_000 });
  });

  it('refuse __proto__ and constructor as settings', () => {
    for (const key of ['__proto__', 'constructor']) {
      const text = `{"${key}":{},"scenario":"bank","seed":1,"guarantee":"exactly-once","faults":"none","bugs":[]}`;
      expect(() => decodeToken(`${TOKEN_VERSION}.${Buffer.from(text).toString('base64url')}`)).toThrow(TokenError);
    }
  });

  it('a size the scenario cannot build is bad input, not a finding', () => {
    expect(() => runScenario({ ...base, keys: 1 })).toThrow(/scenario bank cannot run with these sizes/);
  });
});
