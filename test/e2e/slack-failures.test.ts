// When Slack fails: rate limits, outages, lost answers and restarts. Nothing
// acknowledged is lost, and nothing sitrep posts shows up twice.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { rowsOf } from '../support/tables.js';
import { startTestSandbox, STORES, type TestSandbox } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  let sim: SlackSimulator;
  let box: TestSandbox;
  let channel: SimChannel;
  let expectedErrors: RegExp[];

  beforeEach(async () => {
    expectedErrors = [];
    sim = await startSlackSimulator();
    box = await startTestSandbox({ store, sim });
    channel = await box.declare(U_ALICE, 'declare sev2 Checkout failing');
    await box.sitrep.ctx.tasks.idle();
  });

  afterEach(async () => {
    const errors = box.errors().filter((line) => !expectedErrors.some((pattern) => pattern.test(line.msg)));
    expect(errors).toEqual([]);
    await box.close();
    await sim.close();
  });

  function posts(pattern: RegExp, id = channel.id): string[] {
    return sim.messages(id).filter((message) => message.botId && pattern.test(message.text)).map((message) => message.text);
  }

  async function pendingOutbox(): Promise<number> {
    return (await rowsOf(box, 'outbox')).filter((row) => row.doneAt === null).length;
  }

  async function command(text: string): Promise<void> {
    const response = await box.driver.command({ userId: U_ALICE, channelId: channel.id, text });
    expect(response.status).toBe(200);
  }

  describe('posts that must not repeat', () => {
    it('finds a status post whose answer was lost instead of posting it again', async () => {
      sim.failNext('chat.postMessage', { status: 500, afterEffect: true });
      await command('status identified bad deploy');
      await box.sitrep.ctx.tasks.idle();
      expect(await pendingOutbox()).toBe(0);
      expect(posts(/Identified\* · status update/)).toHaveLength(1);
      expect(sim.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);
      expect(sim.callsOf('chat.postMessage').filter((call) => /Identified/.test(String(call.args.text)))).toHaveLength(1);
    });

    it('posts again when the first attempt was refused (a 5xx before it took effect)', async () => {
      sim.failNext('chat.postMessage', { status: 503, times: 2 });
      await command('update still digging');
      await sim.waitFor(() => posts(/still digging/).length === 1 || undefined, { what: 'the update, once' });
      await box.sitrep.ctx.tasks.idle();
      expect(posts(/still digging/)).toHaveLength(1);
    });

    it("honours Slack's Retry-After on a rate limit", async () => {
      sim.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
      await command('severity sev1');
      await sim.waitFor(() => posts(/to \*SEV1\*/).length === 1 || undefined, { what: 'the severity change after the rate limit' });
      const attempts = sim.callsOf('chat.postMessage').filter((call) => /SEV1/.test(String(call.args.text)));
      expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    });

    it('keeps the channel in order: later posts wait behind one being retried', async () => {
      sim.failNext('chat.postMessage', { status: 503, times: 3 });
      await command('status identified first');
      await command('status monitoring second');
      await command('update third');
      await sim.waitFor(() => posts(/third/).length === 1 || undefined, { what: 'the third update' });
      const order = sim.messages(channel.id).map((message) => message.text).filter((text) => /first|second|third/.test(text));
      expect(order.map((text) => /first|second|third/.exec(text)?.[0])).toEqual(['first', 'second', 'third']);
    });
  });

  describe('Slack down', () => {
    it('records messages, and uploads the draft once Slack is back', async () => {
      sim.failNext('files.getUploadURLExternal', { status: 503, times: 4 });
      sim.failNext('users.info', { status: 503, times: 20 });
      const { ts, status } = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'recorded while Slack struggles' });
      expect(status).toBe(200);
      await box.driver.react({ channelId: channel.id, ts, userId: U_ALICE, name: 'pushpin' });
      await command('resolve rolled back');
      const file = await sim.waitFor(() => sim.filesIn(channel.id).find((f) => f.uploaded), { what: 'the draft after the outage' });
      expect(file.content).toContain('recorded while Slack struggles');
      expect(sim.callsOf('files.getUploadURLExternal').map((call) => call.status)).toEqual([503, 503, 503, 503, 200]);
    });

    it('gives up on a post Slack refuses for good, says so in the log, and carries on', async () => {
      expectedErrors = [/failed for good/];
      sim.failNext('chat.postMessage', { error: 'channel_not_found' });
      await command('update this one is refused');
      await command('update this one arrives');
      await sim.waitFor(() => posts(/this one arrives/).length === 1 || undefined, { what: 'the next update' });
      await box.sitrep.ctx.tasks.idle();
      expect(posts(/refused/)).toEqual([]);
      expect(box.errors().map((line) => line.msg)).toEqual([expect.stringMatching(/failed for good/)]);
      const failed = (await rowsOf(box, 'outbox')).filter((row) => row.failed);
      expect(failed.map((row) => row.lastError)).toEqual([expect.stringMatching(/channel_not_found/)]);
    });

    it('sends what was queued before a restart once it is back', async () => {
      sim.failNext('chat.postMessage', { status: 503, times: 1000 });
      await command('status identified queued before the restart');
      await sim.waitFor(() => sim.callsOf('chat.postMessage').some((call) => call.status === 503) || undefined, { what: 'a failed attempt' });
      await box.stop();
      expect(posts(/queued before the restart/)).toEqual([]);

      sim.clearFaults();
      box = await startTestSandbox({ store, sim, restartOf: box });
      await sim.waitFor(() => posts(/queued before the restart/).length === 1 || undefined, { what: 'the queued post after restart' });
      await box.sitrep.ctx.tasks.idle();
      expect(await pendingOutbox()).toBe(0);
    });
  });

  describe('declare when Slack fails', () => {
    async function declareAnother(title: string): Promise<void> {
      const general = sim.channelByName('general')!.id;
      const response = await box.driver.command({ userId: U_BOB, channelId: general, text: `declare sev1 ${title}` });
      expect(response.status).toBe(200);
      expect((response.body as { text: string }).text).toMatch(/Declaring INC-2/);
    }

    function channelsNamed(prefix: string): string[] {
      return [...sim.channels.values()].map((c) => c.name).filter((name) => name.startsWith(prefix));
    }

    it('retries creating the channel until Slack takes it', async () => {
      sim.failNext('conversations.create', { status: 503, times: 2 });
      await declareAnother('Search down');
      const opened = await box.openedChannel('inc-2-search-down');
      expect(opened.members.has(U_BOB)).toBe(true);
      expect(channelsNamed('inc-2')).toEqual(['inc-2-search-down']);
    });

    it('adopts the channel it created when the answer was lost, instead of making a second', async () => {
      sim.failNext('conversations.create', { status: 500, afterEffect: true });
      await declareAnother('Search down');
      const opened = await box.openedChannel('inc-2-search-down');
      await box.sitrep.ctx.tasks.idle();
      expect(channelsNamed('inc-2')).toEqual(['inc-2-search-down']);
      expect(opened.messages.filter((message) => message.botId && /INC-2: Search down/.test(message.text))).toHaveLength(1);
      expect(box.errors()).toEqual([]);
    });

    it('pins one summary when the answer to posting it was lost', async () => {
      sim.failNext('chat.postMessage', { status: 500, afterEffect: true });
      await declareAnother('Search down');
      const opened = await box.openedChannel('inc-2-search-down');
      await box.sitrep.ctx.tasks.idle();
      expect(opened.messages.filter((message) => message.botId && /INC-2: Search down \(SEV1/.test(message.text))).toHaveLength(1);
      expect(opened.pins.size).toBe(1);
    });

    it('finishes a declare after a restart that interrupted it', async () => {
      sim.failNext('conversations.create', { status: 503, times: 1000 });
      await declareAnother('Search down');
      await sim.waitFor(() => sim.callsOf('conversations.create').some((call) => call.status === 503) || undefined, { what: 'a failed create' });
      await box.stop();
      sim.clearFaults();
      box = await startTestSandbox({ store, sim, restartOf: box });
      const opened = await box.openedChannel('inc-2-search-down');
      expect(opened.members.has(U_BOB)).toBe(true);
      expect(channelsNamed('inc-2')).toEqual(['inc-2-search-down']);
    });
  });

  describe('drafts and waits', () => {
    it('uploads one draft when the answer to sharing it was lost', async () => {
      sim.failNext('files.completeUploadExternal', { status: 500, afterEffect: true });
      await command('resolve done');
      await box.sitrep.ctx.tasks.idle();
      expect(sim.filesIn(channel.id).filter((file) => file.uploaded)).toHaveLength(1);
      // The one it found is the one it recorded, so a later delete withdraws it.
      const { ts } = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'oops, a secret' });
      await box.driver.delete({ channelId: channel.id, ts });
      await box.sitrep.ctx.tasks.idle();
      const drafts = sim.filesIn(channel.id);
      expect(drafts).toHaveLength(1);
      expect(sim.callsOf('files.delete').filter((call) => call.ok)).toHaveLength(1);
    });

    it('sends `/incident postmortem` through the outbox, so it survives a failure', async () => {
      sim.failNext('files.getUploadURLExternal', { status: 503, times: 2 });
      await command('postmortem');
      await box.sitrep.ctx.tasks.idle();
      expect(sim.filesIn(channel.id).filter((file) => file.uploaded)).toHaveLength(1);
    });

    it('holds new work back until a Retry-After has passed', async () => {
      sim.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
      await command('update one');
      await sim.waitFor(() => sim.callsOf('chat.postMessage').some((call) => call.status === 429) || undefined, { what: 'the rate limit' });
      await command('update two');
      await command('update three');
      await box.sitrep.ctx.tasks.idle();
      const statuses = sim.callsOf('chat.postMessage').filter((call) => /one|two|three/.test(String(call.args.text))).map((call) => call.status);
      expect(statuses).toEqual([429, 200, 200, 200]);
      expect(posts(/\n>(one|two|three)$/).map((text) => text.split('>').at(-1))).toEqual(['one', 'two', 'three']);
    });
  });
});
