// The App Home tab for one person: the incidents they may see, published.

import { listRecentlyResolved } from '../db/home.js';
import { listOpenIncidents, type IncidentRecord } from '../db/incidents.js';
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
    const batch = listRecentlyResolved(ctx.db, { limit: RESOLVED_PAGE, offset: page * RESOLVED_PAGE });
    shown.push(...(await visibleTo(ctx, batch, userId)));
    if (batch.length < RESOLVED_PAGE) break;
  }
  return shown.slice(0, HOME_RECENTLY_RESOLVED);
}

/** Publishes `userId`'s Home tab; private incidents show only to people in their channel. */
export async function publishHome(ctx: SlackContext, userId: string): Promise<void> {
  const [open, resolved] = await Promise.all([
    visibleTo(ctx, listOpenIncidents(ctx.db), userId),
    recentlyResolvedFor(ctx, userId),
  ]);
  await ctx.slack.views.publish({ user_id: userId, view: homeView({ open, resolved, now: ctx.now() }) });
}
