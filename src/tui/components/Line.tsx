/**
 * One terminal line built from styled segments, cut to a width so that it
 * never wraps (a wrapped line would push the whole layout down).
 */
import React from 'react';
import { Text } from 'ink';

export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

export function Line({ segments, width }: { segments: readonly Segment[]; width: number }): React.ReactElement {
  let room = Math.max(0, width);
  const parts: React.ReactElement[] = [];
  segments.forEach((s, i) => {
    if (room <= 0 || s.text === '') return;
    const text = s.text.length > room ? `${s.text.slice(0, Math.max(0, room - 1))}…` : s.text;
    room -= text.length;
    parts.push(
      <Text key={i} color={s.color} bold={s.bold} inverse={s.inverse} dimColor={s.dim}>
        {text}
      </Text>,
    );
  });
  return <Text wrap="truncate">{parts.length > 0 ? parts : ' '}</Text>;
}

/** A plain line of text, cut to width. */
export function Plain({ text, width, color, bold, dim, inverse }: Segment & { width: number }): React.ReactElement {
  return <Line segments={[{ text, color, bold, dim, inverse }]} width={width} />;
}
