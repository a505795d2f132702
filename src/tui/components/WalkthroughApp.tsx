/**
 * `weir walkthrough`: the lesson menu, then the chosen lesson. A lesson's
 * runs are simulated when it is chosen (a second or so) and kept, so coming
 * back to it from the menu is instant.
 */
import React, { useEffect, useRef, useState } from 'react';
import { useApp, useInput } from 'ink';
import type { Lesson } from '../lessons/types.ts';
import type { LessonReplays } from '../lessons/resolve.ts';
import { useTerminalSize, type Size } from '../use-terminal-size.ts';
import { LessonMenu, menuDigit } from './LessonMenu.tsx';
import { splitKeys } from '../controller.ts';
import { LessonView } from './LessonView.tsx';

export interface WalkthroughAppProps {
  lessons: readonly Lesson[];
  /** Runs a lesson's runs and resolves its steps. */
  load: (lesson: Lesson) => Promise<LessonReplays>;
  /** Open this lesson at once instead of the menu. */
  initial?: string;
  size?: Size;
}

export function WalkthroughApp({ lessons, load, initial, size }: WalkthroughAppProps): React.ReactElement {
  const { exit } = useApp();
  const screen = useTerminalSize(size);
  const [selected, setSelected] = useState(Math.max(0, lessons.findIndex((l) => l.name === initial)));
  const [open, setOpen] = useState<LessonReplays | undefined>(undefined);
  const [loading, setLoading] = useState<string | undefined>(initial);
  const cache = useRef(new Map<string, LessonReplays>());

  useEffect(() => {
    if (loading === undefined) return;
    const lesson = lessons.find((l) => l.name === loading);
    if (!lesson) return;
    let live = true;
    const cached = cache.current.get(lesson.name);
    // Let the "loading" frame reach the terminal before the simulation takes the thread.
    const started = cached ? Promise.resolve(cached) : new Promise<void>((r) => setImmediate(r)).then(() => load(lesson));
    started.then((lr) => {
      cache.current.set(lesson.name, lr);
      if (live) {
        setOpen(lr);
        setLoading(undefined);
      }
    }, (e: Error) => {
      if (live) setLoading(undefined);
      exit(e);
    });
    return () => {
      live = false;
    };
  }, [loading]);

  // A key can reach a handler registered by an earlier render: it reads the latest screen from here.
  const latest = useRef({ open, loading, selected });
  latest.current = { open, loading, selected };
  // The digits typed so far of a lesson number (with more than nine lessons, 1 may begin 10, 11, …).
  const typed = useRef('');
  useInput((raw, rawKey) => {
    for (const [input, key] of splitKeys(raw, rawKey)) {
      const { open: isOpen, loading: isLoading, selected: sel } = latest.current;
      if (isOpen || isLoading) {
        if (isLoading && (input === 'q' || (key.ctrl && input === 'c'))) exit();
        return;
      }
      const digit = /^[0-9]$/.test(input);
      if (!digit) typed.current = '';
      if (input === 'q') exit();
      else if (key.upArrow || input === 'k') setSelected((sel + lessons.length - 1) % lessons.length);
      else if (key.downArrow || input === 'j') setSelected((sel + 1) % lessons.length);
      else if (key.return) setLoading(lessons[sel]!.name);
      else if (digit) {
        const d = menuDigit(typed.current, input, lessons.length);
        typed.current = d.typed;
        const n = d.start ?? d.select;
        if (n !== undefined) {
          setSelected(n - 1);
          latest.current = { ...latest.current, selected: n - 1 };
        }
        if (d.start !== undefined) {
          setLoading(lessons[d.start - 1]!.name);
          latest.current = { ...latest.current, loading: lessons[d.start - 1]!.name };
        }
      }
    }
  });

  if (open) return <LessonView loaded={open} size={screen} onMenu={() => setOpen(undefined)} onQuit={() => exit()} />;
  const status = loading ? `running the runs of "${loading}"…` : undefined;
  return <LessonMenu lessons={lessons} selected={selected} width={screen.cols} status={status} />;
}
