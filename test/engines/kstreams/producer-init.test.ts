/**
 * What this proves: under exactly-once a Kafka Streams instance initialises
 * its producer's transactions (InitProducerId, traced as `ks.producer`) when
 * its first task is initialised, as Kafka's `StreamTask.initializeIfNeeded`
 * → `RecordCollectorImpl.initialize` → `StreamsProducer.initTransaction`
 * does, once per producer; and after lost tasks (`handleLostAll`, which
 * resets the producer) only again when its next task is initialised, after
 * the rejoin. Not at start, and not between the loss and the next
 * assignment. No task registers its stores or runs before its producer is
 * initialised. Under at-least-once there is no transactional producer.
 *
 * How: traced runs under heavy faults, and under the kstreams walkthrough's
 * faults (ks-0 cut off until the group lets it go, ks-1 crashed), per
 * instance and incarnation (`ks.start`): a `ks.producer` must follow an
 * assignment with active tasks since the start or the last loss, and come
 * once per producer; a task's `ks.state` or `ks.running` must come after
 * its producer's `ks.producer`; no transaction the broker begins for a
 * thread carries a negative epoch. The runs must pass their checks, and
 * each run with the walkthrough's faults must have a loss followed by a
 * new epoch, so the reset is exercised. On the code that initialised at start and again before the
 * rejoin, the first `ks.producer` of every instance fails.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import type { RunSettings } from '../../../src/explore/settings.ts';
import { failed, run } from '../../explore/helpers.ts';

const KINDS = new Set(['ks.start', 'ks.assigned', 'ks.producer', 'ks.lost', 'ks.state', 'ks.running', 'txn.begin']);

interface Producer {
  ready: boolean;
  assigned: boolean;
  lost: boolean;
}

/** Walks one run's trace; returns what breaks the rule, and how often a producer initialised again after lost tasks. */
function judge(events: readonly TraceEvent[]): { wrong: string[]; reinitAfterLoss: number; inits: number } {
  const by = new Map<string, Producer>();
  const wrong: string[] = [];
  let reinitAfterLoss = 0;
  let inits = 0;
  for (const e of events) {
    const at = `${e.p} at ${e.t} ms`;
    if (e.kind === 'ks.start') {
      by.set(e.p, { ready: false, assigned: false, lost: false });
      continue;
    }
    if (e.kind === 'txn.begin') {
      // The broker's record of a transaction a thread began: never under an epoch it was not given.
      if (String(e.txnId).startsWith('weir-app-') && !((e.epoch as number) >= 0)) wrong.push(`${e.txnId as string} at ${e.t} ms: a transaction begun under epoch ${String(e.epoch)}`);
      continue;
    }
    const s = by.get(e.p);
    if (s === undefined) continue;
    switch (e.kind) {
      case 'ks.assigned':
        if ((e.tasks as string[]).length > 0) s.assigned = true;
        break;
      case 'ks.producer':
        inits++;
        if (s.ready) wrong.push(`${at}: a second InitProducerId for one producer`);
        if (!s.assigned) wrong.push(`${at}: InitProducerId before any task of this producer was assigned`);
        if (s.lost) reinitAfterLoss++;
        s.ready = true;
        break;
      case 'ks.state':
        if (e.standby !== true && !s.ready) wrong.push(`${at}: task ${String(e.task)} registers its stores before its producer initialised`);
        break;
      case 'ks.running':
        if (!s.ready) wrong.push(`${at}: task ${String(e.task)} runs before its producer initialised`);
        break;
      case 'ks.lost':
        // handleLostAll resets the producer: nothing initialises until the next assignment.
        s.ready = false;
        s.assigned = false;
        s.lost = true;
        break;
    }
  }
  return { wrong, reinitAfterLoss, inits };
}

/** The walkthrough's faults: ks-0 cut off from the broker 1,300-5,200 ms (the group lets it go; healed, it loses its tasks and rejoins), ks-1 crashed at 2,600 ms. */
const ZOMBIE: RunSettings['plan'] = {
  faults: [{ kind: 'partition', atMs: 1_300, a: 'ks-0', b: 'broker', durationMs: 3_900 }, { kind: 'crash', atMs: 2_600, process: 'ks-1', restartAfterMs: 300 }],
};

function traced(scenario: string, seed: number, guarantee: 'exactly-once' | 'at-least-once', plan?: RunSettings['plan']) {
  const events: TraceEvent[] = [];
  const settings = plan === undefined ? { faults: 'heavy' as const } : { faults: 'none' as const, plan };
  const r = run({ scenario, engine: 'kstreams', seed, guarantee, ...settings }, { subscribers: [(e) => { if (KINDS.has(e.kind)) events.push(e); }] });
  return { r, events };
}

describe('Kafka Streams initialises its producer at its first task', () => {
  const cases: [string, number, RunSettings['plan'] | undefined][] = [['wordcount', 1, undefined], ['sessions', 3, undefined], ['etl', 4, undefined], ['join', 5, undefined], ['wordcount', 9, ZOMBIE], ['sliding-average', 9, ZOMBIE]];
  for (const [scenario, seed, plan] of cases) {
    it(`${scenario}, ${plan === undefined ? 'heavy faults' : 'a zombie and a crash'}, seed ${seed}: after an assignment, before the tasks' stores, once per producer`, () => {
      const { r, events } = traced(scenario, seed, 'exactly-once', plan);
      expect(failed(r), r.token).toEqual([]);
      const j = judge(events);
      expect(j.wrong).toEqual([]);
      expect(j.inits).toBeGreaterThan(0);
      // The cut-off instance loses its tasks and takes a new epoch only with its next ones: the reset is exercised.
      if (plan !== undefined) expect(j.reinitAfterLoss).toBeGreaterThan(0);
    });
  }

  it('under at-least-once no transactional producer initialises', () => {
    const { r, events } = traced('wordcount', 1, 'at-least-once');
    expect(r.checks.find((c) => c.name === 'run.completes')?.ok).toBe(true);
    expect(events.filter((e) => e.kind === 'ks.producer')).toEqual([]);
    expect(events.some((e) => e.kind === 'ks.running')).toBe(true);
  });

  it('the judge fails a trace whose producer initialises at start, before its first assignment, or again before the rejoin', () => {
    const ev = (seq: number, kind: string, fields: Record<string, unknown> = {}): TraceEvent => ({ seq, t: seq, p: 'ks-0', kind, ...fields }) as TraceEvent;
    const atStart = [ev(1, 'ks.start'), ev(2, 'ks.producer', { epoch: 1 }), ev(3, 'ks.assigned', { tasks: ['0_0'] }), ev(4, 'ks.state', { task: '0_0' }), ev(5, 'ks.running', { task: '0_0' })];
    expect(judge(atStart).wrong).toEqual(['ks-0 at 2 ms: InitProducerId before any task of this producer was assigned']);
    const beforeRejoin = [ev(1, 'ks.start'), ev(2, 'ks.assigned', { tasks: ['0_0'] }), ev(3, 'ks.producer', { epoch: 1 }), ev(4, 'ks.running', { task: '0_0' }), ev(5, 'ks.lost'), ev(6, 'ks.producer', { epoch: 2 }), ev(7, 'ks.assigned', { tasks: ['0_0'] }), ev(8, 'ks.running', { task: '0_0' })];
    expect(judge(beforeRejoin).wrong).toEqual(['ks-0 at 6 ms: InitProducerId before any task of this producer was assigned']);
    const good = [ev(1, 'ks.start'), ev(2, 'ks.assigned', { tasks: ['0_0'] }), ev(3, 'ks.producer', { epoch: 1 }), ev(4, 'ks.running', { task: '0_0' }), ev(5, 'ks.lost'), ev(6, 'ks.assigned', { tasks: ['0_0'] }), ev(7, 'ks.producer', { epoch: 2 }), ev(8, 'ks.running', { task: '0_0' })];
    expect(judge(good)).toEqual({ wrong: [], reinitAfterLoss: 1, inits: 2 });
    const unready = [...good, { seq: 9, t: 9, p: 'broker', kind: 'txn.begin', txnId: 'weir-app-ks-0-0', epoch: -1 } as TraceEvent];
    expect(judge(unready).wrong).toEqual(['weir-app-ks-0-0 at 9 ms: a transaction begun under epoch -1']);
  });
});
