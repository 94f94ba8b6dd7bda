// `npm run migrate-store -- --to postgres://…`: moves a SQLite database (DATABASE_PATH,
// or --from) into an empty PostgreSQL database, keeping every row and every number.
//
// The copy is one PostgreSQL transaction: it lands whole or not at all. The target
// must be empty (its schema is created or brought up to date first); the source is
// only read. Stop the bot first: what it writes to SQLite during the copy is not in it.
// Afterwards the identity sequences continue after the highest id copied, so the next
// incident gets the next number.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { count, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { openDatabase } from '../db/connection.js';
import { openPostgres } from '../db/pg/connection.js';
import * as pgSchema from '../db/pg/schema.js';
import * as sqliteSchema from '../db/schema.js';
import { exitCodeOf, isEntryPoint, processOutput, UsageError, type CliOutput } from './command.js';

const USAGE = 'usage: npm run migrate-store -- --to postgres://user:password@host/db [--from <file.sqlite>]   (default: DATABASE_PATH, else ./data/sitrep.sqlite)';

/** Parents before children, so every foreign key finds its row. */
const TABLES: ReadonlyArray<{ sqlite: SQLiteTable; pg: PgTable; identity: boolean }> = [
  { sqlite: sqliteSchema.incidents, pg: pgSchema.incidents, identity: true },
  { sqlite: sqliteSchema.incidentEvents, pg: pgSchema.incidentEvents, identity: true },
  { sqlite: sqliteSchema.messages, pg: pgSchema.messages, identity: true },
  { sqlite: sqliteSchema.reactions, pg: pgSchema.reactions, identity: false },
  { sqlite: sqliteSchema.actions, pg: pgSchema.actions, identity: true },
  { sqlite: sqliteSchema.slackEvents, pg: pgSchema.slackEvents, identity: false },
  { sqlite: sqliteSchema.postedDrafts, pg: pgSchema.postedDrafts, identity: true },
  { sqlite: sqliteSchema.outbox, pg: pgSchema.outbox, identity: true },
  { sqlite: sqliteSchema.settings, pg: pgSchema.settings, identity: false },
  { sqlite: sqliteSchema.users, pg: pgSchema.users, identity: false },
];

/** Rows per INSERT: the widest table has 16 columns, well inside PostgreSQL's 65,535 parameters. */
const BATCH = 1000;

/** The URL without its password, for messages. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the --to URL';
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { to: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(' ')}`);
  const target = values.to;
  if (!target || !/^postgres(ql)?:\/\//.test(target)) throw new UsageError('--to takes a postgres:// URL');
  const source = values.from ?? (env.DATABASE_PATH || './data/sitrep.sqlite');
  if (!existsSync(source)) throw new UsageError(`there is no database at ${source}`);

  const sqlite = openDatabase(source);
  const postgres = await openPostgres(target, { poolSize: 1 });
  try {
    const copied = await postgres.db.transaction(async (tx) => {
      for (const { pg } of TABLES) {
        const [row] = await tx.select({ n: count() }).from(pg);
        if ((row?.n ?? 0) > 0) throw new UsageError(`${shown(target)} is not empty (${getTableName(pg)} has rows); move into an empty database`);
      }
      const counts: Array<[string, number]> = [];
      for (const { sqlite: from, pg: to, identity } of TABLES) {
        const rows = sqlite.db.select().from(from).all() as Array<Record<string, unknown>>;
        for (let start = 0; start < rows.length; start += BATCH) {
          await tx.insert(to).values(rows.slice(start, start + BATCH) as never);
        }
        const name = getTableName(to);
        if (identity) {
          // The next id after the highest copied (1 for an empty table).
          await tx.execute(sql.raw(`select setval(pg_get_serial_sequence('"${name}"', 'id'), coalesce((select max(id) from "${name}"), 0) + 1, false)`));
        }
        const [row] = await tx.select({ n: count() }).from(to);
        if ((row?.n ?? 0) !== rows.length) throw new Error(`${name}: copied ${row?.n ?? 0} rows of ${rows.length}`);
        counts.push([name, rows.length]);
      }
      return counts;
    });
    io.stderr(`moved ${source} into ${shown(target)}: ${copied.map(([name, n]) => `${name} ${n}`).join(', ')}\n`);
  } finally {
    sqlite.close();
    await postgres.close();
  }
}

/** The command, in-process: returns the exit code (0 done, 2 usage, 1 failure). */
export function migrateStoreCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<number> {
  return exitCodeOf('migrate-store', USAGE, io, () => run(argv, env, io));
}

if (isEntryPoint(import.meta.url)) process.exitCode = await migrateStoreCli(process.argv.slice(2), process.env, processOutput);
