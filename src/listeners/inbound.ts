// Before any listener runs: a delivery Slack made before and that was stored is
// answered and dropped; otherwise the listener finds, in its context, the one way
// to commit (services/inbound.ts) before Bolt answers Slack.

import type { App, Context } from '@slack/bolt';
import type { Commit, Inbound } from '../services/inbound.js';

/** Where the middleware leaves the listener its Commit. */
const COMMIT = 'sitrepCommit';

export function registerInbound(app: App, inbound: Inbound): void {
  app.use(async ({ body, context, next }) => {
    const { type, event_id: eventId } = body as { type?: string; event_id?: string };
    const delivery = await inbound.delivery(type === 'event_callback' ? eventId : undefined);
    if (delivery.alreadyHandled) return;
    context[COMMIT] = delivery.commit;
    await next();
    await delivery.finish();
  });
}

/** The commit this request's writes go through. */
export function commitOf(context: Context): Commit {
  const commit = context[COMMIT] as Commit | undefined;
  if (!commit) throw new Error('a listener ran without the inbound middleware (registerInbound)');
  return commit;
}
