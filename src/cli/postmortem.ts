// `npm run postmortem -- <INC-n|n> [--tz <zone>] [--out <file>] [--format markdown|json]`:
// the draft from the database, exactly as the bot would post it.
//
// `postmortemCli` is the whole command, callable in-process (the tests do); the
// script runs it only when it is the program node was started with.

import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadReminderMinutes } from '../config.js';
import { openStore } from '../db/open-store.js';
import { parseIncidentRef } from '../domain/incident.js';
import { renderPostmortem } from '../domain/postmortem.js';
import { parseReactionMap } from '../domain/reactions.js';
import { isValidTimeZone } from '../domain/time.js';
import { loadPostmortemInput, postmortemOptions } from '../services/postmortem.js';
import { incidentExport } from '../services/export.js';
import { exitCodeOf, isEntryPoint, processOutput, UsageError, type CliOutput } from './command.js';

const USAGE = 'usage: npm run postmortem -- <INC-n|n> [--tz <zone>] [--out <file>] [--format markdown|json]';


/** The draft measures quiet stretches against the bot's reminder interval: read the same variable, the same way. */
function reminderMinutesOf(env: NodeJS.ProcessEnv): number {
  try {
    return loadReminderMinutes(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tz: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'markdown' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return;
  }
  const [ref, ...extra] = positionals;
  const number = ref ? parseIncidentRef(ref) : null;
  if (number === null || extra.length > 0) throw new UsageError(ref ? `"${ref}" is not an incident number` : 'which incident?');
  if (values.tz !== undefined && !isValidTimeZone(values.tz)) throw new UsageError(`--tz "${values.tz}" is not an IANA time zone`);
  if (values.format !== 'markdown' && values.format !== 'json') throw new UsageError(`--format is markdown or json`);

  const path = env.DATABASE_PATH || './data/sitrep.sqlite';
  const databaseUrl = env.DATABASE_URL || null;
  // Opening would create an empty database; a mistyped path deserves a plain answer instead.
  if (!databaseUrl && !existsSync(path)) throw new UsageError(`there is no database at ${path} (set DATABASE_PATH, or DATABASE_URL for PostgreSQL)`);
  const store = await openStore({ databasePath: path, databaseUrl });
  try {
    const reactions = parseReactionMap(env.INCIDENT_REACTIONS ?? '');
    if (typeof reactions === 'string') throw new UsageError(`INCIDENT_REACTIONS: ${reactions}`);
    const reminderMinutes = reminderMinutesOf(env);
    const input = await loadPostmortemInput(store.queries, number, reactions);
    if (!input) throw new UsageError(`there is no INC-${number} in ${databaseUrl ? 'the PostgreSQL database' : path}`);
    const output =
      values.format === 'json'
        ? `${JSON.stringify(incidentExport(input), null, 2)}\n`
        : renderPostmortem(input, postmortemOptions({ reminderMinutes, timeZone: values.tz }));
    if (values.out) {
      writeFileSync(values.out, output);
      io.stderr(`wrote ${values.out}\n`);
    } else {
      io.stdout(output);
    }
  } finally {
    await store.close();
  }
}

/** Runs the command with `argv` (the words after the script's name); resolves with its exit code: 0, 2 for a usage error, 1 otherwise. */
export function postmortemCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<number> {
  return exitCodeOf('postmortem', USAGE, io, () => run(argv, env, io));
}

if (isEntryPoint(import.meta.url)) process.exitCode = await postmortemCli(process.argv.slice(2), process.env, processOutput);
