import { DEFAULT_REACTIONS } from '../../src/domain/reactions.js';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/domain/incident.js';
import {
  actionAddedMessage,
  actionList,
  announcement,
  incidentList,
  statementMessage,
  statementReply,
  statusUpdateMessage,
  summaryMessage,
} from '../../src/messages/blocks.js';

const incident: Incident = {
  number: 7,
  title: 'Payments <EU> & refunds',
  severity: 'sev2',
  status: 'investigating',
  summary: null,
  impact: null,
  resolutionSummary: null,
  isPrivate: false,
  channelId: 'C7',
  channelName: 'inc-7-payments',
  declaredBy: 'U1',
  roles: {},
  timeZone: 'Europe/London',
  declaredAt: Date.parse('2024-07-01T14:00:00Z'),
  resolvedAt: null,
  milestones: {},
};

function sectionTexts(blocks: unknown[]): string[] {
  return (blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section' && b.text).map((b) => b.text!.text);
}

describe('summaryMessage', () => {
  it('escapes the title in mrkdwn and shows the facts with the zone', () => {
    const { text, blocks } = summaryMessage(incident, DEFAULT_REACTIONS);
    expect(text).toBe('INC-7: Payments &lt;EU&gt; &amp; refunds (SEV2, Investigating)');
    expect(JSON.stringify(blocks)).toContain('2024-07-01 15:00 BST by <@U1>');
    expect(JSON.stringify(blocks)).toContain('_unassigned_');
  });

  it('keeps each section within Slack’s 3,000 characters, without a broken entity or link', () => {
    const summary = `${'&amp;'.repeat(800)}<https://example.com|a link>`;
    const { blocks } = summaryMessage({ ...incident, summary, impact: 'short' }, DEFAULT_REACTIONS);
    const [long, short] = sectionTexts(blocks);
    expect(long!.length).toBeLessThanOrEqual(3000);
    expect(long).toMatch(/(&amp;)+…$/);
    expect(short).toBe('*Impact:* short');
  });

  it('never lets a summary ping the channel', () => {
    const { blocks } = summaryMessage({ ...incident, summary: 'wake up <!channel> and <!here>' }, DEFAULT_REACTIONS);
    expect(JSON.stringify(blocks)).not.toMatch(/<!channel>|<!here>/);
  });
});

describe('status and announcement texts', () => {
  it.each([
    [{ status: 'identified', message: 'bad config', userId: 'U2' }, false, /^\*:bulb: Identified\* · status update from <@U2>\n>bad config$/],
    [{ status: 'identified', message: null, userId: 'U2' }, true, /^\*:bulb: Update \(Identified\)\* · status update from <@U2>$/],
    [{ status: 'resolved', message: 'rolled back\nall good', userId: 'U3' }, false, /^:white_check_mark: <@U3> resolved INC-7\.\n>rolled back\n>all good\n/],
  ] as const)('%j (update: %s)', (update, isUpdate, expected) => {
    expect(statusUpdateMessage(incident, update, isUpdate)).toMatch(expected);
  });

  it('links the channel and quotes the message in announcements', () => {
    expect(announcement(incident, ':mag: Identified:', 'db <!everyone>')).toBe(
      ':mag: Identified: INC-7: Payments &lt;EU&gt; &amp; refunds (SEV2) in <#C7>\n>db @everyone',
    );
  });

  it('lists incidents with their age', () => {
    expect(incidentList([incident], incident.declaredAt + 95 * 60_000)).toContain('· 1h 35m · <#C7>');
    expect(incidentList([], 0)).toBe('No open incidents.');
  });
});

describe('summary, impact and follow-up texts', () => {
  it('quotes a new summary or impact statement, defused', () => {
    expect(statementMessage('summary', 'card payments failed <!channel>', 'U2')).toBe(':page_facing_up: <@U2> set the summary:\n>card payments failed @channel');
    expect(statementMessage('impact', 'EU\ncheckouts', 'U3')).toBe(':chart_with_downwards_trend: <@U3> set the impact statement:\n>EU\n>checkouts');
  });

  it('answers quietly while the incident is open, and points to the draft once it is resolved', () => {
    expect(statementReply('summary', incident)).toBe('');
    expect(statementReply('impact', { ...incident, status: 'resolved' })).toBe(
      'The impact statement of INC-7 is set. `/incident postmortem` posts the draft again with it.',
    );
  });

  it('shows an action with its type, owner and ticket, the link unbreakable by what the address holds', () => {
    const action = { text: 'add a canary', ownerId: 'U4', type: 'prevent' as const, ticketUrl: 'https://x.example/a?b=1&c=<2>|label' };
    expect(actionAddedMessage(action, 'U2')).toBe(
      ':memo: Follow-up added by <@U2> (prevent), owner <@U4>, ticket <https://x.example/a?b=1&amp;c=&lt;2&gt;%7Clabel>:\n>add a canary',
    );
    expect(actionAddedMessage({ text: 'write it up', ownerId: null, type: null, ticketUrl: null }, 'U2')).toBe(
      ':memo: Follow-up added by <@U2>:\n>write it up',
    );
    const list = actionList(incident, [{ ...action, done: false }, { text: 'write it up', ownerId: null, done: true }], []);
    expect(list.split('\n')).toEqual([
      '*Follow-up actions for INC-7 (2)*',
      ':white_square: add a canary · <@U4> · _prevent_ · ticket <https://x.example/a?b=1&amp;c=&lt;2&gt;%7Clabel>',
      ':ballot_box_with_check: write it up · _no owner_',
    ]);
    expect(actionList(incident, [], [])).toContain('`/incident action [prevent|detect|mitigate|process] <text> [@owner] [<ticket URL>]`');
  });
});
