/**
 * Standby placement (src/engines/kstreams/standby.ts). Proves, over generated
 * members (processes with one or two incarnations), stateful tasks with or
 * without an active member, and replica counts:
 * (1) a task without an active member gets no standby, and every member is
 *     in the result;
 * (2) no standby is on an incarnation of its task's active process, and no
 *     member holds two copies of one task;
 * (3) every task with an active member gets min(replicas, eligible members)
 *     standbys: the placement stops only when no member may take one more;
 * (4) the result does not depend on the order members or tasks are given in.
 * Method: fast-check draws the input; the oracle is the properties themselves.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { placeStandbys, processOfMember, type TaskPlacement } from '../../../src/engines/kstreams/standby.ts';

const input = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 6, selector: ([p, i]) => `${p}-${i}` })
  .map((pairs) => pairs.map(([p, i]) => `ks-${p}-${i}-0`))
  .chain((members) =>
    fc.record({
      members: fc.constant(members),
      tasks: fc.uniqueArray(
        fc.record({ task: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 5 })).map(([s, p]) => `${s}_${p}`), active: fc.option(fc.constantFrom(...members), { nil: undefined }) }),
        { maxLength: 10, selector: (t) => t.task },
      ),
      replicas: fc.integer({ min: 0, max: 3 }),
    }),
  );

function holders(out: Map<string, string[]>, task: string): string[] {
  return [...out].filter(([, tasks]) => tasks.includes(task)).map(([m]) => m);
}

describe('standby placement, over generated groups', () => {
  it('keeps standbys off the active process, one copy per member, as many as may be placed, whatever the input order', () => {
    fc.assert(
      fc.property(input, ({ members, tasks, replicas }) => {
        const out = placeStandbys(members, tasks as TaskPlacement[], replicas);
        expect([...out.keys()].sort()).toEqual([...members].sort());
        for (const t of tasks) {
          const on = holders(out, t.task);
          if (t.active === undefined || replicas === 0 || members.length < 2) {
            expect(on).toEqual([]);
            continue;
          }
          const activeProcess = processOfMember(t.active);
          for (const m of on) expect(processOfMember(m)).not.toBe(activeProcess);
          for (const m of members) expect(out.get(m)!.filter((x) => x === t.task).length).toBeLessThanOrEqual(1);
          const eligible = members.filter((m) => processOfMember(m) !== activeProcess).length;
          expect(on.length).toBe(Math.min(replicas, eligible));
        }
        const shuffled = placeStandbys([...members].reverse(), [...tasks].reverse() as TaskPlacement[], replicas);
        expect(Object.fromEntries(shuffled)).toEqual(Object.fromEntries(out));
      }),
      { numRuns: 300 },
    );
  });
});
