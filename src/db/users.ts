// Display names, cached from Slack's users.info.

import { eq, sql } from 'drizzle-orm';
import type { Db } from './connection.js';
import { perConnection } from './prepared.js';
import { users } from './schema.js';

// Every recorded message looks up its people's names: prepared once (see prepared.ts).
const byId = perConnection((db) => db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare());

export function cachedNames(db: Db, ids: readonly string[]): { names: Record<string, string>; fetchedAt: Record<string, number> } {
  const names: Record<string, string> = {};
  const fetchedAt: Record<string, number> = {};
  const lookup = byId(db);
  for (const id of new Set(ids)) {
    const row = lookup.get({ id });
    if (!row) continue;
    names[row.id] = row.name;
    fetchedAt[row.id] = row.fetchedAt;
  }
  return { names, fetchedAt };
}

export function saveName(db: Db, id: string, name: string, fetchedAt: number): void {
  db.insert(users).values({ id, name, fetchedAt }).onConflictDoUpdate({ target: users.id, set: { name, fetchedAt } }).run();
}
