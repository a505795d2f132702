/**
 * Group commit (`GroupSync`). Proves, on random interleavings of requests,
 * fsync completions and requests made from inside a completion callback:
 * every request is answered exactly once, and only by an fsync that started
 * after the request was made (so all it appended is covered); at most one
 * fsync is in flight; and no fsync starts without a request waiting for it.
 * How: a stand-in disk records each fsync call and completes the oldest one
 * when the drawn script says so; every answer is checked against the fsync
 * that produced it.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { GroupSync } from '../../src/log/group-sync.ts';
import type { Disk } from '../../src/runtime/types.ts';

describe('GroupSync', () => {
  test.prop([fc.array(fc.oneof(fc.constant('request' as const), fc.constant('complete' as const), fc.constant('request-in-callback' as const)), { maxLength: 60 })])(
    'answers each request once, after an fsync that started after it, one fsync at a time',
    (script) => {
      let clock = 0;
      const inFlight: { startedAt: number; done: () => void }[] = [];
      let maxInFlight = 0;
      let started = 0;
      let completing: { startedAt: number } | undefined;
      const disk = {
        fsync(_path: string, done: () => void) {
          started++;
          inFlight.push({ startedAt: clock++, done });
          maxInFlight = Math.max(maxInFlight, inFlight.length);
        },
      } as unknown as Disk;
      const sync = new GroupSync(disk, 'f');
      const answers = new Map<number, number>();
      const madeAt = new Map<number, number>();
      let next = 0;
      const ask = (alsoAskInCallback: boolean): void => {
        const id = next++;
        madeAt.set(id, clock++);
        sync.request(() => {
          answers.set(id, (answers.get(id) ?? 0) + 1);
          // The fsync that answers must have started after the request.
          expect(completing!.startedAt).toBeGreaterThan(madeAt.get(id)!);
          if (alsoAskInCallback) ask(false);
        });
      };
      for (const step of script) {
        if (step === 'complete') {
          const f = inFlight.shift();
          if (f === undefined) continue;
          completing = f;
          f.done();
        } else ask(step === 'request-in-callback');
      }
      // Drain.
      for (let f = inFlight.shift(); f !== undefined; f = inFlight.shift()) {
        completing = f;
        f.done();
      }
      expect(maxInFlight).toBeLessThanOrEqual(1);
      for (let id = 0; id < next; id++) expect(answers.get(id), `request ${id}`).toBe(1);
      expect(started).toBeLessThanOrEqual(next);
    },
  );
});
