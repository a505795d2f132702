/**
 * ttl-visits: per-user visit counters in keyed state with a time-to-live
 * (Flink's StateTtlConfig, processing time). Most records are visits, which
 * read both counters and write each back plus one; every fourth or so (value
 * divisible by 4) is a look, which only reads. `visits` has a 250 ms TTL
 * refreshed on writes (OnCreateAndWrite, with Flink's default incremental
 * cleanup); `recent` has the same TTL refreshed on reads too (OnReadAndWrite,
 * with full-snapshot cleanup). A user quiet for longer than the TTL starts
 * again from nothing. Keys are skewed, so some users come often and never
 * expire while others expire between nearly every visit.
 *
 * Each record's reads go out as a `StateRead`, with the processing time of
 * the read and the record's place in its key's processing order (a third
 * counter, without TTL); `ttl.expiry` replays the TTL rule over them from
 * the input.
 */
import { generateWorkload } from '../src/workload/generate.ts';
import { checkTtl, type TtlSpec } from '../src/check/ttl.ts';
import { ttlConfig } from '../src/engines/flink/state/ttl.ts';
import type { KeyedProcessContext } from '../src/engines/flink/operators/keyed-process.ts';
import type { InputRecord, OutputRecord, StateRead } from '../src/stream/records.ts';
import { TOPICS, type Scenario } from './types.ts';

const TTL_MS = 250;
const BOUND_MS = 50;

/** A visit writes; a look (value divisible by 4) only reads. */
const isVisit = (r: InputRecord): boolean => r.value % 4 !== 0;

const VISITS_TTL = ttlConfig(TTL_MS);
const RECENT_TTL = ttlConfig(TTL_MS, { updateType: 'OnReadAndWrite', cleanupFullSnapshot: true });

export const TTL_VISITS_SPEC: TtlSpec = {
  states: [
    { name: 'visits', ttlMs: TTL_MS, updateType: 'OnCreateAndWrite' },
    { name: 'recent', ttlMs: TTL_MS, updateType: 'OnReadAndWrite' },
  ],
  isWrite: isVisit,
};

export const ttlVisits: Scenario = {
  name: 'ttl-visits',
  summary: 'per-user visit counters in keyed state with a 250 ms processing-time TTL (OnCreateAndWrite and OnReadAndWrite), judged against the expiry rule',
  defaults: { events: 1_000, parallelism: 2, partitions: 2, keys: 20 },
  workload: (rng, s) =>
    generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      disorderBoundMs: BOUND_MS,
      keySkew: true,
      bursts: true,
    }),
  engines: {
    flink: {
      build(env, s) {
        env
          .fromLog('visits', { topic: TOPICS.input, partitions: s.partitions, boundMs: BOUND_MS, idleTimeoutMs: 1_000 })
          .keyBy((r) => r.key)
          .process(
            {
              processElement(r: InputRecord, ctx: KeyedProcessContext<StateRead>) {
                const order = ctx.state.valueState<number>('seq');
                const seq = (order.value() ?? 0) + 1;
                order.update(seq);
                const visits = ctx.state.valueState<number>('visits', VISITS_TTL);
                const recent = ctx.state.valueState<number>('recent', RECENT_TTL);
                const read = { visits: visits.value() ?? null, recent: recent.value() ?? null };
                const write = isVisit(r);
                if (write) {
                  visits.update((read.visits ?? 0) + 1);
                  recent.update((read.recent ?? 0) + 1);
                }
                ctx.collect({ type: 'state', key: r.key, id: r.id, seq, atMs: ctx.currentProcessingTime(), write, read, ts: ctx.timestamp });
              },
            },
            'counters',
          )
          .sinkTo({ topic: TOPICS.output, partitions: s.parallelism, name: 'sink' });
      },
    },
  },
  check: ({ input, output }) => [checkTtl(input, output.filter((o: OutputRecord): o is StateRead => o.type === 'state'), TTL_VISITS_SPEC)],
};
