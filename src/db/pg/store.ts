// The store on PostgreSQL: a pool, the queries of db/pg/*.ts (the twins of the
// SQLite ones, answering the same `Queries`), and a transaction per request. No
// group commit here: PostgreSQL commits concurrent transactions side by side, and
// several replicas share the database.

import type { Queries, Store } from '../store.js';
import * as actions from './actions.js';
import type { PgDatabase, PgRunner } from './connection.js';
import * as drafts from './drafts.js';
import * as home from './home.js';
import * as incidents from './incidents.js';
import * as messages from './messages.js';
import * as outbox from './outbox.js';
import * as reminders from './reminders.js';
import * as settings from './settings.js';
import * as slackEvents from './slack-events.js';
import * as users from './users.js';

/** Each query of `Queries`, taking its handle first: what the modules here must export. */
type PgQueries = { readonly [K in keyof Queries]: (db: PgRunner, ...args: Parameters<Queries[K]>) => ReturnType<Queries[K]> };

const modules = { ...actions, ...drafts, ...home, ...incidents, ...messages, ...outbox, ...reminders, ...settings, ...slackEvents, ...users };
// The check that every query has its PostgreSQL twin, with the same parameters and answer.
const PG_QUERIES: PgQueries = modules;
const NAMES = Object.keys(PG_QUERIES).filter((name) => typeof modules[name as keyof typeof modules] === 'function');

/**
 * PostgreSQL's text and jsonb refuse U+0000, which SQLite keeps; a message holding one
 * would fail on every redelivery and never be stored. It is stored as U+FFFD, the
 * replacement character, instead: the one place the two stores can differ.
 */
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutNul(inner)]));
  }
  return value;
}

function bind(runner: PgRunner): Queries {
  const bound: Record<string, unknown> = {};
  for (const name of NAMES) {
    const query = modules[name as keyof typeof modules] as (db: PgRunner, ...args: unknown[]) => Promise<unknown>;
    bound[name] = (...args: unknown[]) => query(runner, ...args.map(withoutNul));
  }
  return bound as unknown as Queries;
}

export function postgresStore(database: PgDatabase): Store {
  return {
    engine: 'postgres',
    queries: bind(database.db),
    transaction: (work) => database.db.transaction((tx) => work(bind(tx))),
    async ping() {
      await database.pool.query('select 1');
    },
    close: () => database.close(),
  };
}
