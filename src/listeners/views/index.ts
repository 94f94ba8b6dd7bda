// The declare modal's submission.

import type { App, ViewStateValue } from '@slack/bolt';
import { DEFAULT_SEVERITY, isSeverity } from '../../domain/incident.js';
import { escapeMrkdwn } from '../../domain/mrkdwn.js';
import type { SlackContext } from '../../services/context.js';
import { declareIncident } from '../../services/declare.js';
import { commitOf } from '../inbound.js';
import { DECLARE_FIELDS, DECLARE_VIEW } from '../../messages/blocks.js';

type Values = Record<string, Record<string, ViewStateValue>>;

function field(values: Values, id: string): ViewStateValue | undefined {
  return values[id]?.[id];
}

function text(values: Values, id: string): string | null {
  const value = field(values, id)?.value?.trim();
  return value ? value : null;
}

function asMrkdwn(value: string | null): string | null {
  return value === null ? null : escapeMrkdwn(value);
}

function originOf(privateMetadata: string): string | null {
  try {
    const parsed = JSON.parse(privateMetadata) as { originChannelId?: unknown };
    return typeof parsed.originChannelId === 'string' ? parsed.originChannelId : null;
  } catch {
    return null;
  }
}

export function registerViews(app: App, ctx: SlackContext): void {
  app.view(DECLARE_VIEW, async ({ ack, body, view, context }) => {
    const values = view.state.values as Values;
    const title = text(values, DECLARE_FIELDS.title);
    if (!title) {
      await ack({ response_action: 'errors', errors: { [DECLARE_FIELDS.title]: 'Give the incident a title.' } });
      return;
    }
    const chosen = field(values, DECLARE_FIELDS.severity)?.selected_option?.value ?? DEFAULT_SEVERITY;
    const { incident, created } = await commitOf(context)((tx) =>
      declareIncident(tx, {
      title,
      severity: isSeverity(chosen) ? chosen : DEFAULT_SEVERITY,
      // Modal input arrives raw; stored free text is mrkdwn, as Slack sends messages.
      summary: asMrkdwn(text(values, DECLARE_FIELDS.summary)),
      impact: asMrkdwn(text(values, DECLARE_FIELDS.impact)),
      isPrivate: (field(values, DECLARE_FIELDS.private)?.selected_options?.length ?? 0) > 0,
      userId: body.user.id,
      originChannelId: originOf(view.private_metadata),
      declareKey: `view:${view.id}`,
      respondUrl: null,
      }),
    );
    await ack();
    if (!created) ctx.logger.info({ incident: incident.number }, 'declare form submitted again; already declared');
  });
}
