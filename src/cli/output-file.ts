/**
 * Files the `weir` command writes (`weir trace -o FILE`, `weir run --trace
 * FILE`): checked before any work is done, written whole or not at all, and
 * never replacing anything that is not an ordinary file.
 *
 * - The target must be `-` (stdout), a regular file, or a new name in an
 *   existing, writable folder. A folder, a device (`/dev/null`, `/dev/full`),
 *   a symbolic link, a FIFO or a socket is refused with one line (exit 2):
 *   replacing one of those by rename would destroy it.
 * - Output accumulates in an anonymous file: created exclusively (O_EXCL)
 *   beside the target and unlinked at once, so if the process dies — Ctrl-C
 *   in the middle of a long synchronous run, which no signal handler could
 *   interrupt — the system frees it and nothing is left behind.
 * - `commit` copies it into a second exclusively created temporary file and
 *   renames that over the target, which replaces an existing regular file
 *   (the usual meaning of `-o`), keeping its mode, owner and group. A file
 *   whose owner or group this user could not give the replacement, or that
 *   has other hard links (a rename would cut them), is refused up front.
 *   The temporary file is removed if the process exits before the rename. A signal that would end the process (Ctrl-C, SIGTERM,
 *   a closed terminal) waits from the start of a commit until the copy is
 *   renamed, then ends it as it would have: a signal's default action kills
 *   the process at once, and no exit hook runs then, so mid-copy it would
 *   leave the temporary file behind.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, openSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { quote, UsageError } from './usage-error.ts';

export interface OutputFile {
  /** True when the output goes to stdout (`-`). */
  readonly toStdout: boolean;
  write(text: string): void;
  /** Makes the output final: the target now holds everything written. */
  commit(): void;
  /** Throws the output away (the target is left as it was). */
  discard(): void;
}

const COPY_CHUNK = 1 << 20;
const pendingRenames = new Set<string>();
let guarded = false;

/** The signals whose default action ends the process, which a commit holds back until its rename. */
const HELD_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function removePendingRenames(): void {
  for (const tmp of pendingRenames) rmSync(tmp, { force: true });
}

/**
 * Once per process, before the first commit: temporary files a normal exit (or an error) left
 * before their rename are removed at exit; and from then on a terminating signal reaches the
 * process only between two turns of its event loop (Node runs signal listeners there), never in
 * the middle of a commit's synchronous copy and rename. The listener removes what a commit may
 * have left, gives the signal its default action back and raises it again, so the process still
 * ends by that signal (the shell sees 130 for Ctrl-C, as without the listener).
 */
function guardCommits(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', removePendingRenames);
  const onSignal = (signal: NodeJS.Signals): void => {
    removePendingRenames();
    for (const s of HELD_SIGNALS) process.removeListener(s, onSignal);
    process.kill(process.pid, signal);
  };
  for (const s of HELD_SIGNALS) process.on(s, onSignal);
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Why `path` cannot be written as an output file, or undefined when it can. */
export function outputProblem(path: string): string | undefined {
  if (path === '') return 'an empty file name';
  // `dir/` names a folder even when none exists yet: refuse it before the run, not at the rename after it.
  if (path.endsWith('/')) return 'it names a folder (it ends in "/"); give a file name';
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return `it cannot be inspected (${code})`;
  }
  if (st !== undefined) {
    if (st.isSymbolicLink()) return 'it is a symbolic link (give the file it points to)';
    if (st.isDirectory()) return 'it is a folder';
    if (!st.isFile()) return 'it is not a regular file (a device, FIFO or socket)';
    // Replaced by a rename, a write-protected file would lose its protection: refuse it, as cp does.
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      return `it is write-protected (${(e as NodeJS.ErrnoException).code}); choose another name, or make it writable first`;
    }
    // The new file takes the old one's mode, owner and group (`commit`); a rename cannot keep its other names.
    if (st.nlink > 1) return `it has ${st.nlink - 1} other hard link${st.nlink > 2 ? 's' : ''}, which replacing it would cut; remove it first or choose another name`;
    const ownerProblem = ownershipProblem(st);
    if (ownerProblem !== undefined) return ownerProblem;
  }
  const dir = dirname(path);
  try {
    const dirSt = statSync(dir);
    if (!dirSt.isDirectory()) return `${quote(dir, 60)} is not a folder`;
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? `the folder ${quote(dir, 60)} does not exist` : `the folder ${quote(dir, 60)} is not writable (${code})`;
  }
  return undefined;
}

/**
 * Why this process cannot give a replacement of the file `st` describes the file's owner and
 * group (only root may give a file away; anyone may give it a group they belong to).
 */
function ownershipProblem(st: { uid: number; gid: number }): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return undefined;
  if (st.uid !== uid) return 'it belongs to another user, and its replacement would be yours; choose another name';
  if (st.gid !== process.getgid?.() && !(process.getgroups?.() ?? []).includes(st.gid)) {
    return 'its group is one this user is not in, and its replacement could not keep it; choose another name';
  }
  return undefined;
}

/** What a failed write's error code means for the user, and what to do. */
function ioAdvice(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return `the disk is full (${code}); free some space or write it elsewhere`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `not permitted (${code}); choose another name or folder`;
  return `${code ?? (e as Error).message}; choose another name or folder`;
}

/**
 * Gives the replacement open on `fd` the mode, owner and group of the file at `path`, when there
 * is one, so that replacing a file keeps who may read it, as writing over it would (`cp`).
 * `outputProblem` refused, before the run, a file whose owner or group this process cannot give.
 */
function keepModeAndOwner(fd: number, path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  fchmodSync(fd, st.mode & 0o7777);
  const f = fstatSync(fd);
  if (f.uid !== st.uid || f.gid !== st.gid) fchownSync(fd, st.uid, st.gid);
}

/**
 * Opens an output file for `what` ("trace file"): `-` is stdout. Throws a
 * UsageError naming the problem when the target cannot be written.
 */
export function openOutput(path: string, what: string): OutputFile {
  if (path === '-') {
    return { toStdout: true, write: (text) => void process.stdout.write(text), commit: () => {}, discard: () => {} };
  }
  const problem = outputProblem(path);
  if (problem !== undefined) throw new UsageError(`cannot write ${what} ${quote(path, 60)}: ${problem}`);
  const fail = (why: string): never => {
    throw new UsageError(`cannot write ${what} ${quote(path, 60)}: ${why}`);
  };
  let fd: number | undefined;
  const anon = tempName(path);
  try {
    fd = openSync(anon, 'wx+');
    unlinkSync(anon);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(anon, { force: true });
    fail(`a temporary file beside it could not be created: ${ioAdvice(e)}`);
  }
  let size = 0;
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd as number);
    open = false;
  };
  return {
    toStdout: false,
    write: (text) => {
      const buf = Buffer.from(text, 'utf8');
      try {
        writeSync(fd as number, buf, 0, buf.length, size);
      } catch (e) {
        close();
        fail(ioAdvice(e));
      }
      size += buf.length;
    },
    commit: () => {
      const again = outputProblem(path);
      if (again !== undefined) {
        close();
        fail(`${again} (it changed during the run)`);
      }
      guardCommits();
      const tmp = tempName(path);
      pendingRenames.add(tmp);
      try {
        const out = openSync(tmp, 'wx');
        try {
          keepModeAndOwner(out, path);
          const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(1, size)));
          for (let pos = 0; pos < size; ) {
            const n = readSync(fd as number, buf, 0, Math.min(buf.length, size - pos), pos);
            if (n <= 0) throw new Error('short read');
            writeSync(out, buf, 0, n);
            pos += n;
          }
        } finally {
          closeSync(out);
        }
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        fail(ioAdvice(e));
      } finally {
        pendingRenames.delete(tmp);
        close();
        // Two more turns of the event loop, so that a signal held during the commit is acted on even
        // when the program has nothing left to wait for and would otherwise exit first (a signal
        // caught while synchronous code ran reaches its listener on the second turn, not the first).
        setImmediate(() => setImmediate(() => {}));
      }
    },
    discard: close,
  };
}
