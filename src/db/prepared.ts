// Statements prepared once per connection, for the queries every Slack event runs.
//
// A one-off drizzle query is built (SQL text, parameters) and compiled by SQLite
// on every call: 30–120 µs each on the benchmark machine, several times what
// running it costs. Prepared once with placeholders, the same query runs in a
// few microseconds. The statements belong to the connection they were prepared
// on, so they are kept per database handle.

import type { Db } from './connection.js';

/** `build` runs once per database handle; later calls return what it built. */
export function perConnection<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let statements = built.get(db);
    if (statements === undefined) {
      statements = build(db);
      built.set(db, statements);
    }
    return statements;
  };
}
