/**
 * Checkpoints and sink transactions at the cursor: each recent checkpoint's
 * acks (in / of), completion or abort; each recent sink transaction's state
 * (open → precommitted → committed, or aborted); the output read-committed
 * readers can see so far, and what waits in open transactions.
 */
import React from 'react';
import { Box } from 'ink';
import type { CheckpointState, ReplayState, TxnState } from '../model/types.ts';
import { fmtNum } from '../model/format.ts';
import { Line, type Segment } from './Line.tsx';

const CP_COLOR = { 'in progress': 'yellow', completed: 'green', aborted: 'red', lost: 'red' } as const;
const TXN_COLOR = { open: 'cyan', precommitted: 'yellow', committed: 'green', aborted: 'red', empty: 'gray' } as const;

function checkpointLine(c: CheckpointState): Segment[] {
  return [
    { text: ` c${c.id}`.padEnd(6), bold: true },
    { text: c.status.padEnd(12), color: CP_COLOR[c.status] },
    { text: `acks ${c.acked}/${c.of || '?'}` },
    { text: c.metadata ? '  metadata ✓' : '', dim: true },
    { text: c.reason ? `  ${c.reason}` : '', color: 'red' },
  ];
}

function txnLine(t: TxnState, nameWidth: number): Segment[] {
  return [
    { text: ` ${t.txn.padEnd(nameWidth)} ` },
    { text: t.status.padEnd(13), color: TXN_COLOR[t.status] },
    { text: t.checkpoint !== undefined ? `c${t.checkpoint} ` : '', dim: true },
    { text: t.reason ? t.reason : '', color: 'red' },
  ];
}

/** The last `n` of `all`, except that those named in `keep` come first (in their order in `all`). */
export function recentKeeping<T>(all: readonly T[], n: number, name: (x: T) => string, keep: readonly string[]): T[] {
  if (n <= 0) return [];
  const kept = all.filter((x) => keep.includes(name(x))).slice(-n);
  const others = all.filter((x) => !kept.includes(x));
  const chosen = new Set([...kept, ...others.slice(Math.max(0, others.length - (n - kept.length)))]);
  return all.filter((x) => chosen.has(x));
}

export function Checkpoints({ state, width, height, mentioned = [] }: { state: ReplayState; width: number; height: number; mentioned?: readonly string[] }): React.ReactElement {
  const pending = [...state.pendingOutput.values()].reduce((a, b) => a + b, 0);
  const room = Math.max(0, height - 2);
  const allCps = [...state.checkpoints.values()];
  const allTxns = [...state.txns.values()];
  let nc = Math.min(allCps.length, Math.ceil(room / 2));
  const nt = Math.min(allTxns.length, room - nc);
  nc = Math.min(allCps.length, room - nt);
  const cps = nc > 0 ? allCps.slice(-nc) : [];
  const txns = recentKeeping(allTxns, nt, (t) => t.txn, mentioned);
  const nameWidth = Math.max(0, ...txns.map((t) => t.txn.length));
  const lines: React.ReactElement[] = [
    <Line key="cp" width={width} segments={[
      { text: 'checkpoints ', bold: true },
      { text: `${fmtNum(state.checkpointsCompleted)} completed`, color: 'green' },
      { text: `, ${fmtNum(state.checkpointsAborted)} aborted`, color: state.checkpointsAborted > 0 ? 'red' : undefined },
      { text: state.checkpointsLost > 0 ? `, ${fmtNum(state.checkpointsLost)} lost` : '', color: 'red' },
    ]} />,
    ...cps.map((c) => <Line key={`c${c.id}`} width={width} segments={checkpointLine(c)} />),
    <Line key="out" width={width} segments={[
      { text: 'output ', bold: true },
      { text: `${fmtNum(state.committedOutput)} committed`, color: 'green' },
      { text: pending > 0 ? ` (+${fmtNum(pending)} in open txns)` : '', color: 'yellow' },
      { text: `  txns ${fmtNum(state.txnsCommitted)} committed, ${fmtNum(state.txnsAborted)} aborted`, dim: true },
    ]} />,
    ...txns.map((t) => <Line key={t.txn} width={width} segments={txnLine(t, nameWidth)} />),
  ];
  return <Box flexDirection="column">{lines.slice(0, Math.max(0, height))}</Box>;
}
