/**
 * The checkpoint location of a Spark query, on the simulated disk of its own
 * process (`spark-store`), as HDFS or an object store would hold it:
 * `offsets/N` and `commits/N` (the offset and commit logs, part S1),
 * `offsets` itself (the offset log's directory, an empty entry the driver
 * adds when the query starts, a continuous query at every start too: a
 * memory sink's query refuses to recover when it is there), `state/<operator>/<partition>/<version>` (the state
 * store, S8) and a file sink's `<path>/_spark_metadata/N`.
 *
 * `add` is `HDFSMetadataLog.add`: write-once — it answers `created: false`
 * when the file already exists, and otherwise writes a temporary file,
 * fsyncs it and renames it into place, so a crash leaves the file whole or
 * absent. `put` is the same with overwriting allowed (a re-run batch rewrites
 * state version N+1). Every file carries a checksum; a read that fails it is
 * answered `corrupt` and the client asks again, never trusting it. The
 * checksum of a file is summed once per text: a read that finds exactly the
 * text already verified (or written) answers its payload without summing it
 * again, which saves the simulation work and changes nothing it models.
 */
import { seal, unseal } from '../../runtime/checksum.ts';
import { RequestClient } from '../../runtime/request-client.ts';
import type { ProcessContext, ProcessFactory, ProcessId, ProcessLogic } from '../../runtime/types.ts';

export type StoreRequest =
  | { kind: 'store.add'; reqId: number; path: string; content: string; overwrite: boolean }
  | { kind: 'store.get'; reqId: number; path: string }
  | { kind: 'store.list'; reqId: number; prefix: string }
  | { kind: 'store.delete'; reqId: number; paths: string[] };

export type StoreReply =
  | { kind: 'store.added'; reqId: number; created: boolean }
  | { kind: 'store.got'; reqId: number; content: string | null; corrupt: boolean }
  | { kind: 'store.listed'; reqId: number; paths: string[] }
  | { kind: 'store.deleted'; reqId: number };

/** The offset log's directory (`HDFSMetadataLog` makes it when a query is constructed). */
export const OFFSETS_DIR = 'offsets';

const isReply = (m: unknown): m is StoreReply => typeof m === 'object' && m !== null && typeof (m as { kind?: unknown }).kind === 'string' && (m as { kind: string }).kind.startsWith('store.') && typeof (m as { reqId?: unknown }).reqId === 'number';

export function sparkStoreProcess(): ProcessFactory {
  return (ctx) => new SparkStore(ctx);
}

class SparkStore implements ProcessLogic {
  /** Writes waiting for their fsync, by path: a retried add waits for the same one. */
  private readonly writing = new Map<string, (() => void)[]>();
  private tmp = 0;
  /** The last text verified (or written) at each path and its payload (see the module comment). */
  private readonly verified = new Map<string, { raw: string; payload: string }>();

  constructor(private readonly ctx: ProcessContext) {
    // Temporary files of writes a crash interrupted are garbage.
    for (const p of ctx.disk.list('tmp/')) ctx.disk.delete(p);
  }

  onMessage(from: ProcessId, msg: unknown): void {
    const req = msg as StoreRequest;
    const reply = (r: StoreReply): void => this.ctx.net.send(from, r);
    switch (req.kind) {
      case 'store.add': {
        const waiting = this.writing.get(req.path);
        if (waiting) {
          waiting.push(() => reply({ kind: 'store.added', reqId: req.reqId, created: false }));
          return;
        }
        if (!req.overwrite && this.ctx.disk.read(req.path) !== undefined) return reply({ kind: 'store.added', reqId: req.reqId, created: false });
        const tmp = `tmp/${this.ctx.incarnation}-${this.tmp++}`;
        const raw = seal(req.content);
        this.ctx.disk.write(tmp, raw);
        const done: (() => void)[] = [];
        this.writing.set(req.path, done);
        this.ctx.disk.fsync(tmp, () => {
          this.ctx.disk.rename(tmp, req.path);
          this.verified.set(req.path, { raw, payload: req.content });
          this.writing.delete(req.path);
          reply({ kind: 'store.added', reqId: req.reqId, created: true });
          for (const d of done) d();
        });
        return;
      }
      case 'store.get': {
        const raw = this.ctx.disk.read(req.path);
        if (raw === undefined) return reply({ kind: 'store.got', reqId: req.reqId, content: null, corrupt: false });
        const known = this.verified.get(req.path);
        const content = known !== undefined && known.raw === raw ? known.payload : unseal(raw);
        if (content !== undefined) this.verified.set(req.path, { raw, payload: content });
        if (content === undefined) this.ctx.trace.emit('disk.corrupt', { path: req.path, detectedBy: 'spark.store' });
        return reply({ kind: 'store.got', reqId: req.reqId, content: content ?? null, corrupt: content === undefined });
      }
      case 'store.list':
        return reply({ kind: 'store.listed', reqId: req.reqId, paths: this.ctx.disk.list(req.prefix).filter((p) => !p.startsWith('tmp/')) });
      case 'store.delete':
        // A file being written is left alone; deleting what is already gone is a no-op (a resent request).
        for (const path of req.paths) {
          if (this.writing.has(path) || this.ctx.disk.read(path) === undefined) continue;
          this.ctx.disk.delete(path);
          this.verified.delete(path);
        }
        return reply({ kind: 'store.deleted', reqId: req.reqId });
    }
  }
}

/** The client side, inside the driver and the executors. */
export class StoreClient {
  private readonly rpc: RequestClient<StoreReply>;

  constructor(private readonly ctx: ProcessContext, storeId: ProcessId) {
    this.rpc = new RequestClient(ctx, storeId, isReply, { requestTimeoutMs: 200 });
  }

  handle(from: ProcessId, msg: unknown): boolean {
    return this.rpc.handle(from, msg);
  }

  /** Write-once (`overwrite` false) or overwriting; `created` false when a write-once file existed. */
  add(path: string, content: string, overwrite: boolean, cb: (created: boolean) => void): void {
    this.rpc.request({ kind: 'store.add', path, content, overwrite }, (r) => cb(r.kind === 'store.added' && r.created));
  }

  /** The file's content, or null when there is none; a corrupt read is asked again. */
  get(path: string, cb: (content: string | null) => void): void {
    this.rpc.request({ kind: 'store.get', path }, (r) => {
      if (r.kind !== 'store.got') return;
      if (r.corrupt) {
        this.ctx.timers.after(50, () => this.get(path, cb));
        return;
      }
      cb(r.content);
    });
  }

  list(prefix: string, cb: (paths: string[]) => void): void {
    this.rpc.request({ kind: 'store.list', prefix }, (r) => cb(r.kind === 'store.listed' ? r.paths : []));
  }

  /** Deletes files (missing ones are skipped); `cb` once the store has done it. */
  delete(paths: string[], cb: () => void): void {
    if (paths.length === 0) return cb();
    this.rpc.request({ kind: 'store.delete', paths }, () => cb());
  }

  cancelAll(): void {
    this.rpc.cancelAll();
  }
}
