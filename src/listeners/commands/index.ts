// The `/incident` slash command: parse, call a service, reply. Anything the
// user got wrong is answered ephemerally and changes nothing.

import type { App, SlashCommand } from '@slack/bolt';
import { helpText, needsIncidentChannel, parseCommand, worksOnResolvedIncident, type Command } from '../../domain/command.js';
import { incidentRef, severityLabel } from '../../domain/incident.js';
import { escapeMrkdwn, mentionedUserIds, typedText } from '../../domain/mrkdwn.js';
import { MILESTONE_LABELS } from '../../domain/postmortem.js';
import { canonicalTimeZone, dayKey, formatDateTime, formatTime } from '../../domain/time.js';
import { findIncidentByChannel, listOpenIncidents, type IncidentRecord } from '../../db/incidents.js';
import { addFollowUp, describeFollowUps } from '../../services/actions.js';
import type { ServiceContext } from '../../services/context.js';
import { declareIncident } from '../../services/declare.js';
import { assignIncidentRole, changeIncidentSeverity, setIncidentTimeZone } from '../../services/incident-changes.js';
import { queuePostmortem, withNotices } from '../../services/broadcast.js';
import { rememberPeople } from '../../services/postmortem.js';
import { updateStatus } from '../../services/status.js';
import { FutureTimeError, addIncidentNote, setIncidentMilestone } from '../../services/timeline-entries.js';
import { visibleTo } from '../../services/visibility.js';
import { declareModal, incidentList } from '../../messages/blocks.js';

export const INCIDENT_COMMAND = '/incident';

/** What a handler answers: the ephemeral text that acknowledges the command. */
type Reply = string;

interface Invocation {
  ctx: ServiceContext;
  body: SlashCommand;
  client: App['client'];
  /** Set for commands that need one: the incident whose channel this is. */
  incident: IncidentRecord | null;
}

type Handler<K extends Command['kind']> = (command: Extract<Command, { kind: K }>, call: Invocation) => Promise<Reply>;
type Handlers = { [K in Command['kind']]: Handler<K> };

function resolvedRefusal(incident: IncidentRecord, command: Command): string | null {
  if (incident.status !== 'resolved' || worksOnResolvedIncident(command)) return null;
  return `${incidentRef(incident.number)} is resolved, so \`${command.kind}\` no longer applies. Re-open it with \`/incident status investigating\` if it is not over.`;
}

/** Narrows `incident` for handlers that registerCommands only calls inside an incident channel. */
function inIncident(incident: IncidentRecord | null): IncidentRecord {
  if (!incident) throw new Error('an incident command reached its handler outside an incident channel');
  return incident;
}

const handlers: Handlers = {
  help: async (_command, { ctx }) => helpText(ctx.reactions),

  declare: async (command, { ctx, body }) => {
    // Slack sends command text with entities encoded and mentions as <@U123|bob>; a title
    // is plain text, as the person typed it: `@bob`, `#ops`, `&`.
    const title = typedText(command.title);
    const { incident, created } = declareIncident(ctx, {
      title,
      severity: command.severity,
      summary: null,
      impact: null,
      isPrivate: false,
      userId: body.user_id,
      originChannelId: body.channel_id,
      declareKey: `command:${body.trigger_id}`,
      respondUrl: body.response_url,
    });
    if (!created) return `${incidentRef(incident.number)} was already declared for this request.`;
    return `Declaring ${incidentRef(incident.number)}: ${escapeMrkdwn(title)}. Opening its channel…`;
  },

  'declare-modal': async (_command, { body, client }) => {
    await client.views.open({ trigger_id: body.trigger_id, view: declareModal(body.channel_id) });
    return '';
  },

  status: async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    if (current.status === 'resolved' && command.status === 'resolved') {
      return `${incidentRef(current.number)} is already resolved. \`/incident postmortem\` posts the draft again.`;
    }
    updateStatus(ctx, current, { status: command.status, message: command.message, userId: body.user_id });
    return command.status === 'resolved' ? `Resolved ${incidentRef(current.number)}. Writing the postmortem draft…` : '';
  },

  update: async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    updateStatus(ctx, current, { status: current.status, message: command.message, userId: body.user_id });
    return '';
  },

  resolve: async (command, call) => handlers.status({ kind: 'status', status: 'resolved', message: command.summary }, call),

  severity: async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    if (current.severity === command.severity) return `${incidentRef(current.number)} is already ${severityLabel(command.severity)}.`;
    changeIncidentSeverity(ctx, current, { severity: command.severity, userId: body.user_id });
    return '';
  },

  role: async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    if (current.roles[command.role] === command.userId) return `<@${command.userId}> is already the ${command.role}.`;
    assignIncidentRole(ctx, current, { role: command.role, userId: command.userId, actorId: body.user_id });
    return '';
  },

  note: async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    const at = addIncidentNote(ctx, current, { time: command.time, text: command.text, userId: body.user_id });
    const sameDay = dayKey(at, current.timeZone) === dayKey(ctx.now(), current.timeZone);
    return `Noted at ${sameDay ? formatTime(at, current.timeZone) : formatDateTime(at, current.timeZone)}.`;
  },

  timestamp: async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    const at = setIncidentMilestone(ctx, current, { milestone: command.milestone, time: command.time, userId: body.user_id });
    return `${MILESTONE_LABELS[command.milestone]} set to ${formatDateTime(at, current.timeZone)}.`;
  },

  action: async (command, { ctx, body, incident }) => {
    addFollowUp(ctx, inIncident(incident), { text: command.text, ownerId: command.ownerId, userId: body.user_id });
    return '';
  },

  actions: async (_command, { ctx, incident }) => describeFollowUps(ctx, inIncident(incident)),

  timezone: async (command, { ctx, body, incident }) => {
    const zone = canonicalTimeZone(command.zone);
    if (!zone) return `\`${command.zone}\` is not a time zone I know. Use an IANA name such as \`Europe/London\` or \`America/New_York\`.`;
    setIncidentTimeZone(ctx, inIncident(incident), { zone, userId: body.user_id });
    return '';
  },

  postmortem: async (_command, { ctx, incident }) => {
    const current = inIncident(incident);
    withNotices(ctx, () => queuePostmortem(ctx, current));
    return `Writing the postmortem draft for ${incidentRef(current.number)}…`;
  },

  list: async (_command, { ctx, body }) => {
    const visible = await visibleTo(ctx, listOpenIncidents(ctx.db), body.user_id);
    return incidentList(visible, ctx.now());
  },
};

function run(command: Command, call: Invocation): Promise<Reply> {
  const handler = handlers[command.kind] as Handler<typeof command.kind>;
  return handler(command, call);
}

export function registerCommands(app: App, ctx: ServiceContext): void {
  app.command(INCIDENT_COMMAND, async ({ command: body, ack, client }) => {
    const parsed = parseCommand(body.text);
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: `${parsed.error}\nTry ${parsed.usage}` });
      return;
    }
    const incident = findIncidentByChannel(ctx.db, body.channel_id);
    if (needsIncidentChannel(parsed.command) && !incident) {
      await ack({
        response_type: 'ephemeral',
        text: `\`${parsed.command.kind}\` works in an incident's channel, and this is not one. Run it there, or \`/incident list\` to find it.`,
      });
      return;
    }
    const refusal = incident && resolvedRefusal(incident, parsed.command);
    if (refusal) {
      await ack({ response_type: 'ephemeral', text: refusal });
      return;
    }
    let reply: Reply;
    try {
      reply = await run(parsed.command, { ctx, body, client, incident });
    } catch (error) {
      if (!(error instanceof FutureTimeError)) throw error;
      reply = `${error.message} Give a time that has passed, such as \`14:05\` or \`2024-04-09 06:45\` (${incident?.timeZone ?? 'UTC'}).`;
    }
    await ack(reply ? { response_type: 'ephemeral', text: reply } : undefined);
    if (incident || parsed.command.kind === 'declare') rememberPeople(ctx, [body.user_id, ...mentionedUserIds(body.text)]);
  });
}
