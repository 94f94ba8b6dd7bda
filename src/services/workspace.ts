// The workspace sitrep serves, as auth.test names it: kept in the store so that every
// draft, the bot's and `npm run postmortem`'s alike, can link to the messages it quotes.

import { saveWorkspaceUrl, workspaceUrl } from '../db/settings.js';
import type { ServiceContext } from './context.js';

function isWebAddress(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Keeps the workspace's URL (`https://acme.slack.com/`); written only when it is new or changed. */
export function rememberWorkspaceUrl(ctx: ServiceContext, url: string): void {
  if (!isWebAddress(url)) {
    ctx.logger.warn({ url }, 'auth.test gave a workspace URL that is not a web address; drafts will not link to messages');
    return;
  }
  if (workspaceUrl(ctx.db) === url) return;
  saveWorkspaceUrl(ctx.db, url, ctx.now());
}
