/**
 * A lesson step's narration as the screen uses it: its text wrapped to the
 * terminal's width (so the narration box can be given exactly the lines it
 * needs, and paged when there are more than fit), and what it talks about —
 * the tasks, processes and transactions it names, and whether it points at
 * the plot — so that a small screen keeps those in view.
 */

/** Words broken into lines of at most `width` characters; a word longer than a line is cut across lines. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter((x) => x !== '')) {
      if (line === '' && word.length <= w) line = word;
      else if (line !== '' && line.length + 1 + word.length <= w) line += ` ${word}`;
      else {
        if (line !== '') out.push(line);
        let rest = word;
        while (rest.length > w) {
          out.push(rest.slice(0, w));
          rest = rest.slice(w);
        }
        line = rest;
      }
    }
    out.push(line);
  }
  return out;
}

export interface Mentions {
  /** Subtasks, e.g. `sessions[1]`. */
  tasks: string[];
  /** Processes: task managers, Kafka Streams instances, Spark executors, the job manager and driver. */
  processes: string[];
  /** Sink transactions (`sink-1-a0-c2`, `late-sink-0-a0-c3`) and transactional ids (`weir-app-ks-0-0`). */
  txns: string[];
  /** The narration points at the event-time plot. */
  plot: boolean;
}

export const NO_MENTIONS: Mentions = { tasks: [], processes: [], txns: [], plot: false };

const unique = (xs: Iterable<string>): string[] => [...new Set(xs)];

export function mentions(text: string): Mentions {
  return {
    tasks: unique([...text.matchAll(/\b[a-z][\w-]*\[\d+\]/g)].map((m) => m[0])),
    processes: unique([...text.matchAll(/\b(?:tm|ks|executor)-\d+\b(?!-)|\b(?:jm|driver)\b/g)].map((m) => m[0])),
    txns: unique([...text.matchAll(/\b(?:[a-z]+-)*sink-\d+-a\d+-c\d+\b|\bweir-app-ks-\d+-\d+\b/g)].map((m) => m[0])),
    plot: /\bplot\b/i.test(text),
  };
}
