// The real app, over HTTP, against hostile and malformed deliveries: signed
// events with arbitrary text and broken shapes (no channel, a ts that is not a
// Slack ts, text that is not a string, huge text), and slash commands with
// arbitrary text. Every delivery is answered 200 (Slack disables apps that fail
// too many), the app keeps answering /healthz, nothing is logged at error
// level, no promise is left rejected, and hostile messages end up in the export
// without breaking it.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages as messagesTable } from '../../src/db/schema.js';
import { POSTMORTEM_SECTIONS, renderPostmortem } from '../../src/domain/postmortem.js';
import { DEFAULT_REACTIONS } from '../../src/domain/reactions.js';
import { incidentExport } from '../../src/services/export.js';
import { loadPostmortemInput } from '../../src/services/postmortem.js';
import { U_ALICE, U_BOB, U_CAROL } from '../../harness/simulator/constants.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { containsBroadcast, parseMarkdown, textOf } from '../domain/markdown-support.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { anyText, hostileText } from './hostile.js';

let box: TestSandbox;
let incident: SimChannel;
let general: SimChannel;
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => void rejections.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  box = await startTestSandbox();
  incident = await box.declare(U_ALICE, 'declare sev2 Fuzzed');
  general = box.sim.channelByName('general')!;
  await box.sitrep.ctx.tasks.idle();
});

afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await box?.close();
});

/** What must hold after every delivery, and after the whole run. */
async function stillHealthy(status: number, what: unknown): Promise<void> {
  expect(status, JSON.stringify(what).slice(0, 300)).toBe(200);
  const health = await fetch(box.appUrl.replace('/slack/events', '/healthz'));
  expect(health.status).toBe(200);
}

function assertQuiet(): void {
  expect(box.errors().map((line) => `${line.msg} ${JSON.stringify(line.err ?? '').slice(0, 300)}`)).toEqual([]);
  expect(rejections).toEqual([]);
}

/** A placeholder for "a fresh, valid ts", filled in when the event is sent. */
const FRESH = Symbol('fresh ts');

const weird = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
  fc.constant(['a', 1]),
  fc.constant({ nested: { deep: '<!channel>' } }),
  hostileText,
);
const ts = fc.oneof(
  { weight: 4, arbitrary: fc.constant<typeof FRESH>(FRESH) },
  { weight: 1, arbitrary: fc.constantFrom('0', '', 'abc', '1e400', '-1.000001', '99999999999999999999.999999', '1712679000', '1712679000.', '.5', ' 1712679000.000100 ', 'NaN', 'Infinity') },
  { weight: 1, arbitrary: weird },
);
const channel = fc.oneof(
  { weight: 4, arbitrary: fc.constant('INCIDENT') },
  { weight: 1, arbitrary: fc.constantFrom('GENERAL', 'C_NOPE', '', 'inc-1-fuzzed', 'C00000001 ') },
  { weight: 1, arbitrary: weird },
);
const user = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(U_BOB, U_CAROL, U_ALICE) }, { weight: 1, arbitrary: weird });
const text = fc.oneof({ weight: 5, arbitrary: anyText }, { weight: 1, arbitrary: weird });
const subtype = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom('message_changed', 'message_deleted', 'bot_message', 'file_share', 'channel_join', 'thread_broadcast', 'me_message', 'channel_topic', 'tombstone') },
  { weight: 1, arbitrary: weird },
);

/** Drops keys whose value is undefined, as JSON would. */
function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

const messageEvent = fc
  .record({
    channel,
    user,
    text,
    ts,
    subtype,
    thread_ts: fc.option(ts, { nil: undefined }),
    deleted_ts: fc.option(ts, { nil: undefined }),
    message: fc.option(fc.oneof(weird, fc.record({ ts, text, user, edited: fc.option(fc.oneof(weird, fc.record({ ts })), { nil: undefined }) })), { nil: undefined }),
    attachments: fc.option(fc.oneof(weird, fc.array(fc.record({ fallback: text, text, pretext: text }), { maxLength: 2 })), { nil: undefined }),
    files: fc.option(fc.oneof(weird, fc.array(fc.record({ name: weird, title: weird, permalink: weird }), { maxLength: 2 })), { nil: undefined }),
    bot_id: fc.option(weird, { nil: undefined }),
    bot_profile: fc.option(weird, { nil: undefined }),
    edited: fc.option(weird, { nil: undefined }),
  })
  .map((fields) => defined({ type: 'message', ...fields }));

const reactionEvent = fc
  .record({
    type: fc.constantFrom('reaction_added', 'reaction_removed'),
    user,
    reaction: fc.oneof(fc.constantFrom('pushpin', 'memo', 'bulb', '+1'), weird),
    item: fc.oneof({ weight: 3, arbitrary: fc.record({ type: fc.constantFrom('message', 'file', 'file_comment'), channel, ts }) }, { weight: 1, arbitrary: weird }),
    item_user: fc.option(user, { nil: undefined }),
  })
  .map(defined);

const otherEvent = fc.oneof(
  fc.record({ type: fc.constant('app_home_opened'), user, tab: fc.oneof(fc.constantFrom('home', 'messages'), weird), channel }).map(defined),
  fc.record({ type: fc.constantFrom('member_joined_channel', 'channel_created', 'pin_added', 'app_mention', 'file_shared'), user, channel, text }).map(defined),
  fc.record({ type: hostileText.filter((t) => t.length > 0) }),
);

const anyEvent = fc.oneof({ weight: 5, arbitrary: messageEvent }, { weight: 2, arbitrary: reactionEvent }, { weight: 1, arbitrary: otherEvent });

/** Fills in placeholders: the incident's channel, fresh ts values. */
function materialise(value: unknown): unknown {
  if (value === FRESH) return box.sim.nextTs();
  if (value === 'INCIDENT') return incident.id;
  if (value === 'GENERAL') return general.id;
  if (Array.isArray(value)) return value.map(materialise);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, materialise(inner)]));
  }
  return value;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text as SQLite gives it back: it keeps UTF-8, so a lone surrogate (which has
 * no UTF-8 form) comes back as replacement characters. Runs of them are
 * collapsed on both sides, as the driver's encoding decides how many there are.
 */
function asStored(value: string): string {
  return value.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd').replace(/\ufffd+/g, '\ufffd');
}

async function checkExport(): Promise<string> {
  const input = await loadPostmortemInput(box.store.queries, 1, DEFAULT_REACTIONS);
  expect(input).not.toBeNull();
  const markdown = renderPostmortem(input!);
  const tree = parseMarkdown(markdown);
  expect(tree.children.filter((node) => node.type === 'heading' && node.depth === 1)).toHaveLength(1);
  expect(tree.children.filter((node) => node.type === 'heading' && node.depth === 2).map(textOf)).toEqual([...POSTMORTEM_SECTIONS]);
  expect(containsBroadcast(markdown)).toBe(false);
  JSON.parse(JSON.stringify(incidentExport(input!)));
  return markdown;
}

describe('the app under fuzzed deliveries', () => {
  it('answers 200 to each malformed shape the listeners (or Bolt) would trip over, and drops it with a warning', async () => {
    const shapes: Array<Record<string, unknown>> = [
      { type: 'reaction_added', user: null, reaction: 'pushpin', item: { type: 'message', channel: incident.id, ts: box.sim.nextTs() } },
      { type: 'reaction_added', user: U_BOB, reaction: 'pushpin' },
      { type: 'reaction_added', user: U_BOB, reaction: 'pushpin', item: 'x' },
      { type: 'message', channel: incident.id, user: U_BOB, text: 'ts is a number', ts: 42 },
      { type: 'message', channel: incident.id, user: U_BOB, text: 42, ts: box.sim.nextTs() },
      { type: 'message', channel: incident.id, user: U_BOB, text: 'x', ts: box.sim.nextTs(), attachments: 'x' },
      { type: 'message', user: U_BOB, text: 'no channel', ts: box.sim.nextTs() },
      { type: 'message', channel: incident.id, subtype: 'message_changed', ts: box.sim.nextTs(), message: { ts: 'x', text: 'y' } },
      { type: 'message', channel: incident.id, subtype: 'message_deleted', ts: 'x', deleted_ts: box.sim.nextTs() },
      { type: 'app_home_opened', user: 7, tab: 'home' },
    ];
    const before = box.database.db.select().from(messagesTable).all().length;
    for (const shape of shapes) {
      const warnings = box.logs.length;
      const response = await box.driver.event(shape);
      await stillHealthy(response.status, shape);
      expect(box.logs.slice(warnings).map((line) => line.msg)).toContain('ignored an event of a shape Slack does not send');
    }
    expect(box.database.db.select().from(messagesTable).all()).toHaveLength(before);
    assertQuiet();
  });

  it('answers 200 to every signed event, however malformed, and stays healthy', async () => {
    await fc.assert(
      fc.asyncProperty(anyEvent, async (shape) => {
        const event = materialise(shape) as Record<string, unknown>;
        const response = await box.driver.event(event);
        await stillHealthy(response.status, event);
      }),
      { numRuns: 80 },
    );
    await box.sitrep.ctx.tasks.idle();
    await checkExport();
    assertQuiet();
  });

  it('answers every slash command with 200 and, when it cannot act, an explanation', async () => {
    const words = fc.constantFrom('', 'help', 'list', 'actions', 'note', 'update', 'action', 'status identified', 'status', 'severity', 'timezone', 'timestamp detected', 'note 09:00', 'lead', 'role comms', 'declare', 'resolve', 'declare sev9');
    await fc.assert(
      fc.asyncProperty(words, anyText, fc.constantFrom('INCIDENT', 'GENERAL'), fc.constantFrom(U_ALICE, U_BOB), async (word, rest, where, userId) => {
        const channelId = where === 'INCIDENT' ? incident.id : general.id;
        const response = await box.driver.command({ userId, channelId, text: `${word} ${rest}` });
        await stillHealthy(response.status, { word, rest });
        if (response.body !== '') {
          expect(typeof (response.body as { text?: unknown }).text).toBe('string');
          expect((response.body as { response_type?: unknown }).response_type).toBe('ephemeral');
        }
      }),
      { numRuns: 50 },
    );
    await box.sitrep.ctx.tasks.idle();
    assertQuiet();
  });

  it('records a hostile message as sent, marks it, and exports it without breaking the draft', async () => {
    const before = box.database.db.select().from(messagesTable).all().length;
    const sent: string[] = [];
    await fc.assert(
      // Short texts: the draft is parsed again below, and a few 12,000-character pathological
      // texts made that parse (the test's, not sitrep's) take up to 13 s. Very long texts
      // are sent by the other properties here and converted in fuzz/mrkdwn.test.ts.
      fc.asyncProperty(hostileText.filter((t) => t.trim().length > 0), async (hostile) => {
        const { status, ts: messageTs } = await box.driver.message({ channelId: incident.id, userId: U_BOB, text: hostile });
        await stillHealthy(status, hostile);
        const reacted = await box.driver.react({ channelId: incident.id, ts: messageTs, userId: U_CAROL, name: 'pushpin' });
        expect(reacted.status).toBe(200);
        const row = box.database.db.select().from(messagesTable).all().find((m) => m.ts === messageTs);
        expect(asStored(row?.text ?? '')).toBe(asStored(hostile));
        expect(row?.text).not.toMatch(LONE_SURROGATE);
        sent.push(asStored(hostile));
      }),
      { numRuns: 25 },
    );
    expect(box.database.db.select().from(messagesTable).all().length).toBeGreaterThanOrEqual(before + sent.length);
    await checkExport();

    // The real export command: the draft keeps its shape, the JSON has every message as written.
    const markdown = await box.exportCli('1');
    expect(markdown).toMatchObject({ code: 0, stderr: '' });
    const tree = parseMarkdown(markdown.stdout);
    expect(tree.children.filter((node) => node.type === 'heading' && node.depth === 2).map(textOf)).toEqual([...POSTMORTEM_SECTIONS]);
    expect(containsBroadcast(markdown.stdout)).toBe(false);
    const json = await box.exportCli('1', '--format', 'json');
    const exported = JSON.parse(json.stdout) as { timeline: Array<{ text: string }> };
    const texts = exported.timeline.map((entry) => entry.text);
    const exportedTexts = new Set(texts.map(asStored));
    for (const hostile of sent) expect(exportedTexts.has(hostile)).toBe(true);
    assertQuiet();
  });
});
