/**
 * The pane judge (`window.panes`) for Flink's EventTimeTrigger windows: the
 * committed results of each (key, window), in the order they were
 * committed, must be its panes exactly as the window operator numbers them.
 *
 * - the i-th committed result of a window is its pane `i`: no index missing
 *   (a lost firing), none repeated (a replayed one), none out of order;
 * - `pane.index` is the result's `firing`, and `isFirst` is set on pane 0
 *   only;
 * - pane 0 is ON_TIME (the firing when the watermark reached `end - 1`) or
 *   LATE (a window whose first firing was a late element's: it had no data
 *   when the watermark passed its end, or a session merged then); every
 *   later pane is LATE; EventTimeTrigger never fires EARLY;
 * - only a window's last pane may be `isLast`; with no allowed lateness the
 *   window is cleaned up as it fires on time, so its one pane is ON_TIME,
 *   first and last.
 *
 * A merged session window is a new window whose panes start over, so the
 * rules hold per window whatever merged into it. The judge applies where
 * committed output is exact: a crash replays output only within a
 * transaction, so under exactly-once every pane is committed once; under
 * at-least-once a replayed pane is expected (and the exactly-once oracle
 * reports it). Every result must carry a pane (Flink's window results do).
 */
import type { WindowResult } from '../stream/records.ts';
import { selectFinals } from './finals.ts';
import { describeResult } from './lineage.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult, WindowSpec } from './types.ts';

export function checkWindowPanes(results: readonly WindowResult[], spec: WindowSpec): CheckResult {
  const problems = new Problems();
  const { byWindow } = selectFinals(results, spec);
  let onTime = 0;
  let late = 0;
  for (const list of byWindow.values()) {
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      const p = r.pane;
      if (p === undefined) {
        problems.add(`${describeResult(r)} carries no pane`);
        break;
      }
      const what = `${describeResult(r)} (pane ${p.timing} ${p.index}${p.isFirst ? ' first' : ''}${p.isLast ? ' last' : ''})`;
      if (p.index !== i) {
        const prior = list.slice(0, i).map((x) => x.pane?.index ?? '?').join(', ');
        problems.add(p.index < i
          ? `${what} repeats pane ${p.index}: the window's panes committed before it are ${prior}`
          : `${what} comes where pane ${i} should: pane${p.index - i > 1 ? 's' : ''} ${i}${p.index - i > 1 ? `..${p.index - 1}` : ''} ${p.index - i > 1 ? 'are' : 'is'} missing`);
        break;
      }
      if (p.index !== r.firing) {
        problems.add(`${what} has pane index ${p.index} but firing ${r.firing}`);
        break;
      }
      if (p.isFirst !== (p.index === 0)) {
        problems.add(`${what} is ${p.isFirst ? '' : 'not '}marked first`);
        break;
      }
      if (p.timing === 'EARLY' || (p.index > 0 && p.timing !== 'LATE')) {
        problems.add(`${what}: under EventTimeTrigger pane 0 is ON_TIME or LATE and every later pane LATE`);
        break;
      }
      if (p.isLast && i < list.length - 1) {
        problems.add(`${what} is marked last, but pane ${list[i + 1]!.pane?.index ?? i + 1} follows it`);
        break;
      }
      if (spec.allowedLatenessMs === 0 && (p.timing !== 'ON_TIME' || !p.isLast)) {
        problems.add(`${what}: with no allowed lateness a window's one pane is ON_TIME, first and last`);
        break;
      }
      if (p.timing === 'ON_TIME') onTime++;
      else late++;
    }
  }
  return problems.verdict('window.panes',
    `${formatCount(results.length)} panes of ${formatCount(byWindow.size)} windows (${formatCount(onTime)} on time, ${formatCount(late)} late), numbered from 0 in order`);
}
