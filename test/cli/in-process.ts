/**
 * Runs the `weir` command in this process: `main(argv)` from src/cli/main.ts
 * with stdout and stderr captured, the exit code it returns. No child
 * process, so a test can feed it hundreds of inputs in a second. Calls must
 * not overlap (the capture replaces process.stdout.write and
 * process.stderr.write while one runs): await each before the next.
 */
import { main } from '../../src/cli/main.ts';
import type { WeirResult } from './helpers.ts';

let busy = false;

export async function weirIn(argv: readonly string[]): Promise<WeirResult> {
  if (busy) throw new Error('weirIn: calls must not overlap');
  busy = true;
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = (add: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      add(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r): r is () => void => typeof r === 'function');
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  const debug = process.env.WEIR_DEBUG;
  delete process.env.WEIR_DEBUG;
  try {
    const status = await main([...argv]);
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    if (debug !== undefined) process.env.WEIR_DEBUG = debug;
    busy = false;
  }
}
