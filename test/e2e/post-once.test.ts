// Nothing sitrep says is said twice: not after a crash in the middle of a
// declare, not when a lost post is far back in a busy channel, and not once
// per delete when many messages are deleted after a draft was posted.

import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { RESPONSE_URL_ENDPOINT, startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { TestClock } from '../support/clock.js';
import { reopenJobs, rowsOf } from '../support/tables.js';
import { startTestSandbox, STORES, type TestSandbox, type TestSandboxOptions } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  let sim: SlackSimulator;
  let box: TestSandbox;
  let options: TestSandboxOptions;

  afterEach(async () => {
    expect(box.errors()).toEqual([]);
    await box.close();
    await sim.close();
  });

  async function start(extra: TestSandboxOptions = {}): Promise<void> {
    sim = await startSlackSimulator(extra.now ? { now: extra.now } : {});
    const announcements = sim.addChannel({ name: 'incidents', members: ['U_SITREP'] }).id;
    options = { ...extra, sim, env: { INCIDENT_ANNOUNCE_CHANNEL: announcements } };
    box = await startTestSandbox({ store, ...options });
  }

  /** Stops the app, leaves these outbox jobs not done as a crash would have, and starts it again. */
  async function restartWithJobsReopened(kind: Parameters<typeof reopenJobs>[1]): Promise<void> {
    await box.stop();
    await reopenJobs(box, kind);
    box = await startTestSandbox({ ...options, restartOf: box });
    await box.sitrep.ctx.tasks.idle();
  }

  function botPosts(channelId: string, pattern: RegExp): string[] {
    return sim.messages(channelId).filter((message) => message.botId && pattern.test(message.text)).map((message) => message.text);
  }

  const announcements = (pattern: RegExp) => botPosts(sim.channelByName('incidents')!.id, pattern);
  const toldWhere = (channel: SimChannel) => sim.ephemeralsFor(U_ALICE).filter((e) => e.text.includes(`<#${channel.id}>`));

  describe('a declare resumed after a crash', () => {
    it('announces once and answers the declarer once when the job opening the channel runs again', async () => {
      await start();
      const channel = await box.declare(U_ALICE, 'declare sev2 Checkout failing');
      await box.sitrep.ctx.tasks.idle();
      expect(announcements(/INC-1/)).toHaveLength(1);
      expect(toldWhere(channel)).toHaveLength(1);

      // Killed before the job was marked done (during the answer, say): it runs again at the next start.
      await restartWithJobsReopened('open-channel');

      expect(announcements(/INC-1/)).toHaveLength(1);
      expect(toldWhere(channel)).toHaveLength(1);
      expect(sim.callsOf(RESPONSE_URL_ENDPOINT)).toHaveLength(1);
      expect(botPosts(channel.id, /INC-1: Checkout failing/)).toHaveLength(1);
      expect(channel.pins.size).toBe(1);
    });

    it('does not answer again after a crash in the middle of the answer, which cannot be looked up', async () => {
      await start();
      const channel = await box.declare(U_ALICE, 'declare sev2 Checkout failing');
      await box.sitrep.ctx.tasks.idle();
      const answer = (await rowsOf(box, 'outbox')).filter((row) => row.kind === 'tell-declarer');
      expect(answer.map((row) => row.attempts)).toEqual([1]);

      await restartWithJobsReopened('tell-declarer');

      expect(toldWhere(channel)).toHaveLength(1);
      expect((await rowsOf(box, 'outbox')).filter((row) => row.doneAt === null)).toEqual([]);
    });

    it('queues the announcement and the answer once when opening the channel is retried after recording it', async () => {
      await start();
      // Fails after the channel is made and recorded, so the job runs again from there.
      sim.failNext('pins.add', { status: 503, times: 2 });
      const channel = await box.declare(U_ALICE, 'declare sev2 Checkout failing');
      await box.sitrep.ctx.tasks.idle();
      expect(sim.callsOf('pins.add').map((call) => call.status)).toEqual([503, 503, 200]);
      expect(announcements(/INC-1/)).toHaveLength(1);
      expect(toldWhere(channel)).toHaveLength(1);
    });

    it('does not answer twice when the response_url fails, and the rest of the declare carries on', async () => {
      await start();
      sim.failNext(RESPONSE_URL_ENDPOINT, { status: 500 });
      await box.declare(U_ALICE, 'declare sev2 Checkout failing');
      await box.sitrep.ctx.tasks.idle();
      expect(sim.callsOf(RESPONSE_URL_ENDPOINT).map((call) => call.status)).toEqual([500]);
      expect(announcements(/INC-1/)).toHaveLength(1);
    });
  });

  describe('a post whose answer was lost, in a busy channel', () => {
    it('finds it behind more than a page of newer messages instead of posting it again', async () => {
      await start();
      const channel = await box.declare(U_ALICE, 'declare sev2 Checkout failing');
      await box.sitrep.ctx.tasks.idle();
      sim.failNext('chat.postMessage', { status: 500, afterEffect: true });
      // The look-up fails until the channel is busy, so the retry has pages of messages to read.
      sim.failNext('conversations.history', { status: 503, times: 1000 });
      await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'status identified bad deploy' });
      await sim.waitFor(() => sim.callsOf('conversations.history').some((call) => call.status === 503) || undefined, { what: 'a failed look-up' });
      for (let i = 1; i <= 30; i++) sim.addMessage({ channel: channel.id, user: U_BOB, text: `busy ${i}` });
      sim.clearFaults();
      await box.sitrep.ctx.tasks.idle();

      expect(botPosts(channel.id, /Identified\* · status update/)).toHaveLength(1);
      const attempts = sim.callsOf('chat.postMessage').filter((call) => call.args.channel === channel.id && /Identified/.test(String(call.args.text)));
      expect(attempts.map((call) => call.status)).toEqual([500]);
      // The simulator's pages hold 25 messages: the post was on the second.
      const history = sim.callsOf('conversations.history');
      const lookup = history.slice(history.findLastIndex((call) => call.status === 503) + 1);
      expect(lookup.map((call) => call.ok)).toEqual([true, true]);
      expect(lookup[1]?.args.cursor).toBeTruthy();
    });
  });

  describe('many deletes after a draft was posted', () => {
    it('replaces the draft at most once a minute, and the last replacement shows every delete', async () => {
      const clock = new TestClock(Date.parse('2024-04-09T06:40:00Z'));
      await start({ now: clock.now });
      const channel = await box.declare(U_ALICE, 'declare sev2 Tokens pasted in the channel');
      const said: string[] = [];
      for (let i = 0; i <= 30; i++) {
        const { ts } = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: `token-${i} works` });
        await box.driver.react({ channelId: channel.id, ts, userId: U_ALICE, name: 'pushpin' });
        said.push(ts);
      }
      await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve rotated them all' });
      await sim.waitFor(() => uploads() === 1 || undefined, { what: 'the first draft' });
      await box.sitrep.ctx.tasks.idle();

      // The first delete replaces the draft at once: what it quoted leaves Slack without waiting.
      await box.driver.delete({ channelId: channel.id, ts: said[0]! });
      await sim.waitFor(() => uploads() === 2 || undefined, { what: 'the first replacement' });
      await box.sitrep.ctx.tasks.idle();
      expect(deletedFiles()).toBe(1);

      // Thirty more within the minute: one replacement waits its turn and takes them all in.
      for (const ts of said.slice(1)) await box.driver.delete({ channelId: channel.id, ts });
      await box.sitrep.ctx.tasks.idle();
      expect(uploads()).toBe(2);
      expect(await pendingReplacements()).toBe(1);

      clock.advance(1);
      box.sitrep.ctx.outbox.kick();
      await sim.waitFor(() => uploads() === 3 || undefined, { what: 'the replacement a minute later' });
      await box.sitrep.ctx.tasks.idle();

      expect(uploads()).toBe(3);
      expect(deletedFiles()).toBe(2);
      const live = sim.filesIn(channel.id);
      expect(live).toHaveLength(1);
      expect(live[0]?.content).not.toMatch(/token-\d+/);
      expect(live[0]?.content).toBe((await box.draft(1)));
    });
  });

  function uploads(): number {
    return sim.callsOf('files.completeUploadExternal').filter((call) => call.ok).length;
  }

  function deletedFiles(): number {
    return sim.callsOf('files.delete').filter((call) => call.ok).length;
  }

  async function pendingReplacements(): Promise<number> {
    return (await rowsOf(box, 'outbox')).filter((row) => row.kind === 'postmortem' && row.doneAt === null).length;
  }
});
