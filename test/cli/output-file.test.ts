/**
 * Output files of the `weir` command (`weir trace -o`, `weir run --trace`).
 * Proves, with the real command: a target that is a device, a folder, a
 * symbolic link, a FIFO or a name in a missing folder is refused before any
 * work with one line and exit 2, and the target and its folder are left
 * exactly as they were; so is a name ending in "/", a write-protected
 * file, another user's file (run as the user nobody when the tests run as
 * root) and a file with other hard links; a replaced file keeps its mode,
 * owner and group; `-` writes to stdout (and `run` then reports on stderr); a full
 * standard output (/dev/full) gives one line and exit 2, also when it is
 * the trace that fills it; a trace write
 * that fails during the run does not reach the run, and makes the commit
 * fail instead; an existing regular file is replaced by the complete
 * output; a run killed by SIGINT in the middle leaves no file behind; and a
 * signal that arrives during a commit waits for it (the file whole, no
 * temporary file beside it), then ends the process.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, linkSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonl, hashEvents } from '../../src/sim/trace.ts';
import { json, ROOT, weir, type RunJson } from './helpers.ts';
import { encodeToken } from '../../src/explore/settings.ts';
import { traceLines } from '../../src/cli/trace-out.ts';
import type { OutputFile } from '../../src/cli/output-file.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

const SMALL = ['--events', '60', '--faults', 'none', '--seed', '5'];
const TOKEN_OF_SMALL = encodeToken({ scenario: 'bank', engine: 'flink', seed: 5, events: 60, guarantee: 'exactly-once', faults: 'none', bugs: [] });

describe('output files', () => {
  it('refuses what is not a regular file or a new name, before any work, touching nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-out-'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'link'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const before = readdirSync(dir).sort();
    const targets = ['/dev/null', '/dev/full', dir, join(dir, 'link'), join(dir, 'fifo'), join(dir, 'missing', 'x.jsonl'), '', join(dir, 'new-folder') + '/'];
    const runs = await Promise.all(targets.flatMap((t) => [weir(['run', 'bank', ...SMALL, '--trace', t]), weir(['trace', 'w1.e30', '--format', 'jsonl', '-o', t])]));
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^weir: [^\n]+\n$/);
      expect(r.stdout).toBe('');
    }
    const run = (t: string) => runs[targets.indexOf(t) * 2]!.stderr;
    expect(run('/dev/null')).toContain('not a regular file');
    expect(run(dir)).toContain('is a folder');
    expect(run(join(dir, 'link'))).toContain('symbolic link');
    expect(run(join(dir, 'missing', 'x.jsonl'))).toContain('does not exist');
    expect(run(join(dir, 'new-folder') + '/')).toContain('it names a folder (it ends in "/")');
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readlinkSync(join(dir, 'link'))).toBe(join(dir, 'elsewhere'));
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('replaces an existing regular file with the whole trace, and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-out-'));
    const file = join(dir, 'trace.jsonl');
    writeFileSync(file, 'old content\n');
    const r = await weir(['run', 'bank', ...SMALL, '--json', '--trace', file]);
    expect(r.status).toBe(0);
    const report = json<RunJson>(r);
    expect(hashEvents(parseJsonl(readFileSync(file, 'utf8')))).toBe(report.traceHash);
    expect(readdirSync(dir)).toEqual(['trace.jsonl']);
  });

  it('a replaced file keeps its mode (and, run as root, its owner and group); one with other hard links is refused before the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-out-'));
    const file = join(dir, 'private.jsonl');
    writeFileSync(file, 'old content\n');
    chmodSync(file, 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(file, 65534, 65534);
    const before = statSync(file);
    const r = await weir(['run', 'bank', ...SMALL, '--trace', file]);
    expect(r.status, r.stderr).toBe(0);
    const after = statSync(file);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o7777).toBe(0o640);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
    expect(readFileSync(file, 'utf8')).not.toBe('old content\n');

    const linked = join(dir, 'linked.jsonl');
    writeFileSync(linked, 'kept\n');
    linkSync(linked, join(dir, 'other-name.jsonl'));
    for (const args of [['run', 'bank', ...SMALL, '--trace', linked], ['trace', TOKEN_OF_SMALL, '--format', 'jsonl', '-o', linked]]) {
      const refused = await weir(args);
      expect(refused.status).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^weir: cannot write trace file "[^"]+": it has 1 other hard link, which replacing it would cut; remove it first or choose another name\n$/);
    }
    expect(readFileSync(join(dir, 'other-name.jsonl'), 'utf8')).toBe('kept\n');
    expect(statSync(linked).nlink).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['linked.jsonl', 'other-name.jsonl', 'private.jsonl']);
  });

  it('- writes the trace to stdout; weir run then reports on stderr', async () => {
    const [run, trace] = await Promise.all([weir(['run', 'bank', ...SMALL, '--json', '--trace', '-']), weir(['run', 'bank', ...SMALL, '--json'])]);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stderr) as RunJson;
    expect(hashEvents(parseJsonl(run.stdout))).toBe(report.traceHash);
    const viaTrace = await weir(['trace', json<RunJson>(trace).token, '--format', 'jsonl', '-o', '-']);
    expect(viaTrace.status).toBe(0);
    expect(hashEvents(parseJsonl(viaTrace.stdout))).toBe(json<RunJson>(trace).traceHash);
    expect(json<RunJson>(trace).traceHash).toBe(report.traceHash);
  });

  // As root (who may write anything) the command runs as the user nobody, who may not; that needs a
  // checkout nobody can read, so in one only root can read (a private home folder) it is skipped.
  const root = process.getuid?.() === 0;
  const nobodyCanRun = !root || spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(ROOT, 'dist', 'cli', 'main.js'))}, 4)`], { uid: 65534, gid: 65534 }).status === 0;
  it.skipIf(!nobodyCanRun)('refuses a write-protected file, and another user\'s file, before the run, leaving both as they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-out-'));
    chmodSync(dir, 0o1777);
    const targets = [join(dir, 'read-only.jsonl')];
    writeFileSync(targets[0]!, 'kept\n');
    chmodSync(targets[0]!, 0o444);
    if (root) {
      // Writable by all, but its replacement would belong to nobody, not to root.
      targets.push(join(dir, 'roots.jsonl'));
      writeFileSync(targets[1]!, 'kept\n');
      chmodSync(targets[1]!, 0o666);
    }
    const as = (args: string[]) => weir(args, 60_000, root ? { uid: 65534, gid: 65534 } : {});
    const modes = targets.map((t) => statSync(t).mode);
    for (const t of targets) {
      for (const args of [['run', 'bank', ...SMALL, '--trace', t], ['trace', TOKEN_OF_SMALL, '--format', 'perfetto', '-o', t]]) {
        const r = await as(args);
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toMatch(t.endsWith('read-only.jsonl') ? /^weir: cannot write trace file "[^"]+": it is write-protected \(EACCES\); choose another name, or make it writable first\n$/ : /^weir: cannot write trace file "[^"]+": it belongs to another user, and its replacement would be yours; choose another name\n$/);
        expect(r.stdout).toBe('');
      }
    }
    expect(targets.map((t) => readFileSync(t, 'utf8'))).toEqual(targets.map(() => 'kept\n'));
    expect(targets.map((t) => statSync(t).mode)).toEqual(modes);
    expect(readdirSync(dir).sort()).toEqual(targets.map((t) => basename(t)).sort());
  });

  it('a full standard output: one line, exit 2, for a report, a list and a trace', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['list'], ['run', 'bank', ...SMALL], ['run', 'bank', ...SMALL, '--trace', '-'], ['trace', TOKEN_OF_SMALL, '--format', 'jsonl']]) {
        const r = spawnSync(process.execPath, ['bin/weir.js', ...args], { cwd: ROOT, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', env: { ...process.env, WEIR_DEBUG: '' } });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/^weir: cannot write to standard output: ENOSPC[^\n]*; free some space or send the output elsewhere\n$/);
      }
    } finally {
      closeSync(full);
    }
  });

  it('a trace whose writes fail during the run: the run is not touched, and commit throws the write\'s error', () => {
    let writes = 0;
    let discarded = false;
    const out: OutputFile = {
      toStdout: false,
      write: () => {
        if (++writes === 2) throw new Error('cannot write trace file "x": the disk is full (ENOSPC); free some space or write it elsewhere');
      },
      commit: () => {
        throw new Error('committed a failed trace');
      },
      discard: () => {
        discarded = true;
      },
    };
    const lines = traceLines(out);
    const event = { seq: 0, t: 0, p: 'world', kind: 'world.start' } as unknown as TraceEvent;
    // Three chunks' worth of events: the second chunk's write fails, the third is never tried.
    for (let i = 0; i < 3 * 4096; i++) lines.subscriber(event);
    expect(writes).toBe(2);
    expect(() => lines.commit()).toThrow(/the disk is full \(ENOSPC\)/);
    expect(discarded).toBe(true);
  });

  it('a run interrupted by SIGINT leaves neither the file nor a temporary one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-out-'));
    const file = join(dir, 'big.jsonl');
    const child = spawn(process.execPath, ['bin/weir.js', 'run', 'wordcount', '--events', '200000', '--trace', file], { cwd: ROOT, stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('close', resolve));
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  // A signal's default action ends the process at once, where no exit hook runs: in the middle of a
  // commit's copy it would leave the copy's temporary file. The fixture sends itself the signal just
  // before a commit; the process must finish the commit (the file whole, nothing else beside it) and
  // then end by that signal.
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('a %s during a commit waits for its rename, then ends the process as that signal', (signal) => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-out-'));
    const first = join(dir, 'first.txt');
    const second = join(dir, 'second.txt');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/fixtures/commit-under-signal.ts', first, second, signal], { cwd: ROOT, encoding: 'utf8' });
    expect(r.signal).toBe(signal);
    expect(r.stderr).toBe('');
    expect(readdirSync(dir).sort()).toEqual(['first.txt', 'second.txt']);
    expect(readFileSync(first, 'utf8')).toBe('first\n');
    expect(statSync(second).size).toBe(32 * 1024 * 1024);
  });
});
