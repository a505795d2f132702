/**
 * A Kafka Streams run's panels (the state is model/kstreams.ts):
 * - instances: each ks-N with its state (joining, restoring, running,
 *   revoked, lost, quiet, crashed, closed), its generation, whether
 *   it is cut off from the broker or holds tasks of an older generation
 *   (a zombie); under each, its tasks with their stream time and each
 *   windowed operator's own stream time; then the stores, restoring or
 *   restored (records read, changelog offset reached) with the changelog's
 *   end;
 * - group and transactions: the group's generation and members, the tasks
 *   each member was assigned, rebalances; each stream thread's transaction
 *   (transactional id epoch, number, open / committed / aborted, the
 *   generation its offsets went in with; under exactly-once, until its
 *   first task initialises the producer, that it has none yet) and the
 *   offsets its last commit carried.
 */
import React from 'react';
import { Box } from 'ink';
import { isZombie, ksInstanceStatus, type KsInstance, type KsInstanceStatus, type KsState, type KsTask } from '../model/kstreams.ts';
import { fmtNum, fmtWm } from '../model/format.ts';
import { Line, type Segment } from './Line.tsx';

const STATUS_COLOR: Record<KsInstanceStatus, string | undefined> = {
  joining: 'yellow', restoring: 'yellow', running: 'green', revoked: 'magenta', lost: 'red', quiet: 'cyan', crashed: 'red', closed: 'gray',
};
const TASK_COLOR = { restoring: 'yellow', running: 'green', revoked: 'magenta', suspended: 'magenta' } as const;
const TXN_COLOR = { open: 'cyan', committed: 'green', aborted: 'red' } as const;

/**
 * Committed offsets (`topic/p@offset`) grouped by topic: `input 0@107 1@106 repartition 0@73`; an
 * internal topic's prefix (`weir-app-counts-repartition`) is left out, the panel being narrow.
 */
export function offsetsText(list: readonly string[]): string {
  const byTopic = new Map<string, string[]>();
  for (const o of list) {
    const m = /^(.*)\/(\d+@-?\d+)$/.exec(o);
    const topic = m ? m[1]!.replace(/^.*-(repartition|changelog)$/, '$1') : '?';
    const at = m ? m[2]! : o;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), at]);
  }
  return [...byTopic].map(([t, ps]) => `${t} ${ps.join(' ')}`).join('  ');
}

function taskLine(t: KsTask): Segment[] {
  const segs: Segment[] = [
    { text: `  ${t.id.padEnd(4)}`, bold: true },
    { text: `${t.status.padEnd(10)}`, color: TASK_COLOR[t.status] },
    { text: `st ${fmtWm(t.streamTime)}` },
  ];
  for (const [store, st] of t.ops) segs.push({ text: `  ${store} ${fmtWm(st)}`, color: 'cyan' });
  if (t.dropped > 0) segs.push({ text: `  dropped ${fmtNum(t.dropped)}`, color: 'red' });
  return segs;
}

function instanceLine(s: KsState, i: KsInstance, focus: boolean): Segment[] {
  const status = ksInstanceStatus(s, i);
  return [
    { text: i.name.padEnd(5), bold: true, inverse: focus },
    { text: ` ${status.padEnd(10)}`, color: STATUS_COLOR[status], bold: status === 'crashed' || status === 'lost' },
    { text: i.generation >= 0 ? `gen ${i.generation}` : '', dim: true },
    // Its tasks are listed below; what is wrong with it comes first, as a narrow panel cuts from the right.
    ...(isZombie(s, i) ? [{ text: `  zombie (group at ${s.group.generation})`, color: 'red', bold: true }] : []),
    ...(i.cutOff.length > 0 ? [{ text: `  cut off from ${i.cutOff.join(', ')}`, color: 'red' }] : []),
    ...(i.lost !== undefined ? [{ text: `  ${i.lost}`, color: 'red' }] : []),
  ];
}

export interface KsPanelProps {
  ks: KsState | undefined;
  width: number;
  height: number;
  /** The process the cursor's event is about (its instance is highlighted). */
  focus: string | undefined;
}

/** Instances, their tasks and the stores, in `height` lines. */
export function KsInstances({ ks, width, height, focus }: KsPanelProps): React.ReactElement {
  const title: Segment[] = [{ text: 'instances ', bold: true }, { text: 'st = task stream time, then each store\'s operator', dim: true }];
  if (!ks || ks.instances.size === 0) {
    return <Box flexDirection="column"><Line width={width} segments={title} /><Line width={width} segments={[{ text: 'no instance has started yet', dim: true }]} /></Box>;
  }
  const stores = [...ks.stores.values()];
  const blocks = [...ks.instances.values()].map((i) => ({ i, tasks: i.tasks.map((id) => ks.tasks.get(`${i.name}/${id}`)).filter((t): t is KsTask => t !== undefined) }));
  // Lines: title, one per instance, its tasks; then the stores' title and one per store. Tasks give way
  // first (the rest of an instance's tasks is one "… N more" line), then stores.
  const room = Math.max(1, height - 1 - blocks.length);
  const storeRoom = stores.length === 0 ? 0 : Math.min(1 + stores.length, Math.max(2, Math.floor(room / 3)));
  let taskRoom = room - storeRoom;
  const lines: React.ReactElement[] = [<Line key="title" width={width} segments={title} />];
  const focusFirst = [...blocks].sort((a, b) => Number(b.i.name === focus) - Number(a.i.name === focus));
  const budget = new Map<string, number>();
  for (const b of focusFirst) {
    const n = b.tasks.length <= taskRoom ? b.tasks.length : Math.max(0, taskRoom - 1);
    budget.set(b.i.name, n);
    taskRoom -= n + (n < b.tasks.length ? 1 : 0);
  }
  for (const b of blocks) {
    lines.push(<Line key={b.i.name} width={width} segments={instanceLine(ks, b.i, b.i.name === focus)} />);
    const n = budget.get(b.i.name) ?? 0;
    for (const t of b.tasks.slice(0, n)) lines.push(<Line key={`${b.i.name}/${t.id}`} width={width} segments={taskLine(t)} />);
    if (n < b.tasks.length) lines.push(<Line key={`${b.i.name}/more`} width={width} segments={[{ text: `  … ${b.tasks.length - n} more tasks`, dim: true }]} />);
  }
  if (storeRoom > 0) {
    const restoring = stores.filter((x) => x.status === 'restoring').length;
    lines.push(<Line key="stores" width={width} segments={[
      { text: 'stores ', bold: true },
      { text: `${ks.restores} restored (${fmtNum(ks.restoredRecords)} records)`, color: 'green' },
      { text: restoring > 0 ? `, ${restoring} restoring` : '', color: 'yellow' },
    ]} />);
    // Restoring stores first: they are what a task waits for.
    const shown = [...stores].sort((a, b) => Number(b.status === 'restoring') - Number(a.status === 'restoring')).slice(0, storeRoom - 1);
    for (const st of shown) {
      const end = ks.changelogEnd.get(`${st.topic}/${st.partition}`);
      lines.push(<Line key={`${st.instance}/${st.task}/${st.store}`} width={width} segments={[
        { text: `  ${st.store} ${st.task} ${st.instance} ` },
        st.status === 'restoring'
          ? { text: 'restoring from changelog', color: 'yellow' }
          : { text: `restored ${fmtNum(st.records)} rec @${fmtNum(st.offset)}`, color: 'green' },
        { text: end !== undefined ? `  changelog end ${fmtNum(end)}` : '', dim: true },
      ]} />);
    }
  }
  return <Box flexDirection="column">{lines.slice(0, Math.max(1, height))}</Box>;
}

/** The group, the assignment and each thread's transaction and last commit, in at most `height` lines. */
export function KsGroupPanel({ ks, width, height, focus, guarantee }: KsPanelProps & { guarantee: string | undefined }): React.ReactElement {
  const lines: Segment[][] = [];
  if (!ks) return <Box flexDirection="column"><Line width={width} segments={[{ text: 'group ', bold: true }, { text: 'none yet', dim: true }]} /></Box>;
  const g = ks.group;
  lines.push([
    { text: 'group ', bold: true },
    { text: g.generation >= 0 ? `gen ${g.generation} ` : 'no generation yet ', bold: true },
    g.rebalancing ? { text: 'rebalancing', color: 'yellow' } : { text: 'stable', color: 'green' },
    { text: ` · ${g.members.length} member${g.members.length === 1 ? '' : 's'}` },
  ]);
  for (const [member, a] of g.assignment) {
    lines.push([
      { text: ` ${a.instance} g${a.generation}: `, bold: a.instance === focus },
      { text: a.tasks.join(' ') || '(no tasks)' },
      { text: `  member ${member}`, dim: true },
    ]);
  }
  lines.push([{ text: ` rebalances ${ks.rebalances} · fenced ${ks.fenced} · lost ${ks.lost}`, dim: true }]);
  // Under exactly-once a producer initialises only as its instance's first task does: until then the
  // instances' starts say the guarantee.
  const eos = guarantee !== 'at-least-once' && [...ks.instances.values()].some((i) => i.txnId !== undefined || i.guarantee === 'exactly-once');
  lines.push([
    { text: eos ? 'transactions ' : 'commits ', bold: true },
    { text: eos ? `${fmtNum(ks.txnsCommitted)} committed, ${fmtNum(ks.txnsAborted)} aborted` : `${fmtNum(ks.commits)} (no transactions)`, dim: !eos },
  ]);
  for (const i of ks.instances.values()) {
    const t = i.txn;
    lines.push([
      { text: ` ${i.name} `, bold: i.name === focus },
      ...(t
        ? [
            { text: `#${t.n} ` },
            { text: t.status, color: TXN_COLOR[t.status], bold: t.status === 'aborted' },
            { text: t.offsetsGeneration >= 0 ? ` offsets@g${t.offsetsGeneration}` : '', dim: true },
            { text: t.reason && t.status === 'aborted' ? ` ${t.reason}` : '', color: 'red' },
            { text: `  ${t.txnId} e${t.epoch}`, dim: true },
          ]
        : [{ text: i.txnId ? `${i.txnId} e${i.epoch ?? '?'} no txn yet` : eos ? 'producer not initialised yet' : `${fmtNum(i.commits)} commits`, dim: true }]),
    ]);
    if (i.lastCommit) lines.push([{ text: `   last commit g${i.lastCommit.generation}: `, dim: true }, { text: offsetsText(i.lastCommit.offsets) || '(no offsets)' }]);
  }
  return <Box flexDirection="column">{lines.slice(0, Math.max(1, height)).map((segs, k) => <Line key={k} width={width} segments={segs} />)}</Box>;
}

/** Lines the group panel wants (so the plot below it gets the rest). */
export function ksGroupLines(ks: KsState | undefined): number {
  if (!ks) return 1;
  let n = 3 + ks.group.assignment.size;
  for (const i of ks.instances.values()) n += 1 + (i.lastCommit ? 1 : 0);
  return n;
}
