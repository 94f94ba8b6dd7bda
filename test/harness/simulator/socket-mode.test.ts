// Socket Mode against the real SDK: a SocketModeClient from @slack/socket-mode
// (and a Bolt app on its SocketModeReceiver) connects to the simulator exactly
// as it would to Slack, so what the hub sends passes the client's parsing and
// what the client sends back is what the hub records.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { SocketModeOptions } from '@slack/socket-mode';
import { WebSocket } from 'ws';
import {
  API_APP_ID,
  BOT_ID,
  SlackDriver,
  TEAM_ID,
  U_ALICE,
  U_BOB,
  VERIFICATION_TOKEN,
  startSlackSimulator,
} from '../../../harness/simulator/index.js';
import type { SimChannel, SlackSimulator } from '../../../harness/simulator/index.js';
import { SOCKET_MODE_ENDPOINT } from '../../../harness/simulator/socket-mode.js';
import { silentLogger, webClientFor } from './helpers.js';

/** What a client was handed for one envelope. */
interface Received {
  client: string;
  type: string;
  envelopeId: string;
  body: Record<string, any>;
  retryNum: number | undefined;
  retryReason: string | undefined;
  acceptsResponsePayload: boolean | undefined;
}

/** How a test client answers an envelope: ack it (with this payload, if any), or let it time out. */
type Reply = { payload?: Record<string, unknown> } | 'no ack';

interface TestClient {
  client: SocketModeClient;
  received: Received[];
  /** Every frame the client was sent, parsed: hello, envelopes, disconnects. */
  frames: Record<string, any>[];
}

let sim: SlackSimulator;
const clients: SocketModeClient[] = [];

beforeEach(async () => {
  sim = await startSlackSimulator();
});

afterEach(async () => {
  // Clients first: a client that loses the simulator under it tries to reconnect.
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  await sim.close();
});

function connect(
  name: string,
  reply: (received: Received) => Reply = () => ({}),
  options: Partial<SocketModeOptions> = {},
): TestClient {
  const client = new SocketModeClient({
    appToken: sim.appToken,
    logger: silentLogger,
    clientOptions: { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } },
    ...options,
  });
  clients.push(client);
  const received: Received[] = [];
  const frames: Record<string, any>[] = [];
  client.on('ws_message', (data: unknown) => frames.push(JSON.parse(String(data)) as Record<string, any>));
  client.on('slack_event', async (args: Record<string, any>) => {
    const entry: Received = {
      client: name,
      type: args.type as string,
      envelopeId: args.envelope_id as string,
      body: args.body as Record<string, any>,
      retryNum: args.retry_num as number | undefined,
      retryReason: args.retry_reason as string | undefined,
      acceptsResponsePayload: args.accepts_response_payload as boolean | undefined,
    };
    received.push(entry);
    const answer = reply(entry);
    if (answer !== 'no ack') await (args.ack as (payload?: unknown) => Promise<void>)(answer.payload);
  });
  return { client, received, frames };
}

function eventBody(eventId: string, text = 'hello'): Record<string, unknown> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    api_app_id: API_APP_ID,
    event: {
      type: 'app_mention',
      user: U_ALICE,
      text,
      ts: '1700000000.000100',
      channel: 'C00000001',
      event_ts: '1700000000.000100',
    },
    type: 'event_callback',
    event_id: eventId,
    event_time: 1700000000,
    authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: 'U_SITREP', is_bot: true, is_enterprise_install: false }],
  };
}

describe('connecting', () => {
  it('hands the app-level token a one-time URL and says hello on it', async () => {
    const { client, frames } = connect('a');
    const opened = (await client.start()) as { url: string };

    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]{36}&app_id=A_SITREP$/);
    expect(sim.socketMode.connections).toBe(1);
    expect(sim.callsOf('apps.connections.open')).toEqual([expect.objectContaining({ ok: true, status: 200 })]);
    expect(sim.callsOf(SOCKET_MODE_ENDPOINT)).toEqual([expect.objectContaining({ ok: true, status: 101 })]);
    expect(frames).toEqual([
      {
        type: 'hello',
        num_connections: 1,
        debug_info: expect.objectContaining({ host: expect.any(String), approximate_connection_time: expect.any(Number) }),
        connection_info: { app_id: API_APP_ID },
      },
    ]);
  });

  it('refuses a bot token with not_allowed_token_type, and an unknown one with invalid_auth', async () => {
    const bot = connect('bot', undefined, { appToken: sim.botToken, autoReconnectEnabled: false });
    await expect(bot.client.start()).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    const stranger = connect('stranger', undefined, { appToken: 'xapp-1-A0OTHER-1-nope', autoReconnectEnabled: false });
    await expect(stranger.client.start()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });

    expect(sim.callsOf('apps.connections.open').map((c) => c.error)).toEqual(['not_allowed_token_type', 'invalid_auth']);
    expect(sim.socketMode.connections).toBe(0);
  });

  it('does not let the app-level token call other methods', async () => {
    const result = await webClientFor(sim, sim.appToken).auth.test().catch((error: { data: unknown }) => error.data);
    expect(result).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
  });

  it('takes each ticket once', async () => {
    const { url } = (await webClientFor(sim, sim.appToken).apps.connections.open()) as { url: string };
    const first = new WebSocket(url);
    const hello = await new Promise<unknown>((resolve) => first.once('message', (data) => resolve(JSON.parse(String(data)))));
    expect(hello).toMatchObject({ type: 'hello' });

    const second = new WebSocket(url);
    const status = await new Promise<number | undefined>((resolve) =>
      second.once('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(401);
    expect(sim.callsOf(SOCKET_MODE_ENDPOINT).map((c) => c.status)).toEqual([101, 401]);
    first.close();
    await sim.waitFor(() => sim.socketMode.connections === 0, { what: 'the first socket to close' });
  });
});

describe('envelopes', () => {
  it('delivers an event as events_api and takes a bare ack', async () => {
    const { client, received } = connect('a');
    await client.start();

    const outcome = await sim.socketMode.send('events_api', eventBody('Ev0001'));

    expect(outcome).toEqual({ acknowledged: true });
    const [delivery] = sim.socketMode.deliveries;
    expect(delivery?.envelope).toEqual({
      envelope_id: expect.any(String),
      type: 'events_api',
      payload: eventBody('Ev0001'),
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
    });
    expect(received).toEqual([
      expect.objectContaining({ type: 'events_api', body: eventBody('Ev0001'), retryNum: 0, retryReason: '' }),
    ]);
    expect(sim.socketMode.acks).toEqual([{ envelopeId: delivery?.envelope.envelope_id, connectionId: 1, expected: true }]);
  });

  it('passes back an ack’s payload', async () => {
    const { client } = connect('a', () => ({ payload: { note: 'seen' } }));
    await client.start();

    expect(await sim.socketMode.send('events_api', eventBody('Ev0002'))).toEqual({
      acknowledged: true,
      payload: { note: 'seen' },
    });
    expect(sim.socketMode.acks).toEqual([expect.objectContaining({ payload: { note: 'seen' }, expected: true })]);
  });

  it('delivers a slash command whose ack carries the reply', async () => {
    const { client, received } = connect('a', (r) => ({ payload: { text: `You asked for ${String(r.body.text)}` } }));
    await client.start();
    const command = { command: '/incident', text: 'status', user_id: U_ALICE, channel_id: 'C00000001', team_id: TEAM_ID };

    const outcome = await sim.socketMode.send('slash_commands', command);

    expect(outcome).toEqual({ acknowledged: true, payload: { text: 'You asked for status' } });
    expect(received).toEqual([
      expect.objectContaining({ type: 'slash_commands', body: command, acceptsResponsePayload: true, retryNum: undefined }),
    ]);
  });

  it('waits for a connection when none is open yet', async () => {
    const sending = sim.socketMode.send('events_api', eventBody('Ev0003'), { ackTimeoutMs: 20_000 });
    const { client, frames } = connect('late');
    await client.start();

    expect(await sending).toEqual({ acknowledged: true });
    expect(frames.map((f) => f.type)).toEqual(['hello', 'events_api']);
  });

  it('counts an envelope as unacknowledged when its connection closes first', async () => {
    const { client } = connect('a', () => 'no ack');
    await client.start();

    const sending = sim.socketMode.send('events_api', eventBody('Ev0004'), { ackTimeoutMs: 20_000 });
    await client.disconnect();

    expect(await sending).toEqual({ acknowledged: false, reason: 'connection closed' });
    expect(sim.socketMode.unacknowledged().map((d) => d.envelope.payload.event_id)).toEqual(['Ev0004']);
  });

  it('redelivers an unacknowledged event with retry_attempt 1 and the same event_id', async () => {
    let acking = false;
    const { client, received } = connect('a', () => (acking ? {} : 'no ack'));
    await client.start();

    const first = await sim.socketMode.send('events_api', eventBody('Ev0005'), { ackTimeoutMs: 200 });
    expect(first).toEqual({ acknowledged: false, reason: 'timeout' });
    expect(sim.socketMode.unacknowledged().map((d) => d.envelope.payload.event_id)).toEqual(['Ev0005']);

    acking = true;
    expect(await sim.socketMode.redeliverUnacknowledged()).toEqual([{ acknowledged: true }]);

    expect(received.map((r) => [r.body.event_id, r.retryNum, r.retryReason])).toEqual([
      ['Ev0005', 0, ''],
      ['Ev0005', 1, 'timeout'],
    ]);
    expect(received[1]?.body).toEqual(received[0]?.body);
    expect(received[1]?.envelopeId).not.toBe(received[0]?.envelopeId);
    expect(sim.socketMode.unacknowledged()).toEqual([]);
  });

  it('spreads envelopes over every open connection', async () => {
    const a = connect('a');
    const b = connect('b');
    await Promise.all([a.client.start(), b.client.start()]);
    await sim.socketMode.waitForConnections(2);

    const ids = ['Ev0011', 'Ev0012', 'Ev0013', 'Ev0014'];
    const outcomes = await Promise.all(ids.map((id) => sim.socketMode.send('events_api', eventBody(id))));

    expect(outcomes.every((o) => o.acknowledged)).toBe(true);
    expect(a.received).toHaveLength(2);
    expect(b.received).toHaveLength(2);
    expect(new Set(sim.socketMode.deliveries.map((d) => d.connectionId))).toEqual(new Set([1, 2]));
  });
});

describe('disconnect', () => {
  it('on refresh_requested, the client reconnects and takes the next envelope', async () => {
    // The SDK waits clientPingTimeout before reconnecting; a shorter one keeps the test short.
    const { client, frames, received } = connect('a', () => ({}), { clientPingTimeout: 1500 });
    await client.start();

    sim.socketMode.disconnect('refresh_requested');
    await sim.waitFor(() => sim.callsOf('apps.connections.open').length === 2 && sim.socketMode.connections === 1, {
      timeoutMs: 15_000,
      what: 'the client to reconnect',
    });

    expect(frames.filter((f) => f.type !== 'hello')).toEqual([
      { type: 'disconnect', reason: 'refresh_requested', debug_info: { host: expect.any(String) } },
    ]);
    expect(await sim.socketMode.send('events_api', eventBody('Ev0021'))).toEqual({ acknowledged: true });
    expect(sim.socketMode.deliveries.at(-1)?.connectionId).toBe(2);
    expect(received.map((r) => r.body.event_id)).toEqual(['Ev0021']);
  });

  it('on warning, only says so and leaves the connection open', async () => {
    const { url } = (await webClientFor(sim, sim.appToken).apps.connections.open()) as { url: string };
    const socket = new WebSocket(url);
    const frames: Record<string, any>[] = [];
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, any>;
      frames.push(frame);
      if (typeof frame.envelope_id === 'string') socket.send(JSON.stringify({ envelope_id: frame.envelope_id }));
    });
    await sim.socketMode.waitForConnections(1);

    sim.socketMode.disconnect('warning');
    expect(await sim.socketMode.send('events_api', eventBody('Ev0022'))).toEqual({ acknowledged: true });

    expect(frames.map((f) => f.type)).toEqual(['hello', 'disconnect', 'events_api']);
    expect(frames[1]).toMatchObject({ reason: 'warning' });
    expect(sim.socketMode.connections).toBe(1);
    socket.close();
    await sim.waitFor(() => sim.socketMode.connections === 0, { what: 'the socket to close' });
  });

  it('waitForConnections names what it waited for when none come', async () => {
    await expect(sim.socketMode.waitForConnections(1, { timeoutMs: 50 })).rejects.toThrow(/1 open Socket Mode connection/);
  });
});

describe('the driver over Socket Mode, with a real Bolt app', () => {
  let app: App;
  let receiver: SocketModeReceiver;
  let driver: SlackDriver;
  let ops: SimChannel;

  beforeEach(async () => {
    const clientOptions = { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } };
    receiver = new SocketModeReceiver({
      appToken: sim.appToken,
      logLevel: LogLevel.ERROR,
      installerOptions: { clientOptions },
    });
    app = new App({ token: sim.botToken, receiver, logLevel: LogLevel.ERROR, clientOptions });
    app.command('/incident', async ({ command, ack, client }) => {
      if (command.text !== 'declare') {
        await ack(`You asked for ${command.text}`);
        return;
      }
      await ack();
      await client.views.open({
        trigger_id: command.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'declare',
          title: { type: 'plain_text', text: 'Declare' },
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
    });
    app.view('declare', async ({ ack, view }) => {
      const title = view.state.values.title?.value?.value ?? '';
      await ack(title === '' ? { response_action: 'errors', errors: { title: 'A title, please' } } : undefined);
    });
    app.message(async ({ message, say }) => {
      if (message.subtype === undefined) await say(`heard: ${message.text ?? ''}`);
    });
    await app.start();
    await sim.socketMode.waitForConnections(1);
    driver = new SlackDriver({ transport: 'socket', simulator: sim });
    ops = sim.addChannel({ name: 'ops', members: [U_ALICE, U_BOB] });
  });

  afterEach(async () => {
    driver.close();
    // Bolt's stop() does not wait for the close handshake; closing the simulator under it would cut it off.
    const disconnected = new Promise((resolve) => receiver.client.once('disconnected', resolve));
    await app.stop();
    await disconnected;
  });

  it('sends a command as slash_commands and reads the ack as the reply', async () => {
    const result = await driver.command({ userId: U_ALICE, channelId: ops.id, text: 'status' });

    expect(result).toMatchObject({ status: 200, body: { text: 'You asked for status' }, acknowledged: true });
    const envelope = sim.socketMode.deliveries.at(-1)?.envelope;
    expect(envelope).toMatchObject({ type: 'slash_commands', accepts_response_payload: true });
    expect(envelope?.payload).toMatchObject({
      command: '/incident',
      text: 'status',
      user_id: U_ALICE,
      response_url: result.responseUrl,
    });
  });

  it('submits a modal as interactive and applies the response_action from the ack', async () => {
    await driver.command({ userId: U_BOB, channelId: ops.id, text: 'declare' });
    await sim.waitFor(() => sim.modalsFor(U_BOB).length === 1, { what: 'views.open' });

    const title = (value: string) => ({ title: { value: { type: 'plain_text_input', value } } });
    const refused = await driver.submitView({ userId: U_BOB, values: title('') });
    expect(refused).toMatchObject({ status: 200, acknowledged: true, body: { response_action: 'errors' } });
    expect(sim.modalsFor(U_BOB)[0]?.open).toBe(true);
    expect(sim.socketMode.deliveries.at(-1)?.envelope).toMatchObject({
      type: 'interactive',
      accepts_response_payload: true,
      payload: { type: 'view_submission' },
    });

    const accepted = await driver.submitView({ userId: U_BOB, values: title('Checkout') });
    expect(accepted).toMatchObject({ status: 200, body: '', acknowledged: true });
    expect(sim.modalsFor(U_BOB)[0]?.open).toBe(false);
  });

  it('sends messages as events_api, with retry headers as retry_attempt and retry_reason', async () => {
    const result = await driver.message({ channelId: ops.id, userId: U_ALICE, text: 'error rate is 40%' });
    expect(result).toMatchObject({ status: 200, body: '', acknowledged: true });
    await sim.waitFor(() => sim.messages(ops.id).find((m) => m.botId === BOT_ID), { what: 'the app to answer' });
    expect(sim.messages(ops.id).map((m) => m.text)).toEqual(['error rate is 40%', 'heard: error rate is 40%']);

    const retried = await driver.event(
      { type: 'app_mention', user: U_ALICE, text: 'hi' },
      { eventId: 'Ev0031', retryNum: 1, retryReason: 'http_timeout' },
    );
    expect(retried.acknowledged).toBe(true);
    expect(sim.socketMode.deliveries.at(-1)?.envelope).toMatchObject({
      type: 'events_api',
      retry_attempt: 1,
      retry_reason: 'http_timeout',
      payload: { event_id: 'Ev0031', type: 'event_callback' },
    });
  });

  it('reads an unacknowledged delivery as status 0', async () => {
    const impatient = new SlackDriver({ transport: 'socket', simulator: sim, requestTimeoutMs: 200 });
    // No listener for this command, so Bolt never acks it.
    const result = await impatient.command({ userId: U_ALICE, channelId: ops.id, text: 'x', command: '/unheard' });
    expect(result).toMatchObject({ status: 0, body: null, acknowledged: false });
    expect(impatient.deliveries.at(-1)).toEqual({ kind: 'command', status: 0, body: 'timeout' });
  });

  it('refuses raw(), which is HTTP only', async () => {
    await expect(driver.raw({ body: '{}' })).rejects.toThrow(/HTTP/);
  });
});

describe('the driver over HTTP', () => {
  let server: Server;

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('counts a 2xx answer as acknowledged', async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.headers['content-type']?.includes('json') ? 200 : 500).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    const driver = new SlackDriver({ appUrl, signingSecret: 'secret', simulator: sim });
    const ops = sim.addChannel({ name: 'ops', members: [U_ALICE] });

    const message = await driver.message({ channelId: ops.id, userId: U_ALICE, text: 'hi' });
    expect(message).toMatchObject({ status: 200, acknowledged: true });
    const command = await driver.command({ userId: U_ALICE, channelId: ops.id, text: 'x' });
    expect(command).toMatchObject({ status: 500, acknowledged: false });
    server.closeAllConnections();
  });
});
