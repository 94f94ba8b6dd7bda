import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import {
  BOT_ID,
  BOT_USER_ID,
  TEAM_ID,
  U_ALICE,
  U_BOB,
  startSlackSimulator,
} from '../../../harness/simulator/index.js';
import type { SlackSimulator } from '../../../harness/simulator/index.js';
import { webClientFor } from './helpers.js';

let sim: SlackSimulator;
let web: WebClient;

beforeEach(async () => {
  sim = await startSlackSimulator();
  web = webClientFor(sim);
});

afterEach(async () => {
  await sim.close();
});

describe('auth', () => {
  it('answers auth.test as the bot', async () => {
    const result = await web.auth.test();
    expect(result).toMatchObject({ ok: true, user_id: BOT_USER_ID, bot_id: BOT_ID, team_id: TEAM_ID });
  });

  it('refuses calls without a token, and records them', async () => {
    const response = await fetch(`${sim.apiUrl}auth.test`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: false, error: 'not_authed' });
    expect(sim.lastCall('auth.test')).toMatchObject({ ok: false, error: 'not_authed' });
  });

  it('refuses a token that is not a bot or user token', async () => {
    await expect(webClientFor(sim, 'nonsense').auth.test()).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
  });

  it('accepts only the pinned token when one is given', async () => {
    const pinned = await startSlackSimulator({ botToken: 'xoxb-pinned' });
    try {
      await expect(webClientFor(pinned, 'xoxb-other').auth.test()).rejects.toMatchObject({
        data: { error: 'invalid_auth' },
      });
      await expect(webClientFor(pinned).auth.test()).resolves.toMatchObject({ ok: true });
    } finally {
      await pinned.close();
    }
  });

  it('answers unknown methods with unknown_method and records them', async () => {
    await expect(web.apiCall('incidents.declare', {})).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    expect(sim.callsOf('incidents.declare')).toHaveLength(1);
  });

  it('takes JSON bodies as well as form-encoded ones', async () => {
    const channel = sim.addChannel({ name: 'ops' });
    const response = await fetch(`${sim.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: channel.id, text: 'hi', blocks: [{ type: 'divider' }] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: channel.id });
    expect(sim.messages(channel.id)[0]).toMatchObject({ text: 'hi', blocks: [{ type: 'divider' }] });
  });
});

describe('channels', () => {
  it('creates a channel with the bot as creator and member', async () => {
    const result = await web.conversations.create({ name: 'inc-1-db-down', is_private: true });
    expect(result.channel).toMatchObject({ name: 'inc-1-db-down', is_private: true, creator: BOT_USER_ID });
    const channel = sim.channelByName('inc-1-db-down');
    expect(channel?.id).toBe(result.channel?.id);
    expect(channel?.isPrivate).toBe(true);
    expect([...(channel?.members ?? [])]).toEqual([BOT_USER_ID]);
  });

  it('refuses a taken name', async () => {
    await web.conversations.create({ name: 'inc-1-db-down' });
    await expect(web.conversations.create({ name: 'inc-1-db-down' })).rejects.toMatchObject({
      data: { error: 'name_taken' },
    });
    expect(sim.callsOf('conversations.create').map((c) => c.ok)).toEqual([true, false]);
  });

  it.each([
    ['Inc-1', 'invalid_name_specials'],
    ['inc 1', 'invalid_name_specials'],
    ['inc.1', 'invalid_name_specials'],
    ['a'.repeat(81), 'invalid_name_maxlength'],
    ['', 'invalid_name_required'],
    ['---', 'invalid_name_punctuation'],
  ])('refuses the name %j with %s', async (name, error) => {
    await expect(web.conversations.create({ name })).rejects.toMatchObject({ data: { error } });
    expect(sim.channels.size).toBe(0);
  });

  it('accepts a name of exactly 80 characters', async () => {
    await expect(web.conversations.create({ name: 'a'.repeat(80) })).resolves.toMatchObject({ ok: true });
  });

  it('invites users, and refuses an invite in which nobody is new', async () => {
    const { channel } = await web.conversations.create({ name: 'inc-2' });
    const id = channel?.id ?? '';
    await web.conversations.invite({ channel: id, users: `${U_ALICE},${U_BOB}` });
    expect(sim.channel(id)?.members).toEqual(new Set([BOT_USER_ID, U_ALICE, U_BOB]));
    await expect(web.conversations.invite({ channel: id, users: U_ALICE })).rejects.toMatchObject({
      data: { error: 'already_in_channel' },
    });
    await expect(web.conversations.invite({ channel: id, users: 'U_NOBODY' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
  });

  it('hides private channels the bot is not in, and lets it join public ones', async () => {
    const secret = sim.addChannel({ name: 'secret', isPrivate: true, members: [U_ALICE], botIsMember: false });
    const open = sim.addChannel({ name: 'general', members: [U_ALICE], botIsMember: false });
    await expect(web.conversations.info({ channel: secret.id })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    await expect(web.chat.postMessage({ channel: open.id, text: 'hi' })).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    await web.conversations.join({ channel: open.id });
    const members = await web.conversations.members({ channel: open.id });
    expect(members.members).toEqual([U_ALICE, BOT_USER_ID]);
  });
});

describe('messages', () => {
  it('posts, updates and pins a message', async () => {
    const channel = sim.addChannel({ name: 'ops' });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*INC-1* declared' } }];
    const posted = await web.chat.postMessage({ channel: channel.id, text: 'INC-1 declared', blocks });
    expect(posted).toMatchObject({ ok: true, channel: channel.id, message: { bot_id: BOT_ID, text: 'INC-1 declared' } });
    expect(posted.ts).toMatch(/^\d+\.\d{6}$/);
    // WebClient form-encodes blocks as a JSON string; the simulator decodes it.
    expect(sim.lastCall('chat.postMessage')?.args.blocks).toEqual(blocks);

    await web.chat.update({ channel: channel.id, ts: posted.ts ?? '', text: 'INC-1 resolved' });
    await web.pins.add({ channel: channel.id, timestamp: posted.ts ?? '' });
    const [message] = sim.messages(channel.id);
    expect(message).toMatchObject({ ts: posted.ts, user: BOT_USER_ID, botId: BOT_ID, text: 'INC-1 resolved', blocks });
    // Slack marks an app's edit with its bot id (recordings: `edited.user` is the B… id).
    expect(message?.edited?.user).toBe(BOT_ID);
    expect(sim.channel(channel.id)?.pins.has(posted.ts ?? '')).toBe(true);

    await expect(web.pins.add({ channel: channel.id, timestamp: posted.ts ?? '' })).rejects.toMatchObject({
      data: { error: 'already_pinned' },
    });
  });

  it('keeps text that merely looks like JSON as text', async () => {
    const channel = sim.addChannel({ name: 'ops' });
    await web.chat.postMessage({ channel: channel.id, text: '[1,2] {"a":1}' });
    expect(sim.messages(channel.id)[0]?.text).toBe('[1,2] {"a":1}');
  });

  it('refuses unknown channels, empty messages and blocks Slack would refuse', async () => {
    const channel = sim.addChannel({ name: 'ops' });
    await expect(web.chat.postMessage({ channel: 'C_NOPE', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    await expect(web.chat.postMessage({ channel: channel.id, text: '' })).rejects.toMatchObject({
      data: { error: 'no_text' },
    });
    await expect(
      web.chat.postMessage({
        channel: channel.id,
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    expect(sim.messages(channel.id)).toHaveLength(0);
  });

  it('refuses to update a message not found or not the bot’s', async () => {
    const channel = sim.addChannel({ name: 'ops', members: [U_ALICE] });
    const theirs = sim.addMessage({ channel: channel.id, user: U_ALICE, text: 'mine' });
    await expect(web.chat.update({ channel: channel.id, ts: theirs.ts, text: 'x' })).rejects.toMatchObject({
      data: { error: 'cant_update_message' },
    });
    await expect(web.chat.update({ channel: channel.id, ts: '1.000000', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
  });

  it('gives every message a unique ts in order, even on a frozen clock', async () => {
    const frozen = await startSlackSimulator({ now: () => 1_712_600_000_000 });
    try {
      const channel = frozen.addChannel({ name: 'ops' });
      const client = webClientFor(frozen);
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => client.chat.postMessage({ channel: channel.id, text: `m${i}` })),
      );
      const tss = results.map((r) => r.ts ?? '');
      expect(new Set(tss).size).toBe(5);
      expect(frozen.messages(channel.id).map((m) => m.ts)).toEqual([...tss].sort());
      expect(frozen.messages(channel.id)[0]?.ts).toBe('1712600000.000000');
    } finally {
      await frozen.close();
    }
  });

  it('posts an ephemeral only to a member of the channel', async () => {
    const channel = sim.addChannel({ name: 'ops', members: [U_ALICE] });
    const result = await web.chat.postEphemeral({ channel: channel.id, user: U_ALICE, text: 'only you' });
    expect(result.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(sim.ephemeralsFor(U_ALICE)).toEqual([
      expect.objectContaining({ channel: channel.id, user: U_ALICE, text: 'only you', via: 'chat.postEphemeral' }),
    ]);
    expect(sim.messages(channel.id)).toHaveLength(0);
    await expect(web.chat.postEphemeral({ channel: channel.id, user: U_BOB, text: 'x' })).rejects.toMatchObject({
      data: { error: 'user_not_in_channel' },
    });
  });

  it('gives a permalink for a message', async () => {
    const channel = sim.addChannel({ name: 'ops' });
    const posted = await web.chat.postMessage({ channel: channel.id, text: 'x' });
    const { permalink } = await web.chat.getPermalink({ channel: channel.id, message_ts: posted.ts ?? '' });
    expect(permalink).toBe(`https://sitrep-sim.slack.com/archives/${channel.id}/p${(posted.ts ?? '').replace('.', '')}`);
  });
});

describe('users', () => {
  it('describes a user with their zone', async () => {
    const { user } = await web.users.info({ user: U_ALICE });
    expect(user).toMatchObject({
      id: U_ALICE,
      name: 'alice',
      real_name: 'Alice Example',
      tz: 'America/New_York',
      profile: { display_name: 'alice', real_name: 'Alice Example' },
    });
    expect([-4 * 3600, -5 * 3600]).toContain(user?.tz_offset);
  });

  it('knows users that tests add, and not others', async () => {
    sim.addUser({ id: 'U_ERIN', name: 'erin', realName: 'Erin Example', displayName: 'Erin', tz: 'Asia/Kolkata' });
    const { user } = await web.users.info({ user: 'U_ERIN' });
    expect(user).toMatchObject({ profile: { display_name: 'Erin' }, tz_offset: 5.5 * 3600 });
    await expect(web.users.info({ user: 'U_NOBODY' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
  });
});

describe('views', () => {
  const modal = {
    type: 'modal' as const,
    callback_id: 'declare',
    title: { type: 'plain_text' as const, text: 'Declare an incident' },
    submit: { type: 'plain_text' as const, text: 'Declare' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'title',
        label: { type: 'plain_text' as const, text: 'Title' },
        element: { type: 'plain_text_input' as const, action_id: 'value' },
      },
    ],
  };

  it('opens a modal for the user the trigger was issued to', async () => {
    const triggerId = sim.issueTriggerId(U_ALICE);
    const result = await web.views.open({ trigger_id: triggerId, view: modal });
    expect(result.view?.id).toMatch(/^V/);
    expect(sim.modalsFor(U_ALICE)).toEqual([
      expect.objectContaining({ id: result.view?.id, triggerId, open: true, view: modal }),
    ]);
    // Slack lets a trigger be exchanged for a view once.
    await expect(web.views.open({ trigger_id: triggerId, view: modal })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    await expect(web.views.open({ trigger_id: 'made.up', view: modal })).rejects.toMatchObject({
      data: { error: 'invalid_trigger_id' },
    });
  });

  it('refuses a modal whose title is longer than Slack allows', async () => {
    const tooLong = { ...modal, title: { type: 'plain_text' as const, text: 'Declare a brand new incident' } };
    await expect(web.views.open({ trigger_id: sim.issueTriggerId(U_ALICE), view: tooLong })).rejects.toMatchObject({
      data: {
        error: 'invalid_arguments',
        response_metadata: { messages: [expect.stringContaining('/view/title/text')] },
      },
    });
    expect(sim.modals).toHaveLength(0);
  });

  it('updates an open modal by id', async () => {
    const opened = await web.views.open({ trigger_id: sim.issueTriggerId(U_ALICE), view: modal });
    const retitled = { ...modal, title: { type: 'plain_text' as const, text: 'Declared' } };
    await web.views.update({ view_id: opened.view?.id ?? '', view: retitled });
    expect(sim.modalsFor(U_ALICE)[0]?.view).toEqual(retitled);
    await expect(web.views.update({ view_id: 'V_NOPE', view: retitled })).rejects.toMatchObject({
      data: { error: 'not_found' },
    });
  });

  it('publishes a home tab per user', async () => {
    const home = { type: 'home' as const, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Open incidents: 0' } }] };
    await web.views.publish({ user_id: U_BOB, view: home });
    expect(sim.homeTab(U_BOB)).toMatchObject({ userId: U_BOB, view: home });
    expect(sim.homeTab(U_ALICE)).toBeUndefined();
  });
});

describe('files', () => {
  it('takes a files.uploadV2 upload end to end and shares it in the channel', async () => {
    const channel = sim.addChannel({ name: 'inc-3' });
    const content = '# INC-3: Checkout errors\n\nTimes in EDT — “quoted” ✓\n';
    const result = await web.files.uploadV2({
      channel_id: channel.id,
      filename: 'postmortem-INC-3.md',
      title: 'Postmortem draft',
      content,
      initial_comment: 'Here is the draft',
    });
    expect(result.ok).toBe(true);

    const [file] = sim.filesIn(channel.id);
    expect(file).toMatchObject({ name: 'postmortem-INC-3.md', title: 'Postmortem draft', uploaded: true, content });
    expect(file?.length).toBe(Buffer.byteLength(content));
    expect(file?.initialComment).toBe('Here is the draft');
    const [message] = sim.messages(channel.id);
    expect(message).toMatchObject({ text: 'Here is the draft', botId: BOT_ID, files: [file] });
    expect(sim.calls.map((c) => c.method)).toEqual([
      'files.getUploadURLExternal',
      'upload',
      'files.completeUploadExternal',
    ]);
    // WebClient posts the bytes as multipart/form-data, in one part named "body".
    expect(sim.lastCall('upload')?.args).toMatchObject({ encoding: 'multipart part "body"', bytes: file?.length });
  });

  it('takes bytes posted raw to the upload URL, as other clients send them', async () => {
    const { upload_url, file_id } = await web.files.getUploadURLExternal({ filename: 'raw.txt', length: 5 });
    expect(upload_url).toMatch(new RegExp(`^${sim.url}/upload/F`));
    const response = await fetch(upload_url ?? '', { method: 'POST', body: 'hello' });
    expect(response.status).toBe(200);
    expect(sim.files.get(file_id ?? '')).toMatchObject({ content: 'hello', uploaded: true });
    expect(sim.lastCall('upload')?.args.encoding).toBe('raw');
  });

  it('takes a Buffer upload into a thread', async () => {
    const channel = sim.addChannel({ name: 'inc-4' });
    const parent = await web.chat.postMessage({ channel: channel.id, text: 'resolved' });
    await web.files.uploadV2({
      channel_id: channel.id,
      thread_ts: parent.ts ?? '',
      filename: 'timeline.json',
      file: Buffer.from('{"entries":[]}'),
    });
    expect(sim.filesIn(channel.id)[0]?.content).toBe('{"entries":[]}');
    expect(sim.messages(channel.id)[1]).toMatchObject({ threadTs: parent.ts });
  });

  it('refuses to complete a file whose bytes never arrived', async () => {
    const channel = sim.addChannel({ name: 'inc-5' });
    const { file_id } = await web.files.getUploadURLExternal({ filename: 'a.md', length: 3 });
    await expect(
      web.files.completeUploadExternal({ files: [{ id: file_id ?? '' }], channel_id: channel.id }),
    ).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    expect(sim.filesIn(channel.id)).toHaveLength(0);
  });
});

describe('workspace helpers', () => {
  it('renders a channel as a transcript', async () => {
    const channel = sim.addChannel({ name: 'inc-6', members: [U_ALICE] });
    const human = sim.addMessage({ channel: channel.id, user: U_ALICE, text: 'checkout is failing' });
    sim.addReaction(channel.id, human.ts, 'rotating_light', U_ALICE);
    const posted = await web.chat.postMessage({ channel: channel.id, text: 'INC-6 declared' });
    await web.pins.add({ channel: channel.id, timestamp: posted.ts ?? '' });
    expect(sim.transcript(channel.id)).toBe(
      [
        `#inc-6 (${channel.id})`,
        `[${human.ts}] @alice: checkout is failing  (:rotating_light: x1)`,
        `[${posted.ts}] @sitrep: INC-6 declared  (pinned)`,
      ].join('\n'),
    );
  });

  it('keeps messages added with an older ts in ts order', () => {
    const channel = sim.addChannel({ name: 'inc-7' });
    const late = sim.addMessage({ channel: channel.id, user: U_ALICE, text: 'later' });
    sim.addMessage({ channel: channel.id, user: U_BOB, text: 'earlier', ts: '1000000000.000001' });
    expect(sim.messages(channel.id).map((m) => m.text)).toEqual(['earlier', 'later']);
    expect(sim.nextTs() > late.ts).toBe(true);
  });

  it('lets a response_url be used five times, as Slack does', async () => {
    const channel = sim.addChannel({ name: 'inc-8', members: [U_ALICE] });
    const url = sim.responseUrl(channel.id, U_ALICE);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `reply ${i}` }),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(sim.ephemeralsFor(U_ALICE)).toHaveLength(5);
    expect(sim.lastCall('response_url')).toMatchObject({ ok: false, error: 'used_url' });
  });

  it('closes twice without complaint', async () => {
    const other = await startSlackSimulator();
    await other.close();
    await expect(other.close()).resolves.toBeUndefined();
  });
});
