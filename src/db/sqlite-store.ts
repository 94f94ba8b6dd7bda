// The store on SQLite: one connection, the queries of db/*.ts, and transactions
// that share commits (db/group-commit.ts).

import * as actions from './actions.js';
import type { Database } from './connection.js';
import * as drafts from './drafts.js';
import { GroupCommit } from './group-commit.js';
import * as home from './home.js';
import * as incidents from './incidents.js';
import * as messages from './messages.js';
import * as outbox from './outbox.js';
import * as reminders from './reminders.js';
import * as settings from './settings.js';
import * as slackEvents from './slack-events.js';
import type { Queries, Store } from './store.js';
import * as users from './users.js';

type SyncQuery = (db: Database['db'], ...args: unknown[]) => unknown;

/** Every query function of db/*.ts, by name (what `Queries` lists). */
const QUERIES: ReadonlyArray<[string, SyncQuery]> = Object.entries({
  ...actions,
  ...drafts,
  ...home,
  ...incidents,
  ...messages,
  ...outbox,
  ...reminders,
  ...settings,
  ...slackEvents,
  ...users,
}).filter((entry): entry is [string, SyncQuery] => typeof entry[1] === 'function');

/** A synchronous query's answer as a promise: its error a rejection, as an async function would give. */
function answer(query: SyncQuery, db: Database['db'], args: unknown[]): Promise<unknown> {
  try {
    return Promise.resolve(query(db, ...args));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The queries bound to the connection. With `group`, each first waits for a batch
 * that holds the connection; when none does (nearly always), it runs at once, saving
 * the two promises a wait costs on every event's dedupe lookup.
 */
function bind(database: Database, group?: GroupCommit): Queries {
  const bound: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, query] of QUERIES) {
    bound[name] = group
      ? (...args) => (group.busy ? group.idle().then(() => query(database.db, ...args)) : answer(query, database.db, args))
      : (...args) => answer(query, database.db, args);
  }
  return bound as unknown as Queries;
}

export function sqliteStore(database: Database): Store {
  const group = new GroupCommit(database.sqlite);
  // Inside a batch the connection is the batch's; outside, a query waits for it to end.
  const inTransaction = bind(database);
  return {
    engine: 'sqlite',
    queries: bind(database, group),
    transaction: (work) => group.run(() => work(inTransaction)),
    async ping() {
      await group.idle();
      database.sqlite.prepare('select 1').get();
    },
    async close() {
      await group.idle();
      database.close();
    },
  };
}
