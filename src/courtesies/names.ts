// People's display names, looked up in the background and cached, so that a draft
// (and an export on the command line) shows names without asking Slack.

import type { SlackContext } from '../services/context.js';

/** Names older than this are fetched again: people change their display names. */
const NAME_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Until when each name is known to be fresh, by store: most messages come from people
 * whose names were looked up minutes ago, and asking the store again for each message
 * was a query per event (a round trip on PostgreSQL).
 */
const freshUntil = new WeakMap<object, Map<string, number>>();

/** Fetches display names that are missing or stale. A failed lookup leaves the old name (or the id). */
export async function refreshNames(ctx: SlackContext, ids: readonly string[]): Promise<void> {
  const known = freshUntil.get(ctx.store) ?? new Map<string, number>();
  freshUntil.set(ctx.store, known);
  const unsure = ids.filter((id) => (known.get(id) ?? -Infinity) <= ctx.now());
  if (unsure.length === 0) return;
  const { fetchedAt } = await ctx.db.cachedNames(unsure);
  for (const id of unsure) if (fetchedAt[id] !== undefined) known.set(id, fetchedAt[id] + NAME_MAX_AGE_MS);
  const stale = unsure.filter((id) => (fetchedAt[id] ?? -Infinity) < ctx.now() - NAME_MAX_AGE_MS);
  await Promise.all(
    stale.map(async (id) => {
      try {
        const { user } = await ctx.slack.users.info({ user: id });
        // A document wants the full name people know; the handle is the fallback.
        const name = user?.profile?.real_name || user?.real_name || user?.profile?.display_name || user?.name;
        if (name) {
          await ctx.db.saveName(id, name, ctx.now());
          known.set(id, ctx.now() + NAME_MAX_AGE_MS);
        }
      } catch (err) {
        ctx.logger.warn({ err, user: id }, 'could not look up a display name');
      }
    }),
  );
}

/** Looks up, in the background, the names of people the draft will show, so exports never need Slack. */
export function rememberPeople(ctx: SlackContext, ids: ReadonlyArray<string | null | undefined>): void {
  const known = ids.filter((id): id is string => typeof id === 'string' && id.length > 0);
  if (known.length === 0) return;
  ctx.tasks.run('look up display names', () => refreshNames(ctx, [...new Set(known)]));
}

