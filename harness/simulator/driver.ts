// The driver plays Slack's other half: it sends the app what Slack would send
// when people use the workspace (slash commands, messages, edits, deletions,
// reactions, modal submissions, the Home tab and its buttons), signed exactly
// as Slack signs them, and keeps the simulator's workspace in step so it shows
// what the channel shows.
//
// It delivers either over HTTP to the app's request URL, or, with
// `transport: 'socket'`, as Socket Mode envelopes through the simulator's hub
// to whichever of the app's connections is next. Every delivery is built as
// the HTTP request first and converted at one place (`send`), so both
// transports carry the same payloads.

import { randomBytes, randomUUID } from 'node:crypto';
import { API_APP_ID, BOT_ID, BOT_NAME, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, VERIFICATION_TOKEN } from './constants.js';
import { homeViewJson, messageJson, modalJson } from './serialize.js';
import type { SlackSimulator } from './server.js';
import { slackSignatureHeaders } from './signing.js';
import type { SocketEnvelopeType, SocketSendOptions } from './socket-mode.js';
import type { BotMessageChange, SimChannel, SimMessage, SimModal, SimView } from './workspace.js';

interface DriverCommonOptions {
  simulator: SlackSimulator;
  /**
   * Clock for signature timestamps, epoch ms; default Date.now. Deliberately
   * not the simulator's clock: the app checks the timestamp against its own
   * wall clock, so a simulator on a scripted clock must still sign in real time.
   */
  now?: () => number;
  /** Deliver a `message` event for each message the bot posts, as Slack does; default false. */
  echoBotMessages?: boolean;
  /**
   * Give up on the app after this long; default 10 s over HTTP. Over Socket
   * Mode it is the ack timeout, default the simulator's socketAckTimeoutMs.
   */
  requestTimeoutMs?: number;
}

/** Slack's requests go over HTTP, signed, to the app's request URL. */
export interface HttpDriverOptions extends DriverCommonOptions {
  transport?: 'http';
  /** Where the app takes Slack's requests, e.g. http://127.0.0.1:3000/slack/events */
  appUrl: string;
  signingSecret: string;
}

/** Slack's requests go as Socket Mode envelopes over the app's connections to `simulator.socketMode`. */
export interface SocketDriverOptions extends DriverCommonOptions {
  transport: 'socket';
  appUrl?: undefined;
  /** Unused: Socket Mode envelopes are not signed. */
  signingSecret?: string;
}

export type SlackDriverOptions = HttpDriverOptions | SocketDriverOptions;

/** What `raw()` gets back: the app's HTTP answer, as is. */
export interface RawResponse {
  status: number;
  /** Parsed JSON when the app answered JSON, else the text ('' for an empty 200). */
  body: unknown;
}

export interface DriverResponse extends RawResponse {
  /**
   * Whether the app took the delivery: a 2xx answer over HTTP, an ack over
   * Socket Mode. An acked envelope reads as status 200 with the ack's payload
   * as body ('' for a bare ack); an unacked one as status 0, body null.
   */
  acknowledged: boolean;
}

export interface CommandOptions {
  userId: string;
  channelId: string;
  text: string;
  command?: string;
  triggerId?: string;
}

export interface EventOptions {
  eventId?: string;
  /** Set on Slack's redeliveries: x-slack-retry-num and x-slack-retry-reason. */
  retryNum?: number;
  retryReason?: string;
}

export interface MessageOptions {
  channelId: string;
  userId: string;
  text: string;
  threadTs?: string;
  /** Defaults to a fresh ts; pass one to redeliver or backdate a message. */
  ts?: string;
}

export interface EditOptions {
  channelId: string;
  ts: string;
  text: string;
}

export interface DeleteOptions {
  channelId: string;
  ts: string;
}

export interface LeaveOptions {
  channelId: string;
  userId: string;
}

export interface ReactionOptions {
  channelId: string;
  ts: string;
  userId: string;
  /** The emoji name, with or without colons. */
  name: string;
}

export interface SubmitViewOptions {
  userId: string;
  /** Which modal; default the user's latest open one (with this callback_id, if given). */
  viewId?: string;
  callbackId?: string;
  /** Slack's `view.state.values`: { [block_id]: { [action_id]: { type, value, ... } } } */
  values: Record<string, Record<string, unknown>>;
}

export interface OpenHomeOptions {
  userId: string;
  /** Which tab of the app the person opened; default 'home'. */
  tab?: 'home' | 'messages';
}

export interface ActionOptions {
  userId: string;
  /** The interactive element's action_id; it must be in the view or message. */
  actionId: string;
  /** The block holding the element, when the action_id is in more than one. */
  blockId?: string;
  /** The value sent; default the element's own `value`. */
  value?: string;
  /** A view the user sees (home tab or open modal) by id; default the user's home tab. */
  viewId?: string;
  /** Or a message in this channel: the one at `messageTs`, else the latest that has the element. */
  channelId?: string;
  messageTs?: string;
  triggerId?: string;
}

export interface RawOptions {
  body: string;
  headers?: Record<string, string>;
  contentType?: string;
  /** Sign it (true: now, with the driver's secret), or sign it as given; default unsigned. */
  sign?: boolean | { timestamp?: number; secret?: string };
}

/** Where a person pressed something: a view (home tab, modal) or a message. */
type ActionContainer =
  | { kind: 'view'; view: SimView; blocks: unknown }
  | { kind: 'message'; channel: SimChannel; message: SimMessage; blocks: unknown };

interface FoundElement {
  blockId: string;
  element: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The interactive elements of a block list, with the block each is in. */
function interactiveElements(blocks: unknown): FoundElement[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.filter(isRecord).flatMap((block, index) => {
    // Slack gives a block without a block_id one of its own; this one is stable for a given layout.
    const blockId = typeof block.block_id === 'string' ? block.block_id : `block-${index}`;
    const candidates = [
      ...(Array.isArray(block.elements) ? block.elements : []),
      block.accessory,
      block.element,
    ].filter(isRecord);
    return candidates.filter((element) => typeof element.action_id === 'string').map((element) => ({ blockId, element }));
  });
}

/** One request the driver sent to the app, for diagnosing a failed test. */
export interface Delivery {
  kind: string;
  status: number;
  body: unknown;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function channelType(channel: SimChannel): 'im' | 'group' | 'channel' {
  return channel.isIm ? 'im' : channel.isPrivate ? 'group' : 'channel';
}

export class SlackDriver {
  readonly deliveries: Delivery[] = [];

  private readonly transport: 'http' | 'socket';
  private readonly appUrl: string;
  private readonly signingSecret: string;
  private readonly sim: SlackSimulator;
  private readonly now: () => number;
  private readonly requestTimeoutMs: number | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stopEcho: (() => void) | undefined;
  private eventCount = 0;

  constructor(options: SlackDriverOptions) {
    this.transport = options.transport ?? 'http';
    this.appUrl = options.appUrl ?? '';
    this.signingSecret = options.signingSecret ?? '';
    this.sim = options.simulator;
    this.now = options.now ?? Date.now;
    this.requestTimeoutMs = options.requestTimeoutMs;
    if (options.echoBotMessages) {
      const stops = [this.sim.onBotMessage((m) => this.echo(m)), this.sim.onBotMessageChange((change) => this.echoChange(change))];
      this.stopEcho = () => stops.forEach((stop) => stop());
    } else {
      this.stopEcho = undefined;
    }
  }

  /** A slash command, form-encoded as Slack sends it. */
  async command(options: CommandOptions): Promise<DriverResponse & { triggerId: string; responseUrl: string }> {
    const channel = this.requireChannel(options.channelId, 'command');
    const triggerId = options.triggerId ?? this.sim.issueTriggerId(options.userId);
    const responseUrl = this.sim.responseUrl(channel.id, options.userId);
    const body = new URLSearchParams({
      token: VERIFICATION_TOKEN,
      team_id: TEAM_ID,
      team_domain: TEAM_DOMAIN,
      channel_id: channel.id,
      channel_name: channel.isIm ? 'directmessage' : channel.name,
      user_id: options.userId,
      user_name: this.sim.user(options.userId)?.name ?? options.userId,
      command: options.command ?? '/incident',
      text: options.text,
      api_app_id: API_APP_ID,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    }).toString();
    const response = await this.send('command', body, 'application/x-www-form-urlencoded');
    return { ...response, triggerId, responseUrl };
  }

  /** An Events API event, in its event_callback envelope. */
  async event(event: Record<string, unknown>, options: EventOptions = {}): Promise<DriverResponse & { eventId: string }> {
    this.eventCount += 1;
    const eventId =
      options.eventId ?? `Ev${String(this.eventCount).padStart(4, '0')}${randomBytes(4).toString('hex').toUpperCase()}`;
    const envelope = {
      token: VERIFICATION_TOKEN,
      team_id: TEAM_ID,
      context_team_id: TEAM_ID,
      api_app_id: API_APP_ID,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(this.sim.now() / 1000),
      authorizations: [
        { enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    };
    const headers: Record<string, string> = {};
    if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
    if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
    const response = await this.send(`event ${String(event.type)}`, JSON.stringify(envelope), 'application/json', headers);
    return { ...response, eventId };
  }

  /** A person posts a message: it appears in the channel, then the app hears of it. */
  async message(options: MessageOptions): Promise<DriverResponse & { ts: string }> {
    const channel = this.requireChannel(options.channelId, 'message');
    const message = this.sim.addMessage({
      channel: channel.id,
      user: options.userId,
      text: options.text,
      ...(options.threadTs !== undefined ? { threadTs: options.threadTs } : {}),
      ...(options.ts !== undefined ? { ts: options.ts } : {}),
    });
    const response = await this.event({
      type: 'message',
      channel: channel.id,
      user: options.userId,
      text: options.text,
      ts: message.ts,
      ...(options.threadTs !== undefined ? { thread_ts: options.threadTs } : {}),
      team: TEAM_ID,
      client_msg_id: randomUUID(),
      channel_type: channelType(channel),
      event_ts: message.ts,
    });
    return { ...response, ts: message.ts };
  }

  /** A person edits their message: Slack's message_changed event. */
  async edit(options: EditOptions): Promise<DriverResponse> {
    const channel = this.requireChannel(options.channelId, 'edit');
    const message = this.sim.message(channel.id, options.ts);
    if (!message?.user) throw new Error(`driver.edit: no message ${options.ts} by a person in ${channel.id}`);
    const previous = { type: 'message', user: message.user, text: message.text, ts: message.ts };
    const eventTs = this.sim.nextTs();
    message.text = options.text;
    message.edited = { user: message.user, ts: eventTs };
    this.sim.changed();
    return this.event({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: channel.id,
      channel_type: channelType(channel),
      ts: eventTs,
      event_ts: eventTs,
      message: {
        ...previous,
        text: options.text,
        edited: message.edited,
        ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
      },
      previous_message: previous,
    });
  }

  /**
   * A person deletes a message: Slack's message_deleted event; or, for a thread
   * parent that has replies, the message_changed that puts Slack's tombstone
   * ("This message was deleted.") in its place, as Slack does.
   */
  async delete(options: DeleteOptions): Promise<DriverResponse> {
    const channel = this.requireChannel(options.channelId, 'delete');
    const eventTs = this.sim.nextTs();
    const common = { type: 'message', hidden: true, channel: channel.id, channel_type: channelType(channel), ts: eventTs, event_ts: eventTs };
    const hasReplies = channel.messages.some((m) => m.threadTs === options.ts && m.ts !== options.ts);
    const parent = hasReplies ? this.sim.message(channel.id, options.ts) : undefined;
    if (parent) {
      const previous = { type: 'message', user: parent.user, text: parent.text, ts: parent.ts, thread_ts: parent.ts };
      parent.text = 'This message was deleted.';
      parent.user = 'USLACKBOT';
      parent.subtype = 'tombstone';
      parent.files = undefined;
      this.sim.changed();
      return this.event({
        ...common,
        subtype: 'message_changed',
        message: { type: 'message', subtype: 'tombstone', user: 'USLACKBOT', text: parent.text, hidden: true, ts: parent.ts, thread_ts: parent.ts },
        previous_message: previous,
      });
    }
    const removed = this.sim.removeMessage(channel.id, options.ts);
    return this.event({
      ...common,
      subtype: 'message_deleted',
      deleted_ts: options.ts,
      ...(removed ? { previous_message: { type: 'message', user: removed.user, text: removed.text, ts: removed.ts } } : {}),
    });
  }

  /**
   * A person leaves a channel (or is removed from it): Slack posts the channel_leave
   * message and sends member_left_channel.
   */
  async leave(options: LeaveOptions): Promise<DriverResponse> {
    const channel = this.requireChannel(options.channelId, 'leave');
    channel.members.delete(options.userId);
    this.sim.changed();
    return this.event({
      type: 'member_left_channel',
      user: options.userId,
      channel: channel.id,
      channel_type: channel.isPrivate ? 'G' : 'C',
      team: TEAM_ID,
      event_ts: this.sim.nextTs(),
    });
  }

  /** reaction_added; the message may be unknown, as when Slack delivers the reaction first. */
  react(options: ReactionOptions): Promise<DriverResponse> {
    return this.reaction('reaction_added', options);
  }

  unreact(options: ReactionOptions): Promise<DriverResponse> {
    return this.reaction('reaction_removed', options);
  }

  /** Submits a modal the app opened, then applies the app's response_action to it. */
  async submitView(options: SubmitViewOptions): Promise<DriverResponse & { viewId: string }> {
    const modal = this.findOpenModal(options);
    const user = this.sim.user(options.userId);
    const payload = {
      type: 'view_submission',
      team: { id: TEAM_ID, domain: TEAM_DOMAIN },
      user: { id: options.userId, username: user?.name, name: user?.name, team_id: TEAM_ID },
      api_app_id: API_APP_ID,
      token: VERIFICATION_TOKEN,
      trigger_id: this.sim.issueTriggerId(options.userId),
      view: { ...modalJson(modal), state: { values: options.values } },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const response = await this.send('view_submission', body, 'application/x-www-form-urlencoded');
    if (response.status === 200) this.applyResponseAction(modal, response.body);
    return { ...response, viewId: modal.id };
  }

  /** A person opens the app's Home tab: Slack's app_home_opened event (with the view, once one is published). */
  openHome(options: OpenHomeOptions): Promise<DriverResponse & { eventId: string }> {
    const tab = this.sim.homeTab(options.userId);
    return this.event({
      type: 'app_home_opened',
      user: options.userId,
      channel: this.sim.dmChannel(options.userId).id,
      tab: options.tab ?? 'home',
      event_ts: this.sim.nextTs(),
      ...(tab !== undefined && (options.tab ?? 'home') === 'home' ? { view: homeViewJson(tab) } : {}),
    });
  }

  /**
   * A person presses a button (or uses another interactive element) in a view
   * or message the app made: Slack's block_actions payload, form-encoded. The
   * element must be there, so a test cannot press a button the app never drew.
   * The trigger id is the simulator's, so the app can open a modal with it.
   */
  async action(options: ActionOptions): Promise<DriverResponse & { triggerId: string }> {
    const container = this.findActionContainer(options);
    const found = interactiveElements(container.blocks).filter(
      (candidate) =>
        candidate.element.action_id === options.actionId && (options.blockId === undefined || candidate.blockId === options.blockId),
    );
    const [target] = found;
    if (!target || found.length > 1) {
      const ids = interactiveElements(container.blocks).map((c) => `${c.blockId}/${String(c.element.action_id)}`);
      throw new Error(
        `driver.action: ${found.length > 1 ? 'more than one' : 'no'} element with action_id ${options.actionId}` +
          `${options.blockId !== undefined ? ` in block ${options.blockId}` : ''}; ` +
          `there ${ids.length > 0 ? `are ${ids.join(', ')}` : 'are none'}` +
          `${found.length > 1 ? '; pass blockId' : ''}`,
      );
    }
    const user = this.sim.user(options.userId);
    const triggerId = options.triggerId ?? this.sim.issueTriggerId(options.userId);
    const { element } = target;
    const value = options.value ?? (typeof element.value === 'string' ? element.value : undefined);
    const action = {
      type: element.type,
      action_id: options.actionId,
      block_id: target.blockId,
      ...(element.text !== undefined ? { text: element.text } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(typeof element.style === 'string' ? { style: element.style } : {}),
      action_ts: this.sim.nextTs(),
    };
    const where =
      container.kind === 'view'
        ? {
            container: { type: 'view', view_id: container.view.id },
            view: container.view,
            state: { values: {} },
          }
        : {
            container: {
              type: 'message',
              message_ts: container.message.ts,
              channel_id: container.channel.id,
              is_ephemeral: false,
            },
            channel: { id: container.channel.id, name: container.channel.name },
            message: messageJson(container.message),
            state: { values: {} },
            response_url: this.sim.responseUrl(container.channel.id, options.userId),
          };
    const payload = {
      type: 'block_actions',
      user: { id: options.userId, username: user?.name, name: user?.name, team_id: TEAM_ID },
      api_app_id: API_APP_ID,
      token: VERIFICATION_TOKEN,
      ...where,
      trigger_id: triggerId,
      team: { id: TEAM_ID, domain: TEAM_DOMAIN },
      enterprise: null,
      is_enterprise_install: false,
      actions: [action],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const response = await this.send(`block_actions ${options.actionId}`, body, 'application/x-www-form-urlencoded');
    return { ...response, triggerId };
  }

  /** Sends a body as is over HTTP: for unsigned, forged or stale requests. */
  async raw(options: RawOptions): Promise<RawResponse> {
    if (this.transport === 'socket') {
      throw new Error('driver.raw: sends HTTP requests only; this driver uses Socket Mode, where nothing is signed');
    }
    const headers = { ...options.headers };
    if (options.sign) {
      const { timestamp = Math.floor(this.now() / 1000), secret = this.signingSecret } =
        options.sign === true ? {} : options.sign;
      Object.assign(headers, slackSignatureHeaders(secret, timestamp, options.body));
    }
    const { status, body } = await this.post('raw', options.body, options.contentType ?? 'application/json', headers);
    return { status, body };
  }

  /** Waits for every echoed bot message still being delivered. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops echoing bot messages. */
  close(): void {
    this.stopEcho?.();
  }

  // ---- internals ----------------------------------------------------------

  private async reaction(type: 'reaction_added' | 'reaction_removed', options: ReactionOptions): Promise<DriverResponse> {
    const channel = this.requireChannel(options.channelId, type);
    const name = options.name.replace(/^:|:$/g, '');
    if (type === 'reaction_added') this.sim.addReaction(channel.id, options.ts, name, options.userId);
    else this.sim.removeReaction(channel.id, options.ts, name, options.userId);
    const itemUser = this.sim.message(channel.id, options.ts)?.user;
    return this.event({
      type,
      user: options.userId,
      reaction: name,
      item: { type: 'message', channel: channel.id, ts: options.ts },
      ...(itemUser !== undefined ? { item_user: itemUser } : {}),
      event_ts: this.sim.nextTs(),
    });
  }

  private findActionContainer(options: ActionOptions): ActionContainer {
    if (options.channelId !== undefined) {
      const channel = this.requireChannel(options.channelId, 'action');
      const message =
        options.messageTs !== undefined
          ? this.sim.message(channel.id, options.messageTs)
          : channel.messages.findLast((m) =>
              interactiveElements(m.blocks).some((c) => c.element.action_id === options.actionId),
            );
      if (!message) {
        throw new Error(
          `driver.action: no message ${options.messageTs ?? `with ${options.actionId}`} in ${channel.id}`,
        );
      }
      return { kind: 'message', channel, message, blocks: message.blocks };
    }
    if (options.viewId !== undefined) {
      const tab = [...this.sim.homeTabs.values()].find((t) => t.id === options.viewId && t.userId === options.userId);
      if (tab) return { kind: 'view', view: homeViewJson(tab), blocks: tab.view.blocks };
      const modal = this.sim.modals.find((m) => m.id === options.viewId && m.open && m.userId === options.userId);
      if (modal) return { kind: 'view', view: modalJson(modal), blocks: modal.view.blocks };
      throw new Error(`driver.action: ${options.userId} sees no home tab or open modal ${options.viewId}`);
    }
    const tab = this.sim.homeTab(options.userId);
    if (!tab) {
      throw new Error(
        `driver.action: no home tab is published for ${options.userId}; open it first (driver.openHome) and wait for views.publish`,
      );
    }
    return { kind: 'view', view: homeViewJson(tab), blocks: tab.view.blocks };
  }

  private findOpenModal(options: SubmitViewOptions): SimModal {
    const modal =
      options.viewId !== undefined
        ? this.sim.modals.find((m) => m.id === options.viewId && m.open)
        : this.sim
            .modalsFor(options.userId)
            .filter((m) => m.open && (options.callbackId === undefined || m.view.callback_id === options.callbackId))
            .at(-1);
    if (modal) return modal;
    const opened = this.sim.modals.map((m) => `${m.id} (${String(m.view.callback_id ?? '')}, ${m.open ? 'open' : 'closed'})`);
    throw new Error(
      `driver.submitView: no open modal ${options.viewId ?? `for ${options.userId}`}` +
        `${options.callbackId !== undefined ? ` with callback_id ${options.callbackId}` : ''}; ` +
        `modals: ${opened.length > 0 ? opened.join(', ') : 'none'}`,
    );
  }

  /** What Slack does with the modal after the app answers a submission. */
  private applyResponseAction(modal: SimModal, body: unknown): void {
    const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const view = answer.view as Record<string, unknown> | undefined;
    switch (answer.response_action) {
      case 'errors':
        break;
      case 'update':
        if (view) modal.view = view;
        break;
      case 'push':
        if (view) {
          this.sim.modals.push({ ...modal, id: this.sim.newId('V'), view, open: true });
        }
        break;
      case 'clear':
        for (const m of this.sim.modalsFor(modal.userId ?? '')) m.open = false;
        break;
      default:
        modal.open = false;
    }
    this.sim.changed();
  }

  private echo(message: SimMessage): void {
    const channel = this.sim.channel(message.channel);
    if (!channel) return;
    const delivery = this.event({
      type: 'message',
      ...(message.files !== undefined ? { subtype: 'file_share' } : {}),
      channel: message.channel,
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      bot_profile: { id: BOT_ID, app_id: API_APP_ID, name: BOT_NAME, team_id: TEAM_ID },
      text: message.text,
      ts: message.ts,
      ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
      ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
      team: TEAM_ID,
      channel_type: channelType(channel),
      event_ts: message.ts,
    });
    this.track(delivery);
  }

  /** Keeps an echo's delivery for idle(); a failure is kept among the deliveries. */
  private track(delivery: Promise<unknown>): void {
    const settled = delivery.catch((error: unknown) => {
      this.deliveries.push({ kind: 'echo failed', status: 0, body: String(error) });
    });
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  /**
   * The bot's own chat.update or chat.delete, as Slack reports it back: a
   * message_changed with no top-level user (the bot's ids inside), or a
   * message_deleted whose previous_message is the bot's.
   */
  private echoChange(change: BotMessageChange): void {
    const channel = this.sim.channel(change.previous.channel);
    if (!channel) return;
    const eventTs = this.sim.nextTs();
    const common = { type: 'message', hidden: true, channel: channel.id, channel_type: channelType(channel), ts: eventTs, event_ts: eventTs };
    const event = change.current
      ? { ...common, subtype: 'message_changed', message: messageJson(change.current), previous_message: messageJson(change.previous) }
      : { ...common, subtype: 'message_deleted', deleted_ts: change.previous.ts, previous_message: messageJson(change.previous) };
    this.track(this.event(event));
  }

  private requireChannel(channelId: string, what: string): SimChannel {
    const channel = this.sim.channel(channelId);
    if (!channel) {
      throw new Error(`driver.${what}: the simulator has no channel ${channelId}; make it with sim.addChannel()`);
    }
    return channel;
  }

  /** Signs with the current time and posts, or hands the same request to Socket Mode. */
  private send(kind: string, body: string, contentType: string, headers: Record<string, string> = {}): Promise<DriverResponse> {
    if (this.transport === 'socket') return this.sendEnvelope(kind, envelopeFor(kind, body, contentType, headers));
    const timestamp = Math.floor(this.now() / 1000);
    return this.post(kind, body, contentType, {
      ...headers,
      ...slackSignatureHeaders(this.signingSecret, timestamp, body),
    });
  }

  private async post(kind: string, body: string, contentType: string, headers: Record<string, string>): Promise<DriverResponse> {
    let response: Response;
    try {
      response = await fetch(this.appUrl, {
        method: 'POST',
        headers: {
          'content-type': contentType,
          'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
          ...headers,
        },
        body,
        signal: AbortSignal.timeout(this.requestTimeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new Error(`driver: sending ${kind} to ${this.appUrl} failed: ${String(error)}`, { cause: error });
    }
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json') && text !== '';
    const parsed = isJson ? parseJsonOrText(text) : text;
    this.deliveries.push({ kind, status: response.status, body: parsed });
    return { status: response.status, body: parsed, acknowledged: response.ok };
  }

  private async sendEnvelope(kind: string, envelope: EnvelopeRequest): Promise<DriverResponse> {
    const options: SocketSendOptions = { ...envelope.options };
    if (this.requestTimeoutMs !== undefined) options.ackTimeoutMs = this.requestTimeoutMs;
    const outcome = await this.sim.socketMode.send(envelope.type, envelope.payload, options);
    // Read as HTTP would: an ack is a 200 whose body is the ack's payload.
    const response: DriverResponse = outcome.acknowledged
      ? { status: 200, body: outcome.payload ?? '', acknowledged: true }
      : { status: 0, body: null, acknowledged: false };
    // The delivery log keeps why there was no ack, for a failing test to show.
    this.deliveries.push({ kind, status: response.status, body: outcome.acknowledged ? response.body : outcome.reason });
    return response;
  }
}

interface EnvelopeRequest {
  type: SocketEnvelopeType;
  payload: Record<string, unknown>;
  options: SocketSendOptions;
}

/**
 * The Socket Mode envelope Slack sends in place of an HTTP request: an event's
 * JSON body as is, an interaction's `payload` field parsed, a command's form
 * fields as an object of strings; retry headers become retry_attempt/reason.
 */
function envelopeFor(kind: string, body: string, contentType: string, headers: Record<string, string>): EnvelopeRequest {
  if (contentType === 'application/json') {
    const retryNum = headers['x-slack-retry-num'];
    const retryReason = headers['x-slack-retry-reason'];
    return {
      type: 'events_api',
      payload: JSON.parse(body) as Record<string, unknown>,
      options: {
        ...(retryNum !== undefined ? { retryAttempt: Number(retryNum) } : {}),
        ...(retryReason !== undefined ? { retryReason } : {}),
      },
    };
  }
  const fields = Object.fromEntries(new URLSearchParams(body));
  if (typeof fields.payload === 'string') {
    return { type: 'interactive', payload: JSON.parse(fields.payload) as Record<string, unknown>, options: {} };
  }
  if (typeof fields.command === 'string') return { type: 'slash_commands', payload: fields, options: {} };
  throw new Error(`driver: no Socket Mode envelope for ${kind} (${contentType})`);
}
