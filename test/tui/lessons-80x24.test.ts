/**
 * What this proves: at 80×24, in a real terminal, every step of every
 * walkthrough lesson shows what its narration talks about:
 *
 * - `header`: the lesson's title and the step's i/N;
 * - `narration`: the whole narration, not cut off;
 * - `cursor`: the event the step points at is the event log's ▶ row;
 * - `names`: every task (window[0]), process (tm-1, ks-0, executor-0),
 *   transaction (sink-1-a0-c2, weir-app-ks-0-0) and check verdict (✗
 *   liveness: the name on a ✗ line; ✓ liveness: by name or "✓ all N checks
 *   passed") the narration names is on the screen outside the narration;
 * - `channels`: every per-channel watermark the narration cites
 *   ("sessions[0] now has ch0 79, ch1 51") is on that task's dataflow row.
 *
 * What the screen does not show is listed in KNOWN_GAPS, step by step (the
 * #14 work on the 80×24 screen emptied it): a step may not fail a check
 * that is not listed there, and a listed gap that no longer fails is
 * reported, to be taken off the list. A narration longer than its box is
 * paged (its pages but the last end with "▼ more: Enter"): the test presses
 * Enter through the pages and checks the step on all of them together.
 *
 * How: tmux (on its own server socket) runs `weir walkthrough <lesson>` in
 * a detached 80×24 pane, steps through with Enter, and captures the pane
 * once it is still; the narration and the step's event come from the same
 * lesson loaded in this process (the runs are deterministic). Three lessons
 * at a time. Skipped when tmux is not installed (.ci/run installs it).
 * WEIR_LESSON_SCREENS=FILE keeps every screen it captured in FILE, and the
 * gaps found, as JSON, last.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.ts';
import { LESSONS } from '../../src/tui/lessons/catalogue.ts';
import { loadLesson } from '../../src/tui/lessons/resolve.ts';
import type { Lesson } from '../../src/tui/lessons/types.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `weir-lessons-${process.pid}`;
/** WEIR_LESSON_SCREENS=FILE appends every captured screen to FILE, to look at what a gap is. */
const DUMP = process.env.WEIR_LESSON_SCREENS;
const COLS = 80;
const ROWS = 24;

type Check = 'header' | 'narration' | 'cursor' | 'names' | 'channels';

/**
 * Checks a step fails today at 80×24, by lesson and step (1-based). A fix
 * to the screen takes entries off; nothing may be added. (Empty: every
 * step of every lesson passes every check.)
 */
const KNOWN_GAPS: Readonly<Record<string, Readonly<Record<number, readonly Check[]>>>> = {};

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pane once two captures 150 ms apart agree and `ok` holds (or the time is up). */
async function settled(session: string, ok: (s: string) => boolean, timeoutMs = 30_000): Promise<string> {
  let last = '';
  for (let waited = 0; waited < timeoutMs; waited += 150) {
    const s = tmux('capture-pane', '-p', '-t', session);
    if (ok(s) && s === last) return s;
    last = s;
    await sleep(150);
  }
  return last;
}

/** The screen split at the rule above the narration: the panels, and the narration without the key hints. */
function regions(screen: string): { panels: string[]; narration: string[] } {
  const lines = screen.split('\n');
  const rule = lines.findIndex((l) => /^─{20,}/.test(l));
  if (rule < 0) return { panels: lines, narration: [] };
  const rest = lines.slice(rule + 1);
  const hint = rest.findIndex((l) => l.startsWith('Enter/→ next'));
  return { panels: lines.slice(0, rule), narration: hint < 0 ? rest : rest.slice(0, hint) };
}

/** A narration page that is not the last ends with this line; Enter shows the next page. */
const MORE = /^▼ more: Enter \(page \d+\/\d+\)/;

/** The step's screens, one per page of its narration: its panels are the first page's, its narration all pages' text. */
function joinPages(screens: readonly string[]): { panels: string[]; narration: string[] } {
  const first = regions(screens[0]!);
  const text = screens.flatMap((s) => regions(s).narration.slice(1).filter((l) => !MORE.test(l)));
  return { panels: first.panels, narration: [first.narration[0] ?? '', ...text] };
}

const normal = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** What the narration names, by kind. */
function citations(text: string): { names: string[]; checks: { name: string; ok: boolean }[]; channels: { task: string; ch: number; value: string }[] } {
  const names = new Set<string>();
  for (const m of text.matchAll(/\b[a-z][\w-]*\[\d+\]/g)) names.add(m[0]);
  for (const m of text.matchAll(/\b(?:tm|ks|executor)-\d+\b(?!-)/g)) names.add(m[0]);
  for (const m of text.matchAll(/\b(?:late-)?sink-\d+-a\d+-c\d+\b|\bweir-app-ks-\d+(?:\.\d+)?-\d+\b/g)) names.add(m[0]);
  const checks = [...text.matchAll(/([✓✗]) ([\w.-]+):/g)].map((m) => ({ name: m[2]!, ok: m[1] === '✓' }));
  const channels: { task: string; ch: number; value: string }[] = [];
  // "sessions[0] now has ch0 79, ch1 51": each chN V after the task it belongs to, within the sentence.
  for (const sentence of text.split(/(?<=\.)\s/)) {
    let task: string | undefined;
    for (const m of sentence.matchAll(/\b([a-z][\w-]*\[\d+\])|\bch(\d+) (-?[\d,]+|idle)\b/g)) {
      if (m[1] !== undefined) task = m[1];
      else if (task !== undefined) channels.push({ task, ch: Number(m[2]), value: m[3]! });
    }
  }
  return { names: [...names], checks, channels };
}

/** The checks a step fails on this screen. */
function failedChecks(screens: readonly string[], lesson: Lesson, i: number, n: number, narration: string, seq: number): Check[] {
  const { panels, narration: told } = joinPages(screens);
  const failed: Check[] = [];
  if (!told.some((l) => l.includes(`${lesson.title} — ${i}/${n}`))) failed.push('header');
  if (!normal(told.slice(1).join(' ')).includes(normal(narration))) failed.push('narration');
  if (!panels.some((l) => new RegExp(`^▶\\s+${seq}\\s`).test(l))) failed.push('cursor');
  const cited = citations(narration);
  const shown = panels.join('\n');
  // A passed check is shown by name or by "all N checks passed"; a failed one by name on a ✗ line.
  const checkShown = (c: { name: string; ok: boolean }): boolean =>
    c.ok ? /✓ all \d+ checks passed/.test(shown) || panels.some((l) => l.includes('✓') && l.includes(c.name)) : panels.some((l) => l.includes('✗') && l.includes(c.name));
  if (cited.names.some((name) => !shown.includes(name)) || !cited.checks.every(checkShown)) failed.push('names');
  if (cited.channels.some((c) => !panels.some((l) => l.startsWith(c.task) && new RegExp(`(^|[^\\d])${c.value.replace(/,/g, ',?')}([^\\d]|$)`).test(l.slice(c.task.length))))) failed.push('channels');
  return failed;
}

afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

interface StepResult { step: number; failed: Check[]; screen: string }

async function walk(lesson: Lesson): Promise<StepResult[]> {
  const lr = await loadLesson(lesson);
  const n = lr.steps.length;
  const session = `lesson-${lesson.name}`;
  const cmd = `cd ${JSON.stringify(ROOT)} && env CI=0 CONTINUOUS_INTEGRATION=0 node bin/weir.js walkthrough ${lesson.name}; sleep 120`;
  tmux('new-session', '-d', '-s', session, '-x', String(COLS), '-y', String(ROWS), cmd);
  const out: StepResult[] = [];
  try {
    let before = '';
    for (let i = 1; i <= n; i++) {
      let screen = '';
      // A key pressed while the screen is still being set up can be lost: pressed again only if nothing changed.
      for (let attempt = 0; attempt < 5 && (screen === '' || screen === before); attempt++) {
        if (i > 1) tmux('send-keys', '-t', session, 'Enter');
        screen = await settled(session, (x) => x !== before && /^─{20,}/m.test(x) && /^Enter\/→ next/m.test(x), i === 1 ? 30_000 : 3_000);
      }
      before = screen;
      // A narration longer than its box is paged: Enter shows the next page, as a reader would press it.
      const pages = [screen];
      while (pages.length < 10 && MORE.test(regions(pages.at(-1)!).narration.at(-1) ?? '')) {
        tmux('send-keys', '-t', session, 'Enter');
        pages.push(await settled(session, (x) => x !== before && /^Enter\/→ next/m.test(x), 3_000));
        before = pages.at(-1)!;
      }
      if (DUMP) appendFileSync(DUMP, `=== ${lesson.name} ${i}/${n}\n${pages.join('\n')}\n`);
      const s = lr.steps[i - 1]!;
      out.push({ step: i, failed: failedChecks(pages, lesson, i, n, s.text, lr.replays.get(s.run)!.index.events[s.index]!.seq), screen: pages.join('\n') });
    }
  } finally {
    spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', session]);
  }
  return out;
}

describe.skipIf(!hasTmux)('every lesson at 80×24 (tmux)', () => {
  it('the narration cites what the screen shows, step by step', async () => {
    const results = new Map<string, StepResult[]>();
    const queue = [...LESSONS];
    await Promise.all(Array.from({ length: 3 }, async () => {
      for (let l = queue.shift(); l !== undefined; l = queue.shift()) results.set(l.name, await walk(l));
    }));
    const unexpected: string[] = [];
    const fixed: string[] = [];
    for (const lesson of LESSONS) {
      for (const r of results.get(lesson.name)!) {
        const known = KNOWN_GAPS[lesson.name]?.[r.step] ?? [];
        for (const c of r.failed) if (!known.includes(c)) unexpected.push(`${lesson.name} ${r.step}: ${c}\n${r.screen}`);
        for (const c of known) if (!r.failed.includes(c)) fixed.push(`${lesson.name} ${r.step}: ${c}`);
      }
    }
    if (fixed.length > 0) process.stderr.write(`lessons at 80×24: these known gaps are gone, take them off KNOWN_GAPS: ${fixed.join('; ')}\n`);
    if (DUMP) appendFileSync(DUMP, `=== gaps: ${JSON.stringify(Object.fromEntries([...results].map(([k, v]) => [k, Object.fromEntries(v.filter((r) => r.failed.length > 0).map((r) => [r.step, r.failed]))])))}\n`);
    expect(unexpected, unexpected.join('\n\n')).toEqual([]);
  }, 600_000);
});
