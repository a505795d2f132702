/**
 * `weir replay A B C`, `weir compare … --replay`: several runs side by side
 * on one virtual-time cursor (side-by-side.ts), driven by the keyboard:
 * stepping, playing, jumps to faults and failed checks, a kind filter.
 * Quits with q or Ctrl+C.
 */
import React, { useEffect, useRef, useState } from 'react';
import { Box, useApp, useInput } from 'ink';
import { splitKeys, TICK_MS } from '../controller.ts';
import { reduceSideBySide, sideBySideFrame, sideBySideKey, type SideBySide, type SideBySideUi } from '../side-by-side.ts';
import { useTerminalSize, type Size } from '../use-terminal-size.ts';
import { Line } from './Line.tsx';

export interface SideBySideAppProps {
  sbs: SideBySide;
  /** A fixed screen size (tests); default: the terminal's. */
  size?: Size;
  /** The cursor's first virtual time, ms (default 0). */
  startMs?: number;
}

export function SideBySideApp({ sbs, size, startMs = 0 }: SideBySideAppProps): React.ReactElement {
  const { exit } = useApp();
  const { cols, rows } = useTerminalSize(size);
  const [ui, setUi] = useState<SideBySideUi>({ t: Math.min(sbs.endMs, Math.max(0, startMs)), note: undefined });
  // Keys typed ahead arrive together; each moves from where the previous one left the cursor.
  const latest = useRef(ui);
  latest.current = ui;
  useInput((raw, rawKey) => {
    for (const [input, key] of splitKeys(raw, rawKey)) {
      const a = sideBySideKey(input, key, latest.current.editing !== undefined);
      if (a === 'quit') return exit();
      if (a) latest.current = reduceSideBySide(sbs, latest.current, a);
    }
    setUi(latest.current);
  });
  // While playing, a tick every TICK_MS moves the cursor on by the speed's stretch of virtual time.
  useEffect(() => {
    if (!ui.playing) return undefined;
    const timer = setInterval(() => {
      latest.current = reduceSideBySide(sbs, latest.current, 'tick');
      setUi(latest.current);
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [ui.playing, sbs]);
  const lines = sideBySideFrame(sbs, ui, cols, rows);
  return (
    <Box flexDirection="column" width={cols} height={rows}>
      {lines.map((segments, i) => <Line key={i} segments={segments} width={cols} />)}
    </Box>
  );
}
