/**
 * What this proves: in a real terminal, `weir replay <token>` and `weir
 * walkthrough barriers` draw what a person should see, answer key presses
 * (in a Kafka Streams run, `s` reads the state stores at the step),
 * and quit cleanly with q — exit 0 and the shell's screen given back; a
 * replay that takes a while to load says how far it is, on one line that is
 * gone once the replay shows.
 *
 * How: tmux (on its own server socket, so no user session is touched) runs
 * the real command in a detached 100×30 pane; the test sends keys, captures
 * the pane as text and waits for the expected words. Skipped when tmux is
 * not installed (.ci/run installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, it } from 'vitest';
import { ROOT } from '../cli/helpers.ts';
import { encodeToken } from '../../src/explore/settings.ts';
import { DROPPING, KS_FAULTS, WORDCOUNT } from './helpers.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `weir-test-${process.pid}`;
const EXIT_MARK = 'WEIR-EXIT=';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/** Starts `weir args` in a fresh detached session; the shell then prints the exit code and waits. */
function start(session: string, args: string): void {
  const cmd = `cd ${JSON.stringify(ROOT)} && env CI=0 CONTINUOUS_INTEGRATION=0 node bin/weir.js ${args}; echo ${EXIT_MARK}$?; sleep 120`;
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', cmd);
}

const screen = (session: string): string => tmux('capture-pane', '-p', '-t', session);

/**
 * Waits until the screen satisfies `ok` and then holds still for one more
 * capture: a capture can land while the terminal is part-way through drawing a
 * frame (the top drawn, the rest still blank), and a check on a half-drawn
 * frame would fail for no fault of the program. `settle` false takes the
 * first capture that satisfies `ok` (for a line that changes as it shows).
 */
async function waitFor(session: string, ok: (s: string) => boolean, timeoutMs = 20_000, settle = true): Promise<string> {
  let s = screen(session);
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    if (!settle && ok(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
    const next = screen(session);
    if (ok(s) && next === s) return s;
    s = next;
  }
  return s;
}

/** Sends keys and waits until the screen satisfies `ok`. */
async function press(session: string, keys: string[], ok: (s: string) => boolean): Promise<string> {
  tmux('send-keys', '-t', session, ...keys);
  return waitFor(session, ok);
}

const stepOf = (s: string): number => Number(/step ([\d,]+)\//.exec(s)?.[1]?.replace(/,/g, '') ?? NaN);

afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

describe.skipIf(!hasTmux)('in a real terminal (tmux)', () => {
  // The sessions are independent: run them side by side.
  it.concurrent('weir replay <token>: draws the run, steps with the keys, jumps to the failed check, quits cleanly', async ({ expect }) => {
    start('replay', `replay ${encodeToken(DROPPING)}`);
    let s = await waitFor('replay', (x) => x.includes('events (all kinds'));
    expect(s).toContain('weir replay step 0/');
    expect(s).toContain('wordcount seed 1');
    expect(s).toContain('window[1]');
    expect(s).toContain('checkpoints');
    expect(s).toContain('event time →');
    expect(s).toMatch(/✗ 1 of \d+ checks failed\s+exactly-once/);
    for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(100);

    s = await press('replay', ['Right'], (x) => stepOf(x) === 1);
    expect(stepOf(s)).toBe(1);
    s = await press('replay', ['-l', ']'], (x) => stepOf(x) === 11);
    expect(stepOf(s)).toBe(11);
    s = await press('replay', ['c'], (x) => /▶.*coordinator injects barrier c1/.test(x));
    expect(s).toMatch(/▶.*barrier\.inject\s+coordinator injects barrier c1/);
    s = await press('replay', ['v'], (x) => x.includes('✗ exactly-once at step'));
    expect(s).toContain('✗ exactly-once at step');
    s = await press('replay', ['?'], (x) => x.includes('next / previous checkpoint step'));
    expect(s).toContain('q          quit');
    s = await press('replay', ['?'], (x) => x.includes('events'));

    s = await press('replay', ['q'], (x) => x.includes(EXIT_MARK));
    expect(s).toContain(`${EXIT_MARK}0`);
    expect(s).not.toContain('weir replay wordcount');
  });

  it.concurrent('weir replay <token> of a larger run: shows how far the load is, then the replay, and leaves no trace of it', async ({ expect }) => {
    start('load', `replay ${encodeToken({ ...WORDCOUNT, events: 10_000 })}`);
    const loading = await waitFor('load', (x) => /weir: running wordcount seed 1 on flink from the token: \d+% \(virtual time [\d.]+ s of about/.test(x) || x.includes('weir replay step'), 60_000, false);
    expect(loading).toMatch(/weir: running wordcount seed 1 on flink from the token: \d+% \(virtual time/);
    const s = await waitFor('load', (x) => x.includes('weir replay step 0/'), 60_000);
    expect(s).not.toContain('weir: running');
    await press('load', ['q'], (x) => x.includes(EXIT_MARK));
    expect(screen('load')).not.toContain('weir: running');
  });

  it.concurrent('weir replay <token> of a Kafka Streams run: s shows the stores at the step, i the instance that is down', async ({ expect }) => {
    // At 2,700 ms ks-1 is down (it crashes at 2,600 ms for 300 ms).
    start('stores', `replay ${encodeToken(KS_FAULTS)} --at 2700`);
    let s = await waitFor('stores', (x) => x.includes('events (all kinds'));
    expect(s).toContain('s stores');
    s = await press('stores', ['s'], (x) => /stores at step [\d,]+ · /.test(x));
    expect(s).toMatch(/ks-0 {2}RUNNING/);
    expect(s).toMatch(/counts {2}window store · \d+ windows/);
    s = await press('stores', ['i', 'i'], (x) => x.includes('ms · ks-1'));
    expect(s).toMatch(/ks-1 {2}NOT_RUNNING/);
    expect(s).toContain('StateStoreNotAvailableException');
    s = await press('stores', ['Escape'], (x) => !x.includes('stores at step'));
    s = await press('stores', ['q'], (x) => x.includes(EXIT_MARK));
    expect(s).toContain(`${EXIT_MARK}0`);
  });

  it.concurrent('weir walkthrough barriers: narrates, pages with Enter → ←, moves the cursor, quits cleanly', async ({ expect }) => {
    start('walk', 'walkthrough barriers');
    let s = await waitFor('walk', (x) => x.includes('Checkpoint barriers — 1/'));
    expect(s).toContain('A checkpoint starts');
    // The lesson follows the first checkpoint whose sinks have results to pre-commit.
    const c = /▶.*coordinator injects barrier c(\d+)/.exec(s)?.[1];
    expect(c).toBeDefined();
    const total = Number(/Checkpoint barriers — 1\/(\d+)/.exec(s)![1]);
    await new Promise((r) => setTimeout(r, 300));

    s = await press('walk', ['Enter'], (x) => x.includes(`2/${total}: The source injects`));
    expect(s).toMatch(new RegExp(`▶.*source\\[\\d\\] sends barrier c${c}`));
    s = await press('walk', ['Right'], (x) => x.includes(`3/${total}: Alignment`));
    expect(s).toContain(`▮${c}`);
    expect(s).toMatch(new RegExp(`aligning c${c}`));
    s = await press('walk', ['Left'], (x) => x.includes(`2/${total}:`));
    expect(s).toContain(`2/${total}: The source injects`);

    s = await press('walk', ['q'], (x) => x.includes(EXIT_MARK));
    expect(s).toContain(`${EXIT_MARK}0`);
  });
});
