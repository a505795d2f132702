/**
 * Trace files. Proves: a world's trace written as JSON lines reads back to
 * the same events and the same hash, including events emitted after the
 * buffer size and up to a failure (the close function flushes).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashEvents } from '../../src/sim/trace.ts';
import { readTraceFile, writeTraceFile } from '../../src/sim/trace-file.ts';
import { chatterWorld } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'weir-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trace files', () => {
  it('round-trips a run through a JSON-lines file', () => {
    const path = join(dir, 'run.jsonl');
    const world = chatterWorld(5, { world: { traceRing: 0 } });
    const close = writeTraceFile(world.trace, path, 16);
    try {
      world.run();
    } finally {
      close();
    }
    const back = readTraceFile(path);
    // world.start was emitted before the writer attached.
    expect(back.length).toBe(world.trace.count - 1);
    expect(back[0].seq).toBe(1);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    const again = chatterWorld(5, { world: { traceRing: 100_000 } });
    again.run();
    expect(hashEvents(again.trace.recent())).toBe(world.trace.hash());
    expect(hashEvents(again.trace.recent().slice(1))).toBe(hashEvents(back));
  });
});
