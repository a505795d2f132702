/**
 * What this proves: a partition between two task managers delays the data
 * on their channels and fails nothing, as with Flink's TCP connections
 * between task managers: every buffer the cut link swallowed is delivered
 * once it heals (each held message id is delivered later, once), the job
 * runs its one attempt to the end, and every check passes — with periodic
 * checkpoints and without them (where no barrier would come to show a gap).
 *
 * How: one fixed seed of `bank` with an explicit partition between tm-0 and
 * tm-1 while records flow, its I/O traced, read from the trace.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { failed, run } from './helpers.ts';

const PLAN = { faults: [{ kind: 'partition' as const, atMs: 1_500, a: 'tm-0', b: 'tm-1', durationMs: 1_200 }] };

function partitioned(checkpointIntervalMs: number | undefined): { problems: string[]; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  const keep = /^(net\.drop|net\.deliver|job\.fail|job\.restore|net\.heal)$/;
  const report = run(
    { scenario: 'bank', seed: 3, plan: PLAN, ...(checkpointIntervalMs === undefined ? {} : { checkpointIntervalMs }) },
    { traceIo: true, subscribers: [(e) => { if (keep.test(e.kind)) events.push(e); }] },
  );
  return { problems: failed(report), events };
}

describe('a partition between two task managers', () => {
  it.each([['with periodic checkpoints', undefined], ['without periodic checkpoints', 0]] as const)('delays their data and fails nothing, %s', (_label, interval) => {
    const { problems, events } = partitioned(interval);
    expect(problems).toEqual([]);
    // The first attempt's deployment is traced as a restore of no checkpoint; nothing after it.
    expect(events.filter((e) => e.kind === 'job.fail' || (e.kind === 'job.restore' && e.attempt !== 0))).toEqual([]);
    const held = events.filter((e) => e.kind === 'net.drop' && e.resend === true);
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((e) => e.msg === 'data' && [e.from, e.to].sort().join() === 'tm-0,tm-1')).toBe(true);
    // Nothing on a connection is lost: every held message is delivered once, after the heal.
    const heal = events.find((e) => e.kind === 'net.heal')!;
    for (const h of held) {
      const delivered = events.filter((e) => e.kind === 'net.deliver' && e.mid === h.mid);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.t).toBeGreaterThan(heal.t);
    }
    expect(events.some((e) => e.kind === 'net.drop' && e.resend === undefined && e.msg === 'data')).toBe(false);
  });
});
