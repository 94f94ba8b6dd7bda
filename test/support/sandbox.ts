// The end-to-end harness: sitrep on the Slack simulator over real HTTP, with
// its own database file and its log lines kept for assertions.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../harness/sandbox.js';
import { postmortemCli } from '../../src/cli/postmortem.js';
import { openDatabase } from '../../src/db/connection.js';
import { renderPostmortem } from '../../src/domain/postmortem.js';
import { createLogger } from '../../src/logger.js';
import { incidentExport } from '../../src/services/export.js';
import { loadPostmortemInput } from '../../src/services/postmortem.js';
import type { Clock } from '../../src/services/context.js';
import type { SlackSimulator } from '../../harness/simulator/server.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import * as pgSchema from '../../src/db/pg/schema.js';
import { storeDatabase } from './postgres.js';

const run = promisify(execFile);
export const ROOT = new URL('../..', import.meta.url).pathname;

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestSandbox extends Sandbox {
  dir: string;
  databasePath: string;
  /** The PostgreSQL database the bot runs on (store: 'postgres'); undefined on SQLite. */
  databaseUrl: string | undefined;
  logs: LogLine[];
  /** Log lines at error level or above: a passing test expects none unless it caused them. */
  errors(): LogLine[];
  /** Declares with a text command and waits until the channel is open and the summary pinned. */
  declare(userId: string, text: string, fromChannel?: string): Promise<SimChannel>;
  /** Declares a private incident through the modal, as `userId`, and waits for its channel. */
  declarePrivate(userId: string, title: string, channelName: string): Promise<SimChannel>;
  /** Waits until the named channel exists with its summary pinned. */
  openedChannel(name: string): Promise<SimChannel>;
  /** The draft `npm run postmortem` would print, read in this process. */
  draft(number: number, options?: { timeZone?: string }): Promise<string>;
  /** What `npm run postmortem -- <n> --format json` would print, as data, read in this process. */
  exported(number: number): Promise<ReturnType<typeof incidentExport>>;
  /**
   * `npm run postmortem -- …args` against this sandbox's database, run in this process: the
   * command's own entry point (arguments, usage errors, exit code, --out), without a start-up.
   */
  exportCli(...args: string[]): Promise<CliResult>;
  /** `npm run postmortem -- …args` as a user runs it, through npm in its own process (slow: keep to one test). */
  exportProcess(...args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestSandboxOptions {
  env?: Record<string, string>;
  now?: Clock;
  prepare?: SandboxOptions['prepare'];
  /** Reuse a database file (a restart; its folder goes on close); by default each sandbox gets a fresh one. */
  databasePath?: string;
  /** Reuse a running simulator (a bot restarting while Slack carries on); it is left running on close. */
  sim?: SlackSimulator;
  /** The level of the captured log; default info. */
  logLevel?: string;
  /** How long a write waits for a lock held elsewhere; default SQLite's 5 s. */
  busyTimeoutMs?: number;
  /** How Slack reaches the app; default HTTP. */
  transport?: 'http' | 'socket';
  /** How long the simulator waits for a Socket Mode acknowledgement; default Slack's 3 s. */
  socketAckTimeoutMs?: number;
  /** Deliver the bot's own posts, edits and deletes back to it, as Slack does; default off. */
  echoBotMessages?: boolean;
  /** Where the bot keeps its data: SQLite (default) or a fresh database on the run's PostgreSQL server. */
  store?: StoreKind;
  /** A restart of this stopped sandbox: its database, on whichever store it was. */
  restartOf?: Pick<TestSandbox, 'databasePath' | 'databaseUrl'>;
}

export type StoreKind = 'sqlite' | 'postgres';
/** Both stores, for tests that must hold on each. */
export const STORES = ['sqlite', 'postgres'] as const;

/** A database with sitrep's schema and nothing in it, kept by one sandbox until it gives it back. */
interface Borrowed {
  url: string;
  giveBack(): void;
}

/** This worker's database, between sandboxes; null while one has it. */
let idleDatabase: Promise<string> | null = null;

/**
 * A PostgreSQL database for one sandbox: this worker's own, emptied (under a
 * millisecond), or a new copy of the migrated one (60–230 ms) when another sandbox has
 * it or none exists yet.
 */
async function borrowDatabase(): Promise<Borrowed> {
  const idle = idleDatabase;
  idleDatabase = null;
  const url = idle ? await emptied(await idle) : await storeDatabase();
  return lent(url);
}

/** A database this worker's sandboxes pass on: the last one to use it gives it back. */
function lent(url: string): Borrowed {
  return { url, giveBack: () => void (idleDatabase ??= Promise.resolve(url)) };
}

const TABLES = Object.values(pgSchema).filter((value) => is(value, PgTable)) as PgTable[];

/** One connection per database this worker empties, kept between sandboxes. */
const emptiers = new Map<string, Promise<import('pg').Client>>();

async function emptierOf(url: string): Promise<import('pg').Client> {
  let client = emptiers.get(url);
  if (!client) {
    client = (async () => {
      const { default: pg } = await import('pg');
      const connected = new pg.Client({ connectionString: url });
      await connected.connect();
      // Kept for the worker's life: it must not hold the worker open at its end.
      (connected as unknown as { connection: { stream: { unref(): void } } }).connection.stream.unref();
      // Cut by a test (the database made unreachable): the next sandbox connects again.
      connected.on('error', () => emptiers.delete(url));
      return connected;
    })();
    emptiers.set(url, client);
  }
  return client;
}

/**
 * The database as a sandbox left it, emptied: every row deleted and every identity
 * restarted, so the next sandbox's first incident is INC-1 again. DELETE, not TRUNCATE:
 * on tables of a few rows TRUNCATE's new files cost 25 ms of CPU a sandbox, DELETE a tenth
 * of a millisecond.
 */
async function emptied(url: string): Promise<string> {
  const client = await emptierOf(url);
  // A failure leaves the kept connection in an aborted transaction: it is dropped, so the
  // failure is this sandbox's alone and the next one connects afresh.
  await emptyOn(client).catch(async (error: unknown) => {
    emptiers.delete(url);
    await client.end().catch(() => undefined);
    throw error;
  });
  return url;
}

async function emptyOn(client: import('pg').Client): Promise<void> {
  await client.query(
    [
      'BEGIN',
      // The incidents last: every other table's rows may refer to one.
      ...[...TABLES.filter((table) => table !== pgSchema.incidents), pgSchema.incidents].map((table) => `DELETE FROM "${getTableName(table)}"`),
      ...TABLES.filter((table) => getTableColumns(table).id?.generatedIdentity).map(
        (table) => `SELECT setval(pg_get_serial_sequence('"${getTableName(table)}"', 'id'), 1, false)`,
      ),
      'COMMIT',
    ].join('; '),
  );
}

let migrated: string | undefined;

/**
 * An empty SQLite database with every migration applied, made once per worker: a fresh
 * sandbox starts from a copy (0.1 ms) rather than migrating a new file (7–10 ms).
 */
function migratedSqlite(): string {
  if (!migrated) {
    const path = join(mkdtempSync(join(tmpdir(), 'sitrep-migrated-')), 'sitrep.sqlite');
    const database = openDatabase(path);
    // One file, as a copy needs it: what the write-ahead log holds goes into the file.
    database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    database.close();
    migrated = path;
    process.once('exit', () => rmSync(dirname(path), { recursive: true, force: true }));
  }
  return migrated;
}

/** Both of Slack's transports, for tests that must hold in each. */
export const TRANSPORTS = ['http', 'socket'] as const;

export async function startTestSandbox(options: TestSandboxOptions = {}): Promise<TestSandbox> {
  const reusedPath = options.restartOf?.databasePath ?? options.databasePath;
  const dir = reusedPath ? dirname(reusedPath) : mkdtempSync(join(tmpdir(), 'sitrep-e2e-'));
  const databasePath = reusedPath ?? join(dir, 'sitrep.sqlite');
  const onPostgres = options.restartOf ? options.restartOf.databaseUrl !== undefined : options.store === 'postgres';
  if (!reusedPath && !onPostgres) copyFileSync(migratedSqlite(), databasePath);
  const logs: LogLine[] = [];
  const logger = createLogger(options.logLevel ?? 'info', {
    write: (line: string) => {
      logs.push(JSON.parse(line) as LogLine);
    },
  } as pino.DestinationStream);
  const kept = options.restartOf?.databaseUrl;
  const postgres = kept ? lent(kept) : onPostgres ? await borrowDatabase() : undefined;
  const databaseUrl = postgres?.url;
  const sandbox = await startSandbox({
    databasePath,
    ...(databaseUrl ? { databaseUrl } : {}),
    env: options.env ?? {},
    logger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.prepare ? { prepare: options.prepare } : {}),
    ...(options.sim ? { sim: options.sim } : {}),
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.socketAckTimeoutMs !== undefined ? { socketAckTimeoutMs: options.socketAckTimeoutMs } : {}),
    ...(options.echoBotMessages !== undefined ? { echoBotMessages: options.echoBotMessages } : {}),
    // Tests run reminder passes themselves, with sitrep.checkReminders(), so nothing fires on its own.
    reminderIntervalMs: null,
  });
  const general = sandbox.sim.channelByName('general') ?? sandbox.sim.addChannel({ name: 'general' });

  const openedChannel = (name: string): Promise<SimChannel> =>
    sandbox.sim.waitFor(
      () => {
        const channel = sandbox.sim.channelByName(name);
        return channel && channel.pins.size > 0 ? channel : undefined;
      },
      { what: `#${name} with its summary pinned` },
    );

  return {
    ...sandbox,
    dir,
    databasePath,
    databaseUrl,
    logs,
    errors: () => logs.filter((line) => line.level >= 50),
    async declare(userId, text, fromChannel = general.id) {
      const before = sandbox.sim.channels.size;
      const response = await sandbox.driver.command({ userId, channelId: fromChannel, text });
      if (response.status !== 200) throw new Error(`declare answered ${response.status}`);
      return sandbox.sim.waitFor(
        () => {
          const created = [...sandbox.sim.channels.values()].slice(before).find((channel) => channel.pins.size > 0);
          return created;
        },
        { what: `a pinned incident channel after "/incident ${text}"` },
      );
    },
    async declarePrivate(userId, title, channelName) {
      await sandbox.driver.command({ userId, channelId: general.id, text: 'declare' });
      await sandbox.driver.submitView({
        userId,
        values: {
          title: { title: { type: 'plain_text_input', value: title } },
          private: { private: { type: 'checkboxes', selected_options: [{ value: 'private' }] } },
        },
      });
      return openedChannel(channelName);
    },
    openedChannel,
    async draft(number, draftOptions = {}) {
      const input = await loadPostmortemInput(sandbox.store.queries, number, sandbox.sitrep.ctx.reactions);
      if (!input) throw new Error(`there is no INC-${number}`);
      return renderPostmortem(input, draftOptions);
    },
    async exported(number) {
      const input = await loadPostmortemInput(sandbox.store.queries, number, sandbox.sitrep.ctx.reactions);
      if (!input) throw new Error(`there is no INC-${number}`);
      // Through JSON, as the CLI prints it.
      return JSON.parse(JSON.stringify(incidentExport(input))) as ReturnType<typeof incidentExport>;
    },
    async exportCli(...args) {
      let stdout = '';
      let stderr = '';
      const code = await postmortemCli(args, { ...process.env, DATABASE_PATH: databasePath, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }, {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
      });
      return { code, stdout, stderr };
    },
    async exportProcess(...args) {
      try {
        const { stdout, stderr } = await run('npm', ['run', '--silent', 'postmortem', '--', ...args], {
          env: { ...process.env, DATABASE_PATH: databasePath, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
          cwd: ROOT,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
      }
    },
    async close() {
      await sandbox.driver.idle();
      sandbox.driver.close();
      await sandbox.stop();
      postgres?.giveBack();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
