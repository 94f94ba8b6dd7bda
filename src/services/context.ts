// What every use case needs, passed in once so nothing reaches for globals.
//
// A use case gets a ServiceContext, which has no Slack client: it runs inside a
// transaction that Slack's answer waits for, and what Slack must be told it
// queues in the outbox. The types keep it so: only the outbox, the courtesies
// (lookups and the Home tab) and the listeners hold a SlackContext.

import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Queries, Store } from '../db/store.js';
import type { ReactionMap } from '../domain/reactions.js';
import type { Logger } from '../logger.js';
import type { Tasks } from '../tasks.js';

export type Clock = () => number;

export interface ServiceContext {
  /** Where everything is kept: transactions are opened here (services/transaction.ts). */
  store: Store;
  /**
   * The queries a use case makes: inside a transaction (a request's commit, or
   * `inTransaction`), those of that transaction; otherwise the store's own.
   */
  db: Queries;
  config: Config;
  logger: Logger;
  now: Clock;
  reactions: ReactionMap;
  /** Wakes the outbox worker after notices were queued. */
  outbox: { kick(): void };
}

/** For what talks to Slack outside a transaction: the outbox, the courtesies, the listeners. */
export interface SlackContext extends ServiceContext {
  /** For calls made while someone waits (views.open, membership checks) and idempotent ones. */
  slack: WebClient;
  /** Background work that must not hold up Slack's acknowledgement; tracked for shutdown. */
  tasks: Tasks;
}
