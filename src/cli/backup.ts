// `npm run backup -- <file>`: a consistent copy of the database, taken with
// SQLite's online backup API, safe while the bot runs.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';

const USAGE = 'usage: npm run backup -- <file>   (reads DATABASE_PATH, default ./data/sitrep.sqlite)';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0) throw new UsageError(target ? 'give one file' : 'where should the backup go?');
  const source = process.env.DATABASE_PATH || './data/sitrep.sqlite';
  if (!existsSync(source)) throw new UsageError(`there is no database at ${source}`);
  if (existsSync(target)) throw new UsageError(`${target} exists; choose a new file`);

  // The backup API copies pages while the bot keeps writing; the busy timeout waits out a commit in progress.
  const database = new BetterSqlite3(source, { fileMustExist: true });
  database.pragma('busy_timeout = 5000');
  try {
    const { totalPages } = await database.backup(target);
    const copy = new BetterSqlite3(target, { readonly: true });
    const check = copy.pragma('integrity_check', { simple: true });
    copy.close();
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
    process.stderr.write(`backed up ${source} to ${target} (${totalPages} pages, integrity ok)\n`);
  } finally {
    database.close();
  }
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`backup: ${(error as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
  process.exit(usage ? 2 : 1);
});
