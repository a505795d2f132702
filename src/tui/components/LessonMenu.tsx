/**
 * The walkthrough menu: the lessons, one a line; ↑ ↓ and Enter (or the
 * lesson's number) choose, q quits.
 */
import React from 'react';
import { Box, Text } from 'ink';
import type { Lesson } from '../lessons/types.ts';
import { Line, Plain } from './Line.tsx';

export interface LessonMenuProps {
  lessons: readonly Lesson[];
  selected: number;
  width: number;
  /** A line under the list (e.g. "loading…"). */
  status?: string;
}

export function LessonMenu({ lessons, selected, width, status }: LessonMenuProps): React.ReactElement {
  return (
    <Box flexDirection="column" width={width}>
      <Plain text="weir walkthrough — narrated replays of real runs" bold color="cyan" width={width} />
      <Text> </Text>
      {lessons.map((l, i) => (
        <Line
          key={l.name}
          width={width}
          segments={[
            { text: `${i === selected ? '▶' : ' '} ${String(i + 1).padStart(String(lessons.length).length)}. `, bold: i === selected },
            { text: l.name.padEnd(14), bold: true, inverse: i === selected },
            { text: ` ${l.summary}` },
          ]}
        />
      ))}
      <Text> </Text>
      <Plain text={`↑ ↓ choose · Enter or 1-${lessons.length} start${lessons.length > 9 ? ' (1 then Enter for 1)' : ''} · q quit · in a lesson: Enter/→ next, ← back, m menu`} dim width={width} />
      {status ? <Plain text={status} color="yellow" width={width} /> : null}
    </Box>
  );
}

/**
 * A digit typed in the menu, after the digits `typed` before it: the lesson it starts (1-based),
 * or, when a longer number could still follow (typing 1 with 12 lessons), the lesson it selects
 * and the digits kept for the next key. A digit that makes no lesson's number starts afresh.
 */
export function menuDigit(typed: string, digit: string, count: number): { typed: string; select?: number; start?: number } {
  const tryNumber = (text: string): { typed: string; select?: number; start?: number } | undefined => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > count) return undefined;
    // A longer lesson number begins with these digits: select, and wait for the next key (or Enter).
    if (n * 10 <= count) return { typed: text, select: n };
    return { typed: '', start: n };
  };
  return tryNumber(typed + digit) ?? tryNumber(digit) ?? { typed: '' };
}
