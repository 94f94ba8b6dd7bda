// The store as the rest of sitrep sees it: every query by name, all of them
// asynchronous, and transactions. Nothing outside db/ knows which engine holds
// the data (SQLite in one file, by default; PostgreSQL for several replicas).
//
// The queries are SQLite's functions in db/*.ts (each takes its connection
// first); `Queries` is their list with the connection bound and the answer made
// a promise. A PostgreSQL store answers the same list.

import type * as actions from './actions.js';
import type * as drafts from './drafts.js';
import type * as home from './home.js';
import type * as incidents from './incidents.js';
import type * as messages from './messages.js';
import type * as outbox from './outbox.js';
import type * as reminders from './reminders.js';
import type * as settings from './settings.js';
import type * as slackEvents from './slack-events.js';
import type * as users from './users.js';

type Modules = typeof actions &
  typeof drafts &
  typeof home &
  typeof incidents &
  typeof messages &
  typeof outbox &
  typeof reminders &
  typeof settings &
  typeof slackEvents &
  typeof users;

/** A query with its connection bound: `(db, ...args) => R` becomes `(...args) => Promise<R>`. */
type Bound<F> = F extends (db: never, ...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

/** The names in db/*.ts that are queries (functions), not types or constants. */
type QueryName = { [K in keyof Modules]: Modules[K] extends (...args: never[]) => unknown ? K : never }[keyof Modules];

/** Every query sitrep makes. */
export type Queries = { readonly [K in QueryName]: Bound<Modules[K]> };

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /**
   * Queries outside any transaction: each reads what is committed, each write commits
   * on its own. Never call these from inside `transaction`'s work (use its `tx`).
   */
  readonly queries: Queries;
  /**
   * Runs `work` in one transaction and resolves with its result once that has
   * committed. If `work` throws, nothing it wrote is kept and the promise rejects; if
   * the commit fails, the promise rejects. `work` must only wait on `tx`: no Slack
   * call, no timer, nothing that can take long while the transaction is open.
   */
  transaction<T>(work: (tx: Queries) => Promise<T>): Promise<T>;
  /** Resolves if the store answers now, rejects with why not (for /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
