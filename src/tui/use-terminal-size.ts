/**
 * The terminal's size, following resizes. A fixed size (tests) wins; an
 * output without a size counts as 80×24. One line is left free at the
 * bottom: a frame as tall as the terminal makes Ink clear the whole screen
 * on every frame, which flickers.
 */
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface Size {
  cols: number;
  rows: number;
}

export function useTerminalSize(fixed?: Size): Size {
  const { stdout } = useStdout();
  const read = (): Size => ({ cols: stdout.columns || 80, rows: Math.max(10, (stdout.rows || 24) - 1) });
  const [size, setSize] = useState<Size>(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}
