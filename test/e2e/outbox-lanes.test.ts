// One incident waiting on Slack holds up no other: each incident's notices go
// in order in a lane of their own. Slack rate-limits a method for the whole
// workspace, so a 429 pauses that method in every lane, and only that method.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB, U_CAROL } from '../../harness/simulator/constants.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { startTestSandbox, STORES, type TestSandbox } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  let sim: SlackSimulator;
  let box: TestSandbox;
  let a: SimChannel;
  let b: SimChannel;

  beforeEach(async () => {
    sim = await startSlackSimulator();
    box = await startTestSandbox({ store, sim });
    a = await box.declare(U_ALICE, 'declare sev2 Checkout failing');
    b = await box.declare(U_BOB, 'declare sev3 Search slow');
    await box.sitrep.ctx.tasks.idle();
  });

  afterEach(async () => {
    // The rate limits are warnings; anything at error level is a failure.
    expect(box.errors()).toEqual([]);
    // Stopping ends any Retry-After still being waited out.
    await box.close();
    await sim.close();
  });

  async function command(channel: SimChannel, text: string, userId = U_ALICE): Promise<void> {
    const response = await box.driver.command({ userId, channelId: channel.id, text });
    expect(response.status).toBe(200);
  }

  function posts(channel: SimChannel, pattern: RegExp): string[] {
    return sim.messages(channel.id).filter((message) => message.botId && pattern.test(message.text)).map((message) => message.text);
  }

  const uploadUrlStatuses = () => sim.callsOf('files.getUploadURLExternal').map((call) => call.status);

  function rateLimited(method: string): Promise<true> {
    return sim.waitFor(() => sim.callsOf(method).some((call) => call.status === 429) || undefined, { what: `the 429 on ${method}` });
  }

  describe('lanes per incident', () => {
    it("posts another incident's status while one waits out a 60 s Retry-After, and keeps the waiting one in order", async () => {
      sim.failNext('files.getUploadURLExternal', { status: 429, retryAfter: 60 });
      await command(a, 'postmortem');
      await rateLimited('files.getUploadURLExternal');
      await command(a, 'update queued behind the draft');
      await command(b, 'status identified a missing index', U_BOB);

      await sim.waitFor(() => posts(b, /a missing index/).length === 1 || undefined, { what: "the other incident's status post" });
      await sim.waitFor(() => (sim.messages(b.id).some((m) => b.pins.has(m.ts) && /Identified/.test(m.text)) ? true : undefined), {
        what: "the other incident's summary refreshed",
      });
      // The waiting incident's later post stays behind its draft: its channel reads in order.
      expect(posts(a, /queued behind the draft/)).toEqual([]);
      expect(sim.filesIn(a.id)).toEqual([]);
      expect(uploadUrlStatuses()).toEqual([429]);
    });

    it('sends the waiting draft once its Retry-After has passed, then what was queued behind it', async () => {
      sim.failNext('files.getUploadURLExternal', { status: 429, retryAfter: 1 });
      await command(a, 'postmortem');
      await rateLimited('files.getUploadURLExternal');
      await command(a, 'update queued behind the draft');
      await command(b, 'update sent meanwhile', U_BOB);

      await sim.waitFor(() => posts(a, /queued behind the draft/).length === 1 || undefined, { what: 'the post queued behind the draft' });
      const order = sim.messages(a.id).filter((message) => message.botId && (message.files?.length || /queued behind the draft/.test(message.text)));
      expect(order.map((message) => (message.files?.length ? 'draft' : 'update'))).toEqual(['draft', 'update']);
      expect(uploadUrlStatuses()).toEqual([429, 200]);
      // The other incident did not wait for it.
      const calls = sim.calls.map((call) => (call.method === 'chat.postMessage' && /sent meanwhile/.test(String(call.args.text)) ? 'other post' : call.method));
      expect(calls.indexOf('other post')).toBeGreaterThan(-1);
      expect(calls.indexOf('other post')).toBeLessThan(calls.lastIndexOf('files.getUploadURLExternal'));
    });

    it('backs off only the failing incident during an outage', async () => {
      sim.failNext('files.getUploadURLExternal', { status: 503, times: 1000 });
      await command(a, 'postmortem');
      await sim.waitFor(() => sim.callsOf('files.getUploadURLExternal').length >= 2 || undefined, { what: 'the draft being retried' });
      await command(a, 'update queued behind the draft');
      await command(b, 'status identified a missing index', U_BOB);
      await sim.waitFor(() => posts(b, /a missing index/).length === 1 || undefined, { what: "the other incident's status post" });
      expect(posts(a, /queued behind the draft/)).toEqual([]);

      sim.clearFaults();
      await sim.waitFor(() => posts(a, /queued behind the draft/).length === 1 || undefined, { what: 'the post behind the draft, once Slack is back' });
      expect(sim.filesIn(a.id).filter((file) => file.uploaded)).toHaveLength(1);
    });
  });

  describe("a rate limit on a method, across incidents", () => {
    it('pauses that method for every incident, while jobs needing other methods go ahead', async () => {
      const c = await box.declare(U_CAROL, 'declare sev3 Emails delayed');
      await box.sitrep.ctx.tasks.idle();
      sim.failNext('chat.postMessage', { status: 429, retryAfter: 60 });
      await command(a, 'update one');
      await rateLimited('chat.postMessage');
      // Queued before the draft below: it would have gone first, had its method not been paused.
      await command(b, 'update two', U_BOB);
      await command(c, 'postmortem', U_CAROL);

      await sim.waitFor(() => sim.filesIn(c.id).find((file) => file.uploaded), { what: 'the draft, which needs no chat.postMessage' });
      expect(posts(b, /two/)).toEqual([]);
      const sinceTheLimit = sim.callsOf('chat.postMessage').slice(sim.callsOf('chat.postMessage').findIndex((call) => call.status === 429));
      expect(sinceTheLimit.map((call) => call.status)).toEqual([429]);
    });
  });
});
