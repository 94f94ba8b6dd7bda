// `npm start`: configuration, database, app; a clean stop on SIGTERM/SIGINT.

import { ConfigError, loadConfig } from './config.js';
import { configSecrets, createLogger } from './logger.js';

/** The longest a stop may take; what has not finished by then is left for the next start. */
const STOP_DEADLINE_MS = 8000;

/** Closing the store waits for its connections; one stuck (a dead socket) must not hold the exit. */
const STORE_CLOSE_MS = 1000;

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
  // Loaded once the configuration is known to be good: a mistyped variable is answered
  // at once, without first loading Bolt, drizzle and the store's driver.
  const [{ createSitrep }, { DatabaseError }, { openStore }] = await Promise.all([
    import('./app.js'),
    import('./db/errors.js'),
    import('./db/open-store.js'),
  ]);
  let store;
  try {
    store = await openStore(config);
  } catch (error) {
    if (!(error instanceof DatabaseError)) throw error;
    process.stderr.write(`sitrep: ${error.message}\n`);
    process.exit(1);
  }
  const sitrep = createSitrep({ config, store, logger });
  await sitrep.start();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const started = Date.now();
    // Slack unreachable, or a connection that never finishes, must not hold the stop: after
    // the deadline sitrep exits anyway. Nothing is lost by it: every request it acknowledged
    // is committed, and outbox work not yet sent stays queued for the next start.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), STOP_DEADLINE_MS);
    });
    Promise.race([sitrep.stop().then(() => 'finished' as const), deadline])
      .catch((err: unknown) => {
        logger.error({ err }, 'error while stopping');
        return 'failed' as const;
      })
      .then(async (outcome) => {
        clearTimeout(timer);
        // After the deadline a transaction may still be open: closing may fail, and the
        // process ends all the same (SQLite and PostgreSQL roll back what was not committed).
        let closeTimer: NodeJS.Timeout | undefined;
        await Promise.race([
          store.close().catch((err: unknown) => logger.warn({ err }, 'could not close the store')),
          new Promise((resolve) => (closeTimer = setTimeout(resolve, STORE_CLOSE_MS))),
        ]);
        clearTimeout(closeTimer);
        logger.info({ outcome, ms: Date.now() - started }, 'stopped');
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
