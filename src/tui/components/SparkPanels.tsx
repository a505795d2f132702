/**
 * A Spark run's panels (the state is model/spark.ts):
 * - driver and batches: the driver's state and the global watermark; the
 *   offset and commit logs (`offsets/N` written before a batch runs,
 *   `commits/N` after its sink); recent batches, newest first, each with
 *   its state, the late and eviction watermarks it ran with, its map tasks
 *   (non-empty offset ranges) and reduce tasks, re-runs, retries, rows
 *   dropped late and sink skips; the current batch's offset ranges;
 * - executors and sink: each executor up or down with the reduce tasks it
 *   ran, the sink's transactions per output partition, its skips and the
 *   rows dropped late.
 */
import React from 'react';
import { Box } from 'ink';
import type { SparkBatch, SparkState } from '../model/spark.ts';
import { fmtNum, fmtWm } from '../model/format.ts';
import { Line, type Segment } from './Line.tsx';

const BATCH_COLOR = { planned: 'yellow', running: 'cyan', committed: 'green' } as const;
const DRIVER_COLOR = { starting: 'yellow', running: 'green', crashed: 'red', finished: 'gray' } as const;
const TXN_COLOR = { open: 'cyan', committed: 'green', aborted: 'red' } as const;

export interface SparkPanelProps {
  spark: SparkState | undefined;
  width: number;
  height: number;
  focus: string | undefined;
}

function logText(name: string, top: number): string {
  return top < 0 ? `${name}/ empty` : top === 0 ? `${name}/0` : `${name}/0–${top}`;
}

function batchLine(b: SparkBatch): Segment[] {
  const ran = b.runs > 0;
  return [
    { text: ` b${b.id}`.padEnd(5), bold: true },
    { text: `${b.status.padEnd(10)}`, color: BATCH_COLOR[b.status] },
    { text: ran ? `wm ${fmtWm(b.wmLate)}/${fmtWm(b.wmEvict)}` : 'offsets logged, not run yet', dim: !ran },
    // The rare and telling facts before the routine counts: a narrow panel cuts from the right.
    { text: b.runs > 1 ? `  run ${b.runs}` : '', color: 'yellow', bold: true },
    { text: b.noData ? '  no data' : '', color: 'magenta' },
    { text: b.retries.length > 0 ? `  retry ${b.retries.join(' ')}` : '', color: 'yellow' },
    { text: b.late > 0 ? `  late ${b.late}` : '', color: 'red' },
    { text: b.skips > 0 ? `  skips ${b.skips}` : '', color: 'magenta' },
    { text: ran && !b.noData ? `  maps ${b.maps} reduces ${b.reduces.size}` : '', dim: true },
    { text: b.nextWatermark !== undefined ? `  → ${fmtWm(b.nextWatermark)}` : '', dim: true },
  ];
}

/** The driver, the logs and recent batches, in `height` lines. */
export function SparkBatches({ spark, width, height, focus }: SparkPanelProps): React.ReactElement {
  if (!spark) return <Box flexDirection="column"><Line width={width} segments={[{ text: 'driver ', bold: true }, { text: 'not started', dim: true }]} /></Box>;
  const s = spark;
  const lines: Segment[][] = [
    [
      { text: 'driver ', bold: true, inverse: focus === 'driver' },
      { text: s.driver, color: DRIVER_COLOR[s.driver], bold: s.driver === 'crashed' },
      { text: s.incarnation > 0 ? ` (incarnation ${s.incarnation})` : '', dim: true },
      { text: `  batch ${s.batch < 0 ? '—' : s.batch}` , bold: true },
      { text: `  watermark ${fmtWm(s.watermark)}` },
      { text: s.watermarkDelayMs !== undefined ? ` (delay ${fmtNum(s.watermarkDelayMs)} ms)` : '', dim: true },
    ],
    [
      { text: 'logs ', bold: true },
      { text: logText('offsets', s.offsetsLog) },
      { text: '  ' },
      { text: logText('commits', s.commitsLog) },
      { text: s.offsetsLog > s.commitsLog ? `  offsets/${s.offsetsLog} not committed yet` : '', color: 'yellow' },
      { text: s.lastRestart && s.lastRestart.latestOffsets >= 0 ? `  restart found offsets/${s.lastRestart.latestOffsets} commits/${s.lastRestart.latestCommit}${s.lastRestart.rerun ? ': re-run' : ''}` : '', dim: true },
    ],
  ];
  lines.push([{ text: 'batches ', bold: true }, { text: 'wm late/evict, run N: re-run, late rows, sink skips, → next wm', dim: true }]);
  const batches = [...s.batches.values()].sort((a, b) => b.id - a.id);
  const current = s.batches.get(s.batch);
  for (const b of batches) {
    lines.push(batchLine(b));
    if (b === current && b.offsets.length > 0) lines.push([{ text: '      offsets ', dim: true }, { text: b.offsets.join(' ') }]);
  }
  if (batches.length === 0) lines.push([{ text: ' no batch yet', dim: true }]);
  return <Box flexDirection="column">{lines.slice(0, Math.max(1, height)).map((segs, k) => <Line key={k} width={width} segments={segs} />)}</Box>;
}

/** Executors, the sink and late rows, in at most `height` lines. */
export function SparkExecutorsPanel({ spark, width, height, focus, guarantee }: SparkPanelProps & { guarantee: string | undefined }): React.ReactElement {
  if (!spark) return <Box flexDirection="column"><Line width={width} segments={[{ text: 'executors ', bold: true }, { text: 'none yet', dim: true }]} /></Box>;
  const s = spark;
  const lines: Segment[][] = [[{ text: 'executors ', bold: true }, { text: 'map tasks are not traced per executor', dim: true }]];
  for (const x of s.executors.values()) {
    lines.push([
      { text: ` ${x.name} `, bold: x.name === focus, inverse: x.name === focus },
      { text: x.up ? 'up   ' : 'down ', color: x.up ? 'green' : 'red', bold: !x.up },
      { text: `reduces ${fmtNum(x.reduces)}` },
      { text: x.last ? `  last ${x.last}` : '', dim: true },
    ]);
  }
  lines.push([{ text: ` task retries ${fmtNum(s.retries)} · re-run batches ${fmtNum(s.reruns)}`, dim: true }]);
  const eos = guarantee !== 'at-least-once' && s.sinkTxns.size > 0;
  if (s.memory) {
    const m = s.memory;
    lines.push([
      { text: 'sink ', bold: true },
      { text: `memory table ${m.name}: ${fmtNum(m.rows)} rows${m.batch >= 0 ? ` up to batch ${m.batch}` : ''}, ${fmtNum(m.added)} batches added` },
      { text: `  skips ${fmtNum(s.sinkSkips)}`, color: s.sinkSkips > 0 ? 'magenta' : undefined },
      { text: m.refused ? '  recovery refused: the table is gone' : '', color: 'red' },
    ]);
  } else lines.push([
    { text: 'sink ', bold: true },
    { text: eos ? `${fmtNum(s.sinkCommitted)} txns committed, ${fmtNum(s.sinkAborted)} aborted` : 'plain writes (no transactions)', dim: !eos },
    { text: `  skips ${fmtNum(s.sinkSkips)}`, color: s.sinkSkips > 0 ? 'magenta' : undefined },
    { text: s.lastSkip ? ` (b${s.lastSkip.batch} p${s.lastSkip.partition}: batch ${s.lastSkip.committed} written)` : '', dim: true },
  ]);
  for (const t of [...s.sinkTxns.values()].sort((a, b) => (a.txnId < b.txnId ? -1 : 1))) {
    lines.push([{ text: ` ${t.txnId} e${t.epoch} #${t.n} `, dim: true }, { text: t.status, color: TXN_COLOR[t.status] }]);
  }
  lines.push([{ text: 'late rows ', bold: true }, { text: `${fmtNum(s.lateRows)} dropped by the late watermark`, color: s.lateRows > 0 ? 'red' : undefined }]);
  return <Box flexDirection="column">{lines.slice(0, Math.max(1, height)).map((segs, k) => <Line key={k} width={width} segments={segs} />)}</Box>;
}

export function sparkExecutorLines(spark: SparkState | undefined): number {
  if (!spark) return 1;
  return 4 + spark.executors.size + spark.sinkTxns.size;
}
