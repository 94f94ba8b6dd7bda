import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifySlackRequest } from '@slack/bolt';
import {
  API_APP_ID,
  BOT_ID,
  BOT_USER_ID,
  SlackDriver,
  TEAM_ID,
  U_ALICE,
  U_BOB,
  signSlackRequest,
  startSlackSimulator,
} from '../../../harness/simulator/index.js';
import type { SimChannel, SlackSimulator } from '../../../harness/simulator/index.js';
import { webClientFor } from './helpers.js';

const SECRET = 'test-signing-secret';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status?: number;
  json?: unknown;
}

/** A stand-in app: records what it is sent and answers as told. */
class RecordingApp {
  readonly received: Received[] = [];
  reply: (request: Received) => Reply = () => ({});
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.received.push(request);
        const { status = 200, json } = this.reply(request);
        if (json === undefined) {
          res.writeHead(status).end();
        } else {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
        }
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  last(): Received {
    const request = this.received.at(-1);
    if (!request) throw new Error('the app received nothing');
    return request;
  }

  lastForm(): Record<string, string> {
    return Object.fromEntries(new URLSearchParams(this.last().body));
  }

  lastJson(): Record<string, any> {
    return JSON.parse(this.last().body) as Record<string, any>;
  }

  lastPayload(): Record<string, any> {
    return JSON.parse(this.lastForm().payload ?? '') as Record<string, any>;
  }
}

let sim: SlackSimulator;
let app: RecordingApp;
let driver: SlackDriver;
let ops: SimChannel;

beforeEach(async () => {
  sim = await startSlackSimulator();
  app = new RecordingApp();
  await app.start();
  driver = new SlackDriver({ appUrl: app.url, signingSecret: SECRET, simulator: sim });
  ops = sim.addChannel({ name: 'ops', members: [U_ALICE, U_BOB] });
});

afterEach(async () => {
  driver.close();
  await app.stop();
  await sim.close();
});

describe('signing', () => {
  it('signs exactly as Slack does', async () => {
    const fixedNow = 1_712_600_000_123;
    const fixed = new SlackDriver({ appUrl: app.url, signingSecret: SECRET, simulator: sim, now: () => fixedNow });
    await fixed.command({ userId: U_ALICE, channelId: ops.id, text: 'help' });

    const { headers, body } = app.last();
    expect(headers['x-slack-request-timestamp']).toBe('1712600000');
    // Recomputed here from the spec, independently of signing.ts.
    const expected = `v0=${createHmac('sha256', SECRET).update(`v0:1712600000:${body}`).digest('hex')}`;
    expect(headers['x-slack-signature']).toBe(expected);
    expect(signSlackRequest(SECRET, 1712600000, body)).toBe(expected);
  });

  it('produces requests Bolt’s own verifier accepts, and only with the right secret', async () => {
    await driver.event({ type: 'app_mention', user: U_ALICE, text: 'hi', channel: ops.id, ts: '1.000001' });
    const { headers, body } = app.last();
    const request = {
      body,
      headers: {
        'x-slack-signature': String(headers['x-slack-signature']),
        'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
      },
    };
    expect(() => verifySlackRequest({ signingSecret: SECRET, ...request })).not.toThrow();
    expect(() => verifySlackRequest({ signingSecret: 'other', ...request })).toThrow(/signature mismatch/);
  });
});

describe('command', () => {
  it('sends Slack’s slash-command fields, form-encoded', async () => {
    app.reply = () => ({ json: { text: 'ack' } });
    const result = await driver.command({ userId: U_ALICE, channelId: ops.id, text: 'declare sev2 DB down' });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ text: 'ack' });
    expect(app.last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(app.lastForm()).toMatchObject({
      team_id: TEAM_ID,
      channel_id: ops.id,
      channel_name: 'ops',
      user_id: U_ALICE,
      user_name: 'alice',
      command: '/incident',
      text: 'declare sev2 DB down',
      api_app_id: API_APP_ID,
      response_url: result.responseUrl,
      trigger_id: result.triggerId,
    });
  });

  it('gives a response_url whose replies reach the user, or the channel when in_channel', async () => {
    const { responseUrl } = await driver.command({ userId: U_ALICE, channelId: ops.id, text: 'list' });
    const post = (body: unknown) =>
      fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await post({ text: 'No open incidents' })).status).toBe(200);
    expect((await post({ text: 'Declared', response_type: 'in_channel' })).status).toBe(200);
    expect(sim.ephemeralsFor(U_ALICE, ops.id)).toEqual([
      expect.objectContaining({ text: 'No open incidents', via: 'response_url' }),
    ]);
    expect(sim.ephemeralsFor(U_BOB)).toEqual([]);
    expect(sim.messages(ops.id)).toEqual([expect.objectContaining({ text: 'Declared', botId: BOT_ID })]);
    expect((await post({})).status).toBe(400);
  });

  it('issues a trigger the bot can exchange for a modal for that user', async () => {
    const { triggerId } = await driver.command({ userId: U_BOB, channelId: ops.id, text: 'declare' });
    await webClientFor(sim).views.open({
      trigger_id: triggerId,
      view: { type: 'modal', title: { type: 'plain_text', text: 'Declare' }, blocks: [] },
    });
    expect(sim.modalsFor(U_BOB)).toHaveLength(1);
  });

  it('refuses to send from a channel the simulator does not have', async () => {
    await expect(driver.command({ userId: U_ALICE, channelId: 'C_NOWHERE', text: 'list' })).rejects.toThrow(
      /no channel C_NOWHERE/,
    );
    expect(app.received).toHaveLength(0);
  });
});

describe('events', () => {
  it('wraps an event in Slack’s envelope, with retry headers on redelivery', async () => {
    const first = await driver.event({ type: 'app_mention', channel: ops.id });
    const again = await driver.event(
      { type: 'app_mention', channel: ops.id },
      { eventId: first.eventId, retryNum: 1, retryReason: 'http_timeout' },
    );
    expect(first.eventId).toMatch(/^Ev\w+$/);
    expect(again.eventId).toBe(first.eventId);
    expect(app.lastJson()).toMatchObject({
      type: 'event_callback',
      team_id: TEAM_ID,
      api_app_id: API_APP_ID,
      event_id: first.eventId,
      event: { type: 'app_mention', channel: ops.id },
      authorizations: [{ user_id: BOT_USER_ID, is_bot: true, team_id: TEAM_ID }],
    });
    expect(app.received[0]?.headers['x-slack-retry-num']).toBeUndefined();
    expect(app.last().headers).toMatchObject({ 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
  });

  it('makes distinct event ids', async () => {
    const a = await driver.event({ type: 'app_mention' });
    const b = await driver.event({ type: 'app_mention' });
    expect(a.eventId).not.toBe(b.eventId);
  });

  it('puts a person’s message in the channel and tells the app', async () => {
    const secret = sim.addChannel({ name: 'inc-9', isPrivate: true, members: [U_ALICE] });
    const { ts, status } = await driver.message({ channelId: secret.id, userId: U_ALICE, text: 'DB is back' });
    expect(status).toBe(200);
    expect(sim.messages(secret.id)).toEqual([expect.objectContaining({ ts, user: U_ALICE, text: 'DB is back' })]);
    expect(app.lastJson().event).toMatchObject({
      type: 'message',
      channel: secret.id,
      user: U_ALICE,
      text: 'DB is back',
      ts,
      event_ts: ts,
      channel_type: 'group',
    });

    const reply = await driver.message({ channelId: secret.id, userId: U_ALICE, text: 'confirmed', threadTs: ts });
    expect(app.lastJson().event).toMatchObject({ thread_ts: ts, ts: reply.ts });
    expect(Number(reply.ts)).toBeGreaterThan(Number(ts));
  });

  it('redelivers a message with a given ts without a second copy in the channel', async () => {
    const { ts } = await driver.message({ channelId: ops.id, userId: U_ALICE, text: 'once' });
    await driver.message({ channelId: ops.id, userId: U_ALICE, text: 'once', ts });
    expect(sim.messages(ops.id)).toHaveLength(1);
    expect(app.received).toHaveLength(2);
  });

  it('sends reactions and keeps them on the message', async () => {
    const { ts } = await driver.message({ channelId: ops.id, userId: U_ALICE, text: 'found it' });
    await driver.react({ channelId: ops.id, ts, userId: U_BOB, name: ':bulb:' });
    expect(app.lastJson().event).toMatchObject({
      type: 'reaction_added',
      user: U_BOB,
      reaction: 'bulb',
      item: { type: 'message', channel: ops.id, ts },
      item_user: U_ALICE,
    });
    expect(sim.message(ops.id, ts)?.reactions).toEqual([{ name: 'bulb', users: [U_BOB] }]);

    await driver.unreact({ channelId: ops.id, ts, userId: U_BOB, name: 'bulb' });
    expect(app.lastJson().event).toMatchObject({ type: 'reaction_removed', reaction: 'bulb' });
    expect(sim.message(ops.id, ts)?.reactions).toEqual([]);
  });

  it('sends a reaction to a message the simulator has not seen, without item_user', async () => {
    await driver.react({ channelId: ops.id, ts: '1712600000.000100', userId: U_BOB, name: 'pushpin' });
    const event = app.lastJson().event as Record<string, unknown>;
    expect(event.item).toEqual({ type: 'message', channel: ops.id, ts: '1712600000.000100' });
    expect(event).not.toHaveProperty('item_user');
  });

  it('sends edits and deletions as Slack’s message subtypes', async () => {
    const { ts } = await driver.message({ channelId: ops.id, userId: U_ALICE, text: 'password is hunter2' });
    await driver.edit({ channelId: ops.id, ts, text: 'password is ***' });
    expect(app.lastJson().event).toMatchObject({
      subtype: 'message_changed',
      channel: ops.id,
      message: { ts, text: 'password is ***', user: U_ALICE, edited: { user: U_ALICE } },
      previous_message: { ts, text: 'password is hunter2' },
    });
    expect(sim.message(ops.id, ts)?.text).toBe('password is ***');

    await driver.delete({ channelId: ops.id, ts });
    expect(app.lastJson().event).toMatchObject({ subtype: 'message_deleted', deleted_ts: ts, channel: ops.id });
    expect(sim.messages(ops.id)).toEqual([]);
  });
});

describe('submitView', () => {
  const declareView = {
    type: 'modal' as const,
    callback_id: 'declare',
    private_metadata: 'meta',
    title: { type: 'plain_text' as const, text: 'Declare' },
    submit: { type: 'plain_text' as const, text: 'Declare' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'title',
        label: { type: 'plain_text' as const, text: 'Title' },
        element: { type: 'plain_text_input' as const, action_id: 'value' },
      },
    ],
  };
  const values = { title: { value: { type: 'plain_text_input', value: 'Checkout errors' } } };

  async function openModal(userId: string): Promise<string> {
    const { triggerId } = await driver.command({ userId, channelId: ops.id, text: 'declare' });
    const opened = await webClientFor(sim).views.open({ trigger_id: triggerId, view: declareView });
    return opened.view?.id ?? '';
  }

  it('submits the user’s open modal with the given values, then closes it', async () => {
    const viewId = await openModal(U_ALICE);
    const result = await driver.submitView({ userId: U_ALICE, values });
    expect(result).toMatchObject({ status: 200, viewId });
    expect(app.last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(app.lastPayload()).toMatchObject({
      type: 'view_submission',
      user: { id: U_ALICE },
      team: { id: TEAM_ID },
      api_app_id: API_APP_ID,
      view: { id: viewId, callback_id: 'declare', private_metadata: 'meta', state: { values } },
    });
    expect(app.lastPayload().trigger_id).toEqual(expect.any(String));
    expect(sim.modalsFor(U_ALICE)[0]?.open).toBe(false);
    await expect(driver.submitView({ userId: U_ALICE, values })).rejects.toThrow(/no open modal for U_ALICE/);
  });

  it('keeps the modal open when the app answers with errors', async () => {
    await openModal(U_ALICE);
    app.reply = () => ({ json: { response_action: 'errors', errors: { title: 'Required' } } });
    const result = await driver.submitView({ userId: U_ALICE, callbackId: 'declare', values });
    expect(result.body).toEqual({ response_action: 'errors', errors: { title: 'Required' } });
    expect(sim.modalsFor(U_ALICE)[0]?.open).toBe(true);
  });
});

describe('raw', () => {
  it('sends unsigned bodies as they are', async () => {
    app.reply = () => ({ status: 401 });
    const result = await driver.raw({ body: '{"type":"event_callback"}' });
    expect(result).toEqual({ status: 401, body: '' });
    expect(app.last().headers['x-slack-signature']).toBeUndefined();
    expect(app.last().body).toBe('{"type":"event_callback"}');
  });

  it('signs with a chosen timestamp, for stale requests', async () => {
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    await driver.raw({ body: 'x=1', contentType: 'application/x-www-form-urlencoded', sign: { timestamp: stale } });
    expect(app.last().headers['x-slack-request-timestamp']).toBe(String(stale));
    expect(app.last().headers['x-slack-signature']).toBe(signSlackRequest(SECRET, stale, 'x=1'));
  });
});

describe('echoBotMessages', () => {
  it('tells the app about the bot’s own posts, as Slack does', async () => {
    const echoing = new SlackDriver({ appUrl: app.url, signingSecret: SECRET, simulator: sim, echoBotMessages: true });
    try {
      const posted = await webClientFor(sim).chat.postMessage({ channel: ops.id, text: 'Status: monitoring' });
      await echoing.idle();
      expect(app.lastJson().event).toMatchObject({
        type: 'message',
        bot_id: BOT_ID,
        user: BOT_USER_ID,
        text: 'Status: monitoring',
        ts: posted.ts,
      });
    } finally {
      echoing.close();
    }
    await webClientFor(sim).chat.postMessage({ channel: ops.id, text: 'not echoed' });
    expect(app.received).toHaveLength(1);
  });
});

describe('openHome and action', () => {
  const home = {
    type: 'home' as const,
    blocks: [
      { type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Open incidents' } },
      {
        type: 'actions' as const,
        block_id: 'tools',
        elements: [
          { type: 'button' as const, action_id: 'declare', value: 'from-home', text: { type: 'plain_text' as const, text: 'Declare' } },
        ],
      },
    ],
  };

  it('sends app_home_opened, with the published view once there is one', async () => {
    await driver.openHome({ userId: U_ALICE });
    const first = app.lastJson().event as Record<string, unknown>;
    expect(first).toMatchObject({ type: 'app_home_opened', user: U_ALICE, tab: 'home', channel: sim.dmChannel(U_ALICE).id });
    expect(first).not.toHaveProperty('view');

    const published = await webClientFor(sim).views.publish({ user_id: U_ALICE, view: home });
    await driver.openHome({ userId: U_ALICE });
    expect(app.lastJson().event).toMatchObject({ view: { id: published.view?.id, type: 'home' } });
  });

  it('presses a home-tab button as Slack does, with a trigger the app can open a modal with', async () => {
    const published = await webClientFor(sim).views.publish({ user_id: U_BOB, view: home });
    const result = await driver.action({ userId: U_BOB, actionId: 'declare' });
    expect(result.status).toBe(200);
    expect(app.last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(app.lastPayload()).toMatchObject({
      type: 'block_actions',
      user: { id: U_BOB, name: 'bob' },
      team: { id: TEAM_ID },
      api_app_id: API_APP_ID,
      container: { type: 'view', view_id: published.view?.id },
      view: { id: published.view?.id, type: 'home', blocks: home.blocks },
      trigger_id: result.triggerId,
      actions: [{ type: 'button', action_id: 'declare', block_id: 'tools', value: 'from-home', text: { text: 'Declare' } }],
    });

    const modal = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Declare' }, blocks: [] };
    await webClientFor(sim).views.open({ trigger_id: result.triggerId, view: modal });
    expect(sim.modalsFor(U_BOB)).toHaveLength(1);
    await expect(webClientFor(sim).views.open({ trigger_id: result.triggerId, view: modal })).rejects.toThrow(
      /exchanged_trigger_id/,
    );
  });

  it('refuses to press what is not there, and sends nothing', async () => {
    await expect(driver.action({ userId: U_BOB, actionId: 'declare' })).rejects.toThrow(/no home tab is published for U_BOB/);
    await webClientFor(sim).views.publish({ user_id: U_BOB, view: home });
    await expect(driver.action({ userId: U_BOB, actionId: 'resolve' })).rejects.toThrow(
      /no element with action_id resolve; there are tools\/declare/,
    );
    // Alice has no home tab of her own, and cannot press Bob's.
    const bobs = sim.homeTab(U_BOB)!.id;
    await expect(driver.action({ userId: U_ALICE, actionId: 'declare', viewId: bobs })).rejects.toThrow(/sees no home tab/);
    expect(app.received).toHaveLength(0);
  });

  it('presses a button in a message, with the message, channel and a response_url', async () => {
    const posted = await webClientFor(sim).chat.postMessage({
      channel: ops.id,
      text: 'INC-1',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'INC-1' }, accessory: { type: 'button', action_id: 'ack', value: '1', text: { type: 'plain_text', text: 'Ack' } } },
      ],
    });
    await driver.action({ userId: U_ALICE, actionId: 'ack', channelId: ops.id, value: 'overridden' });
    const payload = app.lastPayload();
    expect(payload).toMatchObject({
      type: 'block_actions',
      container: { type: 'message', message_ts: posted.ts, channel_id: ops.id },
      channel: { id: ops.id, name: 'ops' },
      message: { ts: posted.ts, text: 'INC-1' },
      actions: [{ action_id: 'ack', value: 'overridden', block_id: expect.any(String) }],
    });
    await fetch(String(payload.response_url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Acknowledged' }),
    });
    expect(sim.ephemeralsFor(U_ALICE, ops.id)).toEqual([expect.objectContaining({ text: 'Acknowledged' })]);
  });
});
