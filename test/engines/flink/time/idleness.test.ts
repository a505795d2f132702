/**
 * IdlenessTimer as Flink's WatermarksWithIdleness.IdlenessTimer: the first
 * check without activity starts the countdown, idle only once strictly more
 * than the timeout has passed since then, any activity resets it; the
 * countdown works from virtual time 0.
 */
import { describe, expect, test } from 'vitest';
import { IdlenessTimer } from '../../../../src/engines/flink/time/idleness.ts';

describe('IdlenessTimer', () => {
  test('countdown starts at the first quiet check; idle strictly after the timeout', () => {
    const t = new IdlenessTimer(1000);
    expect(t.checkIfIdle(0)).toBe(false); // starts the countdown at 0
    expect(t.checkIfIdle(1000)).toBe(false); // exactly the timeout: not yet
    expect(t.checkIfIdle(1001)).toBe(true);
  });
  test('activity resets the countdown', () => {
    const t = new IdlenessTimer(1000);
    t.checkIfIdle(0);
    t.activity();
    expect(t.checkIfIdle(5000)).toBe(false); // saw activity since last check
    expect(t.checkIfIdle(5200)).toBe(false); // countdown starts at 5200
    expect(t.checkIfIdle(6200)).toBe(false);
    expect(t.checkIfIdle(6201)).toBe(true);
  });
  test('a timeout must be a positive integer', () => {
    expect(() => new IdlenessTimer(0)).toThrow();
    expect(() => new IdlenessTimer(1.5)).toThrow();
  });
});
