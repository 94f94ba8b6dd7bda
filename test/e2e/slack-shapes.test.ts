// Slack's real payload shapes, through the real app: tombstones, sitrep's own
// posts coming back, unfurls that are not edits, refused invites, paged lists,
// mentions in a title, Slack Connect file stubs and forwarded messages.

import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB, U_CAROL } from '../../harness/simulator/constants.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { forwarded, slackConnectFile, unfurl } from '../fixtures/slack-events.js';
import { section } from '../support/markdown.js';
import { startTestSandbox, STORES, TRANSPORTS, type TestSandbox } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  let box: TestSandbox;

  afterEach(async () => {
    expect(box.errors()).toEqual([]);
    await box.close();
  });

  async function resolveAndWaitForDraft(channel: SimChannel): Promise<void> {
    await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve' });
    await box.sim.waitFor(() => box.sim.callsOf('files.completeUploadExternal').some((call) => call.ok), { what: 'the draft uploaded' });
    await box.sitrep.ctx.tasks.idle();
  }

  const uploads = () => box.sim.callsOf('files.completeUploadExternal').filter((call) => call.ok).length;

  // Payloads are read before the store is: PostgreSQL over HTTP alone.
  describe.each(store === 'postgres' ? (['http'] as const) : TRANSPORTS)('over %s', (transport) => {
    describe("Slack's tombstone for a deleted thread parent", () => {
      it('is a delete: the text leaves the record and the exports, and the posted draft is replaced', async () => {
        box = await startTestSandbox({ store, transport });
        const channel = await box.declare(U_ALICE, 'declare sev2 Leaked token');
        const parent = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'token abc123 in the logs' });
        await box.driver.react({ channelId: channel.id, ts: parent.ts, userId: U_CAROL, name: 'pushpin' });
        await box.driver.message({ channelId: channel.id, userId: U_CAROL, text: 'rotating it now', threadTs: parent.ts });
        await resolveAndWaitForDraft(channel);
        expect((await box.draft(1))).toContain('abc123');

        // The parent has a reply, so Slack sends a tombstone in its place, not a message_deleted.
        const response = await box.driver.delete({ channelId: channel.id, ts: parent.ts });
        expect(response.acknowledged).toBe(true);
        expect(box.driver.deliveries.at(-1)?.kind).toBe('event message');
        await box.sim.waitFor(() => (uploads() === 2 ? true : undefined), { what: 'the replacement draft' });
        await box.sitrep.ctx.tasks.idle();

        expect((await box.draft(1))).not.toContain('abc123');
        expect(JSON.stringify((await box.exported(1)))).not.toContain('abc123');
        expect(JSON.stringify((await box.exported(1)))).not.toContain('This message was deleted');
        expect(box.sim.callsOf('files.delete').filter((call) => call.ok)).toHaveLength(1);
      });
    });

    describe("sitrep's own posts coming back", () => {
      it('records none of its posts or chat.update echoes, and never lists itself as a participant', async () => {
        box = await startTestSandbox({ store, transport, echoBotMessages: true });
        const channel = await box.declare(U_ALICE, 'declare sev2 Echoes');
        await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'we are on it' });
        await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'severity sev1' });
        await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'status identified bad deploy' });
        await box.sitrep.ctx.tasks.idle();
        await box.driver.idle();
        const updates = box.driver.deliveries.filter((delivery) => delivery.kind === 'event message');
        expect(updates.length).toBeGreaterThan(2); // sitrep's posts and its summary edits came back

        const record = (await box.exported(1));
        const botTs = new Set(channel.messages.filter((message) => message.botId).map((message) => message.ts));
        expect(record.timeline.filter((message) => botTs.has(message.ts))).toEqual([]);
        expect(record.timeline.map((message) => message.text)).toEqual(['we are on it']);
        expect(section((await box.draft(1)), 'Participants')).not.toMatch(/sitrep|U_SITREP/);
      });

      it('uploads no new draft when its draft is deleted, by a person or by itself', async () => {
        box = await startTestSandbox({ store, transport, echoBotMessages: true });
        const channel = await box.declare(U_ALICE, 'declare sev2 Draft deleted');
        const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'something happened' });
        await resolveAndWaitForDraft(channel);
        // A delete of a recorded message replaces the draft once: sitrep deletes its draft
        // (files.delete, echoed back as a change of its own message) and posts the new one.
        await box.driver.delete({ channelId: channel.id, ts: said.ts });
        await box.sim.waitFor(() => (uploads() === 2 ? true : undefined), { what: 'the one replacement' });
        await box.sitrep.ctx.tasks.idle();
        await box.driver.idle();

        // Someone deletes sitrep's latest draft message by hand.
        const draftMessage = channel.messages.findLast((message) => message.botId && message.files?.length);
        expect(draftMessage).toBeDefined();
        const response = await box.driver.delete({ channelId: channel.id, ts: draftMessage!.ts });
        expect(response.acknowledged).toBe(true);
        await box.sitrep.ctx.tasks.idle();
        await box.driver.idle();
        expect(uploads()).toBe(2);
        expect(box.sim.callsOf('files.delete').filter((call) => call.ok)).toHaveLength(1);
      });
    });

    describe('message_changed without `edited`', () => {
      it('is not an edit: an unfurl leaves no "(edited)" and no edit time', async () => {
        box = await startTestSandbox({ store, transport });
        const channel = await box.declare(U_ALICE, 'declare sev2 Unfurls');
        const text = 'see <https://status.example.com/incidents/42>';
        const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text });
        await box.driver.react({ channelId: channel.id, ts: said.ts, userId: U_BOB, name: 'pushpin' });
        const response = await box.driver.event(unfurl(channel.id, { ts: said.ts, user: U_BOB, text }, 'https://status.example.com/incidents/42', box.sim.nextTs()));
        expect(response.acknowledged).toBe(true);

        const stored = (await box.exported(1)).timeline.find((message) => message.ts === said.ts);
        expect(stored).toMatchObject({ text, editedAt: null });
        expect((await box.draft(1))).not.toContain('(edited)');
      });

      it('still records a message it is the first sight of', async () => {
        box = await startTestSandbox({ store, transport });
        const channel = await box.declare(U_ALICE, 'declare sev2 Overtaken');
        const ts = box.sim.nextTs();
        await box.driver.event(unfurl(channel.id, { ts, user: U_BOB, text: 'arrived via its unfurl' }, 'https://example.com', box.sim.nextTs()));
        expect((await box.exported(1)).timeline.find((message) => message.ts === ts)).toMatchObject({ text: 'arrived via its unfurl', editedAt: null });
      });

      it('is an edit when `edited` is there: the new text, and its time', async () => {
        box = await startTestSandbox({ store, transport });
        const channel = await box.declare(U_ALICE, 'declare sev2 Edits');
        const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'token abc123' });
        await box.driver.edit({ channelId: channel.id, ts: said.ts, text: 'token [redacted]' });
        expect((await box.exported(1)).timeline.find((message) => message.ts === said.ts)).toMatchObject({ text: 'token [redacted]', editedAt: expect.any(Number) });
      });
    });
  });

  describe('Slack Connect file stubs and forwarded messages', () => {
    it('are recorded without errors, the forwarded words included', async () => {
      box = await startTestSandbox({ store });
      const channel = await box.declare(U_ALICE, 'declare sev2 Shared');
      const stub = await box.driver.event(slackConnectFile(channel.id, U_BOB, 'their dashboard', box.sim.nextTs()));
      const fwd = await box.driver.event(
        forwarded(channel.id, U_CAROL, { channel: 'C_ELSEWHERE', ts: '1764752400.000100', author: 'dan', text: 'db-3 is out of disk' }, box.sim.nextTs()),
      );
      expect([stub.status, fwd.status]).toEqual([200, 200]);

      const texts = (await box.exported(1)).timeline.map((message) => message.text);
      expect(texts).toContain('their dashboard');
      expect(texts.some((text) => text.includes('db-3 is out of disk'))).toBe(true);
      const file = (await box.exported(1)).timeline.find((message) => message.text === 'their dashboard')?.files;
      expect(file).toHaveLength(1);
    });
  });

  describe('a refused invite', () => {
    it.each(['cant_invite', 'ura_max_channels', 'user_is_restricted'])(
      'does not stop the channel being set up (%s), and the declarer is told who was not added and why',
      async (error) => {
        box = await startTestSandbox({ store, prepare: (sim) => ({ INCIDENT_ANNOUNCE_CHANNEL: sim.addChannel({ name: 'incidents', members: ['U_SITREP'] }).id }) });
        box.sim.failNext('conversations.invite', { error });
        const channel = await box.declare(U_ALICE, 'declare sev2 Guest declares');
        expect(channel.members.has(U_ALICE)).toBe(false);
        expect(channel.pins.size).toBe(1);
        const told = await box.sim.waitFor(() => box.sim.ephemeralsFor(U_ALICE).find((e) => e.text.includes(`<#${channel.id}>`)), {
          what: 'the declarer told',
        });
        expect(told.text).toContain('would not add you');
        expect(told.text).toContain(error);
        await box.sim.waitFor(() => box.sim.channelByName('incidents')?.messages.find((m) => m.text.includes('INC-1')), { what: 'the announcement' });
        box.logs.splice(0); // the refusal is logged as a warning, not an error
      },
    );
  });

  describe('lists that take more than one page', () => {
    it("shows a private incident to its 1,500th member, in /incident list and on the Home tab", async () => {
      box = await startTestSandbox({ store });
      const channel = await box.declarePrivate(U_ALICE, 'Crowded', 'inc-1-crowded');
      for (let i = 1; i <= 1500; i++) {
        const id = `U_MEMBER${String(i).padStart(4, '0')}`;
        box.sim.addUser({ id, name: `member${i}` });
        channel.members.add(id);
      }
      const last = 'U_MEMBER1500';
      const listed = await box.driver.command({ userId: last, channelId: box.sim.channelByName('general')!.id, text: 'list' });
      expect((listed.body as { text?: string }).text).toContain('INC-1');

      await box.driver.openHome({ userId: last });
      const home = await box.sim.waitFor(() => box.sim.homeTab(last), { what: 'the Home tab published' });
      expect(JSON.stringify(home.view.blocks)).toContain('INC-1');

      const pages = box.sim.callsOf('conversations.members');
      expect(pages.length).toBeGreaterThan(1);
      for (const call of pages) expect(Number(call.args.limit)).toBeLessThanOrEqual(200);
    });
  });

  describe('a title typed with a mention', () => {
    it('shows the name in the channel name, the summary and the draft, never raw markup', async () => {
      box = await startTestSandbox({ store });
      const channel = await box.declare(U_ALICE, 'declare sev2 Checkout down, paging <@U_BOB|bob> &amp; <#C_OPS|ops>');
      expect(channel.name).toBe('inc-1-checkout-down-paging-bob-ops');
      expect(channel.messages[0]?.text).toContain('Checkout down, paging @bob &amp; #ops');
      const draft = (await box.draft(1));
      expect(draft.split('\n')[0]).toBe('# INC-1: Checkout down, paging @bob & #ops');
      expect(draft).not.toContain('<@U_BOB');
    });
  });
});
