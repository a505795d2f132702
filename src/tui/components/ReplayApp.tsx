/**
 * `weir replay`: the replay screen driven by the keyboard (keys in
 * controller.ts). Quits with q or Ctrl+C.
 */
import React from 'react';
import { useApp, useInput } from 'ink';
import type { Replay } from '../open.ts';
import { keyAction, splitKeys, type ReplayUi } from '../controller.ts';
import { useReplay } from '../use-replay.ts';
import { useTerminalSize, type Size } from '../use-terminal-size.ts';
import { ReplayView } from './ReplayView.tsx';

export interface ReplayAppProps {
  replay: Replay;
  /** A fixed screen size (tests); default: the terminal's. */
  size?: Size;
  start?: Partial<ReplayUi>;
}

export function ReplayApp({ replay, size, start }: ReplayAppProps): React.ReactElement {
  const { exit } = useApp();
  const { cols, rows } = useTerminalSize(size);
  const [ui, dispatch, latest] = useReplay({ index: replay.index, violations: replay.violations, verdicts: replay.rec.meta.checks !== undefined }, start);
  useInput((raw, rawKey) => {
    for (const [input, key] of splitKeys(raw, rawKey)) {
      const a = keyAction(input, key, latest.current);
      if (a === 'quit') return exit();
      if (a) dispatch(a);
    }
  });
  return <ReplayView replay={replay} ui={ui} cols={cols} rows={rows} />;
}
