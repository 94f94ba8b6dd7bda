// `npm run backup -- <file>`: a consistent copy of the database, taken with
// SQLite's online backup API, safe while the bot runs.
//
// `backupCli` is the whole command, callable in-process; the script runs it
// only when it is the program node was started with.

import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import type { CliOutput } from './postmortem.js';

const USAGE = 'usage: npm run backup -- <file>   (reads DATABASE_PATH, default ./data/sitrep.sqlite)';

class UsageError extends Error {}

async function run(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return;
  }
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0) throw new UsageError(target ? 'give one file' : 'where should the backup go?');
  const source = env.DATABASE_PATH || './data/sitrep.sqlite';
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
    io.stderr(`backed up ${source} to ${target} (${totalPages} pages, integrity ok)\n`);
  } finally {
    database.close();
  }
}

/** Runs the command with `argv` (the words after the script's name); resolves with its exit code: 0, 2 for a usage error, 1 otherwise. */
export async function backupCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<number> {
  try {
    await run(argv, env, io);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.stderr(`backup: ${(error as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
    return usage ? 2 : 1;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await backupCli(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
