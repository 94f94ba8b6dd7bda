// `npm run postmortem -- <INC-n|n> [--tz <zone>] [--out <file>] [--format markdown|json]`:
// the draft from the database, exactly as the bot would post it.

import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/connection.js';
import { parseIncidentRef } from '../domain/incident.js';
import { renderPostmortem } from '../domain/postmortem.js';
import { parseReactionMap } from '../domain/reactions.js';
import { isValidTimeZone } from '../domain/time.js';
import { loadPostmortemInput } from '../services/postmortem.js';
import { incidentExport } from '../services/export.js';

const USAGE = 'usage: npm run postmortem -- <INC-n|n> [--tz <zone>] [--out <file>] [--format markdown|json]';

class UsageError extends Error {}

function run(argv: string[], env: NodeJS.ProcessEnv): void {
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
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [ref, ...extra] = positionals;
  const number = ref ? parseIncidentRef(ref) : null;
  if (number === null || extra.length > 0) throw new UsageError(ref ? `"${ref}" is not an incident number` : 'which incident?');
  if (values.tz !== undefined && !isValidTimeZone(values.tz)) throw new UsageError(`--tz "${values.tz}" is not an IANA time zone`);
  if (values.format !== 'markdown' && values.format !== 'json') throw new UsageError(`--format is markdown or json`);

  const path = env.DATABASE_PATH || './data/sitrep.sqlite';
  // Opening would create an empty database; a mistyped path deserves a plain answer instead.
  if (!existsSync(path)) throw new UsageError(`there is no database at ${path} (set DATABASE_PATH)`);
  const database = openDatabase(path);
  try {
    const reactions = parseReactionMap(env.INCIDENT_REACTIONS ?? '');
    if (typeof reactions === 'string') throw new UsageError(`INCIDENT_REACTIONS: ${reactions}`);
    const input = loadPostmortemInput(database.db, number, reactions);
    if (!input) throw new UsageError(`there is no INC-${number} in ${path}`);
    const output =
      values.format === 'json'
        ? `${JSON.stringify(incidentExport(input), null, 2)}\n`
        : renderPostmortem(input, values.tz ? { timeZone: values.tz } : {});
    if (values.out) {
      writeFileSync(values.out, output);
      process.stderr.write(`wrote ${values.out}\n`);
    } else {
      process.stdout.write(output);
    }
  } finally {
    database.close();
  }
}

try {
  run(process.argv.slice(2), process.env);
} catch (error) {
  const known = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`postmortem: ${(error as Error).message}\n${known ? `${USAGE}\n` : ''}`);
  process.exit(known ? 2 : 1);
}
