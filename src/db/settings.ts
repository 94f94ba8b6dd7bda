// What sitrep learned about its workspace, kept by name (one bot, one workspace).

import { eq } from 'drizzle-orm';
import type { Db } from './connection.js';
import { settings } from './schema.js';

/** The workspace's URL as auth.test gives it (`https://acme.slack.com/`). */
const WORKSPACE_URL = 'workspace_url';

function setting(db: Db, key: string): string | null {
  return db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value ?? null;
}

function saveSetting(db: Db, key: string, value: string, at: number): void {
  db.insert(settings).values({ key, value, updatedAt: at }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } }).run();
}

export function workspaceUrl(db: Db): string | null {
  return setting(db, WORKSPACE_URL);
}

export function saveWorkspaceUrl(db: Db, url: string, at: number): void {
  saveSetting(db, WORKSPACE_URL, url, at);
}
