// The shape of the events sitrep acts on, checked before Bolt dispatches them.
// Slack sends these shapes and nothing else, but only a request that passed the
// signature check gets here, and a listener (or Bolt itself) that trips over a
// missing channel, a `ts` that is not a Slack ts or text that is not a string
// would answer 500, log an error and have Slack deliver it again and again
// (Slack disables apps that fail too many deliveries). An event that does not
// have the shape is acknowledged (200), logged as a warning, and dropped.
//
// Only the fields sitrep or Bolt read are checked, and only for the event
// types sitrep listens to; other events pass as long as Bolt can route them.
// The shapes are the listeners' own (listeners/payloads.ts): declared once, as
// zod schemas that give the listeners their types too.

import type { Receiver, ReceiverEvent } from '@slack/bolt';
import type { z } from 'zod';
import { appHomeOpened, memberLeftChannel, messageSchemaFor, reactionEvent } from '../listeners/payloads.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** The schema an event of this type must meet, with what to say when it does not. */
function schemaFor(event: Record<string, unknown>): [z.ZodType, string] | null {
  switch (event.type) {
    case 'message': {
      const schema = messageSchemaFor(event.subtype);
      return schema && [schema, `a message event${event.subtype ? ` (${String(event.subtype).slice(0, 40)})` : ''} with a malformed field (channel, ts, user, text, attachments, files…)`];
    }
    case 'reaction_added':
    case 'reaction_removed':
      return [reactionEvent, 'a reaction event without a user, a reaction, or an item with its channel and ts'];
    case 'app_home_opened':
      return [appHomeOpened, 'an app_home_opened event without a user id'];
    case 'member_left_channel':
      return [memberLeftChannel, 'a member_left_channel event without a user or channel id'];
    default:
      return null;
  }
}

/**
 * Why an Events API body cannot be handled, or null when it can (or is not an
 * event at all: commands and interactions are Bolt's to check).
 */
export function eventShapeProblem(body: unknown): string | null {
  if (!isRecord(body) || body.type !== 'event_callback') return null;
  const event = body.event;
  if (!isRecord(event) || !isString(event.type)) return 'an event_callback without an event';
  if (body.event_id !== undefined && !isString(body.event_id)) return 'an event_callback whose event_id is not a string';
  // Bolt itself reads these to route the event, whatever its type.
  const user = event.user;
  if (user !== undefined && !isString(user) && !(isRecord(user) && isString(user.id))) return 'an event whose user is malformed';
  const channel = event.channel;
  if (channel !== undefined && !isString(channel) && !(isRecord(channel) && isString(channel.id))) return 'an event whose channel is malformed';
  if (event.item !== undefined && !isRecord(event.item)) return 'an event whose item is malformed';
  const check = schemaFor(event);
  return check === null || check[0].safeParse(event).success ? null : check[1];
}

export interface ShapeCheckOptions {
  logger: { warn(details: object, message: string): void };
}

/**
 * Has `receiver` acknowledge and drop events of a shape sitrep cannot handle,
 * before Bolt dispatches them. Works for any receiver (HTTP or Socket Mode):
 * it wraps the app's `processEvent` when the app hands itself to the receiver.
 */
export function dropMalformedEvents<R extends Receiver>(receiver: R, options: ShapeCheckOptions): R {
  const init = receiver.init.bind(receiver);
  receiver.init = (app) => {
    const processEvent = app.processEvent.bind(app);
    app.processEvent = async (event: ReceiverEvent): Promise<void> => {
      const problem = eventShapeProblem(event.body);
      if (problem === null) return processEvent(event);
      const body = event.body as { event_id?: unknown; event?: { type?: unknown } };
      options.logger.warn(
        { problem, eventId: typeof body.event_id === 'string' ? body.event_id.slice(0, 40) : undefined, eventType: String(body.event?.type).slice(0, 40) },
        'ignored an event of a shape Slack does not send',
      );
      await event.ack();
    };
    init(app);
  };
  return receiver;
}
