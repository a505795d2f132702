/**
 * Runs the real `weir` command (`node bin/weir.js …`, from the repository
 * root) as a child process and collects its exit code and output. Async, so
 * a test file can run several invocations side by side.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WeirResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** What a spawned child printed and its exit code, once it has closed. */
export function collect(child: ChildProcessWithoutNullStreams): Promise<WeirResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `env`: added to the environment (NODE_OPTIONS, say); `uid`/`gid`: run as another user (as root). */
export function weir(args: readonly string[], timeoutMs = 60_000, as: { env?: Record<string, string>; uid?: number; gid?: number } = {}): Promise<WeirResult> {
  return collect(spawn(process.execPath, ['bin/weir.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', WEIR_DEBUG: '', ...as.env },
    timeout: timeoutMs,
    ...(as.uid !== undefined ? { uid: as.uid } : {}),
    ...(as.gid !== undefined ? { gid: as.gid } : {}),
  }));
}

/** The one JSON value a `--json` invocation printed. */
export function json<T = unknown>(r: WeirResult): T {
  return JSON.parse(r.stdout) as T;
}

/** A run report as `weir run --json` prints it (the fields the contract names). */
export interface RunJson {
  scenario: string;
  seed: number;
  guarantee: string;
  events: number;
  virtualTimeMs: number;
  finishedMs?: number;
  steps: number;
  checkpoints: { completed: number; aborted: number };
  faults: { crashes: number; restarts: number };
  output: { committed: number };
  checks: { name: string; ok: boolean; detail: string }[];
  traceHash: string;
  traceEvents: number;
  token: string;
}
