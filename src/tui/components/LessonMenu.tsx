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
            { text: `${i === selected ? '▶' : ' '} ${i + 1}. `, bold: i === selected },
            { text: l.name.padEnd(14), bold: true, inverse: i === selected },
            { text: ` ${l.summary}` },
          ]}
        />
      ))}
      <Text> </Text>
      <Plain text={`↑ ↓ choose · Enter or 1-${lessons.length} start · q quit · in a lesson: Enter/→ next, ← back, m menu`} dim width={width} />
      {status ? <Plain text={status} color="yellow" width={width} /> : null}
    </Box>
  );
}
