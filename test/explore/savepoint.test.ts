/**
 * What this proves: a savepoint taken mid-run stops the job, and the job
 * started again from it finishes with exactly-once output — every check
 * passes — on scenarios with windows, sessions and keyed state, with and
 * without faults. The restart really comes from the savepoint: the first
 * restore after `savepoint.complete` names the savepoint's id.
 *
 * How: run with `savepointAtMs` and watch the trace.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { failed, run } from './helpers.ts';

describe.each([
  ['wordcount', 6_000],
  ['sessions', 4_000],
  ['bank', 5_000],
] as const)('savepoint in %s', (scenario, atMs) => {
  it.each(['none', 'heavy'] as const)('stops, restarts from the savepoint, and passes every check (faults %s)', (faults) => {
    const events: TraceEvent[] = [];
    const r = run({ scenario, seed: 5, faults, savepointAtMs: atMs }, { subscribers: [(e) => { if (e.kind === 'savepoint.complete' || e.kind === 'job.restore') events.push(e); }] });
    expect(failed(r), r.token).toEqual([]);
    expect(r.checkpoints.savepoints).toBe(1);
    const sp = events.findIndex((e) => e.kind === 'savepoint.complete');
    expect(sp).toBeGreaterThanOrEqual(0);
    const restore = events.slice(sp + 1).find((e) => e.kind === 'job.restore');
    expect(restore?.checkpoint).toBe(events[sp]!.checkpoint);
  });
});
