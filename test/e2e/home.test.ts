// The App Home tab over real HTTP: what it lists, for whom, and its declare button.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DECLARE_VIEW, declareModal } from '../../src/messages/blocks.js';
import { HOME_DECLARE_ACTION } from '../../src/messages/home-view.js';
import { U_ALICE, U_BOB, U_CAROL } from '../../harness/simulator/constants.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { TestClock } from '../support/clock.js';
import { startTestSandbox, STORES, type TestSandbox } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  const T0 = Date.parse('2026-04-14T14:00:00Z');

  let clock: TestClock;
  let box: TestSandbox;

  beforeEach(async () => {
    clock = new TestClock(T0);
    box = await startTestSandbox({ store, now: clock.now });
  });

  afterEach(async () => {
    expect(box.errors()).toEqual([]);
    await box.close();
  });

  /** The mrkdwn of every section of a view, in order. */
  function sectionTexts(view: Record<string, unknown>): string[] {
    const blocks = (view.blocks ?? []) as Array<{ type: string; text?: { text: string } }>;
    return blocks.filter((block) => block.type === 'section').map((block) => block.text?.text ?? '');
  }

  /** Opens the Home tab and waits for the view that opening it publishes. */
  async function openHome(userId: string): Promise<string[]> {
    const before = box.sim.callsOf('views.publish').length;
    const opened = await box.driver.openHome({ userId });
    expect(opened.status).toBe(200);
    await box.sim.waitFor(() => box.sim.callsOf('views.publish').length > before, { what: `the home tab of ${userId} published` });
    const tab = box.sim.homeTab(userId);
    if (!tab) throw new Error(`views.publish was called but ${userId} has no home tab`);
    return sectionTexts(tab.view);
  }

  async function declarePrivately(userId: string, title: string): Promise<SimChannel> {
    await box.driver.command({ userId, channelId: box.sim.channelByName('general')!.id, text: 'declare' });
    await box.driver.submitView({
      userId,
      values: {
        title: { title: { type: 'plain_text_input', value: title } },
        private: { private: { type: 'checkboxes', selected_options: [{ value: 'private' }] } },
      },
    });
    return box.sim.waitFor(() => [...box.sim.channels.values()].find((c) => c.isPrivate && !c.isIm && c.pins.size > 0), {
      what: 'the private incident channel',
    });
  }

  async function resolve(channel: SimChannel): Promise<void> {
    const answer = await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve' });
    expect(answer.status).toBe(200);
    await box.sitrep.ctx.tasks.idle();
  }

  describe('the Home tab', () => {
    it('lists open incidents with their facts, and resolved ones with when', async () => {
      const payments = await box.declare(U_ALICE, 'declare sev2 Payments &lt;EU&gt; &amp; *refunds*');
      clock.advance(3);
      const search = await box.declare(U_ALICE, 'declare sev1 Search down');
      clock.advance(4);
      await resolve(search);
      clock.advance(10);

      const sections = await openHome(U_BOB);
      const openAt = sections.findIndex((text) => text.startsWith('*Open (1)*'));
      const resolvedAt = sections.findIndex((text) => text.startsWith('*Recently resolved*'));
      expect(openAt).toBeGreaterThanOrEqual(0);
      expect(resolvedAt).toBeGreaterThan(openAt);
      expect(sections.slice(openAt + 1, resolvedAt)).toEqual([
        `*INC-1* · Payments &lt;EU&gt; &amp; *refunds*\nSEV2 · Investigating · _no lead_ · open 17m · <#${payments.id}>`,
      ]);
      expect(sections.slice(resolvedAt + 1)).toEqual([`*INC-2* · Search down\nSEV1 · resolved 2026-04-14 14:07 UTC · <#${search.id}>`]);
    });

    it('shows the lead, and only the five latest resolved incidents, latest first', async () => {
      const channels: SimChannel[] = [];
      for (let n = 1; n <= 7; n += 1) {
        channels.push(await box.declare(U_ALICE, `declare Incident ${n}`));
        clock.advance(1);
      }
      for (const channel of channels.slice(0, 6)) {
        await resolve(channel);
        clock.advance(1);
      }
      await box.driver.command({ userId: U_ALICE, channelId: channels[6]!.id, text: `lead <@${U_CAROL}>` });

      const sections = await openHome(U_BOB);
      const refs = (prefix: string) => sections.filter((text) => text.startsWith(prefix)).map((text) => /^\*(INC-\d+)\*/.exec(text)?.[1]);
      expect(refs('*INC-')).toEqual(['INC-7', 'INC-6', 'INC-5', 'INC-4', 'INC-3', 'INC-2']);
      expect(sections.find((text) => text.startsWith('*INC-7*'))).toContain(`lead <@${U_CAROL}>`);
    });

    it('says so when there is nothing to list', async () => {
      const sections = await openHome(U_BOB);
      expect(sections).toEqual(['*Open*\nNo open incidents.', '*Recently resolved*\nNothing resolved yet.']);
    });

    it('ignores the Messages tab', async () => {
      await box.driver.openHome({ userId: U_BOB, tab: 'messages' });
      await box.sitrep.ctx.tasks.idle();
      expect(box.sim.callsOf('views.publish')).toEqual([]);
    });

    it('has a button that opens the declare form, whose submission declares', async () => {
      await openHome(U_BOB);
      const pressed = await box.driver.action({ userId: U_BOB, actionId: HOME_DECLARE_ACTION });
      expect(pressed.status).toBe(200);
      const [modal] = box.sim.modalsFor(U_BOB);
      expect(modal?.view).toEqual(JSON.parse(JSON.stringify(declareModal(null))));

      await box.driver.submitView({
        userId: U_BOB,
        callbackId: DECLARE_VIEW,
        values: {
          title: { title: { type: 'plain_text_input', value: 'Queue backlog' } },
          severity: { severity: { type: 'static_select', selected_option: { value: 'sev2', text: { type: 'plain_text', text: 'SEV2' } } } },
        },
      });
      const channel = await box.openedChannel('inc-1-queue-backlog');
      expect(channel.members.has(U_BOB)).toBe(true);
      expect(await box.store.queries.findIncident(1)).toMatchObject({ title: 'Queue backlog', severity: 'sev2', declaredBy: U_BOB });
    });
  });

  describe('private incidents on the Home tab', () => {
    it('are hidden from people outside their channel, and shown once they are in it', async () => {
      const secret = await declarePrivately(U_CAROL, 'Leaked key');
      const open = await box.declare(U_ALICE, 'declare Public outage');

      const outsider = await openHome(U_BOB);
      expect(outsider.join('\n')).not.toContain('Leaked key');
      expect(outsider.some((text) => text.startsWith('*INC-2* · Public outage'))).toBe(true);
      expect(box.sim.callsOf('conversations.members').map((call) => call.args.channel)).toContain(secret.id);
      expect(open.isPrivate).toBe(false);

      secret.members.add(U_BOB);
      const member = await openHome(U_BOB);
      expect(member.some((text) => text.startsWith('*INC-1* · Leaked key'))).toBe(true);
    });

    it('are hidden when membership cannot be checked', async () => {
      const secret = await declarePrivately(U_CAROL, 'Leaked key');
      secret.members.add(U_BOB);
      box.sim.failNext('conversations.members');
      const sections = await openHome(U_BOB);
      expect(sections.join('\n')).not.toContain('Leaked key');
      expect(box.sim.callsOf('conversations.members').at(-1)).toMatchObject({ ok: false });
    });
  });
});
