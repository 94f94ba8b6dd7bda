// `npm run migrate-store`: a real incident's SQLite database (the Clearhaus replay)
// moved into a real PostgreSQL database, row for row, numbers kept; a second move
// into the same database is refused and changes nothing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, getTableName } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScript, replay } from '../../harness/replay.js';
import { migrateStoreCli } from '../../src/cli/migrate-store.js';
import { openDatabase } from '../../src/db/connection.js';
import { openPostgres } from '../../src/db/pg/connection.js';
import * as pgSchema from '../../src/db/pg/schema.js';
import * as sqliteSchema from '../../src/db/schema.js';
import { capturingLogger } from '../support/draft.js';
import { testDatabase } from '../support/postgres.js';

const FIXTURE = new URL('../fixtures/incidents/clearhaus-gateway.json', import.meta.url).pathname;

/** Table by table, every row as plain data, in key order; columns only PostgreSQL has are left out. */
const PAIRS = [
  ['incidents', sqliteSchema.incidents, pgSchema.incidents, 'id'],
  ['incidentEvents', sqliteSchema.incidentEvents, pgSchema.incidentEvents, 'id'],
  ['messages', sqliteSchema.messages, pgSchema.messages, 'id'],
  ['reactions', sqliteSchema.reactions, pgSchema.reactions, 'messageTs'],
  ['actions', sqliteSchema.actions, pgSchema.actions, 'id'],
  ['slackEvents', sqliteSchema.slackEvents, pgSchema.slackEvents, 'eventId'],
  ['postedDrafts', sqliteSchema.postedDrafts, pgSchema.postedDrafts, 'id'],
  ['outbox', sqliteSchema.outbox, pgSchema.outbox, 'id'],
  ['settings', sqliteSchema.settings, pgSchema.settings, 'key'],
  ['users', sqliteSchema.users, pgSchema.users, 'id'],
] as const;

function output(): { stdout: (text: string) => void; stderr: (text: string) => void; err: () => string } {
  let err = '';
  return { stdout: () => undefined, stderr: (text) => (err += text), err: () => err };
}

describe('npm run migrate-store', () => {
  let dir: string;
  let source: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sitrep-migrate-'));
    source = join(dir, 'sitrep.sqlite');
    await replay(loadScript(FIXTURE), { databasePath: source, logger: capturingLogger().logger });
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves every row into an empty database, keeping every number, and continues the numbering after them', async () => {
    const target = await testDatabase();
    const io = output();
    expect(await migrateStoreCli(['--to', target, '--from', source], {}, io)).toBe(0);
    expect(io.err()).toMatch(/^moved .* into postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\w+: incidents 1, incident_events \d+, messages \d+/);

    const sqlite = openDatabase(source);
    const postgres = await openPostgres(target, { poolSize: 1 });
    try {
      for (const [name, fromTable, toTable, key] of PAIRS) {
        const from = sqlite.db.select().from(fromTable).orderBy(asc(fromTable[key as keyof typeof fromTable] as never)).all();
        const to = (await postgres.db.select().from(toTable).orderBy(asc(toTable[key as keyof typeof toTable] as never))) as Array<Record<string, unknown>>;
        const comparable = to.map(({ claimedBy: _claimedBy, leaseUntil: _leaseUntil, ...rest }) => rest);
        expect(comparable, name).toEqual(from);
        if (name === 'messages') expect(from.length, 'the replay recorded messages').toBeGreaterThan(5);
      }
      // The next incident is INC-2, whichever replica declares it.
      const [next] = await postgres.db
        .insert(pgSchema.incidents)
        .values({ title: 'Next', severity: 'sev3', status: 'investigating', declaredBy: 'U1', timeZone: 'UTC', declaredAt: Date.now() })
        .returning({ id: pgSchema.incidents.id });
      expect(next?.id).toBe(2);
    } finally {
      sqlite.close();
      await postgres.close();
    }
  });

  it('refuses a database that is not empty, and changes nothing there', async () => {
    const target = await testDatabase();
    expect(await migrateStoreCli(['--to', target, '--from', source], {}, output())).toBe(0);
    const io = output();
    expect(await migrateStoreCli(['--to', target, '--from', source], {}, io)).toBe(2);
    expect(io.err()).toMatch(/is not empty \(incidents has rows\); move into an empty database/);
    expect(io.err()).not.toContain(new URL(target).password);
    const postgres = await openPostgres(target, { poolSize: 1 });
    try {
      expect(await postgres.db.select().from(pgSchema.incidents)).toHaveLength(1);
    } finally {
      await postgres.close();
    }
  });

  it.each([
    [[], /--to takes a postgres:\/\/ URL/],
    [['--to', 'mysql://x'], /--to takes a postgres:\/\/ URL/],
    [['--to', 'postgres://x/y', '--from', '/nowhere.sqlite'], /there is no database at \/nowhere\.sqlite/],
  ])('answers %j with a usage error', async (args, message) => {
    const io = output();
    expect(await migrateStoreCli(args, {}, io)).toBe(2);
    expect(io.err()).toMatch(message);
  });

  it('names every table it copies', () => {
    expect(PAIRS.map(([, table]) => getTableName(table)).sort()).toEqual(
      Object.values(sqliteSchema)
        .filter((value) => typeof value === 'object' && value !== null && Symbol.for('drizzle:Name') in value)
        .map((table) => getTableName(table as never))
        .sort(),
    );
  });
});
