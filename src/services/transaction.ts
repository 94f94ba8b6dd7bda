// One transaction for a use case and the notices it queues, for work that does not
// come with a request's commit (services/inbound.ts does the same for requests):
// reminders, and the outbox reporting what became of a declare.

import type { Queries } from '../db/store.js';
import type { ServiceContext } from './context.js';

/**
 * Runs `work` with the context's queries inside one transaction, then, if it queued
 * anything for Slack, wakes the outbox worker (after the commit, so the worker finds
 * it). Most requests queue nothing (a message recorded): waking the worker for each
 * cost a pass over the outbox, two queries, per event.
 */
export async function inTransaction<T>(ctx: ServiceContext, work: (tx: ServiceContext) => Promise<T>): Promise<T> {
  let queued = false;
  const result = await ctx.store.transaction((db) => {
    // The transaction's queries with `enqueue` noted: an object inheriting them, since
    // copying every query into a new object for each transaction cost more than the
    // event's own writes.
    const noting: Queries = Object.create(db, {
      enqueue: {
        value: (...args: Parameters<Queries['enqueue']>) => {
          queued = true;
          return db.enqueue(...args);
        },
      },
    });
    return work({ ...ctx, db: noting });
  });
  if (queued) ctx.outbox.kick();
  return result;
}
