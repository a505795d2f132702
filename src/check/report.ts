/**
 * A bounded collector of problems for one check. It keeps the first few
 * problem descriptions in the order they were found (the checkers iterate in
 * a deterministic order, so the first problem is stable per seed) and counts
 * the rest, so a run with a million broken records still prints one line.
 */
import type { CheckResult } from './types.ts';

const KEPT_MAX = 5;

export class Problems {
  private readonly kept: string[] = [];
  private dropped = 0;
  /** Problems a replay makes, counted and not reported (`allowReplays`). */
  private allowed = 0;

  /**
   * `allowReplays`: what a replay under at-least-once makes — a record counted more than once, a
   * result committed twice, a later firing of a replayed attempt without what the failed one's
   * held — is counted (`replays`) instead of failing the verdict; see `replay`.
   */
  constructor(private readonly allowReplays = false) {}

  add(problem: string): void {
    if (this.kept.length < KEPT_MAX) this.kept.push(problem);
    else this.dropped++;
  }

  /** A problem a replay under at-least-once makes (never a record lost): reported, or only counted when replays are allowed. */
  replay(problem: string): void {
    if (this.allowReplays) this.allowed++;
    else this.add(problem);
  }

  /** The problems counted instead of reported. */
  get replays(): number {
    return this.allowed;
  }

  get count(): number {
    return this.kept.length + this.dropped;
  }

  /** The verdict: failed with the first problem named, or passed with `summary`. */
  verdict(name: string, summary: string): CheckResult {
    if (this.count === 0) return { name, ok: true, detail: summary };
    const more = this.count - 1;
    const tail = more > 0 ? ` (and ${formatCount(more)} more problem${more === 1 ? '' : 's'})` : '';
    return { name, ok: false, detail: this.kept[0] + tail };
  }

  /** All kept problem lines (for tests and verbose output). */
  lines(): readonly string[] {
    return this.kept;
  }
}

/** `12345` → `12,345`, without depending on the platform's locale data. */
export function formatCount(n: number): string {
  const digits = String(Math.abs(Math.trunc(n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? '-' : '') + out;
}

/** `[start,end)` as the detail lines print a window. */
export function formatWindow(start: number, end: number): string {
  return `[${start},${end})`;
}
