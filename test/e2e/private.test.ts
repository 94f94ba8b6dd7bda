// Private incidents, every way out in one place: their content is never posted
// outside their channel, they are never listed to people outside it (list, App
// Home, open or resolved), reminders stay in the channel, and the draft and
// the export say the incident is private.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_REACTIONS } from '../../src/domain/reactions.js';
import { loadPostmortemInput } from '../../src/services/postmortem.js';
import { incidentExport } from '../../src/services/export.js';
import { U_ALICE, U_BOB, U_CAROL, U_DAN } from '../../harness/simulator/constants.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { TestClock } from '../support/clock.js';
import { startTestSandbox, STORES, type TestSandbox } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  const SECRET_TITLE = 'Leaked signing keys';
  const SECRET_WORDS = /Leaked signing keys|rotated the keys|INC-1\b|keys are rotated|inc-1-leaked/;

  let box: TestSandbox;
  let clock: TestClock;
  let announcements: string;
  let general: string;
  let secret: SimChannel;
  let open: SimChannel;

  beforeEach(async () => {
    clock = new TestClock(Date.parse('2025-03-03T09:00:00Z'));
    box = await startTestSandbox({
      store,
      now: clock.now,
      prepare: (sim) => {
        announcements = sim.addChannel({ name: 'incidents' }).id;
        return { INCIDENT_ANNOUNCE_CHANNEL: announcements };
      },
    });
    general = box.sim.channelByName('general')!.id;
    // Declared through the form from #general, as Carol: INC-1, private. Then a public one, INC-2.
    secret = await box.declarePrivate(U_CAROL, SECRET_TITLE, 'inc-1-leaked-signing-keys');
    open = await box.declare(U_ALICE, 'declare sev2 Public outage');
    await box.sitrep.ctx.tasks.idle();
  });

  afterEach(async () => {
    expect(box.errors()).toEqual([]);
    await box.close();
  });

  async function run(channel: SimChannel, text: string, userId: string): Promise<string> {
    const response = await box.driver.command({ userId, channelId: channel.id, text });
    expect(response.status).toBe(200);
    await box.sitrep.ctx.tasks.idle();
    return typeof response.body === 'object' && response.body !== null ? ((response.body as { text?: string }).text ?? '') : '';
  }

  /** Everything a channel shows: message texts and blocks. */
  function shown(channelId: string): string {
    return box.sim.messages(channelId).map((message) => `${message.text}\n${JSON.stringify(message.blocks ?? [])}`).join('\n');
  }

  /** Opens the Home tab and returns what the published view says. */
  async function home(userId: string): Promise<string> {
    const before = box.sim.callsOf('views.publish').length;
    expect((await box.driver.openHome({ userId })).status).toBe(200);
    await box.sim.waitFor(() => box.sim.callsOf('views.publish').length > before, { what: `${userId}'s home tab` });
    return JSON.stringify(box.sim.homeTab(userId)?.view);
  }

  /** The whole life of both incidents, the private one with every kind of change. */
  async function liveThroughBoth(): Promise<void> {
    const say = async (channel: SimChannel, userId: string, text: string) => (await box.driver.message({ channelId: channel.id, userId, text })).ts;
    await run(secret, 'status identified a deploy key leaked in CI logs', U_CAROL);
    await run(secret, 'severity sev1', U_CAROL);
    await run(secret, `lead <@${U_DAN}>`, U_CAROL);
    await run(secret, 'role comms <@U_CAROL>', U_DAN);
    await run(secret, 'note 09:00 rotated the keys', U_CAROL);
    await run(secret, 'timestamp detected 09:00', U_CAROL);
    await run(secret, 'action audit every CI log <@U_DAN>', U_CAROL);
    await run(secret, 'timezone Europe/Berlin', U_CAROL);
    const marked = await say(secret, U_DAN, 'keys are rotated <!channel>');
    await box.driver.react({ channelId: secret.id, ts: marked, userId: U_CAROL, name: 'white_check_mark' });

    await run(open, 'status identified bad config', U_ALICE);
    await run(open, 'severity sev1', U_ALICE);
    await say(open, U_BOB, 'rolled back');

    // Long enough without updates for reminders to fall due in both.
    clock.advance(45);
    await box.sitrep.checkReminders();
    await box.sitrep.ctx.tasks.idle();

    await run(secret, 'update still watching for misuse', U_DAN);
    await run(secret, 'resolve keys rotated, no misuse found', U_DAN);
    await run(open, 'resolve rolled back', U_ALICE);
    await box.sim.waitFor(() => box.sim.filesIn(secret.id).length > 0 && box.sim.filesIn(open.id).length > 0, { what: 'both drafts' });
  }

  describe('a private incident', () => {
    it('is never posted about outside its own channel', async () => {
      await liveThroughBoth();

      // What did go out, so the silence below is not for want of trying: the public
      // incident was announced at each step, and both channels were nudged.
      const announced = shown(announcements);
      expect(announced).toMatch(/Declared/);
      expect(announced).toMatch(/INC-2/);
      expect(announced.match(/INC-2/g)?.length).toBeGreaterThanOrEqual(4);
      expect(shown(secret.id)).toMatch(/No status update on INC-1/);
      expect(shown(open.id)).toMatch(/No status update on INC-2/);
      expect(shown(secret.id)).toMatch(/Leaked signing keys/);

      for (const channel of box.sim.channels.values()) {
        if (channel.id === secret.id) continue;
        expect(shown(channel.id), `#${channel.name}`).not.toMatch(SECRET_WORDS);
      }
      // The draft is uploaded to the private channel and nowhere else.
      for (const file of box.sim.files.values()) {
        if (file.content.includes(SECRET_TITLE)) expect(file.channels).toEqual([secret.id]);
        else expect(file.content).not.toMatch(SECRET_WORDS);
      }
      expect([...box.sim.files.values()].filter((file) => file.content.includes(SECRET_TITLE))).toHaveLength(1);
      // Nor is it whispered to anyone outside it.
      const outsiders = [U_ALICE, U_BOB];
      for (const userId of outsiders) {
        expect(box.sim.ephemeralsFor(userId).map((e) => e.text).join('\n')).not.toMatch(SECRET_WORDS);
      }
      expect(box.sim.callsOf('chat.postMessage').filter((call) => call.args.channel !== secret.id).map((call) => JSON.stringify(call.args)).join('\n')).not.toMatch(SECRET_WORDS);
    });

    it('is listed only to the people in its channel, open or resolved, in /incident list and on the Home tab', async () => {
      await run(secret, `lead <@${U_DAN}>`, U_CAROL);
      expect(secret.members.has(U_DAN)).toBe(true);

      const listFor = (userId: string) => run(box.sim.channel(general)!, 'list', userId);
      expect(await listFor(U_BOB)).not.toMatch(SECRET_WORDS);
      expect(await listFor(U_BOB)).toMatch(/INC-2\* Public outage/);
      expect(await listFor(U_CAROL)).toMatch(/INC-1\* Leaked signing keys/);
      expect(await listFor(U_DAN)).toMatch(/INC-1\* Leaked signing keys/);
      // From inside a public incident's channel, too.
      expect(await run(open, 'list', U_ALICE)).not.toMatch(SECRET_WORDS);

      expect(await home(U_BOB)).not.toMatch(SECRET_WORDS);
      expect(await home(U_BOB)).toMatch(/Public outage/);
      expect(await home(U_DAN)).toMatch(/Leaked signing keys/);

      // Resolved, it leaves the open list and shows under "recently resolved", to members only.
      clock.advance(10);
      await run(secret, 'resolve', U_DAN);
      await box.sim.waitFor(() => box.sim.filesIn(secret.id).length > 0, { what: 'the draft' });
      const bobsHome = await home(U_BOB);
      expect(bobsHome).toMatch(/Recently resolved/);
      expect(bobsHome).not.toMatch(SECRET_WORDS);
      const dansHome = await home(U_DAN);
      expect(dansHome).toMatch(/Leaked signing keys/);
      expect(dansHome).toMatch(/resolved 2025-03-03/);

      // Someone added to the channel later sees it; someone who left no longer does.
      secret.members.add(U_BOB);
      expect(await home(U_BOB)).toMatch(/Leaked signing keys/);
      secret.members.delete(U_DAN);
      expect(await home(U_DAN)).not.toMatch(SECRET_WORDS);
    });

    it('is hidden from /incident list when membership cannot be checked', async () => {
      secret.members.add(U_BOB);
      box.sim.failNext('conversations.members');
      const text = await run(box.sim.channel(general)!, 'list', U_BOB);
      expect(box.sim.callsOf('conversations.members').at(-1)).toMatchObject({ ok: false });
      expect(text).not.toMatch(SECRET_WORDS);
      expect(text).toMatch(/INC-2/);
    });

    it('is not listed to the person who declared it once they leave its channel', async () => {
      expect(await run(box.sim.channel(general)!, 'list', U_CAROL)).toMatch(/Leaked signing keys/);
      secret.members.delete(U_CAROL);
      expect(await run(box.sim.channel(general)!, 'list', U_CAROL)).not.toMatch(SECRET_WORDS);
      expect(await home(U_CAROL)).not.toMatch(SECRET_WORDS);
    });

    it('leaves the Home tab of someone removed from its channel at its next change, however they left', async () => {
      expect(await home(U_CAROL)).toMatch(/Leaked signing keys/);
      const published = box.sim.callsOf('views.publish').length;
      secret.members.delete(U_CAROL); // no member_left_channel reached sitrep
      await run(secret, 'severity sev1', U_ALICE);
      await box.sim.waitFor(() => (box.sim.callsOf('views.publish').length > published ? true : undefined), { what: 'the Home tab published again' });
      await box.sitrep.ctx.tasks.idle();
      expect(JSON.stringify(box.sim.homeTab(U_CAROL)?.view.blocks)).not.toMatch(SECRET_WORDS);
    });

    it('leaves the Home tab of someone who leaves its channel, without their opening it again', async () => {
      expect(await home(U_CAROL)).toMatch(/Leaked signing keys/);
      const published = box.sim.callsOf('views.publish').length;
      const left = await box.driver.leave({ channelId: secret.id, userId: U_CAROL });
      expect(left.acknowledged).toBe(true);
      await box.sim.waitFor(() => (box.sim.callsOf('views.publish').length > published ? true : undefined), { what: 'the Home tab published again' });
      expect(JSON.stringify(box.sim.homeTab(U_CAROL)?.view.blocks)).not.toMatch(SECRET_WORDS);
    });

    it('says it is private in the draft it posts and in both exports; a public one does not', async () => {
      await run(secret, 'resolve keys rotated', U_CAROL);
      await run(open, 'resolve rolled back', U_ALICE);
      const [draft] = await box.sim.waitFor(() => {
        const files = box.sim.filesIn(secret.id).filter((file) => file.uploaded);
        return files.length > 0 ? files : undefined;
      }, { what: 'the private draft' });
      expect(draft?.content).toMatch(/^# INC-1: Leaked signing keys/);
      expect(draft?.content).toMatch(/_Private incident\. Draft postmortem generated by sitrep/);
      const publicDraft = await box.sim.waitFor(() => box.sim.filesIn(open.id).find((file) => file.uploaded), { what: 'the public draft' });
      expect(publicDraft.content).not.toMatch(/Private incident/);

      const exported = await box.exportCli('INC-1');
      expect(exported).toMatchObject({ code: 0, stderr: '' });
      expect(exported.stdout).toMatch(/_Private incident\./);

      const input = await loadPostmortemInput(box.store.queries, 1, DEFAULT_REACTIONS);
      expect(input).not.toBeNull();
      expect(incidentExport(input!).incident).toMatchObject({ isPrivate: true, title: SECRET_TITLE });
      expect(incidentExport((await loadPostmortemInput(box.store.queries, 2, DEFAULT_REACTIONS))!).incident).toMatchObject({ isPrivate: false });
    });
  });
});
