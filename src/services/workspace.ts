// The workspace sitrep serves, as auth.test names it: kept in the store so that every
// draft, the bot's and `npm run postmortem`'s alike, can link to the messages it quotes.

import type { ServiceContext } from './context.js';

function isWebAddress(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Keeps the workspace's URL (`https://acme.slack.com/`); written only when it is new or changed. */
export async function rememberWorkspaceUrl(ctx: ServiceContext, url: string): Promise<void> {
  if (!isWebAddress(url)) {
    ctx.logger.warn({ url }, 'auth.test gave a workspace URL that is not a web address; drafts will not link to messages');
    return;
  }
  if ((await ctx.db.workspaceUrl()) === url) return;
  await ctx.db.saveWorkspaceUrl(url, ctx.now());
}
