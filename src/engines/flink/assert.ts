/**
 * Assertions for invariants the engine relies on. A failed assertion is an
 * engine bug, never a user error: it stops the run loudly.
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new AssertionError(message);
}
