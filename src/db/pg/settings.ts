// What sitrep learned about its workspace, kept by name (one bot, one workspace), on PostgreSQL.

import { eq } from 'drizzle-orm';
import type { PgRunner } from './connection.js';
import { settings } from './schema.js';

/** The workspace's URL as auth.test gives it (`https://acme.slack.com/`). */
const WORKSPACE_URL = 'workspace_url';

async function setting(db: PgRunner, key: string): Promise<string | null> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return row?.value ?? null;
}

async function saveSetting(db: PgRunner, key: string, value: string, at: number): Promise<void> {
  await db.insert(settings).values({ key, value, updatedAt: at }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } });
}

export async function workspaceUrl(db: PgRunner): Promise<string | null> {
  return setting(db, WORKSPACE_URL);
}

export async function saveWorkspaceUrl(db: PgRunner, url: string, at: number): Promise<void> {
  await saveSetting(db, WORKSPACE_URL, url, at);
}
