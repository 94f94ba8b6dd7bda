// The same incident on SQLite and on PostgreSQL: each reference incident replayed
// through the real app once on each store. The draft the bot posts and what
// `npm run postmortem` prints (Markdown and JSON) must be the same, byte for byte.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScript, replay } from '../../harness/replay.js';
import { postmortemCli } from '../../src/cli/postmortem.js';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { capturingLogger } from '../support/draft.js';
import { storeDatabase } from '../support/postgres.js';
import { startTestSandbox } from '../support/sandbox.js';

const FIXTURES = new URL('../fixtures/incidents/', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'sitrep-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run postmortem -- …args` in this process, against the store `env` names. */
async function exportWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await postmortemCli(args, { ...process.env, ...env }, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('one incident on each store', () => {
  it.concurrent.each(['clearhaus-gateway', 'commerce-layer-db-upgrade', 'gitkraken-payment-service'])('%s: the same draft and exports', async (name) => {
    const script = loadScript(new URL(`${name}.json`, FIXTURES).pathname);
    const sqlite = { DATABASE_PATH: join(dir, `${name}.sqlite`) };
    const postgres = { DATABASE_PATH: join(dir, `${name}-unused.sqlite`), DATABASE_URL: await storeDatabase() };
    const logs = [capturingLogger(), capturingLogger()] as const;
    const [onSqlite, onPostgres] = await Promise.all([
      replay(script, { databasePath: sqlite.DATABASE_PATH, logger: logs[0].logger }),
      replay(script, { databasePath: postgres.DATABASE_PATH, env: { DATABASE_URL: postgres.DATABASE_URL }, logger: logs[1].logger }),
    ]);
    expect(logs.flatMap((log) => log.errors())).toEqual([]);
    expect(onSqlite.draft?.content).toBeTruthy();
    expect(onPostgres.draft?.content).toBe(onSqlite.draft?.content);

    for (const args of [['1'], ['1', '--format', 'json']]) {
      const fromSqlite = await exportWith(sqlite, ...args);
      expect(fromSqlite).toMatchObject({ code: 0, stderr: '' });
      expect(await exportWith(postgres, ...args)).toEqual(fromSqlite);
    }
  });
});

describe('text PostgreSQL cannot hold', () => {
  it('stores a message with a NUL character (as U+FFFD) instead of failing it on every redelivery', async () => {
    const box = await startTestSandbox({ store: 'postgres' });
    try {
      const channel = await box.declare(U_ALICE, 'declare sev3 Odd bytes');
      const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'before\u0000after' });
      expect(said.status).toBe(200);
      expect((await box.store.queries.listRecordedMessages(1)).map((message) => message.text)).toEqual(['before\ufffdafter']);
      expect(box.errors()).toEqual([]);
    } finally {
      await box.close();
    }
  });
});
