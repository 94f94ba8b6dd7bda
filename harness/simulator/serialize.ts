// The workspace model rendered the way Slack's Web API returns it (snake_case,
// nested topic/profile objects), so the bot reads the same shapes here as it
// does from Slack.

import { API_APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, WORKSPACE_URL } from './constants.js';
import type { SimChannel, SimFile, SimHomeTab, SimMessage, SimModal, SimUser, SimView } from './workspace.js';

export function channelJson(channel: SimChannel): Record<string, unknown> {
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: !channel.isIm,
    is_group: false,
    is_im: channel.isIm,
    is_private: channel.isPrivate,
    is_archived: channel.isArchived,
    is_general: false,
    created: channel.created,
    creator: channel.createdBy,
    is_member: channel.members.has(BOT_USER_ID),
    num_members: channel.members.size,
    context_team_id: TEAM_ID,
    ...(channel.isIm ? { user: [...channel.members].find((m) => m !== BOT_USER_ID) } : {}),
    topic: { value: channel.topic, creator: channel.topic ? channel.createdBy : '', last_set: 0 },
    purpose: { value: channel.purpose, creator: channel.purpose ? channel.createdBy : '', last_set: 0 },
  };
}

export function messageJson(message: SimMessage): Record<string, unknown> {
  return {
    type: 'message',
    team: TEAM_ID,
    ts: message.ts,
    text: message.text,
    ...(message.subtype !== undefined ? { subtype: message.subtype } : {}),
    ...(message.user !== undefined ? { user: message.user } : {}),
    ...(message.botId !== undefined ? { bot_id: message.botId, app_id: API_APP_ID } : {}),
    ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
    ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
    ...(message.files !== undefined ? { files: message.files.map(fileJson), upload: true } : {}),
    ...(message.edited !== undefined ? { edited: message.edited } : {}),
    ...(message.metadata !== undefined ? { metadata: message.metadata } : {}),
    ...(message.reactions.length > 0
      ? { reactions: message.reactions.map((r) => ({ name: r.name, users: r.users, count: r.users.length })) }
      : {}),
  };
}

/** The offset and label Slack reports for a user's zone, at a given moment. */
function zoneInfo(tz: string, atMs: number): { offsetSeconds: number; label: string } {
  const date = new Date(atMs);
  const partOf = (style: 'longOffset' | 'long'): string =>
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(partOf('longOffset'));
  const offsetSeconds = offset
    ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 3600 + Number(offset[3]) * 60)
    : 0;
  return { offsetSeconds, label: partOf('long') };
}

export function userJson(user: SimUser, atMs: number): Record<string, unknown> {
  const zone = zoneInfo(user.tz, atMs);
  return {
    id: user.id,
    team_id: TEAM_ID,
    name: user.name,
    deleted: false,
    real_name: user.realName,
    tz: user.tz,
    tz_label: zone.label,
    tz_offset: zone.offsetSeconds,
    is_bot: user.isBot,
    is_app_user: false,
    profile: {
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.displayName,
      display_name_normalized: user.displayName,
      ...(user.isBot ? { bot_id: BOT_ID } : { email: `${user.name}@example.com` }),
      team: TEAM_ID,
    },
  };
}

export function fileJson(file: SimFile): Record<string, unknown> {
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.name.endsWith('.md') ? 'text/markdown' : 'text/plain',
    filetype: file.name.includes('.') ? file.name.split('.').at(-1) : 'text',
    user: BOT_USER_ID,
    size: Buffer.byteLength(file.content),
    channels: file.channels,
    url_private: `${WORKSPACE_URL}files/${BOT_USER_ID}/${file.id}/${file.name}`,
    permalink: `${WORKSPACE_URL}files/${BOT_USER_ID}/${file.id}/${file.name}`,
  };
}

export function modalJson(modal: SimModal): SimView {
  return {
    private_metadata: '',
    callback_id: '',
    external_id: '',
    ...modal.view,
    id: modal.id,
    team_id: TEAM_ID,
    app_id: API_APP_ID,
    bot_id: BOT_ID,
    root_view_id: modal.id,
    previous_view_id: null,
    hash: modal.hash,
    state: { values: {} },
  };
}

export function homeViewJson(tab: SimHomeTab): SimView {
  return {
    private_metadata: '',
    callback_id: '',
    external_id: '',
    ...tab.view,
    id: tab.id,
    team_id: TEAM_ID,
    app_id: API_APP_ID,
    bot_id: BOT_ID,
    root_view_id: tab.id,
    previous_view_id: null,
    state: { values: {} },
  };
}
