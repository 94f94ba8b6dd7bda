// The Web API methods the simulator answers, one handler each. A handler gets
// the decoded arguments, changes the workspace the way Slack would, and returns
// the rest of Slack's `{ ok: true, ... }` answer, or throws SlackMethodError
// for Slack's `{ ok: false, error }`. Errors follow Slack's documented codes so
// the bot's error handling is exercised by the same strings it will see live.

import {
  BOT_ID,
  BOT_NAME,
  BOT_USER_ID,
  TEAM_ID,
  TEAM_NAME,
  WORKSPACE_URL,
} from './constants.js';
import { channelJson, fileJson, homeViewJson, messageJson, modalJson, userJson } from './serialize.js';
import {
  MAX_MESSAGE_TEXT_LENGTH,
  channelNameError,
  messageBlocksProblems,
  viewProblems,
} from './validation.js';
import type { SimChannel, SimFile, SimMessage, SimModal, SimView, Workspace } from './workspace.js';
import { randomBytes } from 'node:crypto';
import { pageOf } from './paging.js';

export type Args = Record<string, unknown>;

export class SlackMethodError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'SlackMethodError';
  }
}

export interface MethodContext {
  workspace: Workspace;
  /** Where the bot should POST a file's bytes (an endpoint of this server). */
  uploadUrl(fileId: string): string;
}

export type MethodHandler = (args: Args, context: MethodContext) => Record<string, unknown>;

// ---- argument helpers -------------------------------------------------------

function fail(code: string, messages?: string[]): never {
  throw new SlackMethodError(code, messages ? { response_metadata: { messages } } : {});
}

/** A scalar argument as a string; form bodies carry everything as strings. */
function str(args: Args, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function required(args: Args, key: string): string {
  return str(args, key) ?? fail('invalid_arguments', [`[ERROR] missing required field: ${key}`]);
}

function bool(args: Args, key: string): boolean {
  const value = args[key];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** A structured argument; tolerates JSON that the HTTP layer did not decode. */
function structured(args: Args, key: string): unknown {
  const value = args[key];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return fail('invalid_arguments', [`[ERROR] ${key} must be valid JSON`]);
  }
}

function blocksArg(args: Args): unknown[] | undefined {
  if (args.blocks === undefined) return undefined;
  const blocks = structured(args, 'blocks');
  const problems = messageBlocksProblems(blocks);
  if (problems.length > 0) fail('invalid_blocks', problems);
  return blocks as unknown[];
}

function viewArg(args: Args, type: 'modal' | 'home'): SimView {
  const view = structured(args, 'view');
  if (view === undefined) fail('invalid_arguments', ['[ERROR] missing required field: view']);
  const problems = viewProblems(view, type);
  if (problems.length > 0) fail('invalid_arguments', problems);
  return view as SimView;
}

// ---- access rules -----------------------------------------------------------

/** A channel the bot can see: private channels it is not in do not exist for it. */
function visibleChannel(workspace: Workspace, id: string | undefined): SimChannel {
  const channel = id === undefined ? undefined : workspace.channel(id);
  if (!channel || (channel.isPrivate && !channel.members.has(BOT_USER_ID))) return fail('channel_not_found');
  return channel;
}

/** A channel the bot may post in; a user id means the bot's DM with that user. */
function postableChannel(workspace: Workspace, id: string | undefined): SimChannel {
  if (id !== undefined && id.startsWith('U') && workspace.user(id)) return workspace.dmChannel(id);
  const channel = visibleChannel(workspace, id);
  if (!channel.members.has(BOT_USER_ID)) fail('not_in_channel');
  if (channel.isArchived) fail('is_archived');
  return channel;
}

function existingMessage(workspace: Workspace, channel: SimChannel, ts: string | undefined): SimMessage {
  return (ts !== undefined ? workspace.message(channel.id, ts) : undefined) ?? fail('message_not_found');
}

function textOrBlocks(args: Args): { text: string; blocks: unknown[] | undefined } {
  const text = str(args, 'text') ?? '';
  const blocks = blocksArg(args);
  if (text === '' && blocks === undefined && args.attachments === undefined) fail('no_text');
  if (text.length > MAX_MESSAGE_TEXT_LENGTH) fail('msg_too_long');
  return { text, blocks };
}

function newHash(): string {
  return `${Date.now()}.${randomBytes(4).toString('hex')}`;
}

function permalink(channel: SimChannel, message: SimMessage): string {
  const base = `${WORKSPACE_URL}archives/${channel.id}/p${message.ts.replace('.', '')}`;
  return message.threadTs && message.threadTs !== message.ts
    ? `${base}?thread_ts=${message.threadTs}&cid=${channel.id}`
    : base;
}

// ---- the methods ------------------------------------------------------------

const authMethods: Record<string, MethodHandler> = {
  'api.test': (args) => ({ args }),
  'auth.test': () => ({
    url: WORKSPACE_URL,
    team: TEAM_NAME,
    user: BOT_NAME,
    team_id: TEAM_ID,
    user_id: BOT_USER_ID,
    bot_id: BOT_ID,
    is_enterprise_install: false,
  }),
};

const conversationMethods: Record<string, MethodHandler> = {
  'conversations.create': (args, { workspace }) => {
    const name = str(args, 'name') ?? '';
    const nameError = channelNameError(name);
    if (nameError) fail(nameError);
    if (workspace.channelByName(name)) fail('name_taken');
    const channel = workspace.addChannel({
      name,
      isPrivate: bool(args, 'is_private'),
      createdBy: BOT_USER_ID,
      members: [BOT_USER_ID],
    });
    return { channel: channelJson(channel) };
  },

  'conversations.invite': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    if (!channel.members.has(BOT_USER_ID)) fail('not_in_channel');
    if (channel.isArchived) fail('is_archived');
    const users = required(args, 'users')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    if (users.length === 0) fail('no_user');
    for (const user of users) {
      if (user === BOT_USER_ID) fail('cant_invite_self');
      if (!workspace.user(user)) fail('user_not_found');
    }
    const newcomers = users.filter((u) => !channel.members.has(u));
    // Slack refuses an invite in which nobody is new, and quietly adds the rest otherwise.
    if (newcomers.length === 0) fail('already_in_channel');
    for (const user of newcomers) channel.members.add(user);
    workspace.changed();
    return { channel: channelJson(channel) };
  },

  'conversations.join': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    if (channel.isPrivate) fail('method_not_supported_for_channel_type');
    if (channel.isArchived) fail('is_archived');
    const already = channel.members.has(BOT_USER_ID);
    channel.members.add(BOT_USER_ID);
    workspace.changed();
    return {
      channel: channelJson(channel),
      ...(already ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : {}),
    };
  },

  'conversations.info': (args, { workspace }) => ({
    channel: channelJson(visibleChannel(workspace, str(args, 'channel'))),
  }),

  'conversations.list': (args, { workspace }) => {
    const types = (str(args, 'types') ?? 'public_channel').split(',');
    const excludeArchived = str(args, 'exclude_archived') === 'true' || args.exclude_archived === true;
    const listed = [...workspace.channels.values()].filter(
      (channel) =>
        !channel.isIm &&
        types.includes(channel.isPrivate ? 'private_channel' : 'public_channel') &&
        // Like Slack, a bot sees only the private channels it is in.
        (!channel.isPrivate || channel.members.has(BOT_USER_ID)) &&
        !(excludeArchived && channel.isArchived),
    );
    const page = pageOf(listed, args, workspace.maxPageSize);
    return { channels: page.items.map(channelJson), response_metadata: page.response_metadata };
  },

  'conversations.members': (args, { workspace }) => {
    const page = pageOf([...visibleChannel(workspace, str(args, 'channel')).members], args, workspace.maxPageSize);
    return { members: page.items, response_metadata: page.response_metadata };
  },

  'conversations.open': (args, { workspace }) => {
    const users = required(args, 'users').split(',');
    const [user] = users;
    if (users.length !== 1 || user === undefined) fail('not_implemented', ['[ERROR] the simulator opens 1:1 DMs only']);
    if (!workspace.user(user)) fail('user_not_found');
    return { channel: { id: workspace.dmChannel(user).id } };
  },

  'conversations.setTopic': (args, { workspace }) => {
    const channel = postableChannel(workspace, str(args, 'channel'));
    channel.topic = str(args, 'topic') ?? '';
    workspace.changed();
    return { channel: channelJson(channel) };
  },

  'conversations.setPurpose': (args, { workspace }) => {
    const channel = postableChannel(workspace, str(args, 'channel'));
    channel.purpose = str(args, 'purpose') ?? '';
    workspace.changed();
    return { channel: channelJson(channel) };
  },

  'conversations.archive': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    if (channel.isArchived) fail('already_archived');
    channel.isArchived = true;
    workspace.changed();
    return {};
  },

  'conversations.history': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    if (!channel.members.has(BOT_USER_ID)) fail('not_in_channel');
    // Newest first, between `oldest` and `latest` (exclusive unless `inclusive`), as Slack pages it.
    const oldest = Number(str(args, 'oldest') ?? '0');
    const latest = Number(str(args, 'latest') ?? 'Infinity');
    const inclusive = str(args, 'inclusive') === 'true' || str(args, 'inclusive') === '1';
    const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
    const topLevel = channel.messages.filter((m) => (m.threadTs === undefined || m.threadTs === m.ts) && inRange(Number(m.ts)));
    const page = pageOf(topLevel.map(messageJson).reverse(), args, workspace.maxPageSize);
    return { messages: page.items, has_more: page.response_metadata.next_cursor !== '', response_metadata: page.response_metadata };
  },

  'conversations.replies': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    const parent = existingMessage(workspace, channel, str(args, 'ts'));
    const thread = channel.messages.filter((m) => m === parent || m.threadTs === parent.ts);
    return { messages: thread.map(messageJson), has_more: false, response_metadata: { next_cursor: '' } };
  },
};

/** chat.postMessage's `metadata` (a JSON string in form bodies), kept only when well-formed. */
function metadataOf(args: Args): { metadata?: { event_type: string; event_payload: Record<string, unknown> } } {
  const raw = typeof args.metadata === 'string' ? safeJson(args.metadata) : args.metadata;
  const candidate = raw as { event_type?: unknown; event_payload?: unknown } | undefined;
  if (!candidate || typeof candidate.event_type !== 'string' || typeof candidate.event_payload !== 'object' || candidate.event_payload === null) {
    return {};
  }
  return { metadata: { event_type: candidate.event_type, event_payload: candidate.event_payload as Record<string, unknown> } };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': (args, { workspace }) => {
    const channel = postableChannel(workspace, str(args, 'channel'));
    const { text, blocks } = textOrBlocks(args);
    const message = workspace.addMessage({
      channel: channel.id,
      user: BOT_USER_ID,
      botId: BOT_ID,
      text,
      ...(blocks !== undefined ? { blocks } : {}),
      ...(str(args, 'thread_ts') !== undefined ? { threadTs: str(args, 'thread_ts') } : {}),
      ...metadataOf(args),
    });
    return { channel: channel.id, ts: message.ts, message: messageJson(message) };
  },

  'chat.update': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    const message = existingMessage(workspace, channel, str(args, 'ts'));
    if (message.botId !== BOT_ID) fail('cant_update_message');
    const previous = { ...message };
    const { text, blocks } = textOrBlocks(args);
    message.text = text;
    if (blocks !== undefined) message.blocks = blocks;
    // Slack marks an app's edit with its bot id and a whole-second ts.
    message.edited = { user: BOT_ID, ts: `${workspace.nextTs().split('.')[0] ?? '0'}.000000` };
    workspace.changed();
    workspace.botMessageChanged({ previous, current: message });
    return { channel: channel.id, ts: message.ts, text: message.text, message: messageJson(message) };
  },

  'chat.delete': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    const message = existingMessage(workspace, channel, str(args, 'ts'));
    if (message.botId !== BOT_ID) fail('cant_delete_message');
    workspace.removeMessage(channel.id, message.ts);
    workspace.botMessageChanged({ previous: message, current: null });
    return { channel: channel.id, ts: message.ts };
  },

  'chat.postEphemeral': (args, { workspace }) => {
    const channel = postableChannel(workspace, str(args, 'channel'));
    const user = str(args, 'user');
    if (user === undefined || !workspace.user(user)) fail('user_not_found');
    if (!channel.members.has(user)) fail('user_not_in_channel');
    const { text, blocks } = textOrBlocks(args);
    const threadTs = str(args, 'thread_ts');
    const ephemeral = workspace.addEphemeral({
      channel: channel.id,
      user,
      text,
      ...(blocks !== undefined ? { blocks } : {}),
      ...(threadTs !== undefined ? { threadTs } : {}),
      via: 'chat.postEphemeral',
      ts: workspace.nextTs(),
    });
    return { message_ts: ephemeral.ts };
  },

  'chat.getPermalink': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    const message = existingMessage(workspace, channel, str(args, 'message_ts'));
    return { channel: channel.id, permalink: permalink(channel, message) };
  },
};

const pinAndReactionMethods: Record<string, MethodHandler> = {
  'pins.add': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    if (!channel.members.has(BOT_USER_ID)) fail('not_in_channel');
    const message = existingMessage(workspace, channel, str(args, 'timestamp'));
    if (channel.pins.has(message.ts)) fail('already_pinned');
    channel.pins.add(message.ts);
    workspace.changed();
    return {};
  },

  'pins.remove': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    const message = existingMessage(workspace, channel, str(args, 'timestamp'));
    if (!channel.pins.delete(message.ts)) fail('no_pin');
    workspace.changed();
    return {};
  },

  'pins.list': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    const items = channel.messages
      .filter((m) => channel.pins.has(m.ts))
      .map((m) => ({ type: 'message', channel: channel.id, message: messageJson(m) }));
    return { items };
  },

  'reactions.add': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    const message = existingMessage(workspace, channel, str(args, 'timestamp'));
    const name = required(args, 'name').replace(/^:|:$/g, '');
    if (!workspace.addReaction(channel.id, message.ts, name, BOT_USER_ID)) fail('already_reacted');
    return {};
  },

  'reactions.remove': (args, { workspace }) => {
    const channel = visibleChannel(workspace, str(args, 'channel'));
    const message = existingMessage(workspace, channel, str(args, 'timestamp'));
    const name = required(args, 'name').replace(/^:|:$/g, '');
    if (!workspace.removeReaction(channel.id, message.ts, name, BOT_USER_ID)) fail('no_reaction');
    return {};
  },
};

const userMethods: Record<string, MethodHandler> = {
  'users.info': (args, { workspace }) => {
    const user = workspace.user(str(args, 'user') ?? '') ?? fail('user_not_found');
    return { user: userJson(user, workspace.now()) };
  },

  'users.list': (args, { workspace }) => {
    const page = pageOf([...workspace.users.values()], args, workspace.maxPageSize);
    return { members: page.items.map((u) => userJson(u, workspace.now())), response_metadata: page.response_metadata };
  },
};

function findModal(workspace: Workspace, args: Args): SimModal {
  const viewId = str(args, 'view_id');
  const externalId = str(args, 'external_id');
  const modal = workspace.modals.find((m) =>
    viewId !== undefined ? m.id === viewId : externalId !== undefined && m.view.external_id === externalId,
  );
  return modal ?? fail('not_found');
}

const viewMethods: Record<string, MethodHandler> = {
  'views.open': (args, { workspace }) => {
    const triggerId = required(args, 'trigger_id');
    const view = viewArg(args, 'modal');
    const trigger = workspace.useTrigger(triggerId);
    if (trigger === 'invalid') fail('invalid_trigger_id');
    if (trigger === 'used') fail('exchanged_trigger_id');
    const modal: SimModal = {
      id: workspace.newId('V'),
      triggerId,
      userId: trigger.userId,
      view,
      hash: newHash(),
      open: true,
    };
    workspace.modals.push(modal);
    workspace.changed();
    return { view: modalJson(modal) };
  },

  'views.update': (args, { workspace }) => {
    const modal = findModal(workspace, args);
    const hash = str(args, 'hash');
    if (hash !== undefined && hash !== modal.hash) fail('hash_conflict');
    modal.view = viewArg(args, 'modal');
    modal.hash = newHash();
    workspace.changed();
    return { view: modalJson(modal) };
  },

  'views.publish': (args, { workspace }) => {
    const userId = str(args, 'user_id');
    if (userId === undefined || !workspace.user(userId)) fail('user_not_found');
    const view = viewArg(args, 'home');
    const tab = { id: workspace.homeTab(userId)?.id ?? workspace.newId('V'), userId, view };
    workspace.homeTabs.set(userId, tab);
    workspace.changed();
    return { view: homeViewJson(tab) };
  },
};

function sharedFiles(workspace: Workspace, args: Args): SimFile[] {
  const list = structured(args, 'files');
  if (!Array.isArray(list) || list.length === 0) fail('invalid_arguments', ['[ERROR] files must be a non-empty array']);
  const entries = list.map((entry: unknown) => {
    const { id, title } = (entry ?? {}) as { id?: unknown; title?: unknown };
    const file = typeof id === 'string' ? workspace.files.get(id) : undefined;
    // A file whose bytes never arrived cannot be completed; Slack reports it as not found.
    if (!file || !file.uploaded) return fail('file_not_found');
    return { file, title };
  });
  // Titles change only once every file is known to be good: nothing is half-applied.
  for (const { file, title } of entries) if (typeof title === 'string' && title !== '') file.title = title;
  return entries.map(({ file }) => file);
}

const fileMethods: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': (args, { workspace, uploadUrl }) => {
    const filename = required(args, 'filename');
    const length = Number(required(args, 'length'));
    if (!Number.isInteger(length) || length < 0) fail('invalid_arguments', ['[ERROR] length must be an integer']);
    const file: SimFile = {
      id: workspace.newId('F'),
      name: filename,
      title: filename,
      content: '',
      length,
      uploaded: false,
      channels: [],
      created: Math.floor(workspace.now() / 1000),
    };
    workspace.files.set(file.id, file);
    workspace.changed();
    return { upload_url: uploadUrl(file.id), file_id: file.id };
  },

  'files.completeUploadExternal': (args, { workspace }) => {
    const channelId = str(args, 'channel_id') ?? str(args, 'channels');
    const channel = channelId !== undefined ? postableChannel(workspace, channelId) : undefined;
    const shared = sharedFiles(workspace, args);
    const initialComment = str(args, 'initial_comment');
    if (channel) {
      for (const file of shared) {
        if (!file.channels.includes(channel.id)) file.channels.push(channel.id);
        if (initialComment !== undefined) file.initialComment = initialComment;
      }
      const threadTs = str(args, 'thread_ts');
      workspace.addMessage({
        channel: channel.id,
        user: BOT_USER_ID,
        botId: BOT_ID,
        text: initialComment ?? '',
        files: shared,
        ...(threadTs !== undefined ? { threadTs } : {}),
      });
    }
    workspace.changed();
    return { files: shared.map(fileJson) };
  },

  'files.delete': (args, { workspace }) => {
    const id = required(args, 'file');
    if (!workspace.files.delete(id)) fail('file_not_found');
    // Slack takes a deleted file out of every message that shared it.
    const changed: Array<{ previous: SimMessage; current: SimMessage }> = [];
    for (const channel of workspace.channels.values()) {
      for (const message of channel.messages) {
        if (!message.files?.some((file) => file.id === id)) continue;
        const previous = { ...message };
        message.files = message.files.filter((file) => file.id !== id);
        if (message.botId === BOT_ID) changed.push({ previous, current: message });
      }
    }
    workspace.changed();
    for (const change of changed) workspace.botMessageChanged(change);
    return {};
  },

  'files.info': (args, { workspace }) => {
    const file = workspace.files.get(str(args, 'file') ?? '') ?? fail('file_not_found');
    return { file: fileJson(file), content: file.content };
  },
};

export const webApiMethods: Readonly<Record<string, MethodHandler>> = {
  ...authMethods,
  ...conversationMethods,
  ...chatMethods,
  ...pinAndReactionMethods,
  ...userMethods,
  ...viewMethods,
  ...fileMethods,
};
