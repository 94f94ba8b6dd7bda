// `npm run backup -- <file>`: a consistent copy of the database, taken with
// SQLite's online backup API, safe while the bot runs.
//
// `backupCli` is the whole command, callable in-process; the script runs it
// only when it is the program node was started with.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { exitCodeOf, isEntryPoint, processOutput, UsageError, type CliOutput } from './command.js';

const USAGE = 'usage: npm run backup -- <file>   (reads DATABASE_PATH, default ./data/sitrep.sqlite)';

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
export function backupCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<number> {
  return exitCodeOf('backup', USAGE, io, () => run(argv, env, io));
}

if (isEntryPoint(import.meta.url)) process.exitCode = await backupCli(process.argv.slice(2), process.env, processOutput);
