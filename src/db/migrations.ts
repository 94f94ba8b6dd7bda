// Where each store's migrations are: drizzle/<dialect>/ at the project's root, found
// by walking up from this module, so that the same code finds them from src/ and from
// a bundle of it.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function migrationsFolder(dialect: 'sqlite' | 'pg'): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'drizzle', dialect);
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`sitrep's ${dialect} migrations (drizzle/${dialect}) were not found above ${fileURLToPath(import.meta.url)}`);
    folder = parent;
  }
}
