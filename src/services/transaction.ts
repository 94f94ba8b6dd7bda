// One transaction for a use case and the notices it queues, for work that does not
// come with a request's commit (services/inbound.ts does the same for requests):
// reminders, and the outbox reporting what became of a declare.

import type { ServiceContext } from './context.js';

/**
 * Runs `work` with the context's queries inside one transaction, then wakes the
 * outbox worker for whatever it queued (after the commit, so the worker finds it).
 */
export async function inTransaction<T>(ctx: ServiceContext, work: (tx: ServiceContext) => Promise<T>): Promise<T> {
  const result = await ctx.store.transaction((db) => work({ ...ctx, db }));
  ctx.outbox.kick();
  return result;
}
