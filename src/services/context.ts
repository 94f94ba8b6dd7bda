// What every service needs, passed in once so nothing reaches for globals.

import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { ReactionMap } from '../domain/reactions.js';
import type { Logger } from '../logger.js';
import type { Tasks } from '../tasks.js';

export type Clock = () => number;

export interface ServiceContext {
  db: Db;
  /** For calls made while someone waits (views.open) and idempotent ones; retries on its own. */
  slack: WebClient;
  config: Config;
  logger: Logger;
  now: Clock;
  reactions: ReactionMap;
  tasks: Tasks;
  /** Wakes the outbox worker after notices were queued. */
  outbox: { kick(): void };
}
