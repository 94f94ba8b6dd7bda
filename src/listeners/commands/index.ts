// The `/incident` slash command: parse, call a service, reply. Anything the
// user got wrong is answered ephemerally and changes nothing.

import type { App, SlashCommand } from '@slack/bolt';
import { helpText, needsIncidentChannel, parseCommand, worksOnResolvedIncident, type Command } from '../../domain/command.js';
import { incidentRef, severityLabel } from '../../domain/incident.js';
import { decodeEntities, escapeMrkdwn, mentionedUserIds, typedText } from '../../domain/mrkdwn.js';
import { MILESTONE_LABELS } from '../../domain/incident.js';
import { canonicalTimeZone, dayKey, formatDateTime, formatTime } from '../../domain/time.js';
import { addFollowUp, describeFollowUps } from '../../services/actions.js';
import type { ServiceContext, SlackContext } from '../../services/context.js';
import type { Commit } from '../../services/inbound.js';
import { incidentForChannel, openIncidents, type IncidentRecord } from '../../services/incidents.js';
import type { Status } from '../../domain/incident.js';
import { commitOf } from '../inbound.js';
import { declareIncident } from '../../services/declare.js';
import { assignIncidentRole, changeIncidentSeverity, setIncidentStatement, setIncidentTimeZone } from '../../services/incident-changes.js';
import { queuePostmortem } from '../../services/broadcast.js';
import { rememberPeople } from '../../courtesies/names.js';
import { updateStatus } from '../../services/status.js';
import { FutureTimeError, addIncidentNote, setIncidentMilestone } from '../../services/timeline-entries.js';
import { visibleTo } from '../../courtesies/visibility.js';
import { declareModal, incidentList, statementReply } from '../../messages/blocks.js';

export const INCIDENT_COMMAND = '/incident';

/** What sitrep made of one `/incident`: its reply, and whether it refused (and so changed nothing). */
export interface CommandOutcome {
  triggerId: string;
  kind: Command['kind'] | 'unknown';
  reply: string;
  refused: boolean;
}

/** What a handler answers: the ephemeral reply that acknowledges the command. */
interface Answer {
  reply: string;
  refused: boolean;
}

const said = (reply: string): Answer => ({ reply, refused: false });
const refused = (reply: string): Answer => ({ reply, refused: true });

interface Invocation {
  ctx: SlackContext;
  body: SlashCommand;
  client: App['client'];
  commit: Commit;
  /** Set for commands that need one: the incident whose channel this is. */
  incident: IncidentRecord | null;
}

type Handler<K extends Command['kind']> = (command: Extract<Command, { kind: K }>, call: Invocation) => Promise<Answer>;

/** A handler's view inside the request's transaction: no Slack client, the transaction's queries. */
type Writing = Omit<Invocation, 'ctx' | 'client' | 'commit'> & { ctx: ServiceContext };
type Handlers = { [K in Command['kind']]: Handler<K> };

/**
 * A command that changes something: its writes run in the request's commit, so
 * Slack is answered only once they are stored, as for events.
 */
function writes<K extends Command['kind']>(change: (command: Extract<Command, { kind: K }>, call: Writing) => Promise<Answer>): Handler<K> {
  return (command, call) => call.commit((tx) => change(command, { body: call.body, incident: call.incident, ctx: tx }));
}

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
  help: async (_command, { ctx }) => said(helpText(ctx.reactions)),

  declare: writes(async (command, { ctx, body }) => {
    // Slack sends command text with entities encoded and mentions as <@U123|bob>; a title
    // is plain text, as the person typed it: `@bob`, `#ops`, `&`.
    const title = typedText(command.title);
    const { incident, created } = await declareIncident(ctx, {
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
    if (!created) return refused(`${incidentRef(incident.number)} was already declared for this request.`);
    return said(`Declaring ${incidentRef(incident.number)}: ${escapeMrkdwn(title)}. Opening its channel…`);
  }),

  'declare-modal': async (_command, { body, client }) => {
    await client.views.open({ trigger_id: body.trigger_id, view: declareModal(body.channel_id) });
    return said('');
  },

  status: writes(async (command, call) => changeStatus(command.status, command.message, call)),

  update: writes(async (command, call) => changeStatus(inIncident(call.incident).status, command.message, call)),

  resolve: writes(async (command, call) => changeStatus('resolved', command.summary, call)),

  severity: writes(async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    if (current.severity === command.severity) return refused(`${incidentRef(current.number)} is already ${severityLabel(command.severity)}.`);
    await changeIncidentSeverity(ctx, current, { severity: command.severity, userId: body.user_id });
    return said('');
  }),

  role: writes(async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    if (current.roles[command.role] === command.userId) return refused(`<@${command.userId}> is already the ${command.role}.`);
    await assignIncidentRole(ctx, current, { role: command.role, userId: command.userId, actorId: body.user_id });
    return said('');
  }),

  note: writes(async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    const at = await addIncidentNote(ctx, current, { time: command.time, text: command.text, userId: body.user_id });
    const sameDay = dayKey(at, current.timeZone) === dayKey(ctx.now(), current.timeZone);
    return said(`Noted at ${sameDay ? formatTime(at, current.timeZone) : formatDateTime(at, current.timeZone)}.`);
  }),

  timestamp: writes(async (command, { ctx, body, incident }) => {
    const current = inIncident(incident);
    const at = await setIncidentMilestone(ctx, current, { milestone: command.milestone, time: command.time, userId: body.user_id });
    return said(`${MILESTONE_LABELS[command.milestone]} set to ${formatDateTime(at, current.timeZone)}.`);
  }),

  summary: setStatement,

  impact: setStatement,

  action: writes(async (command, { ctx, body, incident }) => {
    await addFollowUp(ctx, inIncident(incident), {
      text: command.text,
      ownerId: command.ownerId,
      type: command.type,
      // A link, not text to show: stored as the address it is (Slack sends `&` as `&amp;`).
      ticketUrl: command.ticketUrl === null ? null : decodeEntities(command.ticketUrl),
      userId: body.user_id,
    });
    return said('');
  }),

  actions: async (_command, { ctx, incident }) => said(await describeFollowUps(ctx, inIncident(incident))),

  timezone: writes(async (command, { ctx, body, incident }) => {
    const zone = canonicalTimeZone(command.zone);
    if (!zone) return refused(`\`${command.zone}\` is not a time zone I know. Use an IANA name such as \`Europe/London\` or \`America/New_York\`.`);
    await setIncidentTimeZone(ctx, inIncident(incident), { zone, userId: body.user_id });
    return said('');
  }),

  postmortem: writes(async (_command, { ctx, incident }) => {
    const current = inIncident(incident);
    await queuePostmortem(ctx, current);
    return said(`Writing the postmortem draft for ${incidentRef(current.number)}…`);
  }),

  list: async (_command, { ctx, body }) => {
    const visible = await visibleTo(ctx, await openIncidents(ctx), body.user_id);
    return said(incidentList(visible, ctx.now()));
  },
};

/**
 * `summary` and `impact`: free text kept as Slack sent it (mrkdwn, as notes are). The
 * channel is told; the answer is a hint only once the incident is resolved.
 */
function setStatement(command: Extract<Command, { kind: 'summary' | 'impact' }>, call: Invocation): Promise<Answer> {
  return writes<'summary' | 'impact'>(async (statement, { ctx, body, incident }) => {
    const updated = await setIncidentStatement(ctx, inIncident(incident), { kind: statement.kind, text: statement.text, userId: body.user_id });
    return said(statementReply(statement.kind, updated));
  })(command, call);
}

/** `status`, `update` and `resolve`: a status update, or a refusal to resolve twice. */
async function changeStatus(status: Status, message: string | null, { ctx, body, incident }: Writing): Promise<Answer> {
  const current = inIncident(incident);
  // Checked under the incident's lock: a resolve that raced another (on another replica,
  // or in the same batch) finds it resolved, and changes nothing.
  if (!(await updateStatus(ctx, current, { status, message, userId: body.user_id }))) {
    return refused(`${incidentRef(current.number)} is already resolved. \`/incident postmortem\` posts the draft again.`);
  }
  return said(status === 'resolved' ? `Resolved ${incidentRef(current.number)}. Writing the postmortem draft…` : '');
}

/** Parses, checks where it was typed, runs it: the answer, or a refusal that changed nothing. */
async function answer(call: Omit<Invocation, 'incident'>): Promise<Answer & { kind: CommandOutcome['kind']; inIncident?: boolean }> {
  const parsed = parseCommand(call.body.text);
  if (!parsed.ok) return { kind: 'unknown', ...refused(`${parsed.error}\nTry ${parsed.usage}`) };
  const { command } = parsed;
  const incident = await incidentForChannel(call.ctx, call.body.channel_id);
  if (needsIncidentChannel(command) && !incident) {
    return { kind: command.kind, ...refused(`\`${command.kind}\` works in an incident's channel, and this is not one. Run it there, or \`/incident list\` to find it.`) };
  }
  const resolved = incident && resolvedRefusal(incident, command);
  if (resolved) return { kind: command.kind, ...refused(resolved) };
  try {
    const handler = handlers[command.kind] as Handler<typeof command.kind>;
    return { kind: command.kind, inIncident: incident !== null, ...(await handler(command, { ...call, incident })) };
  } catch (error) {
    if (!(error instanceof FutureTimeError)) throw error;
    const zone = incident?.timeZone ?? 'UTC';
    return { kind: command.kind, ...refused(`${error.message} Give a time that has passed, such as \`14:05\` or \`2024-04-09 06:45\` (${zone}).`) };
  }
}

export interface CommandOptions {
  /** Told what became of each command (the replay reads refusals from here, not from the wording). */
  onOutcome?: (outcome: CommandOutcome) => void;
}

export function registerCommands(app: App, ctx: SlackContext, options: CommandOptions = {}): void {
  app.command(INCIDENT_COMMAND, async ({ command: body, ack, client, context }) => {
    const outcome = await answer({ ctx, body, client, commit: commitOf(context) });
    await ack(outcome.reply ? { response_type: 'ephemeral', text: outcome.reply } : undefined);
    options.onOutcome?.({ triggerId: body.trigger_id, kind: outcome.kind, reply: outcome.reply, refused: outcome.refused });
    // Names for the draft: of whoever takes part in an incident, and whoever they mention.
    if (!outcome.refused && (outcome.inIncident || outcome.kind === 'declare')) rememberPeople(ctx, [body.user_id, ...mentionedUserIds(body.text)]);
  });
}
