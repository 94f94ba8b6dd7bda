// Requests that must not get in, and secrets that must not get out, through the
// real app over HTTP.

import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isEventHandled } from '../../src/db/slack-events.js';
import { messages as messagesTable } from '../../src/db/schema.js';
import { DEFAULT_GUARD_POLICY } from '../../src/http/guard.js';
import { API_APP_ID, TEAM_ID, U_ALICE, U_BOB, U_CAROL, VERIFICATION_TOKEN } from '../../harness/simulator/constants.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import { slackSignatureHeaders } from '../../harness/simulator/signing.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { sendChunkedUnfinished, sendHeadOnly } from '../support/raw-http.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let box: TestSandbox | undefined;
let ownSim: SlackSimulator | undefined;

afterEach(async () => {
  await box?.close();
  await ownSim?.close();
  box = undefined;
  ownSim = undefined;
});

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A message event in an event_callback envelope, as Slack would send it. */
function messageEvent(channel: SimChannel, text: string, eventId: string, ts: string): string {
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    api_app_id: API_APP_ID,
    type: 'event_callback',
    event_id: eventId,
    event_time: nowSeconds(),
    event: { type: 'message', channel: channel.id, user: U_BOB, text, ts, channel_type: 'channel' },
  });
}

function storedTexts(sandbox: TestSandbox): string[] {
  return sandbox.database.db.select().from(messagesTable).all().map((row) => row.text);
}

describe('requests that are refused, and change nothing', () => {
  async function setUp(): Promise<{ sandbox: TestSandbox; channel: SimChannel }> {
    box = await startTestSandbox();
    const channel = await box.declare(U_ALICE, 'declare Guarded');
    await box.sitrep.ctx.tasks.idle();
    return { sandbox: box, channel };
  }

  it.each<[string, (body: string) => { sign?: { timestamp?: number; secret?: string } | boolean; headers?: Record<string, string> }]>([
    ['dated ten minutes in the future, correctly signed', () => ({ sign: { timestamp: nowSeconds() + 600 } })],
    ['dated six minutes in the future, correctly signed', () => ({ sign: { timestamp: nowSeconds() + 360 } })],
    ['signed ten minutes ago (stale)', () => ({ sign: { timestamp: nowSeconds() - 600 } })],
    ['signed with another secret (forged)', () => ({ sign: { secret: 'not-the-signing-secret' } })],
    ['unsigned', () => ({})],
    ['carrying a timestamp but no signature', () => ({ headers: { 'x-slack-request-timestamp': String(nowSeconds()) } })],
    [
      'signed now, but with the signature of another body',
      () => ({ headers: slackSignatureHeaders('whatever', nowSeconds(), '{}') }),
    ],
  ])('a request %s gets 401, and the same event properly signed is then taken', async (_name, how) => {
    const { sandbox, channel } = await setUp();
    const eventId = `EvGuard${randomBytes(4).toString('hex')}`;
    const body = messageEvent(channel, 'should not be stored', eventId, sandbox.sim.nextTs());
    const refused = await sandbox.driver.raw({ body, contentType: 'application/json', ...how(body) });
    expect(refused.status).toBe(401);
    expect(refused.body).toBe('');
    expect(storedTexts(sandbox)).not.toContain('should not be stored');
    expect(isEventHandled(sandbox.database.db, eventId)).toBe(false);

    // Nothing about the event was used up: Slack's own delivery of it still counts.
    const accepted = await sandbox.driver.raw({ body, contentType: 'application/json', sign: true });
    expect(accepted.status).toBe(200);
    expect(storedTexts(sandbox)).toContain('should not be stored');
    expect(sandbox.errors()).toEqual([]);
  });

  it('still answers Slack\'s unsigned ssl_check probe, and dispatches nothing with it', async () => {
    const { sandbox, channel } = await setUp();
    const before = storedTexts(sandbox);
    const smuggled = new URLSearchParams({ ssl_check: '1', token: 'x', payload: messageEvent(channel, 'smuggled', 'EvSsl', sandbox.sim.nextTs()) });
    const probe = await sandbox.driver.raw({ body: smuggled.toString(), contentType: 'application/x-www-form-urlencoded' });
    expect(probe.status).toBe(200);
    expect(storedTexts(sandbox)).toEqual(before);
  });

  it.each([
    ['half a minute ahead', 30],
    ['two minutes ahead (this host runs slow)', 120],
    ['four and a half minutes ahead', 270],
    ['four and a half minutes behind (this host runs fast)', -270],
  ])('takes a request signed %s of its clock: Slack allows five minutes either way', async (_name, offset) => {
    const { sandbox, channel } = await setUp();
    const body = messageEvent(channel, `skewed ${offset}`, `EvSkew${offset}`, sandbox.sim.nextTs());
    const response = await sandbox.driver.raw({ body, contentType: 'application/json', sign: { timestamp: nowSeconds() + offset } });
    expect(response.status).toBe(200);
    expect(storedTexts(sandbox)).toContain(`skewed ${offset}`);
  });

  it('answers 413 to a declared oversized body before a byte of it is sent', async () => {
    const { sandbox, channel } = await setUp();
    const before = storedTexts(sandbox);
    const timestamp = nowSeconds();
    const answer = await sendHeadOnly(sandbox.appUrl, {
      'content-type': 'application/json',
      'content-length': String(DEFAULT_GUARD_POLICY.bodyLimitBytes + 1),
      ...slackSignatureHeaders(sandbox.config.signingSecret ?? '', timestamp, messageEvent(channel, 'x', 'EvBig1', sandbox.sim.nextTs())),
    });
    expect(answer).toMatchObject({ status: 413, answeredBeforeBodyEnded: true });
    expect(answer.headers.connection).toBe('close');
    expect(storedTexts(sandbox)).toEqual(before);
    expect(sandbox.logs.some((line) => line.msg === 'refused a request' && line.status === 413)).toBe(true);
    expect(sandbox.errors()).toEqual([]);
  });

  it('answers 413 to an oversized chunked body once the limit is passed, without waiting for the rest', async () => {
    const { sandbox, channel } = await setUp();
    const huge = 'x'.repeat(DEFAULT_GUARD_POLICY.bodyLimitBytes + 200_000);
    const body = messageEvent(channel, huge, 'EvBig2', sandbox.sim.nextTs());
    const answer = await sendChunkedUnfinished(sandbox.appUrl, {
      'content-type': 'application/json',
      ...slackSignatureHeaders(sandbox.config.signingSecret ?? '', nowSeconds(), body),
    }, Buffer.from(body));
    expect(answer).toMatchObject({ status: 413, answeredBeforeBodyEnded: true });
    expect(storedTexts(sandbox).some((text) => text.startsWith('xxx'))).toBe(false);
    expect(isEventHandled(sandbox.database.db, 'EvBig2')).toBe(false);
    expect(sandbox.errors()).toEqual([]);
  });

  it('takes a signed body just under the limit, and keeps answering /healthz after refusals', async () => {
    const { sandbox, channel } = await setUp();
    const envelope = messageEvent(channel, '', 'EvLarge', sandbox.sim.nextTs());
    const text = `${'y'.repeat(DEFAULT_GUARD_POLICY.bodyLimitBytes - envelope.length - 1)}!`;
    const body = messageEvent(channel, text, 'EvLarge', JSON.parse(envelope).event.ts as string);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(DEFAULT_GUARD_POLICY.bodyLimitBytes);
    await sendHeadOnly(sandbox.appUrl, { 'content-length': String(10 * 1024 * 1024) });
    await sandbox.driver.raw({ body: '{}', sign: { timestamp: nowSeconds() + 3600 } });
    const response = await sandbox.driver.raw({ body, contentType: 'application/json', sign: true });
    expect(response.status).toBe(200);
    expect(storedTexts(sandbox)).toContain(text);
    const health = await fetch(sandbox.appUrl.replace('/slack/events', '/healthz'));
    expect(await health.json()).toEqual({ ok: true });
  });
});

describe('secrets', () => {
  it('never reach a log line or a reply, even at trace level and when Slack calls fail', async () => {
    const botToken = `xoxb-${randomBytes(6).toString('hex')}-${randomBytes(12).toString('hex')}`;
    ownSim = await startSlackSimulator({ botToken });
    box = await startTestSandbox({ sim: ownSim, logLevel: 'trace' });
    const signingSecret = box.config.signingSecret ?? '';
    expect(box.config.botToken).toBe(botToken);
    const general = box.sim.channelByName('general')!;

    const channel = await box.declare(U_ALICE, 'declare sev2 Token leak drill');
    await box.driver.message({ channelId: channel.id, userId: U_BOB, text: `pasting by mistake: ${botToken}` });
    // Slack failing in the ways it does: a refusal, an outage, a name lookup that errors.
    box.sim.failNext('conversations.create', { error: 'invalid_auth' });
    // Set before anyone new appears: the lookup of the next new name (Carol's) fails.
    box.sim.failNext('users.info', { status: 500 });
    await box.driver.command({ userId: U_CAROL, channelId: general.id, text: 'declare sev1 Second one' });
    await box.driver.message({ channelId: channel.id, userId: U_CAROL, text: 'new person speaks' });
    // Requests that are refused.
    await box.driver.raw({ body: '{"type":"event_callback"}', sign: { secret: 'wrong' } });
    await box.driver.raw({ body: '{"type":"event_callback"}', sign: { timestamp: nowSeconds() + 600 } });
    // Commands answered with an explanation.
    const replies = await Promise.all(
      ['explode', 'declare sev9 Boom', 'timezone Mars/Olympus', 'note 23:59 from the future', 'severity', 'lead nobody'].map((text) =>
        box!.driver.command({ userId: U_ALICE, channelId: channel.id, text }),
      ),
    );
    await box.driver.command({ userId: U_ALICE, channelId: general.id, text: 'resolve' });
    await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve Rotated the token' });
    await box.sitrep.ctx.tasks.idle();
    await box.sim.waitFor(() => box!.sim.filesIn(channel.id).length > 0, { what: 'the draft' });

    // The failures were logged, and Bolt and the Web API client logged at debug level.
    const errors = box.errors();
    expect(errors.length).toBeGreaterThan(0);
    for (const line of errors) expect(line).toMatchObject({ err: expect.objectContaining({ data: expect.objectContaining({ error: 'invalid_auth' }) }) });
    expect(box.logs.some((line) => line.level === 40 && /users\.info|display name/.test(JSON.stringify(line)))).toBe(true);
    expect(box.logs.some((line) => line.msg === 'refused a request')).toBe(true);
    expect(box.logs.some((line) => line.level === 20 && line.msg.startsWith('http request headers'))).toBe(true);

    const logText = box.logs.map((line) => JSON.stringify(line)).join('\n');
    const repliesText = JSON.stringify([
      replies.map((reply) => reply.body),
      box.driver.deliveries.map((delivery) => delivery.body),
      box.sim.ephemerals,
    ]);
    expect(replies.every((reply) => reply.status === 200 && typeof (reply.body as { text?: unknown }).text === 'string')).toBe(true);
    for (const [what, text] of [['logs', logText], ['replies', repliesText]] as const) {
      expect(text, what).not.toContain(botToken);
      expect(text, what).not.toContain(signingSecret);
      expect(text, what).not.toContain(VERIFICATION_TOKEN);
      expect(text, what).not.toMatch(/v0=[0-9a-f]{64}/);
      expect(text, what).not.toMatch(/Bearer /);
    }
  });
});
