// The App Home tab: published when someone opens it; its button opens the
// same declare form as `/incident declare`.

import type { App, BlockAction } from '@slack/bolt';
import type { SlackContext } from '../../services/context.js';
import { incidentForChannel } from '../../services/incidents.js';
import { publishHome, rememberViewer } from '../../courtesies/home.js';
import { declareModal } from '../../messages/blocks.js';
import { HOME_DECLARE_ACTION } from '../../messages/home-view.js';

export function registerHome(app: App, ctx: SlackContext): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    // Membership checks and the publish are Slack calls: the event is answered without waiting for them.
    rememberViewer(ctx, event.user);
    ctx.tasks.run(`publish home tab for ${event.user}`, () => publishHome(ctx, event.user));
  });

  // Someone who leaves (or is removed from) a private incident's channel may no longer
  // see it: their Home tab is published again without it.
  app.event('member_left_channel', async ({ event }) => {
    const incident = await incidentForChannel(ctx, event.channel);
    if (!incident?.isPrivate) return;
    ctx.tasks.run(`publish home tab for ${event.user}`, () => publishHome(ctx, event.user));
  });

  app.action<BlockAction>(HOME_DECLARE_ACTION, async ({ ack, body, client }) => {
    await ack();
    // Declared from the Home tab, so there is no channel to report back to.
    await client.views.open({ trigger_id: body.trigger_id, view: declareModal(null) });
  });
}
