/**
 * `weir walkthrough [lesson]`: narrated replays of fixed runs — a menu, or
 * the named lesson at once. When stdout is not a terminal it prints the
 * lesson's narration with the event each step points at (or the list of
 * lessons). An unknown lesson is one line on stderr and exit 2.
 */
import { parseArgs } from './args.ts';
import { WALKTHROUGH_HELP } from './help.ts';
import { EXIT, quote, UsageError } from './usage-error.ts';

export async function walkthroughCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('walkthrough', argv, {});
  if (args.switches.has('help')) {
    process.stdout.write(WALKTHROUGH_HELP);
    return EXIT.ok;
  }
  const [name, extra] = args.positionals;
  if (extra !== undefined) throw new UsageError(`unexpected argument ${quote(extra)}: weir walkthrough takes at most one lesson`);
  const { LESSONS, findLesson } = await import('../tui/lessons/catalogue.ts');
  const lesson = name === undefined ? undefined : findLesson(name);
  if (name !== undefined && lesson === undefined) {
    throw new UsageError(`unknown lesson ${quote(name)} (lessons: ${LESSONS.map((l) => l.name).join(', ')})`);
  }
  const { loadLesson } = await import('../tui/lessons/resolve.ts');
  if (!process.stdout.isTTY) {
    const { lessonText, menuText } = await import('../tui/summary.ts');
    process.stdout.write(lesson ? lessonText(await loadLesson(lesson)) : menuText(LESSONS));
    return EXIT.ok;
  }
  // React's development build checks every render and halves the frame rate; this is a user's screen.
  process.env.NODE_ENV ??= 'production';
  const { showWalkthrough } = await import('../tui/screen.tsx');
  await showWalkthrough({ lessons: LESSONS, load: loadLesson, ...(lesson ? { initial: lesson.name } : {}) });
  return EXIT.ok;
}
