/**
 * tables: two tables keyed by user — each user's region and each user's
 * score, both updated and deleted over time — joined and aggregated the
 * KTable way, which only Kafka Streams has. Both tables come from one keyed
 * input topic, so they are co-partitioned and one task holds a user's rows
 * of both. The regions table is joined with the scores table three ways
 * (inner, left, outer: KTable–KTable joins, each materialized in a
 * changelogged store), the users are counted per region (`groupBy` on the
 * regions table, `count`), and the scores are summed per region (`groupBy`
 * on the left join, `reduce` with a subtractor). A region update re-keys a
 * user's row, so it leaves one group (the subtractor) and joins another (the
 * adder). The scores table is also filtered to the scores above 50 and
 * mapped ×10 (KTable `filter` and `mapValues`, the latter materialized): a
 * score that falls to 50 or below deletes the user's row there. That table
 * is inner-joined with the regions and its scores summed per region. Every
 * table change is written out; `tables.join`, `tables.filter` and
 * `tables.aggregate` judge them against the input.
 */
import { toTableChanges, type KTable } from '../src/engines/kstreams/dsl.ts';
import { generateTables } from '../src/workload/tables.ts';
import {
  checkTables, HIGH_PER_REGION, HIGH_SCORE_FACTOR, HIGH_SCORES, isHigh, JOIN_TABLES, profileValue, regionKey, SCORE_PER_REGION, TABLE_REGION, TABLE_SCORE, USERS_PER_REGION,
} from '../src/check/tables.ts';
import type { InputRecord } from '../src/stream/records.ts';
import { TOPICS, type Scenario } from './types.ts';

const REGIONS = 4;

/** A joined row: the user's region and score, null for a missing side. */
interface Profile {
  region: number | null;
  score: number | null;
}

const profile = (r: unknown, s: unknown): Profile => ({ region: (r as InputRecord | null)?.value ?? null, score: (s as InputRecord | null)?.value ?? null });

export const tables: Scenario = {
  name: 'tables',
  summary: 'users\' regions ⋈ scores (KTable–KTable inner, left, outer joins), high scores (KTable filter, mapValues) and per-region count and sums with a subtractor (Kafka Streams only)',
  defaults: { events: 1_000, parallelism: 2, partitions: 4, keys: 20 },
  workload: (rng, s) => generateTables(rng, { events: s.events, users: s.keys, regions: REGIONS, partitions: s.partitions }),
  engines: {
    kstreams: {
      build(builder) {
        const all = builder.stream(TOPICS.input);
        // A tombstone (value 0) is Kafka's null value: it deletes the user's row. The two tables
        // have no record cache: a join reads the other side through its cache, so with both cached,
        // a user deleted from both within one commit interval would keep its inner-join row (each
        // side's flushed deletion finds the other side already gone and forwards nothing).
        const table = (stream: string): KTable => all
          .filter((_k, v) => (v as InputRecord).stream === stream)
          .mapValues((v) => ((v as InputRecord).value === 0 ? null : v))
          .toTable({ name: `${stream}s`, caching: false });
        const regions = table(TABLE_REGION);
        const scores = table(TABLE_SCORE);
        const joins = { inner: regions.join(scores, profile, { name: 'inner-profiles' }), left: regions.leftJoin(scores, profile, { name: 'left-profiles' }), outer: regions.outerJoin(scores, profile, { name: 'outer-profiles' }) };
        for (const kind of JOIN_TABLES) toTableChanges(joins[kind], TOPICS.output, kind, (p) => profileValue((p as Profile).region, (p as Profile).score));
        const users = regions.groupBy((_user, r) => [regionKey((r as InputRecord).value), r]).count({ name: USERS_PER_REGION });
        toTableChanges(users, TOPICS.output, USERS_PER_REGION);
        // The left join is materialized with its record cache, so the old value a change carries
        // downstream is the value last forwarded, which the subtractor takes back out.
        const sums = joins.left
          .groupBy((_user, p) => [regionKey((p as Profile).region!), (p as Profile).score ?? 0])
          .reduce((sum: number, score: number) => sum + score, (sum: number, score: number) => sum - score, { name: SCORE_PER_REGION });
        toTableChanges(sums, TOPICS.output, SCORE_PER_REGION);
        // The scores table is materialized (named), so the filter sends old values: a score that
        // stops passing forwards a deletion of the user's row, one that fails before and after
        // forwards nothing. The mapped table is materialized without a cache, for the join's sake.
        const highs = scores
          .filter((_user, s) => isHigh((s as InputRecord).value))
          .mapValues((s) => (s as InputRecord).value * HIGH_SCORE_FACTOR, { name: HIGH_SCORES, caching: false });
        toTableChanges(highs, TOPICS.output, HIGH_SCORES);
        const highSums = regions
          .join(highs, (r, h) => [(r as InputRecord).value, h as number])
          .groupBy((_user, p) => [regionKey((p as [number, number])[0]), (p as [number, number])[1]])
          .reduce((sum: number, score: number) => sum + score, (sum: number, score: number) => sum - score, { name: HIGH_PER_REGION });
        toTableChanges(highSums, TOPICS.output, HIGH_PER_REGION);
      },
    },
  },
  check: ({ inputByPartition, output }) => checkTables(inputByPartition, output),
};
