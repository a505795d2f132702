/**
 * What this proves: `weir trace` writes the run a token describes — as JSON
 * lines that hash to exactly the run's trace hash, or as Chrome Trace Event
 * JSON that a trace viewer can load (named process tracks, instants, counters,
 * and every flow arrow's start matched by a finish; a buffer a partition held
 * and its connection sent again is one flow through its resend) — and bad input is one
 * line with exit 2, with nothing written. `weir run --check-determinism`
 * reports the same hash twice, and fails, naming the first divergent event,
 * when its second run parts from the first (a second run with its faults
 * taken away stands in for a nondeterministic one).
 *
 * How: spawn the command on a small run's token and read what it wrote.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashEvents, parseJsonl } from '../../src/sim/trace.ts';
import { determinismCheck } from '../../src/cli/run.ts';
import { runScenario } from '../../src/explore/run.ts';
import { decodeToken, encodeToken } from '../../src/explore/settings.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

const weir = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, ['bin/weir.js', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const report = JSON.parse(weir(['run', 'bank', '--seed', '3', '--events', '200', '--faults', 'heavy', '--json']).stdout) as { token: string; traceHash: string; traceEvents: number };
const dir = mkdtempSync(join(tmpdir(), 'weir-trace-'));

interface ChromeEvent {
  name: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: number;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

/**
 * The Trace Event format as Perfetto reads it: known phases; every event but metadata has a
 * numeric timestamp; complete slices a duration; instants a scope; counters numeric args; and
 * every flow end (s, f) lies inside a complete slice on its own thread, which is what a flow
 * arrow binds to (a flow bound to an instant is not drawn).
 */
function expectTraceEventFormat(events: ChromeEvent[]): void {
  const slices = new Map<string, { ts: number; end: number }[]>();
  for (const e of events) {
    expect(['M', 'X', 'i', 'C', 's', 't', 'f']).toContain(e.ph);
    expect(typeof e.name).toBe('string');
    expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
    if (e.ph === 'M') continue;
    expect(typeof e.ts).toBe('number');
    if (e.ph === 'X') {
      expect(e.dur).toBeGreaterThan(0);
      const k = `${e.pid}/${e.tid}`;
      const list = slices.get(k) ?? [];
      list.push({ ts: e.ts!, end: e.ts! + e.dur! });
      slices.set(k, list);
    }
    if (e.ph === 'i') expect(['g', 'p', 't']).toContain(e.s);
  }
  for (const e of events) {
    if (e.ph !== 's' && e.ph !== 't' && e.ph !== 'f') continue;
    expect(Number.isInteger(e.id)).toBe(true);
    if (e.ph === 'f') expect(e.bp).toBe('e');
    const inside = (slices.get(`${e.pid}/${e.tid}`) ?? []).some((x) => x.ts <= e.ts! && e.ts! < x.end);
    expect(inside, `flow ${e.ph} ${e.id} at ${e.ts} binds to no slice`).toBe(true);
  }
}

describe('weir trace', () => {
  it('writes JSON lines that hash to the run\'s trace hash', () => {
    const file = join(dir, 'run.jsonl');
    const r = weir(['trace', report.token, '--format', 'jsonl', '-o', file]);
    expect(r.status).toBe(0);
    const events = parseJsonl(readFileSync(file, 'utf8'));
    expect(events.length).toBe(report.traceEvents);
    expect(hashEvents(events)).toBe(report.traceHash);
  });

  it('writes Chrome Trace Event JSON with tracks, instants, counters and matched flows', () => {
    const r = weir(['trace', report.token, '--format', 'perfetto']);
    expect(r.status).toBe(0);
    const { traceEvents } = JSON.parse(r.stdout) as { traceEvents: { ph: string; name: string; id?: number; args?: { name?: string } }[] };
    const names = traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args?.name);
    expect(names).toEqual(expect.arrayContaining(['jm', 'tm-0', 'tm-1', 'broker', 'store']));
    expect(traceEvents.some((e) => e.ph === 'i' && e.name === 'proc.crash')).toBe(true);
    expect(traceEvents.some((e) => e.ph === 'C')).toBe(true);
    const starts = new Set(traceEvents.filter((e) => e.ph === 's').map((e) => e.id));
    const ends = traceEvents.filter((e) => e.ph === 'f').map((e) => e.id);
    expect(ends.length).toBeGreaterThan(0);
    for (const id of ends) expect(starts.has(id)).toBe(true);
    expectTraceEventFormat(traceEvents as unknown as ChromeEvent[]);
  });

  it('draws a retransmitted buffer as one flow: its send, its resend after the partition, its delivery', () => {
    // A partition between the task managers while records flow (as test/explore/data-connections),
    // cut while a buffer is on its way.
    const token = encodeToken({
      scenario: 'bank', seed: 3, guarantee: 'exactly-once', faults: 'none', bugs: [],
      plan: { faults: [{ kind: 'partition', atMs: 1_556, a: 'tm-0', b: 'tm-1', durationMs: 1_200 }] },
    });
    const r = weir(['trace', token, '--format', 'perfetto']);
    expect(r.status).toBe(0);
    const { traceEvents } = JSON.parse(r.stdout) as { traceEvents: ChromeEvent[] };
    // A buffer lost in flight is sent, resent and delivered (s, t, f); one sent into the cut link is
    // held untraced until its resend, which begins its flow (s, f).
    const resent = traceEvents.filter((e) => e.ph === 'X' && e.args?.resend === true).map((e) => Number(e.args!.mid));
    expect(resent.length).toBeGreaterThan(0);
    const shapes = new Set<string>();
    for (const id of resent) {
      const flow = traceEvents.filter((e) => e.id === id && (e.ph === 's' || e.ph === 't' || e.ph === 'f'));
      shapes.add(flow.map((e) => e.ph).join());
      for (let i = 1; i < flow.length; i++) expect(flow[i - 1]!.ts!).toBeLessThan(flow[i]!.ts!);
      expect(flow.at(-1)!.ph).toBe('f');
    }
    expect([...shapes].sort()).toEqual(['s,f', 's,t,f']);
    expectTraceEventFormat(traceEvents);
  });

  it('rejects bad input with one line and exit 2, writing nothing', () => {
    const file = join(dir, 'never.json');
    for (const args of [
      ['trace', report.token, '--format', 'xml', '-o', file],
      ['trace', 'w2.@@@', '--format', 'jsonl', '-o', file],
      ['trace', 'w9.abc', '--format', 'jsonl', '-o', file],
      ['trace', 'wordcount', '--format', 'jsonl'],
      ['trace', report.token, '--format', 'jsonl', '-o', join(dir, 'no', 'such', 'dir.jsonl')],
    ]) {
      const r = weir(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^weir: [^\n]+\n$/);
    }
    // What is wrong, and what to do: a missing --format is named as missing, a bad one with its value.
    expect(weir(['trace', report.token, '-o', file]).stderr).toBe('weir: weir trace needs --format jsonl (JSON lines) or --format perfetto (for ui.perfetto.dev)\n');
    expect(weir(['trace', report.token, '--format', 'xml', '-o', file]).stderr).toBe('weir: --format must be jsonl or perfetto, got "xml"\n');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});

describe('weir run --check-determinism', () => {
  it('runs twice and reports the same trace hash', () => {
    const r = weir(['run', report.token, '--check-determinism']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`✓ determinism\\s+two runs, the same trace hash ${report.traceHash}`));
  });

  it('fails, naming the first event at which the runs part, when the second run is not the first', async () => {
    const settings = decodeToken(report.token);
    const first: TraceEvent[] = [];
    const once = runScenario(settings, { subscribers: [(e) => void first.push(e)] });
    // The same settings again pass; a second run that draws other faults (as a nondeterministic
    // engine or simulator would) fails, at the first event that differs.
    expect(await determinismCheck(settings, once.traceHash, first)).toMatchObject({ name: 'determinism', ok: true });
    const drifting: typeof runScenario = (s, opts) => runScenario({ ...s, plan: { faults: [] } }, opts);
    const failed = await determinismCheck(settings, once.traceHash, first, drifting);
    expect(failed.ok).toBe(false);
    expect(failed.detail).toMatch(new RegExp(`^trace hashes differ \\(${once.traceHash} vs [0-9a-f]{16}\\); first divergent event #\\d+: first run \\{.*\\}, second run \\{.*\\}$`));
  });
});
