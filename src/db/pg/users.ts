// Display names, cached from Slack's users.info, on PostgreSQL.

import { inArray } from 'drizzle-orm';
import type { PgRunner } from './connection.js';
import { users } from './schema.js';

export async function cachedNames(
  db: PgRunner,
  ids: readonly string[],
): Promise<{ names: Record<string, string>; fetchedAt: Record<string, number> }> {
  const names: Record<string, string> = {};
  const fetchedAt: Record<string, number> = {};
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return { names, fetchedAt };
  // One query for all of them; the answer keeps the order they were asked in, as SQLite's does.
  const rows = new Map((await db.select().from(users).where(inArray(users.id, wanted))).map((row) => [row.id, row]));
  for (const id of wanted) {
    const row = rows.get(id);
    if (!row) continue;
    names[row.id] = row.name;
    fetchedAt[row.id] = row.fetchedAt;
  }
  return { names, fetchedAt };
}

export async function saveName(db: PgRunner, id: string, name: string, fetchedAt: number): Promise<void> {
  await db.insert(users).values({ id, name, fetchedAt }).onConflictDoUpdate({ target: users.id, set: { name, fetchedAt } });
}
