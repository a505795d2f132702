/**
 * Exports a run's trace in the Chrome Trace Event JSON format, which the
 * Perfetto UI (ui.perfetto.dev) and chrome://tracing open: each simulated
 * process is a process track, each task a thread in it (other events go to
 * the process's own thread), faults are global instants, each task's
 * watermark lag (virtual time minus watermark) is a counter, and every
 * network message is a flow arrow from its send to its delivery. Perfetto
 * binds a flow's ends to slices, not to instants, so each send and each
 * delivery is a short complete slice (`X`, one trace microsecond) on its
 * thread, and the flow's start and end (`s`, `f` with `bp: "e"`) sit at that
 * slice's timestamp.
 *
 * Virtual milliseconds become trace microseconds × 1000, so the UI's time
 * axis reads in virtual time.
 */
import type { TraceEvent } from '../runtime/trace-event.ts';

interface ChromeEvent {
  name: string;
  ph: 'i' | 'C' | 's' | 't' | 'f' | 'M' | 'X';
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  s?: 'g' | 'p' | 't';
  id?: number;
  bp?: 'e';
  cat?: string;
  args?: Record<string, unknown>;
}

const FAULT_KINDS = new Set(['proc.crash', 'proc.restart', 'net.partition', 'net.heal', 'net.spike', 'disk.torn', 'disk.corrupt', 'disk.lost', 'buggify', 'job.fail']);
/** Far beyond any real watermark: the final watermark and the initial one. */
const WATERMARK_BOUND = 2 ** 52;

export class PerfettoExport {
  private readonly out: ChromeEvent[] = [];
  private readonly pids = new Map<string, number>();
  private readonly tids = new Map<string, number>();
  /** Ids of the messages whose flow has begun: a connection's retransmission continues it, or begins it when the first send went into a cut link untraced. */
  private readonly flows = new Set<number>();

  private pid(p: string): number {
    let id = this.pids.get(p);
    if (id === undefined) {
      id = this.pids.size + 1;
      this.pids.set(p, id);
      this.out.push({ name: 'process_name', ph: 'M', pid: id, tid: 0, args: { name: p } });
    }
    return id;
  }

  private tid(pid: number, thread: string): number {
    const key = `${pid}/${thread}`;
    let id = this.tids.get(key);
    if (id === undefined) {
      id = this.tids.size + 1;
      this.tids.set(key, id);
      this.out.push({ name: 'thread_name', ph: 'M', pid, tid: id, args: { name: thread } });
    }
    return id;
  }

  /** Takes one trace event (use as a trace subscriber). */
  add(e: TraceEvent): void {
    const pid = this.pid(e.p);
    const thread = typeof e.task === 'string' ? e.task : e.p;
    const tid = this.tid(pid, thread);
    const ts = e.t * 1000;
    const { seq, t, p, kind, ...args } = e;
    void seq;
    void t;
    void p;
    if (kind === 'net.send' || kind === 'net.deliver') {
      const sending = kind === 'net.send';
      const msg = String(e.msg ?? 'message');
      this.out.push({ name: `${sending ? 'send' : 'deliver'} ${msg}`, cat: 'net', ph: 'X', ts, dur: 1, pid, tid, args });
      // A connection's retransmission (`resend`) is a step of the flow its first send began.
      const id = Number(e.mid);
      const ph = !sending ? 'f' : this.flows.has(id) ? 't' : 's';
      if (sending) this.flows.add(id);
      this.out.push({ name: msg, cat: 'net', ph, ...(sending ? {} : { bp: 'e' as const }), id, ts, pid, tid });
      return;
    }
    this.out.push({ name: kind, cat: kind.split('.')[0]!, ph: 'i', s: FAULT_KINDS.has(kind) ? 'g' : 't', ts, pid, tid, args });
    if (kind === 'watermark' && e.ch === -1 && typeof e.wm === 'number' && Math.abs(e.wm) < WATERMARK_BOUND) {
      this.out.push({ name: `watermark lag ${thread}`, ph: 'C', ts, pid, tid, args: { lagMs: e.t - e.wm } });
    }
  }

  json(): string {
    return JSON.stringify({ traceEvents: this.out, displayTimeUnit: 'ms' });
  }
}
