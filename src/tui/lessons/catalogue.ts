/** The walkthrough lessons, in the order the menu offers them. */
import { watermarksLesson } from './watermarks.ts';
import { lateDataLesson } from './late-data.ts';
import { triggersLesson } from './triggers.ts';
import { barriersLesson } from './barriers.ts';
import { buffersLesson } from './buffers.ts';
import { exactlyOnceLesson } from './exactly-once.ts';
import { zombiesLesson } from './zombies.ts';
import { jobManagerLesson } from './job-manager.ts';
import { kstreamsLesson } from './kstreams.ts';
import { txnTimeoutLesson } from './txn-timeout.ts';
import { warmupsLesson } from './warmups.ts';
import { sparkLesson } from './spark.ts';
import { threeEnginesLesson } from './three-engines.ts';
import { finalResultsLesson } from './final-results.ts';
import { unfencedLesson } from './unfenced.ts';
import { lostReleaseLesson } from './lost-release.ts';
import type { Lesson } from './types.ts';

export const LESSONS: readonly Lesson[] = [watermarksLesson, lateDataLesson, barriersLesson, buffersLesson, exactlyOnceLesson, zombiesLesson, jobManagerLesson, kstreamsLesson, unfencedLesson, lostReleaseLesson, warmupsLesson, txnTimeoutLesson, sparkLesson, threeEnginesLesson, finalResultsLesson, triggersLesson];

export function findLesson(name: string): Lesson | undefined {
  return LESSONS.find((l) => l.name === name);
}
