// Which Events API bodies sitrep hands to Bolt, and which it acknowledges and drops.

import { describe, expect, it } from 'vitest';
import { eventShapeProblem } from '../../src/http/event-shape.js';

const TS = '1712679000.000100';

function envelope(event: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event, ...extra };
}

const message = (extra: Record<string, unknown> = {}) => ({ type: 'message', channel: 'C1', user: 'U1', text: 'hi', ts: TS, ...extra });
const reaction = (extra: Record<string, unknown> = {}) => ({ type: 'reaction_added', user: 'U1', reaction: 'pushpin', item: { type: 'message', channel: 'C1', ts: TS }, ...extra });

describe('eventShapeProblem', () => {
  it.each<[string, unknown]>([
    ['a message', envelope(message())],
    ['a message with attachments and files', envelope(message({ text: undefined, attachments: [{ fallback: 'x' }], files: [{ name: 'a.log', permalink: 'https://x' }] }))],
    ['a bot message', envelope(message({ user: undefined, subtype: 'bot_message', bot_id: 'B1', bot_profile: { name: 'PagerDuty' } }))],
    ['a thread reply', envelope(message({ thread_ts: '1712678000.000100' }))],
    ['an edit', envelope(message({ subtype: 'message_changed', user: undefined, text: undefined, event_ts: TS, message: { ts: TS, text: 'new', user: 'U1', edited: { ts: TS } } }))],
    ['a delete', envelope(message({ subtype: 'message_deleted', user: undefined, text: undefined, deleted_ts: TS }))],
    ['a subtype sitrep ignores, however odd', envelope(message({ subtype: 'channel_topic', ts: 'whatever', text: 42 }))],
    ['a reaction to a message', envelope(reaction())],
    ['a reaction to a file', envelope(reaction({ item: { type: 'file', file: 'F1' } }))],
    ['the Home tab opened', envelope({ type: 'app_home_opened', user: 'U1', tab: 'home', channel: 'D1' })],
    ['an event type sitrep does not listen to', envelope({ type: 'user_change', user: { id: 'U1', name: 'x' } })],
    ['a channel event with a channel object', envelope({ type: 'channel_created', channel: { id: 'C9', name: 'x' } })],
    ['a slash command (Bolt checks those)', { command: '/incident', text: 'x' }],
    ['url verification', { type: 'url_verification', challenge: 'x' }],
  ])('lets through %s', (_name, body) => {
    expect(eventShapeProblem(body)).toBeNull();
  });

  it.each<[string, unknown]>([
    ['an envelope without an event', envelope(undefined)],
    ['an event that is a string', envelope('message')],
    ['an event without a type', envelope({ channel: 'C1' })],
    ['an event id that is not a string', envelope(message(), { event_id: 42 })],
    ['a user that is null', envelope(reaction({ user: null }))],
    ['a channel that is a number', envelope(message({ channel: 42 }))],
    ['an item that is a string', envelope({ type: 'star_added', item: 'x' })],
    ['a message without a channel', envelope(message({ channel: undefined }))],
    ['a message in a channel that is not an id', envelope(message({ channel: '<!channel>' }))],
    ['a message whose ts is a number', envelope(message({ ts: 1712679000.0001 }))],
    ['a message whose ts is not a Slack ts', envelope(message({ ts: '1e400' }))],
    ['a message whose text is a number', envelope(message({ text: 42 }))],
    ['a message whose text is an object', envelope(message({ text: { a: 1 } }))],
    ['a message whose user is not an id', envelope(message({ user: 'robert"); DROP TABLE' }))],
    ['attachments that are not a list', envelope(message({ attachments: 'x' }))],
    ['an attachment whose fallback is not text', envelope(message({ attachments: [{ fallback: ['x'] }] }))],
    ['files that are not objects', envelope(message({ files: ['a.log'] }))],
    ['a subtype that is a number', envelope(message({ subtype: 7 }))],
    ['an edit without the message', envelope(message({ subtype: 'message_changed' }))],
    ['an edit whose message ts is broken', envelope(message({ subtype: 'message_changed', message: { ts: 'x', text: 'y' } }))],
    ['an edit whose edited ts is broken', envelope(message({ subtype: 'message_changed', message: { ts: TS, text: 'y', edited: { ts: 5 } } }))],
    ['a delete whose deleted ts is broken', envelope(message({ subtype: 'message_deleted', deleted_ts: 'yesterday' }))],
    ['a reaction without a user', envelope(reaction({ user: undefined }))],
    ['a reaction whose name is not text', envelope(reaction({ reaction: 1 }))],
    ['a reaction without an item', envelope(reaction({ item: undefined }))],
    ['a reaction to a message without its ts', envelope(reaction({ item: { type: 'message', channel: 'C1' } }))],
    ['a Home tab opened by no one', envelope({ type: 'app_home_opened', tab: 'home' })],
  ])('drops %s', (_name, body) => {
    expect(eventShapeProblem(body)).toEqual(expect.any(String));
  });
});
