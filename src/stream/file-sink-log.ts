/**
 * The `_spark_metadata` log of a file sink directory, as Spark's
 * FileStreamSinkLog lays it out: one file per batch id under
 * `<dir>/_spark_metadata/`, named `N`, holding `v1` and then one JSON line
 * per file the batch added (`{"path": …, "action": "add"}`). Every
 * `compactInterval`-th batch (`(N + 1) % interval == 0`) is a compaction
 * batch written as `N.compact`, which lists every file of the log so far, so
 * a reader needs the latest compaction and the batches after it. A reader
 * that finds no `_spark_metadata` reads every data file of the directory.
 *
 * Shared by the engine that writes the log and the readers that judge its
 * output: the format is the sink's contract with its readers.
 */

/** `spark.sql.streaming.fileSink.log.compactInterval`'s default. */
export const FILE_SINK_COMPACT_INTERVAL = 10;

export const METADATA_DIR = '_spark_metadata';

/** The log's directory under an output directory (with its trailing slash). */
export function metadataDir(path: string): string {
  return `${path}/${METADATA_DIR}/`;
}

/** A log file's batch id and whether it is a compaction, from its name (`7`, `9.compact`); undefined for another file. */
export function parseLogName(name: string): { batch: number; compact: boolean } | undefined {
  const m = /^(\d+)(\.compact)?$/.exec(name);
  return m ? { batch: Number(m[1]), compact: m[2] !== undefined } : undefined;
}

/** Whether batch `batch` writes a compaction. */
export function isCompactionBatch(batch: number, interval = FILE_SINK_COMPACT_INTERVAL): boolean {
  return (batch + 1) % interval === 0;
}

/** The name batch `batch`'s log file has. */
export function logFileName(batch: number, interval = FILE_SINK_COMPACT_INTERVAL): string {
  return isCompactionBatch(batch, interval) ? `${batch}.compact` : String(batch);
}

/** The latest batch id of the log, from the names of its files (-1 when it has none). */
export function latestBatch(names: readonly string[]): number {
  let latest = -1;
  for (const n of names) {
    const p = parseLogName(n);
    if (p && p.batch > latest) latest = p.batch;
  }
  return latest;
}

/** The log files a reader needs, oldest first: the latest compaction (if any) and every batch after it. */
export function filesToRead(names: readonly string[]): string[] {
  const parsed = names.map((n) => ({ n, p: parseLogName(n) })).filter((x): x is { n: string; p: { batch: number; compact: boolean } } => x.p !== undefined);
  const compact = parsed.filter((x) => x.p.compact).reduce((m, x) => Math.max(m, x.p.batch), -1);
  return parsed.filter((x) => x.p.batch > compact || (x.p.compact && x.p.batch === compact)).sort((a, b) => a.p.batch - b.p.batch).map((x) => x.n);
}

/** A log file's text for these data files. */
export function logEntryText(files: readonly string[]): string {
  return ['v1', ...files.map((path) => JSON.stringify({ path, action: 'add' }))].join('\n');
}

/** The data files a log file lists (its `add` entries). */
export function parseLogEntry(text: string): string[] {
  const [version, ...lines] = text.split('\n');
  if (version !== 'v1') throw new Error(`unknown _spark_metadata log version ${String(version)}`);
  return lines.filter((l) => l.length > 0).map((l) => JSON.parse(l) as { path: string; action: string }).filter((e) => e.action === 'add').map((e) => e.path);
}

/**
 * The data files of a file sink directory as a reader sees them, over a synchronous view of the
 * file system: through `_spark_metadata` when it exists, else every data file in the directory.
 */
export function sinkFiles(fs: { list(prefix: string): string[]; read(path: string): string | undefined }, path: string): { files: string[]; metadata: boolean } {
  const dir = metadataDir(path);
  const names = fs.list(dir).map((p) => p.slice(dir.length));
  if (names.length === 0) {
    const files = fs.list(`${path}/`).filter((p) => !p.slice(path.length + 1).includes('/') && !p.slice(path.length + 1).startsWith('_')).sort();
    return { files, metadata: false };
  }
  const files: string[] = [];
  for (const n of filesToRead(names)) {
    const text = fs.read(dir + n);
    if (text === undefined) throw new Error(`_spark_metadata file ${n} is listed but cannot be read`);
    for (const f of parseLogEntry(text)) if (!files.includes(f)) files.push(f);
  }
  return { files, metadata: true };
}
