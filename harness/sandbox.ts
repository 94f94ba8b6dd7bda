// sitrep running against the Slack simulator over real HTTP: the demo's
// stage and the end-to-end tests' harness. Nothing here is a mock: the real
// app answers signed requests, and its Web API calls reach the simulator.

import { randomBytes } from 'node:crypto';
import { createSitrep, EVENTS_PATH, type Sitrep, type SitrepOptions } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/connection.js';
import { openStore } from '../src/db/open-store.js';
import { sqliteStore } from '../src/db/sqlite-store.js';
import type { Store } from '../src/db/store.js';
import { configSecrets, createLogger, type Logger } from '../src/logger.js';
import type { Clock } from '../src/services/context.js';
import { SlackDriver } from './simulator/driver.js';
import { startSlackSimulator, type SlackSimulator } from './simulator/server.js';

export interface SandboxOptions {
  databasePath: string;
  /** Run on PostgreSQL at this URL (DATABASE_URL) instead of the SQLite file at databasePath. */
  databaseUrl?: string;
  /** Extra environment, as a user would set it (INCIDENT_TIMEZONE, INCIDENT_ANNOUNCE_CHANNEL…). */
  env?: Record<string, string>;
  /** Prepares the simulated workspace before the app starts; may return more environment (e.g. channel ids). */
  prepare?: (sim: SlackSimulator) => Record<string, string> | void;
  /** One clock for Slack's timestamps and the bot's; defaults to the real one. */
  now?: Clock;
  logger?: Logger;
  /**
   * How Slack reaches the app: signed HTTP requests (default), or Socket Mode
   * envelopes over the WebSocket the app opens to the simulator.
   */
  transport?: 'http' | 'socket';
  /** Have the driver deliver the bot's own posts, edits and deletes back to it, as Slack does. */
  echoBotMessages?: boolean;
  /** How long the simulator waits for a Socket Mode acknowledgement before it counts as missing. */
  socketAckTimeoutMs?: number;
  /** How long a write waits for a lock held elsewhere (see openDatabase); tests shorten it. */
  busyTimeoutMs?: number;
  /** Passed to createSitrep: told what became of each `/incident`. */
  onCommandOutcome?: SitrepOptions['onCommandOutcome'];
  /** Passed to createSitrep: null turns the reminder timer off. */
  reminderIntervalMs?: number | null;
  /**
   * A simulator to use instead of starting one, for a bot that restarts while
   * Slack carries on. The sandbox leaves it running when it stops.
   */
  sim?: SlackSimulator;
}

export interface Sandbox {
  sim: SlackSimulator;
  driver: SlackDriver;
  sitrep: Sitrep;
  /** The SQLite database under the store, for tests that read it directly; on PostgreSQL, any use of it throws. */
  database: Database;
  store: Store;
  config: Config;
  /** Where the app takes Slack's requests. */
  appUrl: string;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const ownsSim = options.sim === undefined;
  const sim =
    options.sim ??
    (await startSlackSimulator({ now, ...(options.socketAckTimeoutMs !== undefined ? { socketAckTimeoutMs: options.socketAckTimeoutMs } : {}) }));
  const signingSecret = randomBytes(16).toString('hex');
  const transport = options.transport ?? 'http';
  const config = loadConfig({
    SLACK_BOT_TOKEN: sim.botToken,
    ...(transport === 'socket' ? { SLACK_APP_TOKEN: sim.appToken } : { SLACK_SIGNING_SECRET: signingSecret }),
    SLACK_API_URL: sim.apiUrl,
    PORT: '0',
    DATABASE_PATH: options.databasePath,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    LOG_LEVEL: 'warn',
    ...options.env,
    ...(options.prepare?.(sim) ?? {}),
  });
  const logger = options.logger ?? createLogger(config.logLevel, undefined, { secrets: configSecrets(config) });
  let database: Database;
  let store: Store;
  if (config.databaseUrl) {
    store = await openStore(config);
    database = onPostgres();
  } else {
    database = openDatabase(config.databasePath, options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {});
    store = sqliteStore(database);
  }
  // A failing call must fail the test that made it, not retry for minutes.
  const sitrep = createSitrep({
    config,
    store,
    logger,
    now,
    retryConfig: { retries: 0 },
    // Retries that a person would wait seconds for happen in milliseconds here.
    outbox: { retryBaseMs: 5, maxRetryMs: 100 },
    // And a Socket Mode reconnection: the SDK waits this long after a link closes.
    socketPingTimeoutMs: 300,
    ...(options.reminderIntervalMs !== undefined ? { reminderIntervalMs: options.reminderIntervalMs } : {}),
    ...(options.onCommandOutcome ? { onCommandOutcome: options.onCommandOutcome } : {}),
  });
  const port = await sitrep.start();
  const appUrl = `http://127.0.0.1:${port}${EVENTS_PATH}`;
  const echoBotMessages = options.echoBotMessages ?? false;
  const driver =
    transport === 'socket'
      ? new SlackDriver({ transport, simulator: sim, echoBotMessages })
      : new SlackDriver({ appUrl, signingSecret, simulator: sim, echoBotMessages });
  return {
    sim,
    driver,
    sitrep,
    database,
    store,
    config,
    appUrl,
    async stop() {
      await sitrep.stop();
      await store.close();
      if (ownsSim) await sim.close();
    },
  };
}

/** Stands in for the SQLite database when the sandbox runs on PostgreSQL: says so when touched. */
function onPostgres(): Database {
  return new Proxy({} as Database, {
    get() {
      throw new Error('this sandbox runs on PostgreSQL: read through store.queries, not the SQLite database');
    },
  });
}
