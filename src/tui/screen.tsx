/**
 * Drawing on the real terminal: the replay and the walkthrough run on the
 * alternate screen (as less and vim do), so quitting gives the shell back
 * exactly as it was. Resolves when the user quits.
 */
import React from 'react';
import { render } from 'ink';
import type { Replay } from './open.ts';
import type { ReplayUi } from './controller.ts';
import { ReplayApp } from './components/ReplayApp.tsx';
import { WalkthroughApp, type WalkthroughAppProps } from './components/WalkthroughApp.tsx';
import { SideBySideApp } from './components/SideBySideApp.tsx';
import type { SideBySide } from './side-by-side.ts';

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?1049l';

async function onAltScreen(node: React.ReactElement): Promise<void> {
  process.stdout.write(ENTER_ALT);
  try {
    const app = render(node, { patchConsole: false, exitOnCtrlC: true });
    await app.waitUntilExit();
  } finally {
    process.stdout.write(LEAVE_ALT);
  }
}

export function showReplay(replay: Replay, start?: Partial<ReplayUi>): Promise<void> {
  return onAltScreen(<ReplayApp replay={replay} start={start} />);
}

/** Several runs side by side on one virtual-time cursor. */
export function showSideBySide(sbs: SideBySide, startMs = 0): Promise<void> {
  return onAltScreen(<SideBySideApp sbs={sbs} startMs={startMs} />);
}

export function showWalkthrough(props: WalkthroughAppProps): Promise<void> {
  return onAltScreen(<WalkthroughApp {...props} />);
}
