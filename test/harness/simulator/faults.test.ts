import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { U_ALICE, UPLOAD_ENDPOINT, startSlackSimulator } from '../../../harness/simulator/index.js';
import type { SlackSimulator, SimChannel } from '../../../harness/simulator/index.js';
import { webClientFor } from './helpers.js';

let sim: SlackSimulator;
let web: WebClient;
let ops: SimChannel;

beforeEach(async () => {
  sim = await startSlackSimulator();
  web = webClientFor(sim);
  ops = sim.addChannel({ name: 'ops', members: [U_ALICE] });
});

afterEach(async () => {
  await sim.close();
});

describe('failNext', () => {
  it('answers 429 with Retry-After, changes nothing, then recovers', async () => {
    sim.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const limited = webClientFor(sim, sim.botToken, { rejectRateLimitedCalls: true });
    await expect(limited.chat.postMessage({ channel: ops.id, text: 'first' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 7,
    });
    expect(sim.messages(ops.id)).toHaveLength(0);
    expect(sim.lastCall('chat.postMessage')).toMatchObject({ status: 429, ok: false, error: 'ratelimited' });

    await limited.chat.postMessage({ channel: ops.id, text: 'second' });
    expect(sim.messages(ops.id).map((m) => m.text)).toEqual(['second']);
  });

  it('sends the Retry-After header itself, as Slack does', async () => {
    sim.failNext('auth.test', { status: 429 });
    const response = await fetch(`${sim.apiUrl}auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.botToken}` },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('lets WebClient’s own retry get through a rate limit', async () => {
    sim.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    const retrying = webClientFor(sim, sim.botToken, { retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const result = await retrying.chat.postMessage({ channel: ops.id, text: 'eventually' });
    expect(result.ok).toBe(true);
    expect(sim.callsOf('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(sim.messages(ops.id)).toHaveLength(1);
  });

  it('answers 500 for as many calls as asked', async () => {
    sim.failNext('conversations.create', { status: 500, times: 2 });
    for (let i = 0; i < 2; i++) {
      await expect(web.conversations.create({ name: 'inc-1' })).rejects.toMatchObject({
        code: 'slack_webapi_http_error',
        statusCode: 500,
      });
    }
    expect(sim.channelByName('inc-1')).toBeUndefined();
    await expect(web.conversations.create({ name: 'inc-1' })).resolves.toMatchObject({ ok: true });
    expect(sim.channelByName('inc-1')).toBeDefined();
  });

  it('answers a chosen Slack error with HTTP 200', async () => {
    sim.failNext('pins.add', { error: 'rate_limited_by_policy' });
    const posted = await web.chat.postMessage({ channel: ops.id, text: 'summary' });
    await expect(web.pins.add({ channel: ops.id, timestamp: posted.ts ?? '' })).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'rate_limited_by_policy' },
    });
    expect(sim.channel(ops.id)?.pins.size).toBe(0);
  });

  it('fails only the method it was set for, in order', async () => {
    sim.failNext('chat.update', { error: 'first' });
    sim.failNext('chat.update', { error: 'second' });
    await web.auth.test();
    const posted = await web.chat.postMessage({ channel: ops.id, text: 'x' });
    const update = () => web.chat.update({ channel: ops.id, ts: posted.ts ?? '', text: 'y' });
    await expect(update()).rejects.toMatchObject({ data: { error: 'first' } });
    await expect(update()).rejects.toMatchObject({ data: { error: 'second' } });
    await expect(update()).resolves.toMatchObject({ ok: true });
  });

  it('can fail the upload of a file’s bytes', async () => {
    sim.failNext(UPLOAD_ENDPOINT, { status: 503 });
    await expect(
      web.files.uploadV2({ channel_id: ops.id, filename: 'draft.md', content: '# draft' }),
    ).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
    expect(sim.filesIn(ops.id)).toHaveLength(0);
    expect(sim.callsOf('files.completeUploadExternal')).toHaveLength(0);
  });
});
