/**
 * The versioned state store of one stateful operator's shuffle partition,
 * after HDFSBackedStateStoreProvider (part S8), on the checkpoint location:
 * `state/0/<partition>/<version>.delta` and `<version>.snapshot`.
 *
 * - Batch N reads version N and writes version N+1 as a delta file: the
 *   entries put and the entries removed since version N. Writing it again
 *   (a batch run again) overwrites it with the same content.
 * - Every `SNAPSHOT_EVERY` versions the whole state is written as a
 *   snapshot as well (Spark's maintenance writes one once
 *   `minDeltasForSnapshot` deltas piled up, 10 by default).
 * - Loading version V starts from the newest snapshot at or below V (or from
 *   the empty version 0) and applies the deltas after it up to V; a delta
 *   missing from that chain fails the task, as Spark's "Error reading delta
 *   file" does — the state is never guessed.
 * - Maintenance keeps every version from `latest − RETAIN` on loadable
 *   (minBatchesToRetain, 100 by default): it deletes the files older than
 *   the snapshot that version's chain starts from.
 * weir's runs are short, so it snapshots every 5 versions and retains 10:
 * both happen within a run.
 *
 * An entry is identified by its JSON text: a delta removes entries by that
 * text and puts whole entries. A loaded state lists its entries ordered by
 * that text, so it does not depend on how it was put together; the stateful
 * operators keep their own order where it matters (those that take the
 * entries held, below, in an order of no meaning: they depend on none).
 *
 * What a file's text parses to is kept (per path, with the text it came
 * from), so a file read again with the same text is not parsed again; the
 * files this object writes are kept the same way. The read itself still
 * happens: this saves the simulation's own work and changes nothing it
 * models. A load hands out fresh copies for an operator that changes
 * entries in place, and otherwise the entries it holds themselves; either
 * way it remembers what each was read as, and at commit an entry still
 * equal to what it was read as (the very entry, for an operator that
 * changes none) keeps its text: only the others are written out again. The
 * files are byte for byte what writing every entry afresh would give.
 */
import { isJsonData, jsonCopy, sameJson } from '../../stream/plain-data.ts';
import type { StoreClient } from './store.ts';

export const SNAPSHOT_EVERY = 5;
export const RETAIN = 10;

interface StateFile {
  version: number;
  kind: 'delta' | 'snapshot';
  path: string;
}

/** What a load read: the snapshot it started from (0: none) and the deltas applied, with their bytes. */
export interface LoadInfo {
  snapshot: number;
  deltas: number;
  bytes: number;
}

/** A parsed file: a snapshot's entries, or a delta's puts and removes; each entry with its text. */
export interface Parsed {
  content: string;
  put: [text: string, entry: unknown][];
  remove: string[];
}

/** The version a load handed out, for the commit after it (from `load`; or just its texts). */
export interface StateRead {
  version: number;
  /** The version's entries by text. */
  texts: ReadonlyMap<string, unknown>;
  /** Entries handed out as copies: each copy → the text it was read as and the entry it copies. */
  copies?: ReadonlyMap<unknown, { text: string; entry: unknown }>;
  /** Entries handed out as they are held: each → its text. */
  held?: ReadonlyMap<unknown, string>;
  /** The files the version was built from, in order. */
  chain: readonly Parsed[];
}

export class StateFileError extends Error {}

/** The state files among `paths` (each under `dir`): names `<digits>.delta` and `<digits>.snapshot`. */
function parseFiles(dir: string, paths: readonly string[]): StateFile[] {
  const out: StateFile[] = [];
  for (const path of paths) {
    const dot = path.indexOf('.', dir.length);
    if (dot <= dir.length) continue;
    const kind = path.slice(dot + 1);
    if (kind !== 'delta' && kind !== 'snapshot') continue;
    let digits = true;
    for (let i = dir.length; i < dot && digits; i++) {
      const c = path.charCodeAt(i);
      digits = c >= 48 && c <= 57;
    }
    if (digits) out.push({ version: Number(path.slice(dir.length, dot)), kind, path });
  }
  return out;
}

/** The newest snapshot at or below `version` (0 for the empty version). */
function chainStart(files: readonly StateFile[], version: number): number {
  let s = 0;
  for (const f of files) if (f.kind === 'snapshot' && f.version <= version && f.version > s) s = f.version;
  return s;
}

/** A snapshot's or delta's text, as JSON.stringify writes `entries` or `{ put, remove }` from the entries' texts. */
const snapshotText = (texts: readonly string[]): string => `[${texts.join(',')}]`;
const deltaText = (put: readonly string[], remove: readonly string[]): string => `{"put":[${put.join(',')}],"remove":${JSON.stringify(remove)}}`;

export class StateStoreFiles {
  readonly dir: string;
  /** Parsed files by path (see the module comment): only used while the text read is the same. */
  private readonly parsed = new Map<string, Parsed>();
  /** The version last built or written, with the files it is built from. */
  private latest: { version: number; chain: readonly Parsed[]; state: ReadonlyMap<string, unknown> } | undefined;

  constructor(private readonly store: StoreClient, partition: number, private readonly opts: { cleanupLatestOnly?: boolean } = {}) {
    this.dir = `state/0/${partition}/`;
  }

  /**
   * Version `version` of the state (version 0 is empty), with what reading it took and what the
   * commit after it needs. `copies` false: the caller changes no entry it is given (it returns new
   * ones for what it changes) and does not depend on their order, so the entries held are handed
   * out as they are.
   */
  load(version: number, cb: (entries: unknown[], info: LoadInfo, read: StateRead) => void, copies = true): void {
    if (version === 0) return cb([], { snapshot: 0, deltas: 0, bytes: 0 }, { version, texts: new Map(), chain: [], ...(copies ? { copies: new Map() } : { held: new Map() }) });
    this.store.list(this.dir, (paths) => {
      const files = parseFiles(this.dir, paths);
      for (const p of this.parsed.keys()) if (!paths.includes(p)) this.parsed.delete(p);
      const start = chainStart(files, version);
      const chain: Parsed[] = [];
      let bytes = 0;
      /** Reads file `v.kind` onto the chain, then goes on from version v + 1; a missing file fails the load. */
      const read = (v: number, kind: 'delta' | 'snapshot'): void => {
        const path = `${this.dir}${v}.${kind}`;
        this.store.get(path, (text) => {
          if (text === null) throw new StateFileError(`Error reading ${kind} file ${path} of state version ${version}: it does not exist`);
          bytes += text.length;
          chain.push(this.parse(path, text, kind));
          applyDeltas(v + 1);
        });
      };
      const applyDeltas = (v: number): void => {
        if (v > version) return this.handOut(version, chain, { snapshot: start, deltas: version - start, bytes }, copies, cb);
        read(v, 'delta');
      };
      if (start === 0) return applyDeltas(1);
      read(start, 'snapshot');
    });
  }

  /** The state the files of `chain` give (the one last built or written when it came from the same files). */
  private build(version: number, chain: readonly Parsed[]): ReadonlyMap<string, unknown> {
    const l = this.latest;
    if (l !== undefined && l.version === version && l.chain.length === chain.length && l.chain.every((p, i) => p === chain[i])) return l.state;
    const state = new Map<string, unknown>();
    for (const file of chain) {
      for (const k of file.remove) state.delete(k);
      for (const [k, e] of file.put) state.set(k, e);
    }
    this.latest = { version, chain, state };
    return state;
  }

  /** Fresh copies ordered by text, each remembered with the text it was read as; or the entries held, as they are. */
  private handOut(version: number, chain: readonly Parsed[], info: LoadInfo, copies: boolean, cb: (entries: unknown[], info: LoadInfo, read: StateRead) => void): void {
    const state = this.build(version, chain);
    if (!copies) {
      const held = new Map<unknown, string>();
      state.forEach((entry, text) => held.set(entry, text));
      return cb([...held.keys()], info, { version, texts: state, held, chain });
    }
    const texts = [...state.keys()].sort();
    const copied = new Map<unknown, { text: string; entry: unknown }>();
    const entries = texts.map((text) => {
      const entry = state.get(text);
      const copy = jsonCopy(entry);
      copied.set(copy, { text, entry });
      return copy;
    });
    cb(entries, info, { version, texts: state, copies: copied, chain });
  }

  /** The file's entries with their texts, parsed again only when its text is not the one kept. */
  private parse(path: string, content: string, kind: 'delta' | 'snapshot'): Parsed {
    const kept = this.parsed.get(path);
    if (kept !== undefined && kept.content === content) return kept;
    const withText = (e: unknown): [string, unknown] => [JSON.stringify(e), e];
    let parsed: Parsed;
    if (kind === 'snapshot') parsed = { content, put: (JSON.parse(content) as unknown[]).map(withText), remove: [] };
    else {
      const d = JSON.parse(content) as { put: unknown[]; remove: string[] };
      parsed = { content, put: d.put.map(withText), remove: d.remove };
    }
    this.parsed.set(path, parsed);
    return parsed;
  }

  /** The identities of a loaded state's entries, taken before an operator changes the entries in place. */
  static texts(entries: readonly unknown[]): Set<string> {
    return new Set(entries.map((e) => JSON.stringify(e)));
  }

  /**
   * Writes version `version` (the state after the batch) as a delta from the version read (what
   * `load` handed out, or just its `texts`), a snapshot when due, then runs maintenance.
   */
  commit(version: number, old: ReadonlySet<string> | StateRead, after: readonly unknown[], cb: () => void): void {
    const read: StateRead | undefined = old instanceof Set ? undefined : (old as StateRead);
    const had = (k: string): boolean => (read ? read.texts.has(k) : (old as ReadonlySet<string>).has(k));
    // Each entry's text: the one it was read as while it is unchanged (an entry held is never
    // changed), else written afresh. `now` keeps each text's entry as reading the text back gives it.
    const now = new Map<string, unknown>();
    const put: string[] = [];
    for (const e of after) {
      let k: string | undefined;
      let held: unknown;
      if (read?.copies !== undefined) {
        const origin = read.copies.get(e);
        if (origin !== undefined && sameJson(e, origin.entry)) [k, held] = [origin.text, origin.entry];
      } else if (read?.held !== undefined) {
        k = read.held.get(e);
        held = e;
      }
      if (k === undefined) {
        k = JSON.stringify(e);
        // An entry given back by an operator that changes none may be kept as it is.
        held = read?.held !== undefined && isJsonData(e) ? e : jsonCopy(e);
        if (!had(k)) put.push(k);
      } else if (read?.held === undefined && !had(k)) put.push(k);
      now.set(k, held);
    }
    const remove: string[] = [];
    (read ? read.texts : (old as ReadonlySet<string>)).forEach((_v: unknown, k: string) => {
      if (!now.has(k)) remove.push(k);
    });
    remove.sort();
    const deltaPath = `${this.dir}${version}.delta`;
    const delta = deltaText(put, remove);
    const deltaFile: Parsed = { content: delta, put: put.map((k) => [k, now.get(k)]), remove };
    this.parsed.set(deltaPath, deltaFile);
    const snapshotDue = version % SNAPSHOT_EVERY === 0;
    // The next load of this version reads these files: the state need not be built from them again.
    if (read !== undefined && read.version === version - 1 && !snapshotDue) this.latest = { version, chain: [...read.chain, deltaFile], state: now };
    this.store.add(deltaPath, delta, true, () => {
      if (!snapshotDue) return this.maintain(version, cb);
      const texts = [...now.keys()].sort();
      const snapshotPath = `${this.dir}${version}.snapshot`;
      const snapshot = snapshotText(texts);
      const snapshotFile: Parsed = { content: snapshot, put: texts.map((k) => [k, now.get(k)]), remove: [] };
      this.parsed.set(snapshotPath, snapshotFile);
      this.latest = { version, chain: [snapshotFile], state: now };
      this.store.add(snapshotPath, snapshot, true, () => this.maintain(version, cb));
    });
  }

  /** cleanup(): every version from latest − RETAIN on stays loadable; older files go. */
  private maintain(latest: number, cb: () => void): void {
    this.store.list(this.dir, (paths) => {
      const files = parseFiles(this.dir, paths);
      // The planted bug keeps only the newest version's own chain.
      const keepFrom = this.opts.cleanupLatestOnly ? chainStart(files, latest) : chainStart(files, Math.max(0, latest - RETAIN));
      const old = files.filter((f) => f.version < keepFrom && f.version <= latest).map((f) => f.path);
      for (const p of old) this.parsed.delete(p);
      this.store.delete(old, cb);
    });
  }
}
