/**
 * Lesson `lost-release`: Kafka Streams under at-least-once can lose a final
 * result. The run is what `weir explore` shrank the soak's find to:
 * wordcount-final on one instance, ten words of seed 37's run (ids kept by
 * the shrinker), commits every 250 ms, one crash. A commit flushes the
 * caches, suppress releases the windows that closed, and the buffer logs
 * their tombstones to its changelog; the releases go to the output topic, a
 * different partition. The tombstones land, the instance crashes before the
 * releases do; the restored buffer no longer holds the windows, and their
 * records were committed at earlier commits, so nothing writes them again.
 * Under exactly-once the same crash aborts both together and the replay
 * writes the windows.
 */
import type { RunSettings } from '../../explore/settings.ts';
import { num, str } from '../model/fields.ts';
import { checkText, eventsOf, lastBefore, type Lesson, type StepContext } from './types.ts';

const BASE: Omit<RunSettings, 'guarantee'> = {
  scenario: 'wordcount-final',
  engine: 'kstreams',
  seed: 37,
  faults: 'swarm',
  bugs: [],
  events: 430,
  commitIntervalMs: 250,
  parallelism: 1,
  keys: 3,
  keepIds: [342, 347, 348, 366, 411, 412, 415, 419, 423, 429, 430, 431, 432, 433],
  plan: { faults: [{ kind: 'crash', atMs: 4645, process: 'ks-0', restartAfterMs: 1 }] },
};

const FILTER = 'ks.suppress.emit,ks.commit,ks.restored,proc.,log.append,txn.';
const BUFFER = 'KTABLE-SUPPRESS-STATE-STORE-0000000007';

/** The releases of the step's commit: the suppress emits at the step event's time. */
const releasesAt = (c: StepContext, t: number) => eventsOf(c, 'ks.suppress.emit').filter((e) => e.t === t);
const windowText = (e: { [k: string]: unknown }) => `${String(e.key)} [${String(e.start)}, ${String(e.end)})`;

export const lostReleaseLesson: Lesson = {
  name: 'lost-release',
  title: 'At-least-once can lose a final result',
  summary: 'suppress releases windows at a commit, their buffer tombstones land, the crash takes the releases: the final counts are never written',
  runs: [
    { key: 'alos', label: 'at-least-once', settings: { ...BASE, guarantee: 'at-least-once' } },
    { key: 'eos', label: 'exactly_once_v2', settings: { ...BASE, guarantee: 'exactly-once' } },
  ],
  steps: [
    {
      title: 'Final counts, at least once',
      at: 'start',
      text: 'wordcount-final on one Kafka Streams instance under at-least-once: counts per word in one-second windows, and suppress (untilWindowCloses) writes each window\'s count once, when the window has closed. Ten words of seed 37, commits every 250 ms, one crash: the run `weir explore` shrank a soak\'s failure to. At-least-once promises that nothing is lost: a commit flushes the producer before it commits the consumed offsets, so whatever was not flushed is consumed again after a crash. Watch a case where that is not enough.',
    },
    {
      title: 'Released at a commit',
      at: { kind: 'ks.suppress.emit' },
      filter: FILTER,
      text: (c) => {
        const releases = releasesAt(c, c.event.t);
        const before = lastBefore(c, 'ks.commit', c.event.p);
        return `At ${c.event.t} ms ${c.event.p} commits. Its caches flush, and the updates they held carry suppress's stream time to ${num(c.event, 'streamTime')}, past the end of window [${num(c.event, 'start')}, ${num(c.event, 'end')}) plus the grace: suppress releases ${releases.map((e) => `${windowText(e)} (records ${String(e.ids)})`).join(' and ')}, and removes them from its buffer, whose changelog gets a tombstone for each. The records in those windows were consumed long ago${before ? `: the commit at ${before.t} ms had committed their offsets` : ''}. Their counts now exist only in the releases on their way to the output topic.`;
      },
    },
    {
      title: 'The tombstones land first',
      at: { kind: 'log.append', match: (c: StepContext) => str(c.event, 'topic') === `weir-app-${BUFFER}-changelog` },
      filter: FILTER,
      text: (c) => `The broker appends ${num(c.event, 'count')} records to partition ${num(c.event, 'partition')} of the buffer's changelog at ${c.event.t} ms: the tombstones of the released windows (and the buffer's newer entries). The releases travel to the output topic in another produce request, to another partition, which on a real cluster is often led by another broker. Kafka's producer orders nothing across partitions.`,
    },
    {
      title: 'The crash',
      at: { kind: 'proc.crash' },
      filter: FILTER,
      text: (c) => {
        const lastRelease = lastBefore(c, 'ks.suppress.emit');
        return `${c.event.p} crashes at ${c.event.t} ms, ${lastRelease ? c.event.t - lastRelease.t : '?'} ms after the releases, before their batch reached the output topic. The commit never finished, so its offsets were not committed; that would only matter for records it had consumed since the commit before.`;
      },
    },
    {
      title: 'Restored without them',
      at: { kind: 'ks.restored', match: (c: StepContext) => str(c.event, 'store') === BUFFER && (num(c.event, 'records') ?? 0) > 0 && eventsOf(c, 'proc.crash').some((e) => e.seq < c.event.seq) },
      filter: FILTER,
      text: (c) => `Restarted, ${c.event.p} rebuilds task ${str(c.event, 'task')}'s suppression buffer from its changelog: ${num(c.event, 'records')} records, the tombstones among them, so the released windows are not in it. The counts store still holds their counts, but the aggregate forwards a window only when a record updates it, and their records are not read again: their offsets were committed. Nothing will write those windows.`,
    },
    {
      title: 'Lost',
      at: 'end',
      text: (c) => `The at-least-once check fails: ${c.replay.rec.meta.checks?.find((x) => x.name === 'at-least-once')?.detail ?? 'not judged'}. The job ran on and finished; the windows released just before the crash never reached the output. At-least-once replays what was not committed, but suppress's decision to release was made durable (the tombstone) without the release itself. Next: the same crash under exactly-once.`,
    },
    {
      title: 'Exactly-once: one transaction for both',
      run: 'eos',
      at: 'end',
      text: (c) => {
        const aborts = eventsOf(c, 'txn.abort').length;
        return `Under exactly_once_v2 the releases, the buffer's tombstones and the consumed offsets go into one transaction per commit. The crash leaves it open, and the restarted instance's new epoch aborts it (${aborts} transaction${aborts === 1 ? '' : 's'} aborted in this run): the tombstones vanish with the releases, the restored buffer still holds the windows, and the replay releases them again. ${checkText(c, 'exactly-once')}. q leaves.`;
      },
    },
  ],
};
