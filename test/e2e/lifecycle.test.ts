// The whole command set over real HTTP: status, severity, roles, milestones,
// notes, follow-ups, zones, announcements, re-opening, and their refusals.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settings as settingsTable } from '../../src/db/schema.js';
import { workspaceUrl } from '../../src/db/settings.js';
import { loadPostmortemInput } from '../../src/services/postmortem.js';
import { U_ALICE, U_BOB, U_CAROL, U_DAN, WORKSPACE_URL } from '../../harness/simulator/constants.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { TestClock } from '../support/clock.js';
import { section } from '../support/markdown.js';
import { startTestSandbox, STORES, type TestSandbox } from '../support/sandbox.js';
describe.each(STORES)('on %s', (store) => {
  let box: TestSandbox;
  let clock: TestClock;
  let channel: SimChannel;
  let announcements: string;

  beforeEach(async () => {
    clock = new TestClock(Date.parse('2024-07-01T14:00:00Z'));
    box = await startTestSandbox({
      now: clock.now,
      env: { INCIDENT_TIMEZONE: 'Europe/London' },
      prepare: (sim) => {
        announcements = sim.addChannel({ name: 'incidents' }).id;
        return { INCIDENT_ANNOUNCE_CHANNEL: announcements };
      },
    });
    channel = await box.declare(U_ALICE, 'declare sev3 Gateway unavailable');
    await box.sitrep.ctx.tasks.idle();
  });

  afterEach(async () => {
    expect(box.errors()).toEqual([]);
    await box.close();
  });

  async function run(text: string, userId = U_ALICE): Promise<string> {
    const response = await box.driver.command({ userId, channelId: channel.id, text });
    expect(response.status).toBe(200);
    await box.sitrep.ctx.tasks.idle();
    return (response.body as { text?: string } | '').valueOf() === '' ? '' : ((response.body as { text?: string }).text ?? '');
  }

  function channelTexts(id = channel.id): string[] {
    return box.sim.messages(id).map((message) => message.text);
  }

  function pinnedSummary(): string {
    const pinned = box.sim.messages(channel.id).find((message) => channel.pins.has(message.ts));
    return `${pinned?.text}\n${JSON.stringify(pinned?.blocks)}`;
  }

  async function draft(...args: string[]): Promise<string> {
    const exported = await box.exportCli('1', ...args);
    expect(exported.stderr).toBe('');
    return exported.stdout;
  }

  describe('status and update', () => {
    it('resolves once when two resolves arrive at the same moment', async () => {
      clock.advance(5);
      const answers = await Promise.all(
        ['resolve Fixed', 'resolve Fixed too'].map((text) => box.driver.command({ userId: U_ALICE, channelId: channel.id, text })),
      );
      await box.sitrep.ctx.tasks.idle();
      const replies = answers.map((answer) => (answer.body as { text?: string }).text ?? '').sort();
      expect(replies).toEqual([expect.stringMatching(/^INC-1 is already resolved\./), expect.stringMatching(/^Resolved INC-1\./)]);
      const resolves = (await box.store.queries.listEvents(1)).filter((event) => event.kind === 'status' && event.status === 'resolved');
      expect(resolves).toHaveLength(1);
      await box.sim.waitFor(() => box.sim.filesIn(channel.id).length > 0, { what: 'the draft' });
      expect(box.sim.filesIn(channel.id)).toHaveLength(1);
    });

    it('posts, records, announces, updates the pinned summary and feeds Status updates', async () => {
      clock.advance(5);
      expect(await run('status identified Config change in the gateway')).toBe('');
      clock.advance(10);
      await run('update Rolling back the config');
      clock.advance(20);
      await run('status monitoring Error rate back to normal');

      expect(channelTexts()).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\*:bulb: Identified\* · status update from <@U_ALICE>\n>Config change in the gateway/),
          expect.stringMatching(/Update \(Identified\).*\n>Rolling back the config/),
          expect.stringMatching(/:eyes: Monitoring.*\n>Error rate back to normal/),
        ]),
      );
      expect(pinnedSummary()).toContain('Monitoring');
      expect(channelTexts(announcements).some((text) => /Identified:.*INC-1: Gateway unavailable \(SEV3\) in <#/.test(text))).toBe(true);

      const incident = (await box.store.queries.findIncident(1));
      expect(incident?.status).toBe('monitoring');
      expect(incident?.milestones).toEqual({
        identified: Date.parse('2024-07-01T14:05:00Z'),
        mitigated: Date.parse('2024-07-01T14:35:00Z'),
      });

      const updates = section(await draft(), 'Status updates');
      expect(updates).toMatch(/\*\*Investigating\*\* · 15:00 BST/);
      expect(updates).toMatch(/\*\*Identified\*\* · 15:05 BST · 5m after the previous: Config change in the gateway/);
      expect(updates).toMatch(/\*\*Update\*\* · 15:15 BST · 10m after the previous: Rolling back the config/);
      expect(updates).toMatch(/\*\*Monitoring\*\* · 15:35 BST · 20m after the previous: Error rate back to normal/);
    });

    it('resolves with `status resolved` like `resolve`, and re-opens with `status investigating`', async () => {
      clock.advance(30);
      expect(await run('status resolved Back to normal')).toMatch(/Resolved INC-1/);
      await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((file) => file.uploaded), { what: 'the draft' });
      expect((await box.store.queries.findIncident(1))).toMatchObject({ status: 'resolved', resolvedAt: Date.parse('2024-07-01T14:30:00Z') });
      expect(channelTexts(announcements).some((text) => /Resolved:/.test(text))).toBe(true);

      expect(await run('severity sev1')).toMatch(/INC-1 is resolved, so `severity` no longer applies/);
      expect(await run('update still fine')).toMatch(/is resolved/);
      expect((await box.store.queries.findIncident(1))?.severity).toBe('sev3');

      clock.advance(5);
      await run('status investigating It came back');
      expect((await box.store.queries.findIncident(1))).toMatchObject({ status: 'investigating', resolvedAt: null });
      expect((await box.store.queries.listEvents(1)).filter((event) => event.kind === 'status').map((event) => event.kind === 'status' && event.status)).toEqual([
        'resolved',
        'investigating',
      ]);
    });

    it.each([
      ['status fixed', /`fixed` is not a status; use one of investigating, identified, monitoring, resolved/],
      ['status', /Which status\?/],
      ['update', /What is the update\?/],
    ])('refuses "%s" and changes nothing', async (text, message) => {
      expect(await run(text)).toMatch(message);
      expect((await box.store.queries.findIncident(1))?.status).toBe('investigating');
      expect((await box.store.queries.listEvents(1)).map((event) => event.kind)).toEqual(['declared']);
    });
  });

  describe('severity', () => {
    it('changes, records, announces and shows it in the pinned summary', async () => {
      await run('severity sev1');
      expect((await box.store.queries.findIncident(1))?.severity).toBe('sev1');
      expect(channelTexts()).toContainEqual(expect.stringMatching(/changed the severity from SEV3 to \*SEV1\*/));
      expect(pinnedSummary()).toContain('SEV1');
      expect(channelTexts(announcements)).toContainEqual(expect.stringMatching(/Severity SEV3 → SEV1/));
      expect(section(await draft(), 'Timeline')).toMatch(/Severity SEV3 → SEV1/);
    });

    it.each(['sev9', 'high', ''])('refuses "%s" with the accepted values', async (value) => {
      expect(await run(`severity ${value}`)).toMatch(/sev1/);
      expect((await box.store.queries.findIncident(1))?.severity).toBe('sev3');
    });
  });

  describe('roles', () => {
    it('assigns lead and roles from mentions, invites them and updates the pinned summary', async () => {
      await run('lead <@U_BOB|bob>');
      await run('role comms <@U_CAROL>');
      await run('role scribe <@U_DAN|dan>', U_BOB);
      expect((await box.store.queries.findIncident(1))?.roles).toEqual({ lead: U_BOB, comms: U_CAROL, scribe: U_DAN });
      expect(pinnedSummary()).toContain('<@U_BOB>');
      expect(channel.members.has(U_BOB) && channel.members.has(U_CAROL) && channel.members.has(U_DAN)).toBe(true);
      expect(box.sim.callsOf('chat.update').length).toBeGreaterThanOrEqual(3);
      const markdown = await draft();
      expect(markdown).toMatch(/\| Lead +\| Bob Example/);
      expect(section(markdown, 'Participants')).toMatch(/Carol Example.*comms/);
    });

    it.each([
      ['lead bob', /@-mention/],
      ['role boss <@U_BOB>', /`boss` is not a role; use one of lead, comms, scribe/],
    ])('refuses "%s"', async (text, message) => {
      expect(await run(text)).toMatch(message);
      expect((await box.store.queries.findIncident(1))?.roles).toEqual({});
    });
  });

  describe('milestones and notes', () => {
    it('places backdated milestones and notes in the timeline, and measures from impact start', async () => {
      clock.set('2024-07-01T14:40:00Z'); // 15:40 BST
      expect(await run('timestamp impact-started 14:50')).toMatch(/Impact started set to 2024-07-01 14:50 BST/);
      await run('timestamp detected 14:58');
      await run('note 15:20 Rollback started by the deploy bot');
      await run('status identified bad config');
      await run('timestamp mitigated 15:30');
      clock.advance(10);
      await run('resolve all clear');
      await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((file) => file.uploaded), { what: 'the draft' });

      const incident = (await box.store.queries.findIncident(1));
      expect(incident?.milestones).toEqual({
        'impact-started': Date.parse('2024-07-01T13:50:00Z'),
        detected: Date.parse('2024-07-01T13:58:00Z'),
        identified: Date.parse('2024-07-01T14:40:00Z'),
        mitigated: Date.parse('2024-07-01T14:30:00Z'),
      });
      const markdown = await draft();
      expect(markdown).toMatch(/\| Impact window +\| 14:50 – 15:30 BST \(40m\)/);
      // Time of day, since impact started, since the milestone before.
      expect(markdown).toMatch(/\| Detected +\| 14:58 BST +\| 8m +\| 8m +\|/);
      expect(markdown).toMatch(/\| Cause identified +\| 15:40 BST +\| 50m +\| 10m +\|/);
      // In time order: the mitigation was recorded before the cause was.
      expect(markdown).toMatch(/\| Mitigated +\| 15:30 BST +\| 40m +\| 30m +\|/);
      expect(markdown).toMatch(/\| Resolved +\| 15:50 BST +\| 1h +\| 10m +\|/);
      const timeline = section(markdown, 'Timeline').split('\n').filter((line) => line.startsWith('- '));
      const order = timeline.map((line) => /\*\*(\d\d:\d\d) BST\*\*/.exec(line)?.[1]);
      expect(order).toEqual([...order].sort());
      expect(timeline.join('\n')).toMatch(/14:50 BST.*Impact started/i);
      expect(timeline.join('\n')).toMatch(/15:20 BST.*Rollback started by the deploy bot/);
    });

    it('sets a milestone again by moving it, not adding a second entry', async () => {
      clock.set('2024-07-01T14:40:00Z');
      await run('timestamp impact-started 14:50');
      await run('timestamp impact-started 14:45');
      const milestones = (await box.store.queries.listEvents(1)).filter((event) => event.kind === 'milestone');
      expect(milestones).toHaveLength(1);
      expect(milestones[0]?.at).toBe(Date.parse('2024-07-01T13:45:00Z'));
    });

    it('reads a time without a date as the most recent one, and a dated time as that day', async () => {
      clock.set('2024-07-02T00:10:00Z'); // 01:10 BST on the 2nd
      await run('note 23:55 paged the DBA');
      await run('note 2024-07-01 16:00 first customer report');
      await run('update still digging');
      const notes = (await box.store.queries.listEvents(1)).filter((event) => event.kind === 'note');
      expect(notes.map((note) => note.at)).toEqual([Date.parse('2024-07-01T15:00:00Z'), Date.parse('2024-07-01T22:55:00Z')]);
      const timeline = section(await draft(), 'Timeline');
      expect(timeline).toMatch(/### Monday 1 July 2024/);
      expect(timeline).toMatch(/### Tuesday 2 July 2024/);
    });

    it.each([
      ['note 25:00 late', /not a time I can read/],
      ['note 2024-02-30 10:00 x', /not a date on the calendar/],
      ['timestamp detected soon', /`14:05`/],
      ['timestamp started 10:00', /`started` is not a milestone/],
      ['timestamp detected 2030-01-01 10:00', /That time is in the future/],
    ])('refuses "%s" with an example, and records nothing', async (text, message) => {
      expect(await run(text)).toMatch(message);
      expect((await box.store.queries.listEvents(1)).map((event) => event.kind)).toEqual(['declared']);
      expect((await box.store.queries.findIncident(1))?.milestones).toEqual({});
    });
  });

  describe('follow-up actions', () => {
    it('collects actions from the command and from :memo:, with owners, in the list and the draft', async () => {
      await run('action Add a canary for gateway config <@U_DAN|dan>');
      await run('action Write the rollback runbook');
      const { ts } = await box.driver.message({ channelId: channel.id, userId: U_CAROL, text: 'alert on auth error rate' });
      await box.driver.react({ channelId: channel.id, ts, userId: U_ALICE, name: 'memo' });

      expect((await box.store.queries.listActions(1)).map((action) => [action.text, action.ownerId])).toEqual([
        ['Add a canary for gateway config', U_DAN],
        ['Write the rollback runbook', null],
      ]);
      const list = await run('actions');
      expect(list).toMatch(/Follow-up actions for INC-1 \(3\)/);
      expect(list).toMatch(/Add a canary for gateway config · <@U_DAN>/);
      expect(list).toMatch(/alert on auth error rate/);
      const actions = section(await draft(), 'Follow-up actions');
      expect(actions).toMatch(/\| Add a canary for gateway config +\| .* \| Dan Example +\| — +\| \/incident action, Alice Example +\|/);
      expect(actions).toMatch(/\| Write the rollback runbook +\| .* \| \*\*TODO:\*\* _who\?_ +\|/);
      expect(actions).toMatch(/\| alert on auth error rate +\| .* \| :memo: on \[\*\*.*'s message at/);
    });

    it('says how to add one when there are none', async () => {
      expect(await run('actions')).toMatch(/no follow-up actions yet/);
    });
  });

  describe('summary, impact, typed follow-ups and recovery', () => {
    it('sets the summary and impact (the last one wins), keeps each change, and shows them in the channel and the pinned summary', async () => {
      expect(await run('summary Checkout failed for EU cards')).toBe('');
      clock.advance(5);
      expect(await run('summary Card payments failed in the EU &amp; UK')).toBe('');
      clock.advance(1);
      expect(await run('impact About 40% of checkouts failed for 50 minutes', U_BOB)).toBe('');

      expect((await box.store.queries.findIncident(1))).toMatchObject({
        summary: 'Card payments failed in the EU &amp; UK',
        impact: 'About 40% of checkouts failed for 50 minutes',
      });
      expect(channelTexts()).toEqual(
        expect.arrayContaining([
          ':page_facing_up: <@U_ALICE> set the summary:\n>Checkout failed for EU cards',
          ':page_facing_up: <@U_ALICE> set the summary:\n>Card payments failed in the EU &amp; UK',
          ':chart_with_downwards_trend: <@U_BOB> set the impact statement:\n>About 40% of checkouts failed for 50 minutes',
        ]),
      );
      expect(pinnedSummary()).toContain('*Summary:* Card payments failed in the EU &amp; UK');
      expect(pinnedSummary()).toContain('*Impact:* About 40% of checkouts failed for 50 minutes');
      expect(pinnedSummary()).not.toContain('Checkout failed for EU cards');

      const changes = (await box.store.queries.listEvents(1)).filter((event) => event.kind === 'summary' || event.kind === 'impact');
      expect(changes).toEqual([
        { kind: 'summary', at: Date.parse('2024-07-01T14:00:00Z'), actorId: U_ALICE, text: 'Checkout failed for EU cards' },
        { kind: 'summary', at: Date.parse('2024-07-01T14:05:00Z'), actorId: U_ALICE, text: 'Card payments failed in the EU &amp; UK' },
        { kind: 'impact', at: Date.parse('2024-07-01T14:06:00Z'), actorId: U_BOB, text: 'About 40% of checkouts failed for 50 minutes' },
      ]);
      expect((await box.exported(1)).events.filter((event) => event.kind === 'summary' || event.kind === 'impact')).toEqual(changes);
      // Announcements are for declares, severity and status: not for wording.
      expect(channelTexts(announcements).join('\n')).not.toMatch(/EU cards|40% of checkouts/);
    });

    it('stores typed follow-ups with their owner, ticket and author, and shows them in the reply, the list and the export', async () => {
      await run('action prevent Add a canary for gateway config <@U_DAN|dan> <https://x.atlassian.net/browse/OPS-1?view=full&amp;tab=2>');
      await run('action detect Alert on auth error rate https://x.atlassian.net/browse/OPS-2', U_BOB);
      await run('action Write the rollback runbook');

      expect((await box.store.queries.listActions(1))).toEqual([
        expect.objectContaining({
          text: 'Add a canary for gateway config',
          type: 'prevent',
          ownerId: U_DAN,
          ticketUrl: 'https://x.atlassian.net/browse/OPS-1?view=full&tab=2',
          createdBy: U_ALICE,
          done: false,
        }),
        expect.objectContaining({ text: 'Alert on auth error rate', type: 'detect', ownerId: null, ticketUrl: 'https://x.atlassian.net/browse/OPS-2', createdBy: U_BOB }),
        expect.objectContaining({ text: 'Write the rollback runbook', type: null, ownerId: null, ticketUrl: null, createdBy: U_ALICE }),
      ]);
      expect(channelTexts()).toEqual(
        expect.arrayContaining([
          ':memo: Follow-up added by <@U_ALICE> (prevent), owner <@U_DAN>, ticket <https://x.atlassian.net/browse/OPS-1?view=full&amp;tab=2>:\n>Add a canary for gateway config',
          ':memo: Follow-up added by <@U_BOB> (detect), ticket <https://x.atlassian.net/browse/OPS-2>:\n>Alert on auth error rate',
          ':memo: Follow-up added by <@U_ALICE>:\n>Write the rollback runbook',
        ]),
      );
      const list = await run('actions');
      expect(list).toContain(':white_square: Add a canary for gateway config · <@U_DAN> · _prevent_ · ticket <https://x.atlassian.net/browse/OPS-1?view=full&amp;tab=2>');
      expect(list).toContain(':white_square: Alert on auth error rate · _no owner_ · _detect_ · ticket <https://x.atlassian.net/browse/OPS-2>');
      expect(list).toMatch(/^:white_square: Write the rollback runbook · _no owner_$/m);

      expect((await box.exported(1)).actions).toEqual((await box.store.queries.listActions(1)));
    });

    it('sets the recovered milestone like the others, and takes summary and impact after resolve', async () => {
      clock.set('2024-07-01T14:40:00Z'); // 15:40 BST
      await run('timestamp impact-started 14:50');
      expect(await run('timestamp recovered 15:35')).toBe('Recovered set to 2024-07-01 15:35 BST.');
      expect(channelTexts()).toContainEqual(':stopwatch: <@U_ALICE> set *Recovered* to 2024-07-01 15:35 BST.');
      expect((await box.store.queries.findIncident(1))?.milestones).toEqual({
        'impact-started': Date.parse('2024-07-01T13:50:00Z'),
        recovered: Date.parse('2024-07-01T14:35:00Z'),
      });
      expect((await box.exported(1)).milestones).toEqual({
        'impact-started': Date.parse('2024-07-01T13:50:00Z'),
        recovered: Date.parse('2024-07-01T14:35:00Z'),
      });

      await run('resolve rolled back');
      await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((file) => file.uploaded), { what: 'the draft' });
      expect(await run('summary A bad gateway config took EU card payments down')).toBe(
        'The summary of INC-1 is set. `/incident postmortem` posts the draft again with it.',
      );
      expect(await run('impact EU card payments failed')).toMatch(/The impact statement of INC-1 is set/);
      expect(await run('timestamp recovered 15:30')).toBe('Recovered set to 2024-07-01 15:30 BST.');
      expect((await box.store.queries.findIncident(1))).toMatchObject({
        status: 'resolved',
        summary: 'A bad gateway config took EU card payments down',
        impact: 'EU card payments failed',
        milestones: { recovered: Date.parse('2024-07-01T14:30:00Z') },
      });
      expect((await box.store.queries.listEvents(1)).filter((event) => event.kind === 'milestone')).toHaveLength(2);
    });

    it.each([
      ['summary', /What should the summary say\?/],
      ['impact   ', /Who and what was affected, and how badly\?/],
      ['action prevent', /What is the follow-up action\?/],
      ['timestamp recovered', /When\?/],
    ])('refuses "%s" and records nothing', async (text, message) => {
      expect(await run(text)).toMatch(message);
      expect((await box.store.queries.listEvents(1)).map((event) => event.kind)).toEqual(['declared']);
      expect((await box.store.queries.findIncident(1))).toMatchObject({ summary: null, impact: null, milestones: {} });
      expect((await box.store.queries.listActions(1))).toEqual([]);
    });

    // Read from SQLite's own table: how often the row was written is not in the store's queries.
  it.runIf(store === 'sqlite')('keeps the workspace URL from auth.test once, for links in drafts made offline', async () => {
      const db = box.database.db;
      await box.sim.waitFor(() => workspaceUrl(db), { what: 'the workspace URL kept' });
      const kept = db.select().from(settingsTable).all();
      expect(kept).toEqual([{ key: 'workspace_url', value: WORKSPACE_URL, updatedAt: Date.parse('2024-07-01T14:00:00Z') }]);
      clock.advance(10);
      await run('note still here');
      await run('summary still here');
      expect(db.select().from(settingsTable).all()).toEqual(kept);
      expect((await loadPostmortemInput(box.store.queries, 1, box.sitrep.ctx.reactions))?.workspaceUrl).toBe(WORKSPACE_URL);
    });
  });

  describe('time zones', () => {
    it('shows the incident in its own zone, and refuses unknown zones', async () => {
      expect(await run('timezone Mars/Olympus')).toMatch(/not a time zone I know/);
      expect((await box.store.queries.findIncident(1))?.timeZone).toBe('Europe/London');
      await run('timezone america/new_york');
      expect((await box.store.queries.findIncident(1))?.timeZone).toBe('America/New_York');
      expect(section(await draft(), 'Timeline')).toMatch(/10:00 EDT/);
      expect(section(await draft('--tz', 'Asia/Kolkata'), 'Timeline')).toMatch(/19:30 IST/);
    });
  });

  describe('private incidents and lists', () => {
    it('never announces a private incident and lists it only to its members', async () => {
      const general = box.sim.channelByName('general')!.id;
      const secret = await box.declarePrivate(U_CAROL, 'Leaked credentials', 'inc-2-leaked-credentials');
      await box.driver.command({ userId: U_CAROL, channelId: secret.id, text: 'status identified key rotated' });
      await box.driver.command({ userId: U_CAROL, channelId: secret.id, text: 'severity sev1' });
      await box.sitrep.ctx.tasks.idle();
      expect(channelTexts(announcements).join('\n')).not.toMatch(/Leaked credentials|INC-2/);

      const forBob = await box.driver.command({ userId: U_BOB, channelId: general, text: 'list' });
      expect((forBob.body as { text: string }).text).not.toMatch(/INC-2/);
      expect((forBob.body as { text: string }).text).toMatch(/INC-1/);
      const forCarol = await box.driver.command({ userId: U_CAROL, channelId: general, text: 'list' });
      expect((forCarol.body as { text: string }).text).toMatch(/INC-2\* Leaked credentials · SEV1 · Identified/);
    });

    it('lists number, title, severity, status, lead, age and channel', async () => {
      await run('lead <@U_BOB>');
      clock.advance(95);
      const list = await run('list');
      expect(list).toMatch(new RegExp(`INC-1\\* Gateway unavailable · SEV3 · Investigating · lead <@U_BOB> · 1h 35m · <#${channel.id}>`));
    });
  });
});
