// `npm start`: configuration, database, app; a clean stop on SIGTERM/SIGINT.

import { createSitrep } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseError, openDatabase } from './db/connection.js';
import { configSecrets, createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`sitrep: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel, undefined, { secrets: configSecrets(config) });
  let database;
  try {
    database = openDatabase(config.databasePath);
  } catch (error) {
    if (!(error instanceof DatabaseError)) throw error;
    process.stderr.write(`sitrep: ${error.message}\n`);
    process.exit(1);
  }
  const sitrep = createSitrep({ config, database, logger });
  await sitrep.start();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    sitrep
      .stop()
      .catch((err: unknown) => logger.error({ err }, 'error while stopping'))
      .finally(() => {
        database.close();
        logger.info('stopped');
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`sitrep: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
