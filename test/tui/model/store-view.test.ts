/**
 * What this proves: the replay's store view shows, at a step, exactly what
 * Kafka Streams' interactive queries answer there — the same re-run paused
 * at the same event, read by hand through `runScenario` — for window,
 * session and key-value stores; an instance that cannot answer shows
 * Kafka's exception; a step after the job finished reading is shown at the
 * run's last pause and says so; reading changes nothing in the run; each
 * step is re-run once (cached); and a replay without a token says the view
 * needs one.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type RunOptions } from '../../../src/explore/run.ts';
import type { RunSettings } from '../../../src/explore/settings.ts';
import type { KafkaStreamsQueries } from '../../../src/engines/kstreams/queries.ts';
import { NO_TOKEN_TEXT, queryStepStores, readAllStores, storeLines, StoreQuerier, type StepStores } from '../../../src/tui/model/store-view.ts';
import { openReplay } from '../../../src/tui/open.ts';
import { KS_FAULTS, recording, WORDCOUNT } from '../helpers.ts';

/** What the stores of every instance answer, read by hand at the pause after event `seq`. */
function byHand(settings: RunSettings, seq: number): Record<string, unknown> {
  const seen: Record<string, unknown> = {};
  runScenario(settings, {
    pauses: {
      at: [{ atEvent: seq }],
      onPause: ({ kstreams }) => {
        const q = kstreams as KafkaStreamsQueries;
        for (const i of q.instances()) {
          seen[`${i} state`] = q.state(i);
          for (const { name, kind } of q.stores()) {
            try {
              const s = q.store(i, name);
              seen[`${i} ${name}`] = kind === 'kv' && s.kind === 'kv' ? s.all().map((e) => [e.key, e.value, e.timestamp])
                : s.kind === 'window' ? s.all().map((e) => [e.key, e.start, e.value, e.timestamp])
                : s.kind === 'session' ? s.all().map((e) => [e.key, e.start, e.end, e.value, e.timestamp])
                : 'kind mismatch';
            } catch (e) {
              seen[`${i} ${name}`] = `${(e as Error).name}: ${(e as Error).message}`;
            }
          }
        }
      },
    },
  });
  return seen;
}

/** The same, as the store view holds it. */
function asView(r: StepStores): Record<string, unknown> {
  expect(r.ok).toBe(true);
  if (!r.ok) return {};
  const seen: Record<string, unknown> = {};
  for (const i of r.instances) {
    seen[`${i.instance} state`] = i.state;
    for (const s of i.stores) {
      seen[`${i.instance} ${s.name}`] = s.error !== undefined ? `${s.error.name}: ${s.error.message}`
        : s.rows!.map((e) => (s.kind === 'kv' ? [e.key, e.value, e.timestamp] : s.kind === 'window' ? [e.key, e.start, e.value, e.timestamp] : [e.key, e.start, e.end, e.value, e.timestamp]));
    }
  }
  return seen;
}

const stepAt = (events: { t: number }[], ms: number): number => events.findIndex((e) => e.t >= ms);

describe('the store view', () => {
  it('at a step equals what runScenario paused at that event answers (window store; one instance down)', async () => {
    const rec = await recording(KS_FAULTS);
    // ks-1 is down from 2,600 ms to 2,900 ms; in the middle of the run both answer.
    for (const seq of [stepAt(rec.events, 2_700), Math.floor(rec.events.length / 2)]) {
      const view = queryStepStores(KS_FAULTS, seq, runScenario);
      expect(view.ok && view.pastFinish).toBe(false);
      expect(view.ok && view.lastEvent).toBeGreaterThanOrEqual(seq);
      expect(asView(view)).toEqual(byHand(KS_FAULTS, seq));
    }
    const down = asView(queryStepStores(KS_FAULTS, stepAt(rec.events, 2_700), runScenario));
    expect(down['ks-1 state']).toBe('NOT_RUNNING');
    expect(down['ks-1 counts']).toMatch(/^StateStoreNotAvailableException: cannot get state store counts on ks-1/);
    const mid = asView(queryStepStores(KS_FAULTS, Math.floor(rec.events.length / 2), runScenario));
    expect((mid['ks-0 counts'] as unknown[]).length + (mid['ks-1 counts'] as unknown[]).length).toBeGreaterThan(20);
  });

  it('shows session and key-value stores as their read-only stores answer', () => {
    for (const scenario of ['sessions', 'bank']) {
      const s: RunSettings = { scenario, engine: 'kstreams', seed: 3, events: 300, guarantee: 'exactly-once', faults: 'none', bugs: [] };
      // The last step before the job has read all of its input: every store holds its most there.
      let finishedAt = -1;
      runScenario(s, { pauses: { at: ['finished'], onPause: (p) => (finishedAt = p.lastEvent) } });
      const seq = finishedAt - 1;
      const view = queryStepStores(s, seq, runScenario);
      expect(view.ok && !view.pastFinish).toBe(true);
      const got = asView(view);
      expect(got).toEqual(byHand(s, seq));
      const rows = Object.entries(got).filter(([k]) => !k.endsWith('state')).flatMap(([, v]) => (Array.isArray(v) ? v : []));
      expect(rows.length).toBeGreaterThan(0);
      const text = storeLines(view.ok ? view.instances : [], 100).map((l) => l.text + (l.tail ?? '')).join('\n');
      expect(text).toContain(scenario === 'sessions' ? 'session store' : 'key-value store');
      // A session shows its bounds, a key-value entry its key alone.
      if (scenario === 'sessions') expect(text).toMatch(/\[\d[\d,]*, \d[\d,]*\] → /);
      else expect(text).toMatch(/\n {4}\S+ +→ /);
    }
  });

  it('a restoring instance is REBALANCING and shows StateStoreMigratedException', async () => {
    const rec = await recording(KS_FAULTS);
    // ks-1 restarts at 2,900 ms and restores its tasks before it runs them.
    const restart = rec.events.find((e) => e.kind === 'proc.restart' && e.p === 'ks-1')!;
    const assigned = rec.events.find((e) => e.seq > restart.seq && e.p === 'ks-1' && e.kind === 'ks.assigned' && (e.tasks as string[]).length > 0)!;
    const got = asView(queryStepStores(KS_FAULTS, assigned.seq, runScenario));
    expect(got['ks-1 state']).toBe('REBALANCING');
    expect(got['ks-1 counts']).toMatch(/^StateStoreMigratedException: .*not RUNNING/);
  });

  it('a step after the job finished reading shows the stores at the last pause, and says so', async () => {
    const rec = await recording(KS_FAULTS);
    const last = rec.events.length - 1;
    const view = queryStepStores(KS_FAULTS, last, runScenario);
    expect(view.ok).toBe(true);
    if (!view.ok) return;
    expect(view.pastFinish).toBe(true);
    expect(view.lastEvent).toBeLessThan(last);
    let atFinish: Record<string, unknown> = {};
    runScenario(KS_FAULTS, { pauses: { at: ['finished'], onPause: (p) => (atFinish = asView({ ok: true, seq: last, lastEvent: p.lastEvent, nowMs: p.nowMs, pastFinish: true, instances: readAllStores(p.kstreams!) })) } });
    expect(asView(view)).toEqual(atFinish);
  });

  it('before the instances start there is nothing to read, and the view says so', () => {
    const view = queryStepStores(KS_FAULTS, 0, runScenario);
    expect(view.ok && view.instances).toEqual([]);
    expect(storeLines([], 80).map((l) => l.text)).toEqual(['no instance has started yet']);
  });

  it('reading every store at a pause leaves the run as it was (same trace hash)', () => {
    const plain = runScenario(KS_FAULTS);
    const read = runScenario(KS_FAULTS, { pauses: { at: [{ atEvent: 800 }, { atEvent: 1_500 }, 'finished'], onPause: (p) => void readAllStores(p.kstreams!) } });
    expect(read.traceHash).toBe(plain.traceHash);
  });

  it('re-runs each step once, then answers from the cache', () => {
    let runs = 0;
    const counting = (s: RunSettings, o: RunOptions) => {
      runs++;
      return runScenario(s, o);
    };
    const q = new StoreQuerier(KS_FAULTS, counting);
    expect(q.cached(900)).toBeUndefined();
    const first = q.query(900);
    expect(q.query(900)).toBe(first);
    expect(q.cached(900)).toBe(first);
    q.query(901);
    expect(runs).toBe(2);
  });

  it('needs a token: a replay opened from a trace file has none, a token\'s replay re-runs it', async () => {
    const rec = await recording(KS_FAULTS);
    const fromFile = openReplay({ ...rec, records: undefined, meta: { ...rec.meta, token: undefined, engine: undefined, path: 'run.jsonl' } });
    expect(fromFile.engine).toBe('kstreams');
    expect(fromFile.stores).toEqual({ kind: 'none', why: NO_TOKEN_TEXT });
    const fromToken = openReplay(rec);
    expect(fromToken.stores.kind).toBe('querier');
    if (fromToken.stores.kind === 'querier') expect(fromToken.stores.querier.settings).toEqual(KS_FAULTS);
    // Another engine's run has no state stores to read.
    const flink = openReplay(await recording(WORDCOUNT));
    expect(flink.stores.kind).toBe('none');
  });
});
