// The main job, on SQLite and on PostgreSQL, over HTTP and over Socket Mode: declare,
// record, mark, resolve, draft, export.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB, U_CAROL } from '../../harness/simulator/constants.js';
import { section } from '../support/markdown.js';
import { startTestSandbox, TRANSPORTS, type TestSandbox } from '../support/sandbox.js';

// PostgreSQL over HTTP only: the store sits below the transport, and acknowledging an
// envelope after its commit on PostgreSQL is checked in socket-mode.test.ts (and
// unacknowledged while the store is down, in postgres-outage.test.ts).
const CASES = [...TRANSPORTS.map((transport) => ['sqlite', transport] as const), ['postgres', 'http'] as const];

describe.each(CASES)('on %s, over %s', (store, transport) => {
  let box: TestSandbox;

  beforeEach(async () => {
    box = await startTestSandbox({ store, transport });
  });

  afterEach(async () => {
    expect(box.errors()).toEqual([]);
    await box.close();
  });

  function ephemeralText(body: unknown): string {
    return (body as { text?: string }).text ?? '';
  }

  describe('declare by text', () => {
    it('opens inc-<n>-<slug>, invites the declarer, pins a summary and says where it is', async () => {
      const response = await box.driver.command({ userId: U_ALICE, channelId: box.sim.channelByName('general')!.id, text: 'declare sev2 Payments failing' });
      expect(response.status).toBe(200);
      expect(ephemeralText(response.body)).toMatch(/Declaring INC-1: Payments failing/);

      const channel = await box.sim.waitFor(() => box.sim.channelByName('inc-1-payments-failing'), { what: 'the incident channel' });
      await box.sim.waitFor(() => box.sim.ephemeralsFor(U_ALICE).find((e) => e.text.includes(`<#${channel.id}>`)), {
        what: 'the declarer told where the channel is',
      });
      expect(channel.members.has(U_ALICE)).toBe(true);
      expect(channel.isPrivate).toBe(false);
      const [summary] = channel.messages;
      expect(summary?.text).toMatch(/INC-1: Payments failing \(SEV2, Investigating\)/);
      expect(channel.pins.has(summary!.ts)).toBe(true);

      const incident = (await box.store.queries.findIncident(1));
      expect(incident).toMatchObject({ title: 'Payments failing', severity: 'sev2', status: 'investigating', channelId: channel.id, declaredBy: U_ALICE });
      expect(box.sim.callsOf('conversations.create')).toHaveLength(1);
    });

    it('declares at sev3 when no severity is given', async () => {
      await box.declare(U_BOB, 'declare Login page slow');
      expect((await box.store.queries.findIncident(1))).toMatchObject({ severity: 'sev3', title: 'Login page slow' });
    });

    it('takes a suffix when the channel name is taken, and still makes one channel and one incident', async () => {
      box.sim.addChannel({ name: 'inc-1-payments-failing' });
      const channel = await box.declare(U_ALICE, 'declare sev1 Payments failing');
      expect(channel.name).toBe('inc-1-payments-failing-2');
      expect(box.sim.callsOf('conversations.create').filter((call) => call.ok)).toHaveLength(1);
      expect((await box.store.queries.findIncident(2))).toBeNull();
    });

    it('makes one incident when the same command arrives twice', async () => {
      const general = box.sim.channelByName('general')!.id;
      const first = await box.driver.command({ userId: U_ALICE, channelId: general, text: 'declare sev2 Twice', triggerId: 'T-same' });
      const second = await box.driver.command({ userId: U_ALICE, channelId: general, text: 'declare sev2 Twice', triggerId: 'T-same' });
      expect(ephemeralText(second.body)).toMatch(/already declared/);
      expect(first.status).toBe(200);
      await box.sim.waitFor(() => box.sim.channelByName('inc-1-twice')?.pins.size, { what: 'the channel' });
      await box.sitrep.ctx.tasks.idle();
      expect(box.sim.callsOf('conversations.create')).toHaveLength(1);
      expect((await box.store.queries.findIncident(2))).toBeNull();
    });
    it('reads the title as Slack encodes it, and shows it as typed', async () => {
      const channel = await box.declare(U_ALICE, 'declare sev2 Refunds &amp; payouts &lt;EU&gt;');
      expect(channel.name).toBe('inc-1-refunds-payouts-eu');
      expect((await box.store.queries.findIncident(1))?.title).toBe('Refunds & payouts <EU>');
      expect(channel.messages[0]?.text).toContain('INC-1: Refunds &amp; payouts &lt;EU&gt;');
    });
  });

  describe('declare with the modal', () => {
    it('opens the form, and its submission declares with summary, impact and severity', async () => {
      const general = box.sim.channelByName('general')!.id;
      const opened = await box.driver.command({ userId: U_CAROL, channelId: general, text: 'declare' });
      expect(opened.status).toBe(200);
      expect(box.sim.modalsFor(U_CAROL)).toHaveLength(1);

      const submitted = await box.driver.submitView({
        userId: U_CAROL,
        values: {
          title: { title: { type: 'plain_text_input', value: 'Checkout errors' } },
          severity: { severity: { type: 'static_select', selected_option: { value: 'sev1', text: { type: 'plain_text', text: 'SEV1' } } } },
          summary: { summary: { type: 'plain_text_input', value: 'Card payments fail with 502.' } },
          impact: { impact: { type: 'plain_text_input', value: 'About 40% of checkouts in the EU.' } },
          private: { private: { type: 'checkboxes', selected_options: [] } },
        },
      });
      expect(submitted.status).toBe(200);
      const channel = await box.openedChannel('inc-1-checkout-errors');
      expect(channel.members.has(U_CAROL)).toBe(true);
      const blocks = JSON.stringify(channel.messages[0]?.blocks);
      expect(blocks).toContain('Card payments fail with 502.');
      expect(blocks).toContain('About 40% of checkouts in the EU.');
      expect((await box.store.queries.findIncident(1))).toMatchObject({
        severity: 'sev1',
        summary: 'Card payments fail with 502.',
        impact: 'About 40% of checkouts in the EU.',
        isPrivate: false,
      });
      // The form's words are the first version of each, as `/incident summary` and `impact` would record them.
      const declaredAt = (await box.store.queries.findIncident(1))!.declaredAt;
      expect((await box.store.queries.listEvents(1)).filter((event) => event.kind !== 'declared')).toEqual([
        { kind: 'summary', at: declaredAt, actorId: U_CAROL, text: 'Card payments fail with 502.' },
        { kind: 'impact', at: declaredAt, actorId: U_CAROL, text: 'About 40% of checkouts in the EU.' },
      ]);
    });

    it('refuses a blank title in the form and declares nothing', async () => {
      const general = box.sim.channelByName('general')!.id;
      await box.driver.command({ userId: U_CAROL, channelId: general, text: 'declare' });
      const submitted = await box.driver.submitView({
        userId: U_CAROL,
        values: { title: { title: { type: 'plain_text_input', value: '   ' } } },
      });
      expect(submitted.body).toMatchObject({ response_action: 'errors', errors: { title: expect.any(String) } });
      expect((await box.store.queries.findIncident(1))).toBeNull();
    });

    it('makes a private channel for a private incident', async () => {
      const channel = await box.declarePrivate(U_CAROL, 'Leaked key', 'inc-1-leaked-key');
      expect(channel.isPrivate).toBe(true);
      // Left blank in the form: nothing was said, so nothing is recorded.
      expect((await box.store.queries.listEvents(1)).map((event) => event.kind)).toEqual(['declared']);
    });
  });

  describe('record, mark, resolve, draft, export', () => {
    it('records every message, marks by reaction, and uploads a draft equal to the export', async () => {
      const channel = await box.declare(U_ALICE, 'declare sev2 Payments failing');
      const say = async (userId: string, text: string) => (await box.driver.message({ channelId: channel.id, userId, text })).ts;

      const alert = await say(U_BOB, 'PagerDuty: *checkout-api* 5xx rate above 20% &amp; climbing');
      const chatter = await say(U_CAROL, 'looking at dashboards');
      const cause = await say(U_ALICE, 'Deploy 4821 changed the <https://github.com/acme/pay/pull/99|gateway timeout> to 50ms');
      const fix = await say(U_BOB, 'rolling back 4821');
      const recovered = await say(U_BOB, 'error rate back to baseline');
      const followUp = await say(U_CAROL, 'we need a canary for config changes');
      const unmarked = await say(U_ALICE, 'thanks all');

      for (const [ts, name, user] of [
        [alert, 'bell', U_ALICE],
        [cause, 'bulb', U_CAROL],
        [fix, 'hammer_and_wrench', U_ALICE],
        [recovered, 'white_check_mark', U_ALICE],
        [followUp, 'memo', U_ALICE],
        [chatter, 'mag', U_ALICE],
        [unmarked, 'pushpin', U_BOB],
      ] as const) {
        expect((await box.driver.react({ channelId: channel.id, ts, userId: user, name })).status).toBe(200);
      }
      // A second person's mark keeps it marked when the first takes theirs back;
      // the last one taken back unmarks it.
      await box.driver.react({ channelId: channel.id, ts: chatter, userId: U_BOB, name: 'mag' });
      await box.driver.unreact({ channelId: channel.id, ts: chatter, userId: U_ALICE, name: 'mag' });
      await box.driver.unreact({ channelId: channel.id, ts: unmarked, userId: U_BOB, name: 'pushpin' });

      const stored = (await box.store.queries.listRecordedMessages(1));
      expect(stored.map((row) => row.ts).sort()).toEqual([alert, chatter, cause, fix, recovered, followUp, unmarked].sort());

      const resolved = await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve Rolled back deploy 4821; payments recovered.' });
      expect(ephemeralText(resolved.body)).toMatch(/Resolved INC-1/);
      const file = await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((f) => f.uploaded), { what: 'the uploaded draft' });
      expect(file.name).toBe('INC-1-postmortem.md');
      expect(box.sim.messages(channel.id).some((m) => /resolved INC-1/.test(m.text))).toBe(true);
      expect((await box.store.queries.findIncident(1))).toMatchObject({ status: 'resolved', resolutionSummary: 'Rolled back deploy 4821; payments recovered.' });

      const draft = file.content;
      expect(draft.startsWith('# INC-1: Payments failing\n')).toBe(true);
      const headings = draft.split('\n').filter((line) => line.startsWith('## '));
      expect(headings).toEqual([
        '## Summary',
        '## Impact',
        '## Milestones',
        '## Timeline',
        '## Detection',
        '## Root cause',
        '## Mitigation and resolution',
        '## Status updates',
        '## Follow-up actions',
        '## Lessons learned',
        '## Participants',
        '## Transcript',
      ]);
      const timeline = section(draft, 'Timeline');
      expect(timeline).toContain('checkout-api');
      expect(timeline).toContain('looking at dashboards');
      expect(timeline).not.toContain('thanks all');
      expect(section(draft, 'Transcript')).toContain('thanks all');
      expect(timeline).toMatch(/declared/i);
      expect(timeline).toMatch(/UTC/);
      expect(section(draft, 'Detection')).toContain('5xx rate above 20% & climbing');
      expect(section(draft, 'Root cause')).toContain('[gateway timeout](https://github.com/acme/pay/pull/99)');
      expect(section(draft, 'Mitigation and resolution')).toContain('rolling back 4821');
      expect(section(draft, 'Mitigation and resolution')).toContain('error rate back to baseline');
      expect(section(draft, 'Follow-up actions')).toContain('we need a canary for config changes');
      expect(section(draft, 'Summary')).toContain('Rolled back deploy 4821; payments recovered.');
      expect(section(draft, 'Participants')).toContain('Alice');
      expect(draft).not.toMatch(/U_ALICE|U_BOB|U_CAROL/);

      const exported = await box.exportCli('INC-1');
      expect(exported.stderr).toBe('');
      expect(exported.code).toBe(0);
      expect(exported.stdout).toBe(draft);
    });

    it('keeps hostile message text inside its timeline entry', async () => {
      const channel = await box.declare(U_ALICE, 'declare Hostile text');
      const { ts } = await box.driver.message({
        channelId: channel.id,
        userId: U_BOB,
        text: '## Root cause\n<!channel> | table | <script>alert(1)</script>\n---\n> quoted',
      });
      await box.driver.react({ channelId: channel.id, ts, userId: U_ALICE, name: 'pushpin' });
      const { stdout } = await box.exportCli('1');
      expect(stdout.split('\n').filter((line) => line.startsWith('## Root cause'))).toHaveLength(1);
      expect(stdout).not.toContain('<script>');
      expect(stdout).not.toContain('<!channel>');
      expect(section(stdout, 'Timeline')).toContain('@channel');
    });

    it('keeps a reaction that arrives before its message and applies it when the message comes', async () => {
      const channel = await box.declare(U_ALICE, 'declare Early reaction');
      const ts = box.sim.nextTs();
      await box.driver.react({ channelId: channel.id, ts, userId: U_BOB, name: 'bulb' });
      await box.driver.message({ channelId: channel.id, userId: U_ALICE, text: 'the cache was cold', ts });
      const exported = await box.exportCli('1');
      expect(section(exported.stdout, 'Root cause')).toContain('the cache was cold');
    });

    it('stores a message once however often Slack delivers it', async () => {
      const channel = await box.declare(U_ALICE, 'declare Retries');
      const { ts } = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'only once' });
      const event = { type: 'message', channel: channel.id, user: U_BOB, text: 'only once', ts, event_ts: ts, channel_type: 'channel' };
      expect((await box.driver.event(event, { eventId: 'Ev1', retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
      expect((await box.driver.event(event, { eventId: 'Ev2' })).status).toBe(200);
      expect((await box.store.queries.listRecordedMessages(1)).filter((row) => row.ts === ts)).toHaveLength(1);
    });

    it('answers 200 and records nothing for channels that are not incidents', async () => {
      const general = box.sim.channelByName('general')!.id;
      const { status, ts } = await box.driver.message({ channelId: general, userId: U_BOB, text: 'lunch?' });
      expect(status).toBe(200);
      expect((await box.driver.react({ channelId: general, ts, userId: U_ALICE, name: 'pushpin' })).status).toBe(200);
      expect((await box.store.queries.listRecordedMessages(1))).toEqual([]);
    });

    it('answers a second resolve without changing anything, and regenerates the draft on request', async () => {
      const channel = await box.declare(U_ALICE, 'declare Twice resolved');
      await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve' });
      await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((f) => f.uploaded), { what: 'the first draft' });
      const again = await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve' });
      expect(ephemeralText(again.body)).toMatch(/already resolved/);
      await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'postmortem' });
      await box.sim.waitFor(() => box.sim.filesIn(channel.id).filter((f) => f.uploaded).length === 2 || undefined, { what: 'the second draft' });
      const [first, second] = box.sim.filesIn(channel.id);
      expect(second?.content).toBe(first?.content);
    });
  });

  describe('bad input changes nothing', () => {
    it.each([
      ['explode', /`explode` is not an incident command/],
      ['declare sev9 Boom', /`sev9` is not a severity/],
      ['resolve', /works in an incident's channel/],
      ['postmortem', /works in an incident's channel/],
    ])('"/incident %s" gets an ephemeral explanation', async (text, message) => {
      const response = await box.driver.command({ userId: U_ALICE, channelId: box.sim.channelByName('general')!.id, text });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(message) });
      expect((await box.store.queries.findIncident(1))).toBeNull();
      expect(box.sim.calls.filter((call) => !['auth.test', 'apps.connections.open', 'socket_mode'].includes(call.method))).toEqual([]);
    });

    it.runIf(transport === 'http')('refuses unsigned, forged and stale requests with 401 and stores nothing', async () => {
      const channel = await box.declare(U_ALICE, 'declare Signed only');
      const event = JSON.stringify({
        type: 'event_callback',
        team_id: 'T_SITREP',
        event_id: 'EvForged',
        event: { type: 'message', channel: channel.id, user: U_BOB, text: 'forged', ts: '1700000000.000100' },
      });
      const stale = Math.floor(Date.now() / 1000) - 10 * 60;
      const unsigned = await box.driver.raw({ body: event, contentType: 'application/json' });
      const forged = await box.driver.raw({ body: event, contentType: 'application/json', sign: { secret: 'not-the-secret' } });
      const old = await box.driver.raw({ body: event, contentType: 'application/json', sign: { timestamp: stale } });
      expect([unsigned.status, forged.status, old.status]).toEqual([401, 401, 401]);
      expect((await box.store.queries.listRecordedMessages(1))).toEqual([]);
    });

    it('lists open incidents anywhere and shows help', async () => {
      await box.declare(U_ALICE, 'declare sev1 First');
      const general = box.sim.channelByName('general')!.id;
      const list = await box.driver.command({ userId: U_BOB, channelId: general, text: 'list' });
      expect(ephemeralText(list.body)).toMatch(/INC-1\* First · SEV1 · Investigating/);
      const help = await box.driver.command({ userId: U_BOB, channelId: general, text: '' });
      expect(ephemeralText(help.body)).toMatch(/declare \[sev1\.\.sev4\] <title>/);
    });
  });

  describe('health', () => {
    it('answers GET /healthz', async () => {
      const response = await fetch(box.appUrl.replace('/slack/events', '/healthz'));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
    });
  });
});
