/**
 * Bad input to the `weir` command: an unknown command, flag, scenario or bug,
 * a value that does not parse, a malformed repro token. The command line
 * prints its message as one line on stderr, prefixed with `weir: `, and exits
 * with code 2 (the contract in DESIGN.md). The message says what is wrong and
 * what to do about it; it never carries a stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes, one meaning each. */
export const EXIT = { ok: 0, checkFailed: 1, badInput: 2 } as const;
