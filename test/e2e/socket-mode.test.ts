// sitrep over Socket Mode, through the real app and a real WebSocket: Slack's
// disconnects, its redeliveries, and an envelope left unacknowledged because
// the write failed, delivered again by Slack and stored once.

import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { startTestSandbox, STORES, type TestSandbox } from '../support/sandbox.js';

let box: TestSandbox;

afterEach(async () => {
  await box.close();
});

const stored = async (sandbox: TestSandbox, text: string): Promise<number> =>
  (await sandbox.exported(1)).timeline.filter((message) => message.text === text).length;

describe('Socket Mode', () => {
  it('opens its connection through SLACK_API_URL with the app token, and says hello back with acknowledgements', async () => {
    box = await startTestSandbox({ transport: 'socket' });
    expect(box.sim.callsOf('apps.connections.open').filter((call) => call.ok)).toHaveLength(1);
    expect(box.sim.socketMode.connections).toBe(1);
    const channel = await box.declare(U_ALICE, 'declare sev2 Over the socket');
    const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'hello over the socket' });
    expect(said.acknowledged).toBe(true);
    expect(await stored(box, 'hello over the socket')).toBe(1);
  });

  it.each(['refresh_requested', 'link_disabled', 'warning'] as const)(
    'reconnects after Slack sends disconnect (%s) and loses nothing sent after it',
    async (reason) => {
      box = await startTestSandbox({ transport: 'socket' });
      const channel = await box.declare(U_ALICE, 'declare sev2 Reconnects');
      box.sim.socketMode.disconnect(reason);
      // For a warning Slack closes the link itself a little later; the client moves at once.
      await box.sim.waitFor(() => (box.sim.callsOf('apps.connections.open').length >= 2 ? true : undefined), { what: 'a new connection' });
      await box.sim.socketMode.waitForConnections(1);
      const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: `after ${reason}` });
      expect(said.acknowledged).toBe(true);
      expect(await stored(box, `after ${reason}`)).toBe(1);
    },
  );

  it.each(STORES)("stores Slack's redelivery of an acknowledged envelope once (on %s)", async (store) => {
    box = await startTestSandbox({ transport: 'socket', store });
    const channel = await box.declare(U_ALICE, 'declare sev2 Redelivered');
    const ts = box.sim.nextTs();
    const event = { type: 'message', channel: channel.id, user: U_BOB, text: 'said once', ts, event_ts: ts, channel_type: 'channel' };
    const first = await box.driver.event(event);
    const again = await box.driver.event(event, { eventId: first.eventId, retryNum: 1, retryReason: 'timeout' });
    expect([first.acknowledged, again.acknowledged]).toEqual([true, true]);
    const retried = box.sim.socketMode.deliveries.find((delivery) => delivery.envelope.retry_attempt === 1);
    expect(retried?.envelope).toMatchObject({ type: 'events_api', retry_reason: 'timeout' });
    expect(await stored(box, 'said once')).toBe(1);
  });

  it('leaves an envelope unacknowledged while the write fails, and stores it from the redelivery', async () => {
    box = await startTestSandbox({ transport: 'socket', busyTimeoutMs: 50, socketAckTimeoutMs: 1500 });
    const channel = await box.declare(U_ALICE, 'declare sev2 Held lock');
    await box.sitrep.ctx.tasks.idle();
    const holder = new BetterSqlite3(box.databasePath);
    holder.exec('BEGIN IMMEDIATE');
    const blocked = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'while locked' });
    holder.exec('ROLLBACK');
    holder.close();
    expect(blocked.acknowledged).toBe(false);
    expect(box.sim.socketMode.unacknowledged()).toHaveLength(1);
    expect(box.errors().some((line) => /listener failed/.test(line.msg))).toBe(true);
    expect(await stored(box, 'while locked')).toBe(0);

    // Slack's own redelivery: the same payload and event_id, retry_attempt 1.
    const [outcome] = await box.sim.socketMode.redeliverUnacknowledged();
    expect(outcome?.acknowledged).toBe(true);
    expect(await stored(box, 'while locked')).toBe(1);
  });

  it('answers a slash command with the same response payload as over HTTP', async () => {
    box = await startTestSandbox({ transport: 'socket' });
    const general = box.sim.channelByName('general')!.id;
    const answer = await box.driver.command({ userId: U_ALICE, channelId: general, text: 'severity sev1' });
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/works in an incident's channel/) });
    const ack = box.sim.socketMode.acks.at(-1);
    expect(ack?.payload).toMatchObject({ response_type: 'ephemeral' });
  });
});
