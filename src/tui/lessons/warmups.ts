/**
 * Lesson `warmups`: how Kafka Streams' task assignor keeps a task running
 * while the instance it belongs on catches up (KIP-441). Wordcount on two
 * instances under exactly-once, no random faults: ks-0 crashes at 3 s and is
 * back 1.5 s later, after its session expired, so ks-1 runs every task
 * meanwhile. Under exactly-once a running task's state directory holds no
 * checkpoint, so ks-0 comes back with nothing to report.
 *
 * The first run sets `acceptable.recovery.lag` to 0 (Kafka's default,
 * 10,000 records, is more than any shipped changelog holds, so there every
 * instance counts as caught up): the assignor keeps ks-0's counting tasks on
 * ks-1, which is caught up, and gives ks-0 warm-up replicas of them; the
 * probing rebalance 13,333 ms later (Kafka's 10 minutes, scaled as the
 * session timeout is) hands them back, and ks-0 promotes its warm-ups. The
 * second run is the same crash at Kafka's default lag: the round-robin
 * gives ks-0 its tasks at once, and it restores them in full.
 */
import type { RunSettings } from '../../explore/settings.ts';
import { num, str } from '../model/fields.ts';
import { fmtSecs } from '../model/format.ts';
import { checkText, eventsOf, lastBefore, listText, type Lesson, type StepContext } from './types.ts';

const BASE: RunSettings = {
  scenario: 'wordcount',
  engine: 'kstreams',
  seed: 1,
  guarantee: 'exactly-once',
  faults: 'none',
  bugs: [],
  plan: { faults: [{ kind: 'crash', atMs: 3_000, process: 'ks-0', restartAfterMs: 1_500 }] },
};

const FILTER = 'ks.assigned,ks.standby,ks.restored,group.,proc.';

/** ks-0 after its own restart. */
const restarted = (c: StepContext): boolean =>
  c.event.p === 'ks-0' && eventsOf(c, 'proc.restart').some((e) => e.p === 'ks-0' && e.seq < c.event.seq);

/** The records `ks.restored` events of the step's process read for `tasks`, after the step. */
const restoredAfter = (c: StepContext, tasks: readonly string[]): number =>
  eventsOf(c, 'ks.restored').filter((e) => e.p === c.event.p && e.seq > c.event.seq && tasks.includes(str(e, 'task') ?? '')).reduce((n, e) => n + (num(e, 'records') ?? 0), 0);

export const warmupsLesson: Lesson = {
  name: 'warmups',
  title: 'Kafka Streams: warm-up replicas and the probing rebalance',
  summary: 'a restarted instance without state gets warm-ups instead of its tasks; a probing rebalance hands the tasks back once the warm-ups caught up',
  runs: [
    { key: 'warm', label: 'acceptable.recovery.lag 0', settings: { ...BASE, acceptableRecoveryLag: 0 } },
    { key: 'default', label: 'acceptable.recovery.lag 10,000', settings: BASE },
  ],
  steps: [
    {
      title: 'A crash that loses the state',
      at: { kind: 'proc.crash', match: (c: StepContext) => c.event.p === 'ks-0' },
      filter: FILTER,
      text: (c) => `ks-0 crashes at ${fmtSecs(c.event.t, 3)}. Under exactly-once a running task's state directory holds no checkpoint (Kafka deletes it when the task starts), so nothing ks-0 kept on disk can be trusted: it will come back with no state for its counting tasks 1_0 and 1_2. This run sets acceptable.recovery.lag to 0; Kafka's default is 10,000 records, more than any changelog here holds.`,
    },
    {
      title: 'ks-1 takes everything',
      at: { kind: 'ks.assigned', match: (c: StepContext) => c.event.p === 'ks-1' && (c.event.tasks as string[]).length === 8 },
      filter: FILTER,
      text: (c) => `ks-0's session runs out and generation ${num(c.event, 'generation')} gives ks-1 every task: ${listText(c, 'tasks')}. It restores 1_0 and 1_2 from their changelogs (${restoredAfter(c, ['1_0', '1_2'])} records) and keeps its own two, which it held suspended across the rebalance.`,
    },
    {
      title: 'Warm-ups instead of tasks',
      at: { kind: 'ks.assigned', match: restarted },
      filter: FILTER,
      text: (c) => `ks-0 is back and joins; its join reports no offset sums. The round-robin deals 1_0 and 1_2 to ks-0 as before, but ks-0 is the whole changelog behind, more than the acceptable 0, and ks-1 is caught up: the assignor moves them to ks-1 and gives ks-0 warm-up replicas instead (standbys ${listText(c, 'standbys')}, Kafka's max.warmup.replicas is 2). ks-1 keeps the counting tasks and their stores: under weir's eager protocol it suspended them for the rebalance and now resumes them from memory, with nothing to restore; ks-0 runs only the stateless tasks ${listText(c, 'tasks')}.`,
    },
    {
      title: 'Caught up',
      at: { kind: 'ks.standby', match: (c: StepContext) => c.event.p === 'ks-0' && c.event.action === 'caught-up' },
      filter: FILTER,
      text: (c) => `The warm-up of ${str(c.event, 'task')} has read its changelog, read committed, to the end (${listText(c, 'offsets')}) and now follows it as ks-1 writes. Nothing moves yet: the assignor only runs in a rebalance.`,
    },
    {
      title: 'The probing rebalance',
      at: { kind: 'group.rebalance', match: (c: StepContext) => c.event.clientReason === 'probing' },
      filter: FILTER,
      text: (c) => {
        const written = lastBefore(c, 'group.generation');
        const leader = /^join:(ks-\d+)-/.exec(str(c.event, 'reason') ?? '')?.[1] ?? 'the leader';
        return `At ${fmtSecs(c.event.t, 3)}, ${fmtSecs(c.event.t - (written?.t ?? 0), 3)} after generation ${num(c.event, 'generation')} was written, the group rebalances to probe: the last assignment moved tasks, so it told the group leader's member, on ${leader}, to join again after probing.rebalance.interval.ms (10 minutes in Kafka; here scaled as the session timeout is). ${leader} revoked its tasks and joined with the reason "probing"; the others learn of the rebalance from their heartbeats.`;
      },
    },
    {
      title: 'Promoted, not restored',
      at: { kind: 'ks.standby', match: (c: StepContext) => c.event.p === 'ks-0' && c.event.action === 'promoted' },
      filter: FILTER,
      text: (c) => `Now ks-0 reports its warm-ups' offsets and counts as caught up, so the round-robin stands: ${str(c.event, 'task')} goes back to ks-0, and its warm-up becomes the active task, stores and position kept. Restoration reads only the tail past the warm-up's position (${restoredAfter(c, [str(c.event, 'task') ?? ''])} records).`,
    },
    {
      title: 'Verdict',
      at: 'end',
      text: (c) => `${checkText(c, 'exactly-once')}. ${checkText(c, 'ks.restore')}. Next: the same crash at Kafka's default lag.`,
    },
    {
      title: 'At the default lag',
      run: 'default',
      at: { kind: 'ks.assigned', match: restarted },
      filter: FILTER,
      text: (c) => `With acceptable.recovery.lag at 10,000 every instance counts as caught up, so the assignor deals round-robin and nothing else: ks-0 gets ${listText(c, 'tasks')} back at once and restores 1_0 and 1_2 from the changelogs in full (${restoredAfter(c, ['1_0', '1_2'])} records) while they wait. Here that takes milliseconds; with changelogs of millions of records it takes minutes, which is what warm-ups are for. Press q to leave.`,
    },
  ],
};
