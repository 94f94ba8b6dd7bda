// Statements prepared once per connection, for the queries every Slack event runs.
//
// A one-off drizzle query is built (SQL text, parameters) and compiled by SQLite
// on every call: 30–120 µs each on the benchmark machine, several times what
// running it costs. Prepared once with placeholders, the same query runs in a
// few microseconds. The statements belong to the connection they were prepared
// on, so they are kept per database handle.

import type BetterSqlite3 from 'better-sqlite3';
import { is, Param, Placeholder } from 'drizzle-orm';
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

function placeholderName(param: unknown): string {
  if (is(param, Placeholder)) return param.name;
  if (is(param, Param) && is(param.value, Placeholder)) return param.value.name;
  throw new Error(`a query prepared by position has a value that is not a placeholder: ${String(param)}`);
}

/**
 * A drizzle-built query prepared on the connection itself, its values then passed by
 * position. Drizzle's own prepared statement fills the placeholders by name and maps
 * the row on every call, which on the queries every event runs cost more than SQLite
 * running them. The SQL still comes from the schema; `order` says in which order the
 * caller passes the values, and is checked against the query's placeholders here, once,
 * so a changed query fails at the first use rather than binding a value to the wrong
 * column. For columns drizzle stores as given (text, integer); not for JSON, booleans
 * or dates, which it would have encoded.
 */
export function byPosition(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }, order: readonly string[]): BetterSqlite3.Statement {
  const { sql, params } = query.toSQL();
  const names = params.map(placeholderName);
  if (names.join() !== order.join()) {
    throw new Error(`the query takes its values in the order ${names.join(', ')}, not ${order.join(', ')}: ${sql}`);
  }
  return (db as Db & { $client: BetterSqlite3.Database }).$client.prepare(sql);
}
