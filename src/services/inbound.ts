// One way to commit before Slack is answered, for every kind of request.
//
// A request's writes run in one store transaction (on SQLite, requests handled at
// the same time share one commit and one fsync: db/group-commit.ts), and the
// caller's promise, and so Slack's 200 or Socket Mode acknowledgement, waits for
// that commit. An Events API delivery also carries an event id: it is marked as
// handled in the same transaction as the writes it caused, so a failure leaves it
// unmarked (Slack's redelivery is then stored) and a success marks it (a
// redelivery is then skipped).

import type { ServiceContext } from './context.js';
import { inTransaction } from './transaction.js';

/**
 * Runs a request's work in one transaction (its context's queries are the
 * transaction's); resolves with its result once committed, and wakes the outbox.
 */
export type Commit = <T>(work: (tx: ServiceContext) => Promise<T>) => Promise<T>;

/** Slack re-delivers for about an hour; ids are kept for a day. */
const EVENT_ID_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Old event ids are cleared every this many events, so the table stays small without a timer. */
const CLEANUP_EVERY = 1000;

export interface Delivery {
  /** Slack delivered this event before and it was stored: answer, and do nothing. */
  alreadyHandled: boolean;
  commit: Commit;
  /** After the listeners ran: marks the event handled if none of them committed anything. */
  finish(): Promise<void>;
}

export class Inbound {
  private handledSinceCleanup = 0;

  constructor(private readonly ctx: ServiceContext) {}

  /** Commit for a request without an event id (commands, interactions). */
  readonly commit: Commit = (work) => inTransaction(this.ctx, work);

  /** The delivery of one request; `eventId` for Events API deliveries. */
  async delivery(eventId: string | undefined): Promise<Delivery> {
    if (!eventId) return { alreadyHandled: false, commit: this.commit, finish: async () => undefined };
    if (await this.ctx.db.isEventHandled(eventId)) return { alreadyHandled: true, commit: this.commit, finish: async () => undefined };
    let marked = false;
    const commit: Commit = async (work) => {
      const result = await inTransaction(this.ctx, async (tx) => {
        const value = await work(tx);
        await this.markHandled(tx, eventId);
        return value;
      });
      marked = true;
      return result;
    };
    return {
      alreadyHandled: false,
      commit,
      finish: async () => {
        if (!marked) await inTransaction(this.ctx, (tx) => this.markHandled(tx, eventId));
      },
    };
  }

  private async markHandled(tx: ServiceContext, eventId: string): Promise<void> {
    await tx.db.markEventHandled(eventId, tx.now());
    this.handledSinceCleanup += 1;
    if (this.handledSinceCleanup >= CLEANUP_EVERY) {
      this.handledSinceCleanup = 0;
      await tx.db.forgetEventsBefore(tx.now() - EVENT_ID_RETENTION_MS);
    }
  }
}
