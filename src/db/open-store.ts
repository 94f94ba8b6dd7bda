// The store the configuration names: PostgreSQL at DATABASE_URL (several replicas
// may share it), else the SQLite file at DATABASE_PATH. Each engine's modules are
// loaded only when it is the one used.

import type { Config } from '../config.js';
import { DatabaseError } from './errors.js';
import type { Store } from './store.js';

/** The URL without its password, for messages. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** Opens and migrates the store; throws DatabaseError, in one line, when it cannot be used. */
export async function openStore(config: Pick<Config, 'databasePath' | 'databaseUrl'>): Promise<Store> {
  if (config.databaseUrl) {
    const [{ openPostgres }, { postgresStore }] = await Promise.all([import('./pg/connection.js'), import('./pg/store.js')]);
    try {
      return postgresStore(await openPostgres(config.databaseUrl));
    } catch (error) {
      throw new DatabaseError(`PostgreSQL at ${shown(config.databaseUrl)} cannot be used (${(error as Error).message}); check DATABASE_URL and that the server is up`, {
        cause: error,
      });
    }
  }
  const [{ openDatabase }, { sqliteStore }] = await Promise.all([import('./connection.js'), import('./sqlite-store.js')]);
  return sqliteStore(openDatabase(config.databasePath));
}
