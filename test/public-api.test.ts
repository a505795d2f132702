/**
 * What this proves: a user's own pipeline, written only against the public
 * API (`import … from 'weir'`), runs in the simulator under generated fault
 * plans and is judged by weir's oracles — and a wrong pipeline is caught.
 *
 * How: a running count per key (keyed value state, one update per record)
 * checked against the input by a custom check; fast-check explores seeds,
 * event counts and fault plans through `weirProperty`. The same pipeline with
 * a plain (at-least-once) guarantee must be caught double-counting on some
 * generated run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateWorkload, RunFailed, weirProperty, type KeyedUpdate, type Scenario } from 'weir';

interface Count {
  n: number;
}

const runningCount: Scenario = {
  name: 'running-count',
  summary: 'a running count per key, one update per record',
  defaults: { events: 200, parallelism: 2, partitions: 2, keys: 5 },
  workload: (rng, s) => generateWorkload(rng, { events: s.events, keys: s.keys, partitions: s.partitions, disorderBoundMs: 50 }),
  engines: {
    flink: {
      build(env, s) {
        env
          .fromLog('source', { topic: 'input', partitions: s.partitions, boundMs: 50 })
          .keyBy((r: { key: string }) => r.key)
          .process({
            processElement(r: { id: number; key: string }, ctx) {
              const state = ctx.state.valueState<Count>('count');
              const n = (state.value()?.n ?? 0) + 1;
              state.update({ n });
              const u: KeyedUpdate = { type: 'update', key: r.key, value: n, id: r.id, seq: n, ts: ctx.timestamp };
              ctx.collect(u);
            },
          })
          .sinkTo({ topic: 'output', partitions: s.parallelism });
      },
    },
  },
  check: ({ input, output }) => {
    const want = new Map<string, number>();
    for (const r of input) want.set(r.key, (want.get(r.key) ?? 0) + 1);
    const got = new Map<string, number>();
    const updates = output.filter((o): o is KeyedUpdate => o.type === 'update');
    for (const u of updates) got.set(u.key, Math.max(got.get(u.key) ?? 0, u.value));
    const wrong = [...want].filter(([k, n]) => got.get(k) !== n);
    const ok = wrong.length === 0 && updates.length === input.length;
    return [{ name: 'running-count', ok, detail: ok ? 'every key counted exactly' : `${updates.length} updates for ${input.length} records; ${wrong.length} keys off` }];
  },
};

describe('the public API', () => {
  it('judges a user pipeline under generated fault plans', () => {
    fc.assert(weirProperty({ scenario: runningCount, events: { min: 50, max: 200 }, faults: { maxFaults: 3 } }), { numRuns: 5 });
  });

  it('catches the same pipeline double-counting under at-least-once', () => {
    let failure: unknown;
    try {
      fc.assert(weirProperty({ scenario: runningCount, guarantee: 'at-least-once', events: { min: 100, max: 300 }, faults: { maxFaults: 4 } }), { numRuns: 40, seed: 7 });
    } catch (e) {
      failure = e;
    }
    expect(failure, 'no generated run double-counted').toBeDefined();
    const cause = (failure as Error).cause;
    expect(cause).toBeInstanceOf(RunFailed);
    expect(String((cause as Error).message)).toMatch(/running-count: .*\nreplay: runScenario\(decodeToken\('w2\./);
  });
});
