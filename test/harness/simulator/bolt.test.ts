// The simulator and driver against a real Bolt app (HTTP receiver), to show
// that what the driver sends passes Bolt's checks and that what Bolt sends
// back (respond, say, views.open, acks) lands in the simulated workspace.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { BOT_ID, SlackDriver, U_ALICE, U_BOB, startSlackSimulator } from '../../../harness/simulator/index.js';
import type { SimChannel, SlackSimulator } from '../../../harness/simulator/index.js';

const SECRET = 'bolt-signing-secret';

let sim: SlackSimulator;
let app: App;
let driver: SlackDriver;
let ops: SimChannel;
const heard: string[] = [];

beforeEach(async () => {
  heard.length = 0;
  sim = await startSlackSimulator();
  app = new App({
    token: sim.botToken,
    signingSecret: SECRET,
    processBeforeResponse: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } },
  });
  app.command('/incident', async ({ command, ack, respond, say, client }) => {
    await ack();
    if (command.text === 'declare') {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'declare',
          title: { type: 'plain_text', text: 'Declare an incident' },
          submit: { type: 'plain_text', text: 'Declare' },
          blocks: [
            {
              type: 'input',
              block_id: 'title',
              label: { type: 'plain_text', text: 'Title' },
              element: { type: 'plain_text_input', action_id: 'value' },
            },
          ],
        },
      });
    } else if (command.text === 'announce') {
      await say(`<@${command.user_id}> says hello`);
    } else {
      await respond(`Unknown command: ${command.text}`);
    }
  });
  app.view('declare', async ({ ack, view, body, client }) => {
    const title = view.state.values.title?.value?.value ?? '';
    if (title === '') {
      await ack({ response_action: 'errors', errors: { title: 'A title, please' } });
      return;
    }
    await ack();
    await client.conversations.create({ name: 'inc-1-checkout' });
    heard.push(`declared "${title}" by ${body.user.id}`);
  });
  app.message(async ({ message }) => {
    if (message.subtype === undefined) heard.push(`message: ${message.text ?? ''}`);
  });
  app.event('reaction_added', async ({ event }) => {
    heard.push(`reaction: ${event.reaction}`);
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const { port } = server.address() as AddressInfo;
  driver = new SlackDriver({ appUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, simulator: sim });
  ops = sim.addChannel({ name: 'ops', members: [U_ALICE, U_BOB] });
});

afterEach(async () => {
  await app.stop();
  await sim.close();
});

describe('with a real Bolt app', () => {
  it('gets a respond() reply as the user’s ephemeral', async () => {
    const result = await driver.command({ userId: U_ALICE, channelId: ops.id, text: 'frobnicate' });
    expect(result.status).toBe(200);
    expect(sim.ephemeralsFor(U_ALICE, ops.id)).toEqual([
      expect.objectContaining({ text: 'Unknown command: frobnicate', via: 'response_url' }),
    ]);
    expect(sim.callsOf('auth.test').length).toBeGreaterThan(0);
  });

  it('gets a say() post in the channel', async () => {
    await driver.command({ userId: U_ALICE, channelId: ops.id, text: 'announce' });
    expect(sim.messages(ops.id)).toEqual([
      expect.objectContaining({ text: `<@${U_ALICE}> says hello`, botId: BOT_ID }),
    ]);
  });

  it('opens a modal and takes its submission, with validation errors first', async () => {
    await driver.command({ userId: U_BOB, channelId: ops.id, text: 'declare' });
    expect(sim.modalsFor(U_BOB)).toHaveLength(1);

    const refused = await driver.submitView({ userId: U_BOB, values: { title: { value: { type: 'plain_text_input', value: '' } } } });
    expect(refused.body).toEqual({ response_action: 'errors', errors: { title: 'A title, please' } });
    expect(sim.modalsFor(U_BOB)[0]?.open).toBe(true);

    const accepted = await driver.submitView({
      userId: U_BOB,
      values: { title: { value: { type: 'plain_text_input', value: 'Checkout errors' } } },
    });
    expect(accepted.status).toBe(200);
    expect(sim.modalsFor(U_BOB)[0]?.open).toBe(false);
    // processBeforeResponse: the handler has finished before the 200 comes back.
    expect(heard).toEqual(['declared "Checkout errors" by U_BOB']);
    expect(sim.channelByName('inc-1-checkout')).toBeDefined();
  });

  it('delivers messages and reactions that Bolt routes to listeners', async () => {
    const { ts } = await driver.message({ channelId: ops.id, userId: U_ALICE, text: 'error rate is 40%' });
    await driver.react({ channelId: ops.id, ts, userId: U_BOB, name: 'rotating_light' });
    expect(heard).toEqual(['message: error rate is 40%', 'reaction: rotating_light']);
  });

  it('is refused by Bolt when unsigned, forged or stale', async () => {
    const body = JSON.stringify({ type: 'event_callback', event: { type: 'app_mention' } });
    expect((await driver.raw({ body })).status).toBe(401);
    expect((await driver.raw({ body, sign: { secret: 'forged' } })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await driver.raw({ body, sign: { timestamp: stale } })).status).toBe(401);
    expect(heard).toEqual([]);
  });
});
