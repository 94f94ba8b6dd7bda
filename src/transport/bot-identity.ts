// Who sitrep is in Slack (its bot user id and bot id, from auth.test), for Bolt's
// `authorize` and so that sitrep's own posts are never recorded as someone's.
//
// Given a token, Bolt calls auth.test once when the app is built and keeps the
// promise, a failure included: if Slack's API was unreachable for that one call,
// every request after it would be refused until a restart. And Bolt authorizes
// every request with it, so while Slack's API is down nothing would be recorded.
// Here the answer is asked for at start and kept once it comes; a failure is
// asked again later; and a request never waits for it: until it is known, the
// bot user id that Slack puts in every event's `authorizations` stands in.
//
// The same answer names the workspace (`url`): whoever wants it (the store, for
// links in drafts made offline) is told once, when the answer first comes.

import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';

export interface BotIdentity {
  botId?: string;
  botUserId?: string;
}

/** What auth.test said beyond the bot's own ids. */
export interface Workspace {
  /** The workspace's address, `https://acme.slack.com/`. */
  url: string;
}

export class BotIdentityCache {
  private known: Required<BotIdentity> | undefined;
  private asking: Promise<void> | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
    /** Called once, when the first answer comes (outside any request), if it names the workspace. */
    private readonly onWorkspace?: (workspace: Workspace) => Promise<void>,
  ) {}

  /** Asks Slack, unless an answer is known or a question is out; never rejects. */
  refresh(): Promise<void> {
    if (this.known) return Promise.resolve();
    this.asking ??= this.client.auth
      .test()
      .then((result) => {
        if (!result.user_id || !result.bot_id) throw new Error('auth.test did not say who the bot is: is SLACK_BOT_TOKEN a bot token?');
        this.known = { botId: result.bot_id, botUserId: result.user_id };
        if (result.url) this.tell({ url: result.url });
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'auth.test failed; asking again at the next request'))
      .finally(() => {
        this.asking = undefined;
      });
    return this.asking;
  }

  /** A listener that fails (a full disk) is logged: who the bot is stays known all the same. */
  private tell(workspace: Workspace): void {
    this.onWorkspace?.(workspace).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not keep what auth.test said about the workspace');
    });
  }

  /** What is known now, else what the request itself says (an event's `authorizations`). */
  forRequest(body: unknown): BotIdentity {
    if (this.known) return this.known;
    void this.refresh();
    const authorizations = (body as { authorizations?: Array<{ user_id?: unknown; is_bot?: unknown }> } | null)?.authorizations;
    const bot = Array.isArray(authorizations) ? authorizations.find((entry) => entry.is_bot === true) : undefined;
    return typeof bot?.user_id === 'string' ? { botUserId: bot.user_id } : {};
  }
}
