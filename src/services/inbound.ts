// One way to commit before Slack is answered, for every kind of request.
//
// A request's writes run in the group commit (db/group-commit.ts): requests handled
// at the same time share one transaction and one fsync, and each caller's promise,
// and so Slack's 200 or Socket Mode acknowledgement, waits for that commit. An
// Events API delivery also carries an event id: it is marked as handled in the same
// transaction as the writes it caused, so a failure leaves it unmarked (Slack's
// redelivery is then stored) and a success marks it (a redelivery is then skipped).

import { groupCommit } from '../db/group-commit.js';
import { forgetEventsBefore, isEventHandled, markEventHandled } from '../db/slack-events.js';
import type { ServiceContext } from './context.js';

/** Runs synchronous writes in the group commit; resolves with their result once committed. */
export type Commit = <T>(work: () => T) => Promise<T>;

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
  readonly commit: Commit = (work) => groupCommit(this.ctx.db).run(work);

  /** The delivery of one request; `eventId` for Events API deliveries. */
  delivery(eventId: string | undefined): Delivery {
    if (!eventId) return { alreadyHandled: false, commit: this.commit, finish: async () => undefined };
    if (isEventHandled(this.ctx.db, eventId)) return { alreadyHandled: true, commit: this.commit, finish: async () => undefined };
    let marked = false;
    const commit: Commit = async (work) => {
      const result = await groupCommit(this.ctx.db).run(() => {
        const value = work();
        this.markHandled(eventId);
        return value;
      });
      marked = true;
      return result;
    };
    return {
      alreadyHandled: false,
      commit,
      finish: async () => {
        if (!marked) await groupCommit(this.ctx.db).run(() => this.markHandled(eventId));
      },
    };
  }

  private markHandled(eventId: string): void {
    markEventHandled(this.ctx.db, eventId, this.ctx.now());
    this.handledSinceCleanup += 1;
    if (this.handledSinceCleanup >= CLEANUP_EVERY) {
      this.handledSinceCleanup = 0;
      forgetEventsBefore(this.ctx.db, this.ctx.now() - EVENT_ID_RETENTION_MS);
    }
  }
}
