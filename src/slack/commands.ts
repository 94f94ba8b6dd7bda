// The `/incident` slash command: parse, call a service, reply. Anything the
// user got wrong is answered ephemerally and changes nothing.

import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import { HELP_TEXT, needsIncidentChannel, parseCommand, type Command } from '../domain/command.js';
import { incidentRef } from '../domain/incident.js';
import { decodeEntities } from '../domain/mrkdwn.js';
import { findIncidentByChannel, listOpenIncidents, type IncidentRecord } from '../db/incidents.js';
import type { ServiceContext } from '../services/context.js';
import { declareIncident, openIncidentChannel } from '../services/declare.js';
import { publishPostmortem } from '../services/postmortem.js';
import { resolveIncident } from '../services/resolve.js';
import { declareModal, incidentList } from './blocks.js';

export const INCIDENT_COMMAND = '/incident';

/** What a handler answers: the ephemeral text that acknowledges the command. */
type Reply = string;

interface Invocation {
  ctx: ServiceContext;
  body: SlashCommand;
  respond: RespondFn;
  client: App['client'];
  /** Set for commands that need one: the incident whose channel this is. */
  incident: IncidentRecord | null;
}

type Handler<K extends Command['kind']> = (command: Extract<Command, { kind: K }>, call: Invocation) => Promise<Reply>;
type Handlers = { [K in Command['kind']]: Handler<K> };

function tellBy(respond: RespondFn) {
  return async (text: string): Promise<void> => {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  };
}

function notYet(name: string): () => Promise<Reply> {
  return async () => `\`${name}\` is not available in this version of sitrep yet.`;
}

const handlers: Handlers = {
  help: async () => HELP_TEXT,

  declare: async (command, { ctx, body, respond }) => {
    const { incident, created } = declareIncident(ctx, {
      // Slack entity-encodes command text; a title is plain text.
      title: decodeEntities(command.title),
      severity: command.severity,
      summary: null,
      impact: null,
      isPrivate: false,
      userId: body.user_id,
      originChannelId: body.channel_id,
      declareKey: `command:${body.trigger_id}`,
    });
    if (!created) return `${incidentRef(incident.number)} was already declared for this request.`;
    ctx.tasks.run(`open channel for incident ${incident.number}`, () =>
      openIncidentChannel(ctx, incident.number, tellBy(respond)),
    );
    return `Declaring ${incidentRef(incident.number)}: ${command.title}. Opening its channel…`;
  },

  'declare-modal': async (_command, { body, client }) => {
    await client.views.open({ trigger_id: body.trigger_id, view: declareModal(body.channel_id) });
    return '';
  },

  resolve: async (command, { ctx, body, incident }) => {
    if (!incident) throw new Error('resolve reached without an incident');
    if (incident.status === 'resolved') {
      return `${incidentRef(incident.number)} is already resolved. \`/incident postmortem\` posts the draft again.`;
    }
    resolveIncident(ctx, incident, { userId: body.user_id, summary: command.summary });
    return `Resolved ${incidentRef(incident.number)}. Writing the postmortem draft…`;
  },

  postmortem: async (_command, { ctx, incident }) => {
    if (!incident) throw new Error('postmortem reached without an incident');
    ctx.tasks.run(`post postmortem for incident ${incident.number}`, async () => {
      await publishPostmortem(ctx, incident.number);
    });
    return `Writing the postmortem draft for ${incidentRef(incident.number)}…`;
  },

  list: async (_command, { ctx, body }) => {
    const visible = listOpenIncidents(ctx.db).filter(
      (incident) => !incident.isPrivate || incident.declaredBy === body.user_id || incident.channelId === body.channel_id,
    );
    return incidentList(visible, ctx.now());
  },

  status: notYet('status'),
  update: notYet('update'),
  severity: notYet('severity'),
  role: notYet('role'),
  note: notYet('note'),
  timestamp: notYet('timestamp'),
  action: notYet('action'),
  actions: notYet('actions'),
  timezone: notYet('timezone'),
};

function run(command: Command, call: Invocation): Promise<Reply> {
  const handler = handlers[command.kind] as Handler<typeof command.kind>;
  return handler(command, call);
}

export function registerCommands(app: App, ctx: ServiceContext): void {
  app.command(INCIDENT_COMMAND, async ({ command: body, ack, respond, client }) => {
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
    const reply = await run(parsed.command, { ctx, body, respond, client, incident });
    await ack(reply ? { response_type: 'ephemeral', text: reply } : undefined);
  });
}
