/**
 * Asks the live broker, through the protocol, which transactions are open:
 * the question a read-committed reader's operator asks when its consumers
 * stall. The answer is traced as `audit.txns` (`open`: the transactional
 * ids), so liveness is judged on the broker as it is at the end of a run —
 * where a zombie's transaction at a stale epoch can still hang — and not
 * only on the log as a restarted broker would recover it (recovery aborts
 * transactions of superseded epochs, which hides that hang).
 */
import { LogClient } from './client.ts';
import type { ProcessFactory, ProcessId } from '../runtime/types.ts';

export function txnAuditor(brokerId: ProcessId): ProcessFactory {
  return (ctx) => {
    const client = new LogClient(ctx, brokerId);
    client.listTxns('', (r) => {
      if (r.ok) ctx.trace.emit('audit.txns', { open: r.open.map((t) => t.transactionalId) });
      else ctx.trace.emit('audit.txns', { failed: r.code });
    });
    return { onMessage: (from, msg) => void client.handle(from, msg) };
  };
}
