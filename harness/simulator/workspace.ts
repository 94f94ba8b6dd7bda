// The simulated workspace: what Slack would show a person looking at it
// (users, channels, messages, pins, ephemerals, files, modals) plus a log of
// every API call. It knows nothing about HTTP; the server and the Web API
// handlers change it, tests and the demo read it.
//
// Every change goes through `changed()`, which is what `waitFor` listens to,
// so a test can wait for "the summary message is pinned" without sleeping.

import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { BOT_NAME, BOT_USER_ID, U_ALICE, U_BOB, U_CAROL, U_DAN } from './constants.js';
import { TsClock, compareTs } from './ts.js';

export interface SimUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
  tz: string;
  isBot: boolean;
}

export interface AddUserOptions {
  id: string;
  name: string;
  realName?: string;
  displayName?: string;
  tz?: string;
}

export interface SimReaction {
  name: string;
  users: string[];
}

export interface SimMessage {
  channel: string;
  ts: string;
  /** The author; for the bot's own posts this is BOT_USER_ID and botId is set. */
  user?: string;
  botId?: string;
  /** Slack's subtype, when it has one (`tombstone` for a deleted thread parent with replies). */
  subtype?: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  files?: SimFile[];
  edited?: { user: string; ts: string };
  reactions: SimReaction[];
  /** Message metadata the app attached (chat.postMessage's `metadata`). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface SimChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  /** A direct message between the bot and one person. */
  isIm: boolean;
  isArchived: boolean;
  createdBy: string;
  /** Epoch seconds, as Slack reports it. */
  created: number;
  members: Set<string>;
  /** Ordered by ts. */
  messages: SimMessage[];
  /** The ts of each pinned message. */
  pins: Set<string>;
  topic: string;
  purpose: string;
}

export interface AddChannelOptions {
  name: string;
  isPrivate?: boolean;
  members?: string[];
  /** Whether the bot is in the channel; default true, so tests need not invite it. */
  botIsMember?: boolean;
  createdBy?: string;
  topic?: string;
}

export interface SimEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  /** How it got there: the bot's API call, or a reply to a command's response_url. */
  via: 'chat.postEphemeral' | 'response_url';
  ts: string;
}

export interface SimFile {
  id: string;
  name: string;
  title: string;
  /** The uploaded bytes as UTF-8 text; '' until the upload arrives. */
  content: string;
  /** The byte count announced in files.getUploadURLExternal. */
  length: number;
  /** Whether the bytes have been posted to the upload URL. */
  uploaded: boolean;
  /** Channels it has been shared to (files.completeUploadExternal). */
  channels: string[];
  initialComment?: string;
  created: number;
}

/** A view as the app sent it (Slack's view JSON), plus the ids Slack adds. */
export type SimView = Record<string, unknown>;

export interface SimModal {
  id: string;
  triggerId: string;
  userId?: string;
  view: SimView;
  hash: string;
  /** False once it has been submitted and the app did not keep it open. */
  open: boolean;
}

export interface SimHomeTab {
  id: string;
  userId: string;
  view: SimView;
}

export interface SimCall {
  /** The Web API method, or a pseudo-method for the upload and response URLs. */
  method: string;
  args: Record<string, unknown>;
  /** Epoch milliseconds on the simulator's clock. */
  at: number;
  status: number;
  ok: boolean;
  error?: string;
}

export interface WaitForOptions {
  timeoutMs?: number;
  /** What is being waited for, in words; the timeout error leads with it. */
  what?: string;
}

interface Trigger {
  userId: string;
  used: boolean;
}

const DEFAULT_USERS: AddUserOptions[] = [
  { id: U_ALICE, name: 'alice', realName: 'Alice Example', tz: 'America/New_York' },
  { id: U_BOB, name: 'bob', realName: 'Bob Example', tz: 'Europe/London' },
  { id: U_CAROL, name: 'carol', realName: 'Carol Example', tz: 'Asia/Tokyo' },
  { id: U_DAN, name: 'dan', realName: 'Dan Example', tz: 'UTC' },
];

/** One of the bot's messages as it was, and as it is now (null once deleted). */
export interface BotMessageChange {
  previous: SimMessage;
  current: SimMessage | null;
}

export interface WorkspaceOptions {
  /** Epoch milliseconds; drives message ts and call times. Default Date.now. */
  now?: () => number;
  /** Seed alice, bob, carol and dan; default true. The bot user is always there. */
  defaultUsers?: boolean;
  /**
   * The most items a list method returns in one page, whatever `limit` asked for
   * (Slack may return fewer than asked); default 25, so paging is exercised.
   */
  maxPageSize?: number;
}

export class Workspace {
  readonly users = new Map<string, SimUser>();
  readonly channels = new Map<string, SimChannel>();
  readonly ephemerals: SimEphemeral[] = [];
  readonly files = new Map<string, SimFile>();
  readonly modals: SimModal[] = [];
  readonly homeTabs = new Map<string, SimHomeTab>();
  readonly calls: SimCall[] = [];
  readonly now: () => number;
  readonly maxPageSize: number;

  private readonly clock: TsClock;
  private readonly events = new EventEmitter();
  private readonly triggers = new Map<string, Trigger>();
  private readonly counters = new Map<string, number>();

  constructor(options: WorkspaceOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxPageSize = options.maxPageSize ?? 25;
    this.clock = new TsClock(this.now);
    // Many waitFor calls may be pending at once; that is not a leak.
    this.events.setMaxListeners(0);
    this.users.set(BOT_USER_ID, {
      id: BOT_USER_ID,
      name: BOT_NAME,
      realName: 'Sitrep',
      displayName: 'sitrep',
      tz: 'UTC',
      isBot: true,
    });
    if (options.defaultUsers !== false) for (const user of DEFAULT_USERS) this.addUser(user);
  }

  // ---- ids and time -------------------------------------------------------

  /** A new workspace-unique id with Slack's one-letter prefix (C, D, F, V...). */
  newId(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${String(n).padStart(8, '0')}`;
  }

  /** A new message ts, strictly after every other ts in the workspace. */
  nextTs(): string {
    return this.clock.next();
  }

  /** A trigger id for a user's interaction, as Slack puts in commands and submissions. */
  issueTriggerId(userId: string): string {
    // Shaped like Slack's: "<seconds>.<number>.<hex>".
    const id = `${Math.floor(this.now() / 1000)}.${this.triggers.size + 1}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { userId, used: false });
    return id;
  }

  /** Exchanges a trigger id for the user it was issued to; Slack allows this once. */
  useTrigger(triggerId: string): { userId: string } | 'invalid' | 'used' {
    const trigger = this.triggers.get(triggerId);
    if (!trigger) return 'invalid';
    if (trigger.used) return 'used';
    trigger.used = true;
    return { userId: trigger.userId };
  }

  // ---- change signal ------------------------------------------------------

  /** Signals that the state changed: re-runs every pending waitFor predicate. */
  changed(): void {
    this.events.emit('changed');
  }

  onChange(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  /** Called for each message the bot posts (the driver can echo them as events). */
  onBotMessage(listener: (message: SimMessage) => void): () => void {
    this.events.on('botMessage', listener);
    return () => this.events.off('botMessage', listener);
  }

  /**
   * Called when one of the bot's messages changes (chat.update, or a file in it
   * deleted) or goes (chat.delete): Slack tells the app about those too.
   */
  onBotMessageChange(listener: (change: BotMessageChange) => void): () => void {
    this.events.on('botMessageChange', listener);
    return () => this.events.off('botMessageChange', listener);
  }

  /** For the methods that change or remove a bot message. */
  botMessageChanged(change: BotMessageChange): void {
    this.events.emit('botMessageChange', change);
  }

  /**
   * Resolves with the predicate's first truthy value, re-checking on every
   * change; rejects after `timeoutMs` naming `what` and the last API calls.
   */
  waitFor<T>(
    predicate: (workspace: this) => T | undefined | null | false,
    { timeoutMs = 5000, what = 'a condition' }: WaitForOptions = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = (): void => {
        clearTimeout(timer);
        this.events.off('changed', check);
      };
      const check = (): void => {
        try {
          const value = predicate(this);
          if (!value) return;
          stop();
          resolve(value);
        } catch (error) {
          stop();
          reject(error);
        }
      };
      this.events.on('changed', check);
      timer = setTimeout(() => {
        stop();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.\n${this.describeRecentCalls()}`));
      }, timeoutMs);
      check();
    });
  }

  describeRecentCalls(count = 8): string {
    if (this.calls.length === 0) return 'No API calls were made.';
    const recent = this.calls.slice(-count).map((call) => `  ${describeCall(call)}`);
    return `Last ${recent.length} of ${this.calls.length} API calls:\n${recent.join('\n')}`;
  }

  recordCall(call: Omit<SimCall, 'at'>): SimCall {
    const recorded = { ...call, at: this.now() };
    this.calls.push(recorded);
    this.changed();
    return recorded;
  }

  // ---- users --------------------------------------------------------------

  addUser(options: AddUserOptions): SimUser {
    const user: SimUser = {
      id: options.id,
      name: options.name,
      realName: options.realName ?? options.name,
      displayName: options.displayName ?? options.name,
      tz: options.tz ?? 'UTC',
      isBot: false,
    };
    this.users.set(user.id, user);
    this.changed();
    return user;
  }

  user(id: string): SimUser | undefined {
    return this.users.get(id);
  }

  // ---- channels -----------------------------------------------------------

  /** Makes a channel as if a person had; throws if the name is taken. */
  addChannel(options: AddChannelOptions): SimChannel {
    const name = options.name.replace(/^#/, '');
    if (this.channelByName(name)) throw new Error(`simulator: channel #${name} already exists`);
    const createdBy = options.createdBy ?? options.members?.[0] ?? U_ALICE;
    const members = new Set(options.members ?? []);
    if (options.botIsMember !== false) members.add(BOT_USER_ID);
    return this.insertChannel({
      id: this.newId('C'),
      name,
      isPrivate: options.isPrivate ?? false,
      isIm: false,
      isArchived: false,
      createdBy,
      created: Math.floor(this.now() / 1000),
      members,
      messages: [],
      pins: new Set(),
      topic: options.topic ?? '',
      purpose: '',
    });
  }

  insertChannel(channel: SimChannel): SimChannel {
    this.channels.set(channel.id, channel);
    this.changed();
    return channel;
  }

  channel(id: string): SimChannel | undefined {
    return this.channels.get(id);
  }

  /** A channel by name, with or without the leading '#'. */
  channelByName(name: string): SimChannel | undefined {
    const wanted = name.replace(/^#/, '');
    for (const channel of this.channels.values()) {
      if (!channel.isIm && channel.name === wanted) return channel;
    }
    return undefined;
  }

  /** The bot's direct-message channel with a user, opened on first use. */
  dmChannel(userId: string): SimChannel {
    for (const channel of this.channels.values()) {
      if (channel.isIm && channel.members.has(userId)) return channel;
    }
    return this.insertChannel({
      id: this.newId('D'),
      name: userId,
      isPrivate: true,
      isIm: true,
      isArchived: false,
      createdBy: BOT_USER_ID,
      created: Math.floor(this.now() / 1000),
      members: new Set([BOT_USER_ID, userId]),
      messages: [],
      pins: new Set(),
      topic: '',
      purpose: '',
    });
  }

  // ---- messages -----------------------------------------------------------

  /** The channel's messages in ts order; throws for an unknown channel. */
  messages(channelId: string): SimMessage[] {
    return this.requireChannel(channelId).messages;
  }

  message(channelId: string, ts: string): SimMessage | undefined {
    return this.channels.get(channelId)?.messages.find((m) => m.ts === ts);
  }

  /** Adds a message, keeping the channel in ts order; an existing ts is returned unchanged. */
  addMessage(message: Omit<SimMessage, 'ts' | 'reactions'> & { ts?: string; reactions?: SimReaction[] }): SimMessage {
    const channel = this.requireChannel(message.channel);
    if (message.ts !== undefined) {
      const existing = channel.messages.find((m) => m.ts === message.ts);
      if (existing) return existing;
      this.clock.observe(message.ts);
    }
    const stored: SimMessage = { ...message, ts: message.ts ?? this.nextTs(), reactions: message.reactions ?? [] };
    const at = channel.messages.findIndex((m) => compareTs(m.ts, stored.ts) > 0);
    if (at === -1) channel.messages.push(stored);
    else channel.messages.splice(at, 0, stored);
    if (stored.botId) this.events.emit('botMessage', stored);
    this.changed();
    return stored;
  }

  removeMessage(channelId: string, ts: string): SimMessage | undefined {
    const channel = this.requireChannel(channelId);
    const at = channel.messages.findIndex((m) => m.ts === ts);
    if (at === -1) return undefined;
    const [removed] = channel.messages.splice(at, 1);
    channel.pins.delete(ts);
    this.changed();
    return removed;
  }

  /** Records a reaction; returns false if this user already had it (Slack's already_reacted). */
  addReaction(channelId: string, ts: string, name: string, userId: string): boolean {
    const message = this.message(channelId, ts);
    if (!message) return false;
    let reaction = message.reactions.find((r) => r.name === name);
    if (!reaction) {
      reaction = { name, users: [] };
      message.reactions.push(reaction);
    }
    if (reaction.users.includes(userId)) return false;
    reaction.users.push(userId);
    this.changed();
    return true;
  }

  /** Removes a user's reaction; returns false if there was none (Slack's no_reaction). */
  removeReaction(channelId: string, ts: string, name: string, userId: string): boolean {
    const message = this.message(channelId, ts);
    const reaction = message?.reactions.find((r) => r.name === name);
    if (!message || !reaction || !reaction.users.includes(userId)) return false;
    reaction.users = reaction.users.filter((u) => u !== userId);
    if (reaction.users.length === 0) message.reactions = message.reactions.filter((r) => r !== reaction);
    this.changed();
    return true;
  }

  /**
   * The channel as a person would read it, one line per message: for the demo's
   * output and for test failure messages.
   */
  transcript(channelId: string): string {
    const channel = this.requireChannel(channelId);
    const lines = channel.messages.map((m) => {
      const author = m.user ? `@${this.users.get(m.user)?.name ?? m.user}` : '(unknown)';
      const notes = [
        channel.pins.has(m.ts) ? 'pinned' : '',
        m.threadTs && m.threadTs !== m.ts ? `in thread ${m.threadTs}` : '',
        m.edited ? 'edited' : '',
        ...(m.files ?? []).map((f) => `file ${f.name}`),
        ...m.reactions.map((r) => `:${r.name}: x${r.users.length}`),
      ].filter((note) => note !== '');
      return `[${m.ts}] ${author}: ${m.text}${notes.length > 0 ? `  (${notes.join(', ')})` : ''}`;
    });
    return [`#${channel.name} (${channel.id})`, ...lines].join('\n');
  }

  // ---- what the people see ------------------------------------------------

  /** Ephemerals shown to a user, oldest first, optionally in one channel. */
  ephemeralsFor(userId: string, channelId?: string): SimEphemeral[] {
    return this.ephemerals.filter((e) => e.user === userId && (channelId === undefined || e.channel === channelId));
  }

  addEphemeral(ephemeral: SimEphemeral): SimEphemeral {
    this.ephemerals.push(ephemeral);
    this.changed();
    return ephemeral;
  }

  /** Files shared in a channel, in the order they were shared. */
  filesIn(channelId: string): SimFile[] {
    return [...this.files.values()].filter((f) => f.channels.includes(channelId));
  }

  /** Modals opened for a user, oldest first. */
  modalsFor(userId: string): SimModal[] {
    return this.modals.filter((m) => m.userId === userId);
  }

  homeTab(userId: string): SimHomeTab | undefined {
    return this.homeTabs.get(userId);
  }

  // ---- the call log -------------------------------------------------------

  callsOf(method: string): SimCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  lastCall(method: string): SimCall | undefined {
    return this.callsOf(method).at(-1);
  }

  private requireChannel(channelId: string): SimChannel {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`simulator: no channel ${channelId}`);
    return channel;
  }
}

function describeCall(call: SimCall): string {
  const args = JSON.stringify(call.args);
  const shortArgs = args.length > 160 ? `${args.slice(0, 157)}...` : args;
  const outcome = call.ok ? 'ok' : `${call.error ?? 'error'} (HTTP ${call.status})`;
  return `${call.method} ${shortArgs} -> ${outcome}`;
}
