/**
 * Output files of the `weir` command (`weir trace -o`, `weir run --trace`).
 * Proves, with the real command: a target that is a device, a folder, a
 * symbolic link, a FIFO or a name in a missing folder is refused before any
 * work with one line and exit 2, and the target and its folder are left
 * exactly as they were; `-` writes to stdout (and `run` then reports on
 * stderr); an existing regular file is replaced by the complete output; and
 * a run killed by SIGINT in the middle leaves no file behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonl, hashEvents } from '../../src/sim/trace.ts';
import { json, ROOT, weir, type RunJson } from './helpers.ts';

const SMALL = ['--events', '60', '--faults', 'none', '--seed', '5'];

describe('output files', () => {
  it('refuses what is not a regular file or a new name, before any work, touching nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-out-'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'link'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const before = readdirSync(dir).sort();
    const targets = ['/dev/null', '/dev/full', dir, join(dir, 'link'), join(dir, 'fifo'), join(dir, 'missing', 'x.jsonl'), ''];
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
});
