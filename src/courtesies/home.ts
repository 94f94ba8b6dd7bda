// The App Home tab for one person: the incidents they may see, published.

import type { IncidentRecord } from '../db/incidents.js';
import { homeView } from '../messages/home-view.js';
import type { SlackContext } from '../services/context.js';
import { visibleTo } from './visibility.js';

export const HOME_RECENTLY_RESOLVED = 5;

/** Resolved incidents are read a page at a time until enough are visible; this bounds the reading. */
const RESOLVED_PAGE = 20;
const RESOLVED_PAGES = 5;

async function recentlyResolvedFor(ctx: SlackContext, userId: string): Promise<IncidentRecord[]> {
  const shown: IncidentRecord[] = [];
  for (let page = 0; page < RESOLVED_PAGES && shown.length < HOME_RECENTLY_RESOLVED; page += 1) {
    const batch = await ctx.db.listRecentlyResolved({ limit: RESOLVED_PAGE, offset: page * RESOLVED_PAGE });
    shown.push(...(await visibleTo(ctx, batch, userId)));
    if (batch.length < RESOLVED_PAGE) break;
  }
  return shown.slice(0, HOME_RECENTLY_RESOLVED);
}

/** Publishes `userId`'s Home tab; private incidents show only to people in their channel. */
export async function publishHome(ctx: SlackContext, userId: string): Promise<void> {
  const [open, resolved] = await Promise.all([
    visibleTo(ctx, await ctx.db.listOpenIncidents(), userId),
    recentlyResolvedFor(ctx, userId),
  ]);
  await ctx.slack.views.publish({ user_id: userId, view: homeView({ open, resolved, now: ctx.now() }) });
}

/** Home tabs republished when an incident changes: the people who opened theirs most recently. */
const RECENT_VIEWERS = 50;
/** Someone who has not opened the Home tab for this long sees it fresh when they next do. */
const VIEWER_MEMORY_MS = 60 * 60 * 1000;

// By store: the listeners and the outbox hold different contexts over the same one.
const viewers = new WeakMap<object, Map<string, number>>();

/** Notes that `userId` has the Home tab open (Slack says so each time it is opened). */
export function rememberViewer(ctx: SlackContext, userId: string): void {
  const seen = viewers.get(ctx.store) ?? new Map<string, number>();
  viewers.set(ctx.store, seen);
  seen.delete(userId);
  seen.set(userId, ctx.now());
  // Insertion order is recency order: the oldest go first.
  while (seen.size > RECENT_VIEWERS) seen.delete(seen.keys().next().value ?? userId);
}

/**
 * An incident changed: the Home tabs of recent viewers show it as it is now. This also
 * takes a private incident off the tab of someone no longer in its channel, however
 * they left it. Kept in memory: after a restart, tabs are fresh again when opened.
 */
export function republishHomes(ctx: SlackContext): void {
  const seen = viewers.get(ctx.store);
  if (!seen) return;
  const since = ctx.now() - VIEWER_MEMORY_MS;
  for (const [userId, at] of seen) {
    if (at < since) seen.delete(userId);
    else ctx.tasks.run(`publish home tab for ${userId}`, () => publishHome(ctx, userId));
  }
}
