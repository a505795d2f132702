/**
 * Test harness for the log: a world with a broker and an `app` process that
 * owns a LogClient. `call` issues one client request and runs the world until
 * its callback fires, so tests read like synchronous code.
 */
import { brokerProcess, type BrokerOptions } from '../../src/log/broker.ts';
import { LogClient } from '../../src/log/client.ts';
import { World, type WorldOptions } from '../../src/sim/index.ts';

export interface LogWorld {
  world: World;
  /** The app's current client (replaced when the app restarts). */
  client(): LogClient;
}

export function logWorld(
  seed: number,
  topics: Record<string, number> = { t: 2 },
  opts: Partial<WorldOptions> = {},
  broker: Omit<BrokerOptions, 'topics'> = {},
): LogWorld {
  const world = new World({ seed, detailedTrace: false, traceIo: false, traceRing: 0, ...opts });
  world.addProcess('broker', brokerProcess({ topics, ...broker }));
  const client = addApp(world, 'app');
  world.run({ untilMs: world.now() + 10 });
  return { world, client };
}

/** Adds a process `id` that owns a LogClient; returns its current client (replaced when it restarts). */
export function addApp(world: World, id: string): () => LogClient {
  let current: LogClient | undefined;
  world.addProcess(id, (ctx) => {
    const client = new LogClient(ctx, 'broker', { requestTimeoutMs: 50, maxRetries: 200 });
    current = client;
    return { onMessage: (from, msg) => void client.handle(from, msg) };
  });
  return () => {
    if (current === undefined) throw new Error(`${id} not started`);
    return current;
  };
}

/** Issues a request and runs the world until its callback fires (or throws after `limitMs`). */
export function call<T>(world: World, issue: (cb: (r: T) => void) => void, limitMs = 60_000): T {
  let result: { r: T } | undefined;
  issue((r) => {
    result = { r };
  });
  world.run({ stopWhen: () => result !== undefined, untilMs: world.now() + limitMs });
  if (result === undefined) throw new Error(`no reply within ${limitMs} ms`);
  return result.r;
}

/** Unwraps an ok result, failing the test with the error otherwise. */
export function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}

/** Runs until the queue is idle or `ms` pass. */
export function settle(world: World, ms = 5_000): void {
  world.run({ untilMs: world.now() + ms });
}

/** Crashes and immediately restarts `id`, then lets it finish starting. */
export function bounce(world: World, id: string): void {
  world.crash(id);
  world.restart(id);
  world.run({ untilMs: world.now() + 20 });
}
