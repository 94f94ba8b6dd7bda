// Display names, cached from Slack's users.info.

import { inArray } from 'drizzle-orm';
import type { Db } from './connection.js';
import { users } from './schema.js';

export function cachedNames(db: Db, ids: readonly string[]): { names: Record<string, string>; fetchedAt: Record<string, number> } {
  const names: Record<string, string> = {};
  const fetchedAt: Record<string, number> = {};
  if (ids.length === 0) return { names, fetchedAt };
  for (const row of db.select().from(users).where(inArray(users.id, [...ids])).all()) {
    names[row.id] = row.name;
    fetchedAt[row.id] = row.fetchedAt;
  }
  return { names, fetchedAt };
}

export function saveName(db: Db, id: string, name: string, fetchedAt: number): void {
  db.insert(users).values({ id, name, fetchedAt }).onConflictDoUpdate({ target: users.id, set: { name, fetchedAt } }).run();
}
