// PostgreSQL going away under a running bot: its database refuses every connection
// (connections to it no longer allowed, the bot's sessions ended, as when the server restarts
// or a failover cuts them). Meanwhile /healthz says so with a 503 and Slack's requests
// are answered non-2xx (over Socket Mode: left unacknowledged), so Slack delivers them
// again; once the database is back, the redelivery is stored, once, and /healthz is 200 again.

import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { withClient } from '../support/postgres.js';
import { startTestSandbox, TRANSPORTS, type TestSandbox } from '../support/sandbox.js';

let box: TestSandbox | undefined;

afterEach(async () => {
  await box?.close();
  box = undefined;
});

/** Runs one statement as the server's superuser, on its maintenance database. */
async function asSuperuser(databaseUrl: string, statement: string): Promise<void> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  await withClient(url.toString(), (client) => client.query(statement));
}

describe.each(TRANSPORTS)('PostgreSQL unreachable while the bot runs, over %s', (transport) => {
  it('answers /healthz 503 and Slack non-2xx, then stores the redelivery once it is back', async () => {
    box = await startTestSandbox({ store: 'postgres', transport, socketAckTimeoutMs: 1500 });
    const sandbox = box;
    const channel = await sandbox.declare(U_ALICE, 'declare sev2 Database failover');
    await sandbox.sitrep.ctx.tasks.idle();
    const health = sandbox.appUrl.replace('/slack/events', '/healthz');
    expect((await fetch(health)).status).toBe(200);

    const databaseUrl = sandbox.databaseUrl!;
    const name = new URL(databaseUrl).pathname.slice(1);
    await asSuperuser(databaseUrl, `ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await asSuperuser(databaseUrl, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
    try {
      const down = await fetch(health);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ok: false, store: 'unreachable' });
      const ts = sandbox.sim.nextTs();
      const event = { type: 'message', channel: channel.id, user: U_BOB, text: 'said during the failover', ts, event_ts: ts, channel_type: 'channel' };
      const refused = await sandbox.driver.event(event);
      if (transport === 'http') expect(refused.status).toBeGreaterThanOrEqual(500);
      else expect([refused.acknowledged, sandbox.sim.socketMode.unacknowledged().length]).toEqual([false, 1]);

      await asSuperuser(databaseUrl, `ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      expect((await fetch(health)).status).toBe(200);
      if (transport === 'http') {
        const again = await sandbox.driver.event(event, { eventId: refused.eventId, retryNum: 1, retryReason: 'http_error' });
        expect(again.status).toBe(200);
      } else {
        const [again] = await sandbox.sim.socketMode.redeliverUnacknowledged();
        expect(again?.acknowledged).toBe(true);
      }
      const stored = (await sandbox.store.queries.listRecordedMessages(1)).filter((message) => message.text === 'said during the failover');
      expect(stored).toHaveLength(1);
      // The failed request was logged as an error, by sitrep (and over HTTP by Bolt's receiver); nothing else was.
      const logged = ['a listener failed; Slack is not acknowledged and will retry'];
      if (transport === 'http') logged.push('An unhandled error occurred while Bolt processed an event');
      expect(new Set(sandbox.errors().map((line) => line.msg))).toEqual(new Set(logged));
    } finally {
      await asSuperuser(databaseUrl, `ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
  });
});
