/**
 * A reader of a file sink's output directory, as a downstream Spark batch
 * query reads it: through the `_spark_metadata` log when the directory has
 * one (only the files the log lists, so files of failed or repeated
 * attempts are invisible), otherwise every data file in the directory. Each
 * data file holds one output record per line. Files are read from the
 * durable content of the disk they live on, each sealed with its checksum.
 */
import { unseal } from '../runtime/checksum.ts';
import type { DurableView } from '../runtime/deployment.ts';
import type { OutputRecord } from '../stream/records.ts';
import { sinkFiles } from '../stream/file-sink-log.ts';

/** The content of a sealed file (undefined when absent); a file failing its checksum is an error. */
function readSealed(view: Pick<DurableView, 'read'>, path: string): string | undefined {
  const raw = view.read(path);
  if (raw === undefined) return undefined;
  const text = unseal(raw);
  if (text === undefined) throw new Error(`file ${path} fails its checksum`);
  return text;
}

/** The output records of the file sink directory `path`, file by file in the order the reader lists them. */
export function readFileSink(view: Pick<DurableView, 'read' | 'list'>, path: string): OutputRecord[] {
  const fs = { list: (prefix: string) => view.list(prefix), read: (p: string) => readSealed(view, p) };
  const { files } = sinkFiles(fs, path);
  const out: OutputRecord[] = [];
  for (const f of files) {
    const text = fs.read(f);
    if (text === undefined) throw new Error(`data file ${f} is listed in _spark_metadata but missing`);
    for (const line of text.split('\n')) if (line.length > 0) out.push(JSON.parse(line) as OutputRecord);
  }
  return out;
}
