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

/**
 * `raw` as an error message shows what the user typed: in double quotes,
 * cut to `max` characters (then `…`), with quotes, backslashes and control
 * characters escaped as in JSON, so no value can break the one line, colour
 * the terminal or fill the screen.
 */
export function quote(raw: string, max = 40): string {
  const chars = [...raw];
  return escapeControls(JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : raw));
}

/**
 * `s` with every control character a terminal could act on — C0, DEL, C1
 * (U+009B is a CSI on some terminals) and the bidirectional overrides —
 * written as a `\uXXXX` escape.
 */
export function escapeControls(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * What a target that is neither a scenario nor a file nor a token is, when it
 * looks like a token's body without its `w2.` (a token cut at the front), or
 * undefined.
 */
export function tokenBodyProblem(target: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(target)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(target, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof decoded !== 'object' || decoded === null || !('scenario' in decoded)) return undefined;
  return `${quote(target, 24)} is not a weir token: a token starts with w2. (copy the whole token from a replay: line)`;
}
