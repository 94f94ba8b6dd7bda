// Timeline fidelity under what Slack really sends: edits, deletes, threads,
// re-deliveries, out-of-order events, bots, files and joins.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postmortemCli } from '../../src/cli/postmortem.js';
import { BOT_ID, BOT_USER_ID, U_ALICE, U_BOB, U_CAROL, U_DAN } from '../../harness/simulator/constants.js';
import { SlackDriver } from '../../harness/simulator/driver.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { TestClock } from '../support/clock.js';
import { section } from '../support/markdown.js';
import { rowsOf } from '../support/tables.js';
import { startTestSandbox, STORES, type TestSandbox } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  let box: TestSandbox;
  let clock: TestClock;
  let channel: SimChannel;

  beforeEach(async () => {
    clock = new TestClock(Date.parse('2024-04-09T06:40:00Z'));
    box = await startTestSandbox({ store, now: clock.now });
    channel = await box.declare(U_ALICE, 'declare sev2 Database upgrade stuck');
    await box.sitrep.ctx.tasks.idle();
  });

  afterEach(async () => {
    expect(box.errors()).toEqual([]);
    await box.close();
  });

  async function say(userId: string, text: string, options: { threadTs?: string } = {}): Promise<string> {
    clock.advance(1);
    const { ts, status } = await box.driver.message({ channelId: channel.id, userId, text, ...options });
    expect(status).toBe(200);
    return ts;
  }

  async function mark(ts: string, name = 'pushpin', userId = U_ALICE): Promise<void> {
    expect((await box.driver.react({ channelId: channel.id, ts, userId, name })).status).toBe(200);
  }

  async function draft(): Promise<string> {
    const exported = await box.exportCli('1');
    expect(exported.stderr).toBe('');
    return exported.stdout;
  }

  async function exportJson(): Promise<{
    timeline: Array<{ ts: string; text: string; deleted: boolean; categories: string[]; reactions: Array<{ name: string; userId: string }>; author: string | null }>;
    milestones: Record<string, number>;
    events: Array<{ kind: string }>;
    incident: { title: string };
  }> {
    const exported = await box.exportCli('1', '--format', 'json');
    expect(exported.code).toBe(0);
    return JSON.parse(exported.stdout) as Awaited<ReturnType<typeof exportJson>>;
  }

  describe('edits and deletes', () => {
    it('shows the edited text and keeps the edit time', async () => {
      const ts = await say(U_BOB, 'replica lag is 5 minutes');
      await mark(ts, 'mag');
      clock.advance(2);
      expect((await box.driver.edit({ channelId: channel.id, ts, text: 'replica lag is 50 minutes' })).status).toBe(200);
      const row = (await rowsOf(box, 'messages')).find((message) => message.ts === ts);
      expect(row?.text).toBe('replica lag is 50 minutes');
      expect(row?.editedAt).toBeGreaterThan(row?.postedAt ?? Infinity);
      const timeline = section(await draft(), 'Timeline');
      expect(timeline).toContain('Bob Example (edited): replica lag is 50 minutes');
      expect(timeline).not.toContain('5 minutes');
    });

    it('removes deleted text from the timeline and both exports', async () => {
      const ts = await say(U_BOB, 'the password is hunter2');
      await mark(ts, 'bulb');
      expect((await box.driver.delete({ channelId: channel.id, ts })).status).toBe(200);
      expect(await draft()).not.toContain('hunter2');
      const json = await exportJson();
      expect(JSON.stringify(json)).not.toContain('hunter2');
      expect(json.timeline.find((message) => message.ts === ts)).toMatchObject({ deleted: true, text: '' });
    });

    it('replaces a posted draft that quoted a message deleted after resolve', async () => {
      const ts = await say(U_BOB, 'token xoxp-secret-123 works');
      await mark(ts, 'bulb');
      await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve done' });
      const first = await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((file) => file.uploaded), { what: 'the first draft' });
      expect(first.content).toContain('xoxp-secret-123');

      await box.driver.delete({ channelId: channel.id, ts });
      const second = await box.sim.waitFor(
        () => box.sim.filesIn(channel.id).find((file) => file.uploaded && file.id !== first.id),
        { what: 'a replacement draft' },
      );
      await box.sitrep.ctx.tasks.idle();
      expect(second.content).not.toContain('xoxp-secret-123');
      expect(box.sim.files.has(first.id)).toBe(false);
      expect(box.sim.filesIn(channel.id).map((file) => file.id)).toEqual([second.id]);
    });

    it('applies an edit and a delete that arrive before their message', async () => {
      const edited = box.sim.nextTs();
      const deleted = box.sim.nextTs();
      await box.driver.event({
        type: 'message',
        subtype: 'message_changed',
        channel: channel.id,
        ts: box.sim.nextTs(),
        message: { type: 'message', user: U_BOB, text: 'final wording', ts: edited, edited: { user: U_BOB, ts: box.sim.nextTs() } },
      });
      await box.driver.event({ type: 'message', subtype: 'message_deleted', channel: channel.id, ts: box.sim.nextTs(), deleted_ts: deleted });
      await box.driver.event({ type: 'message', channel: channel.id, user: U_BOB, text: 'first wording', ts: edited });
      await box.driver.event({ type: 'message', channel: channel.id, user: U_BOB, text: 'secret', ts: deleted });
      await mark(edited);
      await mark(deleted);
      const markdown = await draft();
      expect(section(markdown, 'Timeline')).toContain('final wording');
      expect(markdown).not.toContain('first wording');
      expect(markdown).not.toContain('secret');
    });
  });

  describe('threads, order and re-deliveries', () => {
    it('records replies with their parent, and a reaction on a reply marks the reply', async () => {
      const parent = await say(U_BOB, 'is the primary healthy?');
      const reply = await say(U_CAROL, 'no: disk full on the primary', { threadTs: parent });
      await mark(reply, 'bulb');
      const row = (await rowsOf(box, 'messages')).find((message) => message.ts === reply);
      expect(row?.threadTs).toBe(parent);
      const markdown = await draft();
      expect(section(markdown, 'Root cause')).toContain('no: disk full on the primary');
      expect(section(markdown, 'Timeline')).toContain('Carol Example (in thread): no: disk full on the primary');
      expect(section(markdown, 'Timeline')).not.toContain('is the primary healthy?');
    });

    it('orders the timeline by Slack ts, not by arrival', async () => {
      const early = box.sim.nextTs();
      clock.advance(5);
      const late = box.sim.nextTs();
      await box.driver.event({ type: 'message', channel: channel.id, user: U_BOB, text: 'second thing', ts: late });
      await box.driver.event({ type: 'message', channel: channel.id, user: U_BOB, text: 'first thing', ts: early });
      await mark(late);
      await mark(early);
      const timeline = section(await draft(), 'Timeline');
      expect(timeline.indexOf('first thing')).toBeLessThan(timeline.indexOf('second thing'));
    });

    it('ignores a late re-delivery of an event already handled, so it cannot undo a later change', async () => {
      const ts = await say(U_BOB, 'marked then unmarked');
      const added = { type: 'reaction_added', user: U_ALICE, reaction: 'bulb', item: { type: 'message', channel: channel.id, ts }, event_ts: box.sim.nextTs() };
      const removed = { ...added, type: 'reaction_removed', event_ts: box.sim.nextTs() };
      await box.driver.event(added, { eventId: 'EvAdd' });
      await box.driver.event(removed, { eventId: 'EvRemove' });
      expect((await box.driver.event(added, { eventId: 'EvAdd', retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
      expect(section(await draft(), 'Root cause')).not.toContain('marked then unmarked');
    });

    it('keeps who marked what', async () => {
      const ts = await say(U_BOB, 'failover started');
      await mark(ts, 'hammer_and_wrench', U_ALICE);
      await mark(ts, 'hammer_and_wrench', U_CAROL);
      await mark(ts, 'pushpin', U_DAN);
      const entry = (await exportJson()).timeline.find((message) => message.ts === ts);
      expect(entry?.categories).toEqual(['key', 'mitigation']);
      expect(entry?.reactions).toEqual(
        expect.arrayContaining([
          { name: 'hammer_and_wrench', userId: U_ALICE },
          { name: 'hammer_and_wrench', userId: U_CAROL },
          { name: 'pushpin', userId: U_DAN },
        ]),
      );
    });
  });

  describe('other kinds of message', () => {
    it('records an integration by its name, with text from its attachments', async () => {
      const ts = box.sim.nextTs();
      await box.driver.event({
        type: 'message',
        subtype: 'bot_message',
        channel: channel.id,
        bot_id: 'B_PAGERDUTY',
        username: 'PagerDuty',
        text: '',
        attachments: [{ fallback: 'Triggered: core-api error rate > 5%' }],
        ts,
      });
      await mark(ts, 'bell');
      const detection = section(await draft(), 'Detection');
      expect(detection).toContain('PagerDuty:');
      expect(detection).toContain('Triggered: core-api error rate > 5%');
    });

    it("does not record sitrep's own posts, which are already timeline events", async () => {
      const echoing = new SlackDriver({
        appUrl: box.appUrl,
        signingSecret: box.config.signingSecret ?? '',
        simulator: box.sim,
        echoBotMessages: true,
      });
      await echoing.command({ userId: U_ALICE, channelId: channel.id, text: 'status identified replica out of sync' });
      await box.sitrep.ctx.tasks.idle();
      await echoing.idle();
      expect(box.sim.messages(channel.id).some((message) => message.botId === BOT_ID && /Identified/.test(message.text))).toBe(true);
      const rows = (await rowsOf(box, 'messages'));
      expect(rows.filter((row) => row.userId === BOT_USER_ID || row.botId === BOT_ID)).toEqual([]);
      expect(section(await draft(), 'Timeline').match(/Identified/g)).toHaveLength(1);
      echoing.close();
    });

    it('records a file share with the file name and link', async () => {
      const ts = box.sim.nextTs();
      await box.driver.event({
        type: 'message',
        subtype: 'file_share',
        channel: channel.id,
        user: U_CAROL,
        text: 'replica lag graph',
        files: [{ id: 'F1', name: 'lag.png', permalink: 'https://sitrep-sim.slack.com/files/U_CAROL/F1/lag.png' }],
        ts,
      });
      await mark(ts, 'mag');
      expect(section(await draft(), 'Timeline')).toContain('Shared file: [lag.png](https://sitrep-sim.slack.com/files/U_CAROL/F1/lag.png)');
    });

    it('counts people who joined as participants', async () => {
      await box.driver.event({ type: 'message', subtype: 'channel_join', channel: channel.id, user: U_DAN, text: '<@U_DAN> has joined the channel', ts: box.sim.nextTs() });
      await box.sitrep.ctx.tasks.idle();
      const participants = section(await draft(), 'Participants');
      // Person, joined, messages, commands, roles.
      expect(participants).toMatch(/\| Dan Example +\| \d\d:\d\d UTC +\| 0 +\| 0 +\| — +\|/);
    });
  });

  describe('people and exports', () => {
    it('shows names, never raw ids, for authors, mentions and owners', async () => {
      const ts = await say(U_BOB, 'asking <@U_DAN> to check the replicas');
      await mark(ts, 'mag');
      await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'action Replica runbook <@U_CAROL|carol>' });
      await box.sitrep.ctx.tasks.idle();
      const markdown = await draft();
      expect(markdown).toContain('asking @Dan Example to check the replicas');
      expect(section(markdown, 'Follow-up actions')).toMatch(/\| Replica runbook +\| .* \| Carol Example +\|/);
      expect(markdown).not.toMatch(/U_(ALICE|BOB|CAROL|DAN)/);
    });

    it('gives the incident, its milestones and every message as JSON, and writes files with --out', async () => {
      const marked = await say(U_BOB, 'marked');
      await say(U_CAROL, 'unmarked');
      await mark(marked);
      clock.set('2024-04-09T07:00:00Z');
      await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'timestamp impact-started 06:45' });
      await box.sitrep.ctx.tasks.idle();
      const json = await exportJson();
      expect(json.incident.title).toBe('Database upgrade stuck');
      expect(json.milestones).toEqual({ 'impact-started': Date.parse('2024-04-09T06:45:00Z') });
      expect(json.timeline.map((message) => message.text)).toEqual(['marked', 'unmarked']);
      expect(json.timeline.map((message) => message.author)).toEqual(['Bob Example', 'Carol Example']);
      expect(json.events.map((event) => event.kind)).toEqual(['declared', 'milestone']);

      const out = join(box.dir, 'INC-1.md');
      // The one export run as a user runs it (npm, its own process: on SQLite; the store
      // is below the command line); the others call the same command in this process.
      const written = store === 'sqlite' ? await box.exportProcess('1', '--out', out) : await box.exportCli('1', '--out', out);
      expect(written.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(await draft());
    });

    it('refuses a bad export request with a usage line', async () => {
      for (const args of [['INC-99'], ['nope'], ['1', '--tz', 'Mars/Base'], ['1', '--format', 'pdf']]) {
        const result = await box.exportCli(...args);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/usage: npm run postmortem/);
      }
    });

    it('reads INCIDENT_UPDATE_REMINDER_MINUTES as the bot does, and refuses a malformed one', async () => {
      let stderr = '';
      const io = { stdout: () => undefined, stderr: (text: string) => (stderr += text) };
      const env = { DATABASE_PATH: box.databasePath, ...(box.databaseUrl ? { DATABASE_URL: box.databaseUrl } : {}), INCIDENT_UPDATE_REMINDER_MINUTES: 'often' };
      expect(await postmortemCli(['1'], env, io)).toBe(2);
      expect(stderr).toMatch(/^postmortem: INCIDENT_UPDATE_REMINDER_MINUTES .*\(got "often"\)\nusage: npm run postmortem/);
      expect(await postmortemCli(['1'], { ...env, INCIDENT_UPDATE_REMINDER_MINUTES: '45' }, io)).toBe(0);
    });
  });

  describe('a delete after the draft was posted', () => {
    it('replaces the draft even when the mark was taken back before the delete', async () => {
      const ts = await say(U_BOB, 'password=hunter2');
      await mark(ts, 'pushpin');
      await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'resolve done' });
      const first = await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((file) => file.uploaded), { what: 'the draft' });
      expect(first.content).toContain('hunter2');
      await box.driver.unreact({ channelId: channel.id, ts, userId: U_ALICE, name: 'pushpin' });
      await box.driver.delete({ channelId: channel.id, ts });
      await box.sitrep.ctx.tasks.idle();
      const live = box.sim.filesIn(channel.id);
      expect(live).toHaveLength(1);
      expect(live[0]?.content).not.toContain('hunter2');
    });
  });

  describe('configured reactions', () => {
    it('marks with the emoji INCIDENT_REACTIONS adds', async () => {
      const configured = await startTestSandbox({ store, env: { INCIDENT_REACTIONS: 'fire=cause' } });
      try {
        const incidentChannel = await configured.declare(U_ALICE, 'declare Configured');
        const { ts } = await configured.driver.message({ channelId: incidentChannel.id, userId: U_BOB, text: 'the cert expired' });
        await configured.driver.react({ channelId: incidentChannel.id, ts, userId: U_ALICE, name: 'fire' });
        await configured.driver.command({ userId: U_ALICE, channelId: incidentChannel.id, text: 'resolve' });
        const file = await configured.sim.waitFor(() => configured.sim.filesIn(incidentChannel.id).find((f) => f.uploaded), { what: 'the draft' });
        expect(section(file.content, 'Root cause')).toContain('the cert expired');
      } finally {
        await configured.close();
      }
    });
  });
});
