// The throwaway PostgreSQL server of test/support/postgres.ts: started from what
// `npm ci` installed, databases that do not see each other, drizzle-orm over
// node-postgres in transactions, unique violations as SQLSTATE 23505, and a stop
// that leaves neither a process, nor a listening port, nor a folder behind.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { DrizzleQueryError, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../support/postgres.js';

const notes = pgTable(
  'notes',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    channelId: text('channel_id').notNull(),
    ts: text('ts').notNull(),
    text: text('text').notNull(),
  },
  (table) => [uniqueIndex('notes_channel_ts').on(table.channelId, table.ts)],
);

let server: PostgresServer;
const pools: pg.Pool[] = [];

/** A pool on `url` that survives the server going away (node-postgres needs both listeners). */
function pool(url: string): pg.Pool {
  const opened = new pg.Pool({ connectionString: url, max: 4 });
  opened.on('error', () => {});
  opened.on('connect', (client) => client.on('error', () => {}));
  pools.push(opened);
  return opened;
}

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await Promise.all(pools.map((opened) => opened.end().catch(() => undefined)));
  await server?.stop();
});

describe('startPostgres', () => {
  it('runs a PostgreSQL 18 server on 127.0.0.1 only, without flushes to disk (no test crashes it)', async () => {
    expect(server.url).toMatch(/^postgres:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/postgres$/);
    const { rows } = await pool(server.url).query<Record<string, string>>(
      `SELECT current_setting('server_version_num') AS version, current_setting('listen_addresses') AS listen,
              current_setting('unix_socket_directories') AS sockets, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS synchronous_commit, current_setting('full_page_writes') AS full_page_writes,
              current_setting('server_encoding') AS encoding, current_setting('TimeZone') AS zone`,
    );
    expect(Number(rows[0]?.version)).toBeGreaterThanOrEqual(180000);
    expect(rows[0]).toMatchObject({ listen: '127.0.0.1', sockets: '', fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', encoding: 'UTF8', zone: 'UTC' });
    expect(existsSync(join(server.folder, 'data', 'postmaster.pid'))).toBe(true);
  });

  it('creates empty databases that do not see each other', async () => {
    const [first, second] = await Promise.all([server.createDatabase(), server.createDatabase('second_one')]);
    expect(first).not.toBe(second);
    expect(new URL(second).pathname).toBe('/second_one');
    await pool(first).query('CREATE TABLE only_here (id integer PRIMARY KEY)');
    await pool(first).query('INSERT INTO only_here VALUES (1)');
    const where = (url: string) => pool(url).query<{ table: string | null }>(`SELECT to_regclass('public.only_here')::text AS table`);
    expect((await where(first)).rows[0]?.table).toBe('only_here');
    expect((await where(second)).rows[0]?.table).toBeNull();
    await expect(pool(second).query('SELECT * FROM only_here')).rejects.toMatchObject({ code: '42P01' });
    await expect(server.createDatabase('Not A Name; --')).rejects.toThrow(/not a plain database name/);
  });

  it('runs drizzle-orm transactions over node-postgres, and reports a unique violation as 23505', async () => {
    const db = drizzle(pool(await server.createDatabase()));
    await db.execute(sql`CREATE TABLE notes (id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY, channel_id text NOT NULL, ts text NOT NULL, text text NOT NULL)`);
    await db.execute(sql`CREATE UNIQUE INDEX notes_channel_ts ON notes (channel_id, ts)`);

    await db.transaction(async (tx) => {
      await tx.insert(notes).values({ channelId: 'C1', ts: '1.000100', text: 'declared' });
      await tx.insert(notes).values({ channelId: 'C1', ts: '1.000200', text: 'mitigated' });
    });
    expect(await db.select({ text: notes.text }).from(notes).where(eq(notes.channelId, 'C1')).orderBy(notes.ts)).toEqual([
      { text: 'declared' },
      { text: 'mitigated' },
    ]);

    // The same (channel, ts) again, inside a transaction that also wrote another row: the
    // whole transaction fails with the driver's error (SQLSTATE 23505) and leaves nothing.
    const failed = await db
      .transaction(async (tx) => {
        await tx.insert(notes).values({ channelId: 'C1', ts: '1.000300', text: 'written, then rolled back' });
        await tx.insert(notes).values({ channelId: 'C1', ts: '1.000100', text: 'duplicate' });
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failed).toBeInstanceOf(DrizzleQueryError);
    expect((failed as DrizzleQueryError).cause).toBeInstanceOf(pg.DatabaseError);
    expect((failed as DrizzleQueryError).cause).toMatchObject({ code: '23505', constraint: 'notes_channel_ts' });
    expect(await db.$count(notes)).toBe(2);
  });

  it('stops: no process left, the port closed, the folder gone', async () => {
    const { port, pid, folder } = server;
    const processes = [pid, ...childrenOf(pid)];
    // The postmaster and its helpers at least (checkpointer, background writer, WAL writer…).
    if (process.platform === 'linux') expect(processes.length).toBeGreaterThan(3);
    expect(existsSync(folder)).toBe(true);

    await server.stop();

    expect(processes.filter(running)).toEqual([]);
    expect(await connectError(port)).toBe('ECONNREFUSED');
    expect(existsSync(folder)).toBe(false);
    await server.stop(); // again: nothing to do
  });
});

/** The processes whose parent is `pid` (Linux; none elsewhere). */
function childrenOf(pid: number): number[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((candidate) => {
      try {
        const stat = readFileSync(`/proc/${candidate}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    });
}

/** Whether a process exists and is not a zombie. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** The error code of a TCP connection to 127.0.0.1:port, or 'connected'. */
function connectError(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
